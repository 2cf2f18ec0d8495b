-- Output files: OUTDIR updated all-or-nothing under a lock, with a manifest so the files of removed layers go.
--
-- docs/outputs.md states the guarantees. In short: every target must be a regular file or absent
-- before anything is written; new contents go to a private mktemp -d directory inside OUTDIR and are
-- renamed into place only once all of them are written; concurrent runs on one OUTDIR take turns;
-- <prefix>manifest.txt always lists every file convgen may have written, so a later run can remove
-- the ones it no longer produces and never touches anything else.

local dirlock = require("generator.dirlock")

local files = {}

local MANIFEST_HEADER = "# Files written by convgen into this directory for this prefix (generator/files.lua).\n"
  .. "# The next run removes those it no longer writes. Do not edit.\n"
local MAX_MANIFEST_BYTES = 16 * 1024 * 1024
local WORKDIR_PATTERN = "^%.convgen%-%w%w%w%w%w%w%w%w%w%w$"
local OLD_TEMPORARY_PATTERN = "^%..+%.convgen%-tmp$" -- fixed names used before the private directory

local KINDS = { d = "a directory", l = "a symbolic link", p = "a FIFO", s = "a socket", c = "a character device",
                b = "a block device" }

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- dir as a shell word that no command can take for an option.
local function shell_dir(dir)
  return quote(dir:find("^/") and dir or "./" .. dir)
end

local function manifest_text(names)
  return MANIFEST_HEADER .. table.concat(names, "\n") .. (#names > 0 and "\n" or "")
end

-- outputs plus <prefix>manifest.txt listing them; manifest_name must end in "manifest.txt".
function files.with_manifest(outputs, manifest_name)
  local all, names = {}, {}
  for i, out in ipairs(outputs) do
    all[i], names[i] = out, out.name
  end
  all[#all + 1] = { name = manifest_name, text = manifest_text(names), manifest = true }
  return all
end

-- name -> { kind = find's %y letter, size = bytes } for every entry of dir (symbolic links not followed),
-- from one find(1). Names may hold any byte but '/' and NUL, so records end in NUL.
local function list_dir(dir)
  local p = io.popen("find -H " .. shell_dir(dir) .. " -mindepth 1 -maxdepth 1 -printf '%y %s %f\\0' 2>/dev/null")
  local text = p:read("a")
  if not p:close() then return nil, "cannot list '" .. dir .. "'" end
  local entries = {}
  for kind, size, name in text:gmatch("(%a) (%d+) ([^%z]+)%z") do
    entries[name] = { kind = kind, size = tonumber(size) }
  end
  return entries
end

-- The first limit bytes of a regular file (a bounded read: the listing said how long it was).
local function read_prefix(path, limit)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read(limit) or ""
  f:close()
  return text
end

local function not_regular(dir, name, entry)
  return string.format("%s/%s is %s, not a regular file", dir, name, KINDS[entry.kind] or "not a regular file")
end

-- Names a previous run recorded in the manifest: only plain names of this prefix that convgen could write.
local function manifest_names(text, manifest_name)
  local prefix = manifest_name:sub(1, -#"manifest.txt" - 1)
  local names = {}
  for line in text:gmatch("[^\n]+") do
    if line:sub(1, #prefix) == prefix and line:match("^[%w_][%w_.%-]*$") and line ~= manifest_name then
      names[#names + 1] = line
    end
  end
  return names
end

-- What a run would do to dir: .changed (outputs to write), .refused (messages for targets that are
-- not regular files), .stale (regular files the old manifest lists that are no longer produced),
-- .kept (messages for stale names that are not regular files, so not convgen's to remove),
-- .old_names (the old manifest's names), .entries (the listing).
local function survey(dir, outputs)
  local entries, err = list_dir(dir)
  if not entries then return nil, err end
  local s = { changed = {}, refused = {}, stale = {}, kept = {}, old_names = {}, entries = entries }
  local produced = {}
  for _, out in ipairs(outputs) do
    produced[out.name] = true
    local entry = entries[out.name]
    if not entry then
      s.changed[#s.changed + 1] = out
    elseif entry.kind ~= "f" then
      s.refused[#s.refused + 1] = not_regular(dir, out.name, entry)
    elseif out.manifest and entry.size > MAX_MANIFEST_BYTES then
      s.refused[#s.refused + 1] = dir .. "/" .. out.name .. " is too large to be a convgen manifest"
    elseif out.manifest then
      local current = read_prefix(dir .. "/" .. out.name, entry.size + 1)
      if current then s.old_names = manifest_names(current, out.name) end
      if current ~= out.text then s.changed[#s.changed + 1] = out end
    elseif entry.size ~= #out.text or read_prefix(dir .. "/" .. out.name, entry.size + 1) ~= out.text then
      s.changed[#s.changed + 1] = out
    end
  end
  for _, name in ipairs(s.old_names) do
    local entry = entries[name]
    if entry and not produced[name] then
      if entry.kind == "f" then
        s.stale[#s.stale + 1] = name
      else
        s.kept[#s.kept + 1] = not_regular(dir, name, entry) .. "; listed as stale but left in place"
      end
    end
  end
  return s
end

-- Problems --check reports, in order: { name = ..., problem = "missing" | "differs" | "stale" | message }.
-- It looks under a shared lock, so never at a set another run is halfway through renaming.
function files.check(dir, outputs, notes)
  notes = notes or function(message) io.stderr:write("convgen: ", message, "\n") end
  local problems = {}
  local lock, err, status = dirlock.acquire(dir:find("^/") and dir or "./" .. dir, notes, dir, true)
  local s = lock and survey(dir, outputs)
  if lock then dirlock.release(lock) end
  if not s and (status == "nodir" or lock) then -- no directory (or an unreadable one): nothing is there
    for _, out in ipairs(outputs) do problems[#problems + 1] = { name = out.name, problem = "missing" } end
    return problems
  elseif not s then
    return { { problem = err } }
  end
  for _, message in ipairs(s.refused) do problems[#problems + 1] = { problem = message } end
  for _, out in ipairs(s.changed) do
    problems[#problems + 1] = { name = out.name, problem = s.entries[out.name] and "differs" or "missing" }
  end
  for _, name in ipairs(s.stale) do problems[#problems + 1] = { name = name, problem = "stale" } end
  return problems
end

local function write_file(path, text)
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(text)
  local closed, cerr = f:close()
  if not ok then return nil, werr end
  if not closed then return nil, cerr end
  return true
end

-- Directories and temporaries of runs that were killed (only the lock holder may judge them dead).
local function remove_leftovers(dir, entries, own_workdir_name)
  local dirs = {}
  for name, entry in pairs(entries) do
    local path = dir .. "/" .. name
    if entry.kind == "d" and name:find(WORKDIR_PATTERN) and name ~= own_workdir_name then
      dirs[#dirs + 1] = quote(path)
    elseif entry.kind == "f" and name:find(OLD_TEMPORARY_PATTERN) then
      os.remove(path)
    end
  end
  if #dirs > 0 then
    table.sort(dirs)
    os.execute("rm -rf -- " .. table.concat(dirs, " "))
  end
end

-- The ordered steps of a commit: each { from = path in workdir, to = name } is a rename, each
-- { remove = name } an unlink. The manifest on disk covers every file convgen may have written at
-- every step: before a name it did not list is written, it is widened to the old and new names
-- (or, when that is the new manifest, the new one goes first); it is narrowed to the new names
-- only after the stale files are gone.
local function commit_steps(s, outputs, workdir)
  local manifest, old = nil, {}
  for _, name in ipairs(s.old_names) do old[name] = true end
  local names, widen = {}, false
  for _, out in ipairs(outputs) do
    if out.manifest then
      manifest = out
    else
      names[#names + 1] = out.name
      widen = widen or not old[out.name]
    end
  end
  local steps, writes, manifest_last = {}, {}, false
  for _, out in ipairs(s.changed) do
    writes[#writes + 1] = { path = workdir .. "/" .. out.name, text = out.text, name = out.name }
    if out.manifest then manifest_last = true end
  end
  local new_names = {}
  for _, name in ipairs(names) do new_names[name] = true end
  for _, name in ipairs(s.old_names) do
    if not new_names[name] then names[#names + 1] = name end
  end
  local widened = manifest_text(names)
  if manifest and widen and widened == manifest.text then
    steps[1], manifest_last = { from = workdir .. "/" .. manifest.name, to = manifest.name }, false
  elseif manifest and widen then
    writes[#writes + 1] = { path = workdir .. "/.widened-manifest", text = widened, name = manifest.name }
    steps[1] = { from = workdir .. "/.widened-manifest", to = manifest.name }
  end
  for _, out in ipairs(s.changed) do
    if not out.manifest then steps[#steps + 1] = { from = workdir .. "/" .. out.name, to = out.name } end
  end
  for _, name in ipairs(s.stale) do steps[#steps + 1] = { remove = name } end
  if manifest_last then steps[#steps + 1] = { from = workdir .. "/" .. manifest.name, to = manifest.name } end
  return steps, writes
end

-- Write every changed output and remove stale ones, or nothing at all. Returns true, or nil and a
-- message (several lines when several targets are refused). notes receives warnings.
function files.write_all(dir, outputs, notes)
  notes = notes or function(message) io.stderr:write("convgen: ", message, "\n") end
  local lock, lock_err = dirlock.acquire(dir:find("^/") and dir or "./" .. dir, notes, dir)
  if not lock then return nil, lock_err end
  local workdir = lock.workdir
  local function fail(message)
    os.execute("rm -rf -- " .. quote(workdir))
    dirlock.release(lock)
    return nil, message
  end
  if lock.warning then notes(dir .. ": " .. lock.warning) end
  local s, err = survey(dir, outputs)
  if not s then return fail(err) end
  if #s.refused > 0 then
    return fail(table.concat(s.refused, "\n") .. "\nconvgen writes only regular files; nothing was written")
  end
  if lock.locked then remove_leftovers(dir, s.entries, workdir:match("[^/]+$")) end
  for _, message in ipairs(s.kept) do notes(message) end

  local steps, writes = commit_steps(s, outputs, workdir)
  for _, w in ipairs(writes) do
    local ok, werr = write_file(w.path, w.text)
    if not ok then
      return fail("cannot write '" .. dir .. "/" .. w.name .. "' (its temporary '" .. w.path .. "'): "
        .. tostring(werr) .. "; nothing was written")
    end
  end
  -- From here on a failure or a kill leaves a mix of complete old and new files, which the next run completes.
  for _, step in ipairs(steps) do
    if step.remove then
      local ok, rerr = os.remove(dir .. "/" .. step.remove)
      if not ok then return fail("cannot remove stale '" .. dir .. "/" .. step.remove .. "': " .. tostring(rerr)) end
    else
      local ok, rerr = os.rename(step.from, dir .. "/" .. step.to)
      if not ok then
        return fail("cannot rename into '" .. dir .. "/" .. step.to .. "': " .. tostring(rerr)
          .. "; the directory holds a mix of old and new files until the next run")
      end
    end
  end
  os.remove(workdir .. "/.widened-manifest")
  os.remove(workdir)
  dirlock.release(lock)
  return true
end

return files

-- Shared helpers of the output-directory tests: running the generator, small specs, snapshots, cases.

local lib = {}

function lib.quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end
local quote = lib.quote

-- Exit code (0 on success) and combined output of a shell command.
function lib.run(cmd)
  local p = io.popen("{ " .. cmd .. "\n} 2>&1")
  local out = p:read("a")
  local ok, how, code = p:close()
  if ok then return 0, out end
  return how == "signal" and 128 + code or code, out
end

-- The absolute repository root from arg[1]; sets lib.root and lib.generator.
function lib.setup(root_arg)
  assert(root_arg, "usage: lua5.4 " .. arg[0] .. " ROOT")
  local p = io.popen("cd " .. quote(root_arg) .. " && pwd")
  lib.root = p:read("l")
  p:close()
  lib.generator = lib.root .. "/generator/convgen.lua"
  lib.tmp = os.tmpname()
  os.remove(lib.tmp)
  assert(os.execute("mkdir -p " .. quote(lib.tmp)))
end

-- The generator on spec into outdir; extra is shell words put before the spec. Bounded by timeout(1):
-- a run that blocks exits 124.
function lib.generate(spec, outdir, extra, seconds)
  return lib.run(string.format("timeout %d lua5.4 %s %s %s -o %s", seconds or 60, quote(lib.generator),
    extra or "", quote(spec), quote(outdir)))
end

-- A spec with the named conv2d layers (small shapes, fast to generate), written to path.
function lib.write_spec(path, names, prefix)
  local lines = { "return { prefix = " .. string.format("%q", prefix or "t_") .. ", layers = {" }
  for i, name in ipairs(names) do
    lines[#lines + 1] = string.format("  { op = 'conv2d', name = %q, input = { n = 1, c = %d, h = 9, w = 9 }, "
      .. "filters = 16, kernel = 3, padding = 1 },", name, 16 + i % 3)
  end
  lines[#lines + 1] = "} }"
  local f = assert(io.open(path, "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  return path
end

-- name -> { kind = find's %y letter, size = bytes } of every entry of dir, links not followed.
function lib.list(dir)
  local p = io.popen("find " .. quote(dir) .. " -mindepth 1 -maxdepth 1 -printf '%y %s %f\\0' 2>/dev/null")
  local entries = {}
  for kind, size, name in p:read("a"):gmatch("(%a) (%d+) ([^%z]+)%z") do
    entries[name] = { kind = kind, size = tonumber(size) }
  end
  p:close()
  return entries
end

-- name -> content of every regular file in dir (other kinds map to their find letter, e.g. "<l>").
function lib.snapshot(dir)
  local files = {}
  for name, entry in pairs(lib.list(dir)) do
    if entry.kind == "f" then
      local f = assert(io.open(dir .. "/" .. name, "rb"))
      files[name] = f:read("a")
      f:close()
    else
      files[name] = "<" .. entry.kind .. ">"
    end
  end
  return files
end

function lib.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

function lib.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

function lib.count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- Names in a and b whose contents differ, or that only one has.
function lib.differences(a, b)
  local names = {}
  for name, text in pairs(a) do
    if b[name] ~= text then names[#names + 1] = name end
  end
  for name in pairs(b) do
    if a[name] == nil then names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

-- Private work directories or old-style temporaries left in dir.
function lib.leftovers(dir)
  local names = {}
  for name in pairs(lib.list(dir)) do
    if name:find("^%.convgen%-") or name:find("convgen%-tmp$") then names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

local passed, failed = 0, 0

function lib.case(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
    print("ok      " .. name)
  else
    failed = failed + 1
    print("FAILED  " .. name .. ": " .. tostring(err))
  end
end

function lib.finish()
  os.execute("rm -rf " .. quote(lib.tmp))
  print(string.format("%d passed, %d failed", passed, failed))
  os.exit(failed == 0 and 0 or 1)
end

return lib

-- Hostile output directories: symbolic links, directories, FIFOs and devices at output or temporary
-- names; runs killed while writing. Nothing outside OUTDIR is touched, nothing partial is left.
-- Usage: lua5.4 tests/outputs/test_hostile.lua ROOT

package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local lib = require("lib")
lib.setup(arg[1])
local quote = lib.quote

local old_spec = lib.write_spec(lib.tmp .. "/old.lua", { "a", "b", "c", "d" })
local new_spec = lib.write_spec(lib.tmp .. "/new.lua", { "a", "b", "c", "e" })
local outside = lib.tmp .. "/outside"
os.execute("mkdir -p " .. quote(outside))

-- The complete outputs of each spec, for comparison.
local OLD, NEW = lib.tmp .. "/ref_old", lib.tmp .. "/ref_new"
assert(lib.generate(old_spec, OLD) == 0 and lib.generate(new_spec, NEW) == 0)
local old_files, new_files = lib.snapshot(OLD), lib.snapshot(NEW)

-- A directory holding the old spec's outputs, ready for an update to the new one.
local function fresh(name)
  local dir = lib.tmp .. "/" .. name
  os.execute("rm -rf " .. quote(dir) .. " && cp -a " .. quote(OLD) .. " " .. quote(dir))
  return dir
end

local function assert_unchanged(dir, extra)
  local now, old = lib.snapshot(dir), {}
  for name, text in pairs(old_files) do old[name] = text end
  for name in pairs(extra or {}) do now[name], old[name] = nil, nil end
  local diff = lib.differences(old, now)
  assert(#diff == 0, "partial update, changed: " .. table.concat(diff, ", "))
end

local function assert_outside_untouched()
  local entries = lib.list(outside)
  assert(lib.count(entries) == 1 and lib.read(outside .. "/keep.txt") == "outside\n",
    "something outside OUTDIR was written")
end
lib.write(outside .. "/keep.txt", "outside\n")

lib.case("a symbolic link at an output name: refused, nothing written, its target untouched", function()
  for _, target in ipairs({ outside .. "/keep.txt", outside .. "/dangling.c" }) do
    local dir = fresh("link_output")
    os.remove(dir .. "/t_e.c") -- a new name, so the link is the only thing in its place
    os.execute("ln -s " .. quote(target) .. " " .. quote(dir .. "/t_e.c"))
    local code, out = lib.generate(new_spec, dir)
    assert(code == 1, "exit " .. code .. ":\n" .. out)
    assert(out:find("t_e.c is a symbolic link", 1, true), "no clear message:\n" .. out)
    assert(lib.list(dir)["t_e.c"].kind == "l", "the link was replaced")
    assert_unchanged(dir, { ["t_e.c"] = true })
    assert(#lib.leftovers(dir) == 0, "temporaries left: " .. table.concat(lib.leftovers(dir), " "))
    assert_outside_untouched()
  end
end)

lib.case("symbolic links at temporary names (old fixed ones, work-directory look-alikes) are not followed", function()
  local dir = fresh("link_tmp")
  local planted = { ".t_e.c.convgen-tmp", ".t_a.c.convgen-tmp", ".t_manifest.txt.convgen-tmp", ".convgen-AAAAAAAAAA",
                    ".convgen-tmp" }
  for _, name in ipairs(planted) do
    os.execute("ln -s " .. quote(outside) .. " " .. quote(dir .. "/" .. name))
  end
  os.execute("ln -s " .. quote(outside .. "/keep.txt") .. " " .. quote(dir .. "/.t_b.h.convgen-tmp"))
  local code, out = lib.generate(new_spec, dir)
  assert(code == 0, out)
  local now = lib.snapshot(dir)
  for _, name in ipairs(planted) do
    assert(now[name] == "<l>", name .. " was replaced or removed")
    now[name] = nil
  end
  now[".t_b.h.convgen-tmp"] = nil
  local diff = lib.differences(new_files, now)
  assert(#diff == 0, "wrong final set: " .. table.concat(diff, ", "))
  assert_outside_untouched()
end)

lib.case("a directory at an output name: exit 1, nothing replaced", function()
  local dir = fresh("dir_output")
  os.remove(dir .. "/t_c.h")
  os.execute("mkdir -p " .. quote(dir .. "/t_c.h/sub"))
  lib.write(dir .. "/t_c.h/sub/file", "x")
  local code, out = lib.generate(new_spec, dir)
  assert(code == 1, "exit " .. code)
  assert(out:find("t_c.h is a directory", 1, true) and out:find("nothing was written", 1, true), out)
  assert_unchanged(dir, { ["t_c.h"] = true })
  assert(lib.read(dir .. "/t_c.h/sub/file") == "x", "the directory's content changed")
  assert(#lib.leftovers(dir) == 0, "temporaries left")
end)

lib.case("a FIFO at an output name: no hang, exit 1, for writing and for --check", function()
  local dir = fresh("fifo")
  os.remove(dir .. "/t_a.c")
  assert(os.execute("mkfifo " .. quote(dir .. "/t_a.c")))
  local code, out = lib.generate(new_spec, dir, nil, 20)
  assert(code == 1, "exit " .. code .. " (124: it blocked):\n" .. out)
  assert(out:find("t_a.c is a FIFO", 1, true), out)
  code, out = lib.generate(new_spec, dir, "--check", 20)
  assert(code == 1 and out:find("t_a.c is a FIFO", 1, true), "exit " .. code .. ":\n" .. out)
  assert_unchanged(dir, { ["t_a.c"] = true })
end)

lib.case("a symbolic link to /dev/zero at an output name: exit 1 in bounded memory", function()
  local dir = fresh("zero")
  os.remove(dir .. "/t_report.md")
  os.execute("ln -s /dev/zero " .. quote(dir .. "/t_report.md"))
  for _, mode in ipairs({ "", "--check" }) do
    -- 512 MB of address space is plenty for the generator and far too little to read /dev/zero into.
    local code, out = lib.run(string.format("ulimit -S -v 524288; timeout 20 lua5.4 %s %s %s -o %s",
      quote(lib.generator), mode, quote(new_spec), quote(dir)))
    assert(code == 1, (mode ~= "" and mode or "write") .. ": exit " .. code .. ":\n" .. out)
    assert(out:find("t_report.md is a symbolic link", 1, true), out)
  end
  assert_unchanged(dir, { ["t_report.md"] = true })
end)

lib.case("OUTDIR itself a FIFO or a regular file: exit 1 without blocking; --check names every file missing", function()
  local fifo, file = lib.tmp .. "/outdir_fifo", lib.tmp .. "/outdir_file"
  assert(os.execute("mkfifo " .. quote(fifo)))
  lib.write(file, "mine\n")
  for _, dir in ipairs({ fifo, file }) do
    local code, out = lib.generate(new_spec, dir, nil, 20)
    assert(code == 1 and out:find("cannot create output directory", 1, true), "exit " .. code .. ":\n" .. out)
    code, out = lib.generate(new_spec, dir, "--check", 20)
    assert(code == 1 and out:find("t_e.c: missing", 1, true), "--check: exit " .. code .. ":\n" .. out)
  end
  assert(lib.read(file) == "mine\n", "the file given as OUTDIR changed")
end)

lib.case("a write error (file size limit, SIGXFSZ ignored): exit 1, old set intact, no temporaries", function()
  local dir = fresh("write_error")
  local code, out = lib.run(string.format("trap '' XFSZ; ulimit -f 8; lua5.4 %s %s -o %s", quote(lib.generator),
    quote(new_spec), quote(dir)))
  assert(code == 1, "exit " .. code .. ":\n" .. out)
  assert(out:find("cannot write '", 1, true) and out:find("nothing was written", 1, true), out)
  assert_unchanged(dir)
  assert(#lib.leftovers(dir) == 0, "temporaries left: " .. table.concat(lib.leftovers(dir), " "))
end)

lib.case("killed while writing (ulimit -f): old set intact, the next run cleans up and completes", function()
  local dir = fresh("fsize")
  -- 8 blocks of 512 bytes: the first temporaries fit, a larger one kills the run with SIGXFSZ.
  local code = lib.run(string.format("ulimit -f 8; lua5.4 %s %s -o %s", quote(lib.generator), quote(new_spec),
    quote(dir)))
  assert(code ~= 0, "the run was not stopped by the file size limit")
  assert(#lib.leftovers(dir) > 0, "the killed run left no work directory (did it write at all?)")
  assert_unchanged(dir, (function()
    local t = {}
    for _, name in ipairs(lib.leftovers(dir)) do t[name] = true end
    return t
  end)())
  local out
  code, out = lib.generate(new_spec, dir)
  assert(code == 0, out)
  assert(#lib.leftovers(dir) == 0, "leftovers not cleaned: " .. table.concat(lib.leftovers(dir), " "))
  local diff = lib.differences(new_files, lib.snapshot(dir))
  assert(#diff == 0, "wrong final set: " .. table.concat(diff, ", "))
end)

-- Many layers, the new one first: its files are renamed first, so their appearance marks the
-- start of the renames, and about 80 renames follow.
local many_old, many_new = { }, { "e" }
for i = 1, 39 do
  many_old[i], many_new[i + 1] = "n" .. i, "n" .. i
end
many_old[#many_old + 1] = "d"
local MANY_OLD = lib.tmp .. "/many_ref_old"
local MANY_NEW = lib.tmp .. "/many_ref_new"
local many_old_spec = lib.write_spec(lib.tmp .. "/many_old.lua", many_old)
local many_new_spec = lib.write_spec(lib.tmp .. "/many_new.lua", many_new)
assert(lib.generate(many_old_spec, MANY_OLD) == 0 and lib.generate(many_new_spec, MANY_NEW) == 0)
local many_old_files, many_new_files = lib.snapshot(MANY_OLD), lib.snapshot(MANY_NEW)

local function manifest_names(dir)
  local names = {}
  for line in (lib.read(dir .. "/t_manifest.txt") or ""):gmatch("[^\n]+") do names[line] = true end
  return names
end

-- Kills the update of a copy of MANY_OLD to the new spec once `watch` (a shell test) holds, or
-- after `delay` seconds; checks what is left, reruns with rerun_spec and checks the final set.
local function kill_and_rerun(trial, how, rerun_spec, rerun_files)
  local dir = lib.tmp .. "/kill"
  os.execute("rm -rf " .. quote(dir) .. " && cp -a " .. quote(MANY_OLD) .. " " .. quote(dir))
  local wait = how.delay and string.format("sleep %.3f", how.delay)
    or string.format("while [ ! -e %s ] && kill -0 $pid 2>/dev/null; do :; done", quote(dir .. "/t_e.h"))
  lib.run(string.format("lua5.4 %s %s -o %s & pid=$!; %s; kill -KILL $pid 2>/dev/null; wait $pid",
    quote(lib.generator), quote(many_new_spec), quote(dir), wait))
  local now = lib.snapshot(dir)
  for _, name in ipairs(lib.leftovers(dir)) do now[name] = nil end
  local listed = manifest_names(dir)
  for name, text in pairs(now) do
    assert(text == many_old_files[name] or text == many_new_files[name] or name == "t_manifest.txt",
      string.format("trial %d: %s is neither the old nor the new file", trial, name))
    assert(listed[name] or name == "t_manifest.txt", string.format("trial %d: %s is not in the manifest", trial, name))
  end
  local mixed = #lib.differences(many_old_files, now) > 0 and #lib.differences(many_new_files, now) > 0
  local code, out = lib.generate(rerun_spec, dir, nil, 30)
  assert(code == 0, string.format("trial %d: the rerun failed (exit %d):\n%s", trial, code, out))
  assert(#lib.leftovers(dir) == 0, "trial " .. trial .. ": leftovers not cleaned")
  local diff = lib.differences(rerun_files, lib.snapshot(dir))
  assert(#diff == 0, "trial " .. trial .. ": wrong final set after the rerun: " .. table.concat(diff, ", "))
  return mixed
end

lib.case("SIGKILL in the middle of the renames: files complete and listed; a rerun of either spec is exact",
  function()
    -- 10 trials, and more (up to 30) until one kill has landed inside the renames: on a loaded
    -- machine the watcher may be scheduled out until they are over.
    local trials, mixed = 0, 0
    while trials < 10 or (mixed == 0 and trials < 30) do
      trials = trials + 1
      local odd = trials % 2 == 1
      if kill_and_rerun(trials, {}, odd and many_new_spec or many_old_spec, odd and many_new_files or many_old_files)
      then mixed = mixed + 1 end
    end
    print(string.format("        (%d of %d kills left a mixed old/new set)", mixed, trials))
    assert(mixed > 0, "no kill landed in the renames: the test did not test them")
  end)

lib.case("SIGKILL at times spread over a run: files complete, the rerun gives the exact new set", function()
  local _, timing = lib.run(string.format("s=$(date +%%s%%N); lua5.4 %s %s -o %s >/dev/null 2>&1; "
    .. "echo $(( $(date +%%s%%N) - s ))", quote(lib.generator), quote(many_new_spec), quote(lib.tmp .. "/timing")))
  local seconds = (tonumber(timing:match("(%d+)%s*$")) or 5e8) / 1e9
  local trials = 6
  for trial = 1, trials do
    kill_and_rerun(trial, { delay = seconds * 1.2 * (trial - 1) / (trials - 1) }, many_new_spec, many_new_files)
  end
  print(string.format("        (one run takes %.2f s)", seconds))
end)

lib.finish()

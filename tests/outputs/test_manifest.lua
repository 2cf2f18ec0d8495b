-- The manifest: removed layers leave no files, foreign files are never removed, --check names stale files.
-- Usage: lua5.4 tests/outputs/test_manifest.lua ROOT

package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local lib = require("lib")
lib.setup(arg[1])
local quote = lib.quote

local three = lib.write_spec(lib.tmp .. "/three.lua", { "a", "b", "c" })
local two = lib.write_spec(lib.tmp .. "/two.lua", { "a", "c" })

lib.case("the manifest lists every file written, and --list-files names it", function()
  local dir = lib.tmp .. "/list"
  assert(lib.generate(three, dir) == 0)
  local manifest = assert(lib.read(dir .. "/t_manifest.txt"), "no manifest")
  local listed = {}
  for line in manifest:gmatch("[^\n]+") do
    if not line:find("^#") then listed[line] = true end
  end
  for name in pairs(lib.snapshot(dir)) do
    if name ~= "t_manifest.txt" then assert(listed[name], name .. " written but not in the manifest") end
  end
  assert(lib.count(listed) == 9, "expected 9 names, got " .. lib.count(listed))
  local _, out = lib.run(string.format("lua5.4 %s --list-files %s -o %s", quote(lib.generator), quote(three),
    quote(dir)))
  assert(out:find(dir .. "/t_manifest.txt", 1, true), "--list-files does not name the manifest:\n" .. out)
end)

lib.case("removing a layer removes its .c and .h, and nothing else", function()
  local dir = lib.tmp .. "/remove"
  assert(lib.generate(three, dir) == 0)
  lib.write(dir .. "/notes.txt", "mine\n")
  lib.write(dir .. "/t_handwritten.c", "int mine;\n") -- the prefix, but never written by convgen
  lib.write(dir .. "/.hidden", "mine\n")
  local code, out = lib.generate(two, dir, "--check")
  assert(code == 1, "--check passed on a directory with stale files")
  assert(out:find("t_b.c: stale", 1, true) and out:find("t_b.h: stale", 1, true), "stale files not named:\n" .. out)
  assert(not out:find("notes.txt", 1, true) and not out:find("t_handwritten", 1, true), "foreign file named:\n" .. out)
  code, out = lib.generate(two, dir)
  assert(code == 0, out)
  local files = lib.snapshot(dir)
  assert(not files["t_b.c"] and not files["t_b.h"], "the removed layer's files are still there")
  assert(files["t_a.c"] and files["t_c.h"], "a kept layer's file is gone")
  assert(files["notes.txt"] == "mine\n" and files["t_handwritten.c"] == "int mine;\n" and files[".hidden"],
    "a foreign file was removed or changed")
  assert(not lib.read(dir .. "/t_manifest.txt"):find("t_b", 1, true), "the manifest still lists t_b")
  code, out = lib.generate(two, dir, "--check")
  assert(code == 0, "--check fails after the update:\n" .. out)
end)

lib.case("a hand-edited manifest cannot make convgen remove a file it does not write", function()
  local dir = lib.tmp .. "/edited"
  assert(lib.generate(three, dir) == 0)
  os.execute("mkdir -p " .. quote(lib.tmp .. "/outside"))
  lib.write(lib.tmp .. "/outside/victim.c", "keep\n")
  lib.write(dir .. "/other_x.c", "keep\n")
  lib.write(dir .. "/t_mine.c", "keep\n")
  local f = assert(io.open(dir .. "/t_manifest.txt", "ab"))
  f:write("../outside/victim.c\n", lib.tmp .. "/outside/victim.c\n", "other_x.c\n", "t_manifest.txt\n", ".\n",
    "..\n", "t_missing.c\n")
  f:close()
  os.execute("mkdir " .. quote(dir .. "/t_dirname.c") .. " && ln -s notes " .. quote(dir .. "/t_link.h"))
  f = assert(io.open(dir .. "/t_manifest.txt", "ab"))
  f:write("t_dirname.c\nt_link.h\n")
  f:close()
  local code, out = lib.generate(two, dir)
  assert(code == 0, out)
  assert(lib.read(lib.tmp .. "/outside/victim.c") == "keep\n", "a file outside OUTDIR was removed")
  assert(lib.read(dir .. "/other_x.c") == "keep\n", "a file of another prefix was removed")
  assert(lib.read(dir .. "/t_mine.c") == "keep\n", "a file the manifest never listed was removed")
  local entries = lib.list(dir)
  assert(entries["t_dirname.c"].kind == "d" and entries["t_link.h"].kind == "l", "a non-regular entry was removed")
  assert(out:find("t_dirname.c is a directory", 1, true), "no note on the directory left in place:\n" .. out)
  assert(not entries["t_b.c"], "the stale file listed by the manifest was kept")
end)

lib.case("two prefixes share one directory without removing each other's files", function()
  local dir = lib.tmp .. "/prefixes"
  assert(lib.generate(three, dir) == 0)
  assert(lib.generate(three, dir, "--prefix u_") == 0)
  assert(lib.generate(two, dir, "--prefix u_") == 0)
  local files = lib.snapshot(dir)
  assert(files["t_b.c"] and files["t_manifest.txt"], "prefix t_ lost a file to prefix u_'s update")
  assert(not files["u_b.c"] and files["u_a.c"], "prefix u_'s stale file stayed")
end)

lib.case("adding a layer back and forth keeps the set exact", function()
  local dir = lib.tmp .. "/flip"
  for _, spec in ipairs({ two, three, two, three }) do
    assert(lib.generate(spec, dir) == 0)
    local code, out = lib.generate(spec, dir, "--check")
    assert(code == 0, out)
  end
  assert(lib.count(lib.snapshot(dir)) == 10, "expected 3 layers, model.h, 2 reports and the manifest")
end)

lib.case("OUTDIR names with a newline, quotes, spaces, or a leading '-' work like any other", function()
  for _, name in ipairs({ "new\nline", "it's \"quoted\"", "with space", "-dash" }) do
    local code, out = lib.run(string.format("cd %s && lua5.4 %s %s -o %s && lua5.4 %s --check %s -o %s",
      quote(lib.tmp), quote(lib.generator), quote(two), quote(name), quote(lib.generator), quote(two), quote(name)))
    assert(code == 0, string.format("%q: %s", name, out))
    local files = lib.snapshot(lib.tmp .. "/" .. name)
    assert(lib.count(files) == 8 and files["t_manifest.txt"], string.format("%q: %d files", name, lib.count(files)))
    assert(#lib.leftovers(lib.tmp .. "/" .. name) == 0, string.format("%q: temporaries left", name))
  end
end)

lib.finish()

-- Tests of what the generator writes: identical bytes every run, unchanged files untouched, --check, --report.
-- Usage: lua5.4 tests/test_outputs.lua ROOT

local root = assert(arg[1], "usage: lua5.4 tests/test_outputs.lua ROOT")
do -- absolute, so output can be searched for it and commands can cd elsewhere
  local p = io.popen("cd '" .. root:gsub("'", "'\\''") .. "' && pwd")
  root = p:read("l")
  p:close()
end
local generator = root .. "/generator/convgen.lua"
local passed, failed = 0, 0

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function run(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok and 0 or code, out
end

local function generate(spec, outdir, extra)
  return run(string.format("lua5.4 %s %s %s -o %s", quote(generator), extra or "", quote(spec), quote(outdir)))
end

-- name -> content of every file in dir
local function snapshot(dir)
  local files = {}
  local p = io.popen("ls -A " .. quote(dir))
  for name in p:lines() do
    local f = assert(io.open(dir .. "/" .. name, "rb"))
    files[name] = f:read("a")
    f:close()
  end
  p:close()
  return files
end

-- name -> modification time in nanoseconds
local function mtimes(dir)
  local times = {}
  local p = io.popen("stat -c '%n %.9Y' " .. quote(dir) .. "/*")
  for line in p:lines() do
    local path, t = line:match("^(.*) (%S+)$")
    times[path:match("([^/]+)$")] = t
  end
  p:close()
  return times
end

local function case(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
    print("ok      " .. name)
  else
    failed = failed + 1
    print("FAILED  " .. name .. ": " .. tostring(err))
  end
end

-- Layers of the curated spec, from the report (two files each, plus the model header).
local function curated_layer_count(spec)
  local _, out = run(string.format("lua5.4 %s --report %s", quote(generator), quote(spec)))
  local count = 0
  for line in out:gmatch("[^\n]+") do
    if line:find("^cur_") then count = count + 1 end
  end
  return count
end

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. quote(tmp)))
local curated = root .. "/tests/specs/curated.lua"

case("the same spec gives the same bytes, from any directory and spec path", function()
  local a, b = tmp .. "/a", tmp .. "/b"
  assert(generate(curated, a) == 0)
  local code = run(string.format("cd %s && lua5.4 %s ../%s -o %s", quote(root .. "/tests/specs"),
    quote(generator), "specs/curated.lua", quote(b)))
  assert(code == 0, "second run failed")
  local sa, sb = snapshot(a), snapshot(b)
  local count = 0
  for name, text in pairs(sa) do
    count = count + 1
    assert(sb[name] == text, name .. " differs between runs")
  end
  for name in pairs(sb) do assert(sa[name], name .. " only in the second run") end
  local expected = curated_layer_count(curated) * 2 + 4 -- + model header, report.md, report.json, manifest
  assert(count == expected and count > 100, string.format("expected %d files, got %d", expected, count))
end)

case("no timestamps, absolute paths or temporaries in the output", function()
  for name, text in pairs(snapshot(tmp .. "/a")) do
    assert(not name:find("tmp"), "temporary left behind: " .. name)
    assert(not text:find(tmp, 1, true), name .. " contains the output path")
    assert(not text:find(root, 1, true), name .. " contains the source path")
    assert(not text:find("20%d%d%-%d%d%-%d%d"), name .. " contains a date")
  end
end)

case("a second run leaves unchanged files untouched", function()
  local dir = tmp .. "/a"
  local before = mtimes(dir)
  assert(generate(curated, dir) == 0)
  local after = mtimes(dir)
  for name, t in pairs(before) do assert(after[name] == t, name .. " was rewritten") end
end)

case("only the file whose content changed is rewritten", function()
  local dir = tmp .. "/a"
  local victim = dir .. "/cur_s1_pad1_nchw_f32.c"
  local f = assert(io.open(victim, "ab"))
  f:write("/* edited by hand */\n")
  f:close()
  local before = mtimes(dir)
  assert(generate(curated, dir) == 0)
  local after = mtimes(dir)
  for name, t in pairs(before) do
    if name == "cur_s1_pad1_nchw_f32.c" then
      assert(after[name] ~= t, "the edited file was not regenerated")
    else
      assert(after[name] == t, name .. " was rewritten")
    end
  end
  assert(not snapshot(dir)["cur_s1_pad1_nchw_f32.c"]:find("edited by hand"))
end)

case("--check passes on fresh output and names a stale file", function()
  local dir = tmp .. "/a"
  local code = generate(curated, dir, "--check")
  assert(code == 0, "--check failed on fresh output")
  os.remove(dir .. "/cur_h1_nhwc_f64.h")
  local out
  code, out = generate(curated, dir, "--check")
  assert(code == 1, "--check should fail, exit " .. tostring(code))
  assert(out:find("cur_h1_nhwc_f64.h", 1, true), "stale file not named: " .. out)
  assert(not snapshot(dir)["cur_h1_nhwc_f64.h"], "--check wrote a file")
end)

case("--report prints one line per layer and writes nothing", function()
  local code, out = run(string.format("lua5.4 %s --report %s", quote(generator), quote(curated)))
  assert(code == 0, out)
  local lines, names = 0, 0
  for line in out:gmatch("[^\n]+") do
    if line:find("^cur_") then lines = lines + 1 end
  end
  for name in pairs(snapshot(tmp .. "/a")) do
    if name:find("%.c$") then names = names + 1 end
  end
  assert(lines == names, string.format("%d layer lines for %d generated layers", lines, names))
  assert(out:find("peak workspace"), "no totals line")
end)

case("--unroll overrides the spec in the generated code", function()
  local full, loops = tmp .. "/full", tmp .. "/loops"
  local spec = tmp .. "/small.lua" -- small enough for full unrolling of every layer
  local f = assert(io.open(spec, "w"))
  f:write("return { prefix = 'seed_', layers = { { op = 'conv2d', name = 'a_f32', ",
    "input = { n = 1, c = 2, h = 5, w = 5 }, filters = 2, kernel = 3, padding = 1 } } }\n")
  f:close()
  assert(generate(spec, full, "--unroll full") == 0)
  assert(generate(spec, loops, "--unroll loops") == 0)
  local l
  f, l = snapshot(full)["seed_a_f32.c"], snapshot(loops)["seed_a_f32.c"]
  assert(not f:match("void seed_a_f32_im2col.-\n}"):find("for %("), "full unrolling left a loop in im2col")
  assert(l:match("void seed_a_f32_im2col.-\n}"):find("for %("), "loops mode has no loop")
end)

case("usage errors exit 2 and name the problem", function()
  local code, out = run(string.format("lua5.4 %s --unroll sometimes %s -o %s", quote(generator),
    quote(curated), quote(tmp .. "/x")))
  assert(code == 2 and out:find("--unroll"), out)
  code, out = run(string.format("lua5.4 %s %s", quote(generator), quote(curated)))
  assert(code == 2 and out:find("-o OUTDIR", 1, true), out)
  code, out = run(string.format("lua5.4 %s --help", quote(generator)))
  assert(code == 0 and out:find("usage:"), out)
end)

os.execute("rm -rf " .. quote(tmp))
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)

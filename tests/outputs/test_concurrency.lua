-- Two generator runs on one OUTDIR at once (the default and --no-simd, as two build targets may do):
-- afterwards every file is complete and the whole set is one run's output, with no temporaries left.
-- Usage: lua5.4 tests/outputs/test_concurrency.lua ROOT [TRIALS] (default 50, and 20 for the second race)

package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local lib = require("lib")
lib.setup(arg[1])
local quote = lib.quote
local TRIALS = tonumber(arg[2])

local names = {}
for i = 1, 12 do names[i] = "l" .. i end
local spec = lib.write_spec(lib.tmp .. "/spec.lua", names)
local fewer = lib.write_spec(lib.tmp .. "/fewer.lua", { "l1", "l2", "l3", "x" })

local refs = {
  { label = "default", args = "", spec = spec },
  { label = "--no-simd", args = "--no-simd", spec = spec },
  { label = "fewer layers", args = "", spec = fewer },
}
for i, r in ipairs(refs) do
  local dir = lib.tmp .. "/ref" .. i
  local code, out = lib.generate(r.spec, dir, r.args)
  assert(code == 0, out)
  r.files = lib.snapshot(dir)
end

-- The reference the set equals, or nil.
local function which(files)
  for _, r in ipairs(refs) do
    if #lib.differences(r.files, files) == 0 then return r end
  end
end

-- Both runs start together on dir; returns their exit codes and output.
local function race(dir, a, b)
  local one = "(timeout 120 lua5.4 %s %s %s -o %s > %s 2>&1; echo $? > %s) &"
  local cmd = string.format(one .. " " .. one .. " wait",
    quote(lib.generator), a.args, quote(a.spec), quote(dir), quote(lib.tmp .. "/a.log"), quote(lib.tmp .. "/a.code"),
    quote(lib.generator), b.args, quote(b.spec), quote(dir), quote(lib.tmp .. "/b.log"), quote(lib.tmp .. "/b.code"))
  lib.run(cmd)
  return tonumber(lib.read(lib.tmp .. "/a.code")), tonumber(lib.read(lib.tmp .. "/b.code")),
    lib.read(lib.tmp .. "/a.log") .. lib.read(lib.tmp .. "/b.log")
end

lib.case("the default and --no-simd outputs differ (or the race below proves nothing)", function()
  local diff = lib.differences(refs[1].files, refs[2].files)
  assert(#diff >= 12, "only " .. #diff .. " files differ")
end)

lib.case("a run waits while another holds the lock on OUTDIR, says so, then writes", function()
  local dir = lib.tmp .. "/held"
  os.execute("mkdir -p " .. quote(dir))
  -- The holder signals once it has the lock; when convgen is done, the holder must be gone.
  local held = lib.tmp .. "/held.marker"
  local code, out = lib.run(string.format("flock -x %s sh -c 'touch \"$0\"; sleep 4' %s & holder=$!; "
    .. "while [ ! -e %s ]; do sleep 0.05; done; lua5.4 %s %s -o %s; c=$?; "
    .. "if kill -0 $holder 2>/dev/null; then echo holder still running; fi; wait; exit $c",
    quote(dir), quote(held), quote(held), quote(lib.generator), quote(spec), quote(dir)))
  assert(code == 0, out)
  assert(out:find("waiting for another convgen run", 1, true), "no waiting message:\n" .. out)
  assert(not out:find("holder still running", 1, true), "it wrote while another held the lock")
  assert(which(lib.snapshot(dir)) == refs[1], "wrong set after waiting")
end)

lib.case("--check waits for a writer's lock too, and two --check runs share it", function()
  local dir = lib.tmp .. "/checked"
  assert(lib.generate(spec, dir) == 0)
  local held = lib.tmp .. "/checked.marker"
  local check = string.format("lua5.4 %s --check %s -o %s", quote(lib.generator), quote(spec), quote(dir))
  local code, out = lib.run(string.format("flock -x %s sh -c 'touch \"$0\"; sleep 3' %s & holder=$!; "
    .. "while [ ! -e %s ]; do sleep 0.05; done; %s; c=$?; "
    .. "if kill -0 $holder 2>/dev/null; then echo holder still running; fi; wait; exit $c",
    quote(dir), quote(held), quote(held), check))
  assert(code == 0, out)
  assert(out:find("waiting for another convgen run", 1, true), "no waiting message:\n" .. out)
  assert(not out:find("holder still running", 1, true), "--check read while a writer held the lock")
  code, out = lib.run(string.format("flock -s %s sh -c 'sleep 3' & sleep 0.5; %s; c=$?; wait; exit $c", quote(dir),
    check))
  assert(code == 0 and not out:find("waiting", 1, true), "--check waited for a shared holder:\n" .. out)
end)

lib.case("without flock(1) a run warns that it is not serialized and still writes the complete set", function()
  local bin, dir = lib.tmp .. "/bin", lib.tmp .. "/noflock"
  -- a PATH holding every tool the generator uses except flock
  local code, out = lib.run(string.format("mkdir -p %s && for t in sh mktemp mkfifo cat find mkdir rm kill lua5.4; do "
    .. "p=$(command -v $t) && case $p in /*) ln -sf \"$p\" %s/$t ;; esac; done", quote(bin), quote(bin)))
  assert(code == 0, out)
  code, out = lib.run(string.format("PATH=%s lua5.4 %s %s -o %s", quote(bin), quote(lib.generator), quote(spec),
    quote(dir)))
  assert(code == 0, out)
  assert(out:find("flock(1) not found", 1, true), "no warning:\n" .. out)
  assert(which(lib.snapshot(dir)) == refs[1], "wrong set")
  assert(#lib.leftovers(dir) == 0, "temporaries left")
end)

local function trials(count, label, pair_for)
  lib.case(string.format("%d trials: %s", count, label), function()
    local dir = lib.tmp .. "/out"
    local wins = {}
    for trial = 1, count do
      -- Odd trials start from nothing, even ones update the previous trial's set.
      if trial % 2 == 1 then os.execute("rm -rf " .. quote(dir)) end
      local a, b = pair_for(trial)
      local code_a, code_b, out = race(dir, a, b)
      assert(code_a == 0 and code_b == 0, string.format("trial %d: exit %s and %s:\n%s", trial, tostring(code_a),
        tostring(code_b), out))
      local files = lib.snapshot(dir)
      local winner = which(files)
      if not winner then
        local mixed = {}
        for name, text in pairs(files) do
          local ok = false
          for _, r in ipairs(refs) do ok = ok or r.files[name] == text end
          if not ok then mixed[#mixed + 1] = name .. " (incomplete)" end
        end
        error(string.format("trial %d: the set is no one run's output (%d files; %s)", trial, lib.count(files),
          table.concat(mixed, ", ")))
      end
      assert(#lib.leftovers(dir) == 0, "trial " .. trial .. ": temporaries left")
      wins[winner.label] = (wins[winner.label] or 0) + 1
    end
    local summary = {}
    for label_, n in pairs(wins) do summary[#summary + 1] = label_ .. " " .. n end
    table.sort(summary)
    print("        (final sets: " .. table.concat(summary, ", ") .. ")")
  end)
end

trials(TRIALS or 50, "default and --no-simd at once", function(trial)
  if trial % 4 < 2 then return refs[1], refs[2] end
  return refs[2], refs[1]
end)

trials(TRIALS or 10, "a spec and the same spec with most layers removed, at once", function(trial)
  if trial % 4 < 2 then return refs[1], refs[3] end
  return refs[3], refs[1]
end)

lib.finish()

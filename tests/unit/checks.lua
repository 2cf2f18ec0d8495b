-- Check collectors for the unit tests that make many small checks: failures are gathered, then reported as one case.
local checks = { failures = {}, count = 0 }

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function checks.eq(got, want, what)
  checks.count = checks.count + 1
  if got ~= want then
    checks.failures[#checks.failures + 1] = string.format("%s: got %s, want %s", what, show(got), show(want))
  end
end

function checks.ok(cond, what)
  checks.eq(not not cond, true, what)
end

-- Calls fn and expects an error whose text contains `pattern` (plain).
function checks.raises(fn, pattern, what)
  local ok, err = pcall(fn)
  checks.count = checks.count + 1
  if ok or not tostring(err):find(pattern, 1, true) then
    checks.failures[#checks.failures + 1] = string.format("%s: want an error containing %q, got %s", what, pattern,
      ok and "no error" or show(tostring(err)))
  end
end

-- One unit case for everything checked so far (the first 20 failures named).
function checks.report(unit, name)
  unit.case(string.format("%s (%d checks)", name, checks.count), function()
    if #checks.failures > 0 then
      error(#checks.failures .. " failed:\n  " .. table.concat(checks.failures, "\n  ", 1,
        math.min(20, #checks.failures)), 0)
    end
  end)
  checks.failures, checks.count = {}, 0
end

return checks

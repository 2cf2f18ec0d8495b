-- Minimal runner shared by the Lua unit tests: named cases, checks that name the failing test line, an exit status.
local unit = {}

local passed, failed = 0, 0

-- Runs one case; a failing check or any error marks it FAIL and the run goes on.
function unit.case(name, body)
  local ok, problem = pcall(body)
  if ok then
    passed = passed + 1
    print("ok    " .. name)
  else
    failed = failed + 1
    print("FAIL  " .. name .. ": " .. tostring(problem))
  end
end

-- Level 2 makes the message point at the test line that made the failing check.
function unit.check(condition, message, ...)
  if not condition then error(string.format(message, ...), 2) end
end

function unit.equal(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what, tostring(expected), tostring(actual)), 2)
  end
end

-- Calls fn and returns the error message it raised; fails the case when it raised none.
function unit.raises(fn, what)
  local ok, message = pcall(fn)
  if ok then error(what .. ": expected an error, got none", 2) end
  return tostring(message)
end

-- Prints the tally and exits 1 when any case failed (ctest reads the status).
function unit.finish()
  print(string.format("%d passed, %d failed", passed, failed))
  os.exit(failed == 0 and 0 or 1)
end

-- Points require() at the repository given as the script's first argument.
function unit.root()
  local root = arg[1]
  if not root then
    io.stderr:write("usage: lua5.4 " .. arg[0] .. " ROOT   (ROOT = repository root)\n")
    os.exit(2)
  end
  package.path = root .. "/?.lua;" .. root .. "/tests/unit/?.lua;" .. package.path
  return root
end

return unit

-- Bounds the generator's own work on one spec (planning, emission) in Lua VM instructions and heap size.
--
-- Counting instructions rather than seconds keeps the verdict the same on every machine
-- and under any load for nearly every spec; the CPU-time backstop (the process's own
-- os.clock) only matters for work done inside C functions. A budget is per run (one CLI
-- invocation), shared by every call to work_limit.run.
local limits = require("generator.spec_limits")

local work_limit = {}

local STEP = 10000

-- The instruction and CPU-second limits of a spec of `layers` layers (the base plus a share per layer).
function work_limit.limits(layers)
  layers = math.max(layers or 1, 1)
  return limits.generator_instructions + limits.generator_instructions_per_layer * (layers - 1),
    limits.generator_cpu_seconds + limits.generator_cpu_seconds_per_layer * (layers - 1)
end

-- A fresh budget for a spec of options.layers layers:
-- { instructions = remaining, memory_kb = cap, cpu_deadline = os.clock() value }.
function work_limit.new(options)
  options = options or {}
  local instructions, cpu_seconds = work_limit.limits(options.layers)
  return {
    instructions = options.instructions or instructions,
    memory_kb = options.memory_kb or limits.generator_memory_kb,
    cpu_deadline = options.cpu_seconds or cpu_seconds,
  }
end

-- Runs fn(...) charging its instructions to `budget`. Returns true, results... or
-- false, "instructions" | "cpu" | "memory"; any other error is re-raised.
function work_limit.run(budget, fn, ...)
  local function hook()
    budget.instructions = budget.instructions - STEP
    if budget.instructions < 0 then
      error({ work_limit = "instructions" }, 0)
    end
    if os.clock() > budget.cpu_deadline then
      error({ work_limit = "cpu" }, 0)
    end
    if collectgarbage("count") > budget.memory_kb then
      collectgarbage("collect")
      if collectgarbage("count") > budget.memory_kb then
        error({ work_limit = "memory" }, 0)
      end
    end
  end
  -- Keep the traceback of where an ordinary error happened: it is re-raised from here.
  local function handler(problem)
    if type(problem) == "table" and problem.work_limit then
      return problem
    end
    return debug.traceback(tostring(problem), 2)
  end
  local saved = table.pack(debug.gethook())
  debug.sethook(hook, "", STEP)
  local results = table.pack(xpcall(fn, handler, ...))
  debug.sethook(table.unpack(saved, 1, saved.n))
  if not results[1] and type(results[2]) == "table" and results[2].work_limit then
    collectgarbage("collect")
    return false, results[2].work_limit
  end
  if not results[1] then
    error(results[2], 0)
  end
  return true, table.unpack(results, 2, results.n)
end

-- The one-line reason a limit gives, for "FILE:LINE: layer 'x': ..." messages (layers: the spec's count).
function work_limit.describe(which, layers)
  local instructions, cpu_seconds = work_limit.limits(layers)
  if which == "instructions" then
    return string.format("generating the C code takes more than %g million Lua instructions "
      .. "(the generator's work limit for %d layer%s; see docs/spec.md, 'Limits')", instructions / 1000000,
      layers or 1, (layers or 1) == 1 and "" or "s")
  end
  if which == "cpu" then
    return string.format("generating the C code takes more than %g s of CPU time "
      .. "(the generator's time limit for %d layer%s; see docs/spec.md, 'Limits')", cpu_seconds,
      layers or 1, (layers or 1) == 1 and "" or "s")
  end
  return string.format("generating the C code needs more than %d MB of memory "
    .. "(the generator's memory limit; see docs/spec.md, 'Limits')", limits.generator_memory_kb // 1024)
end

return work_limit

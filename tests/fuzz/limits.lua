-- Resource test of the generator on hostile specs: every run under 10 s of CPU and 1 GB, refusals in FILE:LINE form.
-- Usage: lua5.4 tests/fuzz/limits.lua ROOT RUSAGE   (RUSAGE = the convgen_rusage wrapper built from rusage.c)

local ROOT, RUSAGE = arg[1], arg[2]
if not ROOT or not RUSAGE then
  io.stderr:write("usage: lua5.4 tests/fuzz/limits.lua ROOT RUSAGE\n")
  os.exit(2)
end
package.path = ROOT .. "/?.lua;" .. ROOT .. "/tests/fuzz/?.lua;" .. package.path

local cli = require("cli_run")
local limits = require("generator.spec_limits")

local MAX_CPU_SECONDS = 10
local MAX_RSS_KB = 1024 * 1024

local passed, failed = 0, 0

local function write(path, text)
  local file = assert(io.open(path, "wb"))
  file:write(text)
  file:close()
end

-- The generated hostile specs (each about 1 MB or built to stress one stage).
local function layer_text(i, extra)
  return string.format('{ name = "l%d", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3, padding = 1%s },',
    i, extra or "")
end

local function fill_to(parts, bytes, make)
  local size, i = 0, 0
  while size < bytes do
    i = i + 1
    local text = make(i)
    parts[#parts + 1] = text
    size = size + #text + 1
  end
  return parts
end

local GENERATED = {
  { "one_line_1mb.lua", function()
    local parts = fill_to({ "return { layers = {" }, 1000000, layer_text)
    parts[#parts + 1] = "} }"
    return table.concat(parts, " ")
  end },
  { "tokens_1mb.lua", function() return string.rep("a ", 500000) end },
  { "string_1mb.lua", function() return 'return { prefix = "' .. string.rep("p", 1000000) .. '", layers = {} }' end },
  { "comment_1mb.lua", function()
    return "--[[" .. string.rep("c", 1000000) .. "]]\nreturn { layers = {\n" .. layer_text(1) .. "\n} }\n"
  end },
  { "nesting_1mb.lua", function() return "return " .. string.rep("{", 500000) .. string.rep("}", 500000) end },
  { "max_layers_medium.lua", function()
    local parts = { "return { layers = {" }
    for i = 1, limits.max_layers do
      parts[#parts + 1] = string.format(
        '{ name = "l%d", layout = "%s", input = { c = 64, h = 56, w = 56 }, filters = 64, kernel = 3, padding = 1 },',
        i, i % 2 == 0 and "NHWC" or "NCHW")
    end
    parts[#parts + 1] = "} }"
    return table.concat(parts, "\n")
  end },
  { "planner_heavy.lua", function()
    return 'return { layers = { { name = "wide", layout = "NHWC", input = { c = 1, h = 64, w = 64 }, filters = 1, '
      .. "kernel = 32, padding = 16 } } }"
  end },
  { "max_limits.lua", function()
    return "return { layers = {\n" .. table.concat({
      '{ name = "taps", input = { c = 1, h = 256, w = 256 }, filters = 1, kernel = 256, padding = 64 },',
      '{ name = "stride", input = { c = 1, h = 8, w = 65536 }, filters = 1, kernel = 1, stride = 65536 },',
      '{ name = "dil", layout = "NHWC", input = { c = 1, h = 4, w = 65536 }, filters = 1, kernel = { 1, 2 }, '
        .. "dilation = 65535 },",
      '{ name = "pad", layout = "NHWC", input = { c = 1, h = 3, w = 3 }, filters = 1, kernel = 3, padding = 66 },',
    }, "\n") .. "\n} }\n"
  end },
}

local function one_case(spec_path, workdir)
  local outdir = workdir .. "/out"
  local run = cli.run_measured(RUSAGE, spec_path, outdir, workdir)
  local problems = {}
  if run.status ~= 0 and run.status ~= 1 then
    problems[#problems + 1] = "exit status " .. run.status
  end
  if run.cpu > MAX_CPU_SECONDS then
    problems[#problems + 1] = string.format("%.1f s of CPU", run.cpu)
  end
  if run.rss_kb > MAX_RSS_KB then
    problems[#problems + 1] = string.format("%d MB peak memory", run.rss_kb // 1024)
  end
  if run.status == 1 then
    for _, problem in ipairs(cli.check_error_lines(run.stderr, spec_path)) do
      problems[#problems + 1] = problem
    end
    if cli.exists(outdir) then
      problems[#problems + 1] = "OUTDIR was created on error"
    end
  end
  os.execute("rm -rf " .. cli.quote(outdir))
  return run, problems
end

local function report(name, run, problems)
  local summary = string.format("%-34s status %d, %5.2f s CPU, %4d MB", name, run.status, run.cpu, run.rss_kb // 1024)
  if #problems == 0 then
    passed = passed + 1
    print("ok    " .. summary .. (run.stderr[1] and ("  " .. run.stderr[1]:sub(1, 110)) or ""))
  else
    failed = failed + 1
    print("FAIL  " .. summary .. ": " .. table.concat(problems, "; "))
    for index = 1, math.min(#run.stderr, 3) do
      print("      " .. run.stderr[index]:sub(1, 200))
    end
  end
end

cli.with_temp_dir(function(workdir)
  local bad_dir = ROOT .. "/tests/specs/bad/"
  for _, name in ipairs(cli.list_dir(bad_dir)) do
    if name:match("%.lua$") then
      local run, problems = one_case(bad_dir .. name, workdir)
      if run.status ~= 1 then
        problems[#problems + 1] = "a bad spec must be refused"
      end
      report(name, run, problems)
    end
  end
  for _, generated in ipairs(GENERATED) do
    local path = workdir .. "/" .. generated[1]
    write(path, generated[2]())
    local run, problems = one_case(path, workdir)
    report(generated[1], run, problems)
  end
end)

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)

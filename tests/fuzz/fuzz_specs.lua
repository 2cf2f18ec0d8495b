-- Seeded spec fuzzer (issue 8 section 6): mutated specs; no crash, FILE:LINE errors, bounded runs, UBSan-clean C.
-- Usage: lua5.4 tests/fuzz/fuzz_specs.lua ROOT RUSAGE [COUNT]
-- CONVGEN_FUZZ_SEED=N replays a run (the seed is printed first); CC picks the compiler (default cc).
--
-- Every spec is loaded (sandbox and plain-data copy, without the child process), validated,
-- planned and emitted in-process as the CLI does (a Lua error there is an internal error);
-- every CLI_EVERY-th one also runs through the real
-- CLI under the rusage wrapper (exit status, stderr, OUTDIR, CPU and memory); the first
-- UBSAN_SAMPLES accepted CLI runs are compiled with -Werror and -fsanitize=undefined
-- against runtime/ and the layer harness, and run.

local ROOT, RUSAGE = arg[1], arg[2]
if not ROOT or not RUSAGE then
  io.stderr:write("usage: lua5.4 tests/fuzz/fuzz_specs.lua ROOT RUSAGE [COUNT]\n")
  os.exit(2)
end
package.path = ROOT .. "/?.lua;" .. ROOT .. "/tests/fuzz/?.lua;" .. package.path

local spec = require("generator.spec")
local plan = require("generator.plan")
local emit = require("generator.emit")
local work_limit = require("generator.work_limit")
local mutate = require("mutate")
local cli = require("cli_run")

local COUNT = tonumber(arg[3]) or 2000
local CLI_EVERY = 50
local UBSAN_SAMPLES = 4
local MAX_CPU_SECONDS = 10
local MAX_RSS_KB = 1024 * 1024
local CC = os.getenv("CC") or "cc"

local seed = tonumber(os.getenv("CONVGEN_FUZZ_SEED")) or os.time()
print(string.format("spec fuzzer: seed %d (CONVGEN_FUZZ_SEED=%d replays this run), %d specs", seed, seed, COUNT))
math.randomseed(seed)

local failures = {}
local stats = { accepted = 0, refused = 0, work_limit = 0, cli = 0, ubsan = 0 }

local function fail(index, text, problem)
  failures[#failures + 1] = string.format("spec %d: %s", index, problem)
  if #failures <= 5 then
    print(string.format("FAIL  spec %d: %s\n----- spec text (first 1500 bytes):\n%s\n-----", index, problem,
      text:sub(1, 1500)))
  end
end

local function write(path, text)
  local file = assert(io.open(path, "wb"))
  file:write(text)
  file:close()
end

local function check_lines(errors, path)
  for _, message in ipairs(errors) do
    local rest = message:sub(1, #path + 1) == path .. ":" and message:sub(#path + 2)
    if not (rest and rest:match("^%d+: %S")) or message:find("[\r\n]") then
      return "error not in FILE:LINE: form: " .. message:sub(1, 200)
    end
  end
  return nil
end

-- The CLI's pipeline in-process. Returns "accepted" | "refused" | "work_limit", model
-- or nil and a problem.
local function run_in_process(path)
  local model, errors = spec.load(path, nil, { in_process = true })
  if not model then
    if #errors == 0 then
      return nil, "refused without a message"
    end
    local problem = check_lines(errors, path)
    if problem then
      return nil, problem
    end
    return "refused"
  end
  -- An eighth of the CLI's instruction budget: specs past it are counted, not planned to the end.
  local budget = work_limit.new({ instructions = 5 * 1000000 })
  budget.cpu_deadline = os.clock() + 6
  local plans = {}
  for index, layer in ipairs(model.layers) do
    local ok, planned, problem = work_limit.run(budget, plan.layer, layer, {})
    if not ok then
      return "work_limit"
    end
    if not planned then
      -- The planner may refuse a layer past a hard limit of the generated code.
      if type(problem) ~= "string" then
        return nil, "plan.layer returned nothing and no reason"
      end
      return "refused"
    end
    plans[index] = planned
  end
  local ok = work_limit.run(budget, emit.model, ROOT .. "/templates", model, plans, "fz.lua")
  return ok and "accepted" or "work_limit", model
end

---------------------------------------------------------------------------
-- UBSan: the generated C compiled warning-free and run through the layer harness
---------------------------------------------------------------------------

local function sh(command)
  local ok = os.execute(command)
  return ok == true
end

local SAN = "-std=c99 -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined -Wall -Wextra -Wpedantic -Werror "
  .. "-DCONVGEN_PORTABLE_GEMM"

local function build_support(workdir)
  local objects = workdir .. "/obj"
  local commands = { "mkdir -p " .. cli.quote(objects) }
  local listing = assert(io.popen("ls " .. cli.quote(ROOT .. "/runtime") .. "/*.c " .. cli.quote(ROOT ..
    "/tests/harness/harness_util.c")))
  for source in listing:lines() do
    local object = objects .. "/" .. source:match("([^/]+)%.c$") .. ".o"
    commands[#commands + 1] = string.format("%s %s -I%s -I%s $(pkg-config --cflags check) -c %s -o %s", CC, SAN,
      cli.quote(ROOT .. "/runtime"), cli.quote(ROOT .. "/tests/harness"), cli.quote(source), cli.quote(object))
  end
  listing:close()
  return sh(table.concat(commands, " && ")), objects
end

local function ubsan_check(index, text, outdir, prefix, workdir, objects)
  local upper = prefix:upper()
  local defines = {}
  for _, list in ipairs({ "LAYERS_F32", "LAYERS_F64", "BACKWARD_F32", "BACKWARD_F64", "TRANSPOSE_F32",
                          "TRANSPOSE_F64" }) do
    defines[#defines + 1] = string.format("-DCG_TEST_%s=%sMODEL_%s", list, upper, list)
  end
  local exe = workdir .. "/ubsan_check"
  local log = workdir .. "/ubsan.log"
  local compile = string.format("%s %s -I%s -I%s -I%s '-DCG_TEST_MODEL_HEADER=\"%smodel.h\"' %s %s %s/*.c %s/*.o "
    .. "$(pkg-config --libs check) -lm -o %s >%s 2>&1", CC, SAN, cli.quote(outdir), cli.quote(ROOT .. "/runtime"),
    cli.quote(ROOT .. "/tests/harness"), prefix, table.concat(defines, " "),
    cli.quote(ROOT .. "/tests/harness/harness_main.c"), cli.quote(outdir), cli.quote(objects), cli.quote(exe),
    cli.quote(log))
  if not sh(compile) then
    fail(index, text, "generated C does not compile warning-free under UBSan:\n" .. table.concat(cli.read_lines(log),
      "\n"):sub(1, 2000))
    return
  end
  if not sh(string.format("UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 timeout 300 %s >%s 2>&1",
    cli.quote(exe), cli.quote(log))) then
    fail(index, text, "layer harness failed under UBSan:\n" .. table.concat(cli.read_lines(log), "\n"):sub(-2000))
    return
  end
  stats.ubsan = stats.ubsan + 1
end

---------------------------------------------------------------------------
-- The CLI, measured
---------------------------------------------------------------------------

local function run_cli(index, text, path, workdir, verdict)
  local outdir = workdir .. "/out"
  os.execute("rm -rf " .. cli.quote(outdir))
  local run = cli.run_measured(RUSAGE, path, outdir, workdir)
  stats.cli = stats.cli + 1
  if run.status ~= 0 and run.status ~= 1 then
    fail(index, text, "CLI exit status " .. run.status .. ": " .. (run.stderr[#run.stderr] or ""):sub(1, 300))
  elseif run.cpu > MAX_CPU_SECONDS or run.rss_kb > MAX_RSS_KB then
    fail(index, text, string.format("CLI used %.1f s of CPU and %d MB", run.cpu, run.rss_kb // 1024))
  elseif run.status == 1 then
    local problems = cli.check_error_lines(run.stderr, path)
    if problems[1] then
      fail(index, text, "CLI: " .. problems[1])
    elseif cli.exists(outdir) then
      fail(index, text, "CLI refused the spec but created OUTDIR")
    elseif verdict == "accepted" then
      fail(index, text, "CLI refused a spec the front end accepted: " .. run.stderr[1])
    end
  elseif verdict == "refused" then
    fail(index, text, "CLI accepted a spec the front end refused")
  end
  return run.status == 0 and outdir or nil
end

---------------------------------------------------------------------------

local started = os.clock()
cli.with_temp_dir(function(workdir)
  local support_ok, objects = build_support(workdir)
  if not support_ok then
    failures[#failures + 1] = "runtime/ or the harness does not compile under UBSan with -Werror"
    return
  end
  local path = workdir .. "/fz.lua"
  for index = 1, COUNT do
    local rounds = math.random() < 0.25 and 0 or math.random(1, 3)
    local text = mutate.source(mutate.spec(rounds))
    if math.random() < 0.08 then
      text = mutate.damage(text)
    end
    write(path, text)
    local spec_started = os.clock()
    local ok, verdict, detail = pcall(run_in_process, path)
    if not ok then
      fail(index, text, "internal error: " .. tostring(verdict):sub(1, 300))
    elseif not verdict then
      fail(index, text, detail)
    else
      stats[verdict] = stats[verdict] + 1
      if os.clock() - spec_started > MAX_CPU_SECONDS then
        fail(index, text, string.format("took %.1f s in-process", os.clock() - spec_started))
      end
      local sample = verdict == "accepted" and stats.ubsan < UBSAN_SAMPLES
      if index % CLI_EVERY == 0 or sample then
        local outdir = run_cli(index, text, path, workdir, verdict)
        if outdir and sample then
          ubsan_check(index, text, outdir, detail.prefix, workdir, objects)
        end
      end
    end
  end
end)

print(string.format("%d specs in %.0f s of CPU: %d accepted, %d refused, %d past the work limit; %d through the "
  .. "CLI; %d compiled and run under UBSan", COUNT, os.clock() - started, stats.accepted, stats.refused,
  stats.work_limit, stats.cli, stats.ubsan))
if stats.ubsan < UBSAN_SAMPLES and #failures == 0 then
  failures[#failures + 1] = string.format("only %d accepted specs were compiled under UBSan (want %d)", stats.ubsan,
    UBSAN_SAMPLES)
end
print(string.format("%d failures (seed %d)", #failures, seed))
for index = 1, math.min(#failures, 20) do
  print("  " .. failures[index]:sub(1, 300))
end
os.exit(#failures == 0 and 0 or 1)

-- convgen command line: reads a spec of convolution layers and writes shape-specialized C for each.

local script_dir = (arg and arg[0] or ""):match("^(.*)[/\\][^/\\]*$") or "."
local ROOT = script_dir .. "/.."
package.path = ROOT .. "/?.lua;" .. package.path

local spec = require("generator.spec")
local plan = require("generator.plan")
local plan_text = require("generator.plan_text")
local parallel_plan = require("generator.parallel_plan")
local emit = require("generator.emit")
local report = require("generator.report")
local files = require("generator.files")
local work_limit = require("generator.work_limit")
local onnx = require("generator.onnx.cli")

local VERSION = "0.1"

local USAGE = [[
usage: lua5.4 generator/convgen.lua [options] SPEC.lua -o OUTDIR
       lua5.4 generator/convgen.lua --report SPEC.lua
       lua5.4 generator/convgen.lua [options] MODEL.onnx -o OUTDIR

Reads SPEC.lua (a Lua file returning { prefix = ..., layers = { ... } }) and
writes, for every layer, OUTDIR/<prefix><name>.h and OUTDIR/<prefix><name>.c
with the layer's im2col, col2im and fused convolution, plus OUTDIR/<prefix>model.h
which includes every layer header, <prefix>report.md, <prefix>report.json and
<prefix>manifest.txt (the files written). Nothing is written unless the whole
spec is valid and every target is a regular file or absent; a file whose
content did not change is left untouched; files the previous run listed in the
manifest but this run no longer writes (removed layers) are deleted, and no
other file is. Runs on one OUTDIR take turns (a flock(1) lock on the directory).
See docs/outputs.md.

options:
  -o, --output DIR      directory to write into (created if missing)
  --report, --list      print one line per layer (shapes, MACs, weight and
                        workspace bytes, unroll decisions); write nothing
  --plan                print each layer's plan (every decision planning made, as
                        Lua table syntax; docs/architecture.md); write nothing
  --check               write nothing; exit 1 and name the files in OUTDIR that
                        are missing, differ from what would be generated, or
                        are stale (listed in the manifest, no longer generated)
  --list-files          print the paths that would be written, one per line
  --prefix PREFIX       use PREFIX instead of the spec's prefix for every symbol
                        and file name (e.g. to link two variants of one spec)
  --unroll MODE         override every layer's unroll policy: auto | full | loops
  --unroll-budget N     statements one function may have when "auto" unrolls it
                        fully (default ]] .. plan.DEFAULT_UNROLL_BUDGET .. [[)
  --no-simd             emit only the portable path (no AVX-512 kernels): for
                        targets without them, so P_WORKSPACE_BYTES covers only
                        what the portable path needs
  --workspace-budget B  bytes the portable path's im2col block may take; larger
                        layers run im2col and GEMM in bands of output rows
                        (default ]] .. plan.DEFAULT_WORKSPACE_BUDGET .. [[)
  --l1-cache B, --l2-cache B
                        data cache bytes per core the SIMD kernels block for:
                        loop order and reduction blocks of deep layers (defaults
                        ]] .. plan.DEFAULT_L1_CACHE .. [[ and ]] .. plan.DEFAULT_L2_CACHE .. [[;
                        --plan shows the choice)
  --parallel-tasks N    units of work P_conv_parallel splits a layer into, at most
                        (default ]] .. parallel_plan.DEFAULT_TASKS .. [[; 1: it calls P_conv; docs/threads.md)
  --parallel-grain N    multiply-adds a unit has at least (default ]] .. parallel_plan.DEFAULT_GRAIN .. [[)
  --batch N             ONNX: size of a symbolic batch dimension (default 1)
  --layout L            ONNX: NCHW (default) or NHWC kernels, weights transposed
                        to match (see docs/onnx.md)
  -h, --help            show this help
  --version             show the version

Errors in the spec are printed as FILE:LINE: layer 'NAME': message, all of them,
and the exit status is 1. Usage errors exit with status 2.
]]

local function usage_error(message)
  io.stderr:write("convgen: ", message, "\nTry 'lua5.4 generator/convgen.lua --help'.\n")
  os.exit(2)
end

local function parse_args(argv)
  local opts = { mode = "write" }
  local i = 1
  local function value(flag)
    i = i + 1
    if argv[i] == nil then usage_error("option " .. flag .. " needs a value") end
    return argv[i]
  end
  while i <= #argv do
    local a = argv[i]
    if a == "-h" or a == "--help" then
      io.stdout:write(USAGE)
      os.exit(0)
    elseif a == "--version" then
      io.stdout:write("convgen ", VERSION, "\n")
      os.exit(0)
    elseif a == "-o" or a == "--output" then
      opts.outdir = value(a)
    elseif a == "--report" or a == "--list" then
      opts.mode = "report"
    elseif a == "--check" then
      opts.mode = "check"
    elseif a == "--plan" then
      opts.mode = "plan"
    elseif a == "--list-files" then
      opts.mode = "list-files"
    elseif a == "--unroll" then
      opts.unroll = value(a)
      if opts.unroll ~= "auto" and opts.unroll ~= "full" and opts.unroll ~= "loops" then
        usage_error("--unroll must be auto, full or loops, not '" .. opts.unroll .. "'")
      end
    elseif a == "--prefix" then
      opts.prefix = value(a)
      local problem = spec.prefix_problem(opts.prefix)
      if problem then usage_error("--prefix: " .. problem) end
    elseif a == "--batch" then
      local n = math.tointeger(tonumber(value(a)))
      if not n or n < 1 then usage_error("--batch needs a positive integer") end
      opts.batch = n
    elseif a == "--layout" then
      opts.layout = value(a)
      if opts.layout ~= "NCHW" and opts.layout ~= "NHWC" then usage_error("--layout must be NCHW or NHWC") end
    elseif a == "--no-simd" then
      opts.no_simd = true
    elseif a == "--workspace-budget" then
      local n = math.tointeger(tonumber(value(a)))
      if not n or n < 1 then usage_error("--workspace-budget needs a positive number of bytes") end
      opts.workspace_budget = n
    elseif a == "--l1-cache" or a == "--l2-cache" then
      local n = math.tointeger(tonumber(value(a)))
      if not n or n < 1024 then usage_error(a .. " needs a number of bytes, at least 1024") end
      opts[a == "--l1-cache" and "l1_cache" or "l2_cache"] = n
    elseif a == "--parallel-tasks" or a == "--parallel-grain" then
      local n = math.tointeger(tonumber(value(a)))
      if not n or n < 1 then usage_error(a .. " needs a positive integer") end
      opts[a == "--parallel-tasks" and "parallel_tasks" or "parallel_grain"] = n
    elseif a == "--unroll-budget" then
      local n = math.tointeger(tonumber(value(a)))
      if not n or n < 0 then usage_error("--unroll-budget needs a non-negative integer") end
      opts.unroll_budget = n
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      usage_error("unknown option '" .. a .. "'")
    elseif opts.spec then
      usage_error("more than one spec file given ('" .. opts.spec .. "' and '" .. a .. "')")
    else
      opts.spec = a
    end
    i = i + 1
  end
  if not opts.spec then usage_error("no spec file given") end
  if opts.mode ~= "report" and opts.mode ~= "plan" and not opts.outdir then
    usage_error("no output directory given (-o OUTDIR)")
  end
  return opts
end

local function basename(path)
  return path:match("([^/\\]+)$") or path
end

local function main(argv)
  local opts = parse_args(argv)
  local model, errors, imported
  if onnx.is_model(opts.spec) then
    model, errors, imported = onnx.load(opts.spec, opts)
  elseif opts.batch or opts.layout then
    usage_error("--batch and --layout apply to ONNX models only")
  else
    model, errors = spec.load(opts.spec, { unroll = opts.unroll, prefix = opts.prefix })
  end
  if not model then
    for _, e in ipairs(errors) do io.stderr:write(e, "\n") end
    return 1
  end
  if opts.prefix then
    model.prefix = opts.prefix
    for _, layer in ipairs(model.layers) do layer.sym = opts.prefix .. layer.name end
  end
  -- Planning and emission run under the work limit; a layer past it is a spec error.
  local budget = work_limit.new({ layers = #model.layers })
  local function too_much_work(layer, which)
    local where = layer and layer.line and (model.path .. ":" .. layer.line) or (model.path .. ":1")
    local subject = layer and ("layer '" .. layer.name .. "': ") or ""
    io.stderr:write(where, ": ", subject, work_limit.describe(which, #model.layers), "\n")
    return 1
  end
  local plans = {}
  for i, layer in ipairs(model.layers) do
    local ok, planned, problem = work_limit.run(budget, plan.layer, layer, { unroll_budget = opts.unroll_budget,
      workspace_budget = opts.workspace_budget, no_simd = opts.no_simd,
      l1_cache = opts.l1_cache, l2_cache = opts.l2_cache,
      parallel_tasks = opts.parallel_tasks, parallel_grain = opts.parallel_grain })
    if not ok then return too_much_work(layer, planned) end
    if not planned then   -- past a hard limit of the generated code (plan.lua)
      io.stderr:write(model.path, ":", layer.line or 1, ": layer '", layer.name, "': ", problem, "\n")
      return 1
    end
    plans[i] = planned
  end

  if opts.mode == "plan" then
    for i, p in ipairs(plans) do
      io.stdout:write(string.format("-- %s:%d: layer '%s'\n", model.path, model.layers[i].line or 1,
        model.layers[i].name), plan_text.render(p), "\n")
    end
    return 0
  end

  if opts.mode == "report" then
    io.stdout:write(report.text(plans))
    if imported then io.stdout:write(onnx.report(imported)) end
    return 0
  end

  local emitted, generated = work_limit.run(budget, emit.model, ROOT .. "/templates", model, plans, basename(opts.spec))
  if not emitted then return too_much_work(nil, generated) end
  if imported then
    onnx.add_outputs(generated, ROOT .. "/templates", model, plans, imported, basename(opts.spec))
  end
  local outputs = files.with_manifest(generated, model.prefix .. "manifest.txt")
  if opts.mode == "list-files" then
    for _, f in ipairs(outputs) do io.stdout:write(opts.outdir, "/", f.name, "\n") end
    return 0
  elseif opts.mode == "check" then
    local problems = files.check(opts.outdir, outputs)
    local say = { missing = ": missing", differs = ": out of date with " .. opts.spec,
                  stale = ": stale, no longer generated from " .. opts.spec .. " (the next run removes it)" }
    for _, p in ipairs(problems) do
      io.stderr:write(p.name and (opts.outdir .. "/" .. p.name .. say[p.problem]) or p.problem, "\n")
    end
    return #problems == 0 and 0 or 1
  end
  local ok, err = files.write_all(opts.outdir, outputs)
  if not ok then
    io.stderr:write("convgen: ", (err:gsub("\n", "\nconvgen: ")), "\n")
    return 1
  end
  return 0
end

local ok, status = xpcall(main, debug.traceback, arg)
if not ok then
  io.stderr:write("convgen: internal error: ", tostring(status), "\n")
  os.exit(3)
end
os.exit(status)

-- Fuzzes the ONNX reader and importer: truncations and byte flips of real models never crash, hang or half-write.
--
-- usage: lua5.4 tests/onnx/fuzz.lua ROOT WORK_DIR [SEED]
-- In process: every truncation of two small fixture models and thousands of random byte
-- flips (plus a sample of the ResNet-8 model) through import.from_bytes and
-- spec.validate, each under an instruction budget, must return a result or one-line
-- errors naming the file, never raise. Through the command line: a sample of mutants
-- either exits 0 with every file written or exits 1 with nothing written.

local ROOT, WORK = arg[1], arg[2]
if not (ROOT and WORK) then
  io.stderr:write("usage: lua5.4 tests/onnx/fuzz.lua ROOT WORK_DIR [SEED]\n")
  os.exit(2)
end
package.path = ROOT .. "/?.lua;" .. ROOT .. "/tests/onnx/?.lua;" .. package.path
local import = require("generator.onnx.import")
local spec = require("generator.spec")
local support = require("support")
local quote, sh = support.quote, support.sh

local LUA = arg[-1] or "lua5.4"
local SEED = tonumber(arg[3]) or 20261130
local FIXTURES = ROOT .. "/tests/onnx/fixtures"
-- Instructions (in units of 1000 hook calls) one import may take: far above any real model here.
local BUDGET = 200000

local failures, runs = 0, 0

local function fail(what, message)
  failures = failures + 1
  if failures <= 20 then io.stdout:write("FAIL ", what, ": ", message, "\n") end
end

-- One in-process import of bytes under the instruction budget.
local function try(what, bytes)
  runs = runs + 1
  local ticks = 0
  debug.sethook(function()
    ticks = ticks + 1
    if ticks > BUDGET then error("instruction budget exceeded (hang?)", 0) end
  end, "", 1000)
  local ok, result, errors = pcall(function()
    local r, e = import.from_bytes(bytes, "fuzz.onnx")
    if r then
      local model, problems = spec.validate(r.spec, { path = "fuzz.onnx", labels = r.labels })
      return model and r or nil, problems
    end
    return r, e
  end)
  debug.sethook()
  if not ok then
    fail(what, "raised: " .. tostring(result))
  elseif not result then
    if type(errors) ~= "table" or #errors == 0 then
      fail(what, "no result and no errors")
    else
      for _, e in ipairs(errors) do
        if type(e) ~= "string" or e:find("\n") or e:sub(1, 11) ~= "fuzz.onnx: " then
          fail(what, "malformed error: " .. tostring(e))
        end
      end
    end
  end
end

local function flip(bytes, rng_count)
  local out = { bytes:byte(1, -1) }
  for _ = 1, rng_count do
    local at = math.random(#out)
    out[at] = out[at] ~ (1 << math.random(0, 7))
    if math.random(4) == 1 then out[at] = math.random(0, 255) end
  end
  -- string.char has an argument limit; build in chunks.
  local parts = {}
  for i = 1, #out, 4096 do parts[#parts + 1] = string.char(table.unpack(out, i, math.min(i + 4095, #out))) end
  return table.concat(parts)
end

-- Command-line runs: exit 0 with every manifest file present, or exit 1 with no directory.
local function cli(what, bytes, index)
  local model = string.format("%s/m%d.onnx", WORK, index)
  local out_dir = string.format("%s/out%d", WORK, index)
  support.write(model, bytes)
  local ok, output = sh(string.format("%s %s %s -o %s 2>&1; echo \"status=$?\"", LUA,
    quote(ROOT .. "/generator/convgen.lua"), quote(model), quote(out_dir)))
  local status = ok and output:match("status=(%d+)\n$")
  if status == "0" then
    local manifest = support.read(out_dir .. "/manifest.txt")
    if not manifest then return fail(what, "exit 0 without manifest.txt") end
    for name in manifest:gmatch("[^\n]+") do
      if not name:match("^#") and not support.exists(out_dir .. "/" .. name) then
        fail(what, "exit 0 but " .. name .. " is missing")
      end
    end
  elseif status == "1" then
    if support.exists(out_dir) then fail(what, "exit 1 but the output directory exists") end
  else
    fail(what, "exit status " .. tostring(status) .. ": " .. output)
  end
  sh("rm -rf " .. quote(out_dir) .. " " .. quote(model))
end

local function main()
  math.randomseed(SEED)
  sh("rm -rf " .. quote(WORK) .. " && mkdir -p " .. quote(WORK))
  local start = os.clock()
  local small = { "conv_bn_relu", "clip" }
  for _, case in ipairs(small) do
    local bytes = assert(support.read(FIXTURES .. "/" .. case .. "/model.onnx"))
    for length = 0, #bytes - 1 do try(case .. " cut at " .. length, bytes:sub(1, length)) end
    for i = 1, 2000 do try(case .. " flip #" .. i, flip(bytes, math.random(1, 4))) end
  end
  local big = assert(support.read(FIXTURES .. "/resnet8/model.onnx"))
  for i = 1, 60 do
    local length = math.random(0, #big - 1)
    try("resnet8 cut at " .. length, big:sub(1, length))
    try("resnet8 flip #" .. i, flip(big, math.random(1, 8)))
  end
  local in_process = os.clock() - start
  local sample = assert(support.read(FIXTURES .. "/conv_bn_relu/model.onnx"))
  for i = 1, 40 do
    local mutant = i % 2 == 0 and sample:sub(1, math.random(0, #sample - 1)) or flip(sample, math.random(1, 3))
    cli("command line mutant #" .. i, mutant, i)
  end
  io.stdout:write(string.format("%d in-process imports (%.1f s CPU), 40 command-line runs, seed %d: %d failed\n",
    runs, in_process, SEED, failures))
  return failures == 0 and 0 or 1
end

os.exit(main())

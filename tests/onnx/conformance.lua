-- ONNX backend tests (Debian libonnx-testdata): every Conv-family case imported, generated, compiled, run, compared.
--
-- usage: lua5.4 tests/onnx/conformance.lua ROOT DATA_DIR WORK_DIR CC [EXTRA_CFLAGS]
-- Prints "N passed, M failed, K unsupported" and the unsupported cases by name. Only
-- 3-D cases may be unsupported: a 1-D or 2-D case that does not pass fails the test.
-- QLinearConv and ConvInteger cases pass their scales and zero points as graph inputs,
-- which convgen bakes: this test freezes those inputs into initializers with
-- test_data_set_0's values before importing (and says so in the case's line), runs the
-- s8 layer (tests/onnx/run_layer_s8.c) with uint8 tensors flipped to int8 (v - 128) and
-- compares exactly.

local ROOT, DATA, WORK, CC, EXTRA_CFLAGS = arg[1], arg[2], arg[3], arg[4], arg[5]
if not (ROOT and DATA and WORK and CC) then
  io.stderr:write("usage: lua5.4 tests/onnx/conformance.lua ROOT DATA_DIR WORK_DIR CC\n")
  os.exit(2)
end
package.path = ROOT .. "/?.lua;" .. ROOT .. "/tests/onnx/?.lua;" .. package.path
local model_reader = require("generator.onnx.model")
local import = require("generator.onnx.import")
local support = require("support")
-- e.g. the sanitizer build's -fsanitize flags, for the generated code and the driver alike
if EXTRA_CFLAGS and EXTRA_CFLAGS ~= "" then support.CFLAGS = support.CFLAGS .. " " .. EXTRA_CFLAGS end
local quote, sh = support.quote, support.sh

local LUA = arg[-1] or "lua5.4"

local function list(dir)
  local ok, out = sh("ls -1 " .. quote(dir))
  local names = {}
  if ok then for name in out:gmatch("[^\n]+") do names[#names + 1] = name end end
  return names
end

-- The Conv-family cases, as the issue lists them.
local function cases()
  local found = {}
  for _, name in ipairs(list(DATA .. "/node")) do
    if name:lower():find("conv", 1, true) then found[#found + 1] = "node/" .. name end
  end
  for _, name in ipairs(list(DATA .. "/pytorch-converted")) do
    if name:match("^test_Conv") then found[#found + 1] = "pytorch-converted/" .. name end
  end
  for _, name in ipairs(list(DATA .. "/pytorch-operator")) do
    if name:lower():find("conv", 1, true) then found[#found + 1] = "pytorch-operator/" .. name end
  end
  return found
end

-- Unsupported on purpose: 3-D convolutions.
local function is_unsupported(message)
  return message:find("3-D convolution is not supported", 1, true)
end

local QUANTIZED = { QLinearConv = true, ConvInteger = true }
local UINT8, INT8, INT32 = 2, 3, 6

-- A quantized case's model with every graph input but x, w and the bias frozen into an
-- initializer from test_data_set_0; returns the new model's path and the frozen names.
local function freeze_quantized(dir, g, node, work)
  local x, w, b = import.conv_operands(node)
  local keep = { [x] = true, [w] = true }
  if b and b ~= "" then keep[b] = true end
  local tensors, names = {}, {}
  for i, input in ipairs(g.inputs) do
    if not keep[input.name] and not g.initializers[input.name] then
      tensors[#tensors + 1] = assert(support.read(string.format("%s/test_data_set_0/input_%d.pb", dir, i - 1)))
      names[#names + 1] = input.name
    end
  end
  local path = work .. "/frozen.onnx"
  support.write(path, support.freeze_inputs(assert(support.read(dir .. "/model.onnx")), tensors))
  return path, names
end

-- An integer tensor file for run_layer_s8: uint8 flipped to int8 (v - 128), int8 as is,
-- int32 as little-endian int32; nhwc as in tensor_file.
local function int_tensor_file(path, out, nhwc)
  local t = model_reader.decode_tensor(assert(support.read(path), path))
  local values = t:values()
  if nhwc == "x" then values = support.to_nhwc(values, t.dims) end
  if nhwc == "w" then values = support.weights_to_nhwc(values, t.dims) end
  if t.data_type == INT32 then
    support.write_ints(out, values, "<i4")
    return
  end
  if t.data_type ~= UINT8 and t.data_type ~= INT8 then error(path .. ": not an 8-bit or int32 tensor", 0) end
  local shifted = {}
  for i, v in ipairs(values) do shifted[i] = t.data_type == UINT8 and v - 128 or v end
  support.write_ints(out, shifted, "<b")
end

-- nhwc: "x" for an activation, "w" for weights, nil to keep ONNX's order.
local function tensor_file(path, out, nhwc)
  local t = model_reader.decode_tensor(assert(support.read(path), path))
  if t.data_type ~= 1 then error(path .. ": only float tensors are compared", 0) end
  local values = t:values()
  if nhwc == "x" then values = support.to_nhwc(values, t.dims) end
  if nhwc == "w" then values = support.weights_to_nhwc(values, t.dims) end
  support.write_floats(out, values)
end

local runtime_objects

-- Returns "passed" | "unsupported" | "failed", and a message.
local function run_case(case)
  local dir = DATA .. "/" .. case
  local work = WORK .. "/" .. case:gsub("/", "__")
  local generated = work .. "/gen"
  sh("rm -rf " .. quote(work) .. " && mkdir -p " .. quote(generated))
  local model_path = dir .. "/model.onnx"
  local original = model_reader.decode(support.read(model_path)).graph
  -- input_N.pb is the graph's N-th input
  local input_file = {}
  for i, input in ipairs(original.inputs) do input_file[input.name] = string.format("input_%d.pb", i - 1) end
  local quantized, note = false, ""
  if #original.nodes == 1 and QUANTIZED[original.nodes[1].op_type] then
    local frozen
    model_path, frozen = freeze_quantized(dir, original, original.nodes[1], work)
    quantized = true
    note = "froze " .. table.concat(frozen, ", ") .. " (test_data_set_0) into initializers; "
  end
  local ok, out = sh(string.format("%s %s %s -o %s", LUA, quote(ROOT .. "/generator/convgen.lua"),
    quote(model_path), quote(generated)))
  if not ok then
    if is_unsupported(out) then return "unsupported", out end
    return "failed", note .. "import: " .. out
  end
  local imported = assert(import.load(model_path))
  if #imported.layers ~= 1 or #imported.others ~= 0 then
    return "failed", "expected one layer and no other node"
  end
  local decoded = model_reader.decode(support.read(model_path))
  local g = decoded.graph
  local runtime_inputs = {}
  for _, input in ipairs(g.inputs) do
    if not g.initializers[input.name] then runtime_inputs[#runtime_inputs + 1] = input.name end
  end
  local layer = imported.layers[1]
  if runtime_inputs[1] ~= layer.x or g.outputs[1].name ~= layer.y then
    return "failed", "the layer does not read the graph's input or write its output"
  end
  local test_dir = dir .. "/test_data_set_0"
  -- Builds and runs the generated layer on the case's tensors (NHWC: x and y transposed).
  local function run(gen, nhwc)
    local files = {}
    local write = quantized and int_tensor_file or tensor_file
    for i = 1, #runtime_inputs do
      files[#files + 1] = string.format("%s/in%d.bin", gen, i - 1)
      local order = nhwc and ({ "x", "w" })[i] or nil
      write(test_dir .. "/" .. input_file[runtime_inputs[i]], files[#files], order)
    end
    write(test_dir .. "/output_0.pb", gen .. "/want.bin", nhwc and "x" or nil)
    table.insert(files, 2, gen .. "/want.bin")
    local built, compiler = support.build_driver(ROOT, gen, gen .. "/run_layer", CC, support.CFLAGS,
      runtime_objects, false, quantized and "run_layer_s8.c" or nil)
    if not built then return false, "compile: " .. compiler end
    local args = {}
    for i, f in ipairs(files) do args[i] = quote(f) end
    return sh(string.format("%s %s %s", quote(gen .. "/run_layer"), layer.name, table.concat(args, " ")))
  end
  local ran, output = run(generated, false)
  if not ran then return "failed", output end
  -- The NHWC kernels too: baked weights transposed by the generator, run-time weights
  -- by this test into the documented [KH][KW][C/groups][M] ([KH][KW][M/groups][C]).
  local nhwc = work .. "/gen_nhwc"
  local made, message = sh(string.format("mkdir -p %s && %s %s --layout NHWC %s -o %s", quote(nhwc), LUA,
    quote(ROOT .. "/generator/convgen.lua"), quote(model_path), quote(nhwc)))
  if not made then return "failed", "import --layout NHWC: " .. message end
  local ran_nhwc, output_nhwc = run(nhwc, true)
  return ran_nhwc and "passed" or "failed", note .. output:gsub("\n$", "") .. "; NHWC " .. output_nhwc
end

local function main()
  if not support.exists(DATA .. "/node/test_basic_conv_with_padding/model.onnx") then
    io.stderr:write("onnx conformance: no ONNX backend test data under ", DATA,
      " (install Debian's libonnx-testdata: scripts/setup.sh does)\n")
    return 1
  end
  sh("mkdir -p " .. quote(WORK))
  runtime_objects = support.build_runtime(ROOT, WORK, CC, support.CFLAGS)
  local counts = { passed = 0, failed = 0, unsupported = 0 }
  local unsupported = {}
  for _, case in ipairs(cases()) do
    local okcall, status, message = pcall(run_case, case)
    if not okcall then status, message = "failed", tostring(status) end
    counts[status] = counts[status] + 1
    local first_line = (message or ""):match("[^\n]*")
    io.stdout:write(string.format("%-12s %s: %s\n", status, case, first_line))
    if status == "failed" then io.stdout:write(message, "\n") end
    if status == "unsupported" then unsupported[#unsupported + 1] = case end
  end
  io.stdout:write(string.format("%d passed, %d failed, %d unsupported\n", counts.passed, counts.failed,
    counts.unsupported))
  io.stdout:write("unsupported: ", table.concat(unsupported, ", "), "\n")
  return counts.failed == 0 and counts.passed > 0 and 0 or 1
end

os.exit(main())

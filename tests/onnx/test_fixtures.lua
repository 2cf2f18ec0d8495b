-- The importer on the committed fixture models: what it fuses and reports, and every layer's P_run against numpy.
--
-- usage: lua5.4 tests/onnx/test_fixtures.lua ROOT WORK_DIR CC [EXTRA_CFLAGS]
-- The expected outputs were computed by tests/onnx/make_fixtures.py in float64 from the
-- unfolded graph (Conv, then BatchNormalization, then the activation).

local ROOT, WORK, CC, EXTRA_CFLAGS = arg[1], arg[2], arg[3], arg[4]
if not (ROOT and WORK and CC) then
  io.stderr:write("usage: lua5.4 tests/onnx/test_fixtures.lua ROOT WORK_DIR CC\n")
  os.exit(2)
end
package.path = ROOT .. "/?.lua;" .. ROOT .. "/tests/onnx/?.lua;" .. package.path
local model_reader = require("generator.onnx.model")
local import = require("generator.onnx.import")
local spec = require("generator.spec")
local support = require("support")
-- e.g. the sanitizer build's -fsanitize flags, for the generated code and the driver alike
if EXTRA_CFLAGS and EXTRA_CFLAGS ~= "" then support.CFLAGS = support.CFLAGS .. " " .. EXTRA_CFLAGS end
local quote, sh = support.quote, support.sh

local LUA = arg[-1] or "lua5.4"
local FIXTURES = ROOT .. "/tests/onnx/fixtures"
local failures, checks = 0, 0

local function check(condition, message)
  checks = checks + 1
  if not condition then
    failures = failures + 1
    io.stdout:write("FAIL: ", message, "\n")
  end
end

-- The imported model as spec.validate normalizes it (layers by name) and the import result.
local function imported(case, options)
  local path = FIXTURES .. "/" .. case .. "/model.onnx"
  local result, errors = import.load(path, options)
  assert(result, case .. ": " .. table.concat(errors or {}, "\n"))
  local model = assert(spec.validate(result.spec, { path = path, labels = result.labels }))
  local by_name = {}
  for _, layer in ipairs(model.layers) do by_name[layer.name] = layer end
  return by_name, result, model
end

local function others(result)
  local labels = {}
  for _, other in ipairs(result.others) do labels[#labels + 1] = other.label end
  return table.concat(labels, "; ")
end

local runtime_objects

-- Generates the case with the command line, builds run_layer and runs every listed layer.
local function run_layers(case, layers, flags, layout, double, variant)
  local work = WORK .. "/" .. case .. (layout == "NHWC" and "_nhwc" or "") .. (variant or "")
  local generated = work .. "/gen"
  sh("rm -rf " .. quote(work) .. " && mkdir -p " .. quote(generated))
  local ok, out = sh(string.format("%s %s %s %s -o %s", LUA, quote(ROOT .. "/generator/convgen.lua"), flags or "",
    quote(FIXTURES .. "/" .. case .. "/model.onnx"), quote(generated)))
  check(ok, case .. ": convgen failed: " .. out)
  if not ok then return end
  local built, compiler = support.build_driver(ROOT, generated, work .. "/run_layer", CC, support.CFLAGS,
    runtime_objects, double)
  check(built, case .. ": compile failed: " .. compiler)
  if not built then return end
  for _, name in ipairs(layers) do
    local files = {}
    for _, which in ipairs({ "x", "y" }) do
      local t = model_reader.decode_tensor(assert(support.read(string.format("%s/%s/%s_%s.pb", FIXTURES, case, name,
        which))))
      local values = t:values()
      if layout == "NHWC" then values = support.to_nhwc(values, t.dims) end
      files[#files + 1] = string.format("%s/%s_%s.bin", work, name, which)
      support.write_floats(files[#files], values, double)
    end
    -- float32 kernels against float64 expectations: an absolute floor of 1e-6 (ONNX's 1e-7 is
    -- below the rounding of a sum of ~100 terms of size ~1 that cancels to near zero)
    local ran, output = sh(string.format("CONVGEN_ONNX_ATOL=1e-6 %s %s %s %s", quote(work .. "/run_layer"), name,
      quote(files[1]), quote(files[2])))
    local what = case .. (layout and (" " .. layout) or "") .. (flags and (" " .. flags) or "")
    check(ran, string.format("%s: layer %s: %s", what, name, output))
    if ran then io.stdout:write(what, ": ", output) end
  end
  return generated
end

local function main()
  sh("mkdir -p " .. quote(WORK))
  runtime_objects = support.build_runtime(ROOT, WORK, CC, support.CFLAGS)

  -- BatchNormalization folded into the weights and bias, Relu fused.
  local L, result = imported("conv_bn_relu")
  check(L.conv and L.conv.act.kind == "relu" and L.conv.bias, "conv_bn_relu: relu activation and a bias")
  check(#result.others == 0, "conv_bn_relu: nothing left for the user, got " .. others(result))
  check(#result.layers[1].fused == 2, "conv_bn_relu: BatchNormalization and Relu fused")
  run_layers("conv_bn_relu", { "conv" })
  -- The same model as NHWC kernels: weights transposed, input and output given in NHWC.
  L = imported("conv_bn_relu", { layout = "NHWC" })
  check(L.conv.layout == "NHWC", "conv_bn_relu --layout NHWC: NHWC layer")
  run_layers("conv_bn_relu", { "conv" }, "--layout NHWC", "NHWC")

  -- ConvTranspose with groups: BatchNormalization folded per output channel of its (C, M/groups) weights.
  L, result = imported("convtranspose_bn")
  check(L.up and L.up.op == "conv_transpose2d" and L.up.groups == 2 and L.up.act.kind == "relu",
    "convtranspose_bn: grouped conv_transpose2d with relu")
  check(#result.others == 0, "convtranspose_bn: nothing left for the user, got " .. others(result))
  run_layers("convtranspose_bn", { "up" })
  run_layers("convtranspose_bn", { "up" }, "--layout NHWC", "NHWC")

  -- A double model: f64 layers, the clamp bounds from double constants.
  L = imported("double")
  check(L.conv.dtype == "f64" and L.conv.act.kind == "clamp" and L.conv.act.lo == -1 and L.conv.act.hi == 1,
    "double: f64 layer with clamp(-1, 1)")
  run_layers("double", { "conv" }, nil, nil, true)

  -- Clip(0, 6) from constant inputs is relu6; Clip with only a minimum is a clamp.
  L = imported("clip")
  check(L.conv_a.act.kind == "relu6", "clip: conv_a gets relu6, got " .. L.conv_a.act.kind)
  check(L.conv_b.act.kind == "clamp" and L.conv_b.act.lo == -0.25 and L.conv_b.act.hi > 3e38,
    "clip: conv_b gets clamp(-0.25, FLT_MAX)")
  check(L.conv_b.input_from == "conv_a", "clip: conv_b is connected to conv_a (input = \"conv_a\")")
  run_layers("clip", { "conv_a", "conv_b" })

  -- The conv output has two readers: no fusion, Relu and Sigmoid are the user's.
  L, result = imported("two_consumers")
  check(L.conv.act.kind == "none", "two_consumers: no activation fused")
  check(others(result) == "node 'relu' (Relu); node 'sigmoid' (Sigmoid)",
    "two_consumers: Relu and Sigmoid reported, got " .. others(result))
  run_layers("two_consumers", { "conv" })

  -- SAME_LOWER: the odd padding goes before.
  L = imported("same_lower")
  check(L.conv.pad_top == 2 and L.conv.pad_bottom == 1 and L.conv.pad_left == 2 and L.conv.pad_right == 1,
    "same_lower: padding 2,1,2,1")
  run_layers("same_lower", { "conv" })

  -- A symbolic batch: 1 by default, --batch 3 here; the shape goes through MaxPool.
  L = imported("symbolic_batch")
  check(L.conv.n == 1 and L.conv.h == 4, "symbolic_batch: batch 1 by default, 4x4 after MaxPool")
  L = imported("symbolic_batch", { batch = 3 })
  check(L.conv.n == 3, "symbolic_batch: --batch 3")
  run_layers("symbolic_batch", { "conv" }, "--batch 3")

  -- Shapes through Pad, AveragePool, Mul and Concat, and from value_info after a Reshape;
  -- conv_b's weight is conv_a's through an Identity node, and is baked all the same.
  L, result = imported("shapes")
  check(L.conv_a.c == 4 and L.conv_a.h == 5 and L.conv_a.w == 5, "shapes: conv_a input 4x5x5")
  check(L.conv_b.c == 4 and L.conv_b.h == 5 and not L.conv_b.bias, "shapes: conv_b input 4x5x5 from value_info")
  check(result.layers[2].baked, "shapes: conv_b's weight reached through Identity is baked")
  check(others(result) == "node 'pad' (Pad); node 'avg' (AveragePool); node 'scale' (Mul); node 'cat' (Concat); "
    .. "node 'reshape' (Reshape)", "shapes: the user's nodes, not the Identity, got " .. others(result))
  run_layers("shapes", { "conv_a", "conv_b" })

  -- ResNet-8 with BatchNormalization: every layer's P_run against the float64 forward pass.
  local layers
  L, result, layers = imported("resnet8")
  local names = {}
  for i, layer in ipairs(layers.layers) do names[i] = layer.name end
  check(table.concat(names, " ") == "conv1 s1_a s1_b s2_a s2_b s2_short s3_a s3_b s3_short",
    "resnet8: nine layers in execution order, got " .. table.concat(names, " "))
  check(L.s2_a.pad_top == 0 and L.s2_a.pad_bottom == 1 and L.s1_b.act.kind == "none" and L.s1_a.act.kind == "relu",
    "resnet8: explicit asymmetric pads; relu only where it follows directly")
  check(L.s1_a.input_from == "conv1" and L.s3_b.input_from == "s3_a" and L.s2_a.input_from == nil,
    "resnet8: layers reading a layer's output are connected, those after an Add are not")
  check(#result.others == 9, "resnet8: Add, Relu, pool, Flatten, Gemm reported, got " .. others(result))
  local generated = run_layers("resnet8", names)
  if generated then
    local header = support.read(generated .. "/weights.h") or ""
    local bytes = tonumber(header:match("#define MODEL_WEIGHT_BYTES (%d+)"))
    -- The nine layers' weights (432 + 2*2304 + 4608 + 9216 + 512 + 18432 + 36864 + 2048) and biases (3*(16+32+64)).
    check(bytes == 4 * (76720 + 336), "resnet8: MODEL_WEIGHT_BYTES is 4 * (76720 + 336), got " .. tostring(bytes))
    local model_h = support.read(generated .. "/model.h") or ""
    check(model_h:match("#define MODEL_WORKSPACE_BYTES 258048\n"),
      "resnet8: model.h gives MODEL_WORKSPACE_BYTES, the largest layer workspace (s1_a's 258048 bytes)")
  end

  -- The portable path (--no-simd), which reads baked weights pre-packed for the GEMM
  -- (generator/prepack.lua): ResNet-8 as NCHW (strips of A) and NHWC (panels of B), whole
  -- and in bands of output rows (--workspace-budget), and grouped NCHW layers (shapes).
  if generated then
    local weights_c = support.read(generated .. "/weights.c") or ""
    check(weights_c:match("#if S3_B_WEIGHTS_PREPACKED"), "resnet8: weights.c has the packed order for s3_b")
  end
  run_layers("resnet8", names, "--no-simd", nil, nil, "_portable")
  run_layers("resnet8", names, "--no-simd --layout NHWC", "NHWC", nil, "_portable")
  run_layers("resnet8", names, "--no-simd --workspace-budget 16384", nil, nil, "_banded")
  run_layers("resnet8", names, "--no-simd --workspace-budget 16384 --layout NHWC", "NHWC", nil, "_banded")
  run_layers("double", { "conv" }, "--no-simd", nil, true, "_portable")

  io.stdout:write(string.format("%d checks, %d failed\n", checks, failures))
  return failures == 0 and 0 or 1
end

os.exit(main())

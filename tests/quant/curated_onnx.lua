-- Curated s8 layers in ONNX's forms (arithmetic "onnx", weight zero points, int32 output), for the exact checks.
-- Each case is a function so that every variant gets a fresh table (the sandbox has no pairs()).
local function per_channel(m, values)
  local list = {}
  for i = 1, m do list[i] = values[(i - 1) % #values + 1] end
  return list
end

local WZP = { 127, -128, 0, 5, -1, 64 }
local geometries = {
  -- im2col + GEMM, per-channel weight zero points and scales, both zero points off 0
  { "k3_pad1", function() return { input = { c = 3, h = 6, w = 7 }, filters = 5, kernel = 3, padding = 1,
    quant = { arithmetic = "onnx", input_zero_point = -128, output_zero_point = 3, input_scale = 0.05,
      weight_scale = per_channel(5, { 0.002, 0.0031, 0.0007 }), output_scale = 0.1,
      weight_zero_point = per_channel(5, WZP) } } end },
  -- scale exactly 2^-7: an exact tie every 128 sums, rounded to even
  { "ties", function() return { input = { c = 4, h = 5, w = 5 }, filters = 4, kernel = 2,
    padding = { top = 1, bottom = 0, left = 0, right = 1 },
    quant = { arithmetic = "onnx", input_zero_point = 2, output_zero_point = -1, input_scale = 1.0,
      weight_scale = 0.0078125, output_scale = 1.0, weight_zero_point = -3 } } end },
  -- ONNX's own example's scales (float32 1/255 after the division)
  { "grouped", function() return { input = { n = 2, c = 6, h = 5, w = 6 }, filters = 6, kernel = 3, padding = 1,
    groups = 3, stride = { 2, 1 },
    quant = { arithmetic = "onnx", input_zero_point = 4, output_zero_point = -5, input_scale = 0.0036920469719917,
      weight_scale = 0.0017279457533732, output_scale = 0.0016268126200885, weight_zero_point = 127 } } end },
  -- direct depthwise loops, asymmetric padding, stride 2
  { "dw", function() return { input = { c = 5, h = 8, w = 7 }, filters = 5, kernel = 3, stride = 2, groups = 5,
    padding = { top = 0, bottom = 1, left = 1, right = 0 },
    quant = { arithmetic = "onnx", input_zero_point = 127, output_zero_point = 0, input_scale = 0.02,
      weight_scale = per_channel(5, { 0.01, 0.03 }), output_scale = 0.125,
      weight_zero_point = per_channel(5, WZP) } } end },
  -- 16+ channels: NHWC depthwise that the AVX2 body would take in TFLite's form (must stay portable)
  { "dw20", function() return { input = { c = 20, h = 5, w = 6 }, filters = 20, kernel = 3, groups = 20,
    padding = 1,
    quant = { arithmetic = "onnx", input_zero_point = -3, output_zero_point = 4, input_scale = 0.05,
      weight_scale = 0.004, output_scale = 0.02, weight_zero_point = per_channel(20, WZP) } } end },
  -- depthwise with a channel multiplier (the grouped GEMM), dilation
  { "dw_x2", function() return { input = { c = 3, h = 7, w = 7 }, filters = 6, kernel = 3, dilation = 2, padding = 2,
    groups = 3,
    quant = { arithmetic = "onnx", input_zero_point = -9, output_zero_point = 7, input_scale = 0.5,
      weight_scale = 0.015625, output_scale = 2.0, weight_zero_point = per_channel(6, { 3, -128 }) } } end },
  -- 1x1: the GEMM reads the input directly; relu from the output scale
  { "pw_relu", function() return { input = { c = 7, h = 3, w = 5 }, filters = 9, kernel = 1, activation = "relu",
    quant = { arithmetic = "onnx", input_zero_point = -20, output_zero_point = -30, input_scale = 0.04,
      weight_scale = 0.002, output_scale = 0.01, weight_zero_point = per_channel(9, WZP) } } end },
  -- TFLite's requantization with weight zero points
  { "tflite_wzp", function() return { input = { c = 4, h = 6, w = 6 }, filters = 3, kernel = 3, padding = 1,
    quant = { input_zero_point = -128, output_zero_point = 5, input_scale = 0.0235, output_scale = 0.0471,
      weight_scale = 0.0031, weight_zero_point = per_channel(3, { -128, 127, 9 }) } } end },
  -- the 1/6 case where onnxruntime's float32 product differs (docs/int8.md); explicit clamp
  { "sixth", function() return { input = { c = 2, h = 4, w = 4 }, filters = 2, kernel = 1, bias = false,
    quant = { arithmetic = "onnx", input_scale = 1.0, weight_scale = 1.0, output_scale = 6.0,
      activation_min = -100, activation_max = 90 } } end },
  -- every tap padded somewhere, conv1d
  { "c1d", function() return { op = "conv1d", input = { c = 3, w = 17 }, filters = 4, kernel = 5, stride = 2,
    padding = 3,
    quant = { arithmetic = "onnx", input_zero_point = 1, output_zero_point = 1, input_scale = 0.1,
      weight_scale = per_channel(4, { 0.001, 0.002 }), output_scale = 0.05, weight_zero_point = 2 } } end },
  -- loops rather than unrolled copies; 17 channels (a tail block)
  { "loops_17", function() return { input = { c = 8, h = 12, w = 12 }, filters = 17, kernel = 3, padding = 1,
    unroll = "loops",
    quant = { arithmetic = "onnx", input_zero_point = -1, output_zero_point = 2, input_scale = 0.03,
      weight_scale = 0.001, output_scale = 0.2, weight_zero_point = per_channel(17, WZP) } } end },
  -- int32 output (ConvInteger): padding, no requantization
  { "s32_pad", function() return { input = { c = 3, h = 5, w = 5 }, filters = 4, kernel = 2, padding = 1,
    bias = false, quant = { output_type = "s32", input_zero_point = 1 } } end },
  { "s32_wzp_groups", function() return { input = { n = 2, c = 6, h = 6, w = 5 }, filters = 9, kernel = 3,
    groups = 3, padding = { top = 2, bottom = 0, left = 1, right = 1 },
    quant = { output_type = "s32", input_zero_point = -128, weight_zero_point = per_channel(9, WZP) } } end },
  { "s32_dw", function() return { input = { c = 4, h = 6, w = 6 }, filters = 4, kernel = 3, groups = 4,
    padding = 1,
    quant = { output_type = "s32", input_zero_point = 127, weight_zero_point = per_channel(4, WZP) } } end },
}

local layers = {}
local layouts = { "NCHW", "NHWC" }
for i = 1, #geometries do
  for v = 1, #layouts do
    local layer = geometries[i][2]()
    local layout = layouts[v]
    layer.name = geometries[i][1] .. "_" .. (v == 1 and "nchw" or "nhwc")
    layer.layout = layout
    layer.dtype = "s8"
    layers[#layers + 1] = layer
  end
end

return { prefix = "co_", layers = layers }

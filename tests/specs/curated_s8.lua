-- Curated int8 (s8) edge cases: every geometry in both layouts, each with its own quantization (docs/int8.md).
-- Each case is a function so that every variant gets a fresh table (the sandbox has no pairs()).
local geometries = {
  { "pw", function() return { input = { c = 6, h = 4, w = 5 }, filters = 4, kernel = 1 } end },
  { "pw_batch", function() return { input = { n = 2, c = 5, h = 3, w = 4 }, filters = 7, kernel = 1,
    activation = "relu" } end },
  { "pw_groups", function() return { input = { n = 2, c = 6, h = 3, w = 3 }, filters = 4, kernel = 1,
    groups = 2 } end },
  { "pw_s2", function() return { input = { c = 3, h = 7, w = 6 }, filters = 2, kernel = 1, stride = 2 } end },
  { "k3_pad1", function() return { input = { c = 3, h = 8, w = 9 }, filters = 4, kernel = 3, padding = 1,
    activation = "relu" } end },
  { "k3_relu6", function() return { input = { c = 4, h = 6, w = 7 }, filters = 5, kernel = 3, padding = 1,
    activation = "relu6" } end },
  { "asym_pad", function() return { input = { c = 3, h = 7, w = 6 }, filters = 2, kernel = 3,
    padding = { top = 0, bottom = 2, left = 2, right = 0 }, activation = { "clamp", -0.5, 1.25 } } end },
  { "same_s2_k4", function() return { input = { c = 2, h = 9, w = 8 }, filters = 3, kernel = 4, stride = 2,
    padding = "same" } end },
  { "s2_pad1", function() return { input = { c = 2, h = 9, w = 8 }, filters = 3, kernel = 3, stride = 2,
    padding = 1 } end },
  { "s3_valid", function() return { input = { c = 2, h = 11, w = 10 }, filters = 3, kernel = 3, stride = 3,
    bias = false } end },
  { "dil2", function() return { input = { c = 2, h = 9, w = 9 }, filters = 3, kernel = 3, dilation = 2,
    padding = 2 } end },
  { "dil3_2", function() return { input = { c = 2, h = 12, w = 10 }, filters = 2, kernel = 3,
    dilation = { 3, 2 }, stride = { 2, 1 }, padding = { 1, 2 } } end },
  { "groups2", function() return { input = { c = 4, h = 6, w = 7 }, filters = 6, kernel = 3, padding = 1,
    groups = 2, activation = "relu" } end },
  { "groups3_batch", function() return { input = { n = 2, c = 6, h = 5, w = 5 }, filters = 9, kernel = 2,
    padding = { top = 1, bottom = 0, left = 0, right = 1 }, groups = 3 } end },
  { "dw", function() return { input = { c = 5, h = 7, w = 6 }, filters = 5, kernel = 3, padding = 1,
    groups = 5, activation = "relu6" } end },
  { "dw_s2_batch", function() return { input = { n = 2, c = 4, h = 8, w = 7 }, filters = 4, kernel = 3, stride = 2,
    padding = { top = 0, bottom = 1, left = 1, right = 0 }, groups = 4, bias = false } end },
  { "dw_x2_s2", function() return { input = { c = 3, h = 8, w = 9 }, filters = 6, kernel = 3, stride = 2,
    padding = { top = 0, bottom = 1, left = 0, right = 1 }, groups = 3 } end },
  { "dw_x2_dil2", function() return { input = { c = 2, h = 7, w = 7 }, filters = 4, kernel = 3, dilation = 2,
    padding = 2, groups = 2, activation = "relu" } end },
  { "all_padding", function() return { input = { c = 2, h = 1, w = 1 }, filters = 3, kernel = 1, stride = 2,
    padding = 3 } end },
  { "k_eq_input", function() return { input = { c = 2, h = 5, w = 5 }, filters = 3, kernel = 7, padding = 1 } end },
  { "rect_1x7", function() return { input = { c = 2, h = 5, w = 12 }, filters = 3, kernel = { 1, 7 },
    padding = { 0, 3 } } end },
  { "wide_17", function() return { input = { c = 3, h = 3, w = 33 }, filters = 17, kernel = 3, padding = 1 } end },
  { "loops", function() return { input = { c = 8, h = 20, w = 20 }, filters = 8, kernel = 3,
    padding = 1, activation = "relu", unroll = "loops" } end },
  { "c1d", function() return { op = "conv1d", input = { c = 4, w = 19 }, filters = 5, kernel = 5, stride = 2,
    padding = 2, activation = "relu" } end },
  { "c1d_dw_dil", function() return { op = "conv1d", input = { n = 2, c = 3, w = 16 }, filters = 6, kernel = 3,
    dilation = 3, padding = { 4, 1 }, groups = 3 } end },
  -- the x86 NHWC GEMM's tiles (templates/gemm_s8_avx2.c.in): two blocks of 16 channels plus 8
  -- scalar ones, 35 pixels (8 tiles of 4 rows, then 3 single rows), k = 81 (5 steps of 16, an odd last k)
  { "tile_40", function() return { input = { c = 9, h = 5, w = 7 }, filters = 40, kernel = 3, padding = 1,
    activation = "relu" } end },
  -- k = 35: two steps of 16, one scalar pair, an odd last k; no bias
  { "tile_pw35", function() return { input = { n = 2, c = 35, h = 3, w = 3 }, filters = 32, kernel = 1,
    bias = false } end },
  -- groups of 16 channels: the second group's block starts at channel 16 (bias, multipliers at m0)
  { "tile_groups", function() return { input = { c = 32, h = 3, w = 5 }, filters = 32, kernel = 1, groups = 2,
    activation = "relu6" } end },
  -- k = 16 exactly, stride 2 through im2col
  { "tile_s2_k16", function() return { input = { c = 4, h = 9, w = 9 }, filters = 16, kernel = 2, stride = 2 } end },
  -- the x86 NHWC depthwise body (templates/depthwise_s8_avx2.c.in): 16 channels plus 4 scalar ones,
  -- 3x3 (an odd tap count), every padded region
  { "dw20", function() return { input = { c = 20, h = 6, w = 7 }, filters = 20, kernel = 3, padding = 1,
    groups = 20, activation = "relu6" } end },
  -- two blocks, 2x2 kernel (even taps), stride 2 with asymmetric padding, dilation 2
  { "dw32_s2_dil", function() return { input = { n = 2, c = 32, h = 9, w = 8 }, filters = 32, kernel = 2, stride = 2,
    dilation = 2, padding = { top = 1, bottom = 0, left = 0, right = 2 }, groups = 32, bias = false } end },
}

-- Quantization variants, cycled through the geometries. m = filters, act = the activation
-- (relu6 and clamp need an output scale or explicit bounds, so the explicit forms add them).
local function per_channel(m, values)
  local list = {}
  for i = 1, m do list[i] = values[(i - 1) % #values + 1] end
  return list
end
local EXTREME_MULTIPLIERS = { 2147483647, 1073741824, 1518500250, 0, 1234567890, 1073741825, 2147483646 }
local SHIFTS = { -9, -8, -31, -7, 30, -10, 1, 0, -1, -20, -12, -5, 2 }
local quants = {
  -- issue 11's example: per-tensor scales, the input zero point at -128
  function() return { input_zero_point = -128, output_zero_point = 5, input_scale = 0.0235,
    output_scale = 0.0471, weight_scale = 0.0031 } end,
  -- per-filter weight scales, zero points at 127 and -128
  function(m) return { input_zero_point = 127, output_zero_point = -128, input_scale = 0.05, output_scale = 0.1,
    weight_scale = per_channel(m, { 0.001, 0.0023, 0.0017, 0.004, 0.0008 }) } end,
  -- explicit multipliers and shifts at their extremes (shift 30: the product wraps, as in TFLite)
  function(m) return { input_zero_point = 0, output_zero_point = 3, output_scale = 0.02,
    multiplier = per_channel(m, EXTREME_MULTIPLIERS), shift = per_channel(m, SHIFTS) } end,
  -- zero points 0, per-tensor scale
  function() return { input_scale = 0.5, output_scale = 4.0, weight_scale = 0.01 } end,
  -- explicit per-tensor form with explicit bounds, negative input zero point
  function(m) return { input_zero_point = -7, output_zero_point = -3, multiplier = per_channel(m, { 1717986918 }),
    shift = per_channel(m, { -8 }), activation_min = -100, activation_max = 90 } end,
}

local layouts = { "NCHW", "NHWC" }

local layers = {}
local k = 0
for i = 1, #geometries do
  for v = 1, #layouts do
    local layer = geometries[i][2]()
    k = k + 1
    layer.name = geometries[i][1] .. "_" .. (v == 1 and "nchw" or "nhwc")
    layer.layout = layouts[v]
    layer.dtype = "s8"
    layer.quant = quants[(k - 1) % #quants + 1](layer.filters)
    layers[#layers + 1] = layer
  end
end

-- relu without an output scale clamps at the output zero point
layers[#layers + 1] = { name = "relu_no_scale", dtype = "s8", input = { c = 3, h = 5, w = 5 }, filters = 4,
  kernel = 3, padding = 1, activation = "relu",
  quant = { input_zero_point = 10, output_zero_point = -20, multiplier = per_channel(4, { 1518500250 }),
    shift = per_channel(4, { -7 }) } }
-- every shift from -31 to 30, one per filter, with the extreme multipliers
local all_shifts, all_mults = {}, {}
for s = -31, 30 do
  all_shifts[#all_shifts + 1] = s
  all_mults[#all_mults + 1] = EXTREME_MULTIPLIERS[(s + 31) % #EXTREME_MULTIPLIERS + 1]
end
for v = 1, #layouts do
  layers[#layers + 1] = { name = "every_shift_" .. (v == 1 and "nchw" or "nhwc"), dtype = "s8", layout = layouts[v],
    input = { c = 3, h = 4, w = 4 }, filters = 62, kernel = 2, padding = { top = 1, bottom = 0, left = 0, right = 1 },
    quant = { input_zero_point = -1, output_zero_point = 1, multiplier = all_mults, shift = all_shifts } }
end

return { prefix = "cs8_", layers = layers }

-- Curated edge cases; every case is generated in both layouts and both element types.
-- Each case is a function so that every variant gets a fresh table (the sandbox
-- has no pairs() to copy one).
local cases = {
  { "s1_pad1", function() return { input = { c = 3, h = 8, w = 9 }, filters = 4, kernel = 3, padding = 1,
    activation = "relu" } end },
  { "s2_pad1", function() return { input = { c = 2, h = 9, w = 8 }, filters = 3, kernel = 3, stride = 2,
    padding = 1 } end },
  { "s3_valid", function() return { input = { c = 2, h = 11, w = 10 }, filters = 3, kernel = 3, stride = 3,
    padding = "valid", bias = false } end },
  -- stride larger than the kernel: some input pixels are never read
  { "s3_k2", function() return { input = { c = 2, h = 10, w = 9 }, filters = 2, kernel = 2, stride = 3 } end },
  { "asym_pad", function() return { input = { c = 3, h = 7, w = 6 }, filters = 2, kernel = 3,
    padding = { top = 0, bottom = 1, left = 2, right = 0 }, activation = "relu6" } end },
  -- TensorFlow SAME with stride 2 and an even kernel: 1 top, 2 bottom
  { "same_s2_k4", function() return { input = { c = 2, h = 9, w = 8 }, filters = 3, kernel = 4, stride = 2,
    padding = "same" } end },
  { "same_s1_k3", function() return { input = { c = 1, h = 6, w = 5 }, filters = 2, kernel = { 3, 2 },
    padding = "same", activation = { "clamp", -0.25, 0.5 } } end },
  { "pad_pair", function() return { input = { c = 2, h = 5, w = 6 }, filters = 2, kernel = { 2, 3 },
    padding = { 2, 1 } } end },
  -- padding larger than the kernel
  { "k1_pad3_s2", function() return { input = { c = 3, h = 5, w = 4 }, filters = 2, kernel = 1, stride = 2,
    padding = 3 } end },
  -- every tap falls in padding: the output is the bias alone
  { "all_padding", function() return { input = { c = 2, h = 1, w = 1 }, filters = 3, kernel = 1, stride = 2,
    padding = 3, activation = "relu" } end },
  { "dil2", function() return { input = { c = 2, h = 9, w = 9 }, filters = 3, kernel = 3, dilation = 2,
    padding = 2 } end },
  { "dil3_2", function() return { input = { c = 2, h = 12, w = 10 }, filters = 2, kernel = 3,
    dilation = { 3, 2 }, stride = { 2, 1 }, padding = { 1, 2 } } end },
  { "groups2", function() return { input = { c = 4, h = 6, w = 7 }, filters = 6, kernel = 3, padding = 1,
    groups = 2, activation = "relu" } end },
  { "depthwise", function() return { input = { c = 5, h = 7, w = 6 }, filters = 5, kernel = 3, padding = 1,
    groups = 5, activation = "relu6" } end },
  { "depthwise_x2_s2", function() return { input = { c = 3, h = 8, w = 9 }, filters = 6, kernel = 3, stride = 2,
    padding = { top = 0, bottom = 1, left = 0, right = 1 }, groups = 3 } end },
  { "rect_10x4", function() return { input = { c = 1, h = 20, w = 8 }, filters = 4, kernel = { 10, 4 },
    stride = 2, padding = { top = 4, bottom = 5, left = 1, right = 1 }, activation = "relu" } end },
  { "rect_1x7", function() return { input = { c = 2, h = 5, w = 12 }, filters = 3, kernel = { 1, 7 },
    padding = { 0, 3 } } end },
  { "rect_7x1", function() return { input = { c = 2, h = 12, w = 5 }, filters = 3, kernel = { 7, 1 },
    padding = { 3, 0 } } end },
  -- the kernel covers the whole padded input: a 1x1 output
  { "k_eq_input", function() return { input = { c = 2, h = 5, w = 5 }, filters = 3, kernel = 7, padding = 1 } end },
  { "h1", function() return { input = { c = 2, h = 1, w = 9 }, filters = 2, kernel = { 1, 3 },
    padding = { 0, 1 } } end },
  { "w1", function() return { input = { c = 2, h = 9, w = 1 }, filters = 2, kernel = { 3, 1 },
    stride = 2, padding = { 1, 0 } } end },
  { "batch3", function() return { input = { n = 3, c = 3, h = 6, w = 5 }, filters = 4, kernel = 3,
    padding = 1, activation = { "clamp", -0.5, 0.75 } } end },
  -- 1x1 unit stride, no padding: the input is the GEMM operand (no im2col, no workspace)
  { "pointwise", function() return { input = { n = 2, c = 6, h = 4, w = 5 }, filters = 4, kernel = 1,
    activation = "relu" } end },
  { "pointwise_groups", function() return { input = { n = 2, c = 6, h = 3, w = 3 }, filters = 4, kernel = 1,
    groups = 2 } end },
  -- 1x1 with stride 2: a strided gather, not copy-free
  { "pointwise_s2", function() return { input = { c = 3, h = 7, w = 6 }, filters = 2, kernel = 1,
    stride = 2 } end },
  { "tiny_full", function() return { input = { c = 1, h = 3, w = 3 }, filters = 1, kernel = 2,
    unroll = "full" } end },
  { "forced_loops", function() return { input = { c = 1, h = 3, w = 3 }, filters = 2, kernel = 2,
    padding = 1, unroll = "loops" } end },
  -- output rows of 16 or more: the AVX-512 kernels read taps in place (stride 1, 2, 3;
  -- dilation; masked tails of 1, 15 and 17 columns)
  { "wide_s1", function() return { input = { c = 3, h = 3, w = 33 }, filters = 5, kernel = 3, padding = 1,
    activation = "relu" } end },
  { "wide_s2", function() return { input = { c = 2, h = 5, w = 40 }, filters = 3, kernel = { 3, 4 }, stride = 2,
    padding = { top = 0, bottom = 1, left = 1, right = 2 } } end },
  { "wide_s3_dil2", function() return { input = { c = 2, h = 7, w = 56 }, filters = 4, kernel = 3, stride = 3,
    dilation = 2, padding = 2, activation = "relu6" } end },
  { "wide_s2_nopad", function() return { input = { c = 3, h = 4, w = 35 }, filters = 2, kernel = 3,
    stride = { 1, 2 } } end },
  { "wide_dw", function() return { input = { c = 4, h = 3, w = 17 }, filters = 4, kernel = 3, padding = 1,
    groups = 4 } end },
  -- fully connected as a convolution (the kernel covers the unpadded image): the NCHW GEMV kernels
  -- (generator/simd_gemv.lua); 400-long rows in 7+7+6-row tiles; a 37-long reduction with a masked
  -- tail, two images; a reduction shorter than one AVX2 vector
  { "fc_5x5", function() return { input = { c = 16, h = 5, w = 5 }, filters = 20, kernel = 5,
    activation = "relu" } end },
  { "fc_1x1_tail", function() return { input = { n = 2, c = 37, h = 1, w = 1 }, filters = 9, kernel = 1,
    activation = { "clamp", -0.5, 0.75 } } end },
  { "fc_short", function() return { input = { c = 2, h = 2, w = 1 }, filters = 3, kernel = { 2, 1 },
    bias = false } end },
  -- stride-2 depthwise with rows of a vector or more: one channel at a time, columns split into
  -- phases by vector shuffles (generator/simd_depthwise_nchw.lua); odd and even left padding, a
  -- masked last vector, two images, dilation, a 5x5 kernel
  { "dw_s2_wide", function() return { input = { c = 3, h = 9, w = 37 }, filters = 3, kernel = 3, stride = 2,
    padding = 1, groups = 3, activation = "relu6" } end },
  { "dw_s2_asym", function() return { input = { n = 2, c = 2, h = 8, w = 40 }, filters = 2, kernel = 3, stride = 2,
    padding = { top = 0, bottom = 1, left = 0, right = 1 }, groups = 2, bias = false } end },
  { "dw_s2_dil2", function() return { input = { c = 2, h = 10, w = 44 }, filters = 2, kernel = 3, stride = 2,
    dilation = 2, padding = 2, groups = 2, activation = "relu" } end },
  { "dw_s2_k5", function() return { input = { c = 2, h = 12, w = 50 }, filters = 2, kernel = 5, stride = { 1, 2 },
    padding = 2, groups = 2 } end },
  -- large enough that "auto" keeps loops
  { "auto_loops", function() return { input = { c = 8, h = 20, w = 20 }, filters = 8, kernel = 3,
    padding = 1, activation = "relu" } end },
}

-- layout, its name suffix, element type (no string methods in the sandbox)
-- Transposed convolutions (decoder/upsampling layers), generated the same way.
local transposed = {
  { "t_s1_pad1", function() return { input = { c = 3, h = 5, w = 6 }, filters = 4, kernel = 3, padding = 1 } end },
  { "t_s2_outpad_groups", function() return { input = { c = 4, h = 4, w = 5 }, filters = 6, kernel = 3, stride = 2,
    padding = 1, output_padding = 1, groups = 2, activation = "relu" } end },
  { "t_s3_k2", function() return { input = { c = 2, h = 3, w = 4 }, filters = 3, kernel = 2, stride = 3 } end },
  { "t_dil2_outpad", function() return { input = { c = 2, h = 5, w = 4 }, filters = 2, kernel = 3, dilation = 2,
    output_padding = { 1, 0 }, bias = false } end },
  { "t_asym", function() return { input = { c = 3, h = 4, w = 5 }, filters = 2, kernel = { 3, 2 },
    stride = { 2, 1 }, padding = { top = 1, bottom = 0, left = 0, right = 1 }, activation = "relu6" } end },
  { "t_1x1_batch", function() return { input = { n = 2, c = 4, h = 3, w = 5 }, filters = 3, kernel = 1 } end },
  { "t_depthwise", function() return { input = { c = 4, h = 4, w = 4 }, filters = 4, kernel = 3, stride = 2,
    padding = 1, output_padding = 1, groups = 4 } end },
  { "t_batch_clamp", function() return { input = { n = 3, c = 2, h = 3, w = 3 }, filters = 3, kernel = 2,
    stride = 2, activation = { "clamp", -0.5, 0.75 } } end },
}

local variants = {
  { "NCHW", "nchw", "f32" }, { "NHWC", "nhwc", "f32" }, { "NCHW", "nchw", "f64" }, { "NHWC", "nhwc", "f64" },
}

-- Every conv2d case also gets its gradients checked.
local layers = {}
for i = 1, #cases do
  for v = 1, #variants do
    local layer = cases[i][2]()
    layer.op = "conv2d"
    layer.backward = true
    layer.name = cases[i][1] .. "_" .. variants[v][2] .. "_" .. variants[v][3]
    layer.layout = variants[v][1]
    layer.dtype = variants[v][3]
    layers[#layers + 1] = layer
  end
end

for i = 1, #transposed do
  for v = 1, #variants do
    local layer = transposed[i][2]()
    layer.op = "conv_transpose2d"
    layer.name = transposed[i][1] .. "_" .. variants[v][2] .. "_" .. variants[v][3]
    layer.layout = variants[v][1]
    layer.dtype = variants[v][3]
    layers[#layers + 1] = layer
  end
end

return { prefix = "cur_", layers = layers }

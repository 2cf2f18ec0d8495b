-- Layers that exercise every kind of P_conv_parallel split (docs/threads.md), in f32 and f64: output-channel
-- blocks with a tail, group and depthwise blocks, NHWC row bands, depthwise border regions, reduction blocks, images.
-- Each case is a function so that every variant gets a fresh table (the sandbox has no pairs()).
local cases = {
  { "nchw_pad", function() return {
    layout = "NCHW", input = { c = 8, h = 12, w = 16 }, filters = 40, kernel = 3, padding = 1,
    activation = "relu" } end },
  { "nchw_s2", function() return {
    layout = "NCHW", input = { c = 3, h = 23, w = 40 }, filters = 24, kernel = 5, stride = 2,
    padding = 2 } end },
  { "nchw_im2col", function() return {
    layout = "NCHW", input = { c = 16, h = 7, w = 7 }, filters = 48, kernel = 3, padding = 1,
    activation = { "clamp", -0.5, 0.5 } } end },
  -- A strided 1x1 layer stages by the layer's im2col, which phase 1 splits by channels.
  { "nchw_1x1_s2", function() return {
    layout = "NCHW", input = { c = 16, h = 16, w = 16 }, filters = 32, kernel = 1, stride = 2 } end },
  { "nchw_1x1", function() return {
    layout = "NCHW", input = { c = 24, h = 8, w = 8 }, filters = 32, kernel = 1, bias = false } end },
  { "nchw_groups", function() return {
    layout = "NCHW", input = { c = 16, h = 10, w = 12 }, filters = 32, kernel = 3, padding = 1,
    groups = 4 } end },
  { "nchw_dw", function() return {
    layout = "NCHW", input = { c = 32, h = 20, w = 16 }, filters = 32, kernel = 3, padding = 1,
    groups = 32, activation = "relu6" } end },
  { "nhwc_pad", function() return {
    layout = "NHWC", input = { c = 8, h = 24, w = 10 }, filters = 16, kernel = 3, padding = 1,
    activation = "relu" } end },
  { "nhwc_dil", function() return {
    layout = "NHWC", input = { c = 4, h = 30, w = 9 }, filters = 16, kernel = 3, dilation = 2,
    stride = { 2, 1 }, padding = { top = 3, bottom = 0, left = 2, right = 2 } } end },
  { "nhwc_1x1", function() return {
    layout = "NHWC", input = { n = 2, c = 16, h = 16, w = 8 }, filters = 16, kernel = 1 } end },
  { "nhwc_dw", function() return {
    layout = "NHWC", input = { c = 16, h = 20, w = 12 }, filters = 16, kernel = 3, stride = 2,
    padding = "same", groups = 16 } end },
  -- Large enough that the AVX2 path hands it to the BLAS, and so are its 128-channel blocks:
  -- OpenBLAS rounds a block of rows unlike the whole product, so the split must not be taken.
  { "nchw_blas", function() return {
    layout = "NCHW", input = { c = 2048, h = 7, w = 7 }, filters = 768, kernel = 1, bias = false } end },
  -- Weights and im2col matrix both over half of a 1 MiB L2: simd_plan.lua's reduction blocks, whose whole col
  -- matrix P_conv_parallel stages once, its blocks split across the tasks.
  { "nchw_kblock", function() return {
    layout = "NCHW", input = { c = 320, h = 7, w = 7 }, filters = 64, kernel = 3, padding = 1 } end },
  { "nchw_batch", function() return {
    layout = "NCHW", input = { n = 3, c = 5, h = 9, w = 7 }, filters = 3, kernel = 3,
    padding = 1 } end },
}

local dtypes = { "f32", "f64" }
local layers = {}
for d = 1, #dtypes do
  for i = 1, #cases do
    local layer = cases[i][2]()
    layer.name, layer.dtype = cases[i][1] .. "_" .. dtypes[d], dtypes[d]
    layers[#layers + 1] = layer
  end
end
return { prefix = "split_", layers = layers }

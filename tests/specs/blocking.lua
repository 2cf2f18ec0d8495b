-- Layers that take the SIMD planner's cache-blocked drivers, flat pixel tiles and depthwise border regions.
-- tests/CMakeLists.txt generates them with the default caches and with --l2-cache 16384, where the
-- NCHW layers' weights pass half of L2 (row tiles outside) and most of their B operands too
-- (reductions in blocks of a few channels); each comment says what the small-cache build does.
return { prefix = "blk_", layers = {
  -- taps read in place, 4 blocks of 6 channels; 20 columns as 16 + 4
  { name = "taps", input = { c = 24, h = 12, w = 20 }, filters = 20, kernel = 3, padding = 1, activation = "relu" },
  { name = "taps_n2", input = { n = 2, c = 24, h = 12, w = 20 }, filters = 20, kernel = 3, padding = 1,
    bias = false },
  -- 7x7 output (im2col one block at a time): 6 blocks of 3 channels; 49 columns as 16+16+16+1
  { name = "im2col", input = { c = 18, h = 7, w = 7 }, filters = 13, kernel = 3, padding = 1,
    activation = { "clamp", -0.5, 0.75 } },
  -- B panels with a 1-column tail taking dot products along k (AVX2): 49 columns as 16+16+16+1, K = 144
  { name = "dot_tail", input = { c = 16, h = 7, w = 7 }, filters = 14, kernel = 3, padding = 1, activation = "relu" },
  -- the same for a 1x1 input packed into panels, 2 blocks of 32 channels (K = 32 per block)
  { name = "dot_blocks", input = { c = 64, h = 7, w = 7 }, filters = 40, kernel = 1, activation = "relu6" },
  -- 1x1 with x as B: 4 blocks of 20 channels
  { name = "direct", input = { c = 80, h = 9, w = 9 }, filters = 60, kernel = 1, activation = "relu6" },
  -- grouped: weights of a group 10 KiB, 3 blocks of 8 channels per group
  { name = "groups", input = { c = 48, h = 10, w = 16 }, filters = 24, kernel = 3, padding = 1, groups = 2 },
  -- stride 2 from phase-split staging, rows outside
  { name = "stride2", input = { c = 16, h = 20, w = 34 }, filters = 24, kernel = 3, stride = 2, padding = 1,
    activation = "relu" },
  -- NHWC 1x1: tiles over all 35 pixels
  { name = "flat", layout = "NHWC", input = { c = 20, h = 5, w = 7 }, filters = 36, kernel = 1 },
  { name = "flat_n2", layout = "NHWC", input = { n = 2, c = 20, h = 3, w = 3 }, filters = 40, kernel = 1,
    activation = "relu" },
  -- NHWC depthwise, border regions: stride 2 with bottom/right padding, dilation, a 5x5 kernel, a batch
  { name = "dw_s2", layout = "NHWC", input = { c = 24, h = 11, w = 13 }, filters = 24, groups = 24, kernel = 3,
    stride = 2, padding = { top = 0, bottom = 1, left = 0, right = 1 }, activation = "relu6" },
  { name = "dw_dil2", layout = "NHWC", input = { c = 20, h = 9, w = 10 }, filters = 20, groups = 20, kernel = 3,
    dilation = 2, padding = 2 },
  { name = "dw_5x5_n2", layout = "NHWC", input = { n = 2, c = 16, h = 6, w = 6 }, filters = 16, groups = 16,
    kernel = 5, padding = 2, bias = false },
  { name = "dw_pad_only", layout = "NHWC", input = { c = 8, h = 2, w = 2 }, filters = 8, groups = 8, kernel = 3,
    stride = 3, padding = 3, activation = "relu" },
} }

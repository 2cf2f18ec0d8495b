-- A few small layers whose plans are kept as golden text (tests/unit/golden.plan, checked by test_plan.lua).
return { prefix = "gp_", layers = {
  -- NCHW 3x3 stride 2 with padding: AVX-512 taps read in place from phase-split staging.
  { name = "s2", input = { c = 3, h = 9, w = 40 }, filters = 5, kernel = 3, stride = 2, padding = 1, bias = true,
    activation = "relu", unroll = "loops" },
  -- NHWC depthwise 3x3, SAME padding.
  { name = "dw", layout = "NHWC", input = { c = 8, h = 4, w = 4 }, filters = 8, groups = 8, kernel = 3,
    padding = "same", unroll = "loops" },
  -- A grouped transposed layer with asymmetric padding.
  { name = "up", op = "conv_transpose2d", input = { c = 4, h = 3, w = 3 }, filters = 2, groups = 2, kernel = 2,
    stride = 2, padding = { top = 1, bottom = 0, left = 0, right = 1 }, unroll = "loops" },
} }

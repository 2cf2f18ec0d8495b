-- The worked examples of seed-vectors.md (A to E), each as f32 and f64, checked value by value.
return {
  prefix = "seed_",
  layers = {
    -- A: 5x7 image, 3x3 kernel, stride 1, padding 1
    { op = "conv2d", name = "a_f32", dtype = "f32", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false },
    { op = "conv2d", name = "a_f64", dtype = "f64", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false },
    -- B: 5x5 image, 3x3 kernel, no padding, in both layouts
    { op = "conv2d", name = "b_nchw_f32", dtype = "f32", input = { c = 1, h = 5, w = 5 },
      filters = 1, kernel = 3, bias = false },
    { op = "conv2d", name = "b_nchw_f64", dtype = "f64", input = { c = 1, h = 5, w = 5 },
      filters = 1, kernel = 3, bias = false },
    { op = "conv2d", name = "b_nhwc_f32", layout = "NHWC", dtype = "f32", input = { c = 1, h = 5, w = 5 },
      filters = 1, kernel = 3, bias = false },
    { op = "conv2d", name = "b_nhwc_f64", layout = "NHWC", dtype = "f64", input = { c = 1, h = 5, w = 5 },
      filters = 1, kernel = 3, bias = false },
    -- C: 3x3 image, 2x2 kernel
    { op = "conv2d", name = "c_f32", dtype = "f32", input = { c = 1, h = 3, w = 3 },
      filters = 1, kernel = 2, bias = false },
    { op = "conv2d", name = "c_f64", dtype = "f64", input = { c = 1, h = 3, w = 3 },
      filters = 1, kernel = 2, bias = false },
    -- D: 1-D signal as a 1x5 image, 1x3 kernel, one column of padding each side
    { op = "conv2d", name = "d_f32", dtype = "f32", input = { c = 1, h = 1, w = 5 },
      filters = 1, kernel = { 1, 3 }, padding = { 0, 1 }, bias = false },
    { op = "conv2d", name = "d_f64", dtype = "f64", input = { c = 1, h = 1, w = 5 },
      filters = 1, kernel = { 1, 3 }, padding = { 0, 1 }, bias = false },
    -- E: the published timing layer (NHWC, f64), checked against the reference
    { op = "conv2d", name = "e_nhwc_f64", layout = "NHWC", dtype = "f64",
      input = { n = 10, c = 8, h = 32, w = 32 }, filters = 16, kernel = 3, bias = false },
  },
}

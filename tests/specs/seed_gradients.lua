-- Example A of seed-vectors.md with gradients, and its conv_transpose2d; f32 and f64, both layouts.
return {
  prefix = "seedg_",
  layers = {
    -- A: 5x7 image, 3x3 kernel, stride 1, padding 1, with backward data and weights
    { op = "conv2d", name = "a_nchw_f32", dtype = "f32", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false, backward = true },
    { op = "conv2d", name = "a_nchw_f64", dtype = "f64", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false, backward = true },
    -- the same with a bias (db is the bias gradient)
    { op = "conv2d", name = "a_nhwc_f32", layout = "NHWC", dtype = "f32", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = true, backward = true },
    { op = "conv2d", name = "a_nhwc_f64", layout = "NHWC", dtype = "f64", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = true, backward = true },
    -- conv_transpose2d(y, k, padding 1) of example A: 5x7 in, 5x7 out
    { op = "conv_transpose2d", name = "t_nchw_f32", dtype = "f32", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false },
    { op = "conv_transpose2d", name = "t_nchw_f64", dtype = "f64", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false },
    { op = "conv_transpose2d", name = "t_nhwc_f32", layout = "NHWC", dtype = "f32", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false },
    { op = "conv_transpose2d", name = "t_nhwc_f64", layout = "NHWC", dtype = "f64", input = { c = 1, h = 5, w = 7 },
      filters = 1, kernel = 3, padding = 1, bias = false },
  },
}

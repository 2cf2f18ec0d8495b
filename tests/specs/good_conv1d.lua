-- Good spec: 1-D layers (conv1d, conv_transpose1d), inputs taken from earlier layers, spec-wide defaults.
return {
  prefix = "c1d_",
  defaults = { layout = "NHWC", activation = "relu" },
  layers = {
    { name = "a", op = "conv1d", input = { c = 3, w = 40 }, filters = 8, kernel = 5, stride = 2,
      padding = { 1, 2 } },
    { name = "b", op = "conv1d", input = "a", filters = 8, kernel = 3, dilation = 2, padding = "same", groups = 8 },
    { name = "c", op = "conv_transpose1d", input = "b", filters = 4, kernel = 4, stride = 2, padding = 1,
      output_padding = 1, activation = "none" },
    -- a 2-D layer reading a 1-D layer's output: one row
    { name = "d", input = "c", filters = 6, kernel = { 1, 3 }, padding = { 0, 1 } },
    { name = "e", op = "conv1d", layout = "NCHW", dtype = "f64", input = { n = 2, c = 4, w = 33 }, filters = 5,
      kernel = 7, stride = 3, padding = "same", backward = true, activation = { "clamp", -1, 1 } },
    { name = "f", op = "conv1d", input = "e", filters = 3, kernel = 1, unroll = "full" },
  },
}

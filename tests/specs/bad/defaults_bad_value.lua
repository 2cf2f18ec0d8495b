-- Bad spec: an invalid value in defaults is reported at its line, for each layer it reaches.
return {
  defaults = {
    layout = "NHWC",
    dtype = "f16",
  },
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
    { name = "conv2", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3, dtype = "f64" },
  },
}

-- Bad spec: a connected layer states a layout and dtype different from its input layer's.
return {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
    { name = "conv2", input = "conv1", filters = 4, kernel = 3,
      layout = "NHWC", dtype = "f64" },
  },
}

-- Bad spec: a 1-D layer reads a 2-D layer's output with more than one row.
return {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
    { name = "conv2", op = "conv1d", input = "conv1", filters = 4, kernel = 3 },
  },
}

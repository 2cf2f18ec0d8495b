-- Bad spec: two layers with the same name.
return {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
    { name = "conv2", input = { c = 4, h = 6, w = 6 }, filters = 4, kernel = 3 },
    { name = "conv1", input = { c = 4, h = 4, w = 4 }, filters = 4, kernel = 3 },
  },
}

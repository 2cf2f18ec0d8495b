-- Bad spec: input names a layer that comes later.
return {
  layers = {
    { name = "conv1", input = "conv2", filters = 4, kernel = 3 },
    { name = "conv2", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
  },
}

-- Bad spec: a layer stored under a name instead of in the array.
return {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
    extra = { name = "conv2", input = { c = 4, h = 6, w = 6 }, filters = 4, kernel = 3 },
  },
}

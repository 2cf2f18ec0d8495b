-- Bad spec: a 1-D layer's input has no h.
return {
  layers = {
    { name = "a", op = "conv1d", input = { c = 3, h = 1, w = 16 }, filters = 4, kernel = 3 },
  },
}

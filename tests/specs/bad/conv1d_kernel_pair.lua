-- Bad spec: a 1-D layer's kernel is one number.
return {
  layers = {
    { name = "a", op = "conv1d", input = { c = 3, w = 16 },
      filters = 4, kernel = { 3, 3 } },
  },
}

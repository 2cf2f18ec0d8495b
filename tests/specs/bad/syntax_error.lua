-- Bad spec: a missing comma between two fields.
return {
  layers = {
    { name = "conv1" input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
  },
}

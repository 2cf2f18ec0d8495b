-- Bad spec: a layer name with a dash cannot be a C symbol.
return {
  layers = {
    {
      input = { c = 3, h = 8, w = 8 },
      name = "conv-1",
      filters = 4,
      kernel = 3,
    },
  },
}

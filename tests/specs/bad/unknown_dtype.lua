-- Bad spec: an element type that is not supported.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      dtype = "f16",
      filters = 4,
      kernel = 3,
    },
  },
}

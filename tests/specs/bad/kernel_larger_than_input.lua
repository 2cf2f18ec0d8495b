-- Bad spec: a 5x5 kernel on a 4x4 input without padding.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 4, w = 4 },
      filters = 4,
      kernel = 5,
    },
  },
}

-- Bad spec: layout in lower case.
return {
  layers = {
    {
      name = "conv1",
      layout = "nchw",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
    },
  },
}

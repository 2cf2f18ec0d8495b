-- Bad spec: the input table lacks 'c'.
return {
  layers = {
    {
      name = "conv1",
      input = { h = 8, w = 8 },
      filters = 4,
      kernel = 3,
    },
  },
}

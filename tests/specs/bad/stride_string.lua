-- Bad spec: a stride written as a string.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
      stride = "2",
    },
  },
}

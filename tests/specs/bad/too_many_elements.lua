-- Bad spec: 3 x 40000 x 40000 input elements do not fit a 32-bit int.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 40000, w = 40000 },
      filters = 1,
      kernel = 1,
      stride = 2,
    },
  },
}

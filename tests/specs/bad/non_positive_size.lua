-- Bad spec: an input height of zero.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3,
                h = 0,
                w = 8 },
      filters = 4,
      kernel = 1,
    },
  },
}

-- Bad spec: a fractional number of filters.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 3.5,
      kernel = 3,
    },
  },
}

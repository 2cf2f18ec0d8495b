-- Bad spec: 3 groups for 8 input channels.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 8, h = 8, w = 8 },
      filters = 12,
      kernel = 3,
      groups = 3,
    },
  },
}

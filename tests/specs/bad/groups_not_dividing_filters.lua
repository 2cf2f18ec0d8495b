-- Bad spec: 3 groups for 8 filters.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 6, h = 8, w = 8 },
      filters = 8,
      kernel = 3,
      groups = 3,
    },
  },
}

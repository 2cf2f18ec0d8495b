-- Good spec: one layer with only the required keys, so every default shows.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 32, w = 30 },
      filters = 16,
      kernel = 3,
    },
  },
}

-- Bad spec: a clamp bound written as a string.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
      activation = { "clamp", "0", 6 },
    },
  },
}

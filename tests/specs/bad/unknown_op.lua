-- Bad spec: an operation the generator does not know.
return {
  layers = {
    {
      op = "conv3d",
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
    },
  },
}

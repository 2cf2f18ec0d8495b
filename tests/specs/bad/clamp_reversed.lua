-- Bad spec: clamp bounds in the wrong order.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
      activation = { "clamp", 6, 0 },
    },
  },
}

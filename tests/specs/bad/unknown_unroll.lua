-- Bad spec: 'ful' instead of 'full'.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
      unroll = "ful",
    },
  },
}

-- Bad spec: a 3x3 kernel dilated by 3 spans 7x7, more than the padded 6x6 input.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 4, w = 4 },
      filters = 4,
      kernel = 3,
      dilation = 3,
      padding = 1,
    },
  },
}

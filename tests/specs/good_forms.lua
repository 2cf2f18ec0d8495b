-- Good spec: pair and four-sides forms, integral floats, and every non-default option.
return {
  prefix = "net_",
  layers = {
    {
      op = "conv2d",
      name = "pairs",
      layout = "NHWC",
      dtype = "f64",
      input = { n = 2, c = 4.0, h = 20, w = 16 },
      filters = 6.0,
      kernel = { 3, 5 },
      stride = { 2, 1 },
      dilation = { 1, 2 },
      padding = { 1, 2 },
      groups = 2,
      bias = false,
      activation = "relu6",
      unroll = "full",
    },
    {
      name = "sides",
      input = { c = 3, h = 8, w = 9 },
      filters = 2,
      kernel = 3,
      padding = { top = 0, bottom = 1, left = 2, right = 3 },
      activation = { "clamp", -0.5, 2 },
      unroll = "loops",
    },
    {
      name = "relu_layer",
      input = { c = 1, h = 4, w = 4 },
      filters = 1,
      kernel = 1,
      activation = "relu",
      bias = true,
    },
  },
}

-- Bad spec: many problems at once; all must be reported, in a fixed order.
return {
  prefx = "net_",
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      kernel = 3,
      strde = 2,
      activation = "rleu",
    },
    {
      name = "conv-2",
      dtype = "f16",
      input = { c = 8, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
      groups = 3,
      bias = "yes",
    },
    {
      name = "conv1",
      input = { c = 3, h = 2, w = 2 },
      filters = 4,
      kernel = 3,
      padding = -1,
    },
  },
}

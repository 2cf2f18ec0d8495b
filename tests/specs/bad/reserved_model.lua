-- Bad spec: 'model' is reserved for the generated <prefix>model.h.
return {
  prefix = "net_",
  layers = {
    {
      name = "model",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
    },
  },
}

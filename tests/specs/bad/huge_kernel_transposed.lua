-- Bad spec: a transposed layer with a 67108864-row kernel.
return {
  layers = {
    { name = "tall", op = "conv_transpose2d", input = { c = 1, h = 1, w = 1 }, filters = 1,
      kernel = { 67108864, 1 } },
  },
}

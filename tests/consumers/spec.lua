-- The consumer projects' spec: two small layers, one a shape the SIMD paths take.
return {
  prefix = "consumer_",
  layers = {
    { op = "conv2d", name = "wide", input = { n = 1, c = 16, h = 16, w = 16 },
      filters = 32, kernel = 3, padding = 1, activation = "relu" },
    { op = "conv2d", name = "pointwise", input = { n = 1, c = 32, h = 16, w = 16 },
      filters = 16, kernel = 1 },
  },
}

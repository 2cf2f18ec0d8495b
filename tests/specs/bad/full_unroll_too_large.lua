-- Bad spec: unroll = "full" on a layer whose patch matrix has 147456 elements.
return {
  layers = {
    { name = "big", input = { c = 16, h = 32, w = 32 }, filters = 16, kernel = 3, padding = 1,
      unroll = "full" },
  },
}

-- Bad spec: a prefix starting with a digit.
return {
  prefix = "1net_",
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
  },
}

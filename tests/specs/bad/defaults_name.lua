-- Bad spec: per-layer keys cannot be defaults.
return {
  defaults = { name = "conv", filters = 4 },
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
  },
}

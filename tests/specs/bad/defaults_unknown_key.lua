-- Bad spec: a misspelled key in defaults.
return {
  defaults = {
    layotu = "NHWC",
  },
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
  },
}

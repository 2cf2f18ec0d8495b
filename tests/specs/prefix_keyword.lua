-- Spec with a layer named "t": with --prefix in its symbol would be the keyword int.
return {
  layers = {
    { name = "t", input = { c = 1, h = 4, w = 4 }, filters = 1, kernel = 3 },
  },
}

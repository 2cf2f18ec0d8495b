-- Bad spec: a layer named "_" would define the reserved macro __C.
return {
  layers = {
    { name = "_", input = { c = 1, h = 4, w = 4 }, filters = 1, kernel = 3 },
  },
}

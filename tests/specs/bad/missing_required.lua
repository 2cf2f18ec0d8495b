-- Bad spec: a layer without 'filters' and 'kernel'.
return {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 } },
  },
}

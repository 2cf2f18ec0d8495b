-- Bad spec: 'layer' instead of 'layers' at the top level.
return {
  prefix = "net_",
  layer = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
  },
}

-- Bad spec: input names a layer that does not exist (a typo of conv1).
return {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
    { name = "conv2", input = "cnov1", filters = 4, kernel = 3 },
  },
}

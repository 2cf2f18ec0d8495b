-- Bad spec: a misspelled layer key ('strde' instead of 'stride').
return {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3,
      strde = 2 },
  },
}

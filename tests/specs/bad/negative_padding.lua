-- Bad spec: a negative padding side.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
      padding = { top = 1,
                  bottom = -1, left = 1, right = 1 },
    },
  },
}

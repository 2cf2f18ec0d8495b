-- Bad spec: the four-sides padding form without 'right'.
return {
  layers = {
    {
      name = "conv1",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
      padding = { top = 1, bottom = 1, left = 1 },
    },
  },
}

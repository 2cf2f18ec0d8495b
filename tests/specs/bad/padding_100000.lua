-- Bad spec: top padding 100,000 (planning took 7 s before the padding limit).
return {
  layers = {
    { name = "tall_pad", input = { c = 1, h = 8, w = 8 }, filters = 1, kernel = 3,
      padding = { top = 100000, bottom = 0, left = 0, right = 0 } },
  },
}

-- Bad spec: a layer named after a C keyword.
return {
  layers = {
    {
      name = "int",
      input = { c = 3, h = 8, w = 8 },
      filters = 4,
      kernel = 3,
    },
  },
}

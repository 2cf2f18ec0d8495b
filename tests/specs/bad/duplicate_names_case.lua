-- Bad spec: two layer names that differ only in letter case.
return {
  prefix = "net_",
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
    {
      name = "Conv1",
      input = { c = 4, h = 6, w = 6 },
      filters = 4,
      kernel = 3,
    },
  },
}

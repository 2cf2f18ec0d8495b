-- Bad spec: builds a table but forgets to return it.
local spec = {
  layers = {
    { name = "conv1", input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 },
  },
}

-- Bad spec: calls a function that does not exist.
local function conv(name)
  return { name = name, input = { c = 3, h = 8, w = 8 }, filters = 4, kernel = 3 }
end
return {
  layers = {
    conv("conv1"),
    make_layer("conv2"),
  },
}

-- Bad spec: 600 valid layers, more than the 512 a spec may have.
local layers = {}
for i = 1, 600 do
  layers[i] = { name = "l" .. i, input = { c = 1, h = 4, w = 4 }, filters = 1, kernel = 3 }
end
return {
  layers = layers,
}

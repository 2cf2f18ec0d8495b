-- Bad spec: 500 layers with two problems each; only the first 50 messages are printed.
local layers = {}
for i = 1, 500 do
  layers[i] = { name = "l" .. i, input = { c = 1, h = 4, w = 4 }, filters = 0, kernel = 0 }
end
return {
  layers = layers,
}

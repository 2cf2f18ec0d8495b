-- Bad spec: layers built in a loop, so errors can only name the file.
local layers = {}
for index = 1, 3 do
  layers[index] = { name = "conv" .. index, input = { c = 4, h = 8, w = 8 }, filters = 4, kernel = 3 }
end
layers[2].stride = 0
return { layers = layers }

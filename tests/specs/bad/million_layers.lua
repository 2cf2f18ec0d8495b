-- Bad spec: a million references to one layer table.
local l = { name = "a", input = { c = 1, h = 4, w = 4 }, filters = 1, kernel = 3 }
local layers = {}
for i = 1, 1e6 do layers[i] = l end
return { layers = layers }

-- Bad spec: never finishes.
local count = 0
while true do count = count + 1 end
return { layers = {} }

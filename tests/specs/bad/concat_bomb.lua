-- Bad spec: doubles a string until memory runs out.
local text = "x"
while true do
  text = text .. text
end

-- Bad spec: two instructions per loop, each comparing two 64 MB strings (milliseconds each).
local s = "x"
for _ = 1, 26 do s = s .. s end
local a, b = s .. "a", s .. "b"
while a < b do end
return { layers = {} }

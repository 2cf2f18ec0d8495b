-- Bad spec: Lua's own message quotes a field name that holds a line break.
local helpers = {}
return { layers = { helpers["make\nlayer"]("conv1") } }

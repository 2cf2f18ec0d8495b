-- Bad spec: tries to load a library.
local lfs = require("lfs")
return { layers = { lfs } }

-- Good spec: the sandbox exposes no library; the layer's name records whether anything leaked.
local leaked = print or string or table or math or load or dofile or loadfile or require or os or io
  or debug or package or coroutine or utf8 or _G or setmetatable or getmetatable or rawset or rawget
  or collectgarbage or pcall or error or pairs or ipairs
return {
  layers = {
    { name = leaked and "leaked" or "isolated", input = { c = 1, h = 1, w = 1 }, filters = 1, kernel = 1 },
  },
}

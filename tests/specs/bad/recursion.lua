-- Bad spec: non-tail recursion until the Lua stack runs out.
local function depth(n)
  return 1 + depth(n + 1)
end
return { layers = depth(1) }

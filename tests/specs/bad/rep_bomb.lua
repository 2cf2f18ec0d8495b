-- Bad spec: tries to build a 10 GB string with string.rep through the string metatable.
local huge = ("x"):rep(1e10)
return { prefix = huge, layers = {} }

-- Worst-case stack depth of functions from gcc's -fcallgraph-info=su call graphs (.ci files).
--
-- gcc writes one graph per object: a node per function with its frame ("N bytes
-- (static)", "(dynamic,bounded)" with a bound, "(dynamic)" unbounded: alloca or
-- VLAs), an edge per call. Global
-- functions are titled by name, static ones "file:name", so the graphs of a layer
-- and of the runtime's GEMM join on the GEMM's name. Calls to functions no graph
-- defines (memcpy, memset, libgcc helpers) count as zero bytes.

local callgraph = {}

-- Reads .ci files into { frame = {title = bytes}, dynamic = {title = true}, calls = {title = {callee...}} }.
function callgraph.read(files)
  local g = { frame = {}, dynamic = {}, calls = {}, globals = {} }
  for _, file in ipairs(files) do
    local f = io.open(file)
    if not f then return nil, "no call graph " .. file .. " (does the compiler support -fcallgraph-info?)" end
    for line in f:lines() do
      local title, label = line:match('^node: { title: "([^"]+)" label: "([^"]*)"')
      if title then
        local bytes, kind = label:match("\\n(%d+) bytes %(([%a,]+)%)")
        if bytes then
          g.frame[title] = tonumber(bytes)
          -- "dynamic,bounded" (e.g. x86 realigning the stack) has this bound; plain "dynamic" has none.
          if kind == "dynamic" then g.dynamic[title] = true end
          if not title:find(":", 1, true) then g.globals[#g.globals + 1] = title end
        end
      end
      local from, to = line:match('^edge: { sourcename: "([^"]+)" targetname: "([^"]+)"')
      if from then
        g.calls[from] = g.calls[from] or {}
        g.calls[from][to] = true
      end
    end
    f:close()
  end
  return g
end

-- Deepest stack from `title`: its frame plus its deepest callee's. Recursion
-- (which generated code never has) is reported as math.huge.
function callgraph.depth(g, title, seen)
  seen = seen or {}
  if seen[title] then return math.huge end
  local own = g.frame[title]
  if not own then return 0 end
  seen[title] = true
  local deepest = 0
  for callee in pairs(g.calls[title] or {}) do
    deepest = math.max(deepest, callgraph.depth(g, callee, seen))
  end
  seen[title] = nil
  return own + deepest
end

-- The deepest of the global functions whose names start with `prefix`, and whether any frame on
-- the way is dynamic (then the figure is a lower bound).
function callgraph.deepest_entry(g, prefix)
  local worst, dynamic = 0, false
  for _, name in ipairs(g.globals) do
    if name:sub(1, #prefix) == prefix then worst = math.max(worst, callgraph.depth(g, name)) end
  end
  for title in pairs(g.dynamic) do
    dynamic = dynamic or title:find(prefix, 1, true) ~= nil
  end
  return worst, dynamic
end

return callgraph

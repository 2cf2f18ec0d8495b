-- Tests scripts/callgraph.lua (stack depths) on hand-made and gcc-made call graphs, and the size report end to end.
--
--   lua5.4 tests/size/test_size_report.lua ROOT WORK_DIR

local root, work = arg[1], arg[2]
assert(root and work, "usage: lua5.4 test_size_report.lua ROOT WORK_DIR")
package.path = root .. "/scripts/?.lua;" .. package.path
local callgraph = require("callgraph")

local failures = 0
local function check(ok, message)
  if not ok then
    failures = failures + 1
    io.stderr:write("FAIL: ", message, "\n")
  end
end
local function sh(cmd)
  local ok = os.execute(cmd)
  if not ok then error("command failed: " .. cmd) end
end
local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

sh("rm -rf '" .. work .. "' && mkdir -p '" .. work .. "'")

-- 1. A hand-made graph: entry -> helper -> cg_gemm_f32 (another file), helper -> memset (not counted).
write(work .. "/layer.ci", table.concat({
  'graph: { title: "l.c"',
  'node: { title: "m_x_conv" label: "m_x_conv\\nl.c:9:5\\n40 bytes (static)" }',
  'node: { title: "l.c:helper" label: "helper\\nl.c:3:13\\n24 bytes (dynamic,bounded)" }',
  'node: { title: "cg_gemm_f32" label: "cg_gemm_f32\\n<built-in>" shape : ellipse }',
  'node: { title: "memset" label: "__builtin_memset\\n<built-in>" shape : ellipse }',
  'edge: { sourcename: "m_x_conv" targetname: "l.c:helper" label: "l.c:10:3" }',
  'edge: { sourcename: "l.c:helper" targetname: "cg_gemm_f32" label: "l.c:4:3" }',
  'edge: { sourcename: "l.c:helper" targetname: "memset" label: "l.c:5:3" }',
  'node: { title: "m_x_im2col" label: "m_x_im2col\\nl.c:20:6\\n16 bytes (dynamic)" }',
  "}", "" }, "\n"))
write(work .. "/gemm.ci", table.concat({
  'graph: { title: "g.c"',
  'node: { title: "cg_gemm_f32" label: "cg_gemm_f32\\ng.c:1:6\\n1000 bytes (static)" }',
  "}", "" }, "\n"))
local g = assert(callgraph.read({ work .. "/layer.ci", work .. "/gemm.ci" }))
check(callgraph.depth(g, "m_x_conv") == 1064, "conv -> helper -> gemm should be 40 + 24 + 1000, not "
  .. tostring(callgraph.depth(g, "m_x_conv")))
local worst, dynamic = callgraph.deepest_entry(g, "m_x_")
check(worst == 1064, "deepest entry of m_x_ should be 1064, not " .. tostring(worst))
check(dynamic, "m_x_im2col's unbounded dynamic frame should be reported")
check(not g.dynamic["l.c:helper"], "a dynamic,bounded frame has a bound")
local g_alone = assert(callgraph.read({ work .. "/layer.ci" }))
check(callgraph.depth(g_alone, "m_x_conv") == 64, "without the GEMM's graph its call counts zero")
g.calls["cg_gemm_f32"] = { ["m_x_conv"] = true }
check(callgraph.depth(g, "m_x_conv") == math.huge, "recursion must not pass for a finite depth")

-- 2. gcc's own graph of a three-deep chain equals the sum of its -fstack-usage frames.
write(work .. "/chain.c", [[
/* Three frames, none inlined. */
__attribute__((noinline)) static int leaf(volatile int *p) { volatile int a[40]; a[3] = *p; return a[3]; }
__attribute__((noinline)) static int mid(volatile int *p) { volatile int b[20]; b[1] = leaf(p); return b[1]; }
int chain_top(volatile int *p);
int chain_top(volatile int *p) { volatile int c[8]; c[0] = mid(p); return c[0]; }
]])
sh(string.format("cd '%s' && cc -O2 -fstack-usage -fcallgraph-info=su -c chain.c -o chain.o", work))
local su = 0
for line in io.lines(work .. "/chain.su") do su = su + tonumber(line:match("\t(%d+)\t")) end
local chain = assert(callgraph.read({ work .. "/chain.ci" }))
check(callgraph.depth(chain, "chain_top") == su, string.format("chain_top: call graph %s bytes, .su frames %d",
  tostring(callgraph.depth(chain, "chain_top")), su))

-- 3. The report end to end on the consumer test's two-layer spec (no timing).
sh(string.format("lua5.4 '%s/scripts/size_report.lua' '%s/tests/consumers/spec.lua' --out '%s/report' --no-timing "
  .. ">'%s/report.log' 2>&1", root, root, work, work))
local json = assert(io.open(work .. "/report/sizes.json")):read("a")
local layers = 0
for entry in json:gmatch('{ "name": (.-) }') do
  layers = layers + 1
  local bytes = tonumber(entry:match('"spec_host_Os_bytes": (%d+)'))
  local stack = tonumber(entry:match('"spec_host_Os_stack_bytes": (%d+)'))
  check(bytes and bytes > 0, "layer " .. entry:match('^"([^"]+)"') .. ": no host -Os code bytes")
  check(stack and stack > 0, "layer " .. entry:match('^"([^"]+)"') .. ": no host -Os stack bytes")
end
check(layers == 2, "the report should list 2 layers, not " .. layers)
local previous
for budget, workspace, code, stack in json:gmatch(
    '"budget": ([^,]+), "peak_workspace_bytes": (%d+), "code_bytes": (%d+), "stack_bytes": (%d+)') do
  workspace, code, stack = tonumber(workspace), tonumber(code), tonumber(stack)
  check(code > 0 and stack > 0, "budget " .. budget .. ": no code or stack bytes")
  check(not previous or workspace <= previous, "budget " .. budget .. ": a smaller budget took more workspace")
  previous = workspace
end
check(previous ~= nil, "the report has no budget rows")
local md = assert(io.open(work .. "/report/sizes.md")):read("a")
check(md:find("Stack bytes per layer", 1, true) and md:find("Workspace budget versus code size", 1, true),
  "sizes.md lacks the stack or the budget section")

if failures > 0 then
  io.stderr:write(failures, " check(s) failed\n")
  os.exit(1)
end
print("size report: call graphs and the report OK")

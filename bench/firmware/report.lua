-- bench/firmware/report.lua: the firmware benchmark's QEMU log, linker map and call graphs as one results table.
--
--   lua5.4 report.lua --log RUN.log --map IMAGE.map --callgraph OBJDIR [--flags TEXT] [--budget BYTES]
--                     [--dtype f32|s8] [--published CMSIS_NN_FILE]
--
-- Per layer: MACs and instructions (from the log), instructions per MAC, code bytes
-- (the layer object's .text.* input sections the linker kept, from the map), workspace
-- bytes (the generated P_WORKSPACE_BYTES, printed by the firmware), static stack depth
-- (the deepest call chain from P_conv in the -fcallgraph-info=su graphs, frames as
-- -fstack-usage counts them; library calls such as memcpy count 0 and are named) and
-- the stack the run actually touched (painted window). Exit status 1 when a layer did
-- not pass, the calibration line is missing, or an input cannot be read.
-- For s8, --published adds CMSIS-NN's instructions per MAC as issue 11 publishes them
-- (cmsis_nn_published.txt: not measured here) and convgen's ratio to them.

local function fail(message)
  io.stderr:write("report.lua: ", message, "\n")
  os.exit(1)
end

local function parse_args(argv)
  local opts = {}
  local i = 1
  while i <= #argv do
    local key = argv[i]:match("^%-%-(%w+)$")
    if not key or argv[i + 1] == nil then fail("bad argument " .. argv[i]) end
    opts[key] = argv[i + 1]
    i = i + 2
  end
  if not (opts.log and opts.map and opts.callgraph) then fail("--log, --map and --callgraph are required") end
  return opts
end

local function read_lines(path)
  local f = io.open(path, "r")
  if not f then fail("cannot read " .. path) end
  local lines = {}
  for line in f:lines() do lines[#lines + 1] = line end
  f:close()
  return lines
end

-- LAYER lines of the firmware, in order, and its calibration line.
local function parse_log(path)
  local layers, calibration, summary = {}, nil, nil
  for _, line in ipairs(read_lines(path)) do
    if line:match("^LAYER ") then
      local l = { name = line:match("^LAYER (%S+)") }
      for key, value in line:gmatch("(%a[%w_]*) (%S+)") do
        if key ~= "LAYER" then l[key] = tonumber(value) or value end
      end
      l.pass = line:match(" PASS$") ~= nil
      layers[#layers + 1] = l
    elseif line:match("^calibration: ") then
      calibration = line
    elseif line:match("^bench: ") then
      summary = line
    end
  end
  return layers, calibration, summary
end

-- Bytes of kept .text.* input sections per object file (basename without .o).
local function parse_map(path)
  local bytes, in_map, pending = {}, false, nil
  local function add(object, size)
    local name = object:match("([^/]+)%.o$")
    if name then bytes[name] = (bytes[name] or 0) + tonumber(size, 16) end
  end
  for _, line in ipairs(read_lines(path)) do
    if line:match("^Linker script and memory map") then
      in_map = true
    elseif in_map then
      local section, rest = line:match("^ (%.text%.%S+)(.*)$")
      if section then
        local size, object = rest:match("^%s+0x%x+%s+0x(%x+)%s+(%S+)$")
        if size then add(object, size) else pending = true end
      elseif pending then
        local size, object = line:match("^%s+0x%x+%s+0x(%x+)%s+(%S+)$")
        if size then add(object, size) end
        pending = nil
      end
    end
  end
  return bytes
end

-- Nodes (title -> frame bytes, or false for library functions) and edges of every .ci file.
local function parse_callgraphs(dir)
  local nodes, edges = {}, {}
  local listing = io.popen('ls "' .. dir .. '"')
  if not listing then fail("cannot list " .. dir) end
  for file in listing:lines() do
    if file:match("%.ci$") then
      for _, line in ipairs(read_lines(dir .. "/" .. file)) do
        local title, label = line:match('^node: { title: "([^"]*)" label: "([^"]*)"')
        if title then
          local frame = label:match("\\n(%d+) bytes")
          if frame then
            nodes[title] = tonumber(frame)
          elseif nodes[title] == nil then
            nodes[title] = false
          end
        end
        local from, to = line:match('^edge: { sourcename: "([^"]*)" targetname: "([^"]*)"')
        if from then
          edges[from] = edges[from] or {}
          edges[from][#edges[from] + 1] = to
        end
      end
    end
  end
  listing:close()
  return nodes, edges
end

-- Deepest chain from root: frame bytes summed, and the library functions reached.
local function stack_depth(nodes, edges, root)
  local memo, external = {}, {}
  local function depth(name, visiting)
    if memo[name] then return memo[name] end
    if visiting[name] then fail("recursive call chain through " .. name) end
    local frame = nodes[name]
    if not frame then
      external[name] = true
      return 0
    end
    visiting[name] = true
    local deepest = 0
    for _, callee in ipairs(edges[name] or {}) do
      local d = depth(callee, visiting)
      if d > deepest then deepest = d end
    end
    visiting[name] = nil
    memo[name] = frame + deepest
    return memo[name]
  end
  local total = depth(root, {})
  local names = {}
  for name in pairs(external) do names[#names + 1] = name end
  table.sort(names)
  return total, names
end

-- CMSIS-NN's published figures: layer -> text ("4.77", "3.2-4.3" or "-"), and the geometric mean.
local function parse_published(path)
  local by_layer = {}
  for _, line in ipairs(read_lines(path)) do
    local name, value = line:match("^(%S+)%s+(%S+)")
    if name and not name:match("^#") then by_layer[name] = value end
  end
  return by_layer
end

local function main(argv)
  local opts = parse_args(argv)
  local layers, calibration, summary = parse_log(opts.log)
  if not calibration then fail(opts.log .. ": no calibration line (did the firmware run?)") end
  if #layers == 0 then fail(opts.log .. ": no LAYER lines") end
  local code = parse_map(opts.map)
  local nodes, edges = parse_callgraphs(opts.callgraph)

  local out = {}
  local function say(...) out[#out + 1] = string.format(...) end
  local dtype = opts.dtype or "f32"
  local published = dtype == "s8" and opts.published and opts.published ~= "none"
    and parse_published(opts.published) or nil
  say("# convgen firmware benchmark: %s on Cortex-M4F (qemu-system-arm -M mps2-an386 -icount shift=0,sleep=off)",
    dtype)
  say("# kernels: --no-simd --workspace-budget %s; arm-none-eabi-gcc %s", opts.budget or "?", opts.flags or "?")
  say("# instructions = FPGAIO counter ticks x 40 (instructions, not cycles); %s", calibration)
  say("# code: the layer object's linked .text bytes (the shared runtime, e.g. cg_gemm_f32, in the line below)")
  say("# stack: deepest static call chain from P_conv (-fcallgraph-info=su), then the bytes the run touched")
  if published then
    say("# CMSIS-NN: instructions per MAC as PUBLISHED in issue 11 (%s), not re-measured; ratio = convgen / CMSIS-NN",
      opts.published:match("[^/]+$"))
  end
  say("")
  say("%-18s %9s %12s %9s %7s %9s %12s %8s %s%s", "layer", "MACs", "instructions", "instr/MAC", "code",
      "workspace", "stack static", "touched", "check", published and "  CMSIS-NN(pub)  ratio" or "")
  local log_sum, all_pass, externals_seen = 0.0, true, {}
  for _, l in ipairs(layers) do
    local per_mac = l.instructions / l.macs
    log_sum = log_sum + math.log(per_mac)
    local static, external = stack_depth(nodes, edges, l.name .. "_conv")
    for _, name in ipairs(external) do externals_seen[name] = true end
    all_pass = all_pass and l.pass
    local extra = ""
    if published then
      local value = published[l.name:gsub("^fwb_", "")] or "-"
      local single = tonumber(value)
      extra = string.format("  %13s  %5s", value, single and string.format("%.2f", per_mac / single) or "-")
    end
    say("%-18s %9d %12d %9.2f %7d %9d %12d %8d %s%s", l.name, l.macs, l.instructions, per_mac,
        code[l.name] or 0, l.workspace, static, l.stack, l.pass and "PASS" or "FAIL", extra)
  end
  local runtime = (code.gemm_portable or 0) + (code.sizes or 0)
  local names = {}
  for name in pairs(externals_seen) do names[#names + 1] = name end
  table.sort(names)
  say("")
  local mean = math.exp(log_sum / #layers)
  say("geometric mean over %d layers: %.2f instructions per MAC", #layers, mean)
  local published_mean = published and tonumber(published.geomean)
  if published_mean then
    say("CMSIS-NN published geometric mean %.2f: convgen / CMSIS-NN = %.2f (target <= 0.75)",
      published_mean, mean / published_mean)
  end
  say("runtime code linked (gemm_portable.c, sizes.c): %d bytes", runtime)
  say("library calls counted as 0 in the static stack: %s", #names > 0 and table.concat(names, ", ") or "none")
  say("%s", summary or "bench: no summary line")
  io.write(table.concat(out, "\n"), "\n")
  if not all_pass or not summary then os.exit(1) end
end

main(arg)

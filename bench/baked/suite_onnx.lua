-- Writes bench_shapes.csv layers as an ONNX model (a Conv per layer, seeded random weights) for the baked bench.
--
-- usage: lua5.4 bench/baked/suite_onnx.lua CSV LAYOUT OUT.onnx SUITE...
-- Writes the f32 rows of the named suites whose layout is LAYOUT, each as its own graph
-- input -> Conv (+ Relu, or Clip(0, 6) for relu6) -> graph output, so the importer turns
-- each into one layer with baked weights. No Python: the protobuf wire format by hand.

local csv_path, layout, out_path = arg[1], arg[2], arg[3]
if not (csv_path and layout and out_path and arg[4]) then
  io.stderr:write("usage: lua5.4 bench/baked/suite_onnx.lua CSV LAYOUT OUT.onnx SUITE...\n")
  os.exit(2)
end
local wanted = {}
for i = 4, #arg do wanted[arg[i]] = true end

-- Protobuf encoding ---------------------------------------------------------------

local function varint(n)
  local bytes = {}
  repeat
    local b = n & 0x7f
    n = n >> 7
    if n ~= 0 then b = b | 0x80 end
    bytes[#bytes + 1] = string.char(b)
  until n == 0
  return table.concat(bytes)
end

local function field_varint(number, n) return varint(number << 3) .. varint(n) end
local function field_bytes(number, s) return varint((number << 3) | 2) .. varint(#s) .. s end

local FLOAT, ATTR_INTS, ATTR_INT = 1, 7, 2

local function ints_attribute(name, values)
  local parts = { field_bytes(1, name), field_varint(20, ATTR_INTS) }
  for _, v in ipairs(values) do parts[#parts + 1] = field_varint(8, v) end
  return table.concat(parts)
end

local function int_attribute(name, value)
  return field_bytes(1, name) .. field_varint(20, ATTR_INT) .. field_varint(3, value)
end

local function node(op, name, inputs, outputs, attributes)
  local parts = {}
  for _, i in ipairs(inputs) do parts[#parts + 1] = field_bytes(1, i) end
  for _, o in ipairs(outputs) do parts[#parts + 1] = field_bytes(2, o) end
  parts[#parts + 1] = field_bytes(3, name)
  parts[#parts + 1] = field_bytes(4, op)
  for _, a in ipairs(attributes or {}) do parts[#parts + 1] = field_bytes(5, a) end
  return table.concat(parts)
end

local function tensor(name, dims, values)
  local parts = {}
  for _, d in ipairs(dims) do parts[#parts + 1] = field_varint(1, d) end
  parts[#parts + 1] = field_varint(2, FLOAT)
  parts[#parts + 1] = field_bytes(8, name)
  local raw = {}
  for i, v in ipairs(values) do raw[i] = string.pack("<f", v) end
  parts[#parts + 1] = field_bytes(9, table.concat(raw))
  return table.concat(parts)
end

local function value_info(name, dims)
  local shape = {}
  for _, d in ipairs(dims) do shape[#shape + 1] = field_bytes(1, field_varint(1, d)) end
  local tensor_type = field_varint(1, FLOAT) .. field_bytes(2, table.concat(shape))
  return field_bytes(1, name) .. field_bytes(2, field_bytes(1, tensor_type))
end

-- The layers -------------------------------------------------------------------------

local function split(line)
  local fields = {}
  for f in (line .. ","):gmatch("([^,]*),") do fields[#fields + 1] = f end
  return fields
end

local rows, header = {}, nil
for line in io.lines(csv_path) do
  if line ~= "" and not line:match("^#") then
    local f = split(line)
    if not header then
      header = f
    else
      local r = {}
      for i, key in ipairs(header) do r[key] = tonumber(f[i]) or f[i] end
      if wanted[r.suite] and r.layout == layout and r.dtype == "f32" then rows[#rows + 1] = r end
    end
  end
end
if #rows == 0 then
  io.stderr:write("suite_onnx.lua: no f32 ", layout, " rows of the named suites in ", csv_path, "\n")
  os.exit(1)
end

-- A fixed linear congruential sequence: the same weights on every run.
local state = 12345
local function random()
  state = (state * 1103515245 + 12345) % 2147483648
  return state / 2147483648 - 0.5
end

local nodes, initializers, inputs, outputs = {}, {}, {}, {}
for _, r in ipairs(rows) do
  local oh = (r.h + r.pt + r.pb - r.dh * (r.kh - 1) - 1) // r.sh + 1
  local ow = (r.w + r.pl + r.pr - r.dw * (r.kw - 1) - 1) // r.sw + 1
  local cg = r.c // r.groups
  local weights = {}
  for i = 1, r.m * cg * r.kh * r.kw do weights[i] = random() * 2 / math.sqrt(cg * r.kh * r.kw) end
  initializers[#initializers + 1] = tensor(r.name .. "_w", { r.m, cg, r.kh, r.kw }, weights)
  local conv_inputs = { r.name .. "_x", r.name .. "_w" }
  if r.bias == 1 then
    local bias = {}
    for i = 1, r.m do bias[i] = random() * 0.1 end
    initializers[#initializers + 1] = tensor(r.name .. "_b", { r.m }, bias)
    conv_inputs[3] = r.name .. "_b"
  end
  local y = r.name .. "_y"
  local conv_out = r.activation == "none" and y or (r.name .. "_conv")
  nodes[#nodes + 1] = node("Conv", r.name, conv_inputs, { conv_out }, {
    ints_attribute("kernel_shape", { r.kh, r.kw }), ints_attribute("strides", { r.sh, r.sw }),
    ints_attribute("dilations", { r.dh, r.dw }), ints_attribute("pads", { r.pt, r.pl, r.pb, r.pr }),
    int_attribute("group", r.groups) })
  if r.activation == "relu" then
    nodes[#nodes + 1] = node("Relu", r.name .. "_relu", { conv_out }, { y })
  elseif r.activation == "relu6" then
    initializers[#initializers + 1] = tensor(r.name .. "_lo", {}, { 0 })
    initializers[#initializers + 1] = tensor(r.name .. "_hi", {}, { 6 })
    nodes[#nodes + 1] = node("Clip", r.name .. "_clip", { conv_out, r.name .. "_lo", r.name .. "_hi" }, { y })
  elseif r.activation ~= "none" then
    io.stderr:write("suite_onnx.lua: ", r.name, ": activation ", r.activation, " is not written\n")
    os.exit(1)
  end
  inputs[#inputs + 1] = value_info(r.name .. "_x", { r.n, r.c, r.h, r.w })
  outputs[#outputs + 1] = value_info(y, { r.n, r.m, oh, ow })
end

local graph = { field_bytes(2, "bench_suite") }
for _, n in ipairs(nodes) do graph[#graph + 1] = field_bytes(1, n) end
for _, t in ipairs(initializers) do graph[#graph + 1] = field_bytes(5, t) end
for _, v in ipairs(inputs) do graph[#graph + 1] = field_bytes(11, v) end
for _, v in ipairs(outputs) do graph[#graph + 1] = field_bytes(12, v) end
local model = field_varint(1, 8) .. field_bytes(7, table.concat(graph))
  .. field_bytes(8, field_bytes(1, "") .. field_varint(2, 13))

local file = assert(io.open(out_path, "wb"))
file:write(model)
file:close()

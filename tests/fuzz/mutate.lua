-- Spec fuzzer: small random layers, mutations at and past the documented limits, their Lua source text.
local limits = require("generator.spec_limits")

local mutate = {}

local LAYER_KEYS = {
  "op", "name", "layout", "dtype", "input", "filters", "kernel", "stride", "dilation", "padding", "output_padding",
  "groups", "bias", "activation", "unroll", "backward",
}
local OPS = { "conv2d", "conv_transpose2d", "conv1d", "conv_transpose1d" }

local function pick(list)
  return list[math.random(#list)]
end

-- Values at and just past every limit, and the classic troublemakers.
local BOUNDARY = {
  0, -1, 1, 2, 0.5, -0.0, 1e308, -1e308, 1 / 0, -1 / 0, 0 / 0, 2147483647, 2147483648, 9007199254740993,
  math.maxinteger, math.mininteger, limits.max_kernel_taps, limits.max_kernel_taps + 1, limits.max_stride,
  limits.max_stride + 1, limits.max_dilation + 1, limits.max_extra_padding, limits.max_extra_padding + 1,
  65535, 65536, 1048576, 3.0,
}
local NAMES = {
  "_", "_X", "__a", "_1", "int", "in", "model", "Model", "a-b", "", "\195\169t\195\169", "a b", "conv1", "l1",
  "a\nb", "restrict", "_Bool", "x" .. string.rep("y", 190), string.rep("n", 260),
}
local WORDS = { "NCHW", "NHWC", "nchw", "f32", "f64", "f16", "same", "valid", "relu", "relu6", "clamp", "full",
  "auto", "loops", "conv2d", "conv1d", "conv3d", "none", "l1", "l2", "l9" }

local function random_pair(low, high)
  if math.random() < 0.5 then
    return math.random(low, high)
  end
  return { math.random(low, high), math.random(low, high) }
end

-- A small layer that is usually valid: the mutations make it interesting.
function mutate.layer(index)
  local op = math.random() < 0.7 and pick({ "conv2d", "conv1d" }) or pick(OPS)
  local one_d = op == "conv1d" or op == "conv_transpose1d"
  local groups = pick({ 1, 1, 1, 2 })
  local layer = {
    name = "l" .. index, op = op, filters = groups * math.random(1, 4),
    layout = pick({ "NCHW", "NHWC" }), dtype = pick({ "f32", "f64" }),
    bias = pick({ true, false }), activation = pick({ "none", "relu", "relu6", { "clamp", -0.5, 0.75 } }),
    unroll = pick({ "auto", "loops", "full" }), groups = groups,
  }
  if one_d then
    layer.input = { c = groups * math.random(1, 3), w = math.random(4, 24) }
    layer.kernel, layer.stride, layer.dilation = math.random(1, 3), math.random(1, 2), math.random(1, 2)
    layer.padding = pick({ 0, 1, "same", "valid", { 0, 1 } })
  else
    layer.input = { c = groups * math.random(1, 3), h = math.random(3, 12), w = math.random(3, 12) }
    layer.kernel, layer.stride, layer.dilation = random_pair(1, 3), random_pair(1, 2), random_pair(1, 2)
    layer.padding = pick({ 0, 1, "same", "valid", { 1, 0 }, { top = 0, bottom = 1, left = 1, right = 0 } })
  end
  if op:find("transpose") then
    layer.padding = pick({ 0, 1 })
    if layer.padding ~= 0 and one_d then layer.padding = { 0, 1 } end
  elseif math.random() < 0.2 then
    layer.backward = true
  end
  return layer
end

local function deep(depth)
  local value = {}
  for _ = 1, depth do
    value = { value }
  end
  return value
end

-- A random wrong or extreme value for any key.
local function strange_value()
  local kind = math.random(10)
  if kind <= 4 then
    return pick(BOUNDARY)
  elseif kind == 5 then
    return pick(WORDS)
  elseif kind == 6 then
    return pick({ true, false })
  elseif kind == 7 then
    return { pick(BOUNDARY), pick(BOUNDARY) }
  elseif kind == 8 then
    return deep(math.random(1, 40))
  elseif kind == 9 then
    return string.rep("s", math.random(1000, 200000))
  end
  return { top = pick(BOUNDARY), bottom = 0, left = pick(BOUNDARY), right = 1, extra = pick(WORDS) }
end

local function copy(value)
  if type(value) ~= "table" then
    return value
  end
  local result = {}
  for key, item in pairs(value) do
    result[key] = item == mutate.BIG and item or copy(item)
  end
  return result
end

-- A layer table of the spec to mutate (a scratch table when layers is not an array of tables).
local function some_layer(spec)
  local layers = type(spec.layers) == "table" and spec.layers or {}
  local layer = #layers > 0 and layers[math.random(#layers)]
  return type(layer) == "table" and layer or {}
end

local MUTATIONS = {
  function(spec) -- a key set to a boundary or wrong value
    local layer = some_layer(spec)
    layer[pick(LAYER_KEYS)] = strange_value()
  end,
  function(spec) -- an input size at a boundary
    local layer = some_layer(spec)
    if type(layer.input) == "table" then
      layer.input[pick({ "n", "c", "h", "w", "d" })] = pick(BOUNDARY)
    end
  end,
  function(spec) -- names
    some_layer(spec).name = pick(NAMES)
  end,
  function(spec) -- a key removed
    some_layer(spec)[pick(LAYER_KEYS)] = nil
  end,
  function(spec) -- a misspelled key
    local layer = some_layer(spec)
    local key = pick(LAYER_KEYS)
    layer[key:sub(2) .. key:sub(1, 1)] = layer[key]
  end,
  function(spec) -- padding at and past the limit
    local layer = some_layer(spec)
    local extra = limits.max_extra_padding + math.random(-1, 1)
    layer.padding = { top = extra, bottom = 0, left = math.random(0, 2), right = extra + 2 }
  end,
  function(spec) -- kernel taps at and past the limit
    some_layer(spec).kernel = pick({ { 256, 256 }, { 256, 257 }, { 1, limits.max_kernel_taps + 1 }, 65536 })
  end,
  function(spec) -- connected inputs: earlier, later, unknown, itself
    local index = math.random(3)
    some_layer(spec).input = pick({ "l1", "l" .. (index - 1), "l" .. (index + 1), "l" .. index, "nope", "" })
  end,
  function(spec) -- defaults
    spec.defaults = { layout = pick(WORDS), dtype = pick({ "f32", "f64", "f16" }), activation = pick(WORDS) }
    if math.random() < 0.3 then spec.defaults[pick(LAYER_KEYS)] = strange_value() end
  end,
  function(spec) -- prefix
    spec.prefix = pick({ "p_", "_p", "in", "", string.rep("q", 240), 7, "a-b" })
  end,
  function(spec) -- duplicate layers, up to and past the layer limit
    if type(spec.layers) == "table" and #spec.layers > 0 then
      local count = pick({ 2, 3, limits.max_layers // #spec.layers, limits.max_layers // #spec.layers + 1 })
      spec.repeat_layers = count
    end
  end,
  function(spec) -- a whole layer replaced
    if type(spec.layers) == "table" then
      spec.layers[math.random(#spec.layers + 1)] = strange_value()
    end
  end,
  function(spec) -- a huge table, built by a loop in the spec (up to and past the value limit)
    spec.big_table = pick({ 1000, 100000, limits.max_values + 1 })
    some_layer(spec)[pick(LAYER_KEYS)] = mutate.BIG
  end,
  function(spec) -- the layers container itself
    spec.layers = pick({ {}, "layers", { [0] = mutate.layer(0) }, { x = mutate.layer(1) } })
  end,
}

-- A spec table: a few layers, mutated `rounds` times (0: left as generated).
function mutate.spec(rounds)
  local spec = { prefix = "fz_", layers = {} }
  for index = 1, math.random(1, 3) do
    spec.layers[index] = mutate.layer(index)
  end
  for _ = 1, rounds do
    pick(MUTATIONS)(spec)
  end
  return spec
end

---------------------------------------------------------------------------
-- Source text
---------------------------------------------------------------------------

local function number_text(value)
  if value ~= value then
    return "(0/0)"
  elseif value == 1 / 0 then
    return "(1/0)"
  elseif value == -1 / 0 then
    return "(-1/0)"
  elseif math.type(value) == "integer" then
    return value == math.mininteger and "math_mininteger" or string.format("%d", value)
  end
  return string.format("%.17g", value)
end

-- Stands for the table the spec builds with a loop (see mutate.source).
mutate.BIG = setmetatable({}, { __name = "big table" })

local function value_text(value, indent)
  if value == mutate.BIG then
    return "big"
  end
  local kind = type(value)
  if kind == "number" then
    return number_text(value)
  elseif kind == "string" then
    return string.format("%q", value)
  elseif kind ~= "table" then
    return tostring(value)
  end
  local parts = {}
  for index = 1, #value do
    parts[#parts + 1] = value_text(value[index], indent)
  end
  local keys = {}
  for key in pairs(value) do
    if not (math.type(key) == "integer" and key >= 1 and key <= #value) then
      keys[#keys + 1] = key
    end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, key in ipairs(keys) do
    local key_text = type(key) == "string" and key:match("^[%a_][%w_]*$") and key
      or "[" .. value_text(key, indent) .. "]"
    parts[#parts + 1] = key_text .. " = " .. value_text(value[key], indent)
  end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

-- Lua source for `spec`: a literal table, one layer per line, or built by a loop when
-- the spec repeats its layers.
function mutate.source(spec)
  local lines = { "-- fuzzed spec", "local math_mininteger = 1 << 63", "local big = {}" }
  if spec.big_table then
    lines[#lines + 1] = string.format("for i = 1, %d do big[i] = i end", spec.big_table)
    spec.big_table = nil
  end
  local repeats = spec.repeat_layers
  spec.repeat_layers = nil
  if repeats then
    lines[#lines + 1] = "local base = " .. value_text(spec.layers, "")
    lines[#lines + 1] = "local layers = {}"
    lines[#lines + 1] = string.format("for i = 1, %d do", repeats * #spec.layers)
    lines[#lines + 1] = "  local l = base[(i - 1) % #base + 1]"
    lines[#lines + 1] = "  layers[i] = { name = 'r' .. i, op = l.op, input = l.input, filters = l.filters,"
      .. " kernel = l.kernel, stride = l.stride, padding = l.padding, layout = l.layout, dtype = l.dtype }"
    lines[#lines + 1] = "end"
    spec.layers = nil
    lines[#lines + 1] = "local spec = " .. value_text(spec, "")
    lines[#lines + 1] = "spec.layers = layers"
    lines[#lines + 1] = "return spec"
    return table.concat(lines, "\n") .. "\n"
  end
  lines[#lines + 1] = "return {"
  for _, key in ipairs({ "prefix", "defaults" }) do
    local value = spec[key]
    if value ~= nil then
      lines[#lines + 1] = string.format("  %s = %s,", key, value_text(value, ""))
    end
  end
  if type(spec.layers) == "table" and #spec.layers > 0 then
    lines[#lines + 1] = "  layers = {"
    for _, layer in ipairs(spec.layers) do
      lines[#lines + 1] = "    " .. value_text(layer, "") .. ","
    end
    lines[#lines + 1] = "  },"
  elseif spec.layers ~= nil then
    lines[#lines + 1] = "  layers = " .. value_text(spec.layers, "") .. ","
  end
  lines[#lines + 1] = "}"
  return table.concat(lines, "\n") .. "\n"
end

-- Damages source text: truncation, a random byte run, or a duplicated slice.
function mutate.damage(text)
  local at = math.random(1, math.max(#text, 1))
  local kind = math.random(3)
  if kind == 1 then
    return text:sub(1, at)
  elseif kind == 2 then
    local bytes = {}
    for index = 1, math.random(1, 8) do
      bytes[index] = string.char(math.random(0, 255))
    end
    return text:sub(1, at) .. table.concat(bytes) .. text:sub(at + 1)
  end
  local length = math.random(1, 40)
  return text:sub(1, at) .. text:sub(at, at + length) .. text:sub(at + 1)
end

mutate.copy = copy

return mutate

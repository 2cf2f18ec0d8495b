-- ONNX graph helpers: execution order (with cycle detection), constants, consumers and shape propagation.

local model_reader = require("generator.onnx.model")
local geometry = require("generator.geometry")

local graph = {}

local function node_label(node, index)
  if node.name ~= "" then
    return string.format("node '%s' (%s)", node.name, node.op_type)
  end
  return string.format("node #%d (%s)", index, node.op_type)
end
graph.node_label = node_label

-- Orders the nodes so every node comes after the producers of its inputs, keeping the
-- file's order where it already is one. Returns order (node indices) or nil, message.
function graph.order(g)
  local producer = {}
  for index, node in ipairs(g.nodes) do
    for _, name in ipairs(node.outputs) do
      if name ~= "" then
        if producer[name] then
          return nil, string.format("%s: output '%s' is also produced by %s", node_label(node, index), name,
            node_label(g.nodes[producer[name]], producer[name]))
        end
        producer[name] = index
      end
    end
  end
  local available = {}
  for _, input in ipairs(g.inputs) do available[input.name] = true end
  for name in pairs(g.initializers) do available[name] = true end
  local waiting = {}
  for index, node in ipairs(g.nodes) do
    local count = 0
    for _, name in ipairs(node.inputs) do
      if name ~= "" and not producer[name] then
        if not available[name] then
          return nil, string.format("%s: input '%s' is neither a graph input, an initializer nor any node's output",
            node_label(node, index), name)
        end
      elseif name ~= "" then
        count = count + 1
      end
    end
    waiting[index] = count
  end
  local consumers = {}
  for index, node in ipairs(g.nodes) do
    for _, name in ipairs(node.inputs) do
      local from = producer[name]
      if from then
        consumers[from] = consumers[from] or {}
        table.insert(consumers[from], index)
      end
    end
  end
  -- Kahn's algorithm in passes over the file's order: a sorted file (the usual case)
  -- takes one pass and keeps its order.
  local order, done = {}, {}
  while #order < #g.nodes do
    local taken = false
    for index = 1, #g.nodes do
      if not done[index] and waiting[index] == 0 then
        done[index], taken = true, true
        order[#order + 1] = index
        for _, consumer in ipairs(consumers[index] or {}) do
          waiting[consumer] = waiting[consumer] - 1
        end
      end
    end
    if not taken then
      local stuck = {}
      for index, node in ipairs(g.nodes) do
        if not done[index] then stuck[#stuck + 1] = node_label(node, index) end
        if #stuck == 3 then break end
      end
      return nil, "the graph has a cycle through " .. table.concat(stuck, ", ")
    end
  end
  return order, nil, producer
end

-- How many node inputs read each tensor; graph outputs count as readers too.
function graph.reader_counts(g)
  local counts = {}
  for _, node in ipairs(g.nodes) do
    for _, name in ipairs(node.inputs) do
      if name ~= "" then counts[name] = (counts[name] or 0) + 1 end
    end
  end
  for _, output in ipairs(g.outputs) do
    counts[output.name] = (counts[output.name] or 0) + 1
  end
  return counts
end

-- Constant tensors: initializers, Constant nodes' values and Identity of a constant.
-- Returns map name -> tensor (with :values()) and the set of node indices that only
-- compute constants.
function graph.constants(g, order)
  local constants, constant_nodes = {}, {}
  for name, tensor in pairs(g.initializers) do constants[name] = tensor end
  -- Graph inputs with an initializer default can be overridden at run time (IR >= 4);
  -- convgen bakes the initializer, as every exporter intends for weights.
  for _, index in ipairs(order) do
    local node = g.nodes[index]
    if node.domain == "" or node.domain == "ai.onnx" then
      if node.op_type == "Constant" and node.attributes.value and node.attributes.value.t then
        constants[node.outputs[1]] = node.attributes.value.t
        constant_nodes[index] = true
      elseif node.op_type == "Constant" then
        local attrs = node.attributes
        local scalar
        if attrs.value_float then scalar = { attrs.value_float.f } end
        if attrs.value_floats then scalar = attrs.value_floats.floats end
        if scalar then
          constants[node.outputs[1]] = { name = node.outputs[1], data_type = 1,
            dims = attrs.value_floats and { #scalar } or {}, values = function() return scalar end }
          constant_nodes[index] = true
        end
      elseif node.op_type == "Identity" and constants[node.inputs[1]] then
        constants[node.outputs[1]] = constants[node.inputs[1]]
        constant_nodes[index] = true
      end
    end
  end
  return constants, constant_nodes
end

---------------------------------------------------------------------------
-- Shape propagation
---------------------------------------------------------------------------

local function ints(node, name, default)
  local attr = node.attributes[name]
  if attr and #attr.ints > 0 then return attr.ints end
  return default
end

local function int(node, name, default)
  local attr = node.attributes[name]
  return attr and attr.i or default
end

local function copy(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  return out
end

local function broadcast(shapes)
  local rank = 0
  for _, s in ipairs(shapes) do
    if not s then return nil end
    rank = math.max(rank, #s)
  end
  local out = {}
  for axis = 1, rank do
    local size = 1
    for _, s in ipairs(shapes) do
      local d = s[#s - rank + axis]
      if d and d ~= 1 then
        if size ~= 1 and size ~= d then return nil end
        size = d
      end
    end
    out[axis] = size
  end
  return out
end

local function pool_shape(node, x, global)
  if not x or #x < 3 then return nil end
  local out = { x[1], x[2] }
  local spatial = #x - 2
  if global then
    for i = 1, spatial do out[i + 2] = 1 end
    return out
  end
  local kernel = ints(node, "kernel_shape")
  if not kernel or #kernel ~= spatial then return nil end
  local strides = ints(node, "strides", {})
  local dilations = ints(node, "dilations", {})
  local pads = ints(node, "pads", {})
  local auto_pad = node.attributes.auto_pad and node.attributes.auto_pad.s or "NOTSET"
  local ceil_mode = int(node, "ceil_mode", 0) == 1
  for i = 1, spatial do
    local s, d = strides[i] or 1, dilations[i] or 1
    if s < 1 or d < 1 then return nil end
    local size
    if auto_pad == "SAME_UPPER" or auto_pad == "SAME_LOWER" then
      size = (x[i + 2] + s - 1) // s
    else
      local before, after = 0, 0
      if auto_pad ~= "VALID" then before, after = pads[i] or 0, pads[i + spatial] or 0 end
      local room = geometry.padded_size(x[i + 2], before, after) - geometry.effective_kernel(kernel[i], d)
      size = (ceil_mode and -((-room) // s) or room // s) + 1
    end
    out[i + 2] = size
  end
  return out
end

local function pad_shape(node, x, constants)
  if not x then return nil end
  local pads = ints(node, "pads")
  if not pads and node.inputs[2] and constants[node.inputs[2]] then
    pads = constants[node.inputs[2]]:values()
  end
  if not pads or #pads ~= 2 * #x then return nil end
  local out = {}
  for i = 1, #x do out[i] = x[i] + pads[i] + pads[i + #x] end
  return out
end

local function concat_shape(node, inputs)
  local first = inputs[1]
  if not first then return nil end
  local axis = int(node, "axis", 1)
  if axis < 0 then axis = axis + #first end
  local out = copy(first)
  for i = 2, #inputs do
    local s = inputs[i]
    if not s or #s ~= #first then return nil end
    out[axis + 1] = out[axis + 1] + s[axis + 1]
  end
  return out
end

local SAME_SHAPE = {}
for op in ([[Relu Clip LeakyRelu Sigmoid Tanh Elu Selu HardSigmoid HardSwish Softplus Softsign PRelu
  BatchNormalization Identity Dropout Neg Abs Exp Log Sqrt Erf Gelu Mish Softmax LogSoftmax Cast
  InstanceNormalization LpNormalization LRN Celu ThresholdedRelu Floor Ceil Round Sign Reciprocal]]):gmatch("%S+") do
  SAME_SHAPE[op] = true
end
local BROADCAST = { Add = true, Mul = true, Sub = true, Div = true, Max = true, Min = true, Sum = true }

-- Output shape of a non-convolution node, or nil when convgen cannot tell.
function graph.infer(node, shapes, constants)
  local inputs = {}
  for i, name in ipairs(node.inputs) do inputs[i] = shapes[name] end
  local op = node.op_type
  if SAME_SHAPE[op] then
    return inputs[1] and copy(inputs[1])
  elseif BROADCAST[op] then
    return broadcast(inputs)
  elseif op == "MaxPool" or op == "AveragePool" or op == "LpPool" then
    return pool_shape(node, inputs[1], false)
  elseif op == "GlobalAveragePool" or op == "GlobalMaxPool" or op == "GlobalLpPool" then
    return pool_shape(node, inputs[1], true)
  elseif op == "Concat" then
    return concat_shape(node, inputs)
  elseif op == "Pad" then
    return pad_shape(node, inputs[1], constants)
  end
  return nil
end

-- Dims of a declared value: symbolic or missing sizes become nil, except the leading
-- (batch) dimension, which becomes `batch`.
function graph.declared_dims(info, batch)
  if not info or not info.dims then return nil end
  local dims = {}
  for i, d in ipairs(info.dims) do
    if d.value and d.value > 0 then
      dims[i] = d.value
    elseif i == 1 then
      dims[i] = batch
    else
      return nil
    end
  end
  return dims
end

graph.element_count = model_reader.element_count

return graph

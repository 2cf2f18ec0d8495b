-- ONNX importer: turns a .onnx file into the plain spec table spec.validate() takes, plus baked weights.
--
-- One layer per Conv/ConvTranspose node (1-D ones as conv1d layers; QLinearConv and ConvInteger
-- as s8 layers in ONNX's arithmetic, their weights at run time), with a following
-- BatchNormalization folded into its weights and a following Relu/Clip fused as its
-- activation when the tensor in between has no other reader. Every other node is listed
-- in result.others for --report: the user's code provides it.

local model_reader = require("generator.onnx.model")
local graph = require("generator.onnx.graph")
local geometry = require("generator.geometry")
local quantization = require("generator.onnx.import_quant").quantization

local import = {}

local FLOAT, UINT8, INT8, INT32, DOUBLE = 1, 2, 3, 6, 11
local FLT_MAX = 3.4028234663852886e38
local DBL_MAX = 1.7976931348623157e308

local C_RESERVED = {}
for word in ([[auto break case char const continue default do double else enum extern float for goto if
  inline int long register restrict return short signed sizeof static struct switch typedef union unsigned
  void volatile while bool true false alignas alignof constexpr nullptr static_assert thread_local typeof
  typeof_unqual model weights]]):gmatch("%S+") do
  C_RESERVED[word] = true
end

local function is_standard(node)
  return node.domain == "" or node.domain == "ai.onnx"
end

local function attr_ints(node, name, default)
  local attr = node.attributes[name]
  if attr and #attr.ints > 0 then return attr.ints end
  return default
end

-- A C identifier from a node name ("/layer1/conv/Conv" -> "layer1_conv_Conv"), unique
-- case-insensitively among the layers so far.
local function layer_name(node, index, used)
  local base = node.name:gsub("[^%w_]", "_"):gsub("_+", "_"):gsub("^_", ""):gsub("_$", "")
  if base == "" then base = node.op_type:lower() .. index end
  if base:match("^%d") then base = "n" .. base end
  if #base > 48 then base = base:sub(1, 48) end
  if C_RESERVED[base:lower()] then base = base .. "_" .. index end
  local name, suffix = base, 2
  while used[name:lower()] do
    name = base .. "_" .. suffix
    suffix = suffix + 1
  end
  used[name:lower()] = true
  return name
end

---------------------------------------------------------------------------
-- Convolution attributes
---------------------------------------------------------------------------

-- ONNX SAME padding: the extra position goes to the end (UPPER) or the start (LOWER).
local function split_total(total, auto_pad)
  local half = total // 2
  if auto_pad == "SAME_UPPER" then return half, total - half end
  return total - half, half
end

-- Per spatial axis: kernel, stride, dilation, pad_begin, pad_end, output_padding.
-- Returns the list of axes or nil, message.
local function conv_axes(node, x_dims, w_dims, transposed)
  local spatial = #x_dims - 2
  local kernel = attr_ints(node, "kernel_shape")
  if kernel and #kernel ~= spatial then
    return nil, string.format("kernel_shape has %d entries for %d spatial dimensions", #kernel, spatial)
  end
  kernel = kernel or {}
  local strides = attr_ints(node, "strides", {})
  local dilations = attr_ints(node, "dilations", {})
  local pads = attr_ints(node, "pads", {})
  local out_pads = attr_ints(node, "output_padding", {})
  local out_shape = attr_ints(node, "output_shape")
  local auto_pad = node.attributes.auto_pad and node.attributes.auto_pad.s or "NOTSET"
  if auto_pad ~= "NOTSET" and auto_pad ~= "SAME_UPPER" and auto_pad ~= "SAME_LOWER" and auto_pad ~= "VALID" then
    return nil, string.format("unknown auto_pad '%s' (NOTSET, SAME_UPPER, SAME_LOWER, VALID)", auto_pad)
  end
  if #pads ~= 0 and #pads ~= 2 * spatial then
    return nil, string.format("pads has %d entries; %d spatial dimensions need %d", #pads, spatial, 2 * spatial)
  end
  local axes = {}
  for i = 1, spatial do
    local a = {
      k = kernel[i] or w_dims[i + 2], s = strides[i] or 1, d = dilations[i] or 1,
      before = pads[i] or 0, after = pads[i + spatial] or 0, extra = out_pads[i] or 0,
    }
    if a.k ~= w_dims[i + 2] then
      return nil, string.format("kernel_shape %d differs from the weight's size %d", a.k, w_dims[i + 2])
    end
    if a.s < 1 or a.d < 1 or a.before < 0 or a.after < 0 or a.extra < 0 then
      return nil, "strides and dilations must be positive, pads and output_padding non-negative"
    end
    local in_size = x_dims[i + 2]
    if auto_pad == "VALID" then
      a.before, a.after = 0, 0
    end
    if not transposed and (auto_pad == "SAME_UPPER" or auto_pad == "SAME_LOWER") then
      local upper_before, upper_after = geometry.same_padding(in_size, a.k, a.s, a.d)
      a.before, a.after = split_total(upper_before + upper_after, auto_pad)
    elseif transposed and (out_shape or auto_pad == "SAME_UPPER" or auto_pad == "SAME_LOWER") then
      local wanted = out_shape and out_shape[#out_shape - spatial + i] or in_size * a.s
      -- The padding that trims the unpadded transposed output down to the wanted size.
      local total = geometry.transposed_out_size(in_size, a.k, a.s, a.d, 0, 0, a.extra) - wanted
      if total < 0 then
        -- A larger output than the full transposed conv: the missing rows are output_padding.
        a.extra, a.before, a.after = a.extra - total, 0, 0
      else
        a.before, a.after = split_total(total, auto_pad == "SAME_UPPER" and "SAME_UPPER" or "SAME_LOWER")
      end
    end
    axes[i] = a
  end
  return axes
end

---------------------------------------------------------------------------
-- Fusion
---------------------------------------------------------------------------

local function only_reader(state, tensor)
  if state.readers[tensor] ~= 1 then return nil end
  local index = state.reader_of[tensor]
  local node = state.g.nodes[index]
  if not node or not node.outputs[1] or node.outputs[1] == "" then return nil end
  if state.claimed[index] or not is_standard(node) then return nil end
  return node, index
end

local function constant_scalar(state, name)
  if not name or name == "" then return nil, true end
  local tensor = state.constants[name]
  if not tensor then return nil, false end
  local ok, values = pcall(tensor.values, tensor)
  if not ok or #values ~= 1 then return nil, false end
  return values[1], true
end

-- The activation of a Relu or Clip node, or nil when it cannot be a layer's activation.
local function activation_of(state, node, dtype)
  if node.op_type == "Relu" then return "relu" end
  if node.op_type ~= "Clip" then return nil end
  local lo, hi
  if node.attributes.min or node.attributes.max then
    lo = node.attributes.min and node.attributes.min.f
    hi = node.attributes.max and node.attributes.max.f
  else
    local ok_lo, ok_hi
    lo, ok_lo = constant_scalar(state, node.inputs[2])
    hi, ok_hi = constant_scalar(state, node.inputs[3])
    if not (ok_lo and ok_hi) then return nil end
  end
  local big = dtype == "f64" and DBL_MAX or FLT_MAX
  if lo == 0 and hi == nil then return "relu" end
  if lo == 0 and hi == 6 then return "relu6" end
  if lo == nil and hi == nil then return "none" end
  if (lo or -big) > (hi or big) then return nil end
  return { "clamp", lo or -big, hi or big }
end

-- Folds y = scale * (conv - mean) / sqrt(var + eps) + beta into the weights and bias.
local function fold_batchnorm(state, layer, node)
  local params = {}
  for i = 2, 5 do
    local tensor = state.constants[node.inputs[i]]
    if not tensor then return false end
    local ok, values = pcall(tensor.values, tensor)
    if not ok or #values ~= layer.m then return false end
    params[i] = values
  end
  local eps = node.attributes.epsilon and node.attributes.epsilon.f or 1e-5
  local scale, beta, mean, var = params[2], params[3], params[4], params[5]
  local factors = {}
  for m = 1, layer.m do factors[m] = scale[m] / math.sqrt(var[m] + eps) end
  local w, per = layer.weights, #layer.weights // layer.m
  if layer.transposed then
    -- ConvTranspose weights are (C, M/groups, k...): output channel g*(M/groups)+j.
    local mg, cg = layer.m // layer.groups, layer.c // layer.groups
    local inner = #w // (layer.c * mg)
    for c = 0, layer.c - 1 do
      for j = 0, mg - 1 do
        local factor = factors[(c // cg) * mg + j + 1]
        local base = (c * mg + j) * inner
        for k = 1, inner do w[base + k] = w[base + k] * factor end
      end
    end
  else
    for m = 0, layer.m - 1 do
      for k = 1, per do w[m * per + k] = w[m * per + k] * factors[m + 1] end
    end
  end
  local bias = {}
  for m = 1, layer.m do
    bias[m] = ((layer.bias and layer.bias[m] or 0) - mean[m]) * factors[m] + beta[m]
  end
  layer.bias = bias
  return true
end

local function fuse_following(state, layer)
  local tensor = layer.y
  if layer.baked then
    local node, index = only_reader(state, tensor)
    local training = node and node.attributes.training_mode and node.attributes.training_mode.i == 1
    if node and node.op_type == "BatchNormalization" and #node.outputs == 1 and node.inputs[1] == tensor
      and not training
      and fold_batchnorm(state, layer, node) then
      state.claimed[index] = true
      layer.fused[#layer.fused + 1] = graph.node_label(node, index)
      tensor = node.outputs[1]
    end
  end
  local node, index = only_reader(state, tensor)
  if node and node.inputs[1] == tensor then
    local act = activation_of(state, node, layer.dtype)
    if act then
      state.claimed[index] = true
      layer.fused[#layer.fused + 1] = graph.node_label(node, index)
      layer.activation = act
      tensor = node.outputs[1]
    end
  end
  layer.y = tensor
end

---------------------------------------------------------------------------
-- One Conv / ConvTranspose node
---------------------------------------------------------------------------

local function values_of(state, tensor, expected_type, what)
  if tensor.data_type ~= expected_type then
    state.fail(string.format("%s '%s' is %s, the input is %s", what, tensor.name,
      model_reader.type_name(tensor.data_type), model_reader.type_name(expected_type)))
    return nil
  end
  local ok, values = pcall(tensor.values, tensor)
  if not ok then
    state.fail(type(values) == "table" and values.message or tostring(values))
    return nil
  end
  local copy = {}
  for i, v in ipairs(values) do copy[i] = v end
  return copy
end

-- "NaN at index 7" or "infinity ..." for the first value that is not finite, or for
-- f32 beyond the largest float (a folded weight can overflow), else nil.
local function first_non_finite(values, dtype)
  local limit = dtype == "f32" and FLT_MAX or DBL_MAX
  for i, v in ipairs(values or {}) do
    if v ~= v then return string.format("NaN at index %d", i - 1) end
    if v > limit or v < -limit then return string.format("infinity at index %d", i - 1) end
  end
  return nil
end

-- The operands of a convolution node: x, w, bias (nil: none) by operator.
local function conv_operands(node)
  if node.op_type == "QLinearConv" then return node.inputs[1], node.inputs[4], node.inputs[9] end
  if node.op_type == "ConvInteger" then return node.inputs[1], node.inputs[2], nil end
  return node.inputs[1], node.inputs[2], node.inputs[3]
end
import.conv_operands = conv_operands

local QUANTIZED = { QLinearConv = true, ConvInteger = true }

local function conv_layer(state, node, index)
  local fail = state.fail
  local transposed = node.op_type == "ConvTranspose"
  local quantized = QUANTIZED[node.op_type]
  local x_name, w_name, b_name = conv_operands(node)
  if not node.outputs[1] or node.outputs[1] == "" then
    fail("has no output")
    return nil
  end
  if not w_name or w_name == "" or not x_name or x_name == "" then
    fail(string.format("needs an input X and a weight W (has %d input%s)", #node.inputs,
      #node.inputs == 1 and "" or "s"))
    return nil
  end
  local x_dims = state.shapes[x_name]
  if not x_dims then
    fail(string.format("the shape of input '%s' is unknown; run ONNX shape inference on the model first "
      .. "(onnx.shape_inference.infer_shapes_path) or declare it in value_info", x_name))
    return nil
  end
  if #x_dims == 5 then
    fail("3-D convolution is not supported (1-D and 2-D are)")
    return nil
  elseif #x_dims ~= 3 and #x_dims ~= 4 then
    fail(string.format("input '%s' has %d dimensions; a 1-D or 2-D convolution needs 3 or 4", x_name, #x_dims))
    return nil
  end
  local elem = state.types[x_name]
  if quantized then
    local w_type = state.types[w_name]
    if (elem ~= UINT8 and elem ~= INT8) or (w_type ~= UINT8 and w_type ~= INT8) then
      fail(string.format("x '%s' is %s and w '%s' is %s; %s takes uint8 or int8 tensors", x_name,
        elem and model_reader.type_name(elem) or "of unknown type", w_name,
        w_type and model_reader.type_name(w_type) or "of unknown type", node.op_type))
      return nil
    end
  elseif elem ~= FLOAT and elem ~= DOUBLE then
    fail(string.format("input '%s' is %s; only float and double convolutions are generated", x_name,
      elem and model_reader.type_name(elem) or "of unknown type"))
    return nil
  end
  local w_const = state.constants[w_name]
  local w_dims = w_const and w_const.dims or state.shapes[w_name]
  if not w_dims then
    fail(string.format("the shape of weight '%s' is unknown", w_name))
    return nil
  end
  if #w_dims ~= #x_dims then
    fail(string.format("weight '%s' has %d dimensions, input '%s' has %d", w_name, #w_dims, x_name, #x_dims))
    return nil
  end
  local groups = node.attributes.group and node.attributes.group.i or 1
  if groups < 1 then
    fail(string.format("group must be positive, got %d", groups))
    return nil
  end
  local c = x_dims[2]
  local m = transposed and w_dims[2] * groups or w_dims[1]
  local per_group = transposed and w_dims[1] or w_dims[2] * groups
  if per_group ~= c then
    fail(string.format("weight '%s' is %s but input '%s' has %d channels and group is %d", w_name,
      table.concat(w_dims, "x"), x_name, c, groups))
    return nil
  end
  local axes, message = conv_axes(node, x_dims, w_dims, transposed)
  if not axes then
    fail(message)
    return nil
  end
  if #axes == 1 then
    table.insert(axes, 1, { k = 1, s = 1, d = 1, before = 0, after = 0, extra = 0 })
  end
  local dtype = elem == DOUBLE and "f64" or "f32"
  local layer = {
    node = node, index = index, transposed = transposed, x = x_name, y = node.outputs[1], fused = {},
    dtype = dtype, c = c, m = m, groups = groups, axes = axes, spatial = #x_dims - 2,
    n = x_dims[1], h = #x_dims == 4 and x_dims[3] or 1, w = x_dims[#x_dims],
    activation = "none",
  }
  if quantized then
    -- Weights and bias stay run-time arguments of P_conv (no baked s8 weights yet); no fusion.
    layer.dtype = "s8"
    layer.quant = quantization(state, node, layer, elem, state.types[w_name])
    if not layer.quant then return nil end
    layer.y_type = layer.y_type or INT32
    layer.has_bias = b_name ~= nil and b_name ~= ""
    return layer
  end
  if w_const then
    layer.weights = values_of(state, w_const, elem, "weight")
    if not layer.weights then return nil end
    layer.baked = true
  end
  if b_name and b_name ~= "" then
    local b_const = state.constants[b_name]
    if layer.baked and b_const then
      layer.bias = values_of(state, b_const, elem, "bias")
      if not layer.bias then return nil end
      if #layer.bias ~= m then
        fail(string.format("bias '%s' has %d values for %d output channels", b_name, #layer.bias, m))
        return nil
      end
    elseif layer.baked then
      -- Baked weights with a run-time bias: keep both at run time (P_conv only).
      layer.baked, layer.weights = false, nil
    end
    layer.has_bias = true
  end
  fuse_following(state, layer)
  layer.has_bias = layer.has_bias or layer.bias ~= nil
  local bad = first_non_finite(layer.weights, dtype) or first_non_finite(layer.bias, dtype)
  if bad then
    fail(string.format("the %sweights or bias hold %s, which C cannot store as a constant", #layer.fused > 0
      and "folded " or "", bad))
    return nil
  end
  return layer
end

-- The spec table of one layer: a connected input (the name of the layer whose output it
-- reads) when there is one, else the shape; 1-D layers in the spec's 1-D form. The
-- layout comes from the spec's defaults, the dtype from the input.
local function spec_layer(layer, input_layer)
  local h, w = layer.axes[1], layer.axes[2]
  local entry = {
    name = layer.name, filters = layer.m, groups = layer.groups, bias = layer.has_bias or false,
    activation = layer.activation, quant = layer.quant,
  }
  if input_layer then
    entry.input = input_layer
  else
    entry.dtype = layer.dtype
    entry.input = layer.spatial == 1 and { n = layer.n, c = layer.c, w = layer.w }
      or { n = layer.n, c = layer.c, h = layer.h, w = layer.w }
  end
  if layer.spatial == 1 then
    entry.op = layer.transposed and "conv_transpose1d" or "conv1d"
    entry.kernel, entry.stride, entry.dilation = w.k, w.s, w.d
    entry.padding = { w.before, w.after }
    if layer.transposed then entry.output_padding = w.extra end
  else
    entry.op = layer.transposed and "conv_transpose2d" or "conv2d"
    entry.kernel, entry.stride, entry.dilation = { h.k, w.k }, { h.s, w.s }, { h.d, w.d }
    entry.padding = { top = h.before, bottom = h.after, left = w.before, right = w.after }
    if layer.transposed then entry.output_padding = { h.extra, w.extra } end
  end
  return entry
end

---------------------------------------------------------------------------
-- The whole model
---------------------------------------------------------------------------

-- Names in a model are arbitrary bytes: messages show control characters escaped and
-- stay short, so every message is one line.
local MAX_MESSAGE = 400
local function one_line(text)
  local shown = text:gsub("[%c\\]", function(char) return string.format("\\%03d", char:byte()) end)
  if #shown > MAX_MESSAGE then shown = shown:sub(1, MAX_MESSAGE) .. "..." end
  return shown
end
import.one_line = one_line

local function one_line_all(list)
  for i, text in ipairs(list) do list[i] = one_line(text) end
  return list
end

local function read_file(path)
  local file, err = io.open(path, "rb")
  if not file then return nil, err end
  local bytes = file:read("a")
  file:close()
  return bytes
end

local function decode(path, bytes)
  local ok, result = pcall(model_reader.decode, bytes)
  if ok then return result end
  if type(result) ~= "table" then error(result, 0) end
  if result.offset then
    return nil, string.format("%s: byte %d: %s (truncated or not an ONNX model)", path, result.offset, result.message)
  end
  return nil, path .. ": " .. result.message
end

-- Shapes and element types of every tensor convgen can tell, in execution order.
local function propagate(state, order)
  local g = state.g
  for name, tensor in pairs(state.constants) do
    state.shapes[name], state.types[name] = tensor.dims, tensor.data_type
  end
  for _, input in ipairs(g.inputs) do
    if not state.constants[input.name] then
      state.shapes[input.name] = graph.declared_dims(input, state.batch)
      state.types[input.name] = input.elem_type
    end
  end
  for _, index in ipairs(order) do
    local node = g.nodes[index]
    local out = node.outputs[1]
    if out and out ~= "" and not state.shapes[out] then
      local dims
      if is_standard(node) and (node.op_type == "Conv" or node.op_type == "ConvTranspose"
          or QUANTIZED[node.op_type]) then
        dims = state.conv_shape(node, index)
      elseif is_standard(node) then
        dims = graph.infer(node, state.shapes, state.constants)
      end
      state.shapes[out] = dims or graph.declared_dims(g.value_info[out], state.batch)
      local info = g.value_info[out]
      state.types[out] = (info and info.elem_type) or state.types[out] or state.types[node.inputs[1]]
    end
  end
end

local import_bytes

-- import.load(path, options) -> result | nil, errors
-- options.batch: size of a symbolic batch dimension (default 1); options.layout: "NCHW"
-- (default) or "NHWC". result.spec is the table for spec.validate, result.labels its
-- layer labels, result.layers[i] the baked weights/bias (ONNX order) of layer i or nil,
-- result.others the labels of the nodes the user's code must provide.
function import.load(path, options)
  local bytes, err = read_file(path)
  if not bytes then return nil, { path .. ": cannot read: " .. tostring(err) } end
  return import.from_bytes(bytes, path, options)
end

-- The same for a model already in memory; path is only used in messages.
function import.from_bytes(bytes, path, options)
  local result, errors = import_bytes(bytes, path, options or {})
  if not result then return nil, one_line_all(errors) end
  one_line_all(result.labels)
  for _, other in ipairs(result.others) do other.label = one_line(other.label) end
  return result
end

function import_bytes(bytes, path, options)
  local decoded, message = decode(path, bytes)
  if not decoded then return nil, { message } end
  local g = decoded.graph
  local order, order_error = graph.order(g)
  if not order then return nil, { path .. ": " .. order_error } end

  local errors = {}
  local state = { g = g, shapes = {}, types = {}, batch = options.batch or 1, claimed = {}, readers = {},
    reader_of = {} }
  local constants, constant_nodes = graph.constants(g, order)
  state.constants = constants
  state.readers = graph.reader_counts(g)
  for index, node in ipairs(g.nodes) do
    for _, name in ipairs(node.inputs) do state.reader_of[name] = index end
  end
  for _, output in ipairs(g.outputs) do state.reader_of[output.name] = 0 end

  local layers = {}
  function state.conv_shape(node, index)
    local label = graph.node_label(node, index)
    state.fail = function(text) errors[#errors + 1] = string.format("%s: %s: %s", path, label, text) end
    local layer = conv_layer(state, node, index)
    if not layer then return nil end
    layers[#layers + 1] = layer
    state.claimed[index] = true
    -- The fused nodes' outputs have the conv's shape; set it on the layer's final tensor.
    local a, b = layer.axes[1], layer.axes[2]
    local function out_size(size, axis)
      if layer.transposed then
        return geometry.transposed_out_size(size, axis.k, axis.s, axis.d, axis.before, axis.after, axis.extra)
      end
      return geometry.out_size(size, axis.k, axis.s, axis.d, axis.before, axis.after)
    end
    local dims = { layer.n, layer.m }
    if layer.spatial == 2 then dims[3] = out_size(layer.h, a) end
    dims[#dims + 1] = out_size(layer.w, b)
    if layer.y ~= node.outputs[1] then
      state.shapes[layer.y], state.types[layer.y] = dims, state.types[node.inputs[1]]
    end
    if layer.y_type then state.types[layer.y] = layer.y_type end
    return dims
  end

  propagate(state, order)
  if #errors > 0 then return nil, errors end
  if #layers == 0 then
    return nil, { path .. ": the model has no Conv, ConvTranspose, QLinearConv or ConvInteger node; convgen "
      .. "generates convolutions only" }
  end

  local result = {
    spec = { prefix = "", defaults = { layout = options.layout or "NCHW" }, layers = {} },
    labels = {}, layers = layers, others = {},
  }
  local used, layer_writing = {}, {}
  for i, layer in ipairs(layers) do
    layer.name = layer_name(layer.node, layer.index, used)
    result.spec.layers[i] = spec_layer(layer, layer_writing[layer.x])
    result.labels[i] = graph.node_label(layer.node, layer.index)
    layer_writing[layer.y] = layer.name
  end
  for _, index in ipairs(order) do
    local node = g.nodes[index]
    if not state.claimed[index] and not constant_nodes[index] then
      result.others[#result.others + 1] = {
        label = graph.node_label(node, index), inputs = node.inputs, outputs = node.outputs,
      }
    end
  end
  return result
end

return import

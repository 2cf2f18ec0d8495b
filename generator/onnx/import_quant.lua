-- ONNX importer, quantized nodes: the quant table (generator/quant.lua keys) of a QLinearConv or ConvInteger node.
--
-- ONNX's forms of s8 layers (docs/int8.md, "ONNX"): scales and zero points must be constants,
-- uint8 tensors reach the kernel as int8 with the top bit flipped.

local model_reader = require("generator.onnx.model")

local UINT8, INT8 = 2, 3


-- The values of a constant input (an initializer or a Constant node), or nil after a
-- failure; `optional` inputs may be absent ("" or missing), which gives `default`.
local function quant_constant(state, node, position, what, optional, default)
  local name = node.inputs[position]
  if not name or name == "" then
    if optional then return default end
    state.fail(string.format("needs its input %d (%s)", position, what))
    return nil
  end
  local tensor = state.constants[name]
  if not tensor then
    state.fail(string.format("%s '%s' is not a constant: convgen bakes scales and zero points into the code, so "
      .. "they must be initializers (or Constant nodes)", what, name))
    return nil
  end
  local ok, values = pcall(tensor.values, tensor)
  if not ok then
    state.fail(type(values) == "table" and values.message or tostring(values))
    return nil
  end
  local copy = {}
  for i, v in ipairs(values) do copy[i] = v end
  return copy, tensor.data_type
end

-- int8 stays, uint8 moves to int8 by subtracting 128 (the top bit flipped), so that
-- differences of values and zero points, and the saturation range, are unchanged.
local function signed_offset(data_type)
  return data_type == UINT8 and -128 or 0
end

-- A scalar or per-output-channel list (1 or m values) as one value or a list of m.
local function scalar_or_channels(state, values, m, what)
  if #values == 1 then return values[1] end
  if #values ~= m then
    state.fail(string.format("%s has %d values; it must be a scalar or have one per output channel (%d)", what,
      #values, m))
    return nil
  end
  return values
end

-- The quant table (generator/quant.lua keys) of a QLinearConv or ConvInteger node whose
-- x and w have the element types x_type and w_type; nil after a failure. Sets
-- layer.note on how uint8 tensors reach the kernel.
local function quantization(state, node, layer, x_type, w_type)
  local fail = state.fail
  local integer = node.op_type == "ConvInteger"
  local xzp_at, wzp_at = 3, integer and 4 or 6
  local x_zp, x_zp_type = quant_constant(state, node, xzp_at, "x_zero_point", integer, { 0 })
  if not x_zp then return nil end
  local w_zp, w_zp_type = quant_constant(state, node, wzp_at, "w_zero_point", integer, { 0 })
  if not w_zp then return nil end
  if (x_zp_type and x_zp_type ~= x_type) or (w_zp_type and w_zp_type ~= w_type) then
    fail(string.format("the zero points' types (%s, %s) differ from x's and w's (%s, %s)",
      model_reader.type_name(x_zp_type or x_type), model_reader.type_name(w_zp_type or w_type),
      model_reader.type_name(x_type), model_reader.type_name(w_type)))
    return nil
  end
  if #x_zp ~= 1 then
    fail(string.format("x_zero_point has %d values; it must be a scalar (per-tensor)", #x_zp))
    return nil
  end
  local wzp = scalar_or_channels(state, w_zp, layer.m, "w_zero_point")
  if not wzp then return nil end
  local x_off, w_off = signed_offset(x_type), signed_offset(w_type)
  local q = { input_zero_point = x_zp[1] + x_off }
  if type(wzp) == "table" then
    q.weight_zero_point = {}
    for i, v in ipairs(wzp) do q.weight_zero_point[i] = v + w_off end
  else
    q.weight_zero_point = wzp + w_off
  end
  local flipped = {}
  if x_type == UINT8 then flipped[#flipped + 1] = "x" end
  if w_type == UINT8 then flipped[#flipped + 1] = "w" end
  if integer then
    q.output_type = "s32"
  else
    local x_scale = quant_constant(state, node, 2, "x_scale")
    if not x_scale then return nil end
    local w_scale = quant_constant(state, node, 5, "w_scale")
    if not w_scale then return nil end
    local y_scale = quant_constant(state, node, 7, "y_scale")
    if not y_scale then return nil end
    local y_zp, y_type = quant_constant(state, node, 8, "y_zero_point", true, { 0 })
    if not y_zp then return nil end
    y_type = y_type or UINT8 -- ONNX: an absent y_zero_point means uint8 0
    if y_type ~= UINT8 and y_type ~= INT8 then
      fail(string.format("y_zero_point is %s; QLinearConv's output is uint8 or int8", model_reader.type_name(y_type)))
      return nil
    end
    if #x_scale ~= 1 or #y_scale ~= 1 or #y_zp ~= 1 then
      fail("x_scale, y_scale and y_zero_point must be scalars (per-tensor)")
      return nil
    end
    local ws = scalar_or_channels(state, w_scale, layer.m, "w_scale")
    if not ws then return nil end
    q.arithmetic = "onnx"
    q.input_scale, q.weight_scale, q.output_scale = x_scale[1], ws, y_scale[1]
    q.output_zero_point = y_zp[1] + signed_offset(y_type)
    if y_type == UINT8 then flipped[#flipped + 1] = "y" end
    layer.y_type = y_type
  end
  if #flipped > 0 then
    layer.note = string.format("uint8 %s passed as int8 with the top bit flipped (v ^ 0x80)",
      table.concat(flipped, ", "))
  end
  return q
end

return { quantization = quantization }

-- ONNX model reader: decodes the ModelProto subset the importer needs from the bytes of a .onnx file.
--
-- Returns plain tables: graph inputs with shapes, outputs, value_info, nodes with their
-- attributes, and initializers whose element data is decoded on demand (tensor:values()),
-- so a tensor of a type convgen never reads does not stop the import of the rest.
-- Errors are raised as { offset = BYTE } for a malformed file or { message = TEXT } for
-- content the importer cannot use; onnx/import.lua turns both into one-line messages.

local protobuf = require("generator.onnx.protobuf")

local model = {}

local V, F64, LEN, F32 = protobuf.VARINT, protobuf.FIXED64, protobuf.LENGTH_DELIMITED, protobuf.FIXED32

-- TensorProto.DataType: name, bytes per element in raw_data, string.unpack format,
-- and the typed field that holds the values otherwise.
local TYPES = {
  [1] = { name = "float", size = 4, format = "<f", field = "float_data" },
  [2] = { name = "uint8", size = 1, format = "<B", field = "int32_data" },
  [3] = { name = "int8", size = 1, format = "<b", field = "int32_data" },
  [4] = { name = "uint16" }, [5] = { name = "int16" },
  [6] = { name = "int32", size = 4, format = "<i4", field = "int32_data" },
  [7] = { name = "int64", size = 8, format = "<i8", field = "int64_data" },
  [8] = { name = "string" }, [9] = { name = "bool" }, [10] = { name = "float16" },
  [11] = { name = "double", size = 8, format = "<d", field = "double_data" },
  [12] = { name = "uint32" }, [13] = { name = "uint64" }, [14] = { name = "complex64" },
  [15] = { name = "complex128" }, [16] = { name = "bfloat16" },
}
model.TYPES = TYPES

local function type_name(code)
  return TYPES[code] and TYPES[code].name or ("unknown type " .. tostring(code))
end
model.type_name = type_name

local function reject(message)
  error({ message = message }, 0)
end

local function expect_wire(number, wire, expected, offset, what)
  if wire ~= expected then
    protobuf.fail(offset, string.format("%s field %d has wire type %d, expected %d", what, number, wire, expected))
  end
end

local function text(bytes, first, last)
  return bytes:sub(first, last)
end

-- A repeated integer field, packed or not.
local function add_ints(bytes, list, wire, value, offset, last, what, number)
  if wire == V then
    list[#list + 1] = value
  else
    expect_wire(number, wire, LEN, offset, what)
    protobuf.packed_varints(bytes, value, last, list)
  end
end

-- A repeated float/double field, packed or not.
local function add_fixed(bytes, list, wire, value, offset, last, what, number, fixed_wire, format, size)
  if wire == fixed_wire then
    list[#list + 1] = string.unpack(format, value)
  else
    expect_wire(number, wire, LEN, offset, what)
    protobuf.packed_fixed(bytes, value, last, list, format, size)
  end
end

---------------------------------------------------------------------------
-- TensorProto
---------------------------------------------------------------------------

local function element_count(dims)
  local count = 1
  for _, d in ipairs(dims) do
    count = count * d
  end
  return count
end

local function tensor_values(tensor)
  if tensor.decoded then
    return tensor.decoded
  end
  local info = TYPES[tensor.data_type]
  local label = string.format("tensor '%s'", tensor.name)
  if not info.size then
    reject(string.format("%s: element type %s is not supported (float, double, int8, uint8, int32, int64 are)",
      label, info.name))
  end
  local count = element_count(tensor.dims)
  local values
  if tensor.raw_first then
    local length = tensor.raw_last - tensor.raw_first + 1
    if length ~= count * info.size then
      reject(string.format("%s: raw_data has %d bytes; dims %s of %s need %d", label, length,
        table.concat(tensor.dims, "x"), info.name, count * info.size))
    end
    values = {}
    local bytes, format, size, first = tensor.bytes, info.format, info.size, tensor.raw_first
    for i = 0, count - 1 do
      values[i + 1] = string.unpack(format, bytes, first + i * size)
    end
  else
    values = tensor[info.field] or {}
    if #values ~= count then
      reject(string.format("%s: %s holds %d values; dims %s need %d", label, info.field, #values,
        table.concat(tensor.dims, "x"), count))
    end
    if info.field == "int32_data" then
      for i, v in ipairs(values) do
        values[i] = protobuf.int32(v)
      end
    end
  end
  tensor.decoded = values
  return values
end

local function decode_tensor(bytes, first, last)
  local tensor = { dims = {}, name = "", data_type = 0, values = tensor_values, bytes = bytes }
  local external = false
  protobuf.each_field(bytes, first, last, function(number, wire, value, offset, stop)
    if number == 1 then
      add_ints(bytes, tensor.dims, wire, value, offset, stop, "TensorProto", number)
    elseif number == 2 then
      expect_wire(number, wire, V, offset, "TensorProto")
      tensor.data_type = value
    elseif number == 4 then
      tensor.float_data = tensor.float_data or {}
      add_fixed(bytes, tensor.float_data, wire, value, offset, stop, "TensorProto", number, F32, "<f", 4)
    elseif number == 5 or number == 7 then
      local field = number == 5 and "int32_data" or "int64_data"
      tensor[field] = tensor[field] or {}
      add_ints(bytes, tensor[field], wire, value, offset, stop, "TensorProto", number)
    elseif number == 8 then
      expect_wire(number, wire, LEN, offset, "TensorProto")
      tensor.name = text(bytes, value, stop)
    elseif number == 9 then
      expect_wire(number, wire, LEN, offset, "TensorProto")
      tensor.raw_first, tensor.raw_last = value, stop
    elseif number == 10 then
      tensor.double_data = tensor.double_data or {}
      add_fixed(bytes, tensor.double_data, wire, value, offset, stop, "TensorProto", number, F64, "<d", 8)
    elseif number == 13 then
      external = true
    elseif number == 14 then
      expect_wire(number, wire, V, offset, "TensorProto")
      external = external or value == 1
    end
  end)
  local label = string.format("tensor '%s'", tensor.name)
  if external then
    reject(label .. ": external data (a separate weights file) is not supported; "
      .. "save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))")
  end
  if not TYPES[tensor.data_type] then
    reject(string.format("%s: unknown element type %d", label, tensor.data_type))
  end
  for _, d in ipairs(tensor.dims) do
    if d < 0 or d > 2147483647 then
      reject(string.format("%s: invalid dimension %d", label, d))
    end
  end
  return tensor
end

---------------------------------------------------------------------------
-- ValueInfoProto (tensor types only)
---------------------------------------------------------------------------

local function decode_dimension(bytes, first, last)
  local dim = {}
  protobuf.each_field(bytes, first, last, function(number, wire, value, offset, stop)
    if number == 1 then
      expect_wire(number, wire, V, offset, "Dimension")
      dim.value = value
    elseif number == 2 then
      expect_wire(number, wire, LEN, offset, "Dimension")
      dim.param = text(bytes, value, stop)
    end
  end)
  return dim
end

local function decode_tensor_type(bytes, first, last, info)
  protobuf.each_field(bytes, first, last, function(number, wire, value, offset, stop)
    if number == 1 then
      expect_wire(number, wire, V, offset, "TypeProto.Tensor")
      info.elem_type = value
    elseif number == 2 then
      expect_wire(number, wire, LEN, offset, "TypeProto.Tensor")
      info.dims = {}
      protobuf.each_field(bytes, value, stop, function(n2, w2, v2, o2, s2)
        if n2 == 1 then
          expect_wire(n2, w2, LEN, o2, "TensorShapeProto")
          info.dims[#info.dims + 1] = decode_dimension(bytes, v2, s2)
        end
      end)
    end
  end)
end

local function decode_value_info(bytes, first, last)
  local info = { name = "" }
  protobuf.each_field(bytes, first, last, function(number, wire, value, offset, stop)
    if number == 1 then
      expect_wire(number, wire, LEN, offset, "ValueInfoProto")
      info.name = text(bytes, value, stop)
    elseif number == 2 then
      expect_wire(number, wire, LEN, offset, "ValueInfoProto")
      protobuf.each_field(bytes, value, stop, function(n2, w2, v2, o2, s2)
        if n2 == 1 then
          expect_wire(n2, w2, LEN, o2, "TypeProto")
          info.is_tensor = true
          decode_tensor_type(bytes, v2, s2, info)
        end
      end)
    end
  end)
  return info
end

---------------------------------------------------------------------------
-- NodeProto and AttributeProto
---------------------------------------------------------------------------

local function decode_attribute(bytes, first, last)
  local attr = { name = "", floats = {}, ints = {}, strings = {} }
  protobuf.each_field(bytes, first, last, function(number, wire, value, offset, stop)
    if number == 1 then
      expect_wire(number, wire, LEN, offset, "AttributeProto")
      attr.name = text(bytes, value, stop)
    elseif number == 2 then
      expect_wire(number, wire, F32, offset, "AttributeProto")
      attr.f = string.unpack("<f", value)
    elseif number == 3 then
      expect_wire(number, wire, V, offset, "AttributeProto")
      attr.i = value
    elseif number == 4 then
      expect_wire(number, wire, LEN, offset, "AttributeProto")
      attr.s = text(bytes, value, stop)
    elseif number == 5 then
      expect_wire(number, wire, LEN, offset, "AttributeProto")
      attr.t = decode_tensor(bytes, value, stop)
    elseif number == 7 then
      add_fixed(bytes, attr.floats, wire, value, offset, stop, "AttributeProto", number, F32, "<f", 4)
    elseif number == 8 then
      add_ints(bytes, attr.ints, wire, value, offset, stop, "AttributeProto", number)
    elseif number == 9 then
      expect_wire(number, wire, LEN, offset, "AttributeProto")
      attr.strings[#attr.strings + 1] = text(bytes, value, stop)
    elseif number == 20 then
      expect_wire(number, wire, V, offset, "AttributeProto")
      attr.type = value
    end
  end)
  return attr
end

local function decode_node(bytes, first, last)
  local node = { inputs = {}, outputs = {}, name = "", op_type = "", domain = "", attributes = {} }
  protobuf.each_field(bytes, first, last, function(number, wire, value, offset, stop)
    if number >= 1 and number <= 5 or number == 7 then
      expect_wire(number, wire, LEN, offset, "NodeProto")
    end
    if number == 1 then
      node.inputs[#node.inputs + 1] = text(bytes, value, stop)
    elseif number == 2 then
      node.outputs[#node.outputs + 1] = text(bytes, value, stop)
    elseif number == 3 then
      node.name = text(bytes, value, stop)
    elseif number == 4 then
      node.op_type = text(bytes, value, stop)
    elseif number == 5 then
      local attr = decode_attribute(bytes, value, stop)
      node.attributes[attr.name] = attr
    elseif number == 7 then
      node.domain = text(bytes, value, stop)
    end
  end)
  return node
end

---------------------------------------------------------------------------
-- GraphProto and ModelProto
---------------------------------------------------------------------------

local function decode_graph(bytes, first, last)
  local graph = { nodes = {}, initializers = {}, initializer_names = {}, inputs = {}, outputs = {}, value_info = {} }
  protobuf.each_field(bytes, first, last, function(number, wire, value, offset, stop)
    local known = number == 1 or number == 5 or number == 11 or number == 12 or number == 13 or number == 15
    if known then
      expect_wire(number, wire, LEN, offset, "GraphProto")
    end
    if number == 1 then
      graph.nodes[#graph.nodes + 1] = decode_node(bytes, value, stop)
    elseif number == 5 then
      local tensor = decode_tensor(bytes, value, stop)
      graph.initializers[tensor.name] = tensor
      graph.initializer_names[#graph.initializer_names + 1] = tensor.name
    elseif number == 11 then
      graph.inputs[#graph.inputs + 1] = decode_value_info(bytes, value, stop)
    elseif number == 12 then
      graph.outputs[#graph.outputs + 1] = decode_value_info(bytes, value, stop)
    elseif number == 13 then
      local info = decode_value_info(bytes, value, stop)
      graph.value_info[info.name] = info
    elseif number == 15 then
      reject("sparse initializers are not supported")
    end
  end)
  return graph
end

-- model.decode(bytes) -> { ir_version =, opsets = { [domain] = version }, graph = ... }
function model.decode(bytes)
  local result = { opsets = {} }
  protobuf.each_field(bytes, 1, #bytes, function(number, wire, value, offset, stop)
    if number == 1 then
      expect_wire(number, wire, V, offset, "ModelProto")
      result.ir_version = value
    elseif number == 7 then
      expect_wire(number, wire, LEN, offset, "ModelProto")
      if result.graph then
        protobuf.fail(offset, "ModelProto has a second graph")
      end
      result.graph = decode_graph(bytes, value, stop)
    elseif number == 8 then
      expect_wire(number, wire, LEN, offset, "ModelProto")
      local domain, version = "", 0
      protobuf.each_field(bytes, value, stop, function(n2, w2, v2, o2, s2)
        if n2 == 1 then
          expect_wire(n2, w2, LEN, o2, "OperatorSetIdProto")
          domain = text(bytes, v2, s2)
        elseif n2 == 2 then
          expect_wire(n2, w2, V, o2, "OperatorSetIdProto")
          version = v2
        end
      end)
      result.opsets[domain] = version
    end
  end)
  if not result.graph then
    reject("not an ONNX model: no graph (ModelProto field 7) found")
  end
  return result
end

-- A standalone TensorProto file (the backend tests' input_0.pb / output_0.pb).
function model.decode_tensor(bytes)
  return decode_tensor(bytes, 1, #bytes)
end

model.element_count = element_count

return model

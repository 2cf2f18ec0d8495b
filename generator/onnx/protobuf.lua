-- Protocol Buffers wire-format reader in plain Lua: walks the fields of one message held in a string.
--
-- Only what a schema-driven decoder needs: varints, length-delimited fields, fixed32 and
-- fixed64. Every problem raises a table { offset = BYTE, message = TEXT } (offset counted
-- from 0, as hex dumps show it) so callers can report "byte N: ..." without a traceback.

local protobuf = {}

local VARINT, FIXED64, LENGTH_DELIMITED, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5
protobuf.VARINT, protobuf.FIXED64, protobuf.LENGTH_DELIMITED, protobuf.FIXED32 = VARINT, FIXED64, LENGTH_DELIMITED,
  FIXED32

local function fail(pos, message)
  error({ offset = pos - 1, message = message }, 0)
end
protobuf.fail = fail

-- Reads a base-128 varint at pos (1-based) not past last. Returns the value as a 64-bit
-- Lua integer (negative int64 values come back negative) and the position after it.
local function read_varint(bytes, pos, last)
  local value, shift = 0, 0
  local start = pos
  while true do
    if pos > last then
      fail(start, "truncated varint")
    end
    local byte = bytes:byte(pos)
    pos = pos + 1
    value = value | ((byte & 0x7f) << shift)
    if byte < 0x80 then
      return value, pos
    end
    shift = shift + 7
    if shift >= 70 then
      fail(start, "varint longer than 10 bytes")
    end
  end
end
protobuf.read_varint = read_varint

-- Calls visit(field_number, wire_type, value, offset) for every field of the message in
-- bytes[first..last]. value is an integer (varint), a 4- or 8-byte string (fixed32,
-- fixed64), or for length-delimited fields the pair first, last of the payload passed as
-- value and a fifth argument. offset is the field's 1-based position.
function protobuf.each_field(bytes, first, last, visit)
  local pos = first
  while pos <= last do
    local offset = pos
    local key
    key, pos = read_varint(bytes, pos, last)
    local number, wire = key >> 3, key & 7
    if number < 1 or number > 536870911 then
      fail(offset, string.format("invalid field number %d", number))
    end
    if wire == VARINT then
      local value
      value, pos = read_varint(bytes, pos, last)
      visit(number, wire, value, offset)
    elseif wire == FIXED64 or wire == FIXED32 then
      local size = wire == FIXED64 and 8 or 4
      if pos + size - 1 > last then
        fail(offset, string.format("field %d: truncated fixed%d value", number, size * 8))
      end
      visit(number, wire, bytes:sub(pos, pos + size - 1), offset)
      pos = pos + size
    elseif wire == LENGTH_DELIMITED then
      local length
      length, pos = read_varint(bytes, pos, last)
      if length < 0 or length > last - pos + 1 then
        fail(offset, string.format("field %d: length %d runs past the end (%d bytes left)",
          number, length, last - pos + 1))
      end
      visit(number, wire, pos, offset, pos + length - 1)
      pos = pos + length
    elseif wire == START_GROUP or wire == END_GROUP then
      fail(offset, string.format("field %d: groups (wire type %d) are not supported", number, wire))
    else
      fail(offset, string.format("field %d: invalid wire type %d", number, wire))
    end
  end
end

-- Decoders of packed repeated fields (payload bytes[first..last]); append to list.
function protobuf.packed_varints(bytes, first, last, list)
  local pos = first
  while pos <= last do
    local value
    value, pos = read_varint(bytes, pos, last)
    list[#list + 1] = value
  end
  return list
end

function protobuf.packed_fixed(bytes, first, last, list, format, size)
  if (last - first + 1) % size ~= 0 then
    fail(first, string.format("packed field of %d bytes is not a multiple of %d", last - first + 1, size))
  end
  for pos = first, last, size do
    list[#list + 1] = string.unpack(format, bytes, pos)
  end
  return list
end

-- A varint read as a signed 32-bit integer (int32 fields are sign-extended to 64 bits).
function protobuf.int32(value)
  value = value & 0xffffffff
  if value >= 0x80000000 then
    value = value - 0x100000000
  end
  return value
end

return protobuf

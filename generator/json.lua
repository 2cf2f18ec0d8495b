-- A JSON encoder (RFC 8259): escaped strings, deterministic key order, integers kept apart from floats.

local json = {}

-- An object whose keys are written in the order given (plain tables are written with sorted keys).
local ORDERED = {}

function json.object(keys, values)
  return setmetatable({ keys = keys, values = values }, ORDERED)
end

-- Control characters, quote, backslash, DEL and the two JavaScript line separators are escaped;
-- every other valid UTF-8 sequence is written as it is. A byte that is not part of valid UTF-8
-- becomes U+FFFD: JSON text must be UTF-8, and a file name may not be.
local SHORT = { ['"'] = '\\"', ["\\"] = "\\\\" }

local function escape_valid(s)
  return (s:gsub('[%c"\\]', function(ch)
    return SHORT[ch] or string.format("\\u%04x", ch:byte())
  end):gsub("\226\128\168", "\\u2028"):gsub("\226\128\169", "\\u2029"))
end

local function encode_string(s)
  local parts, i = {}, 1
  while i <= #s do
    local ok, bad_at = utf8.len(s, i)
    if ok then
      parts[#parts + 1] = escape_valid(s:sub(i))
      break
    end
    parts[#parts + 1] = escape_valid(s:sub(i, bad_at - 1)) .. "\\ufffd"
    i = bad_at + 1
  end
  return '"' .. table.concat(parts) .. '"'
end

-- The shortest decimal form that reads back as the same double, always with a '.' or exponent
-- so a reader sees a float.
local function encode_float(x)
  if x ~= x or x == math.huge or x == -math.huge then
    error("json: " .. tostring(x) .. " has no JSON form", 0)
  end
  local text
  for digits = 15, 17 do
    text = string.format("%." .. digits .. "g", x)
    if tonumber(text) == x then break end
  end
  if not text:find("[.eE]") then text = text .. ".0" end
  return text
end

local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do
    if t[i] == nil then return false end
  end
  return true
end

local encode_value

local function members(value)
  if getmetatable(value) == ORDERED then
    return value.keys, value.values, false
  end
  if is_array(value) then
    local keys = {}
    for i = 1, #value do keys[i] = i end
    return keys, value, true
  end
  local keys = {}
  for k in pairs(value) do
    if type(k) ~= "string" then error("json: object key " .. tostring(k) .. " is not a string", 0) end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return keys, value, false
end

local function encode_container(value, style, depth)
  local keys, values, array = members(value)
  local open, close = array and "[" or "{", array and "]" or "}"
  if #keys == 0 then return open .. close end
  local items = {}
  for i, k in ipairs(keys) do
    local v = values[k]
    if v == nil then error("json: no value for key " .. tostring(k), 0) end
    local text = encode_value(v, style, depth + 1)
    items[i] = array and text or encode_string(k) .. ": " .. text
  end
  if style.inline_depth and depth >= style.inline_depth then
    return open .. " " .. table.concat(items, ", ") .. " " .. close
  end
  local pad = string.rep(" ", style.indent * (depth + 1))
  return open .. "\n" .. pad .. table.concat(items, ",\n" .. pad) .. "\n"
    .. string.rep(" ", style.indent * depth) .. close
end

function encode_value(value, style, depth)
  local kind = type(value)
  if kind == "string" then return encode_string(value) end
  if kind == "boolean" then return tostring(value) end
  if value == json.null then return "null" end
  if kind == "number" then
    return math.type(value) == "integer" and string.format("%d", value) or encode_float(value)
  end
  if kind == "table" then return encode_container(value, style, depth) end
  error("json: a " .. kind .. " has no JSON form", 0)
end

json.null = setmetatable({}, { __tostring = function() return "null" end })

-- JSON text for value. options.indent (default 2) spaces per level; containers at depth
-- options.inline_depth and deeper are written on one line. Errors on NaN, infinities,
-- non-string keys, functions.
function json.encode(value, options)
  options = options or {}
  return encode_value(value, { indent = options.indent or 2, inline_depth = options.inline_depth }, 0)
end

return json

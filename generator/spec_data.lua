-- Copies what a spec returned from the sandbox's child process to the generator, as plain data.
--
-- encode writes a Lua expression holding only tables, strings, numbers and booleans;
-- functions and coroutines become calls that decode turns back into values of the same
-- type (so validation still says "got a function"). Bounded in values, depth, string
-- length and bytes (generator/spec_limits.lua), so a spec cannot hand the generator more
-- than the validator can look at quickly.
local limits = require("generator.spec_limits")

local spec_data = {}

local function encode_key(key)
  if type(key) == "string" then
    return "[" .. string.format("%q", key:sub(1, limits.max_string_bytes)) .. "]"
  end
  return "[" .. string.format("%q", key) .. "]"
end

-- Returns the encoded text, or nil and a reason (a spec-facing message without file).
function spec_data.encode(value)
  local parts, bytes, values = {}, 0, 0
  local too_large
  local function put(text)
    bytes = bytes + #text
    if bytes > limits.max_result_bytes then
      too_large = string.format("spec returns more than %d bytes of data", limits.max_result_bytes)
      error(too_large, 0)
    end
    parts[#parts + 1] = text
  end
  local function walk(item, depth)
    values = values + 1
    if values > limits.max_values then
      too_large = string.format("spec returns more than %d values (at most %d layers are allowed)",
        limits.max_values, limits.max_layers)
      error(too_large, 0)
    end
    local kind = type(item)
    if kind == "string" then
      put(string.format("%q", item:sub(1, limits.max_string_bytes)))
    elseif kind == "number" or kind == "boolean" then
      put(string.format("%q", item))
    elseif kind ~= "table" then
      put("V(" .. string.format("%q", kind) .. ")")
    elseif depth >= limits.max_depth then
      -- Deeper than any valid spec: an empty table keeps the shape wrong, as it was.
      put("{}")
    else
      put("{")
      for key, inner in next, item do
        if type(key) == "string" or type(key) == "number" or type(key) == "boolean" then
          put(encode_key(key))
          put("=")
          walk(inner, depth + 1)
          put(",")
        end
      end
      put("}")
    end
  end
  local ok = pcall(walk, value, 0)
  if not ok then
    return nil, too_large or "spec returns data that cannot be copied"
  end
  return table.concat(parts)
end

local STAND_INS = {
  ["function"] = function() return function() end end,
  thread = function() return coroutine.create(function() end) end,
  userdata = function() return io.stdout end,
}

-- Returns the table encode described, or nil when the text is not such an encoding.
function spec_data.decode(text)
  local env = {
    V = function(kind)
      local make = STAND_INS[kind]
      return make and make() or nil
    end,
  }
  local chunk = load("return " .. text, "=spec data", "t", env)
  if not chunk then
    return nil
  end
  local ok, data = pcall(chunk)
  return ok and data or nil
end

return spec_data

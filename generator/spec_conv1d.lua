-- Spec front end, 1-D layers: conv1d and conv_transpose1d keys in one-axis form (generated as one-row 2-D layers).
local messages = require("generator.spec_messages")
local key_checks = require("generator.spec_keys")

local describe = messages.describe
local has_string_key = messages.has_string_key
local is_exact_array = messages.is_exact_array
local check_integer = key_checks.check_integer
local unknown_choice_message = messages.unknown_choice_message

local conv1d = {}

-- The 2-D op each 1-D op is generated as.
conv1d.AS_2D = { conv1d = "conv2d", conv_transpose1d = "conv_transpose2d" }

local INPUT_KEYS = { "n", "c", "w" }

-- Returns n, c, w (each nil when invalid); n defaults to 1.
function conv1d.check_input(context, value)
  local sizes = key_checks.check_input_sizes(context, value, INPUT_KEYS, "{ n =, c =, w = } (a 1-D layer has no h)")
  if not sizes then
    return nil
  end
  return sizes.n, sizes.c, sizes.w
end

-- kernel, stride, dilation and output_padding of a 1-D layer: one integer.
function conv1d.check_size(context, key, value, minimum)
  local positive = minimum > 0 and "a positive integer" or "a non-negative integer"
  if type(value) ~= "number" then
    context.fail(key, string.format("'%s' of a 1-D layer must be %s, got %s", key, positive, describe(value)))
    return nil
  end
  return check_integer(context.fail, key, "'" .. key .. "'", value, minimum, positive)
end

local PADDING_FORMS = 'a non-negative integer, { left, right }, "valid" or "same"'

-- Returns { same = true } or { top = 0, bottom = 0, left =, right = } (sides nil when invalid).
function conv1d.check_padding(context, value)
  local fail = context.fail
  if value == nil or value == "valid" then
    return { top = 0, bottom = 0, left = 0, right = 0 }
  elseif value == "same" then
    return { same = true }
  elseif type(value) == "string" then
    fail("padding", unknown_choice_message("padding", value, { "valid", "same" })
      .. ", a non-negative integer or { left, right }")
    return {}
  elseif type(value) == "number" then
    local pad = check_integer(fail, "padding", "'padding'", value, 0, "a non-negative integer")
    return { top = 0, bottom = 0, left = pad, right = pad }
  elseif type(value) ~= "table" or has_string_key(value) or not is_exact_array(value, 2) then
    fail("padding", string.format("'padding' of a 1-D layer must be %s, got %s", PADDING_FORMS, describe(value)))
    return {}
  end
  local element = "a non-negative integer"
  return {
    top = 0, bottom = 0,
    left = check_integer(fail, "padding", "'padding' left", value[1], 0, element),
    right = check_integer(fail, "padding", "'padding' right", value[2], 0, element),
  }
end

return conv1d

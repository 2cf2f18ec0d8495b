-- Spec front end, key checks: one function per layer key, each reporting through the layer context.
local limits = require("generator.spec_limits")
local messages = require("generator.spec_messages")
local escape_text = messages.escape_text
local is_identifier = messages.is_identifier
local describe = messages.describe
local describe_key = messages.describe_key
local quoted = messages.quoted
local closest = messages.closest
local did_you_mean = messages.did_you_mean
local unknown_choice_message = messages.unknown_choice_message
local contains = messages.contains
local sorted_keys = messages.sorted_keys
local is_exact_array = messages.is_exact_array
local has_string_key = messages.has_string_key

-- Every size and every element count must fit a signed 32-bit `int` in the generated C.
local MAX_COUNT = 2147483647

-- Also the order in which a layer's problems are reported.
local LAYER_KEYS = {
  "op", "name", "layout", "dtype", "input", "filters", "kernel", "stride",
  "dilation", "padding", "output_padding", "groups", "bias", "activation", "unroll", "backward", "quant",
}
local INPUT_KEYS = { "n", "c", "h", "w" }
local SIDE_KEYS = { "top", "bottom", "left", "right" }

local OPS = { "conv2d", "conv_transpose2d", "conv1d", "conv_transpose1d" }
local LAYOUTS = { "NCHW", "NHWC" }
local DTYPES = { "f32", "f64", "s8" }
local ACTIVATIONS = { "none", "relu", "relu6", "clamp" }
local UNROLLS = { "auto", "full", "loops" }
local PADDING_WORDS = { "valid", "same" }

local C_KEYWORDS = {}
for word in ([[
  auto break case char const continue default do double else enum extern float for
  goto if inline int long register restrict return short signed sizeof static struct
  switch typedef union unsigned void volatile while _Alignas _Alignof _Atomic _Bool
  _Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local
  alignas alignof bool constexpr false nullptr static_assert thread_local true typeof
  typeof_unqual _BitInt _Decimal128 _Decimal32 _Decimal64
]]):gmatch("%S+") do
  C_KEYWORDS[word] = true
end

---------------------------------------------------------------------------
-- Checks shared by layers and nested tables
---------------------------------------------------------------------------

-- Reports keys of `tbl` that are not in `known`, in sorted order. Returns the set of
-- known keys that were suggested, so "missing required key" is not repeated for them.
local function check_unknown_keys(fail, tbl, known, parent)
  local suggested = {}
  for _, key in ipairs(sorted_keys(tbl)) do
    if not contains(known, key) then
      local guess = closest(key, known)
      local key_path = parent
      if is_identifier(key) then
        key_path = parent and (parent .. "." .. key) or key
      end
      local message
      if guess then
        suggested[guess] = true
        local full_guess = parent and (parent .. "." .. guess) or guess
        message = "unknown key " .. describe_key(key, parent) .. did_you_mean(full_guess)
      else
        message = string.format("unknown key %s (known keys: %s)", describe_key(key, parent), table.concat(known, ", "))
      end
      fail(key_path, message)
    end
  end
  return suggested
end

local function integer_reason(value, minimum)
  if type(value) ~= "number" then
    return "type"
  end
  if value ~= value or value == math.huge or value == -math.huge or value ~= math.floor(value) then
    return "fraction"
  end
  if value < minimum then
    return "low"
  end
  if value > MAX_COUNT then
    return "high"
  end
  return nil
end

-- Returns `value` as a Lua integer in [minimum, MAX_COUNT] (3.0 becomes 3), or reports
-- why not and returns nil. `expected` describes the accepted forms for type errors.
local function check_integer(fail, key_path, label, value, minimum, expected)
  local reason = integer_reason(value, minimum)
  if reason == nil then
    return math.tointeger(value)
  end
  local got = describe(value)
  if reason == "type" then
    fail(key_path, string.format("%s must be %s, got %s", label, expected, got))
  elseif reason == "fraction" then
    fail(key_path, string.format("%s must be an integer, got %s", label, got))
  elseif reason == "low" then
    fail(key_path, string.format("%s must be %s, got %s", label, minimum > 0 and "positive" or "non-negative", got))
  else
    fail(key_path, string.format("%s is too large (at most %d), got %s", label, MAX_COUNT, got))
  end
  return nil
end

local function check_choice(fail, key, value, choices, default)
  if value == nil then
    return default
  end
  if type(value) ~= "string" then
    fail(key, string.format("'%s' must be one of: %s; got %s", key, table.concat(choices, ", "), describe(value)))
    return nil
  end
  if contains(choices, value) then
    return value
  end
  fail(key, unknown_choice_message(key, value, choices))
  return nil
end

local function missing_key(fail, key_path, suggested, leaf)
  if not (suggested and suggested[leaf or key_path]) then
    fail(key_path, string.format("missing required key '%s'", key_path))
  end
end

-- A number applies to both axes; a table must be the pair { first, second }.
local function check_size_pair(fail, key, value, names, minimum)
  local positive = minimum > 0 and "positive" or "non-negative"
  local expected = string.format("a %s integer or a pair { %s, %s }", positive, names[1], names[2])
  if type(value) == "number" then
    local size = check_integer(fail, key, "'" .. key .. "'", value, minimum, expected)
    return size, size
  end
  if type(value) ~= "table" then
    fail(key, string.format("'%s' must be %s, got %s", key, expected, describe(value)))
    return nil, nil
  end
  if not is_exact_array(value, 2) then
    fail(key, string.format("'%s' must be a pair { %s, %s } with exactly two entries", key, names[1], names[2]))
    return nil, nil
  end
  local element = "a " .. positive .. " integer"
  local first = check_integer(fail, key, string.format("'%s' %s", key, names[1]), value[1], minimum, element)
  local second = check_integer(fail, key, string.format("'%s' %s", key, names[2]), value[2], minimum, element)
  return first, second
end

---------------------------------------------------------------------------
-- Layer keys, one function each
---------------------------------------------------------------------------

local function check_name(context, raw_name, prefix)
  local fail = context.fail
  if raw_name == nil then
    fail("name", "missing required key 'name'")
    return nil
  end
  if type(raw_name) ~= "string" then
    fail("name", "'name' must be a string (a C identifier), got " .. describe(raw_name))
    return nil
  end
  if not is_identifier(raw_name) then
    fail("name", string.format("name %s is not a C identifier (letters, digits and _, not starting with a digit)",
      quoted(raw_name)))
    return nil
  end
  if C_KEYWORDS[raw_name] then
    fail("name", string.format("name '%s' is a C keyword", raw_name))
    return nil
  end
  -- The generator writes <prefix>model.h; on a case-insensitive file system "Model"
  -- would overwrite it too.
  if raw_name:lower() == "model" then
    fail("name", string.format("name '%s' is reserved (the generator writes '%smodel.h')", raw_name, prefix or ""))
    return nil
  end
  return raw_name
end

-- Symbols become file names and upper-cased macros, so two layers must differ in more
-- than letter case.
local function check_unique_symbol(context, name, prefix)
  local symbol = (prefix or "") .. name
  if prefix and C_KEYWORDS[symbol] then
    context.fail("name", string.format("symbol '%s' (prefix .. name) is a C keyword", symbol))
    return
  end
  -- Macros are the upper-cased symbol (a layer named "_" would define __C): a leading
  -- underscore makes identifiers the C implementation reserves.
  if symbol:sub(1, 1) == "_" then
    context.fail("name", string.format("symbol %s starts with '_': the macros made from it (%s_C, ...) "
      .. "are reserved for the C implementation", quoted(symbol), escape_text(symbol:upper())))
    return
  end
  if #symbol + #".h" > limits.max_file_name_bytes then
    context.fail("name", string.format("symbol (prefix .. name) is %d characters long; its file names "
      .. "('%s....c') must stay within %d", #symbol, symbol:sub(1, 8), limits.max_file_name_bytes))
    return
  end
  local folded = symbol:lower()
  local first = context.report.symbols[folded]
  if not first then
    context.report.symbols[folded] = { index = context.index, name = name }
  elseif first.name == name then
    context.fail("name", string.format("duplicate name '%s' (already used by layer #%d)", name, first.index))
  else
    context.fail("name", string.format(
      "duplicate name '%s' (layer #%d is named '%s'; names must differ in more than letter case)",
      name, first.index, first.name))
  end
end

-- Checks an input-size table against `input_keys` (n defaults to 1); `form` names the
-- table's shape in the message for a value that is not a table. Returns the sizes by key
-- (each nil when invalid), or nil when the input is missing or not a table.
local function check_input_sizes(context, value, input_keys, form)
  local fail = context.fail
  if value == nil then
    fail("input", "missing required key 'input'")
    return nil
  end
  if type(value) ~= "table" then
    fail("input", "'input' must be a table " .. form .. " or the name of an earlier layer, got " .. describe(value))
    return nil
  end
  local suggested = check_unknown_keys(fail, value, input_keys, "input")
  local sizes = {}
  for _, key in ipairs(input_keys) do
    local key_path = "input." .. key
    if value[key] == nil and key == "n" then
      sizes.n = 1
    elseif value[key] == nil then
      missing_key(fail, key_path, suggested, key)
    else
      sizes[key] = check_integer(fail, key_path, "'" .. key_path .. "'", value[key], 1, "a positive integer")
    end
  end
  return sizes
end

-- Returns n, c, h, w (each nil when invalid).
local function check_input(context, value)
  local sizes = check_input_sizes(context, value, INPUT_KEYS, "{ n =, c =, h =, w = }")
  if not sizes then
    return nil
  end
  return sizes.n, sizes.c, sizes.h, sizes.w
end

local function check_required_size(context, key, value)
  if value == nil then
    missing_key(context.fail, key, context.suggested)
    return nil
  end
  return check_integer(context.fail, key, "'" .. key .. "'", value, 1, "a positive integer")
end

local function check_axis_pair(context, key, value, names)
  if value == nil then
    return 1, 1
  end
  return check_size_pair(context.fail, key, value, names, 1)
end

local function check_padding_sides(context, value)
  local fail = context.fail
  local suggested = check_unknown_keys(fail, value, SIDE_KEYS, "padding")
  local sides = {}
  for _, side in ipairs(SIDE_KEYS) do
    local key_path = "padding." .. side
    if value[side] == nil then
      missing_key(fail, key_path, suggested, side)
    else
      sides[side] = check_integer(fail, key_path, "'" .. key_path .. "'", value[side], 0, "a non-negative integer")
    end
  end
  return sides
end

local PADDING_FORMS = 'a non-negative integer, { ph, pw }, { top =, bottom =, left =, right = }, "valid" or "same"'

-- Returns { same = true } or { top =, bottom =, left =, right = } (sides nil when invalid).
local function check_padding(context, value)
  local fail = context.fail
  if value == nil or value == "valid" then
    return { top = 0, bottom = 0, left = 0, right = 0 }
  elseif value == "same" then
    return { same = true }
  elseif type(value) == "string" then
    fail("padding", unknown_choice_message("padding", value, PADDING_WORDS)
      .. ", a non-negative integer, { ph, pw } or { top =, bottom =, left =, right = }")
    return {}
  elseif type(value) == "table" and has_string_key(value) then
    return check_padding_sides(context, value)
  elseif type(value) ~= "number" and type(value) ~= "table" then
    fail("padding", string.format("'padding' must be %s, got %s", PADDING_FORMS, describe(value)))
    return {}
  end
  local vertical, horizontal = check_size_pair(fail, "padding", value, { "ph", "pw" }, 0)
  return { top = vertical, bottom = vertical, left = horizontal, right = horizontal }
end

local function check_bias(context, value)
  if value == nil then
    return true
  end
  if type(value) ~= "boolean" then
    context.fail("bias", "'bias' must be a boolean (true or false), got " .. describe(value))
    return nil
  end
  return value
end

local function check_clamp_bound(context, which, value)
  if type(value) ~= "number" or value ~= value or value == math.huge or value == -math.huge then
    context.fail("activation", string.format("clamp %s bound must be a finite number, got %s", which, describe(value)))
    return nil
  end
  return value
end

local function check_clamp(context, value)
  local fail = context.fail
  if not is_exact_array(value, 3) then
    fail("activation", 'clamp activation must be { "clamp", lo, hi } with exactly three entries')
    return nil
  end
  local lo = check_clamp_bound(context, "lower", value[2])
  local hi = check_clamp_bound(context, "upper", value[3])
  if lo and hi and lo > hi then
    fail("activation", string.format("clamp bounds must satisfy lo <= hi, got lo = %s, hi = %s",
      describe(lo), describe(hi)))
    return nil
  end
  if lo and hi then
    return { kind = "clamp", lo = lo, hi = hi }
  end
  return nil
end

local SIMPLE_ACTIVATIONS = {
  none = { kind = "none" },
  relu = { kind = "relu", lo = 0 },
  relu6 = { kind = "relu6", lo = 0, hi = 6 },
}

local function copy_activation(template)
  return { kind = template.kind, lo = template.lo, hi = template.hi }
end

local function check_activation(context, value)
  local fail = context.fail
  if value == nil then
    return copy_activation(SIMPLE_ACTIVATIONS.none)
  elseif SIMPLE_ACTIVATIONS[value] then
    return copy_activation(SIMPLE_ACTIVATIONS[value])
  elseif value == "clamp" then
    fail("activation", 'activation \'clamp\' needs bounds: write { "clamp", lo, hi }')
  elseif type(value) == "string" then
    fail("activation", unknown_choice_message("activation", value, ACTIVATIONS))
  elseif type(value) == "table" and value[1] == "clamp" then
    return check_clamp(context, value)
  elseif type(value) == "table" and type(value[1]) == "string" then
    fail("activation", unknown_choice_message("activation", value[1], { "clamp" })
      .. ' (the table form is { "clamp", lo, hi })')
  else
    fail("activation", string.format(
      "'activation' must be one of: none, relu, relu6, or { \"clamp\", lo, hi }; got %s", describe(value)))
  end
  return nil
end

-- Largest finite value of each element type: a bound past it would be written as an
-- infinite literal (`inff`), which is not C.
local LARGEST_FINITE = { f32 = 3.4028234663852886e38, f64 = math.huge }

local function check_activation_range(context, act, dtype)
  local largest = act and LARGEST_FINITE[dtype]
  if not largest or act.kind ~= "clamp" then
    return
  end
  for _, bound in ipairs({ { "lower", act.lo }, { "upper", act.hi } }) do
    if math.abs(bound[2]) > largest then
      context.fail("activation", string.format("clamp %s bound %s is outside the range of %s (largest %s)",
        bound[1], describe(bound[2]), dtype, describe(largest)))
    end
  end
end

---------------------------------------------------------------------------
-- Checks that combine several keys
---------------------------------------------------------------------------

local function check_groups(context, layer, value)
  local groups = 1
  if value ~= nil then
    groups = check_integer(context.fail, "groups", "'groups'", value, 1, "a positive integer")
  end
  if groups and layer.c and layer.c % groups ~= 0 then
    context.fail("groups", string.format("groups %d does not divide input channels %d", groups, layer.c))
  end
  if groups and layer.m and layer.m % groups ~= 0 then
    context.fail("groups", string.format("groups %d does not divide filters %d", groups, layer.m))
  end
  return groups
end

local function check_backward(context, op, value)
  if value == nil then
    return false
  end
  if type(value) ~= "boolean" then
    context.fail("backward", "'backward' must be true or false, got " .. describe(value))
    return false
  end
  if value and op == "conv_transpose2d" then
    context.fail("backward", "'backward' is only available for conv2d layers")
    return false
  end
  return value
end

-- output_padding: conv_transpose2d only; each side below its stride or its dilation, as in PyTorch.
local function check_output_padding(context, layer, value)
  if value == nil then
    return 0, 0
  end
  if layer.op ~= "conv_transpose2d" then
    context.fail("output_padding", "'output_padding' is only available for conv_transpose2d layers")
    return 0, 0
  end
  local ph, pw = check_size_pair(context.fail, "output_padding", value, { "ph", "pw" }, 0)
  if ph == nil then
    return nil, nil
  end
  local ok = true
  for _, axis in ipairs({ { ph, layer.sh, layer.dh, "rows" }, { pw, layer.sw, layer.dw, "columns" } }) do
    local pad, stride, dilation, what = axis[1], axis[2], axis[3], axis[4]
    if stride and dilation and pad >= stride and pad >= dilation then
      context.fail("output_padding", string.format(
        "output_padding %d (%s) must be smaller than the stride %d or the dilation %d", pad, what, stride, dilation))
      ok = false
    end
  end
  if not ok then
    return nil, nil
  end
  return ph, pw
end

return {
  check_unknown_keys = check_unknown_keys,
  integer_reason = integer_reason,
  check_integer = check_integer,
  check_choice = check_choice,
  missing_key = missing_key,
  check_size_pair = check_size_pair,
  check_name = check_name,
  check_unique_symbol = check_unique_symbol,
  check_input = check_input,
  check_input_sizes = check_input_sizes,
  check_required_size = check_required_size,
  check_axis_pair = check_axis_pair,
  check_padding_sides = check_padding_sides,
  check_padding = check_padding,
  check_bias = check_bias,
  check_clamp_bound = check_clamp_bound,
  check_clamp = check_clamp,
  copy_activation = copy_activation,
  check_activation = check_activation,
  check_activation_range = check_activation_range,
  check_groups = check_groups,
  check_backward = check_backward,
  check_output_padding = check_output_padding,
  MAX_COUNT = MAX_COUNT,
  LAYER_KEYS = LAYER_KEYS,
  INPUT_KEYS = INPUT_KEYS,
  SIDE_KEYS = SIDE_KEYS,
  OPS = OPS,
  LAYOUTS = LAYOUTS,
  DTYPES = DTYPES,
  ACTIVATIONS = ACTIVATIONS,
  UNROLLS = UNROLLS,
  PADDING_WORDS = PADDING_WORDS,
  C_KEYWORDS = C_KEYWORDS,
  PADDING_FORMS = PADDING_FORMS,
  SIMPLE_ACTIVATIONS = SIMPLE_ACTIVATIONS,
}

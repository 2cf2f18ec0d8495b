-- Public entry for specs: loads a spec file in the sandbox, validates every layer and returns the normalized model.
local sandbox = require("generator.sandbox")
local spec_lines = require("generator.spec_lines")
local shape = require("generator.shape")

local spec = {}

-- Every size and every element count must fit a signed 32-bit `int` in the generated C.
local MAX_COUNT = 2147483647

local TOP_KEYS = { "prefix", "layers" }
-- Also the order in which a layer's problems are reported.
local LAYER_KEYS = {
  "op", "name", "layout", "dtype", "input", "filters", "kernel", "stride",
  "dilation", "padding", "output_padding", "groups", "bias", "activation", "unroll", "backward",
}
local INPUT_KEYS = { "n", "c", "h", "w" }
local SIDE_KEYS = { "top", "bottom", "left", "right" }

local OPS = { "conv2d", "conv_transpose2d" }
local LAYOUTS = { "NCHW", "NHWC" }
local DTYPES = { "f32", "f64" }
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
-- Describing user values in one-line messages
---------------------------------------------------------------------------

local function is_identifier(text)
  return type(text) == "string" and text:match("^[%a_][%w_]*$") ~= nil
end

local CONTROL_ESCAPES = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ['"'] = '\\"', ["\\"] = "\\\\" }

-- Messages must stay on one line and short, whatever the spec put in a string.
local function escape_text(text)
  local shown = text
  if #shown > 40 then
    shown = shown:sub(1, 40)
  end
  shown = shown:gsub('[%c"\\]', function(char)
    return CONTROL_ESCAPES[char] or string.format("\\%d", char:byte())
  end)
  if #text > 40 then
    shown = shown .. "..."
  end
  return shown
end

local function describe_number(value)
  if value ~= value then
    return "nan"
  end
  return tostring(value)
end

-- How a value the user wrote appears after "got ...".
local function describe(value)
  local kind = type(value)
  if kind == "string" then
    return '"' .. escape_text(value) .. '"'
  elseif kind == "number" then
    return describe_number(value)
  elseif kind == "nil" or kind == "boolean" then
    return tostring(value)
  end
  return "a " .. kind
end

-- How a key appears in "unknown key ...": 'name', 'input.name', or [1] for odd keys.
local function describe_key(key, parent)
  if is_identifier(key) then
    return "'" .. (parent and parent .. "." or "") .. key .. "'"
  end
  local shown = describe(key)
  if parent then
    return "[" .. shown .. "] in '" .. parent .. "'"
  end
  return "[" .. shown .. "]"
end

local function quoted(text)
  return "'" .. escape_text(text) .. "'"
end

---------------------------------------------------------------------------
-- Suggestions for misspelled keys and values
---------------------------------------------------------------------------

local function levenshtein(a, b)
  local previous = {}
  for j = 0, #b do
    previous[j] = j
  end
  for i = 1, #a do
    local current = { [0] = i }
    for j = 1, #b do
      local substitution = previous[j - 1] + (a:byte(i) == b:byte(j) and 0 or 1)
      current[j] = math.min(previous[j] + 1, current[j - 1] + 1, substitution)
    end
    previous = current
  end
  return previous[#b]
end

-- The closest candidate within distance 2, ignoring letter case ("nchw" -> "NCHW").
-- A one-letter candidate is never suggested for a different letter: that is noise.
local function closest(word, candidates)
  if type(word) ~= "string" then
    return nil
  end
  local best, best_distance = nil, math.huge
  for _, candidate in ipairs(candidates) do
    if math.abs(#candidate - #word) <= 2 then
      local distance = levenshtein(word:lower(), candidate:lower())
      if distance <= 2 and distance < #candidate and distance < best_distance then
        best, best_distance = candidate, distance
      end
    end
  end
  return best
end

local function did_you_mean(guess)
  return guess and string.format(" (did you mean '%s'?)", guess) or ""
end

local function unknown_choice_message(what, value, choices)
  return string.format("unknown %s %s%s; expected one of: %s",
    what, quoted(value), did_you_mean(closest(value, choices)), table.concat(choices, ", "))
end

local function contains(list, value)
  for _, item in ipairs(list) do
    if item == value then
      return true
    end
  end
  return false
end

---------------------------------------------------------------------------
-- Table shape helpers (key order never leaks into messages)
---------------------------------------------------------------------------

local function compare_keys(a, b)
  local type_a, type_b = type(a), type(b)
  if type_a ~= type_b then
    return type_a < type_b
  end
  if type_a == "string" or type_a == "number" then
    return a < b
  end
  if type_a == "boolean" then
    return (not a) and b
  end
  return false
end

local function sorted_keys(tbl)
  local keys = {}
  for key in pairs(tbl) do
    keys[#keys + 1] = key
  end
  table.sort(keys, compare_keys)
  return keys
end

-- True when `tbl` holds exactly the entries 1..count and nothing else.
local function is_exact_array(tbl, count)
  local entries = 0
  for _ in pairs(tbl) do
    entries = entries + 1
  end
  if entries ~= count then
    return false
  end
  for index = 1, count do
    if tbl[index] == nil then
      return false
    end
  end
  return true
end

local function has_string_key(tbl)
  for key in pairs(tbl) do
    if type(key) == "string" then
      return true
    end
  end
  return false
end

---------------------------------------------------------------------------
-- Collecting errors with file and line
---------------------------------------------------------------------------

local function format_error(path, line, subject, message)
  local location = line and (path .. ":" .. line) or path
  if subject then
    return string.format("%s: %s: %s", location, subject, message)
  end
  return string.format("%s: %s", location, message)
end

local function add_top_error(report, line, message)
  report.errors[#report.errors + 1] = format_error(report.path, line, nil, message)
end

-- A layer's key path ("padding.top") maps to the line of that key, else of its parent
-- key, else of the layer table, else no line at all.
local function layer_line(layer_lines, key_path)
  if not layer_lines then
    return nil
  end
  local keys = layer_lines.keys or {}
  if key_path then
    local parent = key_path:match("^([^.]+)%.")
    return keys[key_path] or (parent and keys[parent]) or layer_lines.line
  end
  return layer_lines.line
end

local function usable_label(raw_layer, index)
  if type(raw_layer) == "table" and is_identifier(raw_layer.name) then
    return "layer '" .. raw_layer.name .. "'"
  end
  return "layer #" .. index
end

-- The per-layer context every check reports through.
local function new_layer_context(report, index, raw_layer)
  local context = {
    report = report,
    index = index,
    label = (report.labels and report.labels[index]) or usable_label(raw_layer, index),
    lines = report.lines.layers and report.lines.layers[index],
  }
  function context.fail(key_path, message)
    local line = layer_line(context.lines, key_path)
    report.errors[#report.errors + 1] = format_error(report.path, line, context.label, message)
  end
  return context
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

-- Returns n, c, h, w (each nil when invalid).
local function check_input(context, value)
  local fail = context.fail
  if value == nil then
    fail("input", "missing required key 'input'")
    return nil
  end
  if type(value) ~= "table" then
    fail("input", "'input' must be a table { n =, c =, h =, w = }, got " .. describe(value))
    return nil
  end
  local suggested = check_unknown_keys(fail, value, INPUT_KEYS, "input")
  local sizes = {}
  for _, key in ipairs(INPUT_KEYS) do
    local key_path = "input." .. key
    if value[key] == nil and key == "n" then
      sizes.n = 1
    elseif value[key] == nil then
      missing_key(fail, key_path, suggested, key)
    else
      sizes[key] = check_integer(fail, key_path, "'" .. key_path .. "'", value[key], 1, "a positive integer")
    end
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

local function all_present(layer, keys)
  for _, key in ipairs(keys) do
    if layer[key] == nil then
      return false
    end
  end
  return true
end

local function resolve_padding(layer, padding)
  if padding.same and all_present(layer, { "h", "w", "kh", "kw", "sh", "sw", "dh", "dw" }) then
    layer.pad_top, layer.pad_bottom = shape.same_padding(layer.h, layer.kh, layer.sh, layer.dh)
    layer.pad_left, layer.pad_right = shape.same_padding(layer.w, layer.kw, layer.sw, layer.dw)
  elseif not padding.same then
    layer.pad_top, layer.pad_bottom = padding.top, padding.bottom
    layer.pad_left, layer.pad_right = padding.left, padding.right
  end
end

-- Multiplies positive factors, stopping as soon as the limit is passed so the product
-- itself can never overflow. Returns nil when the limit is exceeded.
local function bounded_product(factors)
  local total = 1
  for _, factor in ipairs(factors) do
    total = total * factor
    if total > MAX_COUNT then
      return nil
    end
  end
  return total
end

local GEOMETRY_KEYS = {
  "h", "w", "kh", "kw", "sh", "sw", "dh", "dw", "pad_top", "pad_bottom", "pad_left", "pad_right",
}

-- Sets oh and ow, or reports why the kernel does not fit. Returns true on success.
local function check_output_size(context, layer)
  local fail = context.fail
  local eff_h = shape.effective_kernel(layer.kh, layer.dh)
  local eff_w = shape.effective_kernel(layer.kw, layer.dw)
  local padded_h = layer.h + layer.pad_top + layer.pad_bottom
  local padded_w = layer.w + layer.pad_left + layer.pad_right
  if math.max(eff_h, eff_w, padded_h, padded_w) > MAX_COUNT then
    fail("kernel", string.format("effective kernel %dx%d or padded input %dx%d is larger than %d",
      eff_h, eff_w, padded_h, padded_w, MAX_COUNT))
    return false
  end
  layer.oh = shape.out_size(layer.h, layer.kh, layer.sh, layer.dh, layer.pad_top, layer.pad_bottom)
  layer.ow = shape.out_size(layer.w, layer.kw, layer.sw, layer.dw, layer.pad_left, layer.pad_right)
  if layer.oh < 1 or layer.ow < 1 then
    fail("kernel", string.format(
      "effective kernel %dx%d (kernel %dx%d, dilation %dx%d) larger than padded input %dx%d; output would be %dx%d",
      eff_h, eff_w, layer.kh, layer.kw, layer.dh, layer.dw, padded_h, padded_w, layer.oh, layer.ow))
    return false
  end
  return true
end

-- conv_transpose2d: sets oh and ow of the full output less its padding, or reports why it is empty.
local function check_transposed_output_size(context, layer)
  local function size(input, k, stride, dilation, before, after, extra)
    return (input - 1) * stride - before - after + dilation * (k - 1) + extra + 1
  end
  layer.oh = size(layer.h, layer.kh, layer.sh, layer.dh, layer.pad_top, layer.pad_bottom, layer.out_pad_h)
  layer.ow = size(layer.w, layer.kw, layer.sw, layer.dw, layer.pad_left, layer.pad_right, layer.out_pad_w)
  if layer.oh > MAX_COUNT or layer.ow > MAX_COUNT then
    context.fail("kernel", string.format("output %dx%d is larger than %d", layer.oh, layer.ow, MAX_COUNT))
    return false
  end
  if layer.oh < 1 or layer.ow < 1 then
    context.fail("padding", string.format(
      "padding removes the whole output: (H-1)*stride + dilation*(K-1) + output_padding + 1 - padding is %dx%d",
      layer.oh, layer.ow))
    return false
  end
  return true
end

local function check_element_counts(context, layer)
  local per_group = layer.c // layer.groups
  -- The patch matrix: im2col of the forward conv, or the columns a transposed conv scatters.
  local patches = layer.op == "conv2d" and { layer.c, layer.kh, layer.kw, layer.oh, layer.ow }
    or { layer.m, layer.kh, layer.kw, layer.h, layer.w }
  local counts = {
    { "input", "input", "N*C*H*W", { layer.n, layer.c, layer.h, layer.w } },
    { "filters", "weights", "M*C/groups*KH*KW", { layer.m, per_group, layer.kh, layer.kw } },
    { "filters", "output", "N*M*OH*OW", { layer.n, layer.m, layer.oh, layer.ow } },
    { "kernel", "patch matrix", "KH*KW*" .. (layer.op == "conv2d" and "C*OH*OW" or "M*H*W"), patches },
  }
  for _, count in ipairs(counts) do
    local key, what, formula, factors = count[1], count[2], count[3], count[4]
    if not bounded_product(factors) then
      context.fail(key, string.format("%s has more than %d elements (%s = %s)",
        what, MAX_COUNT, formula, table.concat(factors, "*")))
    end
  end
end

local function check_geometry(context, layer, padding)
  resolve_padding(layer, padding)
  if not all_present(layer, GEOMETRY_KEYS) then
    return
  end
  local sized
  if layer.op == "conv_transpose2d" then
    sized = all_present(layer, { "out_pad_h", "out_pad_w" }) and check_transposed_output_size(context, layer)
  else
    sized = check_output_size(context, layer)
  end
  if sized and all_present(layer, { "n", "c", "m", "groups" }) then
    check_element_counts(context, layer)
  end
end

---------------------------------------------------------------------------
-- One layer
---------------------------------------------------------------------------

local SOURCE_COPY_DEPTH = 3

local function copy_plain(value, depth)
  if type(value) ~= "table" or depth == 0 then
    return value
  end
  local copy = {}
  for key, item in pairs(value) do
    copy[key] = copy_plain(item, depth - 1)
  end
  return copy
end

-- The values exactly as written, for the generated header's comment.
local function source_values(raw)
  local source = {}
  for _, key in ipairs(LAYER_KEYS) do
    source[key] = copy_plain(raw[key], SOURCE_COPY_DEPTH)
  end
  return source
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

local function check_layer_fields(context, raw, prefix)
  local layer = {}
  context.suggested = check_unknown_keys(context.fail, raw, LAYER_KEYS)
  layer.op = check_choice(context.fail, "op", raw.op, OPS, "conv2d")
  layer.name = check_name(context, raw.name, prefix)
  if layer.name then
    check_unique_symbol(context, layer.name, prefix)
  end
  layer.layout = check_choice(context.fail, "layout", raw.layout, LAYOUTS, "NCHW")
  layer.dtype = check_choice(context.fail, "dtype", raw.dtype, DTYPES, "f32")
  layer.n, layer.c, layer.h, layer.w = check_input(context, raw.input)
  layer.m = check_required_size(context, "filters", raw.filters)
  if raw.kernel == nil then
    missing_key(context.fail, "kernel", context.suggested)
  else
    layer.kh, layer.kw = check_size_pair(context.fail, "kernel", raw.kernel, { "kh", "kw" }, 1)
  end
  layer.sh, layer.sw = check_axis_pair(context, "stride", raw.stride, { "sh", "sw" })
  layer.dh, layer.dw = check_axis_pair(context, "dilation", raw.dilation, { "dh", "dw" })
  local padding = check_padding(context, raw.padding)
  layer.groups = check_groups(context, layer, raw.groups)
  layer.bias = check_bias(context, raw.bias)
  layer.act = check_activation(context, raw.activation)
  layer.unroll = check_choice(context.fail, "unroll", raw.unroll, UNROLLS, "auto")
  layer.backward = check_backward(context, layer.op, raw.backward)
  layer.out_pad_h, layer.out_pad_w = check_output_padding(context, layer, raw.output_padding)
  if layer.op == "conv_transpose2d" and padding and padding.same then
    context.fail("padding", "padding \"same\" is not defined for conv_transpose2d; give the rows and columns")
    padding = nil
  end
  if padding then
    check_geometry(context, layer, padding)
  end
  return layer
end

local function check_layer(report, index, raw, prefix, unroll_override)
  local context = new_layer_context(report, index, raw)
  if type(raw) ~= "table" then
    context.fail(nil, "must be a table, got " .. describe(raw))
    return nil
  end
  local layer = check_layer_fields(context, raw, prefix)
  layer.sym = (prefix or "") .. (layer.name or "")
  layer.unroll = unroll_override or layer.unroll
  layer.line = context.lines and context.lines.line
  layer.source = source_values(raw)
  return layer
end

---------------------------------------------------------------------------
-- The whole file
---------------------------------------------------------------------------

local function check_prefix(report, value)
  if value == nil then
    return ""
  end
  if value == "" or is_identifier(value) then
    return value
  end
  add_top_error(report, report.lines.top_keys.prefix or report.lines.line, string.format(
    "'prefix' must be \"\" or the start of a C identifier (letters, digits and _, not starting with a digit), got %s",
    describe(value)))
  return nil
end

local function top_key_line(report, key)
  return (type(key) == "string" and report.lines.top_keys[key]) or report.lines.line
end

-- Returns the set of known keys that were suggested for a misspelled one.
local function check_top_keys(report, data)
  local suggested = {}
  for _, key in ipairs(sorted_keys(data)) do
    if not contains(TOP_KEYS, key) then
      local message
      if type(key) == "number" then
        message = string.format("unexpected entry %s; layer tables go inside layers = { ... }", describe_key(key))
      else
        local guess = closest(key, TOP_KEYS)
        suggested[guess or ""] = true
        message = "unknown key " .. describe_key(key) .. (guess and did_you_mean(guess)
          or string.format(" (known keys: %s)", table.concat(TOP_KEYS, ", ")))
      end
      add_top_error(report, top_key_line(report, key), message)
    end
  end
  return suggested
end

-- Returns the number of array entries 1..count after reporting anything else.
-- A misspelled `layers` key was already reported with its suggestion.
local function check_layers_container(report, layers, suggested)
  local line = report.lines.top_keys.layers or report.lines.line
  if layers == nil then
    if not suggested.layers then
      add_top_error(report, report.lines.line, "missing required key 'layers'")
    end
    return 0
  end
  if type(layers) ~= "table" then
    add_top_error(report, line, "'layers' must be a non-empty array of layer tables, got " .. describe(layers))
    return 0
  end
  local count = 0
  while layers[count + 1] ~= nil do
    count = count + 1
  end
  for _, key in ipairs(sorted_keys(layers)) do
    if math.type(key) ~= "integer" or key < 1 or key > count then
      add_top_error(report, line, string.format(
        "'layers' must be an array (layers listed one after another); unexpected key %s", describe_key(key)))
    end
  end
  if count == 0 then
    add_top_error(report, line, "'layers' must not be empty")
  end
  return count
end

local function check_overrides(overrides, errors)
  if overrides == nil then
    return nil
  end
  if type(overrides) ~= "table" then
    errors[#errors + 1] = "overrides must be a table, got " .. describe(overrides)
    return nil
  end
  for _, key in ipairs(sorted_keys(overrides)) do
    if key ~= "unroll" then
      errors[#errors + 1] = "unknown override " .. describe_key(key)
    end
  end
  local unroll = overrides.unroll
  if unroll ~= nil and not contains(UNROLLS, unroll) then
    local message = type(unroll) == "string" and unknown_choice_message("unroll", unroll, UNROLLS)
      or "unroll must be a string, got " .. describe(unroll)
    errors[#errors + 1] = "unroll override: " .. message
    return nil
  end
  return unroll
end

local function build_model(report, data, unroll_override)
  local suggested = check_top_keys(report, data)
  local prefix = check_prefix(report, data.prefix)
  local count = check_layers_container(report, data.layers, suggested)
  local model = { path = report.path, prefix = prefix, layers = {} }
  for index = 1, count do
    model.layers[index] = check_layer(report, index, data.layers[index], prefix, unroll_override)
  end
  return model
end

-- spec.validate(data [, options]) -> model | nil, errors
-- The front-end interface: `data` is a plain table shaped like a spec file's result
-- ({ prefix = ..., layers = { ... } }), from the spec DSL or from an importer. Every
-- problem is reported as "PATH[:LINE]: SUBJECT: message". options:
--   path      name used in messages (default "spec")
--   lines     spec_lines.scan() of the source text, to give lines (optional)
--   labels    labels[i] replaces "layer 'NAME'" as the subject of layer i's messages
--             (an importer names its model node here)
--   overrides as for spec.load
function spec.validate(data, options)
  options = options or {}
  local errors = {}
  local unroll_override = check_overrides(options.overrides, errors)
  local path = options.path or "spec"
  if type(data) ~= "table" then
    errors[#errors + 1] = format_error(path, nil, nil, "a spec must be a table, got " .. describe(data))
    return nil, errors
  end
  local lines = options.lines or { top_keys = {}, layers = {} }
  local report = { path = path, lines = lines, labels = options.labels, errors = errors, symbols = {} }
  local model = build_model(report, data, unroll_override)
  if #errors > 0 then
    return nil, errors
  end
  return model
end

-- spec.load(path [, overrides]) -> model | nil, errors
-- overrides.unroll, when set, replaces every layer's unroll. errors is an array of
-- one-line strings: "FILE:LINE: layer 'NAME': message" or "FILE:LINE: message" for
-- top-level problems; ":LINE" is left out when no line is known, and a layer without a
-- usable name is called "layer #3". Problems with `overrides` come first, without FILE.
function spec.load(path, overrides)
  assert(type(path) == "string", "spec.load: path must be a string")
  local data, source = sandbox.load(path)
  if not data then
    local errors = {}
    check_overrides(overrides, errors)
    errors[#errors + 1] = source
    return nil, errors
  end
  return spec.validate(data, { path = path, lines = spec_lines.scan(source), overrides = overrides })
end

return spec

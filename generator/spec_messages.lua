-- Spec front end, messages: how values and keys are shown, suggestions for typos, errors with file and line.

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
    return "layer " .. quoted(raw_layer.name)
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
    -- A layer built by code has no line of its own: point at `layers =`, else `return {`.
    local line = layer_line(context.lines, key_path) or report.lines.top_keys.layers or report.lines.line
    report.errors[#report.errors + 1] = format_error(report.path, line, context.label, message)
  end
  return context
end

return {
  is_identifier = is_identifier,
  escape_text = escape_text,
  describe_number = describe_number,
  describe = describe,
  describe_key = describe_key,
  quoted = quoted,
  levenshtein = levenshtein,
  closest = closest,
  did_you_mean = did_you_mean,
  unknown_choice_message = unknown_choice_message,
  contains = contains,
  compare_keys = compare_keys,
  sorted_keys = sorted_keys,
  is_exact_array = is_exact_array,
  has_string_key = has_string_key,
  format_error = format_error,
  add_top_error = add_top_error,
  layer_line = layer_line,
  usable_label = usable_label,
  new_layer_context = new_layer_context,
}

-- Public entry for specs: loads a spec file in the sandbox, validates every layer and returns the normalized model.
local sandbox = require("generator.sandbox")
local spec_lines = require("generator.spec_lines")

local limits = require("generator.spec_limits")
local messages = require("generator.spec_messages")
local key_checks = require("generator.spec_keys")
local geometry = require("generator.spec_geometry")
local is_identifier = messages.is_identifier
local describe = messages.describe
local describe_key = messages.describe_key
local closest = messages.closest
local did_you_mean = messages.did_you_mean
local unknown_choice_message = messages.unknown_choice_message
local contains = messages.contains
local sorted_keys = messages.sorted_keys
local format_error = messages.format_error
local add_top_error = messages.add_top_error
local new_layer_context = messages.new_layer_context
local check_unknown_keys = key_checks.check_unknown_keys
local check_choice = key_checks.check_choice
local missing_key = key_checks.missing_key
local check_size_pair = key_checks.check_size_pair
local check_name = key_checks.check_name
local check_unique_symbol = key_checks.check_unique_symbol
local check_input = key_checks.check_input
local conv1d = require("generator.spec_conv1d")
local links = require("generator.spec_links")
local spec_quant = require("generator.spec_quant")
local check_required_size = key_checks.check_required_size
local check_axis_pair = key_checks.check_axis_pair
local check_padding = key_checks.check_padding
local check_bias = key_checks.check_bias
local check_activation = key_checks.check_activation
local check_activation_range = key_checks.check_activation_range
local check_groups = key_checks.check_groups
local check_backward = key_checks.check_backward
local check_output_padding = key_checks.check_output_padding
local LAYER_KEYS = key_checks.LAYER_KEYS
local OPS = key_checks.OPS
local LAYOUTS = key_checks.LAYOUTS
local DTYPES = key_checks.DTYPES
local UNROLLS = key_checks.UNROLLS

local spec = {}
local check_geometry = geometry.check_geometry

local TOP_KEYS = { "prefix", "defaults", "layers" }

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

-- Input sizes: a table, or the name of an earlier layer whose output this layer reads.
local function check_layer_input(context, layer, raw)
  local value = raw.input
  if type(value) == "string" then
    local source = links.source_layer(context, value, context.report)
    if source then
      -- The layer's own layout and dtype must match its input's; defaults do not apply.
      links.connect(context, layer, source, { layout = context.written.layout, dtype = context.written.dtype })
    end
    return
  end
  if layer.rank == 1 then
    layer.n, layer.c, layer.w = conv1d.check_input(context, value)
    layer.h = layer.c and 1
  else
    layer.n, layer.c, layer.h, layer.w = check_input(context, value)
  end
  layer.layout = check_choice(context.fail, "layout", raw.layout, LAYOUTS, "NCHW")
  layer.dtype = check_choice(context.fail, "dtype", raw.dtype, DTYPES, "f32")
end

-- kernel, stride, dilation and padding, in their 2-D or 1-D forms. Returns the padding.
local function check_window(context, layer, raw)
  if layer.rank == 1 then
    layer.kh, layer.sh, layer.dh = 1, 1, 1
    if raw.kernel == nil then
      missing_key(context.fail, "kernel", context.suggested)
    else
      layer.kw = conv1d.check_size(context, "kernel", raw.kernel, 1)
    end
    layer.sw = raw.stride == nil and 1 or conv1d.check_size(context, "stride", raw.stride, 1)
    layer.dw = raw.dilation == nil and 1 or conv1d.check_size(context, "dilation", raw.dilation, 1)
    return conv1d.check_padding(context, raw.padding)
  end
  if raw.kernel == nil then
    missing_key(context.fail, "kernel", context.suggested)
  else
    layer.kh, layer.kw = check_size_pair(context.fail, "kernel", raw.kernel, { "kh", "kw" }, 1)
  end
  layer.sh, layer.sw = check_axis_pair(context, "stride", raw.stride, { "sh", "sw" })
  layer.dh, layer.dw = check_axis_pair(context, "dilation", raw.dilation, { "dh", "dw" })
  return check_padding(context, raw.padding)
end

local function check_layer_output_padding(context, layer, raw)
  if layer.rank == 1 and raw.output_padding ~= nil and layer.op == "conv_transpose2d" then
    local pw = conv1d.check_size(context, "output_padding", raw.output_padding, 0)
    if pw and layer.sw and layer.dw and pw >= layer.sw and pw >= layer.dw then
      context.fail("output_padding", string.format(
        "output_padding %d must be smaller than the stride %d or the dilation %d", pw, layer.sw, layer.dw))
      pw = nil
    end
    return 0, pw
  end
  return check_output_padding(context, layer, raw.output_padding)
end

local function check_layer_fields(context, raw, prefix, unroll_override)
  local layer = {}
  context.suggested = check_unknown_keys(context.fail, raw, LAYER_KEYS)
  local op = check_choice(context.fail, "op", raw.op, OPS, "conv2d")
  layer.rank = conv1d.AS_2D[op] and 1 or 2
  layer.op = conv1d.AS_2D[op] or op
  layer.name = check_name(context, raw.name, prefix)
  if layer.name then
    check_unique_symbol(context, layer.name, prefix)
  end
  check_layer_input(context, layer, raw)
  layer.m = check_required_size(context, "filters", raw.filters)
  local padding = check_window(context, layer, raw)
  layer.groups = check_groups(context, layer, raw.groups)
  layer.bias = check_bias(context, raw.bias)
  layer.act = check_activation(context, raw.activation)
  check_activation_range(context, layer.act, layer.dtype)
  layer.unroll = unroll_override or check_choice(context.fail, "unroll", raw.unroll, UNROLLS, "auto")
  layer.backward = check_backward(context, layer.op, raw.backward)
  layer.out_pad_h, layer.out_pad_w = check_layer_output_padding(context, layer, raw)
  if layer.op == "conv_transpose2d" and padding and padding.same then
    context.fail("padding", string.format("padding \"same\" is not defined for %s; give the padding", op))
    padding = nil
  end
  if padding then
    check_geometry(context, layer, padding)
  end
  spec_quant.check(context, layer, raw)
  return layer
end

local function check_layer(report, index, raw, prefix, unroll_override)
  local context = new_layer_context(report, index, raw)
  if type(raw) ~= "table" then
    context.fail(nil, "must be a table, got " .. describe(raw))
    return nil
  end
  local errors_before = #report.errors
  local written = raw
  context.written = written
  raw = links.apply_defaults(context, raw, report.defaults)
  local layer = check_layer_fields(context, raw, prefix, unroll_override)
  layer.sym = (prefix or "") .. (layer.name or "")
  layer.line = context.lines and context.lines.line
  layer.source = source_values(written)
  if #report.errors == errors_before then
    report.valid_layers[index] = layer
  end
  return layer
end

---------------------------------------------------------------------------
-- The whole file
---------------------------------------------------------------------------

-- The longest file name the prefix alone implies: <prefix>manifest.txt.
local LONGEST_MODEL_FILE = "manifest.txt"

-- spec.prefix_problem(value) -> nil when `value` can prefix every symbol and file name,
-- else why not (one line, no file name). The CLI checks --prefix with it too.
function spec.prefix_problem(value)
  if value == "" then
    return nil
  end
  if not is_identifier(value) then
    return string.format(
      "prefix must be \"\" or the start of a C identifier (letters, digits and _, not starting with a digit), got %s",
      describe(value))
  end
  if value:sub(1, 1) == "_" then
    return string.format("prefix %s starts with '_': identifiers and macros made from it (%s...) "
      .. "are reserved for the C implementation", describe(value), value:upper())
  end
  if #value + #LONGEST_MODEL_FILE > limits.max_file_name_bytes then
    return string.format("prefix is %d characters long; file names made from it ('%s...%s') must stay within %d",
      #value, value:sub(1, 8), LONGEST_MODEL_FILE, limits.max_file_name_bytes)
  end
  return nil
end

local function check_prefix(report, value)
  if report.prefix_override then
    return report.prefix_override
  end
  if value == nil then
    return ""
  end
  local problem = type(value) == "string" and spec.prefix_problem(value)
  if type(value) ~= "string" then
    problem = "prefix must be \"\" or the start of a C identifier, got " .. describe(value)
  end
  if not problem then
    return value
  end
  add_top_error(report, report.lines.top_keys.prefix or report.lines.line, "'" .. problem:sub(1, 6) .. "'"
    .. problem:sub(7))
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
  if count > limits.max_layers then
    add_top_error(report, line, string.format("too many layers (%d; at most %d)", count, limits.max_layers))
    return 0
  end
  return count
end

-- Returns { unroll =, prefix = } (each nil when not overridden or invalid).
local function check_overrides(overrides, errors)
  if overrides == nil then
    return {}
  end
  if type(overrides) ~= "table" then
    errors[#errors + 1] = "overrides must be a table, got " .. describe(overrides)
    return {}
  end
  for _, key in ipairs(sorted_keys(overrides)) do
    if key ~= "unroll" and key ~= "prefix" then
      errors[#errors + 1] = "unknown override " .. describe_key(key)
    end
  end
  local checked = {}
  local unroll = overrides.unroll
  if unroll ~= nil and not contains(UNROLLS, unroll) then
    local message = type(unroll) == "string" and unknown_choice_message("unroll", unroll, UNROLLS)
      or "unroll must be a string, got " .. describe(unroll)
    errors[#errors + 1] = "unroll override: " .. message
  else
    checked.unroll = unroll
  end
  local prefix = overrides.prefix
  local problem = prefix ~= nil and (type(prefix) ~= "string" and "prefix must be a string, got " .. describe(prefix)
    or spec.prefix_problem(prefix))
  if problem then
    errors[#errors + 1] = "prefix override: " .. problem
  else
    checked.prefix = prefix
  end
  return checked
end

-- At most limits.max_errors messages; one more line says how many were left out, at
-- the line of the first one left out.
local function cap_errors(errors, path)
  local total = #errors
  if total <= limits.max_errors then
    return errors
  end
  local first_hidden = errors[limits.max_errors + 1]
  local line = first_hidden:sub(#path + 1):match("^:(%d+):")
  local kept = table.move(errors, 1, limits.max_errors, 1, {})
  kept[#kept + 1] = format_error(path, line or 1, nil, string.format(
    "%d more problems not shown (at most %d are printed)", total - limits.max_errors, limits.max_errors))
  return kept
end

local function build_model(report, data, unroll_override)
  local suggested = check_top_keys(report, data)
  local prefix = check_prefix(report, data.prefix)
  local count = check_layers_container(report, data.layers, suggested)
  report.defaults = links.check_defaults(report, data.defaults)
  -- Names of all layers, for `input = "name"`: a later layer's name gets its own message.
  report.layer_index, report.layer_names, report.valid_layers = {}, {}, {}
  for index = 1, count do
    local raw = data.layers[index]
    local name = type(raw) == "table" and raw.name
    if type(name) == "string" and report.layer_index[name] == nil then
      report.layer_index[name] = index
      report.layer_names[#report.layer_names + 1] = name
    end
  end
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
  local overrides = check_overrides(options.overrides, errors)
  local path = options.path or "spec"
  if type(data) ~= "table" then
    errors[#errors + 1] = format_error(path, nil, nil, "a spec must be a table, got " .. describe(data))
    return nil, errors
  end
  local lines = options.lines or { top_keys = {}, layers = {} }
  local report = { path = path, lines = lines, labels = options.labels, errors = errors, symbols = {},
    prefix_override = overrides.prefix }
  local model = build_model(report, data, overrides.unroll)
  if #errors > 0 then
    return nil, cap_errors(errors, path)
  end
  return model
end

-- A message without a line ("PATH: spec must return a table", or any problem of a spec
-- whose table is built by code) gets the line of the returned table or of the chunk's
-- `return`, else the file's last line, so every refusal reads FILE:LINE.
local function with_line(message, path, source, lines)
  local rest = message:sub(1, #path + 2) == path .. ": " and message:sub(#path + 3)
  if not rest or not source then
    return message
  end
  lines = lines or spec_lines.scan(source)
  local line = lines.line or lines.return_line
  if not line then
    local _, breaks = source:gsub("\n", "")
    line = breaks + ((source == "" or source:sub(-1) == "\n") and 0 or 1)
  end
  return string.format("%s:%d: %s", path, math.max(line, 1), rest)
end

-- Reads the spec text only to find a line for a sandbox message; nil when unreadable.
local function source_for_lines(path)
  local file = io.open(path, "rb")
  if not file then
    return nil
  end
  local ok, text = pcall(file.read, file, limits.max_spec_bytes)
  file:close()
  return ok and text or nil
end

-- spec.load(path [, overrides]) -> model | nil, errors
-- overrides.unroll, when set, replaces every layer's unroll; overrides.prefix the spec's
-- prefix (both are validated like the spec's own values). errors is an array of
-- one-line strings: "FILE:LINE: layer 'NAME': message" or "FILE:LINE: message" for
-- top-level problems; ":LINE" is left out when no line is known, and a layer without a
-- usable name is called "layer #3". Problems with `overrides` come first, without FILE.
-- sandbox_limits, for tests, is passed on to sandbox.load.
function spec.load(path, overrides, sandbox_limits)
  assert(type(path) == "string", "spec.load: path must be a string")
  local data, source = sandbox.load(path, sandbox_limits)
  if not data then
    local errors = {}
    check_overrides(overrides, errors)
    local message = source
    if not message:find("cannot read spec file", 1, true) and not message:find("is larger than", 1, true) then
      message = with_line(message, path, source_for_lines(path))
    end
    errors[#errors + 1] = message
    return nil, errors
  end
  local lines = spec_lines.scan(source)
  local model, errors = spec.validate(data, { path = path, lines = lines, overrides = overrides })
  for index, message in ipairs(errors or {}) do
    errors[index] = with_line(message, path, source, lines)
  end
  return model, errors
end

return spec

-- Spec front end, links between layers: spec-wide defaults, and an input taken from an earlier layer's output.
local messages = require("generator.spec_messages")
local key_checks = require("generator.spec_keys")

local describe = messages.describe
local closest = messages.closest
local did_you_mean = messages.did_you_mean
local quoted = messages.quoted
local add_top_error = messages.add_top_error
local check_unknown_keys = key_checks.check_unknown_keys

local links = {}

-- Every layer key but the ones that identify one layer or its data.
links.DEFAULT_KEYS = {
  "op", "layout", "dtype", "kernel", "stride", "dilation", "padding", "groups", "bias", "activation", "unroll",
  "backward",
}

-- Keys that identify one layer or its data: reported as such when found in defaults.
local PER_LAYER_KEYS = { "name", "input", "filters", "output_padding", "quant" }

local function default_line(report, key)
  local keys = report.lines.default_keys or {}
  return (key and keys[key]) or report.lines.top_keys.defaults or report.lines.line
end

-- Returns the defaults table to merge into every layer ({} when absent or invalid).
function links.check_defaults(report, value)
  if value == nil then
    return {}
  end
  if type(value) ~= "table" then
    add_top_error(report, default_line(report), "'defaults' must be a table of layer keys, got " .. describe(value))
    return {}
  end
  local function fail(key_path, message)
    add_top_error(report, default_line(report, key_path and key_path:match("([^.]+)$")), message)
  end
  local known = table.move(PER_LAYER_KEYS, 1, #PER_LAYER_KEYS, #links.DEFAULT_KEYS + 1,
    table.move(links.DEFAULT_KEYS, 1, #links.DEFAULT_KEYS, 1, {}))
  check_unknown_keys(fail, value, known, "defaults")
  for _, key in ipairs(PER_LAYER_KEYS) do
    if value[key] ~= nil then
      fail("defaults." .. key, string.format("'%s' cannot be a default: give it on each layer", key))
    end
  end
  local defaults = {}
  for _, key in ipairs(links.DEFAULT_KEYS) do
    defaults[key] = value[key]
  end
  return defaults
end

-- A copy of `raw` with the defaults it does not set itself. Problems with a value that
-- came from the defaults are reported at the defaults' line, marked as such.
function links.apply_defaults(context, raw, defaults)
  local merged, inherited = {}, {}
  for key, value in pairs(raw) do
    merged[key] = value
  end
  for _, key in ipairs(links.DEFAULT_KEYS) do
    if merged[key] == nil and defaults[key] ~= nil then
      merged[key] = defaults[key]
      inherited[key] = true
    end
  end
  if next(inherited) then
    local report, layer_fail = context.report, context.fail
    context.fail = function(key_path, message)
      local root = key_path and key_path:match("^[^.]+")
      if not (root and inherited[root]) then
        return layer_fail(key_path, message)
      end
      report.errors[#report.errors + 1] = messages.format_error(report.path, default_line(report, root),
        context.label, message .. " (from defaults)")
    end
  end
  return merged
end

-- The earlier layer `name` refers to, or nil after reporting why there is none. A layer
-- that had errors of its own yields nil quietly (its errors are already reported).
function links.source_layer(context, name, report)
  local index = report.layer_index[name]
  if index == nil then
    local guess = closest(name, report.layer_names)
    context.fail("input", string.format("input %s names no layer of this spec%s", quoted(name), did_you_mean(guess)))
    return nil
  end
  if index >= context.index then
    context.fail("input", string.format("input %s is layer #%d, which does not come before this one "
      .. "(layers run in the order they are listed)", quoted(name), index))
    return nil
  end
  return report.valid_layers[index]
end

-- Sets the layer's input sizes, layout and dtype from `source`'s output; `written` are
-- the layout and dtype the layer itself (or the defaults) gave, nil when not given.
function links.connect(context, layer, source, written)
  local fail = context.fail
  layer.input_from = source.name
  layer.n, layer.c, layer.h, layer.w = source.n, source.m, source.oh, source.ow
  for _, key in ipairs({ "layout", "dtype" }) do
    if written[key] ~= nil and written[key] ~= source[key] then
      fail(key, string.format("%s %s differs from that of its input, layer '%s' (%s)", key, describe(written[key]),
        source.name, source[key]))
    end
    layer[key] = source[key]
  end
  if layer.rank == 1 and source.oh ~= 1 then
    fail("input", string.format("input layer '%s' has %d output rows; a 1-D layer needs one", source.name, source.oh))
    layer.h = nil
  end
end

return links

-- Spec front end, geometry checks: output sizes, element counts and size limits, from generator/geometry.lua.
local geometry = require("generator.geometry")
local key_checks = require("generator.spec_keys")
local MAX_COUNT = key_checks.MAX_COUNT
local limits = require("generator.spec_limits")

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
    layer.pad_top, layer.pad_bottom = geometry.same_padding(layer.h, layer.kh, layer.sh, layer.dh)
    layer.pad_left, layer.pad_right = geometry.same_padding(layer.w, layer.kw, layer.sw, layer.dw)
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
  local eff_h = geometry.effective_kernel(layer.kh, layer.dh)
  local eff_w = geometry.effective_kernel(layer.kw, layer.dw)
  local padded_h = geometry.padded_size(layer.h, layer.pad_top, layer.pad_bottom)
  local padded_w = geometry.padded_size(layer.w, layer.pad_left, layer.pad_right)
  if math.max(eff_h, eff_w, padded_h, padded_w) > MAX_COUNT then
    fail("kernel", string.format("effective kernel %dx%d or padded input %dx%d is larger than %d",
      eff_h, eff_w, padded_h, padded_w, MAX_COUNT))
    return false
  end
  layer.oh = geometry.out_size(layer.h, layer.kh, layer.sh, layer.dh, layer.pad_top, layer.pad_bottom)
  layer.ow = geometry.out_size(layer.w, layer.kw, layer.sw, layer.dw, layer.pad_left, layer.pad_right)
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
  local size = geometry.transposed_out_size
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

-- The documented size limits (generator/spec_limits.lua) that keep planning and the
-- generated code bounded. Returns true when the layer is within all of them.
local function check_limits(context, layer)
  local fail, ok = context.fail, true
  if layer.kh * layer.kw > limits.max_kernel_taps then
    fail("kernel", string.format("kernel %dx%d has more than %d taps", layer.kh, layer.kw, limits.max_kernel_taps))
    ok = false
  end
  for _, axis in ipairs({ { "stride", layer.sh, layer.sw, limits.max_stride },
                          { "dilation", layer.dh, layer.dw, limits.max_dilation } }) do
    if math.max(axis[2], axis[3]) > axis[4] then
      fail(axis[1], string.format("'%s' %dx%d is larger than %d", axis[1], axis[2], axis[3], axis[4]))
      ok = false
    end
  end
  local sides = {
    { "top", layer.pad_top, layer.kh, layer.dh }, { "bottom", layer.pad_bottom, layer.kh, layer.dh },
    { "left", layer.pad_left, layer.kw, layer.dw }, { "right", layer.pad_right, layer.kw, layer.dw },
  }
  for _, side in ipairs(sides) do
    local allowed = geometry.effective_kernel(side[3], side[4]) - 1 + limits.max_extra_padding
    if side[2] > allowed then
      fail("padding." .. side[1], string.format(
        "padding %s %d is more than the dilated kernel's extent - 1 + %d (= %d): the extra rows or columns "
        .. "would only see zeros", side[1], side[2], limits.max_extra_padding, allowed))
      ok = false
    end
  end
  return ok
end

-- unroll = "full" writes code for every element of the patch matrix.
local function check_full_unroll(context, layer)
  if layer.unroll ~= "full" then
    return
  end
  local elements = layer.op == "conv2d" and bounded_product({ layer.c, layer.kh, layer.kw, layer.oh, layer.ow })
    or bounded_product({ layer.m, layer.kh, layer.kw, layer.h, layer.w })
  if not elements or elements > limits.max_full_unroll_elements then
    context.fail("unroll", string.format(
      "unroll \"full\" would write code for each of the %s elements of the patch matrix (at most %d); "
      .. "use \"auto\" or \"loops\"", elements and tostring(elements) or "more than 2^31",
      limits.max_full_unroll_elements))
  end
end

local function check_geometry(context, layer, padding)
  resolve_padding(layer, padding)
  if not all_present(layer, GEOMETRY_KEYS) or not check_limits(context, layer) then
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
    check_full_unroll(context, layer)
  end
end

return {
  all_present = all_present,
  resolve_padding = resolve_padding,
  bounded_product = bounded_product,
  check_output_size = check_output_size,
  check_transposed_output_size = check_transposed_output_size,
  check_element_counts = check_element_counts,
  check_geometry = check_geometry,
  GEOMETRY_KEYS = GEOMETRY_KEYS,
}

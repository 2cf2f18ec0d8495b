-- Spec front end, int8: a dtype "s8" layer's `quant` table and what s8 layers cannot do (docs/int8.md).
local quant = require("generator.quant")

local spec_quant = {}

-- The activation in the form quant.activation_range takes.
local function activation_form(act)
  if act.kind == "clamp" then return { "clamp", act.lo, act.hi } end
  return act.kind
end

-- Checks `raw.quant` against the layer's dtype and sets layer.quant (integers only:
-- zero points, per-filter multiplier and shift, the int8 clamp) for an s8 layer.
-- Every problem goes through context.fail, so it reads FILE:LINE: layer 'NAME': message.
function spec_quant.check(context, layer, raw)
  local fail = context.fail
  if layer.dtype ~= "s8" then
    if raw.quant ~= nil then
      fail("quant", string.format("'quant' is only for dtype \"s8\" layers (this one is %s)",
        tostring(layer.dtype or "?")))
    end
    return
  end
  if layer.op == "conv_transpose2d" then
    fail("op", "dtype \"s8\" is available for conv2d and conv1d layers only (no int8 transposed convolution)")
  end
  if layer.backward then
    fail("backward", "'backward' is not available for dtype \"s8\" (no int8 gradients)")
    layer.backward = false
  end
  if raw.quant == nil then
    fail(nil, "dtype \"s8\" needs a 'quant' table (zero points, and scales or multiplier/shift lists; docs/int8.md)")
    return
  end
  if layer.m and layer.act then
    local resolved, problem = quant.resolve(raw.quant, layer.m, activation_form(layer.act))
    if not resolved then
      fail("quant", problem)
    else
      layer.quant = resolved
    end
  end
  if layer.c and layer.groups and layer.kh and layer.kw and layer.c % layer.groups == 0 then
    local problem = quant.check_accumulator(layer.c // layer.groups * layer.kh * layer.kw,
      layer.quant and quant.is_onnx_form(layer.quant))
    if problem then fail("kernel", problem) end
  end
end

return spec_quant

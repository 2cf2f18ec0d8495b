-- Geometry of a layer: every derived fact (output size, SAME padding, padded extent, depthwise, ...) computed once.
--
-- The front end sets a layer's sizes with these formulas; planning, emission, the templates
-- and the tests (tests/random_spec.lua) read the facts from here instead of re-deriving them.
local geometry = {}

-- Number of input positions one output position spans once the kernel is dilated.
function geometry.effective_kernel(k, dilation)
  return (k - 1) * dilation + 1
end

-- floor((in + before + after - effective_kernel) / stride) + 1. The result is below 1
-- when the dilated kernel does not fit in the padded input; callers report that.
function geometry.out_size(in_size, k, stride, dilation, pad_before, pad_after)
  local room = geometry.padded_size(in_size, pad_before, pad_after) - geometry.effective_kernel(k, dilation)
  return room // stride + 1
end

-- Input positions along one axis once padded on both sides.
function geometry.padded_size(in_size, pad_before, pad_after)
  return in_size + pad_before + pad_after
end

-- conv_transpose2d along one axis, as PyTorch defines it:
-- (in - 1)*stride - before - after + dilation*(k - 1) + output_padding + 1.
function geometry.transposed_out_size(in_size, k, stride, dilation, pad_before, pad_after, out_pad)
  return (in_size - 1) * stride - pad_before - pad_after + dilation * (k - 1) + out_pad + 1
end

-- TensorFlow / ONNX SAME_UPPER: the output has ceil(in / stride) positions, and when
-- the total padding is odd the extra row or column goes after (bottom / right).
function geometry.same_padding(in_size, k, stride, dilation)
  local out = (in_size + stride - 1) // stride
  local needed = (out - 1) * stride + geometry.effective_kernel(k, dilation) - in_size
  local total = math.max(needed, 0)
  local before = total // 2
  return before, total - before
end

-- Output positions o in [lo, hi) whose input index o*stride + offset lies in [0, size):
-- the outputs one kernel tap (offset = tap*dilation - pad_before) reads inside the image.
function geometry.valid_range(out_size, stride, offset, in_size)
  local lo = math.max(0, -(offset // stride))           -- ceil(-offset / stride)
  local hi = math.min(out_size, (in_size - 1 - offset) // stride + 1)
  if hi < lo then hi = lo end
  return lo, hi
end

-- Split 0..out_size-1 into runs { lo, hi, valid[tap] } over which the set of in-image
-- kernel taps is constant. Each tap is in the image over one range of outputs
-- (valid_range), so the runs start only where some tap's range starts or ends: the cost
-- is in taps, not output size.
function geometry.tap_regions(out_size, stride, pad, dilation, taps, in_size)
  local ranges, cuts = {}, { [0] = true }
  for k = 0, taps - 1 do
    local lo, hi = geometry.valid_range(out_size, stride, k * dilation - pad, in_size)
    ranges[k] = { lo, hi }
    if lo < out_size then cuts[lo] = true end
    if hi < out_size then cuts[hi] = true end
  end
  local starts = {}
  for at in pairs(cuts) do starts[#starts + 1] = at end
  table.sort(starts)
  local regions = {}
  for i, lo in ipairs(starts) do
    local hi = starts[i + 1] or out_size
    local valid, key = {}, {}
    for k = 0, taps - 1 do
      valid[k] = ranges[k][1] <= lo and lo < ranges[k][2]
      key[#key + 1] = valid[k] and "1" or "0"
    end
    key = table.concat(key)
    local last = regions[#regions]
    if last and last.key == key then
      last.hi = hi
    else
      regions[#regions + 1] = { lo = lo, hi = hi, key = key, valid = valid }
    end
  end
  return regions
end

-- Facts of one validated conv2d layer (or the forward conv of a transposed one), each
-- computed once:
--   cg, mg, kg      input and output channels per group, reduction length C/groups*KH*KW
--   hw, ohow        input and output pixels per channel
--   hp, wp          padded input extent
--   padded          whether any side is padded
--   depthwise       one input and one output channel per group
--   direct_gemm     1x1, unit stride, no padding: the input itself is the GEMM operand
--   batch_in_gemm   an NHWC direct-GEMM layer: the whole batch is one matrix
function geometry.facts(L)
  local g = {
    cg = L.c // L.groups, mg = L.m // L.groups,
    hw = L.h * L.w, ohow = L.oh * L.ow,
    hp = geometry.padded_size(L.h, L.pad_top, L.pad_bottom), wp = geometry.padded_size(L.w, L.pad_left, L.pad_right),
  }
  g.kg = g.cg * L.kh * L.kw
  g.padded = L.pad_top + L.pad_bottom + L.pad_left + L.pad_right > 0
  g.depthwise = L.groups == L.c and L.m == L.c
  g.direct_gemm = L.kh == 1 and L.kw == 1 and L.sh == 1 and L.sw == 1 and not g.padded
  g.batch_in_gemm = g.direct_gemm and L.layout == "NHWC"
  return g
end

-- The forward conv whose gradient with respect to its input is the transposed layer L:
-- its input is L's output and its output L's input (the transposed sizes).
function geometry.associated_forward(L)
  local F = {}
  for key, value in pairs(L) do F[key] = value end
  F.op, F.backward = "conv2d", true
  F.c, F.h, F.w, F.m = L.m, L.oh, L.ow, L.c
  F.oh, F.ow = L.h, L.w
  return F
end

return geometry

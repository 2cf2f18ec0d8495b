-- Planning of the s8 (int8) path: quantization constants, the layer's GEMM functions and its driver calls.
--
-- The portable path's decisions (loops per image and group, im2col calls, bands, GEMM
-- operands; generator/portable.lua) are reused as they are: only the GEMM differs, a
-- generated function per distinct shape that accumulates in int32 and requantizes each
-- output as it stores it (templates/conv_s8.c.in). Depthwise layers take direct loops
-- over the plan's tap regions instead. The arithmetic is docs/int8.md.

local armv7em = require("generator.isa.armv7em")

local plan_s8 = {}

-- Output columns (NCHW: pixels; NHWC: channels) one int32 accumulator block holds.
plan_s8.BLOCK = 16

-- Column blocks of a GEMM of `n` columns: { first, width, count } runs, each width a
-- literal (full blocks, then one tail).
local function column_blocks(n)
  local width = math.min(n, plan_s8.BLOCK)
  local blocks = { { first = 0, width = width, count = n // width } }
  local tail = n % width
  if tail > 0 then blocks[2] = { first = (n // width) * width, width = tail, count = 1 } end
  return blocks
end

-- The constants the kernels bake in: zero points, clamp, and either one multiplier and
-- shift (every channel equal) or per-channel tables.
local function constants(L)
  local q = L.quant
  local per_tensor = true
  for m = 2, L.m do
    if q.multiplier[m] ~= q.multiplier[1] or q.shift[m] ~= q.shift[1] then per_tensor = false end
  end
  local c = {
    input_zero_point = q.input_zero_point, output_zero_point = q.output_zero_point,
    act_min = q.act_min, act_max = q.act_max, multiplier = q.multiplier, shift = q.shift,
    per_tensor = per_tensor,
    -- the clamp applied before the output zero point is added, so no sum can leave int32
    low = q.act_min - q.output_zero_point, high = q.act_max - q.output_zero_point,
    -- ONNX's forms (docs/int8.md, "ONNX"): multiplier/shift are then the scale's mantissa and
    -- right shift; weight zero points (nil when all are 0); int32 output
    onnx = q.arithmetic == "onnx", s32 = q.output_type == "s32", scale = q.scale,
    weight_zero_point = nil, wzp_per_tensor = true,
  }
  for m = 1, L.m do
    if q.weight_zero_point and q.weight_zero_point[m] ~= 0 then c.weight_zero_point = q.weight_zero_point end
    if q.weight_zero_point and q.weight_zero_point[m] ~= q.weight_zero_point[1] then c.wzp_per_tensor = false end
  end
  c.y_type = c.s32 and "int32_t" or "int8_t"
  return c
end

-- Why the layer keeps the portable loops on every target (the x86 vector and Cortex-M DSP
-- bodies compute TFLite's form only), or nil.
local function portable_only(c)
  if c.weight_zero_point then return "weight zero points (the vector and DSP bodies assume none)" end
  if c.onnx then return "arithmetic onnx (the DSP bodies requantize the TFLite way)" end
  if c.s32 then return "int32 output (the vector and DSP bodies requantize)" end
  return nil
end

-- One GEMM function per distinct shape: name, sizes, leading dimensions, and whether the
-- weights are the left operand (NCHW: rows are channels) or the right one (NHWC).
local function gemm_registry(L, portable)
  local list, by_key = {}, {}
  return list, function(m, n, k, lda, ldb, ldc)
    local key = table.concat({ m, n, k, lda, ldb, ldc }, ",")
    if not by_key[key] then
      local g = { name = "gemm_s8_" .. #list, m = m, n = n, k = k, lda = lda, ldb = ldb, ldc = ldc,
        weights_left = L.layout == "NCHW", blocks = column_blocks(n) }
      -- the Cortex-M SMLAD kernel beside the portable loops (firmware hook), for TFLite's form only
      if not portable then g.dsp = armv7em.s8_gemm(g) end
      list[#list + 1] = g
      by_key[key] = g
    end
    return by_key[key]
  end
end

-- The plan's s8 part: p.s8 = { q (constants), gemms, call (the unbanded driver's GEMM call),
-- band_items (banded driver, statements.c.in items), depthwise, isa (the GEMM's vector
-- spellings, a generator/isa/ module name, or nil) }.
function plan_s8.plan(p, options)
  local L = p.layer
  local s = { q = constants(L), depthwise = p.depthwise }
  s.portable_only = portable_only(s.q)
  if s.q.s32 then
    -- y is int32: the aliasing check counts its bytes
    for _, b in ipairs(p.entries[1].writes) do
      if b[1] == "y" then b[2], b.bytes = b[2] * 4, true end
    end
  end
  -- The GEMM's and the NHWC depthwise loops' vector bodies (generator/isa/avx2_s8.lua), compiled
  -- where its guard holds.
  if not (options and options.no_simd) and not s.portable_only then s.isa = "avx2_s8" end
  if p.depthwise then return s end
  local gemms, gemm_for = gemm_registry(L, s.portable_only)
  s.gemms = gemms
  local group_m0 = L.groups > 1 and string.format("g * %d", p.mg) or "0"
  local c = p.conv
  if not p.band_items then
    local g = gemm_for(c.gemm_m, c.gemm_n, c.gemm_k, c.lda, c.ldb, c.ldc)
    s.call = string.format("%s(%s, %s, bias, %s, %s);", g.name, c.a, c.b, c.c, group_m0)
  else
    s.band_items = {}
    for _, item in ipairs(p.band_items) do
      if item.gemm then
        local e = item.gemm
        local bg = gemm_for(e.m, e.n, e.k, e.lda, e.ldb, e.ldc)
        s.band_items[#s.band_items + 1] = { line = "/* " .. e.doc .. " */" }
        s.band_items[#s.band_items + 1] = { line = string.format("%s(%s, %s, bias, %s, %s);", bg.name, e.a, e.b,
          e.c, group_m0) }
      elseif not item.epilogue then
        s.band_items[#s.band_items + 1] = item
      end
    end
  end
  return s
end

return plan_s8

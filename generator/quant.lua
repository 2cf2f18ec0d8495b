-- generator/quant.lua: int8 constants as TFLite derives them (QuantizeMultiplier, CalculateActivationRangeQuantized).
--
-- Pure functions on plain values; the spec front end calls quant.resolve() for a layer's
-- `quant` table and prefixes the file, line and layer to any error it returns. The
-- arithmetic contract is docs/int8.md; the C side is runtime/reference_s8.c.
local quant = {}

quant.INT8_MIN, quant.INT8_MAX = -128, 127
quant.MULTIPLIER_MIN, quant.MULTIPLIER_MAX = 1 << 30, (1 << 31) - 1
quant.SHIFT_MIN, quant.SHIFT_MAX = -31, 30

local INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
local FLT_MAX = 3.4028234663852886e38

-- Taps one output may sum before the worst case leaves int32: |x - zero point| <= 255
-- and |w| <= 127 (symmetric int8 weights), so K * 255 * 127 <= 2^31 - 1. ONNX layers
-- (arithmetic "onnx", weight zero points, int32 output) have |w - weight zero point| <= 255.
quant.MAX_TAPS = INT32_MAX // (255 * 127)
quant.MAX_TAPS_ONNX = INT32_MAX // (255 * 255)

-- The float32 nearest to x (round to nearest even), as a Lua float; nil for a value that
-- is not finite or overflows float32.
function quant.float32(x)
  if type(x) ~= "number" or x ~= x or x > FLT_MAX or x < -FLT_MAX then return nil end
  local f = string.unpack("<f", string.pack("<f", x))
  if f == math.huge or f == -math.huge then return nil end
  return f
end

-- x = q * 2^e with q in [0.5, 1), for finite x > 0. Scaling by two is exact (no result
-- here is subnormal), so this is C's frexp.
local function frexp(x)
  local e = 0
  while x >= 1.0 do
    x = x * 0.5
    e = e + 1
  end
  while x < 0.5 do
    x = x * 2.0
    e = e - 1
  end
  return x, e
end

-- std::round for v >= 0: half away from zero, exactly (the fraction is exact in a double).
local function round_half_away(v)
  local whole = math.floor(v)
  if v - whole >= 0.5 then whole = whole + 1 end
  return math.tointeger(whole)
end

-- TFLite's QuantizeMultiplier for a real multiplier >= 0: (multiplier, shift) with
-- real = multiplier * 2^(shift - 31). frexp, round q * 2^31 half away from zero, halve a
-- result of 2^31 and increment the shift, then flush a shift below -31 to (0, 0).
-- Returns nil and a message for a negative or non-finite value, or one whose shift
-- would pass 30 (a real multiplier of 2^30 or more).
function quant.quantize_multiplier(real)
  if type(real) ~= "number" or real ~= real or real < 0 or real == math.huge then
    return nil, "the real multiplier must be a finite number >= 0, got " .. tostring(real)
  end
  if real == 0 then return 0, 0 end
  local q, shift = frexp(real)
  local fixed = round_half_away(q * 2147483648.0)
  if fixed == 1 << 31 then
    fixed = fixed // 2
    shift = shift + 1
  end
  if shift < -31 then return 0, 0 end
  if shift > quant.SHIFT_MAX then
    return nil, string.format("the real multiplier %.17g needs a shift of %d (at most %d)", real, shift,
      quant.SHIFT_MAX)
  end
  return fixed, shift
end

-- The per-channel real multiplier as TFLite's PopulateConvolutionQuantizationParams
-- computes it: scales are float32, the arithmetic double.
function quant.real_multiplier(input_scale, weight_scale, output_scale)
  return input_scale * weight_scale / output_scale
end

-- ONNX's requantization scale as onnxruntime and ONNX's reference compute it: every step
-- in float32, x_scale * w_scale first, then the division by y_scale. A product or quotient
-- of two float32 values computed in double and rounded once to float32 is the float32
-- result (double has more than 2 * 24 + 2 bits), so this is exact.
function quant.onnx_scale(input_scale, weight_scale, output_scale)
  local product = quant.float32(input_scale * weight_scale)
  return product and quant.float32(product / output_scale)
end

-- The float32 scale s > 0 as (mantissa, right) with s * acc = acc * mantissa / 2^right
-- exactly: mantissa < 2^24 (float32's significand), 1 <= right <= 62, so the kernels form
-- acc * mantissa in int64 and round its shift half to even. A scale of 2^23 or more
-- saturates every nonzero accumulator either way and takes right = 1; one whose product
-- stays below a quarter (right > 62) becomes (0, 1).
function quant.onnx_mantissa_shift(scale)
  local q, e = frexp(scale)
  local mantissa = math.tointeger(q * 16777216.0)
  local right = 24 - e
  if right < 1 then return mantissa, 1 end
  if right > 62 then return 0, 1 end
  -- trailing zero bits say nothing: the smallest exact pair, for readable literals
  while mantissa % 2 == 0 and right > 1 and mantissa > 0 do
    mantissa, right = mantissa // 2, right - 1
  end
  return mantissa, right
end

-- round_half_even(acc * mantissa / 2^right), the requantization of arithmetic "onnx"
-- before the zero point and clamp (Lua model of cg_scale_round_s64).
function quant.onnx_round(acc, mantissa, right)
  local p = acc * mantissa
  local d = 1 << right
  local q, r = p // d, p % d
  local half = d // 2
  if r > half or (r == half and q % 2 == 1) then q = q + 1 end
  return q
end

-- TFLite's CalculateActivationRangeQuantized quantize(): zero_point + round(f / scale),
-- the division in float32 (a double quotient of two float32 values rounded to float32
-- is the float32 quotient) and std::round's half away from zero.
local function quantize_bound(f, scale, zero_point)
  local v = quant.float32(quant.float32(f) / scale)
  if not v then return nil end
  local magnitude = round_half_away(math.abs(v))
  if not magnitude then return v < 0 and -math.huge or math.huge end
  return zero_point + (v < 0 and -magnitude or magnitude)
end

local function clamp_int8(v)
  if v < quant.INT8_MIN then return quant.INT8_MIN end
  if v > quant.INT8_MAX then return quant.INT8_MAX end
  return math.tointeger(v) or v
end

-- (act_min, act_max) for an activation ("none", "relu", "relu6" or { "clamp", lo, hi })
-- from the output's float32 scale and zero point, as TFLite maps a fused activation.
-- Without a scale: none is the int8 range, relu starts at the zero point, and relu6 or
-- clamp return nil and a message (the bounds need a scale or explicit values).
function quant.activation_range(activation, output_scale, output_zero_point)
  local kind = type(activation) == "table" and activation[1] or activation or "none"
  if kind == "none" then return quant.INT8_MIN, quant.INT8_MAX end
  local lo, hi
  if kind == "relu" then
    lo, hi = 0.0, nil
  elseif kind == "relu6" then
    lo, hi = 0.0, 6.0
  elseif kind == "clamp" then
    lo, hi = activation[2], activation[3]
  else
    return nil, "unknown activation '" .. tostring(kind) .. "'"
  end
  if not output_scale then
    if kind == "relu" then return clamp_int8(math.max(quant.INT8_MIN, output_zero_point)), quant.INT8_MAX end
    return nil, string.format("activation %s needs quant.output_scale or explicit quant.activation_min and "
      .. "quant.activation_max", kind)
  end
  local qlo = quantize_bound(lo, output_scale, output_zero_point)
  local qhi = hi and quantize_bound(hi, output_scale, output_zero_point) or quant.INT8_MAX
  if not qlo or not qhi then return nil, "an activation bound is not a finite float32 number" end
  return clamp_int8(math.max(quant.INT8_MIN, qlo)), clamp_int8(math.min(quant.INT8_MAX, qhi))
end

-- Lua model of the C runtime's requantization (docs/int8.md), for tests and for
-- constant folding: integers only; floor division stands in for arithmetic shifts.
local function wrap32(v)
  v = v & 0xffffffff
  if v > INT32_MAX then v = v - (1 << 32) end
  return v
end

function quant.srdhm(a, b)
  if a == INT32_MIN and b == INT32_MIN then return INT32_MAX end
  -- round(a * b / 2^31), a tie toward +infinity; |a * b| < 2^62 fits a Lua integer
  return (a * b + (1 << 30)) // (1 << 31)
end

function quant.rounding_divide_by_pot(x, exponent)
  if exponent == 0 then return x end
  local p = 1 << exponent
  local q, r = x // p, x % p
  local half = p // 2
  if r > half or (r == half and x >= 0) then q = q + 1 end
  return q
end

function quant.multiply_by_quantized_multiplier(x, multiplier, shift)
  local left = shift > 0 and shift or 0
  local right = shift > 0 and 0 or -shift
  return quant.rounding_divide_by_pot(quant.srdhm(wrap32(x * (1 << left)), multiplier), right)
end

-- ---- a layer's quant table ---------------------------------------------------------

local KNOWN_KEYS = {
  input_zero_point = true, output_zero_point = true, input_scale = true, output_scale = true,
  weight_scale = true, multiplier = true, shift = true, activation_min = true, activation_max = true,
  arithmetic = true, weight_zero_point = true, output_type = true,
}
local ARITHMETIC = { tflite = true, onnx = true }

local function is_integer(v) return math.type(v) == "integer" or (math.type(v) == "float" and math.tointeger(v)) end

local function int8_value(q, key, default)
  local v = q[key]
  if v == nil then return default end
  if not is_integer(v) or v < quant.INT8_MIN or v > quant.INT8_MAX then
    return nil, string.format("quant.%s must be an integer in [-128, 127], got %s", key, tostring(v))
  end
  return math.tointeger(v)
end

local function scale_value(v, what)
  local f = type(v) == "number" and v > 0 and quant.float32(v)
  if not f or f <= 0 then
    return nil, string.format("%s must be a positive number that float32 can hold, got %s", what, tostring(v))
  end
  return f
end

-- quant.weight_zero_point: one integer or a list of `filters`, each in [-128, 127]; a list
-- per filter either way.
local function weight_zero_points(q, filters)
  local v = q.weight_zero_point
  local list = {}
  if v == nil then v = 0 end
  if type(v) == "table" then
    if #v ~= filters then
      return nil, string.format("quant.weight_zero_point must be one integer or a list of %d (one per filter), got %d",
        filters, #v)
    end
    for m = 1, filters do
      local z = v[m]
      if not is_integer(z) or z < quant.INT8_MIN or z > quant.INT8_MAX then
        return nil, string.format("quant.weight_zero_point[%d] must be an integer in [-128, 127], got %s", m,
          tostring(z))
      end
      list[m] = math.tointeger(z)
    end
  else
    if not is_integer(v) or v < quant.INT8_MIN or v > quant.INT8_MAX then
      return nil, string.format("quant.weight_zero_point must be an integer in [-128, 127], got %s", tostring(v))
    end
    for m = 1, filters do list[m] = math.tointeger(v) end
  end
  return list
end

-- The per-filter weight scales (float32) of quant.weight_scale, a number or a list.
local function weight_scales(q, filters)
  local scales, err = {}
  if type(q.weight_scale) == "table" then
    if #q.weight_scale ~= filters then
      return nil, string.format("quant.weight_scale must be one number or a list of %d (one per filter), got %d",
        filters, #q.weight_scale)
    end
    for m = 1, filters do
      scales[m], err = scale_value(q.weight_scale[m], string.format("quant.weight_scale[%d]", m))
      if not scales[m] then return nil, err end
    end
  else
    local s
    s, err = scale_value(q.weight_scale, "quant.weight_scale")
    if not s then return nil, err end
    for m = 1, filters do scales[m] = s end
  end
  return scales
end

-- output_type = "s32" (ONNX's ConvInteger): the int32 accumulators are the output, so
-- nothing that requantizes or clamps may be given.
local S32_REFUSED = { "output_zero_point", "input_scale", "weight_scale", "output_scale", "multiplier", "shift",
  "activation_min", "activation_max", "arithmetic" }

-- Checks and normalizes a layer's quant table for `filters` output channels and the
-- layer's activation. Returns { input_zero_point, output_zero_point, weight_zero_point = {...},
-- multiplier = {...}, shift = {...}, act_min, act_max, arithmetic, output_type, scale = {...}
-- (arithmetic "onnx": float32 values) } (every other value an integer), or nil and one message
-- naming the offending key. With arithmetic "onnx", multiplier[m] and shift[m] are the
-- scale's mantissa and right shift (quant.onnx_mantissa_shift).
function quant.resolve(q, filters, activation)
  if type(q) ~= "table" then return nil, "quant must be a table" end
  local keys = {}
  for k in pairs(q) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  for _, k in ipairs(keys) do
    if not KNOWN_KEYS[k] then return nil, "unknown key quant." .. k end
  end
  local out = { multiplier = {}, shift = {}, arithmetic = q.arithmetic or "tflite",
    output_type = q.output_type or "s8" }
  if not ARITHMETIC[out.arithmetic] then
    return nil, string.format("quant.arithmetic must be \"tflite\" or \"onnx\", got %s", tostring(q.arithmetic))
  end
  if out.output_type ~= "s8" and out.output_type ~= "s32" then
    return nil, string.format("quant.output_type must be \"s8\" or \"s32\", got %s", tostring(q.output_type))
  end
  local err
  out.input_zero_point, err = int8_value(q, "input_zero_point", 0)
  if not out.input_zero_point then return nil, err end
  out.weight_zero_point, err = weight_zero_points(q, filters)
  if not out.weight_zero_point then return nil, err end
  if out.output_type == "s32" then
    for _, key in ipairs(S32_REFUSED) do
      if q[key] ~= nil then
        return nil, string.format("quant.%s has no meaning with output_type \"s32\" (the int32 sums are the output)",
          key)
      end
    end
    local kind = type(activation) == "table" and activation[1] or activation or "none"
    if kind ~= "none" then
      return nil, string.format("activation %s needs an int8 output; output_type \"s32\" takes none", kind)
    end
    out.output_zero_point, out.act_min, out.act_max = 0, quant.INT8_MIN, quant.INT8_MAX
    for m = 1, filters do out.multiplier[m], out.shift[m] = 0, 0 end
    return out
  end
  out.output_zero_point, err = int8_value(q, "output_zero_point", 0)
  if not out.output_zero_point then return nil, err end

  local output_scale
  if q.output_scale ~= nil then
    output_scale, err = scale_value(q.output_scale, "quant.output_scale")
    if not output_scale then return nil, err end
  end
  local explicit = q.multiplier ~= nil or q.shift ~= nil
  if explicit and out.arithmetic == "onnx" then
    return nil, "arithmetic \"onnx\" takes quant.input_scale, weight_scale and output_scale, not multiplier and shift"
  end
  if explicit then
    if q.input_scale ~= nil or q.weight_scale ~= nil then
      return nil, "give quant.multiplier and quant.shift, or quant.input_scale and quant.weight_scale, not both"
    end
    if type(q.multiplier) ~= "table" or type(q.shift) ~= "table" or #q.multiplier ~= filters
        or #q.shift ~= filters then
      return nil, string.format("quant.multiplier and quant.shift must be lists of %d integers (one per filter)",
        filters)
    end
    for m = 1, filters do
      local mult, shift = q.multiplier[m], q.shift[m]
      if not is_integer(mult) or (mult ~= 0 and (mult < quant.MULTIPLIER_MIN or mult > quant.MULTIPLIER_MAX)) then
        return nil, string.format("quant.multiplier[%d] = %s must be 0 or an integer in [2^30, 2^31)", m,
          tostring(mult))
      end
      if not is_integer(shift) or shift < quant.SHIFT_MIN or shift > quant.SHIFT_MAX then
        return nil, string.format("quant.shift[%d] = %s must be an integer in [-31, 30]", m, tostring(shift))
      end
      out.multiplier[m], out.shift[m] = math.tointeger(mult), math.tointeger(shift)
    end
  else
    if q.input_scale == nil or q.weight_scale == nil or q.output_scale == nil then
      return nil, "quant needs input_scale, weight_scale and output_scale, or multiplier and shift lists"
    end
    local input_scale
    input_scale, err = scale_value(q.input_scale, "quant.input_scale")
    if not input_scale then return nil, err end
    local scales
    scales, err = weight_scales(q, filters)
    if not scales then return nil, err end
    if out.arithmetic == "onnx" then
      out.scale = {}
      for m = 1, filters do
        local s = quant.onnx_scale(input_scale, scales[m], output_scale)
        if not s or s == 0 then
          return nil, string.format("filter %d: the scale input_scale * weight_scale / output_scale is %s in float32",
            m, s and "0" or "not finite")
        end
        out.scale[m] = s
        out.multiplier[m], out.shift[m] = quant.onnx_mantissa_shift(s)
      end
    else
      for m = 1, filters do
        local mult, shift = quant.quantize_multiplier(quant.real_multiplier(input_scale, scales[m], output_scale))
        if not mult then return nil, string.format("filter %d: %s", m, shift) end
        out.multiplier[m], out.shift[m] = mult, shift
      end
    end
  end

  local explicit_min, explicit_max
  explicit_min, err = int8_value(q, "activation_min", nil)
  if q.activation_min ~= nil and not explicit_min then return nil, err end
  explicit_max, err = int8_value(q, "activation_max", nil)
  if q.activation_max ~= nil and not explicit_max then return nil, err end
  if explicit_min and explicit_max then
    out.act_min, out.act_max = explicit_min, explicit_max
  else
    local lo, hi = quant.activation_range(activation, output_scale, out.output_zero_point)
    if not lo then return nil, hi end
    out.act_min, out.act_max = explicit_min or lo, explicit_max or hi
  end
  if out.act_min > out.act_max then
    return nil, string.format("the int8 clamp [%d, %d] is empty (activation_min above activation_max)",
      out.act_min, out.act_max)
  end
  return out
end

-- Whether a resolved quant table needs ONNX's wider taps (|w - weight zero point| <= 255):
-- arithmetic "onnx", int32 output or any weight zero point.
function quant.is_onnx_form(r)
  if r.arithmetic == "onnx" or r.output_type == "s32" then return true end
  for _, z in ipairs(r.weight_zero_point or {}) do
    if z ~= 0 then return true end
  end
  return false
end

-- nil when a layer summing `taps` products per output keeps its worst case in int32,
-- else a message.
-- wide: the layer has ONNX's form (quant.is_onnx_form), 255 * 255 per tap.
function quant.check_accumulator(taps, wide)
  local limit = wide and quant.MAX_TAPS_ONNX or quant.MAX_TAPS
  if taps > limit then
    return string.format("%d taps per output can overflow the int32 accumulator (255 * %d per tap; at most %d)",
      taps, wide and 255 or 127, limit)
  end
  return nil
end

return quant

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
-- and |w| <= 127 (symmetric int8 weights), so K * 255 * 127 <= 2^31 - 1.
quant.MAX_TAPS = INT32_MAX // (255 * 127)

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
}

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

-- Checks and normalizes a layer's quant table for `filters` output channels and the
-- layer's activation. Returns { input_zero_point, output_zero_point, multiplier = {...},
-- shift = {...}, act_min, act_max } (every value an integer), or nil and one message
-- naming the offending key.
function quant.resolve(q, filters, activation)
  if type(q) ~= "table" then return nil, "quant must be a table" end
  local keys = {}
  for k in pairs(q) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  for _, k in ipairs(keys) do
    if not KNOWN_KEYS[k] then return nil, "unknown key quant." .. k end
  end
  local out = { multiplier = {}, shift = {} }
  local err
  out.input_zero_point, err = int8_value(q, "input_zero_point", 0)
  if not out.input_zero_point then return nil, err end
  out.output_zero_point, err = int8_value(q, "output_zero_point", 0)
  if not out.output_zero_point then return nil, err end

  local output_scale
  if q.output_scale ~= nil then
    output_scale, err = scale_value(q.output_scale, "quant.output_scale")
    if not output_scale then return nil, err end
  end
  local explicit = q.multiplier ~= nil or q.shift ~= nil
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
    local weight_scales = {}
    if type(q.weight_scale) == "table" then
      if #q.weight_scale ~= filters then
        return nil, string.format("quant.weight_scale must be one number or a list of %d (one per filter), got %d",
          filters, #q.weight_scale)
      end
      for m = 1, filters do
        weight_scales[m], err = scale_value(q.weight_scale[m], string.format("quant.weight_scale[%d]", m))
        if not weight_scales[m] then return nil, err end
      end
    else
      local s
      s, err = scale_value(q.weight_scale, "quant.weight_scale")
      if not s then return nil, err end
      for m = 1, filters do weight_scales[m] = s end
    end
    for m = 1, filters do
      local mult, shift = quant.quantize_multiplier(quant.real_multiplier(input_scale, weight_scales[m],
        output_scale))
      if not mult then return nil, string.format("filter %d: %s", m, shift) end
      out.multiplier[m], out.shift[m] = mult, shift
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

-- nil when a layer summing `taps` products per output keeps its worst case in int32,
-- else a message.
function quant.check_accumulator(taps)
  if taps > quant.MAX_TAPS then
    return string.format("%d taps per output can overflow the int32 accumulator (255 * 127 per tap; at most %d)",
      taps, quant.MAX_TAPS)
  end
  return nil
end

return quant

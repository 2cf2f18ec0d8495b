-- tests/quant/test_quant.lua: generator/quant.lua against worked TFLite values, exact ties and properties.
--
--   lua5.4 tests/quant/test_quant.lua ROOT
--
-- Prints one line per failure and "N passed, M failed"; exit status 1 on any failure.
local root = arg[1] or "."
package.path = root .. "/generator/?.lua;" .. root .. "/?.lua;" .. package.path
local quant = require("quant")

local passed, failed = 0, 0
local function check(name, got, want)
  if got == want and math.type(got) == math.type(want) then
    passed = passed + 1
  else
    failed = failed + 1
    print(string.format("FAIL %s: got %s (%s), expected %s (%s)", name, tostring(got), math.type(got) or type(got),
      tostring(want), math.type(want) or type(want)))
  end
end
local function check_pair(name, want_a, want_b, a, b)
  check(name .. " [1]", a, want_a)
  check(name .. " [2]", b, want_b)
end

-- QuantizeMultiplier, worked by hand: real = multiplier * 2^(shift - 31)
check_pair("qm 0", 0, 0, quant.quantize_multiplier(0.0))
check_pair("qm 0.5", 1 << 30, 0, quant.quantize_multiplier(0.5))
check_pair("qm 1", 1 << 30, 1, quant.quantize_multiplier(1.0))
check_pair("qm 0.75", 1610612736, 0, quant.quantize_multiplier(0.75))
check_pair("qm 1/sqrt2", 1518500250, 0, quant.quantize_multiplier(1 / math.sqrt(2)))
check_pair("qm 2^-31", 1 << 30, -30, quant.quantize_multiplier(2.0 ^ -31))
check_pair("qm 2^-32", 1 << 30, -31, quant.quantize_multiplier(2.0 ^ -32))
check_pair("qm 2^-33 flushes", 0, 0, quant.quantize_multiplier(2.0 ^ -33))
check_pair("qm 1e-300 flushes", 0, 0, quant.quantize_multiplier(1e-300))
-- q * 2^31 rounds up to 2^31: halved, shift incremented
check_pair("qm rounds up to 2^31", 1 << 30, 1, quant.quantize_multiplier(1 - 2.0 ^ -40))
-- just below 2^-32: frexp's shift is -32, the round-up brings it back to -31 (TFLite's order)
check_pair("qm round-up rescues 2^-32 - tiny", 1 << 30, -31, quant.quantize_multiplier((1 - 2.0 ^ -40) * 2.0 ^ -32))
-- an exact tie of the rounding goes away from zero: q * 2^31 = 2^30 + 5.5
check_pair("qm tie", (1 << 30) + 6, 0, quant.quantize_multiplier((2.0 ^ 31 + 11) / 2.0 ^ 32))
check_pair("qm tie below", (1 << 30) + 5, 0, quant.quantize_multiplier((2.0 ^ 31 + 9) / 2.0 ^ 32))
check_pair("qm largest", (1 << 31) - 1, 30, quant.quantize_multiplier((2.0 ^ 31 - 1) * 2.0 ^ -1))
check("qm 2^30 rejected", (quant.quantize_multiplier(2.0 ^ 30)), nil)
check("qm -1 rejected", (quant.quantize_multiplier(-1.0)), nil)
check("qm nan rejected", (quant.quantize_multiplier(0 / 0)), nil)

-- Property over many reals: multiplier in [2^30, 2^31), within half a unit of the real value.
do
  local seed, bad = 12345, 0
  local function rnd()
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  end
  for _ = 1, 20000 do
    local real = (0.5 + rnd()) * 2.0 ^ math.floor(rnd() * 50 - 30)
    local mult, shift = quant.quantize_multiplier(real)
    local unit = 2.0 ^ (shift - 31)
    if not mult or mult < (1 << 30) or mult >= (1 << 31) or shift < -31 or shift > 30
        or math.abs(mult * unit - real) > unit / 2 then
      bad = bad + 1
    end
  end
  check("qm property over 20000 reals", bad, 0)
end

-- float32 rounding of scales
check("float32 0.1", quant.float32(0.1), 0.100000001490116119384765625)
check("float32 overflow", quant.float32(1e39), nil)
check("float32 1", quant.float32(1), 1.0)

-- CalculateActivationRangeQuantized
check_pair("relu6 scale 0.0471 zp 5", 5, 127, quant.activation_range("relu6", quant.float32(0.0471), 5))
check_pair("relu6 scale 0.05 zp -128", -128, -8, quant.activation_range("relu6", quant.float32(0.05), -128))
check_pair("relu scale 0.1 zp -3", -3, 127, quant.activation_range("relu", quant.float32(0.1), -3))
check_pair("none", -128, 127, quant.activation_range("none", quant.float32(0.1), 9))
-- ties of the bound rounding go away from zero: -0.125 / 0.25 = -0.5, 0.375 / 0.25 = 1.5
check_pair("clamp ties", -1, 2, quant.activation_range({ "clamp", -0.125, 0.375 }, 0.25, 0))
check_pair("clamp beyond int8", -128, 127, quant.activation_range({ "clamp", -1000, 1000 }, 0.25, 0))
check_pair("relu without scale", 7, 127, quant.activation_range("relu", nil, 7))
check("relu6 without scale", (quant.activation_range("relu6", nil, 7)), nil)
check("clamp without scale", (quant.activation_range({ "clamp", 0, 1 }, nil, 0)), nil)

-- The requantization model (same hand values as tests/quant/check_requant.c)
local mbqm = quant.multiply_by_quantized_multiplier
check("mbqm double rounding", mbqm(1, 1 << 30, -1), 1)
check("mbqm -5 * 0.5 / 4", mbqm(-5, 1 << 30, -2), -1)
check("mbqm 100 * 0.5", mbqm(100, 1 << 30, 0), 50)
check("mbqm 2^30 * 2 wraps", mbqm(1 << 30, 1 << 30, 1), -(1 << 30))
check("mbqm shift -31", mbqm((1 << 31) - 1, (1 << 31) - 1, -31), 1)
check("srdhm saturates", quant.srdhm(-(1 << 31), -(1 << 31)), (1 << 31) - 1)
check("srdhm tie -1", quant.srdhm(-1, 1 << 30), 0)
check("srdhm tie -3", quant.srdhm(-3, 1 << 30), -1)
check("rdbpot tie -", quant.rounding_divide_by_pot(-6, 2), -2)
check("rdbpot -5/4", quant.rounding_divide_by_pot(-5, 2), -1)
check("rdbpot INT32_MIN / 2^31", quant.rounding_divide_by_pot(-(1 << 31), 31), -1)

-- A layer's quant table
do
  local r = assert(quant.resolve({ input_zero_point = -128, output_zero_point = 5, input_scale = 0.0235,
    output_scale = 0.0471, weight_scale = 0.0031 }, 3, "relu"))
  local real = quant.float32(0.0235) * quant.float32(0.0031) / quant.float32(0.0471)
  local want_mult, want_shift = quant.quantize_multiplier(real)
  check("resolve per-tensor multiplier", r.multiplier[3], want_mult)
  check("resolve per-tensor shift", r.shift[1], want_shift)
  check("resolve relu clamp", r.act_min, 5)
  check("resolve zero point", r.input_zero_point, -128)
  local p = assert(quant.resolve({ input_scale = 0.5, output_scale = 1.0, weight_scale = { 1.0, 0.5 } }, 2, "none"))
  check_pair("resolve per-channel", 1 << 30, 1 << 30, p.multiplier[1], p.multiplier[2])
  check_pair("resolve per-channel shifts", 0, -1, p.shift[1], p.shift[2])
  check("resolve default zero point", p.output_zero_point, 0)
  local e = assert(quant.resolve({ multiplier = { 1 << 30 }, shift = { -3 }, activation_min = -5,
    activation_max = 9 }, 1, "relu6"))
  check_pair("resolve explicit clamp", -5, 9, e.act_min, e.act_max)
end
local function rejects(name, q, filters, activation, pattern)
  local ok, err = quant.resolve(q, filters, activation)
  check(name .. " rejected", ok, nil)
  if err and not err:find(pattern, 1, true) then
    failed = failed + 1
    print(string.format("FAIL %s: message '%s' lacks '%s'", name, err, pattern))
  end
end
rejects("unknown key", { multiplier = { 1 << 30 }, shift = { 0 }, scale = 1 }, 1, "none", "quant.scale")
rejects("zero point 128", { input_zero_point = 128, multiplier = { 1 << 30 }, shift = { 0 } }, 1, "none",
  "input_zero_point")
rejects("multiplier below 2^30", { multiplier = { (1 << 30) - 1 }, shift = { 0 } }, 1, "none", "multiplier[1]")
rejects("shift 31", { multiplier = { 1 << 30 }, shift = { 31 } }, 1, "none", "shift[1]")
rejects("list length", { multiplier = { 1 << 30 }, shift = { 0 } }, 2, "none", "lists of 2")
rejects("both forms", { multiplier = { 1 << 30 }, shift = { 0 }, input_scale = 1, weight_scale = 1 }, 1, "none",
  "not both")
rejects("weight_scale length", { input_scale = 1, output_scale = 1, weight_scale = { 1, 2 } }, 3, "none",
  "weight_scale")
rejects("negative scale", { input_scale = -1, output_scale = 1, weight_scale = 1 }, 1, "none", "input_scale")
rejects("scale underflowing float32", { input_scale = 1e-50, output_scale = 1, weight_scale = 1 }, 1, "none",
  "input_scale")
rejects("relu6 without scale", { multiplier = { 1 << 30 }, shift = { 0 } }, 1, "relu6", "activation relu6")
rejects("empty clamp", { multiplier = { 1 << 30 }, shift = { 0 }, activation_min = 10, activation_max = 5 }, 1,
  "none", "empty")
rejects("multiplier too large", { input_scale = 2.0 ^ 20, output_scale = 2.0 ^ -20, weight_scale = 1 }, 1,
  "none", "filter 1")

check("accumulator bound fits", quant.check_accumulator(quant.MAX_TAPS), nil)
check("accumulator bound value", quant.MAX_TAPS, 66311)
check("accumulator bound exceeded", type(quant.check_accumulator(quant.MAX_TAPS + 1)), "string")

-- The spec front end hands these values to the layer (generator/spec_quant.lua): issue 11's
-- example with relu, and an explicit per-channel form.
do
  local spec = require("generator.spec")
  local model, errors = spec.validate({ layers = {
    { name = "a", dtype = "s8", input = { c = 16, h = 8, w = 8 }, filters = 2, kernel = 3, padding = 1,
      activation = "relu", quant = { input_zero_point = -128, output_zero_point = 5, input_scale = 0.0235,
        output_scale = 0.0471, weight_scale = 0.0031 } },
    { name = "b", dtype = "s8", layout = "NHWC", input = { c = 4, h = 5, w = 5 }, filters = 2, kernel = 1,
      quant = { multiplier = { 2147483647, 0 }, shift = { -31, 30 }, activation_min = -5 } },
  } })
  check("s8 layers load", errors, nil)
  local a, b = model.layers[1].quant, model.layers[2].quant
  local mult, shift = quant.quantize_multiplier(quant.real_multiplier(quant.float32(0.0235), quant.float32(0.0031),
    quant.float32(0.0471)))
  check("layer a multiplier", a.multiplier[2], mult)
  check("layer a shift", a.shift[1], shift)
  check("layer a zero points", a.input_zero_point * 1000 + a.output_zero_point, -128 * 1000 + 5)
  check("layer a relu starts at the output zero point", a.act_min, 5)
  check("layer a clamp top", a.act_max, 127)
  check("layer b explicit lists", table.concat(b.multiplier, ",") .. ";" .. table.concat(b.shift, ","),
    "2147483647,0;-31,30")
  check("layer b explicit activation_min", b.act_min, -5)
end

-- ONNX's forms (docs/int8.md, "ONNX"): the float32 scale, its exact mantissa/shift form and
-- the rounding the kernels bake in.
do
  local f32 = quant.float32
  -- every step rounded to float32: fl(fl(x * w) / y)
  check("onnx scale of ONNX's example", quant.onnx_scale(f32(0.0036920469719917), f32(0.0017279457533732),
    f32(0.0016268126200885)), f32(f32(f32(0.0036920469719917) * f32(0.0017279457533732)) / f32(0.0016268126200885)))
  check("onnx scale 1/6 is float32", quant.onnx_scale(1.0, 1.0, 6.0), f32(1 / 6))
  -- (x * w) rounds first: 3 * fl(1/3) / 1 rounded twice differs from the exact real 1
  check("onnx scale rounds the product first", quant.onnx_scale(3.0, f32(1 / 3), 1.0), f32(3 * f32(1 / 3)))
  check_pair("mantissa of 0.5", 1, 1, quant.onnx_mantissa_shift(0.5))
  check_pair("mantissa of 0.75", 3, 2, quant.onnx_mantissa_shift(0.75))
  check_pair("mantissa of float32 1/6", 11184811, 26, quant.onnx_mantissa_shift(f32(1 / 6)))
  check_pair("a scale of 2^23 or more saturates", 1 << 23, 1, quant.onnx_mantissa_shift(2.0 ^ 23))
  check_pair("the smallest subnormal rounds everything to 0", 0, 1, quant.onnx_mantissa_shift(2.0 ^ -149))
  check_pair("2^-38 keeps its shift", 1, 38, quant.onnx_mantissa_shift(2.0 ^ -38))
  -- exact ties go to the even neighbour, both signs
  check("round 1 * 0.5", quant.onnx_round(1, 1, 1), 0)
  check("round 3 * 0.5", quant.onnx_round(3, 1, 1), 2)
  check("round 5 * 0.5", quant.onnx_round(5, 1, 1), 2)
  check("round -1 * 0.5", quant.onnx_round(-1, 1, 1), 0)
  check("round -3 * 0.5", quant.onnx_round(-3, 1, 1), -2)
  check("round -5 * 0.5", quant.onnx_round(-5, 1, 1), -2)
  check("round 7 * 0.25", quant.onnx_round(7, 1, 2), 2)
  check("round -7 * 0.25", quant.onnx_round(-7, 1, 2), -2)
  -- the exact product: 3 * fl(1/6) is just above one half
  check("round 3 * fl(1/6)", quant.onnx_round(3, quant.onnx_mantissa_shift(f32(1 / 6))), 1)
  -- every (mantissa, shift) pair is the scale exactly
  local seed, bad = 777, 0
  local function rnd()
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  end
  for _ = 1, 20000 do
    local s = f32((0.5 + rnd()) * 2.0 ^ math.floor(rnd() * 60 - 40))
    local m, r = quant.onnx_mantissa_shift(s)
    if not (m >= 0 and m < (1 << 24) and r >= 1 and r <= 62 and (m == 0 or m * 2.0 ^ -r == s or s >= 2.0 ^ 23)) then
      bad = bad + 1
    end
  end
  check("20000 scales: mantissa / 2^shift is the scale", bad, 0)

  local r = assert(quant.resolve({ arithmetic = "onnx", input_zero_point = 4, output_zero_point = -5,
    input_scale = 0.5, weight_scale = { 0.25, 0.75 }, output_scale = 2.0, weight_zero_point = { 127, -128 } }, 2,
    "none"))
  check("onnx layer scale 1", r.scale[1], 0.0625)
  check("onnx layer scale 2", r.scale[2], 0.1875)
  check("onnx layer mantissa/shift", table.concat(r.multiplier, ",") .. ";" .. table.concat(r.shift, ","), "1,3;4,4")
  check("onnx layer weight zero points", table.concat(r.weight_zero_point, ","), "127,-128")
  check("onnx form", quant.is_onnx_form(r), true)
  local t = assert(quant.resolve({ output_type = "s32", input_zero_point = -3, weight_zero_point = 7 }, 3, "none"))
  check("s32 weight zero point per channel", table.concat(t.weight_zero_point, ","), "7,7,7")
  check("s32 output type", t.output_type, "s32")
  local plain = assert(quant.resolve({ input_scale = 0.5, weight_scale = 0.01, output_scale = 0.1 }, 2, "none"))
  check("TFLite form is not ONNX's", quant.is_onnx_form(plain), false)
  check("TFLite form weight zero points default 0", table.concat(plain.weight_zero_point, ","), "0,0")
  rejects("arithmetic name", { arithmetic = "x", input_scale = 1, weight_scale = 1, output_scale = 1 }, 1, "none",
    "quant.arithmetic")
  rejects("onnx with multipliers", { arithmetic = "onnx", multiplier = { 1 << 30 }, shift = { 0 } }, 1, "none",
    "not multiplier and shift")
  rejects("weight zero point 128", { weight_zero_point = 128, input_scale = 1, weight_scale = 1, output_scale = 1 },
    1, "none", "weight_zero_point")
  rejects("weight zero point list", { weight_zero_point = { 1 }, input_scale = 1, weight_scale = 1,
    output_scale = 1 }, 2, "none", "list of 2")
  rejects("s32 with scales", { output_type = "s32", input_scale = 1 }, 1, "none", "input_scale")
  rejects("s32 with relu6", { output_type = "s32" }, 1, "relu6", "output_type")
  rejects("output type", { output_type = "s16" }, 1, "none", "output_type")
  check("wide accumulator bound value", quant.MAX_TAPS_ONNX, 33025)
  check("wide accumulator bound fits", quant.check_accumulator(quant.MAX_TAPS_ONNX, true), nil)
  check("wide accumulator bound exceeded", type(quant.check_accumulator(quant.MAX_TAPS_ONNX + 1, true)), "string")
end

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)

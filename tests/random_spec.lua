-- Writes a seeded random spec for the sweep: lua5.4 random_spec.lua SEED COUNT OUT.lua
-- Layers are drawn over every spec parameter and every way of writing it.

local seed, count, out_path = tonumber(arg[1]), tonumber(arg[2]), arg[3]
if not (seed and count and out_path) then
  io.stderr:write("usage: lua5.4 random_spec.lua SEED COUNT OUT.lua\n")
  os.exit(2)
end
math.randomseed(math.tointeger(seed))

local function pick(list) return list[math.random(#list)] end

-- The formulas the generator uses (generator/geometry.lua), found from this script's path.
local root = (arg[0]:match("^(.*)[/\\]tests[/\\][^/\\]*$") or ".")
package.path = root .. "/?.lua;" .. package.path
local geometry = require("generator.geometry")
local out_size, same_pads = geometry.out_size, geometry.same_padding

-- A number when both values agree, otherwise a pair: both spellings get used.
local function pair_text(a, b)
  if a == b and math.random() < 0.7 then return tostring(a) end
  return string.format("{ %d, %d }", a, b)
end

-- An s8 layer's quant table (docs/int8.md) as Lua text: zero points often at their extremes,
-- then either float32 scales (per-tensor or per-filter) with a real multiplier between 2^-14
-- and 2^-4, or explicit multipliers and shifts over their whole range (2^31 - 1, 2^30, 0,
-- shifts -31..30). The output scale maps relu6 and clamp; sometimes explicit bounds are added.
local function zero_point() return pick({ -128, 127, 0, math.random(-128, 127), math.random(-128, 127) }) end

local function float_list(values)
  local parts = {}
  for i, v in ipairs(values) do parts[i] = string.format("%.9g", v) end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

local function draw_quant(m)
  local q = { string.format("input_zero_point = %d, output_zero_point = %d", zero_point(), zero_point()) }
  local input_scale, output_scale = 2.0 ^ (math.random() * 6 - 8), 2.0 ^ (math.random() * 6 - 6)
  q[#q + 1] = string.format("output_scale = %.9g", output_scale)
  if math.random() < 0.5 then
    local function weight_scale()  -- real multiplier input * weight / output in [2^-14, 2^-4]
      return 2.0 ^ (math.random() * 10 - 14) * output_scale / input_scale
    end
    local w = { weight_scale() }
    if math.random() < 0.5 then
      for i = 2, m do w[i] = weight_scale() end
      q[#q + 1] = "weight_scale = " .. float_list(w)
    else
      q[#q + 1] = string.format("weight_scale = %.9g", w[1])
    end
    q[#q + 1] = string.format("input_scale = %.9g", input_scale)
  else
    local mults, shifts = {}, {}
    for i = 1, m do
      mults[i] = tostring(pick({ 2147483647, 1073741824, 0, math.random(1 << 30, (1 << 31) - 1),
        math.random(1 << 30, (1 << 31) - 1) }))
      shifts[i] = tostring(math.random() < 0.8 and math.random(-13, -4) or math.random(-31, 30))
    end
    q[#q + 1] = "multiplier = { " .. table.concat(mults, ", ") .. " }"
    q[#q + 1] = "shift = { " .. table.concat(shifts, ", ") .. " }"
  end
  if math.random() < 0.2 then
    local lo = math.random(-128, 100)
    q[#q + 1] = string.format("activation_min = %d, activation_max = %d", lo, math.random(lo, 127))
  end
  return "{ " .. table.concat(q, ", ") .. " }"
end

local function draw_layer(index)
  local L = {}
  L.layout = pick({ "NCHW", "NHWC" })
  L.dtype = pick({ "f32", "f32", "f64", "s8" })
  L.n = pick({ 1, 1, 1, 2, 3 })
  L.groups = pick({ 1, 1, 1, 2, 3 })
  L.c, L.m = L.groups * math.random(1, 5), L.groups * math.random(1, 5)
  if math.random() < 0.15 then  -- depthwise, sometimes with a channel multiplier
    L.groups = math.random(1, 8)
    L.c = L.groups
    L.m = L.groups * pick({ 1, 1, 2 })
  end
  L.h, L.w = math.random(1, 14), math.random(1, 14)
  if math.random() < 0.3 then
    -- wide rows reach the kernels that tile along output rows (16 or more outputs)
    L.h, L.w = math.random(1, 6), math.random(16, 70)
  end
  L.kh, L.kw = math.random(1, 5), math.random(1, 5)
  L.sh, L.sw = math.random(1, 3), math.random(1, 3)
  L.dh, L.dw = pick({ 1, 1, 1, 2, 3 }), pick({ 1, 1, 1, 2 })

  L.op = (L.dtype ~= "s8" and math.random() < 0.15) and "conv_transpose2d" or "conv2d"
  local transposed = L.op == "conv_transpose2d"
  local form = pick(transposed and { "number", "pair", "sides", "valid" }
    or { "number", "pair", "sides", "sides", "same", "valid" })
  local pads
  if form == "number" then
    local p = math.random(0, 3)
    pads, L.padding = { p, p, p, p }, tostring(p)
  elseif form == "pair" then
    local ph, pw = math.random(0, 3), math.random(0, 3)
    pads, L.padding = { ph, ph, pw, pw }, string.format("{ %d, %d }", ph, pw)
  elseif form == "sides" then
    pads = { math.random(0, 3), math.random(0, 3), math.random(0, 3), math.random(0, 3) }
    L.padding = string.format("{ top = %d, bottom = %d, left = %d, right = %d }", table.unpack(pads))
  elseif form == "same" then
    local t, b = same_pads(L.h, L.kh, L.sh, L.dh)
    local l, r = same_pads(L.w, L.kw, L.sw, L.dw)
    pads, L.padding = { t, b, l, r }, '"same"'
  else
    pads, L.padding = { 0, 0, 0, 0 }, '"valid"'
  end
  local oh, ow
  if transposed then
    -- output_padding below the stride or the dilation, as PyTorch requires
    L.oph = math.random(0, math.max(L.sh, L.dh) - 1)
    L.opw = math.random(0, math.max(L.sw, L.dw) - 1)
    oh = geometry.transposed_out_size(L.h, L.kh, L.sh, L.dh, pads[1], pads[2], L.oph)
    ow = geometry.transposed_out_size(L.w, L.kw, L.sw, L.dw, pads[3], pads[4], L.opw)
    if oh > 120 or ow > 120 then return nil end
  else
    oh = out_size(L.h, L.kh, L.sh, L.dh, pads[1], pads[2])
    ow = out_size(L.w, L.kw, L.sw, L.dw, pads[3], pads[4])
    L.backward = L.dtype ~= "s8" and math.random() < 0.5
  end
  if oh < 1 or ow < 1 then return nil end

  L.bias = math.random() < 0.6
  L.activation = pick({ '"none"', '"relu"', '"relu6"', '{ "clamp", -0.5, 0.75 }' })
  -- Full unrolling only where the straight-line code stays small.
  local small = (transposed and L.m * L.kh * L.kw * L.h * L.w or L.c * L.kh * L.kw * oh * ow) <= 2000
  L.unroll = small and pick({ "auto", "full", "loops" }) or pick({ "auto", "loops" })
  L.name = string.format("r%03d", index)
  if L.dtype == "s8" then L.quant = draw_quant(L.m) end
  return L
end

local lines = {
  string.format("-- Random sweep, seed %d, %d layers (tests/random_spec.lua).", seed, count),
  "return {",
  '  prefix = "sweep_",',
  "  layers = {",
}
local made = 0
while made < count do
  local L = draw_layer(made)
  if L then
    made = made + 1
    lines[#lines + 1] = string.format(
      '    { op = "%s", name = "%s", layout = "%s", dtype = "%s", input = { n = %d, c = %d, h = %d, w = %d },',
      L.op, L.name, L.layout, L.dtype, L.n, L.c, L.h, L.w)
    lines[#lines + 1] = string.format(
      "      filters = %d, kernel = %s, stride = %s, dilation = %s, padding = %s, groups = %d,",
      L.m, pair_text(L.kh, L.kw), pair_text(L.sh, L.sw), pair_text(L.dh, L.dw), L.padding, L.groups)
    local extra = L.op == "conv_transpose2d" and string.format(", output_padding = { %d, %d }", L.oph, L.opw)
      or string.format(", backward = %s", tostring(L.backward))
    if L.quant then extra = extra .. ",\n      quant = " .. L.quant end
    lines[#lines + 1] = string.format('      bias = %s, activation = %s, unroll = "%s"%s },',
      tostring(L.bias), L.activation, L.unroll, extra)
  end
end
lines[#lines + 1] = "  },"
lines[#lines + 1] = "}"

local f = assert(io.open(out_path, "w"))
f:write(table.concat(lines, "\n"), "\n")
f:close()
print(string.format("random sweep: seed %d (set CONVGEN_SEED to change it), %d layers -> %s", seed, count, out_path))

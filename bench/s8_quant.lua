-- bench/s8_quant.lua: the spec text of a bench CSV row as an int8 NHWC layer with a fixed, TFLite-like quantization.
--
-- Loaded by csv_to_spec.lua (--s8). The quantization is the same for every run:
--   input zero point -128 (the inputs of these layers follow a ReLU in the trained models),
--   per-channel weight scales (a cycle of seven values), an input scale of 0.05, and an
--   output scale chosen so that the bench's random int8 data (x uniform in [-128, 127],
--   w in [-127, 127]) gives outputs with a spread of about 40 int8 steps instead of
--   saturating; output zero point -128 after relu/relu6 (the clamp starts there) and 5
--   otherwise. The activation is mapped to the int8 clamp from the output scale
--   (docs/int8.md), so relu6 really clamps.

local M = {}

local INPUT_SCALE = 0.05
local WEIGHT_SCALES = { 0.0021, 0.0034, 0.0027, 0.0040, 0.0030, 0.0024, 0.0037 }
-- Root mean square of one product (x - zp) * w with x - zp uniform in [0, 255] (rms 147)
-- and w uniform in [-127, 127] (rms 73): the accumulator's spread is sqrt(K) times this.
local PRODUCT_RMS = 147 * 73
local OUTPUT_SPREAD = 40
local MEAN_WEIGHT_SCALE = 0.003

-- The shortest text that reads back as the same double.
local function number_text(v)
  for digits = 6, 17 do
    local text = string.format("%." .. digits .. "g", v)
    if tonumber(text) == v then return text end
  end
  return string.format("%.17g", v)
end

local function activation_text(value)
  local lo, hi = value:match("^clamp:([^:]+):([^:]+)$")
  if lo then return string.format('{ "clamp", %s, %s }', lo, hi) end
  return string.format("%q", value)
end

-- The layer's quant table as Lua text.
function M.quant_text(row)
  local k = (row.c // row.groups) * row.kh * row.kw
  local scales = {}
  for m = 1, row.m do scales[m] = number_text(WEIGHT_SCALES[(m - 1) % #WEIGHT_SCALES + 1]) end
  local clamps = row.activation ~= "none"
  local output_scale = INPUT_SCALE * MEAN_WEIGHT_SCALE * math.sqrt(k) * PRODUCT_RMS / OUTPUT_SPREAD
  return string.format("{ input_zero_point = -128, output_zero_point = %d, input_scale = %s, output_scale = %s,\n"
    .. "                weight_scale = { %s } }",
    clamps and -128 or 5, number_text(INPUT_SCALE), number_text(output_scale), table.concat(scales, ", "))
end

-- The whole spec layer (CSV row -> dtype s8, NHWC, no gradients).
function M.text(row, name)
  return string.format(table.concat({
    "    { op = \"conv2d\", name = %q, layout = \"NHWC\", dtype = \"s8\",  -- %s, CSV line %d as int8",
    "      input = { n = %d, c = %d, h = %d, w = %d }, filters = %d,",
    "      kernel = { %d, %d }, stride = { %d, %d }, dilation = { %d, %d },",
    "      padding = { top = %d, bottom = %d, left = %d, right = %d },",
    "      groups = %d, bias = %s, activation = %s,",
    "      quant = %s },",
  }, "\n"),
    name, row.suite, row.line,
    row.n, row.c, row.h, row.w, row.m,
    row.kh, row.kw, row.sh, row.sw, row.dh, row.dw,
    row.pt, row.pb, row.pl, row.pr,
    row.groups, row.bias == 1 and "true" or "false", activation_text(row.activation), M.quant_text(row))
end

return M

-- bench/firmware/s8_spec.lua: the firmware benchmark's f32 spec as int8 layers with fixed quantization.
--
--   lua5.4 s8_spec.lua F32_SPEC.lua -o S8_SPEC.lua
--
-- Every layer keeps its geometry and becomes dtype = "s8" with a TFLite-like quantization
-- (docs/int8.md): input zero point -128 (the inputs of these layers follow a ReLU in the
-- trained models), per-channel weight scales, and an output scale chosen so that random
-- int8 data gives outputs spread over the int8 range instead of saturating; the output zero
-- point is -128 after relu/relu6 and 0 otherwise. Deterministic: the same file every run.

local function usage(message)
  io.stderr:write("s8_spec: ", message, "\nusage: lua5.4 s8_spec.lua F32_SPEC.lua -o S8_SPEC.lua\n")
  os.exit(2)
end

local input, output = arg[1], nil
if arg[2] == "-o" then output = arg[3] end
if not input or not output then usage("need an input spec and -o OUTPUT") end

local ok, spec = pcall(dofile, input)
if not ok or type(spec) ~= "table" or type(spec.layers) ~= "table" then
  io.stderr:write(string.format("s8_spec: %s: not a spec table (%s)\n", input, tostring(spec)))
  os.exit(1)
end

local INPUT_SCALE = 0.05
local WEIGHT_SCALES = { 0.0021, 0.0034, 0.0027, 0.0040, 0.0030, 0.0024, 0.0037 }
-- Standard deviation of a product of two uniform int8 values (x - (-128) and w), about 74 * 73.
local PRODUCT_SPREAD = 5400
local OUTPUT_SPREAD = 40     -- the output's standard deviation in int8 steps

for _, L in ipairs(spec.layers) do
  local k = (L.input.c // (L.groups or 1)) * L.kernel[1] * L.kernel[2]
  local scales = {}
  for m = 1, L.filters do scales[m] = WEIGHT_SCALES[(m - 1) % #WEIGHT_SCALES + 1] end
  local clamps = L.activation == "relu" or L.activation == "relu6"
  L.dtype = "s8"
  L.backward = nil
  L.quant = {
    input_zero_point = -128,
    output_zero_point = clamps and -128 or 0,
    input_scale = INPUT_SCALE,
    weight_scale = scales,
    output_scale = INPUT_SCALE * 0.003 * math.sqrt(k) * PRODUCT_SPREAD / OUTPUT_SPREAD,
  }
end

-- A Lua literal of a value made of strings, numbers, booleans and tables (keys sorted).
local function literal(v, indent)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    for digits = 6, 17 do   -- the shortest text that reads back as the same double
      local text = string.format("%." .. digits .. "g", v)
      if tonumber(text) == v then return text end
    end
  end
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  for _, item in ipairs(v) do parts[#parts + 1] = literal(item, indent .. "  ") end
  local keys = {}
  for key in pairs(v) do
    if type(key) == "string" then keys[#keys + 1] = key end
  end
  table.sort(keys)
  for _, key in ipairs(keys) do parts[#parts + 1] = key .. " = " .. literal(v[key], indent .. "  ") end
  local flat = "{ " .. table.concat(parts, ", ") .. " }"
  if #flat <= 100 then return flat end
  return "{\n" .. indent .. "  " .. table.concat(parts, ",\n" .. indent .. "  ") .. ",\n" .. indent .. "}"
end

local f = assert(io.open(output, "w"))
f:write("-- Benchmark spec written by bench/firmware/s8_spec.lua from ", input:match("[^/]+$"),
  ". Do not edit.\nreturn ", literal(spec, ""), "\n")
f:close()

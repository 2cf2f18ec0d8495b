-- Element types: the one table every stage reads for a dtype (C type, accumulator, GEMM routine, literals, epilogue).
--
-- An entry:
--   ctype        C type of inputs, weights and outputs
--   acc_ctype    C type the reduction accumulates in
--   bias_ctype   C type of the bias vector, when it is not ctype (s8: int32_t)
--   bytes        sizeof(ctype)
--   suffix       names the runtime routines (cg_gemm_<suffix>, cg_ref_conv_<suffix>)
--   gemm         the GEMM the portable path calls: a runtime routine, or for an integer
--                type the layer's own generated static function (templates/gemm_s8.c.in)
--   desc         the cg_dtype enumerator of the layer descriptor
--   epilogue     "activation": bias, then a float activation (relu, relu6, clamp);
--                "requantize": int32 accumulator, TFLite's requantization, zero point,
--                int8 clamp (docs/int8.md; the layer's `quant` constants are baked in)
--   tolerance    the harness's tolerance class: "f32" / "f64" relative to the
--                accumulated magnitudes (an integer type: "exact")
--   literal      how types.literal writes a Lua number as a C literal of ctype:
--                "float" (rounded to float, suffix f), "double", "integer"
--   simd         whether the SIMD (AVX-512 / AVX2) kernels exist for it
-- Adding a type is adding an entry here, its GEMM and its epilogue template (s8 is one:
-- templates/conv_s8.c.in); the stages look the type up here.
local types = {}

-- A double literal that reads back as exactly the same value.
local function double_literal(value)
  local s = string.format("%.17g", value)
  if tonumber(string.format("%.15g", value)) == value then s = string.format("%.15g", value) end
  if not s:find("[.eEn]") then s = s .. ".0" end
  return s
end

-- A float literal: the value rounded to float first, so it is the float the spec's
-- number becomes in PyTorch, printed with as few digits as read back exactly.
local function float_literal(value)
  local as_float = string.unpack("<f", string.pack("<f", value))
  local s = string.format("%.9g", as_float)
  if tonumber(string.format("%.7g", as_float)) == as_float then s = string.format("%.7g", as_float) end
  if not s:find("[.eEn]") then s = s .. ".0" end
  return s .. "f"
end

types.f32 = {
  ctype = "float", acc_ctype = "float", bytes = 4, suffix = "f32", gemm = "cg_gemm_f32",
  desc = "CG_DTYPE_F32", epilogue = "activation", tolerance = "f32",
  literal = "float", simd = true,
}

types.f64 = {
  ctype = "double", acc_ctype = "double", bytes = 8, suffix = "f64", gemm = "cg_gemm_f64",
  desc = "CG_DTYPE_F64", epilogue = "activation", tolerance = "f64",
  literal = "double", simd = false,
}

-- TFLite's int8 convolution (docs/int8.md): int8 data and symmetric weights, int32 bias and
-- accumulator, requantized per output channel; bit-exact, so the harness compares exactly.
types.s8 = {
  ctype = "int8_t", acc_ctype = "int32_t", bias_ctype = "int32_t", bytes = 1, suffix = "s8", gemm = "gemm_s8",
  desc = "CG_DTYPE_S8", epilogue = "requantize", tolerance = "exact",
  literal = "integer", simd = false,
}

-- Every element type, in the order the model header lists its layers.
types.names = { "f32", "f64", "s8" }

types.double_literal = double_literal

local function integer_literal(value)
  return string.format("%d", math.tointeger(value) or error("not an integer: " .. tostring(value), 3))
end

local LITERALS = { float = float_literal, double = double_literal, integer = integer_literal }

-- A C literal of the element type `entry` (a types entry, as plans hold it).
function types.literal(entry, value)
  return LITERALS[entry.literal](value)
end

-- The entry of a dtype name ("f32"); an unknown name is a programming error (the front
-- end has validated the spec).
function types.get(dtype)
  local t = types[dtype]
  if type(t) ~= "table" then error("no element type '" .. tostring(dtype) .. "'", 2) end
  return t
end

return types

-- Element types: the one table every stage reads for a dtype (C type, accumulator, GEMM routine, literals, epilogue).
--
-- An entry:
--   ctype        C type of inputs, weights and outputs
--   acc_ctype    C type the reduction accumulates in
--   bytes        sizeof(ctype)
--   suffix       names the runtime routines (cg_gemm_<suffix>, cg_ref_conv_<suffix>)
--   gemm         the runtime GEMM the portable path calls
--   desc         the cg_dtype enumerator of the layer descriptor
--   epilogue     "activation": bias, then a float activation (relu, relu6, clamp);
--                an integer type will say "requantize" (scale, zero point, saturate)
--   tolerance    the harness's tolerance class: "f32" / "f64" relative to the
--                accumulated magnitudes (an integer type: "exact")
--   literal      how types.literal writes a Lua number as a C literal of ctype:
--                "float" (rounded to float, suffix f), "double" (an integer type: "integer")
--   simd         whether the SIMD (AVX-512 / AVX2) kernels exist for it
-- Adding a type (for example s8/u8 with int32 accumulators) is adding an entry here,
-- its runtime GEMM, and its epilogue template; the stages look the type up here.
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

-- Every element type, in the order the model header lists its layers.
types.names = { "f32", "f64" }

types.double_literal = double_literal

local LITERALS = { float = float_literal, double = double_literal }

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

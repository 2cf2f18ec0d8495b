-- AVX-512F as data: lanes, register budget, vector type, intrinsic spellings (docs/architecture.md).
-- Each spelling is a string.format pattern (%s in the order the comment gives), or for fma, loads and
-- stores a pattern with named fields {a}, {b}, {c}, {addr}, {mask}, {value} (ISAs order them differently).
return {
  name = "avx512",                -- names the driver function (conv_avx512)
  title = "AVX-512",              -- in comments
  guard = "CONVGEN_AVX512",       -- runtime/convgen.h sets it from the compiler's macros
  header = "immintrin.h",
  lanes = 16,                     -- f32 lanes of a vector
  registers = 32,                 -- vector registers
  accumulators = 24,              -- of them kept for a kernel's accumulators
  register_name = "zmm",
  vector = "__m512",
  mask_format = "0x%04x",         -- a tail mask: the bit pattern of its valid lanes
  zero = "_mm512_setzero_ps()",
  load = "_mm512_loadu_ps({addr})",
  masked_load = "_mm512_maskz_loadu_ps({mask}, {addr})",
  store = "_mm512_storeu_ps({addr}, {value})",
  masked_store = "_mm512_mask_storeu_ps({addr}, {mask}, {value})",
  broadcast = "_mm512_set1_ps(%s)",                 -- scalar
  fma = "_mm512_fmadd_ps({a}, {b}, {c})",            -- a * b + c
  add = "_mm512_add_ps(%s, %s)",
  max = "_mm512_max_ps(%s, %s)",                    -- returns the second operand when either is NaN
  min = "_mm512_min_ps(%s, %s)",
  -- lanes 0, 2, 4, ... / 1, 3, 5, ... of the 32 floats {a} then {b} (stride-2 depthwise staging)
  even_lanes = "_mm512_permutex2var_ps({a}, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, "
    .. "30), {b})",
  odd_lanes = "_mm512_permutex2var_ps({a}, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, "
    .. "31), {b})",
}

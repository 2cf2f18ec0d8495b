-- AVX2 with FMA as data: lanes, register budget, vector type, intrinsic spellings (see generator/isa/avx512.lua).
-- Tail masks are integer vectors (all bits set in a valid lane), not bit patterns.
return {
  name = "avx2",
  title = "AVX2+FMA",
  guard = "CONVGEN_AVX2",         -- runtime/convgen.h: __AVX2__ and __FMA__ (taken after CONVGEN_AVX512)
  header = "immintrin.h",
  lanes = 8,
  registers = 16,
  accumulators = 12,              -- the rest hold B vectors and the broadcast value
  -- No blas_min_macs: with B packed into panels, 6x16 tiles beat OpenBLAS on ResNet-50's 1x1
  -- layers (1.2-1.35x, docs/benchmark.md), and the layers stay splittable for P_conv_parallel.
  pack_panels = true,             -- im2col straight into per-tile B panels (generator/simd_nchw.lua)
  register_name = "ymm",
  vector = "__m256",
  mask_vector = "_mm256_setr_epi32(%s)",   -- one entry per lane:
  mask_on = "-1", mask_off = "0",
  zero = "_mm256_setzero_ps()",
  load = "_mm256_loadu_ps({addr})",
  masked_load = "_mm256_maskload_ps({addr}, {mask})",
  store = "_mm256_storeu_ps({addr}, {value})",
  masked_store = "_mm256_maskstore_ps({addr}, {mask}, {value})",
  broadcast = "_mm256_set1_ps(%s)",
  fma = "_mm256_fmadd_ps({a}, {b}, {c})",
  add = "_mm256_add_ps(%s, %s)",
  max = "_mm256_max_ps(%s, %s)",                    -- returns the second operand when either is NaN
  min = "_mm256_min_ps(%s, %s)",
  -- lanes 0, 2, 4, ... / 1, 3, 5, ... of the 16 floats {a} then {b} (stride-2 depthwise staging)
  even_lanes = "_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps({a}, {b}, 0x88)), 0xd8))",
  odd_lanes = "_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps({a}, {b}, 0xdd)), 0xd8))",
}

-- AVX2 spellings of the s8 GEMM's inner block (templates/gemm_s8.c.in): int8 widened to int16, vpmaddwd on pairs.
-- Sixteen output columns per block: two k rows of B are widened to int16, interleaved, and
-- multiplied with a broadcast pair of A values by _mm256_madd_epi16, which sums each pair
-- into one int32 lane exactly (|a| <= 255 and |b| <= 128, so a pair stays below 2^17).
local avx2 = require("generator.isa.avx2")

return {
  name = "avx2_s8",
  title = "AVX2 (vpmaddwd on int16 pairs)",
  guard = avx2.guard,             -- also true on AVX-512 machines (runtime/convgen.h)
  header = avx2.header,
  width = 16,                     -- output columns per block
  vector = "__m256i",
  zero = "_mm256_setzero_si256()",
  -- 16 int8 at an address, sign-extended to 16 int16
  load_widen = "_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(%s)))",
  -- two int16 values (low, high) repeated in every 32-bit lane
  pair = "_mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)(%s) | ((uint32_t)(uint16_t)(%s) << 16)))",
  interleave_lo = "_mm256_unpacklo_epi16(%s, %s)",
  interleave_hi = "_mm256_unpackhi_epi16(%s, %s)",
  madd = "_mm256_madd_epi16(%s, %s)",
  add = "_mm256_add_epi32(%s, %s)",
  -- unpacklo/hi work per 128-bit lane: lo holds columns 0-3 and 8-11, hi 4-7 and 12-15
  first_half = "_mm256_permute2x128_si256(%s, %s, 0x20)",
  second_half = "_mm256_permute2x128_si256(%s, %s, 0x31)",
  store = "_mm256_storeu_si256((__m256i *)(%s), %s)",
  -- NHWC GEMMs: the whole body is this template (tiles of `rows` output pixels sharing each
  -- widened weight pair; vectorized requantization from requant_header)
  gemm_template = "gemm_s8_avx2.c.in",
  -- NHWC depthwise layers of 16 channels or more: 16 channels per step, two taps per vpmaddwd
  depthwise_template = "depthwise_s8_avx2.c.in",
  requant_header = "requant_s8_avx2.h",
  rows = 4,
}

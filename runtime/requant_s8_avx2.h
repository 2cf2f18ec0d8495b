/* AVX2 requantization of 16 int32 sums to int8 for generated x86 s8 kernels: cg_requantize_s32 (requant_s8.h) lane by lane, bit-exact. */
/* Per lane, as cg_requantize_s32: x = acc << max(shift, 0) kept to 32 bits; high = (x * multiplier
   + 2^30) >> 31 from the exact 64-bit product (floor: the same as TFLite's rounding with its
   nudge, since the multiplier is never INT32_MIN); then the rounding divide by 2^max(-shift, 0),
   ties away from zero. Then the layer's clamp (bounds already less the output zero point), the
   output zero point, and a saturating pack of the 16 lanes to int8 in order.
   Callers include this only where AVX2 is on (CONVGEN_AVX2). */
#ifndef CG_REQUANT_S8_AVX2_H
#define CG_REQUANT_S8_AVX2_H

#include <immintrin.h>
#include <stdint.h>

/* One block's constants: multipliers and left/right shifts of columns 0-7 and 8-15. */
typedef struct {
  __m256i mult[2], left[2], right[2];
} cg_requant16_avx2_consts;

static inline cg_requant16_avx2_consts cg_requant16_avx2_setup(__m256i mult0, __m256i shift0, __m256i mult1,
                                                               __m256i shift1)
{
  cg_requant16_avx2_consts c;
  const __m256i zero = _mm256_setzero_si256();
  c.mult[0] = mult0;
  c.mult[1] = mult1;
  c.left[0] = _mm256_max_epi32(shift0, zero);
  c.left[1] = _mm256_max_epi32(shift1, zero);
  c.right[0] = _mm256_max_epi32(_mm256_sub_epi32(zero, shift0), zero);
  c.right[1] = _mm256_max_epi32(_mm256_sub_epi32(zero, shift1), zero);
  return c;
}

/* MultiplyByQuantizedMultiplier of 8 lanes. */
static inline __m256i cg_requant8_avx2(__m256i acc, __m256i mult, __m256i left, __m256i right)
{
  const __m256i one = _mm256_set1_epi32(1), zero = _mm256_setzero_si256();
  const __m256i nudge = _mm256_set1_epi64x((long long)1 << 30);
  const __m256i x = _mm256_sllv_epi32(acc, left);
  /* even lanes' and odd lanes' exact 64-bit products, plus 2^30 */
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, mult), nudge);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(mult, 32)), nudge);
  /* bits 31..62 of each: the low half of even >> 31, the high half of odd << 1 */
  const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xaa);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  /* threshold = mask / 2, plus one for a negative value (ties away from zero) */
  const __m256i threshold = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), _mm256_cmpgt_epi32(zero, high));
  const __m256i up = _mm256_cmpgt_epi32(_mm256_and_si256(high, mask), threshold);
  return _mm256_sub_epi32(_mm256_srav_epi32(high, right), up);
}

/* 16 sums (columns 0-7, 8-15) to 16 int8: requantized, clamped to [low, high], plus zp. */
static inline __m128i cg_requant16_avx2_clamp(__m256i acc0, __m256i acc1, const cg_requant16_avx2_consts *c,
                                              int32_t low, int32_t high, int32_t zp)
{
  const __m256i lo = _mm256_set1_epi32(low), hi = _mm256_set1_epi32(high), z = _mm256_set1_epi32(zp);
  __m256i r0 = cg_requant8_avx2(acc0, c->mult[0], c->left[0], c->right[0]);
  __m256i r1 = cg_requant8_avx2(acc1, c->mult[1], c->left[1], c->right[1]);
  r0 = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(r0, lo), hi), z);
  r1 = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(r1, lo), hi), z);
  /* packs works per 128-bit lane: [r0 0-3, r1 0-3 | r0 4-7, r1 4-7], reordered to r0 then r1 */
  const __m256i p16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(r0, r1), 0xd8);
  return _mm_packs_epi16(_mm256_castsi256_si128(p16), _mm256_extracti128_si256(p16, 1));
}

#endif /* CG_REQUANT_S8_AVX2_H */

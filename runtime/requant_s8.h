/* Fast requantization for generated int8 kernels: TFLite's MultiplyByQuantizedMultiplier in a few integer instructions (and ONNX's exact rounding), bit-exact with reference_s8.c. */
/* reference_s8.c spells every step with divisions so that it stays
   well-defined C99 on any compiler; kernels need the short form instead: one
   64-bit multiply, arithmetic shifts and a tie correction. That form relies
   on two implementation-defined behaviours that every compiler convgen
   targets (gcc, clang; two's complement) has, and the typedefs below refuse
   to compile where either is missing: >> of a negative value shifts in sign
   bits, and converting an out-of-range unsigned value to int32_t wraps.
   Contract (docs/int8.md): multiplier 0 or in [2^30, 2^31), shift in
   [-31, 30]; with a literal shift the compiler drops the unused branches.
   tests/quant/check_requant.c compares it with the reference on every shift. */
#ifndef CG_REQUANT_S8_H
#define CG_REQUANT_S8_H

#include <stdint.h>

typedef char cg_requant_needs_arithmetic_shift[(-8 >> 1) == -4 ? 1 : -1];
typedef char cg_requant_needs_wrapping_conversion[(int32_t)(uint32_t)0x80000000u == INT32_MIN ? 1 : -1];

static inline int32_t cg_requantize_s32(int32_t acc, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  /* x * 2^left kept to 32 bits, as TFLite's and CMSIS-NN's int32 product */
  const int32_t x = (int32_t)((uint32_t)acc << left);
  /* SaturatingRoundingDoublingHighMul without the saturation: only
     INT32_MIN * INT32_MIN needs it, and the multiplier is never INT32_MIN */
  const int32_t high = (int32_t)(((int64_t)x * multiplier + ((int64_t)1 << 30)) >> 31);
  /* RoundingDivideByPOT: floor, then up when the dropped bits pass half
     (half itself counts for negative values: ties away from zero) */
  const int32_t mask = (int32_t)((1u << right) - 1u);
  const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}

/* ONNX's requantization before the zero point (docs/int8.md, "ONNX"): acc times a
   float32 scale = mantissa / 2^right, the product exact in 64 bits (mantissa < 2^24),
   rounded to the nearest integer with ties to even; 1 <= right <= 62. */
static inline int64_t cg_scale_round_s64(int32_t acc, int32_t mantissa, int right) {
  const int64_t p = (int64_t)acc * mantissa;
  const int64_t floor_q = p >> right;
  const int64_t rest = p & (((int64_t)1 << right) - 1); /* p - floor_q * 2^right */
  const int64_t half = (int64_t)1 << (right - 1);
  return floor_q + ((rest > half || (rest == half && (floor_q & 1) != 0)) ? 1 : 0);
}

#endif /* CG_REQUANT_S8_H */

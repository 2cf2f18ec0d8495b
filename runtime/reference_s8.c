/* Generic int8 (s8) reference convolution with TFLite's and CMSIS-NN's requantization, in exact integer arithmetic; written apart from the generator. */
/* What it computes, per output (n, m, oh, ow):
     acc = bias[m] + sum over taps inside the image of (x - input_zero_point) * (w - weight_zero_point[m])
     y   = clamp(output_zero_point + MultiplyByQuantizedMultiplier(acc, multiplier[m], shift[m]),
                 act_min, act_max)
   or, with arithmetic CG_QUANT_ONNX, round_half_even(acc * scale[m]) (exact
   product) in place of MultiplyByQuantizedMultiplier; cg_ref_conv_s8_s32
   stores acc itself (ONNX's ConvInteger).
   Padded taps contribute nothing (as if the input there held the input zero
   point). The accumulator is kept in 64 bits and checked against int32 before
   it is requantized, so an overflow is reported rather than wrapped. Right
   shifts of negative numbers and conversions of out-of-range values are
   implementation-defined in C99, so none is used: every step is written with
   divisions and comparisons whose results the standard fixes. */
#include <stdint.h>
#include <string.h>

#include "convgen.h"

/* cg_onnx_round_s64 reads a scale's IEEE binary32 fields. */
typedef char cg_ref_s8_needs_32_bit_float[sizeof(float) == 4 ? 1 : -1];

#define S8_INT32_MIN (-2147483647 - 1)
#define S8_INT32_MAX 2147483647

/* Two's-complement value of the low 32 bits of v. */
static int32_t wrap_to_int32(int64_t v) {
  uint32_t low = (uint32_t)((uint64_t)v & 0xffffffffu);
  if (low <= (uint32_t)S8_INT32_MAX)
    return (int32_t)low;
  return (int32_t)((int64_t)low - 4294967296LL);
}

/* floor(a / 2^e) for 0 <= e <= 62, without shifting a negative number. */
static int64_t floor_div_pow2(int64_t a, int e) {
  const int64_t p = (int64_t)1 << e;
  int64_t q = a / p; /* truncates toward zero */
  if (a % p != 0 && a < 0)
    --q;
  return q;
}

int32_t cg_srdhm_s32(int32_t a, int32_t b) {
  /* gemmlowp's SaturatingRoundingDoublingHighMul: (2ab + 2^31) / 2^32 with
     the nudge 2^30 for ab >= 0 and 1 - 2^30 below, truncated toward zero;
     the only product it cannot hold is INT32_MIN squared. */
  int64_t ab, nudged;
  if (a == S8_INT32_MIN && b == S8_INT32_MIN)
    return S8_INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudged = ab >= 0 ? ab + ((int64_t)1 << 30) : ab + 1 - ((int64_t)1 << 30);
  return (int32_t)(nudged / ((int64_t)1 << 31));
}

int32_t cg_rounding_divide_by_pot_s32(int32_t x, int exponent) {
  /* gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties
     away from zero, for 0 <= exponent <= 31. */
  int64_t mask, remainder, threshold, q;
  if (exponent <= 0)
    return x;
  mask = ((int64_t)1 << exponent) - 1;
  q = floor_div_pow2(x, exponent);
  remainder = (int64_t)x - q * (mask + 1);
  threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int32_t)(q + (remainder > threshold ? 1 : 0));
}

int32_t cg_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  /* TFLite's MultiplyByQuantizedMultiplier (and CMSIS-NN's arm_nn_requantize):
     x times 2^max(shift, 0), kept to 32 bits as both compute it (it wraps
     only for shift > 0, a real multiplier of at least 1), then the doubling
     high multiply, then the rounding right shift by max(-shift, 0). */
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t shifted = wrap_to_int32((int64_t)x * ((int64_t)1 << left));
  return cg_rounding_divide_by_pot_s32(cg_srdhm_s32(shifted, multiplier), right);
}

int64_t cg_onnx_round_s64(int64_t acc, float scale) {
  /* scale = mant * 2^e exactly, from the binary32 fields (a subnormal has no
     hidden bit); then acc * mant (|acc| < 2^32, mant < 2^24: no overflow)
     divided by 2^-e with truncation, and the remainder compared with half
     the divisor: above it away from zero, equal to it towards the even one. */
  uint32_t bits, field;
  int64_t mant, p, divisor, q, r;
  int e;
  memcpy(&bits, &scale, sizeof bits);
  field = (bits >> 23) & 0xffu;
  mant = (int64_t)(bits & 0x7fffffu);
  if (field != 0)
    mant += (int64_t)1 << 23;
  e = field != 0 ? (int)field - 150 : -149;
  if ((bits >> 31) != 0)
    mant = -mant;
  p = acc * mant;
  if (e >= 0)
    return p; /* |p| >= 2^23 unless 0: saturates whatever the factor 2^e */
  if (e < -62)
    return 0; /* |p| < 2^55, so |p| / 2^-e < 2^-8 */
  divisor = (int64_t)1 << -e;
  q = p / divisor;
  r = p % divisor; /* the sign of p */
  if (r < 0)
    r = -r;
  if (2 * r > divisor || (2 * r == divisor && q % 2 != 0))
    q += p < 0 ? -1 : 1;
  return q;
}

/* ---- the convolution ------------------------------------------------------ */

/* Flat index of (i0, i1, i2, i3) in an array of extents (., d1, d2, d3). */
static size_t flat4(int i0, int d1, int i1, int d2, int i2, int d3, int i3) {
  return (((size_t)i0 * (size_t)d1 + (size_t)i1) * (size_t)d2 + (size_t)i2) * (size_t)d3 +
         (size_t)i3;
}

static size_t input_index(const cg_conv_desc *d, int n, int c, int ih, int iw) {
  return d->layout == CG_LAYOUT_NHWC ? flat4(n, d->h, ih, d->w, iw, d->c, c)
                                     : flat4(n, d->c, c, d->h, ih, d->w, iw);
}

/* NCHW: [M][C/groups][KH][KW]; NHWC: HWIO, [KH][KW][C/groups][M]. */
static size_t weight_index(const cg_conv_desc *d, int m, int cl, int kh, int kw) {
  const int cg = d->c / d->groups;
  return d->layout == CG_LAYOUT_NHWC ? flat4(kh, d->kw, kw, cg, cl, d->m, m)
                                     : flat4(m, cg, cl, d->kh, kh, d->kw, kw);
}

static size_t output_index(const cg_conv_desc *d, int n, int m, int oh, int ow) {
  return d->layout == CG_LAYOUT_NHWC ? flat4(n, d->oh, oh, d->ow, ow, d->m, m)
                                     : flat4(n, d->m, m, d->oh, oh, d->ow, ow);
}

static int quant_is_valid(const cg_conv_desc *d, const cg_quant_s8 *q) {
  int m;
  if (q->input_zero_point < -128 || q->input_zero_point > 127 || q->output_zero_point < -128 ||
      q->output_zero_point > 127 || q->act_min < -128 || q->act_max > 127 ||
      q->act_min > q->act_max || q->multiplier == NULL || q->shift == NULL)
    return 0;
  if (q->arithmetic != CG_QUANT_TFLITE && q->arithmetic != CG_QUANT_ONNX)
    return 0;
  if (q->arithmetic == CG_QUANT_ONNX && q->scale == NULL)
    return 0;
  for (m = 0; m < d->m; ++m) {
    const int32_t mult = q->multiplier[m];
    if (q->weight_zero_point != NULL &&
        (q->weight_zero_point[m] < -128 || q->weight_zero_point[m] > 127))
      return 0;
    if (q->arithmetic == CG_QUANT_ONNX) {
      if (!(q->scale[m] > 0.0f && q->scale[m] <= 3.40282347e38f))
        return 0;
      continue;
    }
    if (mult != 0 && mult < (int32_t)1 << 30)
      return 0;
    if (q->shift[m] < -31 || q->shift[m] > 30)
      return 0;
  }
  return 1;
}

static int geometry_is_valid(const cg_conv_desc *d) {
  return d->op == CG_OP_CONV2D && d->n > 0 && d->c > 0 && d->m > 0 && d->groups > 0 &&
         d->c % d->groups == 0 && d->m % d->groups == 0 && d->kh > 0 && d->kw > 0 &&
         d->sh > 0 && d->sw > 0 && d->dh > 0 && d->dw > 0 && d->oh > 0 && d->ow > 0;
}

/* bias[m] + sum over the in-image taps of (x - input zero point) * (w - weight zero
   point[m]) for output (n, m, oh, ow), in 64 bits. */
static int64_t accumulate(const cg_conv_desc *d, const cg_quant_s8 *q, const int8_t *x,
                          const int8_t *w, const int32_t *bias, int n, int m, int oh, int ow) {
  const int cg = d->c / d->groups, mg = d->m / d->groups;
  const int c0 = (m / mg) * cg;
  const int64_t wzp = q->weight_zero_point != NULL ? q->weight_zero_point[m] : 0;
  int64_t acc = bias != NULL ? (int64_t)bias[m] : 0;
  int cl, kh, kw;
  for (cl = 0; cl < cg; ++cl)
    for (kh = 0; kh < d->kh; ++kh)
      for (kw = 0; kw < d->kw; ++kw) {
        const int ih = oh * d->sh - d->pad_top + kh * d->dh;
        const int iw = ow * d->sw - d->pad_left + kw * d->dw;
        if (ih < 0 || ih >= d->h || iw < 0 || iw >= d->w)
          continue;
        acc += ((int64_t)x[input_index(d, n, c0 + cl, ih, iw)] - q->input_zero_point) *
               ((int64_t)w[weight_index(d, m, cl, kh, kw)] - wzp);
      }
  return acc;
}

int cg_ref_conv_s8(const cg_conv_desc *d, const cg_quant_s8 *q, const int8_t *x,
                   const int8_t *w, const int32_t *bias, int8_t *y) {
  int n, m, oh, ow, status = CG_REF_S8_OK;
  if (!geometry_is_valid(d) || !quant_is_valid(d, q))
    return CG_REF_S8_BAD_PARAMS;
  for (n = 0; n < d->n; ++n)
    for (m = 0; m < d->m; ++m)
      for (oh = 0; oh < d->oh; ++oh)
        for (ow = 0; ow < d->ow; ++ow) {
          int64_t acc = accumulate(d, q, x, w, bias, n, m, oh, ow), out;
          if (acc < S8_INT32_MIN || acc > S8_INT32_MAX) {
            status = CG_REF_S8_OVERFLOW;
            acc = acc < 0 ? S8_INT32_MIN : S8_INT32_MAX;
          }
          /* in 64 bits: TFLite's int32 sum overflows here (undefined behaviour)
             only for a real multiplier near 1 or above and an extreme accumulator */
          if (q->arithmetic == CG_QUANT_ONNX)
            out = (int64_t)q->output_zero_point + cg_onnx_round_s64(acc, q->scale[m]);
          else
            out = (int64_t)q->output_zero_point +
                  cg_multiply_by_quantized_multiplier((int32_t)acc, q->multiplier[m], q->shift[m]);
          if (out < q->act_min)
            out = q->act_min;
          if (out > q->act_max)
            out = q->act_max;
          y[output_index(d, n, m, oh, ow)] = (int8_t)out;
        }
  return status;
}

int cg_ref_conv_s8_s32(const cg_conv_desc *d, const cg_quant_s8 *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, int32_t *y) {
  int n, m, oh, ow, status = CG_REF_S8_OK;
  if (!geometry_is_valid(d) || q->input_zero_point < -128 || q->input_zero_point > 127)
    return CG_REF_S8_BAD_PARAMS;
  for (m = 0; m < d->m; ++m)
    if (q->weight_zero_point != NULL &&
        (q->weight_zero_point[m] < -128 || q->weight_zero_point[m] > 127))
      return CG_REF_S8_BAD_PARAMS;
  for (n = 0; n < d->n; ++n)
    for (m = 0; m < d->m; ++m)
      for (oh = 0; oh < d->oh; ++oh)
        for (ow = 0; ow < d->ow; ++ow) {
          int64_t acc = accumulate(d, q, x, w, bias, n, m, oh, ow);
          if (acc < S8_INT32_MIN || acc > S8_INT32_MAX) {
            status = CG_REF_S8_OVERFLOW;
            acc = acc < 0 ? S8_INT32_MIN : S8_INT32_MAX;
          }
          y[output_index(d, n, m, oh, ow)] = (int32_t)acc;
        }
  return status;
}

/* The int8 reference convolution (cg_ref_conv_s8) against a hand-worked layer and an independent formulation on random layers of every geometry. */
/* The independent formulation first copies the input into a canonical
   NCHW buffer with the padding materialized and filled with the input zero
   point, and the weights into [M][C/groups][KH][KW], then takes plain dot
   products over every tap: so "a padded tap contributes nothing" is checked
   as "a padded tap holds the zero point", and the layouts' index arithmetic
   is written a second, different way. Random layers cover NCHW and NHWC,
   batches, strides, dilations, asymmetric padding, groups, depthwise with a
   channel multiplier, per-channel multipliers and shifts, zero points at
   their extremes, clamps, and bias or none. Exit status 0 when all agree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convgen.h"

static int failures, layers_checked;

static uint32_t rnd_state = 0x12345679u;
static uint32_t rnd32(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return rnd_state;
}
static int rnd_in(int lo, int hi) { return lo + (int)(rnd32() % (uint32_t)(hi - lo + 1)); }

static void *checked_calloc(size_t count, size_t size) {
  void *p = calloc(count > 0 ? count : 1, size);
  if (p == NULL) {
    fprintf(stderr, "check_conv_s8: out of memory\n");
    exit(2);
  }
  return p;
}

static void set_output_size(cg_conv_desc *d) {
  d->oh = (d->h + d->pad_top + d->pad_bottom - d->dh * (d->kh - 1) - 1) / d->sh + 1;
  d->ow = (d->w + d->pad_left + d->pad_right - d->dw * (d->kw - 1) - 1) / d->sw + 1;
}

/* ONNX's rounding, a third way: the product in double (exact here: |acc| < 2^29
   and a float32 scale), split into a truncated whole part and a fraction. */
static long long model_onnx_round(long long acc, float scale) {
  const double v = (double)acc * (double)scale;
  long long t = (long long)v; /* toward zero */
  const double frac = v - (double)t;
  if (frac > 0.5 || (frac == 0.5 && t % 2 != 0))
    ++t;
  else if (frac < -0.5 || (frac == -0.5 && t % 2 != 0))
    --t;
  return t;
}

/* The second formulation; returns 1 when it saw no int32 overflow. With acc != NULL,
   also the int32 sums (what cg_ref_conv_s8_s32 stores), in output order. */
static int model_conv(const cg_conv_desc *d, const cg_quant_s8 *q, const int8_t *x, const int8_t *w,
                      const int32_t *bias, int8_t *y, int32_t *sums) {
  const int ph = d->h + d->pad_top + d->pad_bottom, pw = d->w + d->pad_left + d->pad_right;
  const int cg = d->c / d->groups, mg = d->m / d->groups;
  int32_t *padded = checked_calloc((size_t)d->n * (size_t)d->c * (size_t)ph * (size_t)pw, sizeof(int32_t));
  int32_t *wc = checked_calloc((size_t)d->m * (size_t)cg * (size_t)d->kh * (size_t)d->kw, sizeof(int32_t));
  int n, c, i, j, m, kh, kw, oh, ow, ok = 1;
  size_t at = 0;

  for (i = 0; i < d->n * d->c * ph * pw; ++i)
    padded[i] = q->input_zero_point;
  /* walk x in its own storage order and drop each value in place */
  for (n = 0; n < d->n; ++n)
    if (d->layout == CG_LAYOUT_NCHW) {
      for (c = 0; c < d->c; ++c)
        for (i = 0; i < d->h; ++i)
          for (j = 0; j < d->w; ++j)
            padded[((n * d->c + c) * ph + i + d->pad_top) * pw + j + d->pad_left] = x[at++];
    } else {
      for (i = 0; i < d->h; ++i)
        for (j = 0; j < d->w; ++j)
          for (c = 0; c < d->c; ++c)
            padded[((n * d->c + c) * ph + i + d->pad_top) * pw + j + d->pad_left] = x[at++];
    }
  at = 0;
  if (d->layout == CG_LAYOUT_NCHW) {
    for (i = 0; i < d->m * cg * d->kh * d->kw; ++i)
      wc[i] = w[i];
  } else {
    for (kh = 0; kh < d->kh; ++kh)
      for (kw = 0; kw < d->kw; ++kw)
        for (c = 0; c < cg; ++c)
          for (m = 0; m < d->m; ++m)
            wc[((m * cg + c) * d->kh + kh) * d->kw + kw] = w[at++];
  }
  for (n = 0; n < d->n; ++n)
    for (oh = 0; oh < d->oh; ++oh)
      for (ow = 0; ow < d->ow; ++ow)
        for (m = 0; m < d->m; ++m) {
          const int g = m / mg;
          const int32_t wzp = q->weight_zero_point ? q->weight_zero_point[m] : 0;
          long long acc = bias ? bias[m] : 0;
          int32_t v;
          for (c = 0; c < cg; ++c)
            for (kh = 0; kh < d->kh; ++kh)
              for (kw = 0; kw < d->kw; ++kw) {
                const int32_t xv = padded[((n * d->c + g * cg + c) * ph + oh * d->sh + kh * d->dh) * pw +
                                          ow * d->sw + kw * d->dw];
                acc += (long long)(xv - q->input_zero_point) *
                       (wc[((m * cg + c) * d->kh + kh) * d->kw + kw] - wzp);
              }
          if (acc > INT32_MAX || acc < INT32_MIN) {
            ok = 0;
            acc = acc > 0 ? INT32_MAX : INT32_MIN;
          }
          at = d->layout == CG_LAYOUT_NCHW ? (size_t)(((n * d->m + m) * d->oh + oh) * d->ow + ow)
                                           : (size_t)(((n * d->oh + oh) * d->ow + ow) * d->m + m);
          if (sums != NULL)
            sums[at] = (int32_t)acc;
          if (q->arithmetic == CG_QUANT_ONNX) {
            acc = model_onnx_round(acc, q->scale[m]) + q->output_zero_point;
          } else {
            v = cg_multiply_by_quantized_multiplier((int32_t)acc, q->multiplier[m], q->shift[m]);
            acc = (long long)v + q->output_zero_point;
          }
          acc = acc < q->act_min ? q->act_min : (acc > q->act_max ? q->act_max : acc);
          y[at] = (int8_t)acc;
        }
  free(padded);
  free(wc);
  return ok;
}

static void describe(const cg_conv_desc *d, const cg_quant_s8 *q) {
  printf("  %s n=%d c=%d h=%d w=%d m=%d k=%dx%d s=%dx%d d=%dx%d pad=%d,%d,%d,%d groups=%d zp=%ld,%ld "
         "clamp=[%ld,%ld]\n",
         d->layout == CG_LAYOUT_NHWC ? "NHWC" : "NCHW", d->n, d->c, d->h, d->w, d->m, d->kh, d->kw, d->sh,
         d->sw, d->dh, d->dw, d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, d->groups,
         (long)q->input_zero_point, (long)q->output_zero_point, (long)q->act_min, (long)q->act_max);
}

static void check_random_layer(int serial) {
  cg_conv_desc d;
  cg_quant_s8 q = {0, 0, NULL, NULL, 0, 0, NULL, 0, NULL};
  int32_t *mult, *shift, *bias, *wzp, *sums, *want_sums;
  float *scale;
  int8_t *x, *w, *y, *want;
  size_t nx, nw, ny, i;
  int status, model_ok, extreme = serial % 5 == 0, onnx = serial % 8 >= 6;

  memset(&d, 0, sizeof d);
  d.op = CG_OP_CONV2D;
  d.layout = serial % 2 ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW;
  d.n = rnd_in(1, 2);
  switch (serial % 4) {
  case 0: /* dense */
    d.groups = 1;
    d.c = rnd_in(1, 9);
    d.m = rnd_in(1, 9);
    break;
  case 1: /* depthwise, channel multiplier 1..3 */
    d.c = rnd_in(1, 8);
    d.groups = d.c;
    d.m = d.c * rnd_in(1, 3);
    break;
  case 2: /* grouped */
    d.groups = rnd_in(2, 3);
    d.c = d.groups * rnd_in(1, 3);
    d.m = d.groups * rnd_in(1, 3);
    break;
  default: /* 1x1 */
    d.groups = 1;
    d.c = rnd_in(1, 16);
    d.m = rnd_in(1, 16);
    break;
  }
  d.kh = serial % 4 == 3 ? 1 : rnd_in(1, 4);
  d.kw = serial % 4 == 3 ? 1 : rnd_in(1, 4);
  d.sh = rnd_in(1, 3);
  d.sw = rnd_in(1, 3);
  d.dh = rnd_in(1, 2);
  d.dw = rnd_in(1, 2);
  d.pad_top = rnd_in(0, 2);
  d.pad_bottom = rnd_in(0, 2);
  d.pad_left = rnd_in(0, 2);
  d.pad_right = rnd_in(0, 2);
  d.h = rnd_in(d.dh * (d.kh - 1) + 1, 11);
  d.w = rnd_in(d.dw * (d.kw - 1) + 1, 11);
  set_output_size(&d);

  nx = (size_t)d.n * (size_t)d.c * (size_t)d.h * (size_t)d.w;
  nw = (size_t)d.m * (size_t)(d.c / d.groups) * (size_t)d.kh * (size_t)d.kw;
  ny = (size_t)d.n * (size_t)d.m * (size_t)d.oh * (size_t)d.ow;
  x = checked_calloc(nx, 1);
  w = checked_calloc(nw, 1);
  y = checked_calloc(ny, 1);
  want = checked_calloc(ny, 1);
  mult = checked_calloc((size_t)d.m, sizeof(int32_t));
  shift = checked_calloc((size_t)d.m, sizeof(int32_t));
  bias = checked_calloc((size_t)d.m, sizeof(int32_t));
  wzp = checked_calloc((size_t)d.m, sizeof(int32_t));
  scale = checked_calloc((size_t)d.m, sizeof(float));
  sums = checked_calloc(ny, sizeof(int32_t));
  want_sums = checked_calloc(ny, sizeof(int32_t));
  for (i = 0; i < nx; ++i)
    x[i] = (int8_t)(extreme ? (rnd32() & 1 ? 127 : -128) : rnd_in(-128, 127));
  for (i = 0; i < nw; ++i)
    w[i] = (int8_t)(extreme ? (rnd32() & 1 ? 127 : -127) : rnd_in(-127, 127));
  for (i = 0; i < (size_t)d.m; ++i) {
    mult[i] = i % 7 == 6 ? 0 : (int32_t)((1u << 30) | (rnd32() & 0x3fffffffu));
    shift[i] = extreme ? rnd_in(-31, 30) : rnd_in(-14, 1);
    bias[i] = rnd_in(-40000, 40000);
  }
  q.input_zero_point = extreme ? (serial % 2 ? -128 : 127) : rnd_in(-128, 127);
  q.output_zero_point = rnd_in(-128, 127);
  q.multiplier = mult;
  q.shift = shift;
  q.act_min = rnd_in(-128, 0);
  q.act_max = rnd_in(q.act_min, 127);
  if (serial % 3 == 0) {
    q.act_min = -128;
    q.act_max = 127;
  }
  if (onnx) {
    /* ONNX's form: weights over all of int8, per-channel weight zero points, float
       scales that are often short binary fractions (so exact ties occur) */
    for (i = 0; i < nw; ++i)
      w[i] = (int8_t)(extreme ? (rnd32() & 1 ? 127 : -128) : rnd_in(-128, 127));
    for (i = 0; i < (size_t)d.m; ++i) {
      wzp[i] = extreme ? (rnd32() & 1 ? 127 : -128) : rnd_in(-128, 127);
      scale[i] = rnd32() & 1 ? (float)rnd_in(1, 15) / (float)(1 << rnd_in(1, 12))
                             : (float)rnd_in(1, 1 << 20) / (float)(1 << 29);
    }
    q.weight_zero_point = wzp;
    q.arithmetic = CG_QUANT_ONNX;
    q.scale = scale;
  }

  memset(y, 0x5a, ny);
  status = cg_ref_conv_s8(&d, &q, x, w, serial % 6 == 5 ? NULL : bias, y);
  model_ok = model_conv(&d, &q, x, w, serial % 6 == 5 ? NULL : bias, want, want_sums);
  ++layers_checked;
  if (onnx) {
    int status32 = cg_ref_conv_s8_s32(&d, &q, x, w, serial % 6 == 5 ? NULL : bias, sums);
    ++layers_checked;
    if (status32 != (model_ok ? CG_REF_S8_OK : CG_REF_S8_OVERFLOW) || memcmp(sums, want_sums, ny * 4) != 0) {
      printf("FAIL random layer %d: int32 sums (status %d)\n", serial, status32);
      describe(&d, &q);
      ++failures;
    }
  }
  if (status != (model_ok ? CG_REF_S8_OK : CG_REF_S8_OVERFLOW) || memcmp(y, want, ny) != 0) {
    for (i = 0; i < ny && y[i] == want[i]; ++i) {
    }
    printf("FAIL random layer %d: status %d, first difference at %lu: got %d, expected %d\n", serial, status,
           (unsigned long)i, i < ny ? y[i] : 0, i < ny ? want[i] : 0);
    describe(&d, &q);
    ++failures;
  }
  free(x);
  free(w);
  free(y);
  free(want);
  free(mult);
  free(shift);
  free(bias);
  free(wzp);
  free(scale);
  free(sums);
  free(want_sums);
}

/* 3x3 image, 2x2 kernel, padding 1 above and left: every output worked by hand
   in docs/int8.md's example. */
static void check_hand_layer(void) {
  static const int8_t x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  static const int8_t w[4] = { 1, 0, 0, -1 };
  static const int32_t bias[1] = { 10 }, mult[1] = { 1 << 30 }, shift[1] = { 0 };
  static const int8_t want_full[9] = { 2, 2, 1, 1, 0, 0, -1, 0, 0 };
  static const int8_t want_clamped[9] = { 1, 1, 1, 1, 0, 0, 0, 0, 0 };
  cg_conv_desc d;
  cg_quant_s8 q = {0, 0, NULL, NULL, 0, 0, NULL, 0, NULL};
  int8_t y[9];
  int status;

  memset(&d, 0, sizeof d);
  d.op = CG_OP_CONV2D;
  d.layout = CG_LAYOUT_NCHW;
  d.n = d.c = d.m = d.groups = 1;
  d.h = d.w = 3;
  d.kh = d.kw = 2;
  d.sh = d.sw = d.dh = d.dw = 1;
  d.pad_top = d.pad_left = 1;
  set_output_size(&d);
  q.input_zero_point = 1;
  q.output_zero_point = -3;
  q.multiplier = mult;
  q.shift = shift;
  q.act_min = -128;
  q.act_max = 127;
  status = cg_ref_conv_s8(&d, &q, x, w, bias, y);
  ++layers_checked;
  if (status != CG_REF_S8_OK || d.oh != 3 || d.ow != 3 || memcmp(y, want_full, 9) != 0) {
    printf("FAIL hand layer: status %d, y = %d %d %d / %d %d %d / %d %d %d\n", status, y[0], y[1], y[2], y[3],
           y[4], y[5], y[6], y[7], y[8]);
    ++failures;
  }
  q.act_min = 0;
  q.act_max = 1;
  status = cg_ref_conv_s8(&d, &q, x, w, bias, y);
  ++layers_checked;
  if (status != CG_REF_S8_OK || memcmp(y, want_clamped, 9) != 0) {
    printf("FAIL hand layer clamped to [0, 1]\n");
    ++failures;
  }
}

/* Out-of-range parameters leave y untouched; an accumulator past int32 is reported. */
static void check_errors(void) {
  static const int8_t x[9] = { -128, -128, -128, -128, -128, -128, -128, -128, -128 };
  static const int8_t w[9] = { -127, -127, -127, -127, -127, -127, -127, -127, -127 };
  int32_t mult[1] = { 1 << 30 }, shift[1] = { -20 }, bias[1] = { INT32_MAX - 1000 };
  cg_conv_desc d;
  cg_quant_s8 q = {0, 0, NULL, NULL, 0, 0, NULL, 0, NULL};
  int8_t y[9];
  int status, i, untouched = 1;

  memset(&d, 0, sizeof d);
  d.op = CG_OP_CONV2D;
  d.layout = CG_LAYOUT_NHWC;
  d.n = d.c = d.m = d.groups = 1;
  d.h = d.w = 3;
  d.kh = d.kw = 3;
  d.sh = d.sw = d.dh = d.dw = 1;
  set_output_size(&d);
  q.input_zero_point = 127;
  q.output_zero_point = 0;
  q.multiplier = mult;
  q.shift = shift;
  q.act_min = -128;
  q.act_max = 127;
  /* 9 * (-255) * (-127) = 291465 on top of INT32_MAX - 1000 */
  status = cg_ref_conv_s8(&d, &q, x, w, bias, y);
  ++layers_checked;
  if (status != CG_REF_S8_OVERFLOW) {
    printf("FAIL overflow not reported (status %d)\n", status);
    ++failures;
  }
  mult[0] = 5; /* not in [2^30, 2^31) */
  memset(y, 0x33, sizeof y);
  status = cg_ref_conv_s8(&d, &q, x, w, bias, y);
  for (i = 0; i < 9; ++i)
    untouched &= y[i] == 0x33;
  mult[0] = 1 << 30;
  shift[0] = 31;
  status = status == CG_REF_S8_BAD_PARAMS ? cg_ref_conv_s8(&d, &q, x, w, bias, y) : status;
  ++layers_checked;
  if (status != CG_REF_S8_BAD_PARAMS || !untouched) {
    printf("FAIL bad parameters not rejected (status %d, y %s)\n", status, untouched ? "untouched" : "written");
    ++failures;
  }
}

/* ONNX's rounding on hand-worked values: exact ties go to the even integer, and
   the product is exact (float32 1/6 = 0.1666666716..., so 3 * scale is just above
   one half and rounds to 1; onnxruntime's float32 product rounds it to 0.5, then 0). */
static void check_onnx_round(void) {
  static const struct {
    long long acc;
    float scale;
    long long want;
  } cases[] = {{1, 0.5f, 0},        {3, 0.5f, 2},          {5, 0.5f, 2},         {-1, 0.5f, 0},
               {-3, 0.5f, -2},      {-5, 0.5f, -2},        {7, 0.25f, 2},        {-7, 0.25f, -2},
               {3, 1.0f / 6.0f, 1}, {-3, 1.0f / 6.0f, -1}, {0, 1e30f, 0},        {255, 1e-40f, 0},
               {2147483647LL, 1.0f / 16777216.0f, 128}, {-2147483647LL - 1, 1.0f / 16777216.0f, -128},
               {2, 3.0f, 6},        {-2, 1.5f, -3}};
  size_t k;
  for (k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
    long long got = cg_onnx_round_s64(cases[k].acc, cases[k].scale);
    ++layers_checked;
    if (got != cases[k].want) {
      printf("FAIL cg_onnx_round_s64(%lld, %.9g) = %lld, expected %lld\n", cases[k].acc, (double)cases[k].scale,
             got, cases[k].want);
      ++failures;
    }
  }
}

int main(void) {
  int serial;
  check_onnx_round();
  check_hand_layer();
  check_errors();
  for (serial = 0; serial < 3000; ++serial)
    check_random_layer(serial);
  printf("%s: %d int8 reference layers checked, %d failed\n", failures ? "FAILED" : "OK", layers_checked,
         failures);
  return failures ? 1 : 0;
}

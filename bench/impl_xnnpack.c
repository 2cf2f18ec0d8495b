/* bench/impl_xnnpack.c: XNNPACK's f32 NHWC convolution operator and its per-channel int8 (qc8) one as a benchmark implementation (NCHW layers transposed outside the timed call). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <xnnpack.h>
#pragma GCC diagnostic pop

#include "bench.h"

static int initialized;          /* 1 after xnn_initialize succeeded, -1 after it failed */
static pthreadpool_t pool;       /* NULL (the caller's thread) unless --threads > 1 */

typedef struct {
  xnn_operator_t op;
  int nchw;           /* the layer is NCHW: data goes through x_nhwc / y_nhwc */
  float *x_nhwc;      /* NHWC input, with XNN_EXTRA_BYTES of slack XNNPACK may read */
  float *y_nhwc;      /* what the operator writes */
  float *y_user;      /* the output in the user's layout (== y_nhwc for NHWC layers) */
  int8_t *x_s8;       /* s8 rows: the input with XNN_EXTRA_BYTES of slack, and the output */
  int8_t *y_s8;
  const bench_problem *p;
} xnn_state;

void bench_xnnpack_shutdown(void)
{
  if (pool != NULL) pthreadpool_destroy(pool);
  pool = NULL;
  if (initialized == 1) xnn_deinitialize();
  initialized = 0;
}

static void xnn_destroy_state(void *state)
{
  xnn_state *s = state;
  if (s == NULL) return;
  if (s->op != NULL) xnn_delete_operator(s->op);
  if (s->y_user != s->y_nhwc) free(s->y_user);
  free(s->x_s8);
  free(s->y_s8);
  free(s->x_nhwc);
  free(s->y_nhwc);
  free(s);
}

/* xnn_initialize once, and the thread pool for --threads; 0 when XNNPACK is usable. */
static int ensure_initialized(const bench_problem *p, char *why, size_t why_len)
{
  if (initialized == 0) {
    initialized = xnn_initialize(NULL) == xnn_status_success ? 1 : -1;
    if (initialized == 1 && p->threads > 1) pool = pthreadpool_create((size_t)p->threads);
  }
  if (initialized != 1) {
    snprintf(why, why_len, "xnn_initialize failed (unsupported CPU?)");
    return -1;
  }
  return 0;
}

/* An s8 (NHWC) layer through the per-channel quantized operator (qc8). XNNPACK takes real
   scales; it is given input and output scale 1 and, as each channel's kernel scale, the
   layer's real multiplier multiplier * 2^(shift - 31) rounded to float32, so that it
   requantizes by the same factor as convgen (in float32, rounding once: it may be one step
   off TFLite's fixed-point result). The clamp is the layer's act_min/act_max. */
static void *xnn_create_s8(const bench_problem *p, bench_status *status, char *why, size_t why_len)
{
  const cg_conv_desc *d = p->d;
  const cg_quant_s8 *q = p->layer->quant;
  *status = BENCH_ERROR;
  if (ensure_initialized(p, why, why_len) != 0) return NULL;
  const size_t groups = (size_t)d->groups, cg = (size_t)d->c / groups, mg = (size_t)d->m / groups;
  const size_t taps = (size_t)d->kh * (size_t)d->kw, m = (size_t)d->m;
  xnn_state *s = bench_alloc(sizeof *s);
  s->p = p;
  s->x_s8 = bench_alloc(p->x_elems + XNN_EXTRA_BYTES);
  memcpy(s->x_s8, p->x, p->x_elems);
  /* HWIO to XNNPACK's [groups][M/groups][KH][KW][C/groups] (o = g * mg + mo) */
  const int8_t *w = p->w;
  int8_t *packed = bench_alloc(p->w_elems);
  float *scale = bench_alloc(m * sizeof *scale);
  for (size_t o = 0; o < m; ++o) {
    for (size_t t = 0; t < taps; ++t) {
      for (size_t ci = 0; ci < cg; ++ci) packed[(o * taps + t) * cg + ci] = w[(t * cg + ci) * m + o];
    }
    scale[o] = (float)ldexp((double)q->multiplier[o], q->shift[o] - 31);
  }
  enum xnn_status st = xnn_create_convolution2d_nhwc_qc8(
      (uint32_t)d->pad_top, (uint32_t)d->pad_right, (uint32_t)d->pad_bottom, (uint32_t)d->pad_left,
      (uint32_t)d->kh, (uint32_t)d->kw, (uint32_t)d->sh, (uint32_t)d->sw, (uint32_t)d->dh, (uint32_t)d->dw,
      (uint32_t)groups, cg, mg, (size_t)d->c, m, (int8_t)q->input_zero_point, 1.0f, scale, packed, p->bias,
      (int8_t)q->output_zero_point, 1.0f, (int8_t)q->act_min, (int8_t)q->act_max, 0, &s->op);
  free(packed); /* XNNPACK packs the weights (and bias) into its own buffer */
  free(scale);
  if (st != xnn_status_success) {
    snprintf(why, why_len, "xnn_create_convolution2d_nhwc_qc8 returned status %d", (int)st);
    xnn_destroy_state(s);
    return NULL;
  }
  s->y_s8 = bench_alloc(p->y_elems);
  bench_fill_nan(s->y_s8, p->y_elems, 1);
  st = xnn_setup_convolution2d_nhwc_qc8(s->op, (size_t)d->n, (size_t)d->h, (size_t)d->w, s->x_s8, s->y_s8, pool);
  if (st != xnn_status_success) {
    snprintf(why, why_len, "xnn_setup_convolution2d_nhwc_qc8 returned status %d", (int)st);
    xnn_destroy_state(s);
    return NULL;
  }
  *status = BENCH_OK;
  return s;
}

static void *xnn_create(const bench_problem *p, bench_status *status, char *why, size_t why_len)
{
  const cg_conv_desc *d = p->d;
  if (p->pass == BENCH_PASS_S8) return xnn_create_s8(p, status, why, why_len);
  if (p->pass != BENCH_PASS_FWD) {
    *status = BENCH_NA;
    snprintf(why, why_len, "XNNPACK has no convolution backward (inference only)");
    return NULL;
  }
  if (p->elem_size != sizeof(float)) {
    *status = BENCH_NA;
    snprintf(why, why_len, "XNNPACK is timed in f32 only");
    return NULL;
  }
  *status = BENCH_ERROR;
  if (ensure_initialized(p, why, why_len) != 0) return NULL;

  const size_t groups = (size_t)d->groups, cg = (size_t)d->c / groups, mg = (size_t)d->m / groups;
  const size_t kh = (size_t)d->kh, kw = (size_t)d->kw, c = (size_t)d->c, m = (size_t)d->m;
  const size_t in_pixels = (size_t)d->h * (size_t)d->w;
  xnn_state *s = bench_alloc(sizeof *s);
  s->p = p;
  s->nchw = d->layout == CG_LAYOUT_NCHW;

  /* Constant and input data in XNNPACK's layouts, all before any timing:
     the input as NHWC, the weights as [groups][M/groups][KH][KW][C/groups]. */
  s->x_nhwc = bench_alloc(p->x_elems * sizeof(float) + XNN_EXTRA_BYTES);
  const float *x = p->x, *w = p->w;
  if (s->nchw) {
    for (size_t n = 0; n < (size_t)d->n; ++n) {
      for (size_t ch = 0; ch < c; ++ch) {
        for (size_t px = 0; px < in_pixels; ++px) {
          s->x_nhwc[(n * in_pixels + px) * c + ch] = x[(n * c + ch) * in_pixels + px];
        }
      }
    }
  } else {
    memcpy(s->x_nhwc, x, p->x_elems * sizeof(float));
  }
  float *packed = bench_alloc(p->w_elems * sizeof(float));
  for (size_t o = 0; o < m; ++o) {          /* o = g * mg + mo */
    for (size_t t = 0; t < kh * kw; ++t) {   /* t = kh_i * KW + kw_i */
      for (size_t ci = 0; ci < cg; ++ci) {
        size_t from = s->nchw ? (o * cg + ci) * kh * kw + t  /* OIHW */
                              : (t * cg + ci) * m + o;       /* HWIO */
        packed[(o * kh * kw + t) * cg + ci] = w[from];
      }
    }
  }
  float lo = -INFINITY, hi = INFINITY;
  if (d->activation == CG_ACT_RELU) {
    lo = 0.0f;
  } else if (d->activation == CG_ACT_RELU6) {
    lo = 0.0f;
    hi = 6.0f;
  } else if (d->activation == CG_ACT_CLAMP) {
    lo = (float)d->act_lo;
    hi = (float)d->act_hi;
  }
  enum xnn_status st = xnn_create_convolution2d_nhwc_f32(
      (uint32_t)d->pad_top, (uint32_t)d->pad_right, (uint32_t)d->pad_bottom, (uint32_t)d->pad_left,
      (uint32_t)d->kh, (uint32_t)d->kw, (uint32_t)d->sh, (uint32_t)d->sw, (uint32_t)d->dh, (uint32_t)d->dw,
      (uint32_t)groups, cg, mg, c, m, packed, p->bias, lo, hi, 0, &s->op);
  free(packed); /* XNNPACK packs the weights into its own buffer */
  if (st != xnn_status_success) {
    snprintf(why, why_len, "xnn_create_convolution2d_nhwc_f32 returned status %d", (int)st);
    xnn_destroy_state(s);
    return NULL;
  }
  s->y_nhwc = bench_alloc(p->y_elems * sizeof(float));
  bench_fill_nan(s->y_nhwc, p->y_elems, sizeof(float));
  s->y_user = s->nchw ? bench_alloc(p->y_elems * sizeof(float)) : s->y_nhwc;
  st = xnn_setup_convolution2d_nhwc_f32(s->op, (size_t)d->n, (size_t)d->h, (size_t)d->w, s->x_nhwc, s->y_nhwc,
                                        pool);
  if (st != xnn_status_success) {
    snprintf(why, why_len, "xnn_setup_convolution2d_nhwc_f32 returned status %d", (int)st);
    xnn_destroy_state(s);
    return NULL;
  }
  *status = BENCH_OK;
  return s;
}

static int xnn_run(void *state)
{
  xnn_state *s = state;
  return xnn_run_operator(s->op, pool) == xnn_status_success ? 0 : -1;
}

/* NCHW layers: the NHWC result transposed back, untimed, for the check. */
static const void *xnn_output(void *state)
{
  xnn_state *s = state;
  if (s->y_s8 != NULL) return s->y_s8;
  if (s->nchw) {
    const cg_conv_desc *d = s->p->d;
    const size_t m = (size_t)d->m, pixels = (size_t)d->oh * (size_t)d->ow;
    for (size_t n = 0; n < (size_t)d->n; ++n) {
      for (size_t px = 0; px < pixels; ++px) {
        for (size_t o = 0; o < m; ++o) {
          s->y_user[(n * m + o) * pixels + px] = s->y_nhwc[(n * pixels + px) * m + o];
        }
      }
    }
  }
  return s->y_user;
}

static const char *xnn_info(void *state)
{
  xnn_state *s = state;
  if (s->y_s8 != NULL) return "qc8 NHWC";
  return s->nchw ? "NHWC (NCHW data transposed outside the timed call)" : "NHWC";
}

const bench_impl bench_impl_xnnpack = {
  "XNNPACK", xnn_create, xnn_run, xnn_output, xnn_info, xnn_destroy_state,
};

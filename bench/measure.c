/* bench/measure.c: the measuring half of the benchmark: the machine's GEMM peak and memcpy bandwidth, and one layer checked against the reference, then timed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

/* ---- implementations ------------------------------------------------------------------------------------------- */

const bench_impl *const bench_impls[IMPL_COUNT] = {
  &bench_impl_convgen,
  &bench_impl_baseline,
#ifdef BENCH_HAVE_DNNL
  &bench_impl_dnnl_plain,
  &bench_impl_dnnl_plainw,
  &bench_impl_dnnl_blocked,
#else
  NULL,
  NULL,
  NULL,
#endif
#ifdef BENCH_HAVE_XNNPACK
  &bench_impl_xnnpack,
#else
  NULL,
#endif
};

/* ---- machine measurements -------------------------------------------------------------------------------------- */

/* Peak GFLOP/s of one n x n x n GEMM through the runtime's cg_gemm (the BLAS
   convgen and the baseline use): the best of reps calls after a warm-up, since
   on a shared machine only the fastest run measures the hardware. */
double bench_gemm_peak(int f64, int reps)
{
  const int n = 1024;
  const size_t count = (size_t)n * (size_t)n, es = f64 ? sizeof(double) : sizeof(float);
  void *a = bench_alloc(count * es), *b = bench_alloc(count * es), *c = bench_alloc(count * es);
  bench_fill(a, count, es, 1u);
  bench_fill(b, count, es, 2u);
  double best = INFINITY;
  for (int r = -1; r < reps; ++r) {
    double start = bench_now();
    if (f64) {
      cg_gemm_f64(CG_NO_TRANS, CG_NO_TRANS, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    } else {
      cg_gemm_f32(CG_NO_TRANS, CG_NO_TRANS, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    }
    double elapsed = bench_now() - start;
    if (r >= 0 && elapsed < best) best = elapsed;
  }
  free(a);
  free(b);
  free(c);
  return 2.0 * (double)n * (double)n * (double)n / best * 1e-9;
}

/* GB/s of memcpy between two 128 MiB buffers (bytes copied per second), best of reps. */
double bench_memcpy_bandwidth(int reps)
{
  const size_t bytes = (size_t)128 << 20;
  char *src = bench_alloc(bytes), *dst = bench_alloc(bytes);
  memset(src, 1, bytes);
  double best = INFINITY;
  for (int r = -1; r < reps; ++r) {
    double start = bench_now();
    memcpy(dst, src, bytes);
    double elapsed = bench_now() - start;
    if (r >= 0 && elapsed < best) best = elapsed;
  }
  volatile char sink = dst[bytes / 2];
  (void)sink;
  free(src);
  free(dst);
  return (double)bytes / best * 1e-9;
}

/* ---- one layer ------------------------------------------------------------------------------------------------- */

static size_t forward_reduction(const cg_conv_desc *d)
{
  return (size_t)(d->c / d->groups) * (size_t)d->kh * (size_t)d->kw;
}

/* How many products each element of a pass's result sums, at most: C/groups*KH*KW
   (y), M/groups*KH*KW (dx), N*OH*OW (dw and db). */
static size_t reduction_length(const cg_conv_desc *d, bench_pass pass)
{
  if (pass == BENCH_PASS_BWD_DATA) return (size_t)(d->m / d->groups) * (size_t)d->kh * (size_t)d->kw;
  if (pass == BENCH_PASS_BWD_WEIGHTS) return (size_t)d->n * (size_t)d->oh * (size_t)d->ow;
  return forward_reduction(d);
}

/* The largest |out - ref| / tolerance; > 1 (or NaN in out) is a failure. */
static double compare(const bench_problem *p, const void *outp, const void *refp, size_t *worst_at)
{
  double scale = (p->elem_size == sizeof(float) ? TOL_F32 : TOL_F64) * sqrt((double)reduction_length(p->d, p->pass));
  double worst = 0.0;
  *worst_at = 0;
  for (size_t i = 0; i < p->out_elems; ++i) {
    double o, r;
    if (p->elem_size == sizeof(float)) {
      o = ((const float *)outp)[i];
      r = ((const float *)refp)[i];
    } else {
      o = ((const double *)outp)[i];
      r = ((const double *)refp)[i];
    }
    double ratio = fabs(o - r) / (scale * (1.0 + fabs(r)));
    if (ratio != ratio) ratio = INFINITY; /* NaN: an output never written */
    if (ratio > worst) {
      worst = ratio;
      *worst_at = i;
    }
  }
  return worst;
}

static double value_at(const bench_problem *p, const void *v, size_t i)
{
  return p->elem_size == sizeof(float) ? (double)((const float *)v)[i] : ((const double *)v)[i];
}

/* s8: the largest |out - ref| in int8 steps and how many elements differ at all. */
static int compare_s8(const bench_problem *p, const int8_t *out, const int8_t *ref, size_t *worst_at, size_t *differing)
{
  int worst = 0;
  *worst_at = 0;
  *differing = 0;
  for (size_t i = 0; i < p->out_elems; ++i) {
    int diff = abs((int)out[i] - (int)ref[i]);
    *differing += diff != 0;
    if (diff > worst) {
      worst = diff;
      *worst_at = i;
    }
  }
  return worst;
}

/* s8: convgen must equal the reference exactly; the libraries round differently (oneDNN and
   XNNPACK requantize in float32, TFLite's reference in fixed point) and may be one step off. */
static void check_impl_s8(const bench_problem *p, int k, void *state, const int8_t *ref, layer_result *r,
                          const char *when)
{
  size_t at, differing;
  const int8_t *o = bench_impls[k]->output(state);
  int worst = compare_s8(p, o, ref, &at, &differing);
  int allowed = k == IMPL_CONVGEN ? TOL_S8_CONVGEN : TOL_S8_LIBRARY;
#ifdef BENCH_HAVE_DNNL
  if (k >= IMPL_DNNL_PLAIN && k <= IMPL_DNNL_BLOCKED && !bench_dnnl_has_vnni()) allowed = TOL_S8_DNNL_NO_VNNI;
#endif
  r->err_ratio[k] = worst;
  r->differing[k] = differing;
  if (worst > allowed) {
    r->status[k] = BENCH_FAIL;
    snprintf(r->info[k], sizeof r->info[k], "%s: |out - ref| = %d > %d at element %zu (got %d, reference %d; %zu differ)",
             when, worst, allowed, at, o[at], ref[at], differing);
  }
}

/* Runs impl once and checks it; on a mismatch records FAIL and why. */
static void check_impl(const bench_problem *p, int k, void *state, const void *ref, layer_result *r, const char *when)
{
  size_t at;
  if (p->pass == BENCH_PASS_S8) {
    check_impl_s8(p, k, state, ref, r, when);
    return;
  }
  r->err_ratio[k] = compare(p, bench_impls[k]->output(state), ref, &at);
  if (r->err_ratio[k] > 1.0) {
    const void *o = bench_impls[k]->output(state);
    r->status[k] = BENCH_FAIL;
    size_t index = at; /* within dw or db for the weights pass */
    const char *part = "";
    if (p->pass == BENCH_PASS_BWD_WEIGHTS) {
      part = at < p->w_elems ? " of dw" : " of db";
      if (at >= p->w_elems) index = at - p->w_elems;
    }
    snprintf(r->info[k], sizeof r->info[k], "%s: |err|/tol = %.3g at element %zu%s (got %.9g, reference %.9g)",
             when, r->err_ratio[k], index, part, value_at(p, o, at), value_at(p, ref, at));
  }
}

/* The reference result of a pass (double accumulation). */
static void reference(const bench_problem *p, void *ref)
{
  const cg_conv_desc *d = p->d;
  const int f32 = p->elem_size == sizeof(float);
  if (p->pass == BENCH_PASS_S8) {
    if (cg_ref_conv_s8(d, p->layer->quant, p->x, p->w, p->bias, ref) != CG_REF_S8_OK) {
      fprintf(stderr, "bench: %s: cg_ref_conv_s8 failed (bad parameters or an accumulator overflow)\n", p->layer->name);
      exit(1);
    }
  } else if (p->pass == BENCH_PASS_FWD) {
    if (f32) {
      cg_ref_conv_f32(d, p->x, p->w, p->bias, ref);
    } else {
      cg_ref_conv_f64(d, p->x, p->w, p->bias, ref);
    }
  } else if (p->pass == BENCH_PASS_BWD_DATA) {
    if (f32) {
      cg_ref_conv_backward_data_f32(d, p->dy, p->w, ref);
    } else {
      cg_ref_conv_backward_data_f64(d, p->dy, p->w, ref);
    }
  } else if (f32) {
    float *dw = ref;
    cg_ref_conv_backward_weights_f32(d, p->x, p->dy, dw, p->bias != NULL ? dw + p->w_elems : NULL);
  } else {
    double *dw = ref;
    cg_ref_conv_backward_weights_f64(d, p->x, p->dy, dw, p->bias != NULL ? dw + p->w_elems : NULL);
  }
}

/* s8 data as TFLite has it: symmetric weights in [-127, 127] (-128 becomes -127), and an int32
   bias of the accumulator's size, uniform within +-sqrt(K) * 147 * 73 (the spread of a sum of K
   products (x - zp) * w with the input zero point -128 of bench/s8_quant.lua). */
static void fill_s8_weights_bias(const cg_conv_desc *d, int8_t *w, size_t w_elems, int32_t *bias, unsigned seed)
{
  for (size_t i = 0; i < w_elems; ++i) {
    if (w[i] == INT8_MIN) w[i] = -127;
  }
  if (bias == NULL) return;
  double spread = sqrt((double)forward_reduction(d)) * 147.0 * 73.0;
  double *u = bench_alloc((size_t)d->m * sizeof *u);
  bench_fill(u, (size_t)d->m, sizeof *u, seed);
  for (int m = 0; m < d->m; ++m) bias[m] = (int32_t)lround(u[m] * spread);
  free(u);
}

/* Checks every implementation against the reference, times the correct ones round-robin (with, for the forward
   pass, the im2col and memcpy of the col matrix), and checks them again on the last timed call's result. */
void bench_measure_layer(const bench_layer *l, bench_pass pass, unsigned seed, const bench_timing *t, layer_result *r)
{
  const cg_conv_desc *d = l->desc;
  bench_problem p;
  memset(r, 0, sizeof *r);
  r->layer = l;
  r->pass = pass;
  p.layer = l;
  p.d = d;
  p.pass = pass;
  p.elem_size = l->conv_s8 != NULL ? 1 : l->conv_f32 != NULL ? sizeof(float) : sizeof(double);
  p.x_elems = cg_input_elems(d);
  p.w_elems = cg_weight_elems(d);
  p.y_elems = cg_output_elems(d);
  p.out_elems = pass == BENCH_PASS_FWD || pass == BENCH_PASS_S8 ? p.y_elems
              : pass == BENCH_PASS_BWD_DATA ? p.x_elems
              : p.w_elems + (d->has_bias ? (size_t)d->m : 0);
  p.threads = t->threads;
  r->gflop = 2.0 * (double)p.y_elems * (double)forward_reduction(d) * 1e-9;
  r->col_bytes = l->col_elems * p.elem_size;

  /* The same x, w and bias as the forward rows; dy uniform in [-1, 1) too. */
  void *x = bench_alloc(p.x_elems * p.elem_size), *w = bench_alloc(p.w_elems * p.elem_size);
  const size_t bias_size = pass == BENCH_PASS_S8 ? sizeof(int32_t) : p.elem_size;
  void *bias = d->has_bias ? bench_alloc((size_t)d->m * bias_size) : NULL;
  void *dy = pass == BENCH_PASS_BWD_DATA || pass == BENCH_PASS_BWD_WEIGHTS ? bench_alloc(p.y_elems * p.elem_size) : NULL;
  void *ref = bench_alloc(p.out_elems * p.elem_size);
  bench_fill(x, p.x_elems, p.elem_size, seed * 3u + 1u);
  bench_fill(w, p.w_elems, p.elem_size, seed * 3u + 2u);
  if (pass == BENCH_PASS_S8) {
    fill_s8_weights_bias(d, w, p.w_elems, bias, seed * 3u + 3u);
  } else if (bias != NULL) {
    bench_fill(bias, (size_t)d->m, p.elem_size, seed * 3u + 3u);
  }
  if (dy != NULL) bench_fill(dy, p.y_elems, p.elem_size, seed * 3u + 100003u);
  p.x = x;
  p.w = w;
  p.bias = bias;
  p.dy = dy;
  reference(&p, ref);

  /* Correctness first: only implementations that match the reference are timed. */
  void *state[IMPL_COUNT] = { NULL };
  bench_timed timed[IMPL_COUNT + 2];
  int timed_impl[IMPL_COUNT + 2], count = 0;
  for (int k = 0; k < IMPL_COUNT; ++k) {
    r->us[k] = -1.0;
    if (bench_impls[k] == NULL) {
      r->status[k] = BENCH_NA;
      snprintf(r->info[k], sizeof r->info[k], "not built in");
      continue;
    }
    state[k] = bench_impls[k]->create(&p, &r->status[k], r->info[k], sizeof r->info[k]);
    if (state[k] == NULL) continue;
    if (bench_impls[k]->run(state[k]) != 0) {
      r->status[k] = BENCH_ERROR;
      snprintf(r->info[k], sizeof r->info[k], "the call returned an error");
    } else {
      check_impl(&p, k, state[k], ref, r, "before timing");
    }
    if (r->status[k] != BENCH_OK) {
      bench_impls[k]->destroy(state[k]);
      state[k] = NULL;
      continue;
    }
    if (bench_impls[k]->info != NULL) snprintf(r->info[k], sizeof r->info[k], "%s", bench_impls[k]->info(state[k]));
    timed[count] = (bench_timed){ bench_impls[k]->run, state[k], 0, -1.0 };
    timed_impl[count++] = k;
  }
  bench_copy_state *copy = NULL;
  if (pass == BENCH_PASS_FWD) { /* s8 rows time the kernels only */
    copy = bench_copy_create(&p);
    timed[count] = (bench_timed){ bench_copy_run_im2col, copy, 0, -1.0 };
    timed_impl[count++] = -1;
    timed[count] = (bench_timed){ bench_copy_run_memcpy, copy, 0, -1.0 };
    timed_impl[count++] = -2;
  }

  bench_time_round_robin(timed, count, t->samples, t->min_seconds);

  for (int i = 0; i < count; ++i) {
    int k = timed_impl[i];
    if (k == -1) {
      r->im2col_us = timed[i].median_us;
    } else if (k == -2) {
      r->memcpy_us = timed[i].median_us;
    } else if (timed[i].median_us < 0.0) {
      r->status[k] = BENCH_ERROR;
      snprintf(r->info[k], sizeof r->info[k], "a timed call returned an error");
    } else {
      r->us[k] = timed[i].median_us;
      /* the result left by the last timed call must still be right */
      check_impl(&p, k, state[k], ref, r, "after timing");
    }
  }
  bench_copy_destroy(copy);
  for (int k = 0; k < IMPL_COUNT; ++k) {
    if (state[k] != NULL) bench_impls[k]->destroy(state[k]);
  }
  free(x);
  free(w);
  free(bias);
  free(dy);
  free(ref);
}

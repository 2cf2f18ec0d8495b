/* bench/bench.c: `make bench`: checks, then times, every benchmark layer (forward, backward data, backward weights) through convgen, a textbook baseline, oneDNN and XNNPACK; writes tables, a CSV and charts. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bench_model.h"
#include "bench_suites.h"

#ifndef BENCH_PREFIX
#define BENCH_PREFIX "bench_"
#endif
#ifndef BENCH_OUTPUT_DIR
#define BENCH_OUTPUT_DIR "."
#endif
#ifndef BENCH_PLOT_SCRIPT
#define BENCH_PLOT_SCRIPT "bench_plot.gp"
#endif
#ifndef BENCH_PLOT_BACKWARD_SCRIPT
#define BENCH_PLOT_BACKWARD_SCRIPT "bench_plot_backward.gp"
#endif
#ifndef BENCH_GNUPLOT
#define BENCH_GNUPLOT "gnuplot"
#endif

/* ---- layers ---------------------------------------------------------------------------------------------------- */

#define LAYER_F32(sym, SYM)                                                                               \
  { #sym, "", &sym##_desc, sym##_conv, NULL, sym##_im2col, NULL, NULL, NULL, NULL, NULL,                  \
    SYM##_WORKSPACE_BYTES, (size_t)SYM##_COL_ROWS * (size_t)SYM##_COL_COLS },
#define LAYER_F64(sym, SYM)                                                                               \
  { #sym, "", &sym##_desc, NULL, sym##_conv, NULL, sym##_im2col, NULL, NULL, NULL, NULL,                  \
    SYM##_WORKSPACE_BYTES, (size_t)SYM##_COL_ROWS * (size_t)SYM##_COL_COLS },
static bench_layer generated[] = { BENCH_MODEL_LAYERS_F32(LAYER_F32) BENCH_MODEL_LAYERS_F64(LAYER_F64) };
#undef LAYER_F32
#undef LAYER_F64
#define LAYER_COUNT (sizeof generated / sizeof generated[0])

/* The gradient functions of the layers generated with backward = true, found
   by descriptor; the last entry only keeps the list non-empty. */
static const struct {
  const cg_conv_desc *desc;
  bench_bwd_data_f32_fn data_f32;
  bench_bwd_weights_f32_fn weights_f32;
  bench_bwd_data_f64_fn data_f64;
  bench_bwd_weights_f64_fn weights_f64;
} gradients[] = {
#define BACKWARD_F32(sym, SYM) { &sym##_desc, sym##_conv_backward_data, sym##_conv_backward_weights, NULL, NULL },
#define BACKWARD_F64(sym, SYM) { &sym##_desc, NULL, NULL, sym##_conv_backward_data, sym##_conv_backward_weights },
  BENCH_MODEL_BACKWARD_F32(BACKWARD_F32) BENCH_MODEL_BACKWARD_F64(BACKWARD_F64)
#undef BACKWARD_F32
#undef BACKWARD_F64
  { NULL, NULL, NULL, NULL, NULL },
};

static int has_backward(const bench_layer *l)
{
  return l->bwd_data_f32 != NULL || l->bwd_data_f64 != NULL;
}

#define SUITE_ENTRY(name, suite) { #name, suite },
static const struct {
  const char *name, *suite;
} suites[] = { BENCH_SUITES(SUITE_ENTRY) };
#undef SUITE_ENTRY
#define SUITE_COUNT (sizeof suites / sizeof suites[0])

/* The layers in CSV order, names without the spec prefix, each with its suite. */
static const bench_layer *ordered[LAYER_COUNT];

static void order_layers(void)
{
  size_t prefix = strlen(BENCH_PREFIX), count = 0;
  for (size_t i = 0; i < LAYER_COUNT; ++i) {
    if (strncmp(generated[i].name, BENCH_PREFIX, prefix) == 0) generated[i].name += prefix;
    for (size_t k = 0; gradients[k].desc != NULL; ++k) {
      if (gradients[k].desc != generated[i].desc) continue;
      generated[i].bwd_data_f32 = gradients[k].data_f32;
      generated[i].bwd_weights_f32 = gradients[k].weights_f32;
      generated[i].bwd_data_f64 = gradients[k].data_f64;
      generated[i].bwd_weights_f64 = gradients[k].weights_f64;
    }
  }
  for (size_t s = 0; s < SUITE_COUNT; ++s) {
    for (size_t i = 0; i < LAYER_COUNT; ++i) {
      if (generated[i].suite[0] == '\0' && strcmp(generated[i].name, suites[s].name) == 0) {
        generated[i].suite = suites[s].suite;
        ordered[count++] = &generated[i];
      }
    }
  }
  for (size_t i = 0; i < LAYER_COUNT; ++i) {
    if (generated[i].suite[0] == '\0') {
      generated[i].suite = "?";
      ordered[count++] = &generated[i];
    }
  }
}

/* ---- implementations ------------------------------------------------------------------------------------------- */

enum { IMPL_CONVGEN, IMPL_BASELINE, IMPL_DNNL_PLAIN, IMPL_DNNL_PLAINW, IMPL_DNNL_BLOCKED, IMPL_XNNPACK, IMPL_COUNT };

static const bench_impl *const impls[IMPL_COUNT] = {
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

/* ---- options --------------------------------------------------------------------------------------------------- */

typedef struct {
  const char *filter;
  int threads;
  const char *csv, *png, *txt, *blas_core;
  int quick, samples, plot, list;
  int passes; /* bit (1 << pass) per bench_pass to run */
  double min_seconds;
} options;

static const char *const pass_names[BENCH_PASS_COUNT] = { "fwd", "bwd_data", "bwd_weights" };

static void usage(FILE *f)
{
  fprintf(f,
          "usage: convgen_bench [--filter S1,S2,...] [--threads N] [--quick] [--samples N] [--min-ms MS]\n"
          "                     [--csv PATH] [--png PATH] [--txt PATH] [--no-plot] [--blas-core best|keep|NAME]\n"
          "                     [--pass fwd,bwd_data,bwd_weights] [--list]\n"
          "  --filter    only layers whose name contains one of the substrings (or whose suite is one of them)\n"
          "  --pass      which passes to run (default all three; bwd means bwd_data,bwd_weights)\n"
          "  --threads   threads for every implementation (default 1: the headline single-thread numbers)\n"
          "  --quick     3 measurements of >= 0.2 ms each: a smoke test, not a measurement\n"
          "  --samples   measurements per layer and implementation (default 21; median reported)\n"
          "  --min-ms    each measurement times back-to-back calls lasting at least this (default 2)\n"
          "  --csv/--png/--txt  outputs (default %s/bench_results.csv, bench.png, bench_table.txt)\n"
          "  --no-plot   do not run gnuplot\n"
          "  --blas-core OpenBLAS core: best (default: the best this CPU runs, over OPENBLAS_CORETYPE),\n"
          "              keep (OpenBLAS's or the environment's choice) or a name such as Haswell\n"
          "  --list      list the layers and exit\n",
          BENCH_OUTPUT_DIR);
}

static int parse_int(const char *s, int *out)
{
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 1 || v > 100000) return -1;
  *out = (int)v;
  return 0;
}

/* "fwd,bwd_data,..." -> a bit per pass; -1 for an unknown word or an empty list. */
static int parse_passes(const char *list)
{
  int bits = 0;
  while (*list != '\0') {
    size_t len = strcspn(list, ",");
    int found = 0;
    for (int k = 0; k < BENCH_PASS_COUNT; ++k) {
      if (strlen(pass_names[k]) == len && strncmp(list, pass_names[k], len) == 0) {
        bits |= 1 << k;
        found = 1;
      }
    }
    if (len == 3 && strncmp(list, "bwd", 3) == 0) {
      bits |= 1 << BENCH_PASS_BWD_DATA | 1 << BENCH_PASS_BWD_WEIGHTS;
      found = 1;
    }
    if (!found) return -1;
    list += len;
    if (*list == ',') ++list;
  }
  return bits != 0 ? bits : -1;
}

static int parse_options(int argc, char **argv, options *o)
{
  o->filter = NULL;
  o->threads = 1;
  o->csv = BENCH_OUTPUT_DIR "/bench_results.csv";
  o->png = BENCH_OUTPUT_DIR "/bench.png";
  o->txt = BENCH_OUTPUT_DIR "/bench_table.txt";
  o->blas_core = "best";
  o->quick = 0;
  o->samples = 0;
  o->plot = 1;
  o->list = 0;
  o->passes = (1 << BENCH_PASS_COUNT) - 1;
  o->min_seconds = 0.0;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    int takes_value = 1;
    if (strcmp(a, "--filter") == 0 && value != NULL) {
      o->filter = value;
    } else if (strcmp(a, "--threads") == 0 && value != NULL) {
      if (parse_int(value, &o->threads) != 0) return -1;
    } else if (strcmp(a, "--samples") == 0 && value != NULL) {
      if (parse_int(value, &o->samples) != 0) return -1;
    } else if (strcmp(a, "--min-ms") == 0 && value != NULL) {
      char *end;
      o->min_seconds = strtod(value, &end) * 1e-3;
      if (*end != '\0' || !(o->min_seconds > 0.0)) return -1;
    } else if (strcmp(a, "--csv") == 0 && value != NULL) {
      o->csv = value;
    } else if (strcmp(a, "--png") == 0 && value != NULL) {
      o->png = value;
    } else if (strcmp(a, "--txt") == 0 && value != NULL) {
      o->txt = value;
    } else if (strcmp(a, "--blas-core") == 0 && value != NULL) {
      o->blas_core = value;
    } else if (strcmp(a, "--pass") == 0 && value != NULL) {
      o->passes = parse_passes(value);
      if (o->passes < 0) return -1;
    } else {
      takes_value = 0;
      if (strcmp(a, "--quick") == 0) {
        o->quick = 1;
      } else if (strcmp(a, "--no-plot") == 0) {
        o->plot = 0;
      } else if (strcmp(a, "--list") == 0) {
        o->list = 1;
      } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        usage(stdout);
        exit(0);
      } else {
        return -1;
      }
    }
    i += takes_value;
  }
  if (o->samples == 0) o->samples = o->quick ? 3 : 21;
  if (o->min_seconds == 0.0) o->min_seconds = o->quick ? 0.2e-3 : 2e-3;
  return 0;
}

/* Comma-separated substrings of the name, or exact suite names. */
static int selected(const options *o, const bench_layer *l)
{
  if (o->filter == NULL) return 1;
  const char *p = o->filter;
  while (*p != '\0') {
    size_t len = strcspn(p, ",");
    char word[128];
    if (len > 0 && len < sizeof word) {
      memcpy(word, p, len);
      word[len] = '\0';
      if (strstr(l->name, word) != NULL || strcmp(l->suite, word) == 0) return 1;
    }
    p += len;
    if (*p == ',') ++p;
  }
  return 0;
}

/* ---- output helpers -------------------------------------------------------------------------------------------- */

static FILE *table_copy; /* the table also goes to --txt */

static void out(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  if (table_copy != NULL) {
    va_start(ap, fmt);
    vfprintf(table_copy, fmt, ap);
    va_end(ap);
  }
}

/* ---- machine measurements -------------------------------------------------------------------------------------- */

/* Peak GFLOP/s of one n x n x n GEMM through the runtime's cg_gemm (the BLAS
   convgen and the baseline use): the best of reps calls after a warm-up, since
   on a shared machine only the fastest run measures the hardware. */
static double gemm_peak(int f64, int reps)
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
static double memcpy_bandwidth(int reps)
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

typedef struct {
  const bench_layer *layer;
  bench_pass pass;
  double gflop;                   /* 2 * MACs (the forward's, for every pass), in units of 1e9 */
  bench_status status[IMPL_COUNT];
  double us[IMPL_COUNT];          /* median time of one call, when status is BENCH_OK */
  double err_ratio[IMPL_COUNT];   /* max |out - ref| / tolerance over the output */
  char info[IMPL_COUNT][200];     /* library choices, or the reason for n/a / err / FAIL */
  double im2col_us, memcpy_us;     /* forward only */
  size_t col_bytes;
} layer_result;

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

/* Relative tolerance per element type: |out - ref| <= TOL * sqrt(K) * (1 + |ref|). */
#define TOL_F32 1e-5
#define TOL_F64 1e-13

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

/* Runs impl once and checks it; on a mismatch records FAIL and why. */
static void check_impl(const bench_problem *p, int k, void *state, const void *ref, layer_result *r, const char *when)
{
  size_t at;
  r->err_ratio[k] = compare(p, impls[k]->output(state), ref, &at);
  if (r->err_ratio[k] > 1.0) {
    const void *o = impls[k]->output(state);
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
  if (p->pass == BENCH_PASS_FWD) {
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

static void run_layer(const bench_layer *l, bench_pass pass, unsigned seed, const options *o, layer_result *r)
{
  const cg_conv_desc *d = l->desc;
  bench_problem p;
  memset(r, 0, sizeof *r);
  r->layer = l;
  r->pass = pass;
  p.layer = l;
  p.d = d;
  p.pass = pass;
  p.elem_size = l->conv_f32 != NULL ? sizeof(float) : sizeof(double);
  p.x_elems = cg_input_elems(d);
  p.w_elems = cg_weight_elems(d);
  p.y_elems = cg_output_elems(d);
  p.out_elems = pass == BENCH_PASS_FWD ? p.y_elems
              : pass == BENCH_PASS_BWD_DATA ? p.x_elems
              : p.w_elems + (d->has_bias ? (size_t)d->m : 0);
  p.threads = o->threads;
  r->gflop = 2.0 * (double)p.y_elems * (double)forward_reduction(d) * 1e-9;
  r->col_bytes = l->col_elems * p.elem_size;

  /* The same x, w and bias as the forward rows; dy uniform in [-1, 1) too. */
  void *x = bench_alloc(p.x_elems * p.elem_size), *w = bench_alloc(p.w_elems * p.elem_size);
  void *bias = d->has_bias ? bench_alloc((size_t)d->m * p.elem_size) : NULL;
  void *dy = pass != BENCH_PASS_FWD ? bench_alloc(p.y_elems * p.elem_size) : NULL;
  void *ref = bench_alloc(p.out_elems * p.elem_size);
  bench_fill(x, p.x_elems, p.elem_size, seed * 3u + 1u);
  bench_fill(w, p.w_elems, p.elem_size, seed * 3u + 2u);
  if (bias != NULL) bench_fill(bias, (size_t)d->m, p.elem_size, seed * 3u + 3u);
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
    if (impls[k] == NULL) {
      r->status[k] = BENCH_NA;
      snprintf(r->info[k], sizeof r->info[k], "not built in");
      continue;
    }
    state[k] = impls[k]->create(&p, &r->status[k], r->info[k], sizeof r->info[k]);
    if (state[k] == NULL) continue;
    if (impls[k]->run(state[k]) != 0) {
      r->status[k] = BENCH_ERROR;
      snprintf(r->info[k], sizeof r->info[k], "the call returned an error");
    } else {
      check_impl(&p, k, state[k], ref, r, "before timing");
    }
    if (r->status[k] != BENCH_OK) {
      impls[k]->destroy(state[k]);
      state[k] = NULL;
      continue;
    }
    if (impls[k]->info != NULL) snprintf(r->info[k], sizeof r->info[k], "%s", impls[k]->info(state[k]));
    timed[count] = (bench_timed){ impls[k]->run, state[k], 0, -1.0 };
    timed_impl[count++] = k;
  }
  bench_copy_state *copy = NULL;
  if (pass == BENCH_PASS_FWD) {
    copy = bench_copy_create(&p);
    timed[count] = (bench_timed){ bench_copy_run_im2col, copy, 0, -1.0 };
    timed_impl[count++] = -1;
    timed[count] = (bench_timed){ bench_copy_run_memcpy, copy, 0, -1.0 };
    timed_impl[count++] = -2;
  }

  bench_time_round_robin(timed, count, o->samples, o->min_seconds);

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
    if (state[k] != NULL) impls[k]->destroy(state[k]);
  }
  free(x);
  free(w);
  free(bias);
  free(dy);
  free(ref);
}

/* ---- reporting ------------------------------------------------------------------------------------------------- */

static int ok(const layer_result *r, int k)
{
  return r->status[k] == BENCH_OK && r->us[k] > 0.0;
}

/* The fastest correct oneDNN variant, or -1. */
static int best_dnnl(const layer_result *r)
{
  int best = -1;
  for (int k = IMPL_DNNL_PLAIN; k <= IMPL_DNNL_BLOCKED; ++k) {
    if (ok(r, k) && (best < 0 || r->us[k] < r->us[best])) best = k;
  }
  return best;
}

static double impl_us(const layer_result *r, int which) /* which: convgen, baseline, dnnl (best), xnnpack */
{
  int k = which == 2 ? best_dnnl(r) : which == 3 ? IMPL_XNNPACK : which;
  return k >= 0 && ok(r, k) ? r->us[k] : -1.0;
}

/* What to print instead of a time: FAIL beats err beats n/a. */
static const char *missing_word(const layer_result *r, int which)
{
  int lo = which == 2 ? IMPL_DNNL_PLAIN : which == 3 ? IMPL_XNNPACK : which;
  int hi = which == 2 ? IMPL_DNNL_BLOCKED : lo;
  int any_fail = 0, any_err = 0;
  for (int k = lo; k <= hi; ++k) {
    any_fail |= r->status[k] == BENCH_FAIL;
    any_err |= r->status[k] == BENCH_ERROR;
  }
  return any_fail ? "FAIL" : any_err ? "err" : "n/a";
}

static const char *const column_names[4] = { "convgen", "baseline", "oneDNN", "XNNPACK" };
static const char *const pass_labels[BENCH_PASS_COUNT] = { "forward", "data", "weights" };

/* Forward rows have an XNNPACK column (and the im2col bandwidth); backward rows do not. */
static int columns(bench_pass pass)
{
  return pass == BENCH_PASS_FWD ? 4 : 3;
}

static void print_header(bench_pass pass)
{
  if (pass == BENCH_PASS_FWD) {
    out("%-16s %-4s %-3s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%10s %6s |%7s %7s %7s |%6s |%10s |%8s\n", "layer",
        "lay", "dt", "MFLOP", "convgen", "GF/s", "baseline", "GF/s", "oneDNN", "GF/s", "variant", "XNNPACK", "GF/s",
        "cg/base", "cg/dnnl", "cg/xnn", "%peak", "workspace", "im2col");
    out("%-16s %-4s %-3s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%10s %6s |%7s %7s %7s |%6s |%10s |%8s\n", "", "", "",
        "", "us", "", "us", "", "us", "", "", "us", "", "speedup", "speedup", "speedup", "", "bytes", "/memcpy");
  } else {
    out("%-16s %-4s %-3s %-7s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%7s %7s |%6s |%10s\n", "layer", "lay", "dt",
        "pass", "MFLOP", "convgen", "GF/s", "baseline", "GF/s", "oneDNN", "GF/s", "variant", "cg/base", "cg/dnnl",
        "%peak", "workspace");
    out("%-16s %-4s %-3s %-7s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%7s %7s |%6s |%10s\n", "", "", "", "", "", "us",
        "", "us", "", "us", "", "", "speedup", "speedup", "", "bytes");
  }
}

static void print_row(const layer_result *r, double peak, size_t l2)
{
  const bench_layer *l = r->layer;
  const cg_conv_desc *d = l->desc;
  const int cols = columns(r->pass);
  out("%-16s %-4s %-3s", l->name, d->layout == CG_LAYOUT_NCHW ? "NCHW" : "NHWC", d->dtype == CG_DTYPE_F32 ? "f32" : "f64");
  if (r->pass != BENCH_PASS_FWD) out(" %-7s", pass_labels[r->pass]);
  out(r->gflop * 1e3 < 0.1 ? " %8.4f |" : " %8.2f |", r->gflop * 1e3);
  for (int which = 0; which < cols; ++which) {
    double us = impl_us(r, which);
    if (us > 0.0) {
      out(us < 10.0 ? "%10.3f %6.1f" : "%10.1f %6.1f", us, r->gflop / (us * 1e-6));
    } else {
      out("%10s %6s", missing_word(r, which), "");
    }
    if (which == 2) {
      int best = best_dnnl(r);
      out(" %-7s", best >= 0 ? impls[best]->name : "");
    }
    out(" |");
  }
  double cg = impl_us(r, 0);
  for (int which = 1; which < cols; ++which) {
    double other = impl_us(r, which);
    if (cg > 0.0 && other > 0.0) {
      out("%7.2f ", other / cg);
    } else {
      out("%7s ", "-");
    }
  }
  if (cg > 0.0) {
    out("|%6.1f |", 100.0 * r->gflop / (cg * 1e-6) / peak);
  } else {
    out("|%6s |", "-");
  }
  if (r->pass != BENCH_PASS_FWD) {
    out("%10zu\n", l->workspace_bytes);
  } else {
    out("%10zu |", l->workspace_bytes);
    if (r->im2col_us > 0.0 && r->memcpy_us > 0.0) {
      out("%6.0f%%%s\n", 100.0 * r->memcpy_us / r->im2col_us, l2 > 0 && r->col_bytes > l2 ? "*" : "");
    } else {
      out("%7s\n", "-");
    }
  }
  fflush(stdout);
}

/* Geometric mean of time(which) / time(convgen) over the rows of the passes in
   the bit set `passes` where both were timed; *count gets their number. */
static double speedup_geomean(const layer_result *rows, int n, int passes, int which, int *count)
{
  double log_sum = 0.0;
  *count = 0;
  for (int i = 0; i < n; ++i) {
    if (!(passes & 1 << rows[i].pass)) continue;
    double cg = impl_us(&rows[i], 0), other = impl_us(&rows[i], which);
    if (cg > 0.0 && other > 0.0) {
      log_sum += log(other / cg);
      ++*count;
    }
  }
  return *count > 0 ? exp(log_sum / *count) : -1.0;
}

static void print_forward_summary(const layer_result *rows, int n, size_t l2)
{
  out("\nspeedup columns: time of the other implementation / time of convgen (> 1: convgen faster); %%peak: convgen's\n"
      "GF/s as a share of the measured sgemm peak (dgemm for f64); im2col/memcpy: memcpy time of the col matrix's\n"
      "bytes / P_im2col time, * where the col matrix exceeds L2 (the >= 70%% target applies there)\n");
  out("\ngeometric means of the speedups (time of the other / time of convgen; > 1: convgen is faster):\n");
  for (int which = 1; which < 4; ++which) {
    int count;
    double mean = speedup_geomean(rows, n, 1 << BENCH_PASS_FWD, which, &count);
    if (count > 0) {
      out("  convgen vs %-9s %6.3fx over %d layers\n", column_names[which], mean, count);
    } else {
      out("  convgen vs %-9s      - (no layer with both)\n", column_names[which]);
    }
  }
  double log_sum = 0.0;
  int big = 0, meeting = 0;
  double worst = INFINITY;
  const char *worst_name = "";
  for (int i = 0; i < n; ++i) {
    const layer_result *r = &rows[i];
    if (r->pass != BENCH_PASS_FWD) continue;
    if (l2 == 0 || r->col_bytes <= l2 || !(r->im2col_us > 0.0 && r->memcpy_us > 0.0)) continue;
    double ratio = r->memcpy_us / r->im2col_us;
    log_sum += log(ratio);
    big++;
    meeting += ratio >= 0.7;
    if (ratio < worst) {
      worst = ratio;
      worst_name = r->layer->name;
    }
  }
  if (big > 0) {
    out("im2col bandwidth on the %d layers whose col matrix exceeds L2 (* above): geometric mean %.0f%% of memcpy's,\n"
        "  %d of %d at >= 70%% (the target), lowest %.0f%% (%s)\n",
        big, 100.0 * exp(log_sum / big), meeting, big, 100.0 * worst, worst_name);
  } else {
    out("im2col bandwidth: no selected layer's col matrix exceeds L2\n");
  }
}

static void print_backward_summary(const layer_result *rows, int n)
{
  static const int sets[3] = { 1 << BENCH_PASS_BWD_DATA, 1 << BENCH_PASS_BWD_WEIGHTS,
                               1 << BENCH_PASS_BWD_DATA | 1 << BENCH_PASS_BWD_WEIGHTS };
  out("\nspeedup columns: time of the other implementation / time of convgen (> 1: convgen faster); %%peak: convgen's\n"
      "GF/s (2*MACs of the forward conv, which each gradient also takes) as a share of the sgemm peak (dgemm for f64)\n");
  out("\ngeometric means of the backward speedups (time of the other / time of convgen; > 1: convgen is faster):\n");
  out("  %-20s %18s %18s %18s\n", "", "data", "weights", "data and weights");
  for (int which = 1; which < 3; ++which) {
    out("  convgen vs %-9s", column_names[which]);
    for (int s = 0; s < 3; ++s) {
      int count;
      double mean = speedup_geomean(rows, n, sets[s], which, &count);
      if (count > 0) {
        out("   %6.3fx over %3d", mean, count);
      } else {
        out(" %18s", "-");
      }
    }
    out("\n");
  }
}

static void print_details(const layer_result *rows, int n)
{
  for (int backward = 0; backward < 2; ++backward) {
    for (int i = 0, shown = 0; i < n; ++i) {
      const layer_result *r = &rows[i];
      if ((r->pass != BENCH_PASS_FWD) != backward) continue;
      if (r->status[IMPL_DNNL_PLAIN] == BENCH_NA && r->status[IMPL_DNNL_BLOCKED] == BENCH_NA) continue;
      if (shown++ == 0) {
        if (backward) {
          out("\nper layer and pass: oneDNN backward variants (us) and what oneDNN chose (implementation, layouts)\n");
          out("%-16s %-7s %10s %10s %10s  %s\n", "layer", "pass", "plain", "plain+w", "blocked",
              "fastest variant's choice");
        } else {
          out("\nper layer: oneDNN variants (us) and what oneDNN chose (implementation, src/weights/dst layouts)\n");
          out("%-16s %10s %10s %10s  %s\n", "layer", "plain", "plain+w", "blocked", "fastest variant's choice");
        }
      }
      out("%-16s", r->layer->name);
      if (backward) out(" %-7s", pass_labels[r->pass]);
      for (int k = IMPL_DNNL_PLAIN; k <= IMPL_DNNL_BLOCKED; ++k) {
        if (ok(r, k)) {
          out(r->us[k] < 10.0 ? " %10.3f" : " %10.1f", r->us[k]);
        } else {
          out(" %10s", r->status[k] == BENCH_FAIL ? "FAIL" : r->status[k] == BENCH_ERROR ? "err" : "n/a");
        }
      }
      int best = best_dnnl(r);
      out("  %s\n", best >= 0 ? r->info[best] : "");
    }
  }
  out("\nlargest |out - ref| / tolerance among the correct results (above 1 would be a FAIL):\n");
  for (int pass = 0; pass < BENCH_PASS_COUNT; ++pass) {
    int printed = 0;
    for (int k = 0; k < IMPL_COUNT; ++k) {
      double worst = -1.0;
      const char *where = "";
      for (int i = 0; i < n; ++i) {
        if (rows[i].pass == (bench_pass)pass && rows[i].status[k] == BENCH_OK && rows[i].err_ratio[k] > worst) {
          worst = rows[i].err_ratio[k];
          where = rows[i].layer->name;
        }
      }
      int dnnl = k >= IMPL_DNNL_PLAIN && k <= IMPL_DNNL_BLOCKED;
      if (worst < 0.0) continue;
      if (printed == 0) out("  %-8s", pass_labels[pass]);
      out("%s %s%s %.2g (%s)", printed > 0 && printed % 3 == 0 ? "\n          " : "", dnnl ? "oneDNN " : "",
          impls[k]->name, worst, where);
      printed++;
    }
    if (printed > 0) out("\n");
  }
  int problems = 0;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < IMPL_COUNT; ++k) {
      const layer_result *r = &rows[i];
      if (r->status[k] != BENCH_FAIL && r->status[k] != BENCH_ERROR) continue;
      if (problems++ == 0) out("\nfailures (their times are not reported):\n");
      int dnnl = k >= IMPL_DNNL_PLAIN && k <= IMPL_DNNL_BLOCKED;
      out("  %-16s %-7s %s%s %s: %s\n", r->layer->name, pass_labels[r->pass], dnnl ? "oneDNN " : impls[k]->name,
          dnnl ? impls[k]->name : "", r->status[k] == BENCH_FAIL ? "FAIL" : "error", r->info[k]);
    }
  }
}

static void csv_number(FILE *f, double v, const char *fmt)
{
  if (v > 0.0) fprintf(f, fmt, v);
  fputc(',', f);
}

static void csv_text(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s != '\0'; ++s) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputs("\",", f);
}

static const char *status_word(bench_status s)
{
  return s == BENCH_OK ? "ok" : s == BENCH_NA ? "n/a" : s == BENCH_ERROR ? "error" : "FAIL";
}

static int write_csv(const char *path, const layer_result *rows, int n, double peak, double dpeak, size_t l2)
{
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot write %s\n", path);
    return -1;
  }
  fputs("suite,layer,pass,layout,dtype,n,c,h,w,m,kh,kw,sh,sw,pt,pb,pl,pr,dh,dw,groups,bias,activation,gflop,"
        "workspace_bytes,col_bytes,col_exceeds_l2,"
        "convgen_us,convgen_gflops,convgen_status,baseline_us,baseline_gflops,baseline_status,"
        "onednn_us,onednn_gflops,onednn_variant,onednn_plain_us,onednn_plainw_us,onednn_blocked_us,onednn_choice,"
        "xnnpack_us,xnnpack_gflops,xnnpack_status,"
        "speedup_vs_baseline,speedup_vs_onednn,speedup_vs_xnnpack,pct_gemm_peak,"
        "im2col_us,memcpy_us,im2col_pct_of_memcpy\n",
        f);
  static const char *const acts[] = { "none", "relu", "relu6", "clamp" };
  for (int i = 0; i < n; ++i) {
    const layer_result *r = &rows[i];
    const bench_layer *l = r->layer;
    const cg_conv_desc *d = l->desc;
    fprintf(f, "%s,%s,%s,%s,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s,%.9g,%zu,%zu,%d,", l->suite,
            l->name, pass_names[r->pass], d->layout == CG_LAYOUT_NCHW ? "NCHW" : "NHWC",
            d->dtype == CG_DTYPE_F32 ? "f32" : "f64", d->n, d->c, d->h, d->w, d->m, d->kh, d->kw, d->sh, d->sw,
            d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, d->dh, d->dw, d->groups, d->has_bias,
            acts[d->activation], r->gflop, l->workspace_bytes, r->col_bytes, l2 > 0 && r->col_bytes > l2);
    double us[4];
    for (int which = 0; which < 4; ++which) us[which] = impl_us(r, which);
    for (int which = 0; which < 2; ++which) {
      csv_number(f, us[which], "%.3f");
      csv_number(f, us[which] > 0.0 ? r->gflop / (us[which] * 1e-6) : -1.0, "%.3f");
      fprintf(f, "%s,", status_word(r->status[which]));
    }
    int best = best_dnnl(r);
    csv_number(f, us[2], "%.3f");
    csv_number(f, us[2] > 0.0 ? r->gflop / (us[2] * 1e-6) : -1.0, "%.3f");
    fprintf(f, "%s,", best >= 0 ? impls[best]->name : missing_word(r, 2));
    for (int k = IMPL_DNNL_PLAIN; k <= IMPL_DNNL_BLOCKED; ++k) csv_number(f, ok(r, k) ? r->us[k] : -1.0, "%.3f");
    csv_text(f, best >= 0 ? r->info[best] : "");
    csv_number(f, us[3], "%.3f");
    csv_number(f, us[3] > 0.0 ? r->gflop / (us[3] * 1e-6) : -1.0, "%.3f");
    fprintf(f, "%s,", status_word(r->status[IMPL_XNNPACK]));
    for (int which = 1; which < 4; ++which) csv_number(f, us[0] > 0.0 && us[which] > 0.0 ? us[which] / us[0] : -1.0, "%.4f");
    double pk = d->dtype == CG_DTYPE_F32 ? peak : dpeak;
    csv_number(f, us[0] > 0.0 ? 100.0 * r->gflop / (us[0] * 1e-6) / pk : -1.0, "%.2f");
    csv_number(f, r->im2col_us, "%.3f");
    csv_number(f, r->memcpy_us, "%.3f");
    if (r->im2col_us > 0.0 && r->memcpy_us > 0.0) fprintf(f, "%.1f", 100.0 * r->memcpy_us / r->im2col_us);
    fputc('\n', f);
  }
  return fclose(f) == 0 ? 0 : -1;
}

/* " %.4f" of a row's GF/s for one implementation column, " NaN" when it has no time. */
static void plot_value(FILE *f, const layer_result *r, int which)
{
  double us = r != NULL ? impl_us(r, which) : -1.0;
  if (us > 0.0) {
    fprintf(f, " %.4f", r->gflop / (us * 1e-6));
  } else {
    fprintf(f, " NaN");
  }
}

/* png with ".png" (if any) replaced by suffix: the chart's data file or the backward chart. */
static int sibling_path(const char *png, const char *suffix, char *buf, size_t len)
{
  size_t stem = strlen(png);
  if (stem > 4 && strcmp(png + stem - 4, ".png") == 0) stem -= 4;
  if (stem + strlen(suffix) + 1 > len) return -1;
  memcpy(buf, png, stem);
  strcpy(buf + stem, suffix);
  return 0;
}

/* Draws png from data with a gnuplot script; a failed plot leaves no older chart behind. */
static void run_gnuplot(const char *script, const char *data, const char *png, double peak, const char *title)
{
  if (strchr(data, '\'') != NULL || strchr(png, '\'') != NULL) {
    fprintf(stderr, "bench: a quote in the chart's path; no chart\n");
    return;
  }
  remove(png);
  char expr[8192];
  snprintf(expr, sizeof expr, "datafile='%s'; outfile='%s'; peak=%.3f; charttitle='%s'", data, png, peak, title);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    execlp(BENCH_GNUPLOT, BENCH_GNUPLOT, "-e", expr, script, (char *)NULL);
    _exit(127);
  }
  int wstatus = 0;
  if (pid < 0 || waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    fprintf(stderr, "bench: gnuplot (%s) failed; no chart %s\n", BENCH_GNUPLOT, png);
    return;
  }
  printf("chart: %s\n", png);
}

/* The forward chart's data (GFLOP/s per implementation, NaN when missing), then gnuplot. */
static void plot_forward(const options *o, const layer_result *rows, int n, double peak, const char *title)
{
  char data[4096];
  if (sibling_path(o->png, ".dat", data, sizeof data) != 0) return;
  FILE *f = fopen(data, "w");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot write %s; no chart\n", data);
    return;
  }
  fprintf(f, "# index layer convgen baseline oneDNN XNNPACK (GFLOP/s, NaN: not timed)\n");
  for (int i = 0, index = 0; i < n; ++i) {
    if (rows[i].pass != BENCH_PASS_FWD) continue;
    fprintf(f, "%d %s", index++, rows[i].layer->name);
    for (int which = 0; which < 4; ++which) plot_value(f, &rows[i], which);
    fputc('\n', f);
  }
  fclose(f);
  run_gnuplot(BENCH_PLOT_SCRIPT, data, o->png, peak, title);
}

/* The backward chart (PNG_backward.png): per layer, GFLOP/s of convgen, the
   baseline and oneDNN for backward data, then for backward weights. */
static void plot_backward(const options *o, const layer_result *rows, int n, double peak, const char *title)
{
  char data[4096], png[4096];
  if (sibling_path(o->png, "_backward.dat", data, sizeof data) != 0) return;
  if (sibling_path(o->png, "_backward.png", png, sizeof png) != 0) return;
  FILE *f = fopen(data, "w");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot write %s; no chart\n", data);
    return;
  }
  fprintf(f, "# index layer data: convgen baseline oneDNN, weights: convgen baseline oneDNN (GFLOP/s, NaN: not timed)\n");
  for (int i = 0, index = 0; i < n; ++i) {
    if (rows[i].pass == BENCH_PASS_FWD) continue;
    const layer_result *by_pass[BENCH_PASS_COUNT] = { NULL, NULL, NULL };
    int first = 1;
    for (int j = 0; j < n; ++j) {
      if (rows[j].layer != rows[i].layer) continue;
      if (rows[j].pass != BENCH_PASS_FWD && j < i) first = 0;
      by_pass[rows[j].pass] = &rows[j];
    }
    if (!first) continue; /* one line per layer, at its first backward row */
    fprintf(f, "%d %s", index++, rows[i].layer->name);
    for (int pass = BENCH_PASS_BWD_DATA; pass <= BENCH_PASS_BWD_WEIGHTS; ++pass) {
      for (int which = 0; which < 3; ++which) plot_value(f, by_pass[pass], which);
    }
    fputc('\n', f);
  }
  fclose(f);
  run_gnuplot(BENCH_PLOT_BACKWARD_SCRIPT, data, png, peak, title);
}

/* ---- main ------------------------------------------------------------------------------------------------------ */

static void print_backward_preamble(void)
{
  out("\nbackward: the gradients of the same layers from dy = dL/dy (uniform in [-1, 1), taken before the\n"
      "        activation), x, w as above; f32 and f64 rows; XNNPACK has no backward (n/a)\n"
      "  data:    dx = dL/dx. convgen P_conv_backward_data; baseline: per image one cg_gemm per group\n"
      "           col = W^T * dy, then cg_ref_col2im; oneDNN convolution_backward_data\n"
      "  weights: dw = dL/dw summed over the batch, and db = dL/dbias on layers with a bias. convgen\n"
      "           P_conv_backward_weights; baseline: per image cg_ref_im2col, then one cg_gemm per group\n"
      "           dW += dy * col^T, then a pass summing dy for db; oneDNN convolution_backward_weights\n"
      "  oneDNN: forward_training descriptor as the hint; plain (user layouts), plain+w (w reordered once for\n"
      "        data, dw left in oneDNN's layout for weights) and blocked (as plain+w, activations `any` with their\n"
      "        reorders timed), the fastest correct reported\n"
      "  checked before and after timing against cg_ref_conv_backward_data/_weights (double accumulation), the\n"
      "        same tolerance with K = M/groups*KH*KW for dx and K = N*OH*OW for dw and db\n\n");
}

int main(int argc, char **argv)
{
  options o;
  if (parse_options(argc, argv, &o) != 0) {
    usage(stderr);
    return 2;
  }
  bench_prepare_process(argv, o.threads, o.blas_core); /* may re-execute the bench once */
  double start = bench_now();
  order_layers();
  if (o.list) {
    for (size_t i = 0; i < LAYER_COUNT; ++i) {
      if (selected(&o, ordered[i])) {
        printf("%-10s %-16s%s\n", ordered[i]->suite, ordered[i]->name, has_backward(ordered[i]) ? " (+backward)" : "");
      }
    }
    return 0;
  }
  table_copy = fopen(o.txt, "w");
  if (table_copy == NULL) fprintf(stderr, "bench: cannot write %s; the table goes to stdout only\n", o.txt);

  char cpu[256], dnnl_text[256] = "oneDNN: not built in";
  bench_cpu_model(cpu, sizeof cpu);
#ifdef BENCH_HAVE_DNNL
  bench_dnnl_describe(dnnl_text, sizeof dnnl_text);
#endif
  size_t l2 = bench_l2_bytes();
  double peak = gemm_peak(0, o.quick ? 3 : 20), dpeak = gemm_peak(1, o.quick ? 2 : 8);
  double bandwidth = memcpy_bandwidth(o.quick ? 2 : 10);

  out("convgen bench: %s\n", o.threads == 1 ? "single thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1, XNNPACK without a thread pool)"
                                            : "multi-threaded (--threads)");
  if (o.threads > 1) out("  threads: %d for OpenBLAS, oneDNN (OpenMP) and XNNPACK (pthreadpool)\n", o.threads);
  out("CPU: %s, %ld logical CPUs online, L2 %zu KiB; load average %.2f at the start\n",
      cpu, sysconf(_SC_NPROCESSORS_ONLN), l2 / 1024, bench_load_average());
  out("OpenBLAS core: %s (%s)\n", bench_openblas_core(), bench_openblas_core_origin());
  out("%s; XNNPACK: %s\n", dnnl_text,
#ifdef BENCH_HAVE_XNNPACK
      "built in (f32 NHWC operator, weights packed at creation)"
#else
      "not built in"
#endif
  );
  out("sgemm peak %.1f GFLOP/s, dgemm %.1f GFLOP/s (best 1024^3 GEMM through cg_gemm, %d thread%s);\n"
      "memcpy %.1f GB/s (best copy of 128 MiB, bytes copied per second)\n",
      peak, dpeak, o.threads, o.threads == 1 ? "" : "s", bandwidth);
  out("timing: median of %d measurements per implementation, each >= %.2g ms of back-to-back calls after a warm-up,\n"
      "        implementations interleaved round-robin; GF/s = 2*MACs / time\n",
      o.samples, o.min_seconds * 1e3);
  if (o.passes & 1 << BENCH_PASS_FWD) {
    out("checked before and after timing against cg_ref_conv (double accumulation):\n"
        "        |out - ref| <= %g * sqrt(K) * (1 + |ref|) for f32, %g * sqrt(K) * (1 + |ref|) for f64, K = C/groups*KH*KW\n",
        TOL_F32, TOL_F64);
    out("baseline: cg_ref_im2col per image + one cg_gemm per group (same BLAS) + a bias/activation pass\n");
    out("oneDNN: fastest correct of plain (user layouts), plain+w (weights reordered once) and blocked (format any,\n"
        "        src/dst reorders timed); XNNPACK: NHWC operator, NCHW data transposed outside the timed call\n\n");
  }

  layer_result *rows = bench_alloc(LAYER_COUNT * BENCH_PASS_COUNT * sizeof *rows);
  int n = 0, failures = 0, matched = 0;
  for (int pass = 0; pass < BENCH_PASS_COUNT; ++pass) {
    if (!(o.passes & 1 << pass)) continue;
    int in_pass = 0;
    for (size_t i = 0; i < LAYER_COUNT; ++i) {
      if (!selected(&o, ordered[i])) continue;
      matched = 1;
      if (pass != BENCH_PASS_FWD && !has_backward(ordered[i])) continue;
      if (in_pass++ == 0) {
        /* the backward table: a preamble and header before its data rows, a blank line before its weights rows */
        if (pass == BENCH_PASS_FWD || pass == BENCH_PASS_BWD_DATA || !(o.passes & 1 << BENCH_PASS_BWD_DATA)) {
          if (pass != BENCH_PASS_FWD) print_backward_preamble();
          print_header((bench_pass)pass);
        } else {
          out("\n");
        }
      }
      layer_result *r = &rows[n++];
      run_layer(ordered[i], (bench_pass)pass, (unsigned)i + 1u, &o, r);
      print_row(r, ordered[i]->desc->dtype == CG_DTYPE_F32 ? peak : dpeak, l2);
      for (int k = 0; k < IMPL_COUNT; ++k) failures += r->status[k] == BENCH_FAIL || r->status[k] == BENCH_ERROR;
    }
    if (pass == BENCH_PASS_FWD && in_pass > 0) print_forward_summary(rows, n, l2);
  }
  if (!matched) {
    fprintf(stderr, "bench: no layer matches --filter %s\n", o.filter);
    return 2;
  }
  int backward_rows = 0;
  for (int i = 0; i < n; ++i) backward_rows += rows[i].pass != BENCH_PASS_FWD;
  if (backward_rows > 0) print_backward_summary(rows, n);
  print_details(rows, n);
  out("\n%d rows (%d forward, %d backward), %d implementation failures; total run time %.1f s, load average %.2f\n",
      n, n - backward_rows, backward_rows, failures, bench_now() - start, bench_load_average());
  if (table_copy != NULL) fclose(table_copy);

  if (write_csv(o.csv, rows, n, peak, dpeak, l2) == 0) printf("csv: %s\n", o.csv);
  if (o.plot) {
    char title[512];
    snprintf(title, sizeof title, "convgen bench, %s, %d thread%s, OpenBLAS %s (sgemm peak %.0f GFLOP/s)", cpu,
             o.threads, o.threads == 1 ? "" : "s", bench_openblas_core(), peak);
    for (char *c = title; *c != '\0'; ++c) {
      if (*c == '\'') *c = ' ';
    }
    char backward_png[4096];
    if (n > backward_rows) {
      plot_forward(&o, rows, n, peak, title);
    } else {
      remove(o.png); /* no chart of another run left looking current */
    }
    if (backward_rows > 0) {
      plot_backward(&o, rows, n, peak, title);
    } else if (sibling_path(o.png, "_backward.png", backward_png, sizeof backward_png) == 0) {
      remove(backward_png);
    }
  }
  free(rows);
#ifdef BENCH_HAVE_XNNPACK
  bench_xnnpack_shutdown();
#endif
#ifdef BENCH_HAVE_DNNL
  bench_dnnl_shutdown();
#endif
  return failures ? 1 : 0;
}

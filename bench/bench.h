/* bench/bench.h: types shared by the benchmark's driver and its implementations (convgen, baseline, oneDNN, XNNPACK). */
#ifndef BENCH_H_INCLUDED
#define BENCH_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "convgen.h"

/* The generated entry points of one layer, through the stable C contract. */
typedef int (*bench_conv_f32_fn)(const float *x, const float *w, const float *bias, float *y, void *workspace);
typedef int (*bench_conv_f64_fn)(const double *x, const double *w, const double *bias, double *y, void *workspace);
typedef void (*bench_im2col_f32_fn)(const float *x, float *col);
typedef void (*bench_im2col_f64_fn)(const double *x, double *col);
typedef int (*bench_bwd_data_f32_fn)(const float *dy, const float *w, float *dx, void *workspace);
typedef int (*bench_bwd_data_f64_fn)(const double *dy, const double *w, double *dx, void *workspace);
typedef int (*bench_bwd_weights_f32_fn)(const float *x, const float *dy, float *dw, float *db, void *workspace);
typedef int (*bench_bwd_weights_f64_fn)(const double *x, const double *dy, double *dw, double *db, void *workspace);
typedef int (*bench_conv_s8_fn)(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y, void *workspace);

/* What one timed call computes. The backward passes take dy = dL/dy before the
   activation, as P_conv_backward_data/_weights do. */
typedef enum {
  BENCH_PASS_FWD = 0,      /* y = act(conv(x, w) + bias) */
  BENCH_PASS_BWD_DATA,     /* dx = dL/dx from dy and w */
  BENCH_PASS_BWD_WEIGHTS,  /* dw = dL/dw (and db = dL/dbias when the layer has a bias) from x and dy */
  BENCH_PASS_S8,           /* the forward pass of the int8 (dtype s8) layers: y = requantize(conv(x, w) + bias) */
  BENCH_PASS_COUNT
} bench_pass;

/* One layer of the benchmark spec: exactly one of the f32/f64/s8 groups is set; the
   backward functions only for layers generated with backward = true. */
typedef struct {
  const char *name;   /* the CSV's name (the symbol without the spec prefix) */
  const char *suite;  /* the CSV's suite column */
  const cg_conv_desc *desc;
  bench_conv_f32_fn conv_f32;
  bench_conv_f64_fn conv_f64;
  bench_im2col_f32_fn im2col_f32;
  bench_im2col_f64_fn im2col_f64;
  bench_bwd_data_f32_fn bwd_data_f32;
  bench_bwd_weights_f32_fn bwd_weights_f32;
  bench_bwd_data_f64_fn bwd_data_f64;
  bench_bwd_weights_f64_fn bwd_weights_f64;
  bench_conv_s8_fn conv_s8;
  const cg_quant_s8 *quant; /* s8 layers: zero points, per-channel multiplier and shift, clamp */
  size_t workspace_bytes; /* P_WORKSPACE_BYTES */
  size_t col_elems;       /* P_COL_ROWS * P_COL_COLS: one image's im2col matrix */
} bench_layer;

/* One layer's inputs in the user's layout, shared read-only by every implementation.
   The result of a pass, in the user's layout, has out_elems elements: y (forward),
   dx (shaped like x: backward data), or dw (w's layout) followed by the M values
   of db when bias is not NULL (backward weights). */
typedef struct {
  const bench_layer *layer;
  const cg_conv_desc *d;
  bench_pass pass;
  size_t elem_size;             /* sizeof(float) or sizeof(double); 1 for s8 (x, w, y int8, bias int32) */
  size_t x_elems, w_elems, y_elems, out_elems;
  const void *x, *w, *bias;     /* bias is NULL when the layer has none */
  const void *dy;               /* dL/dy, shaped like y (backward passes) */
  int threads;                  /* 1 for the headline single-thread run */
} bench_problem;

typedef enum {
  BENCH_OK = 0,   /* ran and matched the reference */
  BENCH_NA,       /* not applicable by design (oneDNN/XNNPACK on f64, XNNPACK backward) or not built in */
  BENCH_ERROR,    /* the library refused to set the layer up, or a call failed */
  BENCH_FAIL      /* ran but its output differs from the reference */
} bench_status;

/* An implementation under test. create() does everything that is not timed
   (weight reorders, operator creation, layout transposes of constant data);
   run() is exactly the timed call; output() returns the last run's result in
   the user's layout, converting it untimed when the library computed in another.
   create() reads p->pass and returns NULL with BENCH_NA for a pass it lacks. */
typedef struct {
  const char *name;
  void *(*create)(const bench_problem *p, bench_status *status, char *why, size_t why_len);
  int (*run)(void *state);
  const void *(*output)(void *state);
  const char *(*info)(void *state); /* what the library chose (may return ""), or NULL */
  void (*destroy)(void *state);
} bench_impl;

extern const bench_impl bench_impl_convgen;
extern const bench_impl bench_impl_baseline;
#ifdef BENCH_HAVE_DNNL
extern const bench_impl bench_impl_dnnl_plain;   /* plain src/dst/weights, as the user holds them */
extern const bench_impl bench_impl_dnnl_plainw;  /* plain activations, weights (and dw) in oneDNN's choice */
extern const bench_impl bench_impl_dnnl_blocked; /* everything `any`; activation reorders inside the timed call */
void bench_dnnl_describe(char *buf, size_t len);  /* version, threading runtime, ISA */
void bench_dnnl_shutdown(void);
int bench_dnnl_has_vnni(void);                    /* the CPU ISA oneDNN runs has VNNI (AVX-512 VNNI or AVX-VNNI) */
#endif
#ifdef BENCH_HAVE_XNNPACK
extern const bench_impl bench_impl_xnnpack;
void bench_xnnpack_shutdown(void);
#endif

/* The im2col-vs-memcpy measurement of one layer (image 0, untimed set-up). */
typedef struct bench_copy_state bench_copy_state;
bench_copy_state *bench_copy_create(const bench_problem *p);
int bench_copy_run_im2col(void *state);
int bench_copy_run_memcpy(void *state);
void bench_copy_destroy(bench_copy_state *s);

/* Utilities (bench_sys.c). */
double bench_now(void);
void *bench_alloc(size_t bytes);            /* 64-byte aligned, zeroed, exits on failure */
void bench_fill(void *v, size_t elems, size_t elem_size, unsigned seed); /* uniform [-1, 1); elem_size 1: int8 */
void bench_fill_nan(void *v, size_t elems, size_t elem_size); /* elem_size 1: a byte pattern (int8 has no NaN) */

/* Runs each of count callables round-robin and stores in median_us the median,
   over `samples` measurements, of the time of one call; each measurement times
   enough back-to-back calls to last at least min_seconds. A callable whose
   run() fails gets median_us = -1. */
typedef struct {
  int (*run)(void *state);
  void *state;
  long reps;         /* calls per measurement, chosen by calibration */
  double median_us;
} bench_timed;
void bench_time_round_robin(bench_timed *t, int count, int samples, double min_seconds);

/* Process set-up (thread counts, OpenBLAS core) and machine facts. */
void bench_prepare_process(char **argv, int threads, const char *blas_core);
const char *bench_openblas_core(void);       /* "SkylakeX", ... or "(no OpenBLAS)" */
const char *bench_openblas_core_origin(void);
void bench_set_blas_threads(int threads);
void bench_cpu_model(char *buf, size_t len);
size_t bench_l2_bytes(void);
double bench_load_average(void);             /* 1-minute load average, -1 when unknown */

#endif /* BENCH_H_INCLUDED */

/* bench/results.h: one measured row of the benchmark, and the interfaces between the driver (bench.c), measure.c and report.c. */
#ifndef BENCH_RESULTS_H_INCLUDED
#define BENCH_RESULTS_H_INCLUDED

#include <stddef.h>

#include "bench.h"

/* The implementations every row measures, in table order; bench_impls[k] is NULL when not built in. */
enum { IMPL_CONVGEN, IMPL_BASELINE, IMPL_DNNL_PLAIN, IMPL_DNNL_PLAINW, IMPL_DNNL_BLOCKED, IMPL_XNNPACK, IMPL_COUNT };
extern const bench_impl *const bench_impls[IMPL_COUNT];

/* The --pass words, indexed by bench_pass: "fwd", "bwd_data", "bwd_weights". */
extern const char *const bench_pass_names[BENCH_PASS_COUNT];

/* Relative tolerance per element type: |out - ref| <= TOL * sqrt(K) * (1 + |ref|). */
#define TOL_F32 1e-5
#define TOL_F64 1e-13
/* s8 rows: the largest |out - ref| in int8 steps that passes. convgen is TFLite's arithmetic
   bit for bit; oneDNN and XNNPACK requantize in float32 and round once, so they may differ
   from TFLite's fixed-point double rounding by one step. Without VNNI, oneDNN 2.6 also
   halves s8-source weights (its "weights scale adjustment" of 0.5, against the saturation of
   vpmaddubsw) and doubles the output scale: each odd weight is off by half a step, which
   moves the outputs by up to a few steps (2 in every run so far); TOL_S8_DNNL_NO_VNNI. */
#define TOL_S8_CONVGEN 0
#define TOL_S8_LIBRARY 1
#define TOL_S8_DNNL_NO_VNNI 4

/* One layer and pass, measured. */
typedef struct {
  const bench_layer *layer;
  bench_pass pass;
  double gflop;                   /* 2 * MACs (the forward's, for every pass), in units of 1e9 */
  bench_status status[IMPL_COUNT];
  double us[IMPL_COUNT];          /* median time of one call, when status is BENCH_OK */
  double err_ratio[IMPL_COUNT];   /* max |out - ref| / tolerance over the output (s8: max |out - ref| in steps) */
  size_t differing[IMPL_COUNT];   /* s8: how many outputs differ from the reference at all */
  char info[IMPL_COUNT][200];     /* library choices, or the reason for n/a / err / FAIL */
  double im2col_us, memcpy_us;     /* forward only */
  size_t col_bytes;
} layer_result;

/* How a row is timed: threads for every implementation, and bench_time_round_robin's samples and minimum time. */
typedef struct {
  int threads, samples;
  double min_seconds;
} bench_timing;

/* ---- measure.c: the machine, and one layer checked then timed ---- */
double bench_gemm_peak(int f64, int reps);   /* GFLOP/s of the best 1024^3 cg_gemm */
double bench_memcpy_bandwidth(int reps);     /* GB/s of the best 128 MiB memcpy */
void bench_measure_layer(const bench_layer *l, bench_pass pass, unsigned seed, const bench_timing *t,
                         layer_result *r);

/* ---- report.c: the table (stdout and the --txt copy), the CSV and the charts ---- */

/* What the table's opening lines state about the run. */
typedef struct {
  const char *cpu, *dnnl_text;
  size_t l2;
  double peak, dpeak, bandwidth;
  bench_timing timing;
  int passes;                 /* bit (1 << pass) per bench_pass run */
} bench_setup;

void bench_out(const char *fmt, ...);            /* to stdout and the --txt copy */
void bench_report_open(const char *txt);         /* a copy of the table goes to txt (a message when it cannot) */
void bench_report_close(void);
void bench_print_preamble(const bench_setup *s);
void bench_print_pass_start(bench_pass pass, int passes); /* before the first row of a pass */
void bench_print_row(const layer_result *r, double peak, size_t l2);
void bench_print_forward_summary(const layer_result *rows, int n, size_t l2);
void bench_print_backward_summary(const layer_result *rows, int n);
void bench_print_s8_summary(const layer_result *rows, int n); /* geometric means vs oneDNN, XNNPACK and the faster */
void bench_print_details(const layer_result *rows, int n);
int bench_write_csv(const char *path, const layer_result *rows, int n, double peak, double dpeak, size_t l2);
/* The forward chart at png and the backward one beside it; a chart this run has no rows for is removed. */
void bench_plot(const char *png, const layer_result *rows, int n, const bench_setup *s);

#endif /* BENCH_RESULTS_H_INCLUDED */

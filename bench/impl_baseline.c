/* bench/impl_baseline.c: the generic im2col/col2im + GEMM baseline as a benchmark implementation (f32 and f64, forward and backward). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BASELINE_T float
#define BASELINE_SFX f32
#include "baseline_impl.h"
#undef BASELINE_T
#undef BASELINE_SFX

#define BASELINE_T double
#define BASELINE_SFX f64
#include "baseline_impl.h"
#undef BASELINE_T
#undef BASELINE_SFX

typedef struct {
  const bench_problem *p;
  void *col;       /* one image's im2col matrix */
  void *group_col; /* one group's gathered columns (NHWC with groups > 1) */
  void *out;       /* the pass's result: y, dx, or dw then db */
} baseline_state;

static void *baseline_create(const bench_problem *p, bench_status *status, char *why, size_t why_len)
{
  const cg_conv_desc *d = p->d;
  if (p->pass == BENCH_PASS_S8) {
    *status = BENCH_NA;
    snprintf(why, why_len, "no int8 baseline (the runtime's GEMM is float)");
    return NULL;
  }
  baseline_state *s = bench_alloc(sizeof *s);
  s->p = p;
  s->col = bench_alloc(cg_col_rows(d) * cg_col_cols(d) * p->elem_size);
  if (d->layout == CG_LAYOUT_NHWC && d->groups > 1) {
    s->group_col = bench_alloc(cg_col_rows(d) * cg_col_cols(d) / (size_t)d->groups * p->elem_size);
  }
  s->out = bench_alloc(p->out_elems * p->elem_size);
  bench_fill_nan(s->out, p->out_elems, p->elem_size);
  *status = BENCH_OK;
  return s;
}

static int baseline_run(void *state)
{
  baseline_state *s = state;
  const bench_problem *p = s->p;
  const int f32 = p->elem_size == sizeof(float);
  if (p->pass == BENCH_PASS_FWD) {
    if (f32) {
      baseline_conv_f32(p->d, p->x, p->w, p->bias, s->out, s->col, s->group_col);
    } else {
      baseline_conv_f64(p->d, p->x, p->w, p->bias, s->out, s->col, s->group_col);
    }
  } else if (p->pass == BENCH_PASS_BWD_DATA) {
    if (f32) {
      baseline_backward_data_f32(p->d, p->dy, p->w, s->out, s->col, s->group_col);
    } else {
      baseline_backward_data_f64(p->d, p->dy, p->w, s->out, s->col, s->group_col);
    }
  } else if (f32) {
    float *dw = s->out;
    baseline_backward_weights_f32(p->d, p->x, p->dy, dw, p->bias != NULL ? dw + p->w_elems : NULL, s->col,
                                  s->group_col);
  } else {
    double *dw = s->out;
    baseline_backward_weights_f64(p->d, p->x, p->dy, dw, p->bias != NULL ? dw + p->w_elems : NULL, s->col,
                                  s->group_col);
  }
  return 0;
}

static const void *baseline_output(void *state)
{
  return ((baseline_state *)state)->out;
}

static void baseline_destroy(void *state)
{
  baseline_state *s = state;
  if (s == NULL) return;
  free(s->col);
  free(s->group_col);
  free(s->out);
  free(s);
}

const bench_impl bench_impl_baseline = {
  "baseline", baseline_create, baseline_run, baseline_output, NULL, baseline_destroy,
};

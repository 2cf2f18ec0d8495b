/* bench/impl_convgen.c: the generated P_conv and P_conv_backward_data/_weights as a benchmark implementation, and the P_im2col-versus-memcpy measurement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct {
  const bench_problem *p;
  void *workspace; /* NULL when the layer needs none, as the contract allows */
  void *out;       /* the pass's result: y, dx, or dw then db */
} convgen_state;

static void *convgen_create(const bench_problem *p, bench_status *status, char *why, size_t why_len)
{
  const bench_layer *l = p->layer;
  if ((p->pass == BENCH_PASS_BWD_DATA || p->pass == BENCH_PASS_BWD_WEIGHTS) && l->bwd_data_f32 == NULL &&
      l->bwd_data_f64 == NULL) {
    *status = BENCH_NA;
    snprintf(why, why_len, "layer generated without backward = true");
    return NULL;
  }
  convgen_state *s = bench_alloc(sizeof *s);
  s->p = p;
  s->workspace = l->workspace_bytes > 0 ? bench_alloc(l->workspace_bytes) : NULL;
  s->out = bench_alloc(p->out_elems * p->elem_size);
  bench_fill_nan(s->out, p->out_elems, p->elem_size);
  *status = BENCH_OK;
  return s;
}

static int convgen_run(void *state)
{
  convgen_state *s = state;
  const bench_problem *p = s->p;
  const bench_layer *l = p->layer;
  int rc;
  if (p->pass == BENCH_PASS_S8) {
    rc = l->conv_s8(p->x, p->w, p->bias, s->out, s->workspace);
  } else if (p->pass == BENCH_PASS_FWD) {
    rc = l->conv_f32 != NULL ? l->conv_f32(p->x, p->w, p->bias, s->out, s->workspace)
                             : l->conv_f64(p->x, p->w, p->bias, s->out, s->workspace);
  } else if (p->pass == BENCH_PASS_BWD_DATA) {
    rc = l->bwd_data_f32 != NULL ? l->bwd_data_f32(p->dy, p->w, s->out, s->workspace)
                                 : l->bwd_data_f64(p->dy, p->w, s->out, s->workspace);
  } else if (l->bwd_weights_f32 != NULL) {
    float *dw = s->out;
    rc = l->bwd_weights_f32(p->x, p->dy, dw, p->bias != NULL ? dw + p->w_elems : NULL, s->workspace);
  } else {
    double *dw = s->out;
    rc = l->bwd_weights_f64(p->x, p->dy, dw, p->bias != NULL ? dw + p->w_elems : NULL, s->workspace);
  }
  return rc == CG_OK ? 0 : -1;
}

static const void *convgen_output(void *state)
{
  return ((convgen_state *)state)->out;
}

static void convgen_destroy(void *state)
{
  convgen_state *s = state;
  if (s == NULL) return;
  free(s->workspace);
  free(s->out);
  free(s);
}

const bench_impl bench_impl_convgen = {
  "convgen", convgen_create, convgen_run, convgen_output, NULL, convgen_destroy,
};

/* P_im2col of image 0 into a col buffer, and memcpy of exactly as many bytes
   between two other buffers of that size: the copy speed im2col is held to. */
struct bench_copy_state {
  const bench_problem *p;
  size_t bytes;
  void *col, *src, *dst;
};

bench_copy_state *bench_copy_create(const bench_problem *p)
{
  bench_copy_state *s = bench_alloc(sizeof *s);
  s->p = p;
  s->bytes = p->layer->col_elems * p->elem_size;
  s->col = bench_alloc(s->bytes);
  s->src = bench_alloc(s->bytes);
  s->dst = bench_alloc(s->bytes);
  bench_fill(s->src, p->layer->col_elems, p->elem_size, 7u);
  return s;
}

int bench_copy_run_im2col(void *state)
{
  bench_copy_state *s = state;
  const bench_layer *l = s->p->layer;
  if (l->im2col_f32 != NULL) {
    l->im2col_f32(s->p->x, s->col);
  } else {
    l->im2col_f64(s->p->x, s->col);
  }
  return 0;
}

int bench_copy_run_memcpy(void *state)
{
  bench_copy_state *s = state;
  memcpy(s->dst, s->src, s->bytes);
  return 0;
}

void bench_copy_destroy(bench_copy_state *s)
{
  if (s == NULL) return;
  free(s->col);
  free(s->src);
  free(s->dst);
  free(s);
}

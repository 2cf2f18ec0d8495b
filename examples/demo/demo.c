/* make demo: runs every generated f32 layer of a model against the generic reference and prints a table. */
#define _POSIX_C_SOURCE 199309L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include DEMO_MODEL_HEADER

typedef int (*conv_fn)(const float *x, const float *w, const float *bias, float *y, void *workspace);

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  conv_fn conv;
  size_t workspace_bytes;
} demo_layer;

#define DEMO_ENTRY(sym, SYM) { #sym, &sym##_desc, sym##_conv, SYM##_WORKSPACE_BYTES },
static const demo_layer layers[] = { DEMO_LAYERS(DEMO_ENTRY) };
#undef DEMO_ENTRY

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Deterministic inputs in [-1, 1). */
static void fill(float *v, size_t count, uint32_t seed)
{
  uint32_t s = seed * 2654435761u + 1u;
  for (size_t i = 0; i < count; ++i) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
    v[i] = (float)((double)(s >> 8) / 8388608.0 - 1.0);
  }
}

#define REPEATS 31

/* Median wall time of one call, in microseconds, after a warm-up call. */
static double median_us(const demo_layer *l, const float *x, const float *w, const float *b,
                        float *y, void *ws, int reference)
{
  double t[REPEATS];
  for (int r = -1; r < REPEATS; ++r) {
    double start = now_seconds();
    if (reference) {
      cg_ref_conv_f32(l->desc, x, w, b, y);
    } else if (l->conv(x, w, b, y, ws) != CG_OK) {
      return -1.0;
    }
    if (r >= 0) t[r] = (now_seconds() - start) * 1e6;
  }
  qsort(t, REPEATS, sizeof t[0], compare_doubles);
  return t[REPEATS / 2];
}

static void *checked_alloc(size_t bytes)
{
  void *p = aligned_alloc(CG_WORKSPACE_ALIGN, (bytes + CG_WORKSPACE_ALIGN) / CG_WORKSPACE_ALIGN * CG_WORKSPACE_ALIGN);
  if (p == NULL) {
    fprintf(stderr, "demo: out of memory\n");
    exit(2);
  }
  return p;
}

int main(void)
{
  int failures = 0;
  printf("%-20s %-28s %10s %11s %12s %12s %9s %10s\n", "layer", "input -> output (NCHW)", "MACs",
         "max |err|", "convgen us", "ref us", "speedup", "workspace");
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) {
    const demo_layer *l = &layers[i];
    const cg_conv_desc *d = l->desc;
    size_t nx = cg_input_elems(d), nw = cg_weight_elems(d), ny = cg_output_elems(d);
    float *x = checked_alloc(nx * sizeof *x), *w = checked_alloc(nw * sizeof *w);
    float *b = checked_alloc((size_t)d->m * sizeof *b);
    float *y = checked_alloc(ny * sizeof *y), *ref = checked_alloc(ny * sizeof *ref);
    void *ws = checked_alloc(l->workspace_bytes);
    fill(x, nx, 1u + (uint32_t)i);
    fill(w, nw, 101u + (uint32_t)i);
    fill(b, (size_t)d->m, 201u + (uint32_t)i);
    const float *bias = d->has_bias ? b : NULL;

    double t_gen = median_us(l, x, w, bias, y, ws, 0);
    double t_ref = median_us(l, x, w, bias, ref, ws, 1);
    double max_err = 0.0, max_ref = 0.0;
    for (size_t k = 0; k < ny; ++k) {
      max_err = fmax(max_err, fabs((double)y[k] - (double)ref[k]));
      max_ref = fmax(max_ref, fabs((double)ref[k]));
    }
    /* float rounding over a K-term dot product stays far below this bound */
    size_t k_len = (size_t)(d->c / d->groups * d->kh * d->kw);
    int ok = t_gen >= 0.0 && max_err <= 8.0 * 1.2e-7 * (double)k_len * (max_ref + 1.0);
    failures += !ok;

    char shape[64];
    snprintf(shape, sizeof shape, "%dx%dx%dx%d -> %dx%dx%dx%d", d->n, d->c, d->h, d->w, d->n, d->m, d->oh, d->ow);
    printf("%-20s %-28s %10zu %11.2e %12.1f %12.1f %8.1fx %10zu%s\n", l->name, shape, ny * k_len, max_err,
           t_gen, t_ref, t_ref / t_gen, l->workspace_bytes, ok ? "" : "  MISMATCH");
    free(x); free(w); free(b); free(y); free(ref); free(ws);
  }
  printf("%s: %zu layers checked against the reference, %d mismatched\n", failures ? "FAILED" : "OK",
         sizeof layers / sizeof layers[0], failures);
  return failures ? 1 : 0;
}

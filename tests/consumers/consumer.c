/* A consumer program: runs every generated layer against the reference and checks the SIMD paths its CPU runs are compiled in. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer_model.h"
#include "consumer_kernels_kernel_paths.h"

typedef int (*conv_fn)(const float *x, const float *w, const float *bias, float *y, void *workspace);

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  conv_fn conv;
  size_t workspace_bytes;
} layer;

#define ENTRY(sym, SYM) { #sym, &sym##_desc, sym##_conv, SYM##_WORKSPACE_BYTES },
static const layer layers[] = { CONSUMER_MODEL_LAYERS_F32(ENTRY) };
#undef ENTRY

static void fill(float *v, size_t count, uint32_t seed)
{
  uint32_t s = seed * 2654435761u + 1u;
  for (size_t i = 0; i < count; ++i) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
    v[i] = (float)((double)(s >> 8) / 8388608.0 - 1.0);
  }
}

static int check_layer(const layer *l)
{
  size_t nx = cg_input_elems(l->desc), nw = cg_weight_elems(l->desc), ny = cg_output_elems(l->desc);
  size_t m = (size_t)l->desc->m;
  size_t ws = (l->workspace_bytes + CG_WORKSPACE_ALIGN - 1) / CG_WORKSPACE_ALIGN * CG_WORKSPACE_ALIGN;
  float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w), *b = malloc(m * sizeof *b);
  float *y = malloc(ny * sizeof *y), *ref = malloc(ny * sizeof *ref);
  void *work = ws ? aligned_alloc(CG_WORKSPACE_ALIGN, ws) : NULL;
  int failed = 0;
  if (!x || !w || !b || !y || !ref || (ws && !work)) {
    fprintf(stderr, "consumer: out of memory\n");
    exit(1);
  }
  fill(x, nx, 1u);
  fill(w, nw, 2u);
  fill(b, m, 3u);
  for (size_t i = 0; i < ny; ++i) y[i] = NAN; /* an output the kernel skips fails */
  cg_ref_conv_f32(l->desc, x, w, b, ref);
  if (l->conv(x, w, b, y, work) != CG_OK) {
    fprintf(stderr, "consumer: %s returned an error\n", l->name);
    failed = 1;
  }
  for (size_t i = 0; i < ny && !failed; ++i) {
    double err = fabs((double)y[i] - (double)ref[i]);
    if (!(err <= 1e-4 + 1e-4 * fabs((double)ref[i]))) {
      fprintf(stderr, "consumer: %s: y[%zu] = %.9g, reference %.9g\n", l->name, i, (double)y[i], (double)ref[i]);
      failed = 1;
    }
  }
  free(x); free(w); free(b); free(y); free(ref); free(work);
  return failed;
}

/* 1 if this CPU runs the SIMD path `name`, 0 if not, -1 if this program does not know the path. */
static int cpu_runs(const char *name)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  if (strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f") != 0;
  if (strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (strcmp(name, "neon") == 0) return 0;
#elif defined(__aarch64__)
  if (strcmp(name, "neon") == 0) return 1;
  if (strcmp(name, "avx512") == 0 || strcmp(name, "avx2") == 0) return 0;
#endif
  return -1;
}

/* Usage: consumer [PATH...]: the SIMD paths the generated code offers (its CONVGEN_* macros, lower case). */
int main(int argc, char **argv)
{
  int failed = 0;
  char compiled[256];
  snprintf(compiled, sizeof compiled, " %s ", consumer_kernels_kernel_paths);
  printf("kernel paths compiled in: %s\n", consumer_kernels_kernel_paths);
  for (int i = 1; i < argc; ++i) {
    char word[64];
    int runs = cpu_runs(argv[i]);
    snprintf(word, sizeof word, " %s ", argv[i]);
    if (runs < 0) {
      fprintf(stderr, "consumer: which CPU feature does the '%s' path need? Teach cpu_runs() in "
                      "tests/consumers/consumer.c\n", argv[i]);
      failed = 1;
    } else if (runs && strstr(compiled, word) == NULL) {
      fprintf(stderr, "consumer: this CPU runs the %s path, but the default build compiled it out\n", argv[i]);
      failed = 1;
    } else {
      printf("%s path: CPU %s, %s\n", argv[i], runs ? "has it" : "lacks it",
             strstr(compiled, word) ? "compiled in" : "compiled out");
    }
  }
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) failed |= check_layer(&layers[i]);
  printf("%s: %zu layers against the reference\n", failed ? "FAILED" : "OK", sizeof layers / sizeof layers[0]);
  return failed;
}

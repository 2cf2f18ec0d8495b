/* Times the portable cg_gemm_f32 against OpenBLAS's cblas_sgemm (one thread) on one shape, in one run. */
/* Build: cc -std=c99 -O2 -DCONVGEN_PORTABLE_GEMM -Iruntime tests/portable/bench_gemm.c
          runtime/gemm_portable.c $(pkg-config --cflags --libs openblas) -lm
   Usage: bench_gemm [M N K [REPEATS]]   (default 256 1024 576: C[M x N] = A[M x K] * B[K x N]) */
#define _POSIX_C_SOURCE 199309L

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "convgen.h"

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fill(float *v, size_t count, uint32_t seed) {
  uint32_t s = seed;
  size_t i;
  for (i = 0; i < count; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    v[i] = (float)((double)(s >> 8) / 8388608.0 - 1.0);
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#define MAX_REPEATS 101

int main(int argc, char **argv) {
  int m = 256, n = 1024, k = 576, repeats = 21, r, which;
  double t[2][MAX_REPEATS], med[2], max_diff = 0.0;
  float *a, *b, *c[2];
  size_t i;
  if (argc >= 4) {
    m = atoi(argv[1]);
    n = atoi(argv[2]);
    k = atoi(argv[3]);
  }
  if (argc >= 5)
    repeats = atoi(argv[4]);
  if (m <= 0 || n <= 0 || k <= 0 || repeats <= 0 || repeats > MAX_REPEATS) {
    fprintf(stderr, "usage: bench_gemm [M N K [REPEATS <= %d]]\n", MAX_REPEATS);
    return 2;
  }
  openblas_set_num_threads(1);
  a = malloc((size_t)m * (size_t)k * sizeof *a);
  b = malloc((size_t)k * (size_t)n * sizeof *b);
  c[0] = malloc((size_t)m * (size_t)n * sizeof *c[0]);
  c[1] = malloc((size_t)m * (size_t)n * sizeof *c[1]);
  if (a == NULL || b == NULL || c[0] == NULL || c[1] == NULL) {
    fprintf(stderr, "bench_gemm: out of memory\n");
    return 2;
  }
  fill(a, (size_t)m * (size_t)k, 1u);
  fill(b, (size_t)k * (size_t)n, 2u);

  /* Interleaved, after one warm-up call each, so both see the same machine state. */
  for (r = -1; r < repeats; ++r) {
    for (which = 0; which < 2; ++which) {
      double start = now_seconds();
      if (which == 0)
        cg_gemm_f32(CG_NO_TRANS, CG_NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c[0], n);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n,
                    0.0f, c[1], n);
      if (r >= 0)
        t[which][r] = now_seconds() - start;
    }
  }
  for (which = 0; which < 2; ++which) {
    qsort(t[which], (size_t)repeats, sizeof t[which][0], cmp_double);
    med[which] = t[which][repeats / 2];
  }
  for (i = 0; i < (size_t)m * (size_t)n; ++i)
    max_diff = fmax(max_diff, fabs((double)c[0][i] - (double)c[1][i]));
  printf("sgemm %dx%dx%d, median of %d, 1 thread\n", m, n, k, repeats);
  printf("  portable  %9.3f ms %8.2f GFLOP/s\n", med[0] * 1e3,
         2.0 * m * n * k / med[0] * 1e-9);
  printf("  openblas  %9.3f ms %8.2f GFLOP/s\n", med[1] * 1e3,
         2.0 * m * n * k / med[1] * 1e-9);
  printf("  portable / openblas time: %.2fx, max |difference| %.3g\n", med[0] / med[1], max_diff);
  free(a);
  free(b);
  free(c[0]);
  free(c[1]);
  return 0;
}

/* Times each baked layer's P_run against P_conv given the same weights in the plain order in RAM, and checks they agree (docs/onnx.md). */
#define _POSIX_C_SOURCE 200112L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "weights.h"
#include "unpack_weights.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static unsigned char workspace[MODEL_WORKSPACE_BYTES + 64];

/* 64-byte aligned, as gcc aligns a large const array: loads straddling cache lines would
   otherwise make P_conv slower for a reason that is not the weight order. */
static float *aligned_floats(size_t n) {
  void *p = NULL;
  if (posix_memalign(&p, 64, n * sizeof(float)) != 0) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

/* Interleaved (run and conv alternate, so drift hits both alike); the fastest call of each,
   the least disturbed by other work on a shared machine. */
#define BENCH(sym, SYM)                                                                   \
  do {                                                                                    \
    float *x = calloc(SYM##_INPUT_ELEMS, sizeof(float));                                   \
    float *y = malloc(SYM##_OUTPUT_ELEMS * sizeof(float));                                 \
    float *y_conv = malloc(SYM##_OUTPUT_ELEMS * sizeof(float));                            \
    float *w = aligned_floats(SYM##_WEIGHT_ELEMS); /* as aligned as a baked array */       \
    float *b = malloc(sizeof sym##_bias);                                                 \
    void *ws = workspace + (64 - (uintptr_t)workspace % 64);                               \
    if (SYM##_WEIGHTS_PREPACKED)                                                          \
      unpack_weights(&sym##_desc, SYM##_WEIGHT_ELEMS, sym##_weights, w);                          \
    else                                                                                  \
      memcpy(w, sym##_weights, SYM##_WEIGHT_ELEMS * sizeof(float));                       \
    memcpy(b, sym##_bias, sizeof sym##_bias);                                             \
    for (size_t i = 0; i < SYM##_INPUT_ELEMS; ++i) x[i] = (float)(i % 13) * 0.1f - 0.6f;  \
    double t_run = 1e30, t_conv = 1e30;                                                   \
    for (int rep = 0; rep < reps; ++rep) {                                                \
      double t0 = now();                                                                  \
      sym##_run(x, y, ws);                                                                \
      double t1 = now();                                                                  \
      sym##_conv(x, w, b, y_conv, ws);                                                    \
      double t2 = now();                                                                  \
      if (t1 - t0 < t_run) t_run = t1 - t0;                                               \
      if (t2 - t1 < t_conv) t_conv = t2 - t1;                                             \
    }                                                                                     \
    printf("%-16s %-6s P_run %9.2f us   P_conv %9.2f us   P_run/P_conv %.3f\n", #sym,     \
           SYM##_WEIGHTS_PREPACKED ? "packed" : "plain", 1e6 * t_run, 1e6 * t_conv,        \
           t_run / t_conv);                                                               \
    if (memcmp(y, y_conv, SYM##_OUTPUT_ELEMS * sizeof(float)) != 0) {                     \
      printf("%s: P_run and P_conv differ\n", #sym);                                      \
      failed = 1;                                                                         \
    }                                                                                     \
    free(x); free(y); free(y_conv); free(w); free(b);                                     \
  } while (0);

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 200;
  int failed = 0;
  if (reps < 1) reps = 1;
  MODEL_RUN_F32(BENCH)
  return failed;
}

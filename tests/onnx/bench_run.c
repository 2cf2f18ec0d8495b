/* Times each baked layer's P_run against P_conv given the same weights copied to RAM, and checks they agree (docs/onnx.md). */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "weights.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static unsigned char workspace[MODEL_WORKSPACE_BYTES + 64];

/* Median-free but interleaved: run and conv alternate so drift hits both alike. */
#define BENCH(sym, SYM)                                                                   \
  do {                                                                                    \
    float *x = calloc(SYM##_INPUT_ELEMS, sizeof(float));                                   \
    float *y = malloc(SYM##_OUTPUT_ELEMS * sizeof(float));                                 \
    float *y_conv = malloc(SYM##_OUTPUT_ELEMS * sizeof(float));                            \
    float *w = malloc(sizeof sym##_weights);                                               \
    float *b = malloc(sizeof sym##_bias);                                                  \
    void *ws = workspace + (64 - (uintptr_t)workspace % 64);                               \
    memcpy(w, sym##_weights, sizeof sym##_weights);                                       \
    memcpy(b, sym##_bias, sizeof sym##_bias);                                             \
    for (size_t i = 0; i < SYM##_INPUT_ELEMS; ++i) x[i] = (float)(i % 13) * 0.1f - 0.6f;  \
    double t_run = 0, t_conv = 0;                                                         \
    for (int rep = 0; rep < reps; ++rep) {                                                \
      double t0 = now();                                                                  \
      sym##_run(x, y, ws);                                                                \
      double t1 = now();                                                                  \
      sym##_conv(x, w, b, y_conv, ws);                                                    \
      t_run += t1 - t0;                                                                   \
      t_conv += now() - t1;                                                               \
    }                                                                                     \
    printf("%-10s P_run %8.1f us   P_conv %8.1f us   ratio %.3f\n", #sym, 1e6 * t_run / reps, \
           1e6 * t_conv / reps, t_run / t_conv);                                          \
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

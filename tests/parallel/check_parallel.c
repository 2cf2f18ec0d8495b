/* Checks every layer's P_conv_parallel against its P_conv bit for bit, with pool NULL and 1, 2, 3 and 7 threads of each pool. */
/* Build with -DCG_TEST_MODEL_HEADER='"p_model.h"' -DCG_TEST_LAYERS_F32=P_MODEL_LAYERS_F32
   -DCG_TEST_LAYERS_F64=P_MODEL_LAYERS_F64; CG_TEST_OPENMP and CG_TEST_PTHREADPOOL add those
   adapters to the test's own pthread pool and the serial adapter. */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_threads.h"
#include "convgen.h"
#include "test_pool.h"
#include CG_TEST_MODEL_HEADER

#ifdef CG_TEST_PTHREADPOOL
#include <pthreadpool.h>
#endif

static const size_t thread_counts[] = { 1, 2, 3, 7 };
#define THREAD_COUNTS (sizeof thread_counts / sizeof thread_counts[0])

enum { POOL_NULL, POOL_SERIAL, POOL_TEST, POOL_OPENMP, POOL_PTHREADPOOL, POOL_KINDS };
static const char *const pool_names[POOL_KINDS] = { "NULL", "serial", "pthread test pool", "OpenMP",
                                                     "pthreadpool" };

static int failures, runs;

/* Deterministic values in [-1, 1) with exact zeros and negative zeros mixed in. */
static uint32_t rng = 12345u;
static double next_value(void)
{
  rng = rng * 1664525u + 1013904223u;
  if ((rng >> 24) % 17 == 0) {
    return (rng >> 20) % 2 ? 0.0 : -0.0;
  }
  return (double)(rng >> 8) / (double)(1u << 23) - 1.0;
}

static void *xalloc(size_t bytes)
{
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes + 64) != 0) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

/* The pool of `kind` with `threads` threads (`storage` holds what it points at), or 0 when
   this build has no such pool. */
static int make_pool(int kind, size_t threads, size_t *storage, void **handle, cg_threadpool *pool)
{
  *handle = NULL;
  switch (kind) {
  case POOL_SERIAL:
    *pool = cg_threadpool_serial();
    return threads == 1;
  case POOL_TEST:
    *storage = threads;
    pool->parallel_for = test_pool_for;
    pool->pool = storage;
    pool->threads = threads;
    return 1;
#ifdef CG_TEST_OPENMP
  case POOL_OPENMP:
    *pool = cg_threadpool_openmp(threads);
    return 1;
#endif
#ifdef CG_TEST_PTHREADPOOL
  case POOL_PTHREADPOOL:
    *handle = pthreadpool_create(threads);
    if (*handle == NULL) {
      fprintf(stderr, "pthreadpool_create(%zu) failed\n", threads);
      exit(2);
    }
    *pool = cg_threadpool_pthreadpool(*handle);
    return 1;
#endif
  default:
    return 0;
  }
}

static void drop_pool(int kind, void *handle)
{
#ifdef CG_TEST_PTHREADPOOL
  if (kind == POOL_PTHREADPOOL && handle != NULL) {
    pthreadpool_destroy((pthreadpool_t)handle);
  }
#else
  (void)kind;
  (void)handle;
#endif
}

/* One layer: P_conv's output, then P_conv_parallel's with every pool and thread count, with
   and without bias, y prefilled with a NaN pattern so an unwritten element shows. */
#define CHECK_LAYER(sym, SYM, T)                                                                 \
  do {                                                                                           \
    T *x = (T *)xalloc(SYM##_INPUT_ELEMS * sizeof(T)), *w = (T *)xalloc(SYM##_WEIGHT_ELEMS * sizeof(T)); \
    T *bias = (T *)xalloc(SYM##_M * sizeof(T)), *want = (T *)xalloc(SYM##_OUTPUT_ELEMS * sizeof(T)); \
    T *got = (T *)xalloc(SYM##_OUTPUT_ELEMS * sizeof(T));                                        \
    void *ws = xalloc(SYM##_WORKSPACE_BYTES + 64);                                               \
    for (size_t i = 0; i < SYM##_INPUT_ELEMS; ++i) x[i] = (T)next_value();                      \
    for (size_t i = 0; i < SYM##_WEIGHT_ELEMS; ++i) w[i] = (T)next_value();                     \
    for (size_t i = 0; i < SYM##_M; ++i) bias[i] = (T)next_value();                             \
    for (int with_bias = 1; with_bias >= 0; --with_bias) {                                       \
      const T *b = with_bias ? bias : NULL;                                                      \
      if (sym##_conv(x, w, b, want, ws) != CG_OK) {                                              \
        fprintf(stderr, "%s: P_conv failed\n", #sym);                                            \
        ++failures;                                                                              \
        break;                                                                                   \
      }                                                                                          \
      for (int kind = 0; kind < POOL_KINDS; ++kind) {                                            \
        for (size_t t = 0; t < THREAD_COUNTS; ++t) {                                             \
          size_t storage;                                                                        \
          void *handle = NULL;                                                                        \
          cg_threadpool pool;                                                                    \
          const size_t threads = thread_counts[t];                                               \
          if (kind == POOL_NULL ? t > 0 : !make_pool(kind, threads, &storage, &handle, &pool)) continue; \
          void *pws = xalloc(SYM##_WORKSPACE_BYTES_PARALLEL(threads));                           \
          /* NaN in the workspace too: a part of the input left unstaged shows, not last call's */ \
          memset(pws, 0xff, SYM##_WORKSPACE_BYTES_PARALLEL(threads));                            \
          memset(got, 0xff, SYM##_OUTPUT_ELEMS * sizeof(T));                                     \
          const int rc = sym##_conv_parallel(x, w, b, got, pws, kind == POOL_NULL ? NULL : &pool); \
          ++runs;                                                                                \
          if (rc != CG_OK || memcmp(got, want, SYM##_OUTPUT_ELEMS * sizeof(T)) != 0) {           \
            size_t at = 0;                                                                       \
            while (at < SYM##_OUTPUT_ELEMS && memcmp(&got[at], &want[at], sizeof(T)) == 0) ++at; \
            fprintf(stderr, "%s: P_conv_parallel (%s pool, %zu threads, bias %s) returned %d; "   \
                    "first difference at y[%zu] of %zu: %.17g, P_conv %.17g\n", #sym,            \
                    pool_names[kind], threads, with_bias ? "given" : "NULL", rc, at,            \
                    (size_t)SYM##_OUTPUT_ELEMS, at < SYM##_OUTPUT_ELEMS ? (double)got[at] : 0.0, \
                    at < SYM##_OUTPUT_ELEMS ? (double)want[at] : 0.0);                           \
            ++failures;                                                                          \
          }                                                                                      \
          free(pws);                                                                             \
          drop_pool(kind, handle);                                                               \
        }                                                                                        \
      }                                                                                          \
    }                                                                                            \
    free(x); free(w); free(bias); free(want); free(got); free(ws);                              \
    ++layers;                                                                                    \
  } while (0);

#define CHECK_F32(sym, SYM) CHECK_LAYER(sym, SYM, float)
#define CHECK_F64(sym, SYM) CHECK_LAYER(sym, SYM, double)

int main(void)
{
  int layers = 0;
  CG_TEST_LAYERS_F32(CHECK_F32)
  CG_TEST_LAYERS_F64(CHECK_F64)
  printf("%d layers, %d P_conv_parallel runs, %d differing from P_conv\n", layers, runs, failures);
  return failures == 0 && layers > 0 ? 0 : 1;
}

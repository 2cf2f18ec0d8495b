/* convgen thread-pool adapters: cg_threadpool values for P_conv_parallel from a serial loop, OpenMP or pthreadpool. */
#ifndef CG_THREADS_H
#define CG_THREADS_H

#include <stddef.h>

#include "convgen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs every task in turn on the calling thread (threads = 1). threadpool_serial.c */
cg_threadpool cg_threadpool_serial(void);

/* An OpenMP parallel loop on up to `threads` threads (0: omp_get_max_threads(), i.e. what
   OMP_NUM_THREADS says). Built only when the compiler supports OpenMP. threadpool_openmp.c */
cg_threadpool cg_threadpool_openmp(size_t threads);

/* A pthreadpool_t (Debian's libpthreadpool, what XNNPACK uses) the caller created and
   still owns; tasks run with no flags, so denormals are left alone. threadpool_pthreadpool.c */
cg_threadpool cg_threadpool_pthreadpool(void *pthreadpool);

#ifdef __cplusplus
}
#endif

#endif /* CG_THREADS_H */

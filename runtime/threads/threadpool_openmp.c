/* The OpenMP cg_threadpool: one parallel loop per call, the team size carried in the pool pointer. */
#include <stdint.h>

#include <omp.h>

#include "cg_threads.h"

static void openmp_for(void *pool, cg_task_fn task, void *context, size_t count)
{
  const size_t threads = (size_t)(uintptr_t)pool;
  if (count == 0) {
    return;
  }
  const int team = (int)(count < threads ? count : threads);
  /* dynamic: tasks may outnumber threads, and a busy core (shared machines) takes fewer */
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (long i = 0; i < (long)count; ++i) {
    task(context, (size_t)i);
  }
}

cg_threadpool cg_threadpool_openmp(size_t threads)
{
  cg_threadpool pool;
  if (threads == 0) {
    threads = (size_t)omp_get_max_threads();
  }
  pool.parallel_for = openmp_for;
  pool.pool = (void *)(uintptr_t)threads;
  pool.threads = threads;
  return pool;
}

/* The pthreadpool cg_threadpool: pthreadpool_parallelize_1d, without PTHREADPOOL_FLAG_DISABLE_DENORMALS. */
#include <pthreadpool.h>

#include "cg_threads.h"

static void pthreadpool_for(void *pool, cg_task_fn task, void *context, size_t count)
{
  /* flags 0: the floating-point environment stays the caller's (bit-identical results) */
  pthreadpool_parallelize_1d((pthreadpool_t)pool, task, context, count, 0);
}

cg_threadpool cg_threadpool_pthreadpool(void *pthreadpool)
{
  cg_threadpool pool;
  pool.parallel_for = pthreadpool_for;
  pool.pool = pthreadpool;
  pool.threads = pthreadpool_get_threads_count((pthreadpool_t)pthreadpool);
  return pool;
}

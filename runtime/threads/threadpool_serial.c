/* The serial cg_threadpool: every task in turn on the calling thread. */
#include "cg_threads.h"

static void serial_for(void *pool, cg_task_fn task, void *context, size_t count)
{
  (void)pool;
  for (size_t i = 0; i < count; ++i) {
    task(context, i);
  }
}

cg_threadpool cg_threadpool_serial(void)
{
  cg_threadpool pool = { serial_for, NULL, 1 };
  return pool;
}

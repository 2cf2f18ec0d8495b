/* A small pthread-based cg_threadpool for the tests: each call starts its threads, each runs a fixed share, then joins. */
#ifndef CG_TEST_POOL_H
#define CG_TEST_POOL_H

#include <pthread.h>
#include <stddef.h>

#include "convgen.h"

/* One thread's share of a call: indices first, first + stride, ... (a fixed share, no lock
   between the threads, so ThreadSanitizer orders their tasks only by create and join and
   reports any two that touch the same bytes, however the scheduler happened to run them). */
typedef struct {
  size_t first, stride, count;
  cg_task_fn task;
  void *context;
} test_pool_share;

static void *test_pool_worker(void *arg)
{
  const test_pool_share *share = (const test_pool_share *)arg;
  for (size_t i = share->first; i < share->count; i += share->stride) {
    share->task(share->context, i);
  }
  return NULL;
}

/* pool points at the thread count (at most 16); the calling thread takes share 0. */
static void test_pool_for(void *pool, cg_task_fn task, void *context, size_t count)
{
  size_t threads = *(const size_t *)pool;
  pthread_t helpers[16];
  test_pool_share shares[16];
  size_t started = 0;
  if (threads > 16) {
    threads = 16;
  }
  if (threads < 1) {
    threads = 1;
  }
  for (size_t k = 0; k < threads; ++k) {
    shares[k].first = k;
    shares[k].stride = threads;
    shares[k].count = count;
    shares[k].task = task;
    shares[k].context = context;
  }
  for (size_t k = 1; k < threads; ++k) {
    if (pthread_create(&helpers[started], NULL, test_pool_worker, &shares[k]) != 0) {
      break;
    }
    ++started;
  }
  test_pool_worker(&shares[0]);
  for (size_t k = started + 1; k < threads; ++k) {
    test_pool_worker(&shares[k]); /* a thread that could not start: its share here */
  }
  for (size_t i = 0; i < started; ++i) {
    pthread_join(helpers[i], NULL);
  }
}

#endif /* CG_TEST_POOL_H */

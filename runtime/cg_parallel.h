/* The generic part of every generated P_conv_parallel (docs/threads.md): argument checks, task count, phases. */
#ifndef CG_PARALLEL_H
#define CG_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#include "convgen.h"

/* One P_conv_parallel call: its buffers, and the number of tasks it runs (set by cg_parallel_run). */
typedef struct cg_parallel_call {
  const void *x, *w, *bias;
  void *y;
  void *workspace;
  size_t tasks;
} cg_parallel_call;

/* What a generated layer decides, per SIMD branch: where its units start, and its two phases. */
typedef struct cg_parallel_split {
  const int *unit_starts; /* units + 1 indices of the split loop: unit u runs [unit_starts[u], unit_starts[u + 1]) */
  size_t units;
  /* Phase 1 (NULL: none), part `part` of `parts`: stages its share of the input the tasks share. */
  void (*stage)(const cg_parallel_call *call, size_t part, size_t parts);
  int stage_parts; /* 0: phase 1 is one part, run on the calling thread; 1: one part per task */
  /* Phase 2, task `task`: the split loop's indices [first, last). */
  void (*run)(const cg_parallel_call *call, size_t task, int first, int last);
} cg_parallel_split;

/* Tasks a call runs: one per pool thread, at most one per unit; 1 for pool NULL. */
static inline size_t cg_parallel_tasks(const cg_threadpool *pool, size_t units)
{
  if (pool == NULL || pool->threads <= 1) {
    return 1;
  }
  return pool->threads < units ? pool->threads : units;
}

/* Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte; NULL shares none. */
static inline int cg_parallel_overlaps(const void *a, size_t a_bytes, const void *b, size_t b_bytes)
{
  const uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
  if (a == NULL || b == NULL) {
    return 0;
  }
  return a0 >= b0 ? a0 - b0 < b_bytes : b0 - a0 < a_bytes;
}

/* P_conv's checks (docs/contract.md) on the call's buffers: bytes of x, w, bias, y and of the
   workspace this call uses. Returns CG_OK or the error code. */
static inline int cg_parallel_check(const cg_parallel_call *c, const cg_threadpool *pool, size_t x_bytes,
                                    size_t w_bytes, size_t b_bytes, size_t y_bytes, size_t ws_bytes)
{
  if (c->x == NULL || c->w == NULL || c->y == NULL || (c->workspace == NULL && ws_bytes > 0) ||
      (pool != NULL && pool->parallel_for == NULL)) {
    return CG_ERR_NULL_POINTER;
  }
  if (ws_bytes > 0 && (uintptr_t)c->workspace % CG_WORKSPACE_ALIGN != 0) {
    return CG_ERR_WORKSPACE_ALIGN;
  }
  if (cg_parallel_overlaps(c->y, y_bytes, c->x, x_bytes) || cg_parallel_overlaps(c->y, y_bytes, c->w, w_bytes) ||
      cg_parallel_overlaps(c->y, y_bytes, c->bias, b_bytes) ||
      cg_parallel_overlaps(c->y, y_bytes, c->workspace, ws_bytes) ||
      cg_parallel_overlaps(c->workspace, ws_bytes, c->x, x_bytes) ||
      cg_parallel_overlaps(c->workspace, ws_bytes, c->w, w_bytes) ||
      cg_parallel_overlaps(c->workspace, ws_bytes, c->bias, b_bytes)) {
    return CG_ERR_OVERLAP;
  }
  return CG_OK;
}

/* A task's context: the call and the layer's split. */
typedef struct cg_parallel_job {
  const cg_parallel_call *call;
  const cg_parallel_split *split;
} cg_parallel_job;

static inline void cg_parallel_stage_task(void *context, size_t part)
{
  const cg_parallel_job *job = (const cg_parallel_job *)context;
  job->split->stage(job->call, part, job->call->tasks);
}

/* Task i of T: units [i*U/T, (i+1)*U/T), one range of the split loop. */
static inline void cg_parallel_run_task(void *context, size_t task)
{
  const cg_parallel_job *job = (const cg_parallel_job *)context;
  const size_t units = job->split->units, tasks = job->call->tasks;
  job->split->run(job->call, task, job->split->unit_starts[task * units / tasks],
                  job->split->unit_starts[(task + 1) * units / tasks]);
}

/* Runs phase 1 (if any) and then phase 2 on the pool, or in turn when it has one thread. */
static inline void cg_parallel_run(cg_parallel_call *call, const cg_parallel_split *split, const cg_threadpool *pool)
{
  cg_parallel_job job;
  job.call = call;
  job.split = split;
  call->tasks = cg_parallel_tasks(pool, split->units);
  if (split->stage != NULL && (call->tasks == 1 || !split->stage_parts)) {
    split->stage(call, 0, 1);
  } else if (split->stage != NULL) {
    pool->parallel_for(pool->pool, cg_parallel_stage_task, &job, call->tasks);
  }
  if (call->tasks == 1) {
    cg_parallel_run_task(&job, 0);
    return;
  }
  pool->parallel_for(pool->pool, cg_parallel_run_task, &job, call->tasks);
}

#endif /* CG_PARALLEL_H */

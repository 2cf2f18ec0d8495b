/* bench/threads.c: the --threads N table: P_conv_parallel on a pinned pthreadpool against P_conv, oneDNN and XNNPACK. */
#define _GNU_SOURCE /* pthread_setaffinity_np, sched_getcpu */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthreadpool.h>

#include "bench_model.h"
#include "cg_threads.h"
#include "results.h"
#include "threads.h"

/* Every forward layer's two entry points, found by symbol name. */
typedef int (*conv_parallel_f32_fn)(const float *x, const float *w, const float *bias, float *y, void *workspace,
                                    const cg_threadpool *pool);
typedef int (*conv_parallel_f64_fn)(const double *x, const double *w, const double *bias, double *y,
                                    void *workspace, const cg_threadpool *pool);
typedef struct {
  const char *sym;
  conv_parallel_f32_fn par_f32;
  conv_parallel_f64_fn par_f64;
  size_t (*workspace)(size_t threads);
} parallel_entry;

#define PAR_F32(sym, SYM)                                                                   \
  static size_t sym##_ws(size_t threads) { return SYM##_WORKSPACE_BYTES_PARALLEL(threads); }
#define PAR_F64 PAR_F32
BENCH_MODEL_LAYERS_F32(PAR_F32)
BENCH_MODEL_LAYERS_F64(PAR_F64)
#define ENTRY_F32(sym, SYM) { #sym, sym##_conv_parallel, NULL, sym##_ws },
#define ENTRY_F64(sym, SYM) { #sym, NULL, sym##_conv_parallel, sym##_ws },
static const parallel_entry entries[] = { BENCH_MODEL_LAYERS_F32(ENTRY_F32) BENCH_MODEL_LAYERS_F64(ENTRY_F64) };

static const parallel_entry *find_entry(const bench_layer *l)
{
  char sym[256];
  snprintf(sym, sizeof sym, "%s%s", BENCH_PREFIX, l->name);
  for (size_t i = 0; i < sizeof entries / sizeof entries[0]; ++i) {
    if (strcmp(entries[i].sym, sym) == 0) return &entries[i];
  }
  return NULL;
}

/* ---- pinning: worker i of the pool to CPU i ---------------------------------------------------------------- */

typedef struct {
  size_t threads;
  volatile int arrived;
  int pinned;
} pin_job;

/* Task i of `threads`: waits until all have started (so each thread of the pool takes exactly
   one, none steals a second), then pins its thread to CPU i. */
static void pin_task(void *context, size_t i)
{
  pin_job *job = context;
  __sync_fetch_and_add(&job->arrived, 1);
  while ((size_t)job->arrived < job->threads) {
    sched_yield();
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(i, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0) __sync_fetch_and_add(&job->pinned, 1);
}

/* ---- how many tasks a call runs: a pool that counts, then forwards ------------------------------------------ */

typedef struct {
  const cg_threadpool *inner;
  size_t most; /* the largest task count asked for; 0: the call never used the pool (P_conv whole) */
} counting_pool;

static void counting_for(void *pool, cg_task_fn task, void *context, size_t count)
{
  counting_pool *c = pool;
  if (count > c->most) c->most = count;
  c->inner->parallel_for(c->inner->pool, task, context, count);
}

/* ---- one layer -------------------------------------------------------------------------------------------- */

typedef struct {
  const parallel_entry *e;
  const void *x, *w, *bias;
  void *y, *workspace;
  const cg_threadpool *pool; /* NULL: P_conv */
  bench_conv_f32_fn conv_f32;
  bench_conv_f64_fn conv_f64;
} threads_call;

static int run_call(void *state)
{
  threads_call *c = state;
  int rc;
  if (c->pool == NULL) {
    rc = c->conv_f32 != NULL ? c->conv_f32(c->x, c->w, c->bias, c->y, c->workspace)
                             : c->conv_f64(c->x, c->w, c->bias, c->y, c->workspace);
  } else {
    rc = c->e->par_f32 != NULL ? c->e->par_f32(c->x, c->w, c->bias, c->y, c->workspace, c->pool)
                               : c->e->par_f64(c->x, c->w, c->bias, c->y, c->workspace, c->pool);
  }
  return rc == CG_OK ? 0 : -1;
}

/* The fastest oneDNN variant of the row (the user's layout or its own), or -1. */
static double best_dnnl(const layer_result *r)
{
  double best = -1.0;
  const int variants[] = { IMPL_DNNL_PLAIN, IMPL_DNNL_PLAINW, IMPL_DNNL_BLOCKED };
  for (int k = 0; k < 3; ++k) {
    if (r->status[variants[k]] == BENCH_OK && (best < 0 || r->us[variants[k]] < best)) best = r->us[variants[k]];
  }
  return best;
}

static void print_us(double us)
{
  if (us > 0) {
    bench_out(" %10.1f", us);
  } else {
    bench_out(" %10s", "n/a");
  }
}

int bench_threads_table(const layer_result *rows, int n, const bench_timing *t)
{
  const size_t threads = (size_t)t->threads;
  pthreadpool_t ptp = pthreadpool_create(threads);
  if (ptp == NULL) {
    bench_out("\nthreads table: pthreadpool_create(%zu) failed\n", threads);
    return 1;
  }
  cg_threadpool pool = cg_threadpool_pthreadpool(ptp);
  cpu_set_t saved;
  pthread_getaffinity_np(pthread_self(), sizeof saved, &saved);
  pin_job job = { threads, 0, 0 };
  pthreadpool_parallelize_1d(ptp, pin_task, &job, threads, 0);
  /* OpenMP (oneDNN, OMP_WAIT_POLICY=PASSIVE) and OpenBLAS workers spin for a while after their
     last call: let them go to sleep before the first timing. */
  struct timespec settle = { 0, 200 * 1000 * 1000 };
  nanosleep(&settle, NULL);

  bench_out("\nThreaded forward: P_conv_parallel on a pthreadpool of %zu threads (%d of them pinned, worker i to CPU i) "
            "against P_conv\n(one thread) in this run, and against this run's oneDNN (OpenMP, OMP_NUM_THREADS=%zu, "
            "best of its three variants)\nand XNNPACK (pthreadpool, %zu threads) rows above. Each P_conv_parallel result "
            "equals P_conv's bit for bit before timing.\ntasks: how many tasks P_conv_parallel asked the pool for "
            "(\"whole\": none, it called P_conv).\n",
            threads, job.pinned, threads, threads);
  bench_out("%-18s %8s %10s %10s %8s %10s %10s %8s %6s\n", "layer", "MFLOP", "P_conv us", "parallel",
            "scaling", "oneDNN", "XNNPACK", "vs best", "tasks");
  double log_scaling = 0, log_vs = 0;
  int count_scaling = 0, count_vs = 0, count_whole = 0, failures = 0;
  for (int i = 0; i < n; ++i) {
    const layer_result *r = &rows[i];
    if (r->pass != BENCH_PASS_FWD) continue;
    const bench_layer *l = r->layer;
    const parallel_entry *e = find_entry(l);
    if (e == NULL) continue;
    const cg_conv_desc *d = l->desc;
    const size_t elem = d->dtype == CG_DTYPE_F64 ? sizeof(double) : sizeof(float);
    const size_t x_elems = cg_input_elems(d), y_elems = cg_output_elems(d), w_elems = cg_weight_elems(d);
    const size_t m = d->m > 0 ? (size_t)d->m : 0;
    void *x = bench_alloc(x_elems * elem), *w = bench_alloc(w_elems * elem), *bias = bench_alloc(m * elem);
    void *y_ref = bench_alloc(y_elems * elem), *y = bench_alloc(y_elems * elem);
    void *ws = bench_alloc(l->workspace_bytes + 64), *pws = bench_alloc(e->workspace(threads) + 64);
    bench_fill(x, x_elems, elem, 11u);
    bench_fill(w, w_elems, elem, 12u);
    bench_fill(bias, m, elem, 13u);
    const void *b = d->has_bias ? bias : NULL;
    threads_call serial = { e, x, w, b, y_ref, ws, NULL, l->conv_f32, l->conv_f64 };
    counting_pool counter = { &pool, 0 };
    const cg_threadpool counted = { counting_for, &counter, pool.threads };
    threads_call check = { e, x, w, b, y, pws, &counted, l->conv_f32, l->conv_f64 };
    threads_call parallel = { e, x, w, b, y, pws, &pool, l->conv_f32, l->conv_f64 };
    bench_fill_nan(y, y_elems, elem);
    int ok = run_call(&serial) == 0 && run_call(&check) == 0 && memcmp(y, y_ref, y_elems * elem) == 0;
    const double mflop = r->gflop * 1e3;
    bench_out("%-18s %8.1f", l->name, mflop);
    if (!ok) {
      bench_out("  FAIL: P_conv_parallel differs from P_conv (or failed)\n");
      ++failures;
    } else {
      bench_timed timed[2] = { { run_call, &serial, 0, 0 }, { run_call, &parallel, 0, 0 } };
      bench_time_round_robin(timed, 2, t->samples, t->min_seconds);
      const double scaling = timed[0].median_us / timed[1].median_us;
      const double dnnl = best_dnnl(r);
      const double xnn = r->status[IMPL_XNNPACK] == BENCH_OK ? r->us[IMPL_XNNPACK] : -1.0;
      double best = dnnl;
      if (xnn > 0 && (best < 0 || xnn < best)) best = xnn;
      print_us(timed[0].median_us);
      print_us(timed[1].median_us);
      bench_out(" %7.2fx", scaling);
      print_us(dnnl);
      print_us(xnn);
      if (best > 0) {
        bench_out(" %7.2fx", best / timed[1].median_us);
      } else {
        bench_out(" %8s", "n/a");
      }
      if (counter.most > 0) {
        bench_out(" %6zu\n", counter.most);
      } else {
        bench_out(" %6s\n", "whole");
      }
      if (mflop >= 10.0) {
        log_scaling += log(scaling);
        ++count_scaling;
        if (counter.most == 0) ++count_whole;
        if (best > 0) {
          log_vs += log(best / timed[1].median_us);
          ++count_vs;
        }
      }
    }
    free(x), free(w), free(bias), free(y_ref), free(y), free(ws), free(pws);
  }
  if (count_scaling > 0) {
    bench_out("geometric mean over the %d layers of 10 MFLOP or more: scaling %.2fx over P_conv", count_scaling,
              exp(log_scaling / count_scaling));
    if (count_vs > 0) bench_out(", %.2fx the faster of oneDNN and XNNPACK (%d layers)", exp(log_vs / count_vs), count_vs);
    bench_out("\n%d of them ran P_conv whole in this build (tasks \"whole\": their branch does not split, "
              "docs/threads.md)\n", count_whole);
  }
  pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  pthreadpool_destroy(ptp);
  return failures;
}

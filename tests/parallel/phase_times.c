/* phase_times.c: thread CPU time of one layer's P_conv, P_conv_parallel's phase 1 parts and units (docs/threads.md). */
/* Built by phase_times.sh with the layer's generated .c included (its static driver, unit table and phase
   functions are what is timed). Best of the rounds, all in one thread, interleaved; prints the serial
   fraction of a two-task call and the scaling expected from these times. */
#define _GNU_SOURCE /* clock_gettime on glibc with -std=c99 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include LAYER_C

#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)

static double cpu_us(void)
{
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

static void *buffer(size_t bytes)
{
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes + 64) != 0) exit(2);
  return p;
}

static void keep_best(double *best, double t0) { const double t = cpu_us() - t0; if (t < *best) *best = t; }

int main(int argc, char **argv)
{
  const int rounds = argc > 1 ? atoi(argv[1]) : 21;
  const cg_conv_desc *d = &XCAT(SYM, _desc);
  const size_t xe = cg_input_elems(d), we = cg_weight_elems(d), ye = cg_output_elems(d);
  size_t ws_bytes = XCAT(USYM, _WORKSPACE_BYTES_PARALLEL)(2);
  if (XCAT(USYM, _WORKSPACE_BYTES) > ws_bytes) ws_bytes = XCAT(USYM, _WORKSPACE_BYTES);
  float *x = buffer(xe * sizeof(float)), *w = buffer(we * sizeof(float)), *y = buffer(ye * sizeof(float));
  float *bias = buffer((size_t)d->m * sizeof(float));
  void *ws = buffer(ws_bytes);
  for (size_t i = 0; i < xe; ++i) x[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (size_t i = 0; i < we; ++i) w[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
  for (int i = 0; i < d->m; ++i) bias[i] = 0.01f * (float)(i % 7);
  const float *b = d->has_bias ? bias : NULL;
  const int units = (int)parallel_split.units;
  double conv = 1e30, stage[2] = { 1e30, 1e30 }, unit[64];
  if (units > 64) return 2;
  for (int u = 0; u < units; ++u) unit[u] = 1e30;
  cg_parallel_call call = { x, w, b, y, ws, 2 };
  for (int r = 0; r < rounds; ++r) {
    double t0 = cpu_us();
    XCAT(SYM, _conv)(x, w, b, y, ws);
    keep_best(&conv, t0);
    for (size_t part = 0; part < 2 && parallel_split.stage != NULL; ++part) {
      t0 = cpu_us();
      if (parallel_split.stage_parts) {
        parallel_split.stage(&call, part, 2);
      } else if (part == 0) {
        parallel_split.stage(&call, 0, 1); /* one part, on the calling thread */
      }
      keep_best(&stage[part], t0);
    }
    for (int u = 0; u < units; ++u) {
      t0 = cpu_us();
      parallel_split.run(&call, 0, parallel_split.unit_starts[u], parallel_split.unit_starts[u + 1]);
      keep_best(&unit[u], t0);
    }
  }
  if (parallel_split.stage == NULL) stage[0] = stage[1] = 0;
  /* two tasks: units [0, U/2) and [U/2, U), as cg_parallel_run deals them */
  double task[2] = { 0, 0 };
  for (int u = 0; u < units; ++u) task[u < units / 2 ? 0 : 1] += unit[u];
  const double phase1 = stage[0] > stage[1] ? stage[0] : stage[1];
  const double critical = phase1 + (task[0] > task[1] ? task[0] : task[1]);
  printf("%-16s P_conv %9.1f us | phase 1 %7.1f + %7.1f | %d units, tasks %9.1f / %9.1f | serial %5.1f%% | "
         "expected %.2fx\n", NAME, conv, stage[0], stage[1], units, task[0], task[1], 100.0 * phase1 / critical,
         conv / critical);
  return 0;
}

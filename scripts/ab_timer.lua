-- Writes a C program that times two generated variants of the same layers against each other (A/B on a busy machine).
--
--   lua5.4 scripts/ab_timer.lua SPEC.lua > ab.c
--
-- Generate the spec twice, from the two trees being compared, with --prefix a_ and --prefix b_
-- (e.g. `lua5.4 OLD/generator/convgen.lua --prefix a_ SPEC.lua -o gen_a`, the same with b_ from
-- the new tree), compile both directories' .c files with ab.c (-Igen_a -Igen_b -Iruntime, plus
-- runtime/gemm_cblas.c runtime/sizes.c runtime/reference.c -lopenblas -lm) and run `./ab ROUNDS
-- [NAME]`. Per layer it checks that B's output matches A's (largest difference printed), then
-- alternates A and B ROUNDS times, each timing at least 2 ms of back-to-back calls on the thread's
-- CPU clock (CLOCK_THREAD_CPUTIME_ID: other processes' time is not counted, their cache traffic
-- still is), and prints the best time of each and A/B (> 1: B is faster).

local spec = arg[1] or error("usage: lua5.4 scripts/ab_timer.lua SPEC.lua > ab.c")
local layers = dofile(spec).layers

local out = {}
local function line(s) out[#out + 1] = s end
line("/* A/B timer of two generated variants (scripts/ab_timer.lua " .. spec .. "). */")
line("#define _POSIX_C_SOURCE 199309L")
line("#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <time.h>")
for _, L in ipairs(layers) do
  line(string.format('#include "a_%s.h"\n#include "b_%s.h"', L.name, L.name))
end
line([[

typedef int (*conv_fn)(const float *, const float *, const float *, float *, void *);

static double now_us(void)
{
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static float *random_buffer(size_t n)
{
  float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  for (size_t i = 0; i < n; ++i) p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
  return p;
}

/* Mean time of `reps` back-to-back calls. */
static double time_calls(conv_fn f, const float *x, const float *w, const float *b, float *y, void *ws, int reps)
{
  const double t0 = now_us();
  for (int r = 0; r < reps; ++r) f(x, w, b, y, ws);
  return (now_us() - t0) / reps;
}

static void compare(const char *name, conv_fn fa, conv_fn fb, size_t x_n, size_t w_n, size_t y_n, size_t m,
                    size_t ws_a, size_t ws_b, double macs, int rounds)
{
  float *x = random_buffer(x_n), *w = random_buffer(w_n), *b = random_buffer(m);
  float *ya = random_buffer(y_n), *yb = random_buffer(y_n);
  void *sa = aligned_alloc(64, ws_a + 64), *sb = aligned_alloc(64, ws_b + 64);
  double diff = 0.0, best_a = 1e30, best_b = 1e30;
  int reps = 1;
  fa(x, w, b, ya, sa);
  fb(x, w, b, yb, sb);
  for (size_t i = 0; i < y_n; ++i) diff = fmax(diff, fabs((double)ya[i] - yb[i]));
  while (time_calls(fa, x, w, b, ya, sa, reps) * reps < 2000.0) reps *= 2;
  for (int r = 0; r < rounds; ++r) {
    best_a = fmin(best_a, time_calls(fa, x, w, b, ya, sa, reps));
    best_b = fmin(best_b, time_calls(fb, x, w, b, yb, sb, reps));
  }
  printf("%-16s A %9.1f us (%5.1f GF/s)  B %9.1f us (%5.1f GF/s)  A/B %.3f  max |A-B| %.2e\n", name, best_a,
         2e-3 * macs / best_a, best_b, 2e-3 * macs / best_b, best_a / best_b, diff);
  free(x); free(w); free(b); free(ya); free(yb); free(sa); free(sb);
}

int main(int argc, char **argv)
{
  const int rounds = argc > 1 ? atoi(argv[1]) : 20;
  const char *only = argc > 2 ? argv[2] : NULL;]])
for _, L in ipairs(layers) do
  local A, B = "A_" .. L.name:upper(), "B_" .. L.name:upper()
  line(string.format('  if (only == NULL || strcmp(only, "%s") == 0) {', L.name))
  line(string.format('    compare("%s", a_%s_conv, b_%s_conv, %s_INPUT_ELEMS, %s_WEIGHT_ELEMS, %s_OUTPUT_ELEMS, %s_M,',
    L.name, L.name, L.name, A, A, A, A))
  line(string.format('            %s_WORKSPACE_BYTES, %s_WORKSPACE_BYTES,', A, B))
  line(string.format('            (double)%s_OUTPUT_ELEMS * %s_WEIGHT_ELEMS / %s_M, rounds);', A, A, A))
  line("  }")
end
line("  return 0;\n}")
io.write(table.concat(out, "\n"), "\n")

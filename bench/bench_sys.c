/* bench/bench_sys.c: the benchmark's process set-up (threads, OpenBLAS core, re-exec), machine facts, buffers and the round-robin timer. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#ifdef BENCH_HAVE_OPENBLAS
/* OpenBLAS extensions; declared here so that any cblas.h (or none) will do. */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
#endif

/* Set in the environment of the re-executed bench, so it never loops. */
#define REEXEC_MARK "CONVGEN_BENCH_REEXEC"
/* Set when the bench itself chose OPENBLAS_CORETYPE, to say so in the report. */
#define CORE_MARK "CONVGEN_BENCH_SET_CORETYPE"

double bench_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void *bench_alloc(size_t bytes)
{
  size_t rounded = (bytes + 64 + 63) / 64 * 64; /* never 0, room for readers' slack */
  void *p = NULL;
  if (posix_memalign(&p, 64, rounded) != 0 || p == NULL) {
    fprintf(stderr, "bench: out of memory (%zu bytes)\n", bytes);
    exit(2);
  }
  memset(p, 0, rounded);
  return p;
}

void bench_fill(void *v, size_t elems, size_t elem_size, unsigned seed)
{
  uint32_t s = (uint32_t)seed * 2654435761u + 12345u;
  for (size_t i = 0; i < elems; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    double value = (double)(s >> 8) / 8388608.0 - 1.0;
    if (elem_size == 1) {
      ((int8_t *)v)[i] = (int8_t)((int)(s >> 24) - 128);
    } else if (elem_size == sizeof(float)) {
      ((float *)v)[i] = (float)value;
    } else {
      ((double *)v)[i] = value;
    }
  }
}

void bench_fill_nan(void *v, size_t elems, size_t elem_size)
{
  if (elem_size == 1) {
    memset(v, 0x5a, elems);
    return;
  }
  for (size_t i = 0; i < elems; ++i) {
    if (elem_size == sizeof(float)) {
      ((float *)v)[i] = (float)NAN;
    } else {
      ((double *)v)[i] = (double)NAN;
    }
  }
}

static int compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Warm-up, then the smallest power-of-growth repetition count whose back-to-back
   calls last at least min_seconds. Returns 0, or -1 when a call failed. */
static long calibrate(bench_timed *t, double min_seconds)
{
  if (t->run(t->state) != 0) return -1;
  long reps = 1;
  for (;;) {
    double start = bench_now();
    for (long r = 0; r < reps; ++r) {
      if (t->run(t->state) != 0) return -1;
    }
    double elapsed = bench_now() - start;
    if (elapsed >= min_seconds) return reps;
    double want = elapsed > 0.0 ? (double)reps * min_seconds * 1.2 / elapsed : (double)reps * 100.0;
    long next = want > (double)reps * 100.0 ? reps * 100 : (long)ceil(want);
    reps = next > reps ? next : reps * 2;
  }
}

void bench_time_round_robin(bench_timed *t, int count, int samples, double min_seconds)
{
  if (count <= 0) return;
  if (samples < 1) samples = 1;
  double *times = bench_alloc((size_t)count * (size_t)samples * sizeof *times);
  for (int i = 0; i < count; ++i) {
    t[i].reps = calibrate(&t[i], min_seconds);
    t[i].median_us = -1.0;
  }
  /* Sample s starts at callable s mod count, so none always runs first or after the same neighbour. */
  for (int s = 0; s < samples; ++s) {
    for (int k = 0; k < count; ++k) {
      bench_timed *c = &t[(s + k) % count];
      if (c->reps < 0) continue;
      double start = bench_now();
      for (long r = 0; r < c->reps; ++r) {
        if (c->run(c->state) != 0) {
          c->reps = -1;
          break;
        }
      }
      times[(size_t)((s + k) % count) * (size_t)samples + (size_t)s] =
          (bench_now() - start) * 1e6 / (double)(c->reps > 0 ? c->reps : 1);
    }
  }
  for (int i = 0; i < count; ++i) {
    if (t[i].reps < 0) continue;
    double *mine = times + (size_t)i * (size_t)samples;
    qsort(mine, (size_t)samples, sizeof *mine, compare_doubles);
    t[i].median_us = samples % 2 ? mine[samples / 2] : 0.5 * (mine[samples / 2 - 1] + mine[samples / 2]);
  }
  free(times);
}

/* The OpenBLAS core this CPU should run, when OpenBLAS's own pick would be worse:
   Debian's OpenBLAS 0.3.21 does not know AMD Zen 4/5 and falls back to its AVX2
   Haswell kernels although the CPU runs the AVX-512 SkylakeX ones. NULL: leave it. */
static const char *better_openblas_core(void)
{
#if defined(BENCH_HAVE_OPENBLAS) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
    const char *current = openblas_get_corename();
    static const char *const avx512_cores[] = { "skylakex", "cooperlake", "sapphirerapids" };
    for (size_t i = 0; i < sizeof avx512_cores / sizeof avx512_cores[0]; ++i) {
      size_t n = strlen(avx512_cores[i]);
      if (current != NULL && strlen(current) == n) {
        int same = 1;
        for (size_t k = 0; k < n; ++k) {
          char ch = current[k];
          if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
          same &= ch == avx512_cores[i][k];
        }
        if (same) return NULL;
      }
    }
    return "SkylakeX";
  }
#endif
  return NULL;
}

static int set_if_different(const char *name, const char *value)
{
  const char *now = getenv(name);
  if (now != NULL && strcmp(now, value) == 0) return 0;
  setenv(name, value, 1);
  return 1;
}

/* OpenBLAS picks its core and the OpenMP runtime under oneDNN its thread count
   when the libraries load, before main; so the environment they need is set
   here and the bench re-executes itself once if anything had to change.
   blas_core: "best" (the best core the CPU runs, even over an OPENBLAS_CORETYPE
   already in the environment), "keep" (whatever OpenBLAS and the environment
   chose) or a core name to force. */
void bench_prepare_process(char **argv, int threads, const char *blas_core)
{
  char want[32];
  snprintf(want, sizeof want, "%d", threads);
  int changed = set_if_different("OPENBLAS_NUM_THREADS", want);
  changed |= set_if_different("OMP_NUM_THREADS", want);
  if (threads > 1) {
    /* Three thread pools take turns (OpenBLAS's, oneDNN's OpenMP team, XNNPACK's):
       idle workers must sleep at once rather than spin on the cores the next
       implementation needs. */
    changed |= set_if_different("OMP_WAIT_POLICY", "PASSIVE");
    changed |= set_if_different("OPENBLAS_THREAD_TIMEOUT", "4");
  }
  if (getenv(REEXEC_MARK) == NULL) {
    const char *previous = getenv("OPENBLAS_CORETYPE");
    char note[160];
    int best = strcmp(blas_core, "best") == 0;
    snprintf(note, sizeof note, "%s; in the environment it %s%s",
             best ? "the CPU has AVX-512F/BW/DQ/VL" : "--blas-core", previous != NULL ? "was " : "was unset",
             previous != NULL ? previous : "");
    const char *core = NULL;
    if (best) {
      core = better_openblas_core();
    } else if (strcmp(blas_core, "keep") != 0) {
      core = blas_core;
    }
    if (core != NULL && set_if_different("OPENBLAS_CORETYPE", core)) {
      setenv(CORE_MARK, note, 1);
      changed = 1;
    }
  }
  if (changed && getenv(REEXEC_MARK) == NULL) {
    setenv(REEXEC_MARK, "1", 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "bench: cannot re-execute itself (%s): OpenBLAS keeps its own core and thread count\n",
            strerror(errno));
  }
  bench_set_blas_threads(threads);
}

void bench_set_blas_threads(int threads)
{
#ifdef BENCH_HAVE_OPENBLAS
  openblas_set_num_threads(threads);
#else
  (void)threads;
#endif
}

const char *bench_openblas_core(void)
{
#ifdef BENCH_HAVE_OPENBLAS
  const char *name = openblas_get_corename();
  return name != NULL ? name : "(unknown)";
#else
  return "(no OpenBLAS: portable GEMM)";
#endif
}

const char *bench_openblas_core_origin(void)
{
  static char text[256];
  const char *mark = getenv(CORE_MARK), *env = getenv("OPENBLAS_CORETYPE");
  if (mark != NULL) {
    snprintf(text, sizeof text, "OPENBLAS_CORETYPE=%s set by the bench, %s", env != NULL ? env : "?", mark);
  } else if (env != NULL) {
    snprintf(text, sizeof text, "OPENBLAS_CORETYPE=%s from the environment", env);
  } else {
    snprintf(text, sizeof text, "OpenBLAS's own choice");
  }
  return text;
}

void bench_cpu_model(char *buf, size_t len)
{
  snprintf(buf, len, "unknown CPU");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f == NULL) return;
  char line[512];
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "model name", 10) == 0) {
      const char *colon = strchr(line, ':');
      if (colon != NULL) {
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        snprintf(buf, len, "%s", colon);
        buf[strcspn(buf, "\n")] = '\0';
      }
      break;
    }
  }
  fclose(f);
}

/* The L2 (data or unified) cache of CPU 0 from sysfs; 0 when unknown. */
size_t bench_l2_bytes(void)
{
  for (int index = 0; index < 8; ++index) {
    char path[128], text[64];
    unsigned long level = 0, size = 0;
    char unit = 0;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
    FILE *f = fopen(path, "r");
    if (f == NULL) continue;
    int ok = fscanf(f, "%lu", &level) == 1;
    fclose(f);
    if (!ok || level != 2) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
    f = fopen(path, "r");
    if (f != NULL) {
      ok = fgets(text, sizeof text, f) != NULL;
      fclose(f);
      if (ok && strncmp(text, "Instruction", 11) == 0) continue;
    }
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
    f = fopen(path, "r");
    if (f == NULL) continue;
    int fields = fscanf(f, "%lu%c", &size, &unit);
    fclose(f);
    if (fields < 1) continue;
    if (fields == 2 && (unit == 'K' || unit == 'k')) size *= 1024ul;
    if (fields == 2 && (unit == 'M' || unit == 'm')) size *= 1024ul * 1024ul;
    return (size_t)size;
  }
  return 0;
}

/* The 1-minute load average (/proc/loadavg), or -1 where there is none: other
   work on the machine shows in every timing, so the tables state it. */
double bench_load_average(void)
{
  double load = -1.0;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f == NULL) return -1.0;
  if (fscanf(f, "%lf", &load) != 1) load = -1.0;
  fclose(f);
  return load;
}

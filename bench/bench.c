/* bench/bench.c: `make bench`'s driver: its options and layers; measure.c checks then times each layer and pass, report.c writes the tables, CSV and charts. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_model.h"
#include "bench_suites.h"
#include "results.h"
#ifdef BENCH_HAVE_THREADS
#include "threads.h"
#endif

#ifndef BENCH_PREFIX
#define BENCH_PREFIX "bench_"
#endif
#ifndef BENCH_OUTPUT_DIR
#define BENCH_OUTPUT_DIR "."
#endif

/* ---- layers ---------------------------------------------------------------------------------------------------- */

#define LAYER_F32(sym, SYM)                                                                               \
  { #sym, "", &sym##_desc, sym##_conv, NULL, sym##_im2col, NULL, NULL, NULL, NULL, NULL, NULL, NULL,      \
    SYM##_WORKSPACE_BYTES, (size_t)SYM##_COL_ROWS * (size_t)SYM##_COL_COLS },
#define LAYER_F64(sym, SYM)                                                                               \
  { #sym, "", &sym##_desc, NULL, sym##_conv, NULL, sym##_im2col, NULL, NULL, NULL, NULL, NULL, NULL,      \
    SYM##_WORKSPACE_BYTES, (size_t)SYM##_COL_ROWS * (size_t)SYM##_COL_COLS },
#define LAYER_S8(sym, SYM)                                                                                \
  { #sym, "", &sym##_desc, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, sym##_conv, &sym##_quant,     \
    SYM##_WORKSPACE_BYTES, (size_t)SYM##_COL_ROWS * (size_t)SYM##_COL_COLS },
static bench_layer generated[] = {
  BENCH_MODEL_LAYERS_F32(LAYER_F32) BENCH_MODEL_LAYERS_F64(LAYER_F64) BENCH_MODEL_LAYERS_S8(LAYER_S8)
};
#undef LAYER_F32
#undef LAYER_F64
#undef LAYER_S8
#define LAYER_COUNT (sizeof generated / sizeof generated[0])

/* The gradient functions of the layers generated with backward = true, found
   by descriptor; the last entry only keeps the list non-empty. */
static const struct {
  const cg_conv_desc *desc;
  bench_bwd_data_f32_fn data_f32;
  bench_bwd_weights_f32_fn weights_f32;
  bench_bwd_data_f64_fn data_f64;
  bench_bwd_weights_f64_fn weights_f64;
} gradients[] = {
#define BACKWARD_F32(sym, SYM) { &sym##_desc, sym##_conv_backward_data, sym##_conv_backward_weights, NULL, NULL },
#define BACKWARD_F64(sym, SYM) { &sym##_desc, NULL, NULL, sym##_conv_backward_data, sym##_conv_backward_weights },
  BENCH_MODEL_BACKWARD_F32(BACKWARD_F32) BENCH_MODEL_BACKWARD_F64(BACKWARD_F64)
#undef BACKWARD_F32
#undef BACKWARD_F64
  { NULL, NULL, NULL, NULL, NULL },
};

static int has_backward(const bench_layer *l)
{
  return l->bwd_data_f32 != NULL || l->bwd_data_f64 != NULL;
}

/* Which layers a pass has: fwd the float layers, the backward passes those with gradients, s8 the int8 layers. */
static int layer_in_pass(const bench_layer *l, bench_pass pass)
{
  if (pass == BENCH_PASS_S8) return l->conv_s8 != NULL;
  if (pass == BENCH_PASS_FWD) return l->conv_s8 == NULL;
  return has_backward(l);
}

#define SUITE_ENTRY(name, suite) { #name, suite },
static const struct {
  const char *name, *suite;
} suites[] = { BENCH_SUITES(SUITE_ENTRY) };
#undef SUITE_ENTRY
#define SUITE_COUNT (sizeof suites / sizeof suites[0])

/* The layers in CSV order, names without the spec prefix, each with its suite. */
static const bench_layer *ordered[LAYER_COUNT];

static void order_layers(void)
{
  size_t prefix = strlen(BENCH_PREFIX), count = 0;
  for (size_t i = 0; i < LAYER_COUNT; ++i) {
    if (strncmp(generated[i].name, BENCH_PREFIX, prefix) == 0) generated[i].name += prefix;
    for (size_t k = 0; gradients[k].desc != NULL; ++k) {
      if (gradients[k].desc != generated[i].desc) continue;
      generated[i].bwd_data_f32 = gradients[k].data_f32;
      generated[i].bwd_weights_f32 = gradients[k].weights_f32;
      generated[i].bwd_data_f64 = gradients[k].data_f64;
      generated[i].bwd_weights_f64 = gradients[k].weights_f64;
    }
  }
  for (size_t s = 0; s < SUITE_COUNT; ++s) {
    for (size_t i = 0; i < LAYER_COUNT; ++i) {
      if (generated[i].suite[0] == '\0' && strcmp(generated[i].name, suites[s].name) == 0) {
        generated[i].suite = suites[s].suite;
        ordered[count++] = &generated[i];
      }
    }
  }
  for (size_t i = 0; i < LAYER_COUNT; ++i) {
    if (generated[i].suite[0] == '\0') {
      generated[i].suite = "?";
      ordered[count++] = &generated[i];
    }
  }
}

/* ---- options --------------------------------------------------------------------------------------------------- */

typedef struct {
  const char *filter;
  int threads;
  const char *csv, *png, *txt, *blas_core;
  int quick, samples, plot, list;
  int passes; /* bit (1 << pass) per bench_pass to run */
  double min_seconds;
} options;

static void usage(FILE *f)
{
  fprintf(f,
          "usage: convgen_bench [--filter S1,S2,...] [--threads N] [--quick] [--samples N] [--min-ms MS]\n"
          "                     [--csv PATH] [--png PATH] [--txt PATH] [--no-plot] [--blas-core best|keep|NAME]\n"
          "                     [--pass fwd,bwd_data,bwd_weights,s8] [--list]\n"
          "  --filter    only layers whose name contains one of the substrings (or whose suite is one of them)\n"
          "  --pass      which passes to run (default all four; bwd means bwd_data,bwd_weights; s8 the int8 layers)\n"
          "  --threads   threads for every implementation (default 1: the headline single-thread numbers)\n"
          "  --quick     3 measurements of >= 0.2 ms each: a smoke test, not a measurement\n"
          "  --samples   measurements per layer and implementation (default 21; median reported)\n"
          "  --min-ms    each measurement times back-to-back calls lasting at least this (default 2)\n"
          "  --csv/--png/--txt  outputs (default %s/bench_results.csv, bench.png, bench_table.txt)\n"
          "  --no-plot   do not run gnuplot\n"
          "  --blas-core OpenBLAS core: best (default: the best this CPU runs, over OPENBLAS_CORETYPE),\n"
          "              keep (OpenBLAS's or the environment's choice) or a name such as Haswell\n"
          "  --list      list the layers and exit\n",
          BENCH_OUTPUT_DIR);
}

static int parse_int(const char *s, int *out)
{
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 1 || v > 100000) return -1;
  *out = (int)v;
  return 0;
}

/* "fwd,bwd_data,..." -> a bit per pass; -1 for an unknown word or an empty list. */
static int parse_passes(const char *list)
{
  int bits = 0;
  while (*list != '\0') {
    size_t len = strcspn(list, ",");
    int found = 0;
    for (int k = 0; k < BENCH_PASS_COUNT; ++k) {
      if (strlen(bench_pass_names[k]) == len && strncmp(list, bench_pass_names[k], len) == 0) {
        bits |= 1 << k;
        found = 1;
      }
    }
    if (len == 3 && strncmp(list, "bwd", 3) == 0) {
      bits |= 1 << BENCH_PASS_BWD_DATA | 1 << BENCH_PASS_BWD_WEIGHTS;
      found = 1;
    }
    if (!found) return -1;
    list += len;
    if (*list == ',') ++list;
  }
  return bits != 0 ? bits : -1;
}

static int parse_options(int argc, char **argv, options *o)
{
  o->filter = NULL;
  o->threads = 1;
  o->csv = BENCH_OUTPUT_DIR "/bench_results.csv";
  o->png = BENCH_OUTPUT_DIR "/bench.png";
  o->txt = BENCH_OUTPUT_DIR "/bench_table.txt";
  o->blas_core = "best";
  o->quick = 0;
  o->samples = 0;
  o->plot = 1;
  o->list = 0;
  o->passes = (1 << BENCH_PASS_COUNT) - 1;
  o->min_seconds = 0.0;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    int takes_value = 1;
    if (strcmp(a, "--filter") == 0 && value != NULL) {
      o->filter = value;
    } else if (strcmp(a, "--threads") == 0 && value != NULL) {
      if (parse_int(value, &o->threads) != 0) return -1;
    } else if (strcmp(a, "--samples") == 0 && value != NULL) {
      if (parse_int(value, &o->samples) != 0) return -1;
    } else if (strcmp(a, "--min-ms") == 0 && value != NULL) {
      char *end;
      o->min_seconds = strtod(value, &end) * 1e-3;
      if (*end != '\0' || !(o->min_seconds > 0.0)) return -1;
    } else if (strcmp(a, "--csv") == 0 && value != NULL) {
      o->csv = value;
    } else if (strcmp(a, "--png") == 0 && value != NULL) {
      o->png = value;
    } else if (strcmp(a, "--txt") == 0 && value != NULL) {
      o->txt = value;
    } else if (strcmp(a, "--blas-core") == 0 && value != NULL) {
      o->blas_core = value;
    } else if (strcmp(a, "--pass") == 0 && value != NULL) {
      o->passes = parse_passes(value);
      if (o->passes < 0) return -1;
    } else {
      takes_value = 0;
      if (strcmp(a, "--quick") == 0) {
        o->quick = 1;
      } else if (strcmp(a, "--no-plot") == 0) {
        o->plot = 0;
      } else if (strcmp(a, "--list") == 0) {
        o->list = 1;
      } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        usage(stdout);
        exit(0);
      } else {
        return -1;
      }
    }
    i += takes_value;
  }
  if (o->samples == 0) o->samples = o->quick ? 3 : 21;
  if (o->min_seconds == 0.0) o->min_seconds = o->quick ? 0.2e-3 : 2e-3;
  return 0;
}

/* Comma-separated substrings of the name, or exact suite names. */
static int selected(const options *o, const bench_layer *l)
{
  if (o->filter == NULL) return 1;
  const char *p = o->filter;
  while (*p != '\0') {
    size_t len = strcspn(p, ",");
    char word[128];
    if (len > 0 && len < sizeof word) {
      memcpy(word, p, len);
      word[len] = '\0';
      if (strstr(l->name, word) != NULL || strcmp(l->suite, word) == 0) return 1;
    }
    p += len;
    if (*p == ',') ++p;
  }
  return 0;
}

/* ---- main ------------------------------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
  options o;
  if (parse_options(argc, argv, &o) != 0) {
    usage(stderr);
    return 2;
  }
  bench_prepare_process(argv, o.threads, o.blas_core); /* may re-execute the bench once */
  double start = bench_now();
  order_layers();
  if (o.list) {
    for (size_t i = 0; i < LAYER_COUNT; ++i) {
      if (selected(&o, ordered[i])) {
        printf("%-10s %-16s%s\n", ordered[i]->suite, ordered[i]->name, has_backward(ordered[i]) ? " (+backward)" : "");
      }
    }
    return 0;
  }
  bench_report_open(o.txt);

  char cpu[256], dnnl_text[256] = "oneDNN: not built in";
  bench_cpu_model(cpu, sizeof cpu);
#ifdef BENCH_HAVE_DNNL
  bench_dnnl_describe(dnnl_text, sizeof dnnl_text);
#endif
  bench_setup setup;
  setup.cpu = cpu;
  setup.dnnl_text = dnnl_text;
  setup.l2 = bench_l2_bytes();
  setup.peak = bench_gemm_peak(0, o.quick ? 3 : 20);
  setup.dpeak = bench_gemm_peak(1, o.quick ? 2 : 8);
  setup.bandwidth = bench_memcpy_bandwidth(o.quick ? 2 : 10);
  setup.timing = (bench_timing){ o.threads, o.samples, o.min_seconds };
  setup.passes = o.passes;
  bench_print_preamble(&setup);

  layer_result *rows = bench_alloc(LAYER_COUNT * BENCH_PASS_COUNT * sizeof *rows);
  int n = 0, failures = 0, matched = 0;
  for (int pass = 0; pass < BENCH_PASS_COUNT; ++pass) {
    if (!(o.passes & 1 << pass)) continue;
    int in_pass = 0;
    for (size_t i = 0; i < LAYER_COUNT; ++i) {
      if (!selected(&o, ordered[i])) continue;
      matched = 1;
      if (!layer_in_pass(ordered[i], (bench_pass)pass)) continue;
      if (in_pass++ == 0) bench_print_pass_start((bench_pass)pass, o.passes);
      layer_result *r = &rows[n++];
      bench_measure_layer(ordered[i], (bench_pass)pass, (unsigned)i + 1u, &setup.timing, r);
      bench_print_row(r, ordered[i]->desc->dtype == CG_DTYPE_F64 ? setup.dpeak : setup.peak, setup.l2);
      for (int k = 0; k < IMPL_COUNT; ++k) failures += r->status[k] == BENCH_FAIL || r->status[k] == BENCH_ERROR;
    }
    if (pass == BENCH_PASS_FWD && in_pass > 0) bench_print_forward_summary(rows, n, setup.l2);
    if (pass == BENCH_PASS_S8 && in_pass > 0) bench_print_s8_summary(rows, n);
#ifdef BENCH_HAVE_THREADS
    if (pass == BENCH_PASS_FWD && in_pass > 0 && o.threads > 1) failures += bench_threads_table(rows, n, &setup.timing);
#endif
  }
  if (!matched) {
    fprintf(stderr, "bench: no layer matches --filter %s\n", o.filter);
    return 2;
  }
  int backward_rows = 0, s8_rows = 0;
  for (int i = 0; i < n; ++i) {
    backward_rows += rows[i].pass == BENCH_PASS_BWD_DATA || rows[i].pass == BENCH_PASS_BWD_WEIGHTS;
    s8_rows += rows[i].pass == BENCH_PASS_S8;
  }
  if (backward_rows > 0) bench_print_backward_summary(rows, n);
  bench_print_details(rows, n);
  bench_out("\n%d rows (%d forward, %d backward, %d s8), %d implementation failures; total run time %.1f s, load average %.2f\n",
            n, n - backward_rows - s8_rows, backward_rows, s8_rows, failures, bench_now() - start, bench_load_average());
  bench_report_close();

  if (bench_write_csv(o.csv, rows, n, setup.peak, setup.dpeak, setup.l2) == 0) printf("csv: %s\n", o.csv);
  if (o.plot) bench_plot(o.png, rows, n, &setup);
  free(rows);
#ifdef BENCH_HAVE_XNNPACK
  bench_xnnpack_shutdown();
#endif
#ifdef BENCH_HAVE_DNNL
  bench_dnnl_shutdown();
#endif
  return failures ? 1 : 0;
}

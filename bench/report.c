/* bench/report.c: the reporting half of the benchmark: the table (stdout and --txt), its summaries and details, the CSV and the gnuplot charts. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "results.h"

/* What the kernels were compiled with (convgen_add_kernels' <TARGET>_kernel_paths): the SIMD
 * path every f32 layer that has one runs, then "portable". */
#ifdef BENCH_KERNEL_PATHS
extern const char BENCH_KERNEL_PATHS[];
#endif

#ifndef BENCH_PLOT_SCRIPT
#define BENCH_PLOT_SCRIPT "bench_plot.gp"
#endif
#ifndef BENCH_PLOT_BACKWARD_SCRIPT
#define BENCH_PLOT_BACKWARD_SCRIPT "bench_plot_backward.gp"
#endif
#ifndef BENCH_GNUPLOT
#define BENCH_GNUPLOT "gnuplot"
#endif

const char *const bench_pass_names[BENCH_PASS_COUNT] = { "fwd", "bwd_data", "bwd_weights", "s8" };

/* ---- output helpers -------------------------------------------------------------------------------------------- */

static FILE *table_copy; /* the table also goes to --txt */

void bench_report_open(const char *txt)
{
  table_copy = fopen(txt, "w");
  if (table_copy == NULL) fprintf(stderr, "bench: cannot write %s; the table goes to stdout only\n", txt);
}

void bench_report_close(void)
{
  if (table_copy != NULL) fclose(table_copy);
  table_copy = NULL;
}

void bench_out(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  if (table_copy != NULL) {
    va_start(ap, fmt);
    vfprintf(table_copy, fmt, ap);
    va_end(ap);
  }
}

/* ---- reporting ------------------------------------------------------------------------------------------------- */

static int ok(const layer_result *r, int k)
{
  return r->status[k] == BENCH_OK && r->us[k] > 0.0;
}

/* The fastest correct oneDNN variant, or -1. */
static int best_dnnl(const layer_result *r)
{
  int best = -1;
  for (int k = IMPL_DNNL_PLAIN; k <= IMPL_DNNL_BLOCKED; ++k) {
    if (ok(r, k) && (best < 0 || r->us[k] < r->us[best])) best = k;
  }
  return best;
}

static double impl_us(const layer_result *r, int which) /* which: convgen, baseline, dnnl (best), xnnpack */
{
  int k = which == 2 ? best_dnnl(r) : which == 3 ? IMPL_XNNPACK : which;
  return k >= 0 && ok(r, k) ? r->us[k] : -1.0;
}

/* What to print instead of a time: FAIL beats err beats n/a. */
static const char *missing_word(const layer_result *r, int which)
{
  int lo = which == 2 ? IMPL_DNNL_PLAIN : which == 3 ? IMPL_XNNPACK : which;
  int hi = which == 2 ? IMPL_DNNL_BLOCKED : lo;
  int any_fail = 0, any_err = 0;
  for (int k = lo; k <= hi; ++k) {
    any_fail |= r->status[k] == BENCH_FAIL;
    any_err |= r->status[k] == BENCH_ERROR;
  }
  return any_fail ? "FAIL" : any_err ? "err" : "n/a";
}

static const char *const column_names[4] = { "convgen", "baseline", "oneDNN", "XNNPACK" };
static const char *const pass_labels[BENCH_PASS_COUNT] = { "forward", "data", "weights", "s8" };

static int is_backward(bench_pass pass)
{
  return pass == BENCH_PASS_BWD_DATA || pass == BENCH_PASS_BWD_WEIGHTS;
}

static const char *dtype_word(const cg_conv_desc *d)
{
  return d->dtype == CG_DTYPE_S8 ? "s8" : d->dtype == CG_DTYPE_F32 ? "f32" : "f64";
}

/* The oneDNN variants of the s8 rows (impl_onednn.c): s8 source with the user's HWIO weights, s8 source
   with weights in oneDNN's layout, u8 source (x + 128) with weights in oneDNN's layout. */
static const char *const s8_variant_names[3] = { "s8", "s8+w", "u8+w" };

/* The oneDNN variant's name: the layouts of the float rows, the source type and weight layout of the s8 rows. */
static const char *variant_name(const layer_result *r, int k)
{
  if (k < IMPL_DNNL_PLAIN || k > IMPL_DNNL_BLOCKED) return "";
  return r->pass == BENCH_PASS_S8 ? s8_variant_names[k - IMPL_DNNL_PLAIN] : bench_impls[k]->name;
}

/* The faster correct library (oneDNN's best variant or XNNPACK) of an s8 row: its time, or -1. */
static double faster_library_us(const layer_result *r)
{
  double dnnl = impl_us(r, 2), xnn = impl_us(r, 3);
  if (dnnl > 0.0 && (xnn <= 0.0 || dnnl <= xnn)) return dnnl;
  return xnn;
}

/* Forward rows have an XNNPACK column (and the im2col bandwidth); backward rows do not. */
static int columns(bench_pass pass)
{
  return pass == BENCH_PASS_FWD ? 4 : 3;
}

static void print_header(bench_pass pass)
{
  if (pass == BENCH_PASS_FWD) {
    bench_out("%-16s %-4s %-3s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%10s %6s |%7s %7s %7s |%6s |%10s |%8s\n", "layer",
        "lay", "dt", "MFLOP", "convgen", "GF/s", "baseline", "GF/s", "oneDNN", "GF/s", "variant", "XNNPACK", "GF/s",
        "cg/base", "cg/dnnl", "cg/xnn", "%peak", "workspace", "im2col");
    bench_out("%-16s %-4s %-3s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%10s %6s |%7s %7s %7s |%6s |%10s |%8s\n", "", "", "",
        "", "us", "", "us", "", "us", "", "", "us", "", "speedup", "speedup", "speedup", "", "bytes", "/memcpy");
  } else {
    bench_out("%-16s %-4s %-3s %-7s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%7s %7s |%6s |%10s\n", "layer", "lay", "dt",
        "pass", "MFLOP", "convgen", "GF/s", "baseline", "GF/s", "oneDNN", "GF/s", "variant", "cg/base", "cg/dnnl",
        "%peak", "workspace");
    bench_out("%-16s %-4s %-3s %-7s %8s |%10s %6s |%10s %6s |%10s %6s %-7s |%7s %7s |%6s |%10s\n", "", "", "", "", "", "us",
        "", "us", "", "us", "", "", "speedup", "speedup", "", "bytes");
  }
}

static void print_header_s8(void)
{
  bench_out("%-22s %-4s %-3s %8s |%10s %6s |%10s %6s %-7s |%10s %6s |%7s %7s %7s |%10s\n", "layer", "lay", "dt", "MOP",
      "convgen", "GOP/s", "oneDNN", "GOP/s", "variant", "XNNPACK", "GOP/s", "cg/dnnl", "cg/xnn", "cg/best", "workspace");
  bench_out("%-22s %-4s %-3s %8s |%10s %6s |%10s %6s %-7s |%10s %6s |%7s %7s %7s |%10s\n", "", "", "", "", "us", "", "us",
      "", "", "us", "", "speedup", "speedup", "speedup", "bytes");
}

/* One s8 row: convgen, oneDNN's fastest variant, XNNPACK, and the speedups (cg/best: over the faster library). */
static void print_row_s8(const layer_result *r)
{
  const bench_layer *l = r->layer;
  bench_out("%-22s %-4s %-3s", l->name, "NHWC", "s8");
  bench_out(r->gflop * 1e3 < 0.1 ? " %8.4f |" : " %8.2f |", r->gflop * 1e3);
  static const int shown[3] = { 0, 2, 3 };
  for (int i = 0; i < 3; ++i) {
    double us = impl_us(r, shown[i]);
    if (us > 0.0) {
      bench_out(us < 10.0 ? "%10.3f %6.1f" : "%10.1f %6.1f", us, r->gflop / (us * 1e-6));
    } else {
      bench_out("%10s %6s", missing_word(r, shown[i]), "");
    }
    if (shown[i] == 2) {
      int best = best_dnnl(r);
      bench_out(" %-7s", best >= 0 ? variant_name(r, best) : "");
    }
    bench_out(" |");
  }
  double cg = impl_us(r, 0), others[3] = { impl_us(r, 2), impl_us(r, 3), faster_library_us(r) };
  for (int i = 0; i < 3; ++i) {
    if (cg > 0.0 && others[i] > 0.0) {
      bench_out("%7.2f ", others[i] / cg);
    } else {
      bench_out("%7s ", "-");
    }
  }
  bench_out("|%10zu\n", l->workspace_bytes);
  fflush(stdout);
}

void bench_print_row(const layer_result *r, double peak, size_t l2)
{
  const bench_layer *l = r->layer;
  const cg_conv_desc *d = l->desc;
  const int cols = columns(r->pass);
  if (r->pass == BENCH_PASS_S8) {
    print_row_s8(r);
    return;
  }
  bench_out("%-16s %-4s %-3s", l->name, d->layout == CG_LAYOUT_NCHW ? "NCHW" : "NHWC", dtype_word(d));
  if (r->pass != BENCH_PASS_FWD) bench_out(" %-7s", pass_labels[r->pass]);
  bench_out(r->gflop * 1e3 < 0.1 ? " %8.4f |" : " %8.2f |", r->gflop * 1e3);
  for (int which = 0; which < cols; ++which) {
    double us = impl_us(r, which);
    if (us > 0.0) {
      bench_out(us < 10.0 ? "%10.3f %6.1f" : "%10.1f %6.1f", us, r->gflop / (us * 1e-6));
    } else {
      bench_out("%10s %6s", missing_word(r, which), "");
    }
    if (which == 2) {
      int best = best_dnnl(r);
      bench_out(" %-7s", best >= 0 ? variant_name(r, best) : "");
    }
    bench_out(" |");
  }
  double cg = impl_us(r, 0);
  for (int which = 1; which < cols; ++which) {
    double other = impl_us(r, which);
    if (cg > 0.0 && other > 0.0) {
      bench_out("%7.2f ", other / cg);
    } else {
      bench_out("%7s ", "-");
    }
  }
  if (cg > 0.0) {
    bench_out("|%6.1f |", 100.0 * r->gflop / (cg * 1e-6) / peak);
  } else {
    bench_out("|%6s |", "-");
  }
  if (r->pass != BENCH_PASS_FWD) {
    bench_out("%10zu\n", l->workspace_bytes);
  } else {
    bench_out("%10zu |", l->workspace_bytes);
    if (r->im2col_us > 0.0 && r->memcpy_us > 0.0) {
      bench_out("%6.0f%%%s\n", 100.0 * r->memcpy_us / r->im2col_us, l2 > 0 && r->col_bytes > l2 ? "*" : "");
    } else {
      bench_out("%7s\n", "-");
    }
  }
  fflush(stdout);
}

/* Geometric mean of time(which) / time(convgen) over the rows of the passes in
   the bit set `passes` where both were timed; *count gets their number. */
static double speedup_geomean(const layer_result *rows, int n, int passes, int which, int *count)
{
  double log_sum = 0.0;
  *count = 0;
  for (int i = 0; i < n; ++i) {
    if (!(passes & 1 << rows[i].pass)) continue;
    double cg = impl_us(&rows[i], 0), other = impl_us(&rows[i], which);
    if (cg > 0.0 && other > 0.0) {
      log_sum += log(other / cg);
      ++*count;
    }
  }
  return *count > 0 ? exp(log_sum / *count) : -1.0;
}

void bench_print_forward_summary(const layer_result *rows, int n, size_t l2)
{
  bench_out("\nspeedup columns: time of the other implementation / time of convgen (> 1: convgen faster); %%peak: convgen's\n"
      "GF/s as a share of the measured sgemm peak (dgemm for f64); im2col/memcpy: memcpy time of the col matrix's\n"
      "bytes / P_im2col time, * where the col matrix exceeds L2 (the >= 70%% target applies there)\n");
  bench_out("\ngeometric means of the speedups (time of the other / time of convgen; > 1: convgen is faster):\n");
  for (int which = 1; which < 4; ++which) {
    int count;
    double mean = speedup_geomean(rows, n, 1 << BENCH_PASS_FWD, which, &count);
    if (count > 0) {
      bench_out("  convgen vs %-9s %6.3fx over %d layers\n", column_names[which], mean, count);
    } else {
      bench_out("  convgen vs %-9s      - (no layer with both)\n", column_names[which]);
    }
  }
  double log_sum = 0.0;
  int big = 0, meeting = 0;
  double worst = INFINITY;
  const char *worst_name = "";
  for (int i = 0; i < n; ++i) {
    const layer_result *r = &rows[i];
    if (r->pass != BENCH_PASS_FWD) continue;
    if (l2 == 0 || r->col_bytes <= l2 || !(r->im2col_us > 0.0 && r->memcpy_us > 0.0)) continue;
    double ratio = r->memcpy_us / r->im2col_us;
    log_sum += log(ratio);
    big++;
    meeting += ratio >= 0.7;
    if (ratio < worst) {
      worst = ratio;
      worst_name = r->layer->name;
    }
  }
  if (big > 0) {
    bench_out("im2col bandwidth on the %d layers whose col matrix exceeds L2 (* above): geometric mean %.0f%% of memcpy's,\n"
        "  %d of %d at >= 70%% (the target), lowest %.0f%% (%s)\n",
        big, 100.0 * exp(log_sum / big), meeting, big, 100.0 * worst, worst_name);
  } else {
    bench_out("im2col bandwidth: no selected layer's col matrix exceeds L2\n");
  }
}

/* Geometric mean of time(library) / time(convgen) over the s8 rows where both were timed;
   which 2: oneDNN, 3: XNNPACK, 4: the faster of the two on each row. */
static double s8_geomean(const layer_result *rows, int n, int which, int *count)
{
  double log_sum = 0.0;
  *count = 0;
  for (int i = 0; i < n; ++i) {
    if (rows[i].pass != BENCH_PASS_S8) continue;
    double cg = impl_us(&rows[i], 0), other = which == 4 ? faster_library_us(&rows[i]) : impl_us(&rows[i], which);
    if (cg > 0.0 && other > 0.0) {
      log_sum += log(other / cg);
      ++*count;
    }
  }
  return *count > 0 ? exp(log_sum / *count) : -1.0;
}

void bench_print_s8_summary(const layer_result *rows, int n)
{
  static const char *const names[3] = { "oneDNN", "XNNPACK", "the faster library" };
  bench_out("\nspeedup columns: time of the library / time of convgen (> 1: convgen faster); cg/best: against the faster\n"
      "of oneDNN and XNNPACK on that row; GOP/s = 2*MACs / time\n");
  bench_out("\ngeometric means of the s8 speedups (time of the other / time of convgen; > 1: convgen is faster):\n");
  for (int which = 2; which <= 4; ++which) {
    int count;
    double mean = s8_geomean(rows, n, which, &count);
    if (count > 0) {
      bench_out("  convgen vs %-18s %6.3fx over %d layers\n", names[which - 2], mean, count);
    } else {
      bench_out("  convgen vs %-18s      - (no layer with both)\n", names[which - 2]);
    }
  }
}

void bench_print_backward_summary(const layer_result *rows, int n)
{
  static const int sets[3] = { 1 << BENCH_PASS_BWD_DATA, 1 << BENCH_PASS_BWD_WEIGHTS,
                               1 << BENCH_PASS_BWD_DATA | 1 << BENCH_PASS_BWD_WEIGHTS };
  bench_out("\nspeedup columns: time of the other implementation / time of convgen (> 1: convgen faster); %%peak: convgen's\n"
      "GF/s (2*MACs of the forward conv, which each gradient also takes) as a share of the sgemm peak (dgemm for f64)\n");
  bench_out("\ngeometric means of the backward speedups (time of the other / time of convgen; > 1: convgen is faster):\n");
  bench_out("  %-20s %18s %18s %18s\n", "", "data", "weights", "data and weights");
  for (int which = 1; which < 3; ++which) {
    bench_out("  convgen vs %-9s", column_names[which]);
    for (int s = 0; s < 3; ++s) {
      int count;
      double mean = speedup_geomean(rows, n, sets[s], which, &count);
      if (count > 0) {
        bench_out("   %6.3fx over %3d", mean, count);
      } else {
        bench_out(" %18s", "-");
      }
    }
    bench_out("\n");
  }
}

/* What oneDNN's s8 results are held to (results.h). */
static int dnnl_s8_tolerance(void)
{
#ifdef BENCH_HAVE_DNNL
  return bench_dnnl_has_vnni() ? TOL_S8_LIBRARY : TOL_S8_DNNL_NO_VNNI;
#else
  return TOL_S8_LIBRARY;
#endif
}

/* s8 rows: the largest |out - ref| in int8 steps per implementation (allowed: convgen 0, the
   libraries 1) and how many outputs differ from the reference at all. */
static void print_s8_errors(const layer_result *rows, int n)
{
  int printed = 0;
  for (int k = 0; k < IMPL_COUNT; ++k) {
    double worst = -1.0;
    size_t differing = 0, total = 0;
    for (int i = 0; i < n; ++i) {
      if (rows[i].pass != BENCH_PASS_S8 || rows[i].status[k] != BENCH_OK) continue;
      if (rows[i].err_ratio[k] > worst) worst = rows[i].err_ratio[k];
      differing += rows[i].differing[k];
      total += cg_output_elems(rows[i].layer->desc);
    }
    if (worst < 0.0) continue;
    if (printed++ == 0) {
      bench_out("  s8 (|out - ref| in int8 steps; allowed: convgen %d, XNNPACK %d, oneDNN %d):\n", TOL_S8_CONVGEN,
          TOL_S8_LIBRARY, dnnl_s8_tolerance());
    }
    int dnnl = k >= IMPL_DNNL_PLAIN && k <= IMPL_DNNL_BLOCKED;
    bench_out("    %-7s%-8s max %.0f, %zu of %zu outputs differ (%.3f%%)\n", dnnl ? "oneDNN " : "",
        dnnl ? s8_variant_names[k - IMPL_DNNL_PLAIN] : bench_impls[k]->name, worst, differing,
        total, total > 0 ? 100.0 * (double)differing / (double)total : 0.0);
  }
}

void bench_print_details(const layer_result *rows, int n)
{
  for (int group = 0; group < 3; ++group) { /* forward, backward, s8 */
    const int backward = group == 1;
    for (int i = 0, shown = 0; i < n; ++i) {
      const layer_result *r = &rows[i];
      if ((r->pass == BENCH_PASS_S8 ? 2 : is_backward(r->pass) ? 1 : 0) != group) continue;
      if (r->status[IMPL_DNNL_PLAIN] == BENCH_NA && r->status[IMPL_DNNL_BLOCKED] == BENCH_NA) continue;
      if (shown++ == 0) {
        if (group == 2) {
          bench_out("\nper s8 layer: oneDNN variants (us) and what oneDNN chose (implementation, types and layouts)\n");
          bench_out("%-22s %10s %10s %10s  %s\n", "layer", "s8", "s8+w", "u8+w", "fastest variant's choice");
        } else if (backward) {
          bench_out("\nper layer and pass: oneDNN backward variants (us) and what oneDNN chose (implementation, layouts)\n");
          bench_out("%-16s %-7s %10s %10s %10s  %s\n", "layer", "pass", "plain", "plain+w", "blocked",
              "fastest variant's choice");
        } else {
          bench_out("\nper layer: oneDNN variants (us) and what oneDNN chose (implementation, src/weights/dst layouts)\n");
          bench_out("%-16s %10s %10s %10s  %s\n", "layer", "plain", "plain+w", "blocked", "fastest variant's choice");
        }
      }
      bench_out(group == 2 ? "%-22s" : "%-16s", r->layer->name);
      if (backward) bench_out(" %-7s", pass_labels[r->pass]);
      for (int k = IMPL_DNNL_PLAIN; k <= IMPL_DNNL_BLOCKED; ++k) {
        if (ok(r, k)) {
          bench_out(r->us[k] < 10.0 ? " %10.3f" : " %10.1f", r->us[k]);
        } else {
          bench_out(" %10s", r->status[k] == BENCH_FAIL ? "FAIL" : r->status[k] == BENCH_ERROR ? "err" : "n/a");
        }
      }
      int best = best_dnnl(r);
      bench_out("  %s\n", best >= 0 ? r->info[best] : "");
    }
  }
  bench_out("\nlargest |out - ref| / tolerance among the correct results (above 1 would be a FAIL):\n");
  for (int pass = 0; pass < BENCH_PASS_COUNT; ++pass) {
    int printed = 0;
    if (pass == BENCH_PASS_S8) {
      print_s8_errors(rows, n);
      continue;
    }
    for (int k = 0; k < IMPL_COUNT; ++k) {
      double worst = -1.0;
      const char *where = "";
      for (int i = 0; i < n; ++i) {
        if (rows[i].pass == (bench_pass)pass && rows[i].status[k] == BENCH_OK && rows[i].err_ratio[k] > worst) {
          worst = rows[i].err_ratio[k];
          where = rows[i].layer->name;
        }
      }
      int dnnl = k >= IMPL_DNNL_PLAIN && k <= IMPL_DNNL_BLOCKED;
      if (worst < 0.0) continue;
      if (printed == 0) bench_out("  %-8s", pass_labels[pass]);
      bench_out("%s %s%s %.2g (%s)", printed > 0 && printed % 3 == 0 ? "\n          " : "", dnnl ? "oneDNN " : "",
          bench_impls[k]->name, worst, where);
      printed++;
    }
    if (printed > 0) bench_out("\n");
  }
  int problems = 0;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < IMPL_COUNT; ++k) {
      const layer_result *r = &rows[i];
      if (r->status[k] != BENCH_FAIL && r->status[k] != BENCH_ERROR) continue;
      if (problems++ == 0) bench_out("\nfailures (their times are not reported):\n");
      int dnnl = k >= IMPL_DNNL_PLAIN && k <= IMPL_DNNL_BLOCKED;
      bench_out("  %-16s %-7s %s%s %s: %s\n", r->layer->name, pass_labels[r->pass], dnnl ? "oneDNN " : bench_impls[k]->name,
          variant_name(r, k), r->status[k] == BENCH_FAIL ? "FAIL" : "error", r->info[k]);
    }
  }
}

static void csv_number(FILE *f, double v, const char *fmt)
{
  if (v > 0.0) fprintf(f, fmt, v);
  fputc(',', f);
}

static void csv_text(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s != '\0'; ++s) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputs("\",", f);
}

static const char *status_word(bench_status s)
{
  return s == BENCH_OK ? "ok" : s == BENCH_NA ? "n/a" : s == BENCH_ERROR ? "error" : "FAIL";
}

int bench_write_csv(const char *path, const layer_result *rows, int n, double peak, double dpeak, size_t l2)
{
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot write %s\n", path);
    return -1;
  }
  fputs("suite,layer,pass,layout,dtype,n,c,h,w,m,kh,kw,sh,sw,pt,pb,pl,pr,dh,dw,groups,bias,activation,gflop,"
        "workspace_bytes,col_bytes,col_exceeds_l2,"
        "convgen_us,convgen_gflops,convgen_status,baseline_us,baseline_gflops,baseline_status,"
        "onednn_us,onednn_gflops,onednn_variant,onednn_plain_us,onednn_plainw_us,onednn_blocked_us,onednn_choice,"
        "xnnpack_us,xnnpack_gflops,xnnpack_status,"
        "speedup_vs_baseline,speedup_vs_onednn,speedup_vs_xnnpack,pct_gemm_peak,"
        "im2col_us,memcpy_us,im2col_pct_of_memcpy,speedup_vs_faster_library\n",
        f);
  static const char *const acts[] = { "none", "relu", "relu6", "clamp" };
  for (int i = 0; i < n; ++i) {
    const layer_result *r = &rows[i];
    const bench_layer *l = r->layer;
    const cg_conv_desc *d = l->desc;
    fprintf(f, "%s,%s,%s,%s,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s,%.9g,%zu,%zu,%d,", l->suite,
            l->name, bench_pass_names[r->pass], d->layout == CG_LAYOUT_NCHW ? "NCHW" : "NHWC",
            dtype_word(d), d->n, d->c, d->h, d->w, d->m, d->kh, d->kw, d->sh, d->sw,
            d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, d->dh, d->dw, d->groups, d->has_bias,
            acts[d->activation], r->gflop, l->workspace_bytes, r->col_bytes, l2 > 0 && r->col_bytes > l2);
    double us[4];
    for (int which = 0; which < 4; ++which) us[which] = impl_us(r, which);
    for (int which = 0; which < 2; ++which) {
      csv_number(f, us[which], "%.3f");
      csv_number(f, us[which] > 0.0 ? r->gflop / (us[which] * 1e-6) : -1.0, "%.3f");
      fprintf(f, "%s,", status_word(r->status[which]));
    }
    int best = best_dnnl(r);
    csv_number(f, us[2], "%.3f");
    csv_number(f, us[2] > 0.0 ? r->gflop / (us[2] * 1e-6) : -1.0, "%.3f");
    fprintf(f, "%s,", best >= 0 ? variant_name(r, best) : missing_word(r, 2));
    for (int k = IMPL_DNNL_PLAIN; k <= IMPL_DNNL_BLOCKED; ++k) csv_number(f, ok(r, k) ? r->us[k] : -1.0, "%.3f");
    csv_text(f, best >= 0 ? r->info[best] : "");
    csv_number(f, us[3], "%.3f");
    csv_number(f, us[3] > 0.0 ? r->gflop / (us[3] * 1e-6) : -1.0, "%.3f");
    fprintf(f, "%s,", status_word(r->status[IMPL_XNNPACK]));
    for (int which = 1; which < 4; ++which) csv_number(f, us[0] > 0.0 && us[which] > 0.0 ? us[which] / us[0] : -1.0, "%.4f");
    double pk = d->dtype == CG_DTYPE_F64 ? dpeak : peak; /* s8 rows have no peak to compare with */
    csv_number(f, us[0] > 0.0 && d->dtype != CG_DTYPE_S8 ? 100.0 * r->gflop / (us[0] * 1e-6) / pk : -1.0, "%.2f");
    csv_number(f, r->im2col_us, "%.3f");
    csv_number(f, r->memcpy_us, "%.3f");
    if (r->im2col_us > 0.0 && r->memcpy_us > 0.0) fprintf(f, "%.1f", 100.0 * r->memcpy_us / r->im2col_us);
    fputc(',', f);
    double faster = r->pass == BENCH_PASS_S8 ? faster_library_us(r) : -1.0;
    if (us[0] > 0.0 && faster > 0.0) fprintf(f, "%.4f", faster / us[0]);
    fputc('\n', f);
  }
  return fclose(f) == 0 ? 0 : -1;
}

/* " %.4f" of a row's GF/s for one implementation column, " NaN" when it has no time. */
static void plot_value(FILE *f, const layer_result *r, int which)
{
  double us = r != NULL ? impl_us(r, which) : -1.0;
  if (us > 0.0) {
    fprintf(f, " %.4f", r->gflop / (us * 1e-6));
  } else {
    fprintf(f, " NaN");
  }
}

/* png with ".png" (if any) replaced by suffix: the chart's data file or the backward chart. */
static int sibling_path(const char *png, const char *suffix, char *buf, size_t len)
{
  size_t stem = strlen(png);
  if (stem > 4 && strcmp(png + stem - 4, ".png") == 0) stem -= 4;
  if (stem + strlen(suffix) + 1 > len) return -1;
  memcpy(buf, png, stem);
  strcpy(buf + stem, suffix);
  return 0;
}

/* Draws png from data with a gnuplot script; a failed plot leaves no older chart behind. */
static void run_gnuplot(const char *script, const char *data, const char *png, double peak, const char *title)
{
  if (strchr(data, '\'') != NULL || strchr(png, '\'') != NULL) {
    fprintf(stderr, "bench: a quote in the chart's path; no chart\n");
    return;
  }
  remove(png);
  char expr[8192];
  snprintf(expr, sizeof expr, "datafile='%s'; outfile='%s'; peak=%.3f; charttitle='%s'", data, png, peak, title);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    execlp(BENCH_GNUPLOT, BENCH_GNUPLOT, "-e", expr, script, (char *)NULL);
    _exit(127);
  }
  int wstatus = 0;
  if (pid < 0 || waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    fprintf(stderr, "bench: gnuplot (%s) failed; no chart %s\n", BENCH_GNUPLOT, png);
    return;
  }
  printf("chart: %s\n", png);
}

/* The forward chart's data (GFLOP/s per implementation, NaN when missing), then gnuplot. */
static void plot_forward(const char *png_path, const layer_result *rows, int n, double peak, const char *title)
{
  char data[4096];
  if (sibling_path(png_path, ".dat", data, sizeof data) != 0) return;
  FILE *f = fopen(data, "w");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot write %s; no chart\n", data);
    return;
  }
  fprintf(f, "# index layer convgen baseline oneDNN XNNPACK (GFLOP/s, NaN: not timed)\n");
  for (int i = 0, index = 0; i < n; ++i) {
    if (rows[i].pass != BENCH_PASS_FWD) continue;
    fprintf(f, "%d %s", index++, rows[i].layer->name);
    for (int which = 0; which < 4; ++which) plot_value(f, &rows[i], which);
    fputc('\n', f);
  }
  fclose(f);
  run_gnuplot(BENCH_PLOT_SCRIPT, data, png_path, peak, title);
}

/* The backward chart (PNG_backward.png): per layer, GFLOP/s of convgen, the
   baseline and oneDNN for backward data, then for backward weights. */
static void plot_backward(const char *png_path, const layer_result *rows, int n, double peak, const char *title)
{
  char data[4096], png[4096];
  if (sibling_path(png_path, "_backward.dat", data, sizeof data) != 0) return;
  if (sibling_path(png_path, "_backward.png", png, sizeof png) != 0) return;
  FILE *f = fopen(data, "w");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot write %s; no chart\n", data);
    return;
  }
  fprintf(f, "# index layer data: convgen baseline oneDNN, weights: convgen baseline oneDNN (GFLOP/s, NaN: not timed)\n");
  for (int i = 0, index = 0; i < n; ++i) {
    if (!is_backward(rows[i].pass)) continue;
    const layer_result *by_pass[BENCH_PASS_COUNT] = { NULL, NULL, NULL, NULL };
    int first = 1;
    for (int j = 0; j < n; ++j) {
      if (rows[j].layer != rows[i].layer) continue;
      if (is_backward(rows[j].pass) && j < i) first = 0;
      by_pass[rows[j].pass] = &rows[j];
    }
    if (!first) continue; /* one line per layer, at its first backward row */
    fprintf(f, "%d %s", index++, rows[i].layer->name);
    for (int pass = BENCH_PASS_BWD_DATA; pass <= BENCH_PASS_BWD_WEIGHTS; ++pass) {
      for (int which = 0; which < 3; ++which) plot_value(f, by_pass[pass], which);
    }
    fputc('\n', f);
  }
  fclose(f);
  run_gnuplot(BENCH_PLOT_BACKWARD_SCRIPT, data, png, peak, title);
}

static void print_backward_preamble(void)
{
  bench_out("\nbackward: the gradients of the same layers from dy = dL/dy (uniform in [-1, 1), taken before the\n"
      "        activation), x, w as above; f32 and f64 rows; XNNPACK has no backward (n/a)\n"
      "  data:    dx = dL/dx. convgen P_conv_backward_data; baseline: per image one cg_gemm per group\n"
      "           col = W^T * dy, then cg_ref_col2im; oneDNN convolution_backward_data\n"
      "  weights: dw = dL/dw summed over the batch, and db = dL/dbias on layers with a bias. convgen\n"
      "           P_conv_backward_weights; baseline: per image cg_ref_im2col, then one cg_gemm per group\n"
      "           dW += dy * col^T, then a pass summing dy for db; oneDNN convolution_backward_weights\n"
      "  oneDNN: forward_training descriptor as the hint; plain (user layouts), plain+w (w reordered once for\n"
      "        data, dw left in oneDNN's layout for weights) and blocked (as plain+w, activations `any` with their\n"
      "        reorders timed), the fastest correct reported\n"
      "  checked before and after timing against cg_ref_conv_backward_data/_weights (double accumulation), the\n"
      "        same tolerance with K = M/groups*KH*KW for dx and K = N*OH*OW for dw and db\n\n");
}

static void print_s8_preamble(void)
{
  bench_out("\ns8: the int8 twins of the layers (NAME_s8: NHWC, dtype s8, quantization of bench/s8_quant.lua: input zero\n"
      "        point -128, output zero point -128 after relu/relu6 else 5, per-channel weight scales), x uniform int8,\n"
      "        w in [-127, 127], int32 bias; convgen P_conv; oneDNN int8 convolution (s32 bias, per-channel output\n"
      "        scales = the layer's real multipliers, runtime zero points, the clamp as a clip post-op): fastest of s8\n"
      "        (user HWIO weights: oneDNN's reference kernel, n/a), s8+w and u8+w (weights reordered once; u8: x + 128\n"
      "        made outside the timed call; n/a without VNNI, where it saturates); XNNPACK qc8 NHWC operator (kernel\n"
      "        scales = the real multipliers, input and output scale 1)\n"
      "  checked before and after timing against cg_ref_conv_s8 (TFLite's arithmetic): convgen exactly; XNNPACK\n"
      "        (float32 requantization, one rounding) within %d step, oneDNN within %d (%s)\n\n", TOL_S8_LIBRARY,
      dnnl_s8_tolerance(), dnnl_s8_tolerance() == TOL_S8_LIBRARY ? "VNNI" : "no VNNI: it halves the weights");
}

/* The run's opening lines: machine, libraries, peaks, timing method, and for forward rows how they are checked. */
void bench_print_preamble(const bench_setup *s)
{
  const bench_timing *t = &s->timing;
  bench_out("convgen bench: %s\n", t->threads == 1 ? "single thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1, XNNPACK without a thread pool)"
                                                  : "multi-threaded (--threads)");
  if (t->threads > 1) bench_out("  threads: %d for OpenBLAS, oneDNN (OpenMP) and XNNPACK (pthreadpool)\n", t->threads);
  bench_out("CPU: %s, %ld logical CPUs online, L2 %zu KiB; load average %.2f at the start\n",
            s->cpu, sysconf(_SC_NPROCESSORS_ONLN), s->l2 / 1024, bench_load_average());
  bench_out("OpenBLAS core: %s (%s)\n", bench_openblas_core(), bench_openblas_core_origin());
#ifdef BENCH_KERNEL_PATHS
  bench_out("convgen kernels: %s (compiled in; the first runs every f32 layer that has a SIMD path)\n",
            BENCH_KERNEL_PATHS);
#endif
  bench_out("%s; XNNPACK: %s\n", s->dnnl_text,
#ifdef BENCH_HAVE_XNNPACK
            "built in (f32 NHWC operator, weights packed at creation)"
#else
            "not built in"
#endif
  );
  bench_out("sgemm peak %.1f GFLOP/s, dgemm %.1f GFLOP/s (best 1024^3 GEMM through cg_gemm, %d thread%s);\n"
            "memcpy %.1f GB/s (best copy of 128 MiB, bytes copied per second)\n",
            s->peak, s->dpeak, t->threads, t->threads == 1 ? "" : "s", s->bandwidth);
  bench_out("timing: median of %d measurements per implementation, each >= %.2g ms of back-to-back calls after a warm-up,\n"
            "        implementations interleaved round-robin; GF/s = 2*MACs / time\n",
            t->samples, t->min_seconds * 1e3);
  if (s->passes & 1 << BENCH_PASS_FWD) {
    bench_out("checked before and after timing against cg_ref_conv (double accumulation):\n"
              "        |out - ref| <= %g * sqrt(K) * (1 + |ref|) for f32, %g * sqrt(K) * (1 + |ref|) for f64, K = C/groups*KH*KW\n",
              TOL_F32, TOL_F64);
    bench_out("baseline: cg_ref_im2col per image + one cg_gemm per group (same BLAS) + a bias/activation pass\n");
    bench_out("oneDNN: fastest correct of plain (user layouts), plain+w (weights reordered once) and blocked (format any,\n"
              "        src/dst reorders timed); XNNPACK: NHWC operator, NCHW data transposed outside the timed call\n\n");
  }
}

/* The backward table: a preamble and header before its data rows, a blank line before its weights rows. */
void bench_print_pass_start(bench_pass pass, int passes)
{
  if (pass == BENCH_PASS_S8) {
    print_s8_preamble();
    print_header_s8();
    return;
  }
  if (pass == BENCH_PASS_FWD || pass == BENCH_PASS_BWD_DATA || !(passes & 1 << BENCH_PASS_BWD_DATA)) {
    if (pass != BENCH_PASS_FWD) print_backward_preamble();
    print_header(pass);
  } else {
    bench_out("\n");
  }
}

void bench_plot(const char *png, const layer_result *rows, int n, const bench_setup *s)
{
  int backward_rows = 0, forward_rows = 0;
  for (int i = 0; i < n; ++i) {
    backward_rows += is_backward(rows[i].pass);
    forward_rows += rows[i].pass == BENCH_PASS_FWD;
  }
  const int threads = s->timing.threads;
  char title[512];
  snprintf(title, sizeof title, "convgen bench, %s, %d thread%s, OpenBLAS %s (sgemm peak %.0f GFLOP/s)", s->cpu,
           threads, threads == 1 ? "" : "s", bench_openblas_core(), s->peak);
  for (char *c = title; *c != '\0'; ++c) {
    if (*c == '\'') *c = ' ';
  }
  char backward_png[4096];
  if (forward_rows > 0) {
    plot_forward(png, rows, n, s->peak, title);
  } else {
    remove(png); /* no chart of another run left looking current */
  }
  if (backward_rows > 0) {
    plot_backward(png, rows, n, s->peak, title);
  } else if (sibling_path(png, "_backward.png", backward_png, sizeof backward_png) == 0) {
    remove(backward_png);
  }
}

/* Type-independent helpers of the Check harness: guarded buffers, PRNG, failure reports, descriptor text. */
/* For write(2), the only safe way to print from a fatal-signal handler. */
#define _POSIX_C_SOURCE 200112L

#include "harness_util.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Under AddressSanitizer the canary zones are also poisoned, so that a stray
   READ (which a canary cannot see) is reported at the faulting instruction. */
#if defined(__SANITIZE_ADDRESS__)
#define CG_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CG_HAVE_ASAN 1
#endif
#endif
#ifdef CG_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#endif

static void set_poison(unsigned char *p, size_t n, int on) {
#ifdef CG_HAVE_ASAN
  if (on)
    ASAN_POISON_MEMORY_REGION(p, n);
  else
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  (void)p;
  (void)n;
  (void)on;
#endif
}

static void poison_zones(const cg_guard *g, int on) {
  size_t end = g->front + g->bytes;
  set_poison(g->zone, g->front, on);
  set_poison(g->zone + end, g->total - end, on);
}

int cg_guard_alloc(cg_guard *g, size_t bytes, size_t offset) {
  size_t total = CG_GUARD_BYTES + offset + bytes + CG_GUARD_BYTES;
  uintptr_t at;
  memset(g, 0, sizeof *g);
  /* malloc plus manual alignment: aligned_alloc is C11, the harness is C99. */
  g->raw = malloc(total + CG_GUARD_BYTES - 1);
  if (g->raw == NULL)
    return 0;
  at = ((uintptr_t)g->raw + (CG_GUARD_BYTES - 1)) &
       ~(uintptr_t)(CG_GUARD_BYTES - 1);
  g->zone = g->raw + (at - (uintptr_t)g->raw);
  g->front = CG_GUARD_BYTES + offset;
  g->bytes = bytes;
  g->total = total;
  g->p = g->zone + g->front;
  memset(g->zone, CG_GUARD_FILL, total);
  poison_zones(g, 1);
  return 1;
}

void cg_guard_free(cg_guard *g) {
  if (g->raw != NULL) {
    poison_zones(g, 0);
    free(g->raw);
  }
  memset(g, 0, sizeof *g);
}

size_t cg_guard_damage(const cg_guard *g, long *first) {
  size_t i, bad = 0;
  *first = 0;
  if (g->zone == NULL)
    return 0;
  poison_zones(g, 0);
  for (i = 0; i < g->total; ++i) {
    if (i == g->front)
      i += g->bytes; /* skip the payload */
    if (i >= g->total)
      break;
    if (g->zone[i] != CG_GUARD_FILL && bad++ == 0)
      *first = (long)i - (long)g->front;
  }
  poison_zones(g, 1);
  return bad;
}

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

void cg_rng_seed(cg_rng *r, uint64_t seed) {
  r->s = splitmix64(&seed);
  if (r->s == 0) /* the one state xorshift never leaves */
    r->s = 1;
}

static uint64_t rng_next(cg_rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1Du;
}

double cg_rng_uniform(cg_rng *r, int mant_bits) {
  uint64_t k = rng_next(r) >> (64 - mant_bits);
  return ldexp((double)k, 1 - mant_bits) - 1.0;
}

static void report_vappend(cg_report *r, const char *fmt, va_list ap) {
  size_t room = sizeof r->text - r->len;
  int n;
  if (room <= 1)
    return;
  n = vsnprintf(r->text + r->len, room, fmt, ap);
  if (n < 0)
    return;
  if ((size_t)n >= room) { /* truncated: say so instead of silently ending */
    r->len = sizeof r->text - 1;
    memcpy(r->text + r->len - 3, "...", 3);
  } else {
    r->len += (size_t)n;
  }
}

static void report_append(cg_report *r, const char *fmt, ...)
    CG_PRINTF_LIKE(2, 3);
static void report_append(cg_report *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report_vappend(r, fmt, ap);
  va_end(ap);
}

static const char *act_name(cg_activation a) {
  switch (a) {
  case CG_ACT_NONE: return "none";
  case CG_ACT_RELU: return "relu";
  case CG_ACT_RELU6: return "relu6";
  case CG_ACT_CLAMP: return "clamp";
  }
  return "invalid";
}

void cg_report_init(cg_report *r, const char *name, const cg_conv_desc *d,
                    size_t ws_bytes) {
  int transposed = d->op == CG_OP_CONV_TRANSPOSE2D;
  r->len = 0;
  r->problems = 0;
  r->text[0] = '\0';
  report_append(r,
                "layer %s {%s %s%s N=%d C=%d H=%d W=%d M=%d K=%dx%d stride=%dx%d "
                "dil=%dx%d pad(t,b,l,r)=%d,%d,%d,%d groups=%d OH=%d OW=%d "
                "bias=%d act=%s",
                name, d->dtype == CG_DTYPE_F32 ? "f32" : d->dtype == CG_DTYPE_S8 ? "s8" : "f64",
                d->layout == CG_LAYOUT_NHWC ? "NHWC" : "NCHW",
                transposed ? " conv_transpose2d" : "", d->n, d->c, d->h, d->w,
                d->m, d->kh, d->kw, d->sh, d->sw, d->dh, d->dw, d->pad_top,
                d->pad_bottom, d->pad_left, d->pad_right, d->groups, d->oh,
                d->ow, d->has_bias, act_name(d->activation));
  if (transposed)
    report_append(r, " out_pad=%d,%d ws=%zuB}", d->out_pad_h, d->out_pad_w,
                  ws_bytes);
  else
    report_append(r, " col=%zux%zu ws=%zuB}", cg_col_rows(d), cg_col_cols(d),
                  ws_bytes);
  if (d->op != CG_OP_CONV2D && !transposed)
    report_append(r, " op=%d", (int)d->op);
  if (d->activation == CG_ACT_CLAMP)
    report_append(r, " clamp=[%g,%g]", d->act_lo, d->act_hi);
}

void cg_report_add(cg_report *r, const char *fmt, ...) {
  va_list ap;
  r->problems++;
  report_append(r, "\n    - ");
  va_start(ap, fmt);
  report_vappend(r, fmt, ap);
  va_end(ap);
}

void cg_report_same(cg_report *r, const char *prefix, const char *what,
                    long long macro_value, long long desc_value) {
  if (macro_value != desc_value)
    cg_report_add(r, "macro %s_%s = %lld but the descriptor gives %lld", prefix,
                  what, macro_value, desc_value);
}

void cg_report_guard(cg_report *r, const cg_guard *g, const char *buf,
                     const char *call) {
  long first;
  size_t bad = cg_guard_damage(g, &first);
  if (bad == 0)
    return;
  if (first < 0)
    cg_report_add(r, "%s: %s overwrote %zu canary byte(s), first %ld byte(s) "
                  "before the buffer", buf, call, bad, -first);
  else
    cg_report_add(r, "%s: %s overwrote %zu canary byte(s), first at byte %ld "
                  "past the end (buffer is %zu bytes)", buf, call, bad,
                  first - (long)g->bytes, g->bytes);
}

void cg_report_unchanged(cg_report *r, const void *now, const void *orig,
                         int fill, size_t bytes, size_t elem_size,
                         const char *buf, const char *call) {
  const unsigned char *a = now, *b = orig;
  size_t i, changed = 0, first = 0;
  for (i = 0; i < bytes; ++i) {
    int differs = b != NULL ? a[i] != b[i] : a[i] != (unsigned char)fill;
    if (differs && changed++ == 0)
      first = i;
  }
  if (changed == 0)
    return;
  if (b != NULL)
    cg_report_add(r, "%s: %s modified this const input (%zu byte(s), first "
                  "in element %zu)", buf, call, changed, first / elem_size);
  else
    cg_report_add(r, "%s: %s wrote to it although it must return before "
                  "touching it (%zu byte(s), first in element %zu)", buf, call,
                  changed, first / elem_size);
}

void cg_index_format(char *buf, size_t n, const cg_conv_desc *d, cg_shape s,
                     size_t i) {
  size_t h = (size_t)d->h, w = (size_t)d->w, c = (size_t)d->c;
  size_t oh = (size_t)d->oh, ow = (size_t)d->ow, m = (size_t)d->m;
  size_t kh = (size_t)d->kh, kw = (size_t)d->kw;
  size_t g = d->groups > 0 ? (size_t)d->groups : 1;
  int nhwc = d->layout == CG_LAYOUT_NHWC;
  switch (s) {
  case CG_SHAPE_IMAGE:
    if (nhwc)
      snprintf(buf, n, "[h=%zu w=%zu c=%zu]", i / (w * c), i / c % w, i % c);
    else
      snprintf(buf, n, "[c=%zu h=%zu w=%zu]", i / (h * w), i / w % h, i % w);
    return;
  case CG_SHAPE_COL:
    snprintf(buf, n, "[row=%zu col=%zu]", i / cg_col_cols(d), i % cg_col_cols(d));
    return;
  case CG_SHAPE_OUTPUT:
    if (nhwc)
      snprintf(buf, n, "[n=%zu oh=%zu ow=%zu m=%zu]", i / (oh * ow * m),
               i / (ow * m) % oh, i / m % ow, i % m);
    else
      snprintf(buf, n, "[n=%zu m=%zu oh=%zu ow=%zu]", i / (m * oh * ow),
               i / (oh * ow) % m, i / ow % oh, i % ow);
    return;
  case CG_SHAPE_INPUT:
    if (nhwc)
      snprintf(buf, n, "[n=%zu h=%zu w=%zu c=%zu]", i / (h * w * c),
               i / (w * c) % h, i / c % w, i % c);
    else
      snprintf(buf, n, "[n=%zu c=%zu h=%zu w=%zu]", i / (c * h * w),
               i / (h * w) % c, i / w % h, i % w);
    return;
  case CG_SHAPE_WEIGHT:
    if (d->op == CG_OP_CONV_TRANSPOSE2D) {
      size_t mg = m / g; /* [C][M/g][KH][KW] or [KH][KW][M/g][C] */
      if (nhwc)
        snprintf(buf, n, "[kh=%zu kw=%zu m_in_group=%zu c=%zu]",
                 i / (kw * mg * c), i / (mg * c) % kw, i / c % mg, i % c);
      else
        snprintf(buf, n, "[c=%zu m_in_group=%zu kh=%zu kw=%zu]",
                 i / (mg * kh * kw), i / (kh * kw) % mg, i / kw % kh, i % kw);
    } else {
      size_t cg = c / g; /* [M][C/g][KH][KW] or [KH][KW][C/g][M] */
      if (nhwc)
        snprintf(buf, n, "[kh=%zu kw=%zu c_in_group=%zu m=%zu]",
                 i / (kw * cg * m), i / (cg * m) % kw, i / m % cg, i % m);
      else
        snprintf(buf, n, "[m=%zu c_in_group=%zu kh=%zu kw=%zu]",
                 i / (cg * kh * kw), i / (kh * kw) % cg, i / kw % kh, i % kw);
    }
    return;
  case CG_SHAPE_BIAS:
    snprintf(buf, n, "[m=%zu]", i);
    return;
  }
  snprintf(buf, n, "[%zu]", i);
}

/* The one place the output-size formula lives in the harness; -1 when the
   dilated kernel does not fit the padded input. */
static int out_size(int in, int pad_a, int pad_b, int k, int dil, int stride) {
  int span = in + pad_a + pad_b - dil * (k - 1) - 1;
  return span < 0 ? -1 : span / stride + 1;
}

/* Field ranges, dtype, layout and activation, common to both ops; returns
   nonzero when a field is so far out of range that the size formulas must
   not be evaluated. */
static int desc_fields(cg_report *r, const cg_conv_desc *d, cg_dtype dtype) {
  const struct { const char *name; int value; int min; } f[] = {
      {"n", d->n, 1},           {"c", d->c, 1},
      {"h", d->h, 1},           {"w", d->w, 1},
      {"m", d->m, 1},           {"kh", d->kh, 1},
      {"kw", d->kw, 1},         {"sh", d->sh, 1},
      {"sw", d->sw, 1},         {"dh", d->dh, 1},
      {"dw", d->dw, 1},         {"groups", d->groups, 1},
      {"pad_top", d->pad_top, 0}, {"pad_bottom", d->pad_bottom, 0},
      {"pad_left", d->pad_left, 0}, {"pad_right", d->pad_right, 0},
      {"out_pad_h", d->out_pad_h, 0}, {"out_pad_w", d->out_pad_w, 0}};
  int bad_field = 0;
  size_t i;
  for (i = 0; i < sizeof f / sizeof f[0]; ++i)
    if (f[i].value < f[i].min) {
      cg_report_add(r, "descriptor %s = %d, must be >= %d", f[i].name,
                    f[i].value, f[i].min);
      bad_field = 1;
    }
  if (d->dtype != dtype)
    cg_report_add(r, "descriptor dtype %d but the layer is in the %s list",
                  (int)d->dtype, dtype == CG_DTYPE_F32 ? "f32" : dtype == CG_DTYPE_S8 ? "s8" : "f64");
  if (d->layout != CG_LAYOUT_NCHW && d->layout != CG_LAYOUT_NHWC)
    cg_report_add(r, "descriptor layout %d is invalid", (int)d->layout);
  if (d->activation < CG_ACT_NONE || d->activation > CG_ACT_CLAMP)
    cg_report_add(r, "descriptor activation %d is invalid", (int)d->activation);
  if (d->activation == CG_ACT_CLAMP && !(d->act_lo <= d->act_hi))
    cg_report_add(r, "clamp bounds [%g, %g] are empty", d->act_lo, d->act_hi);
  if (!bad_field && (d->c % d->groups != 0 || d->m % d->groups != 0))
    cg_report_add(r, "groups = %d does not divide c = %d and m = %d",
                  d->groups, d->c, d->m);
  return bad_field;
}

int cg_desc_validate(cg_report *r, const cg_conv_desc *d, cg_dtype dtype) {
  int before = r->problems, eoh, eow;
  if (d->op != CG_OP_CONV2D)
    cg_report_add(r, "descriptor op %d but the layer is in a conv2d list",
                  (int)d->op);
  if (desc_fields(r, d, dtype))
    return r->problems - before;
  if (d->out_pad_h != 0 || d->out_pad_w != 0)
    cg_report_add(r, "descriptor output padding %d,%d on a conv2d layer",
                  d->out_pad_h, d->out_pad_w);
  eoh = out_size(d->h, d->pad_top, d->pad_bottom, d->kh, d->dh, d->sh);
  eow = out_size(d->w, d->pad_left, d->pad_right, d->kw, d->dw, d->sw);
  if (eoh < 1 || eow < 1)
    cg_report_add(r, "the dilated kernel does not fit the padded input");
  else if (d->oh != eoh || d->ow != eow)
    cg_report_add(r, "descriptor oh x ow = %d x %d but the formula gives "
                  "%d x %d", d->oh, d->ow, eoh, eow);
  return r->problems - before;
}

/* conv_transpose2d's output size, in long long so that no field value can
   overflow it; < 1 when the padding removes the whole output. */
static long long transposed_size(int in, int pad_a, int pad_b, int k, int dil,
                                 int stride, int out_pad) {
  return ((long long)in - 1) * stride - pad_a - pad_b +
         (long long)dil * (k - 1) + out_pad + 1;
}

int cg_desc_validate_transpose(cg_report *r, const cg_conv_desc *d,
                               cg_dtype dtype) {
  int before = r->problems;
  long long eoh, eow;
  if (d->op != CG_OP_CONV_TRANSPOSE2D)
    cg_report_add(r, "descriptor op %d but the layer is in a "
                  "conv_transpose2d list", (int)d->op);
  if (desc_fields(r, d, dtype))
    return r->problems - before;
  if (d->out_pad_h >= d->sh && d->out_pad_h >= d->dh)
    cg_report_add(r, "output padding %d (rows) is neither below the stride "
                  "%d nor below the dilation %d", d->out_pad_h, d->sh, d->dh);
  if (d->out_pad_w >= d->sw && d->out_pad_w >= d->dw)
    cg_report_add(r, "output padding %d (columns) is neither below the "
                  "stride %d nor below the dilation %d", d->out_pad_w, d->sw,
                  d->dw);
  eoh = transposed_size(d->h, d->pad_top, d->pad_bottom, d->kh, d->dh, d->sh,
                        d->out_pad_h);
  eow = transposed_size(d->w, d->pad_left, d->pad_right, d->kw, d->dw, d->sw,
                        d->out_pad_w);
  if (eoh < 1 || eow < 1)
    cg_report_add(r, "the padding removes the whole transposed output "
                  "(%lld x %lld)", eoh, eow);
  else if (d->oh != eoh || d->ow != eow)
    cg_report_add(r, "descriptor oh x ow = %d x %d but the transposed formula "
                  "gives %lld x %lld", d->oh, d->ow, eoh, eow);
  return r->problems - before;
}

/* What the current call is, kept ready-formatted because a fatal signal
   handler cannot format. Check reports a crash only as "Received signal N" or
   "Early exit", without the layer; this line on stderr supplies it. */
static char crash_line[1200];
static volatile sig_atomic_t crash_len;

void cg_context_enter(const cg_report *r, const char *call) {
  const char *eol = strchr(r->text, '\n');
  int head = eol != NULL ? (int)(eol - r->text) : (int)r->len;
  int n = snprintf(crash_line, sizeof crash_line,
                   "convgen harness: died inside %s of %.*s\n", call, head,
                   r->text);
  if (n < 0)
    n = 0;
  if ((size_t)n >= sizeof crash_line)
    n = (int)sizeof crash_line - 1;
  crash_len = n;
}

void cg_context_leave(void) { crash_len = 0; }

static void print_crash_line(void) {
  if (crash_len > 0) {
    ssize_t ignored = write(2, crash_line, (size_t)crash_len);
    (void)ignored;
  }
}

#ifndef CG_HAVE_ASAN
static void on_fatal_signal(int sig) {
  print_crash_line();
  signal(sig, SIG_DFL);
  raise(sig);
}
#endif

void cg_install_crash_reporter(void) {
#ifdef CG_HAVE_ASAN
  /* The sanitizers own the fault handlers (and print the stack); they call
     this just before exiting. UBSan in a combined build shares the hook. */
  __sanitizer_set_death_callback(print_crash_line);
#else
  static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  size_t i;
  for (i = 0; i < sizeof sigs / sizeof sigs[0]; ++i)
    signal(sigs[i], on_fatal_signal);
#endif
}

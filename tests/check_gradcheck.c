/* Finite-difference gradient check: the generated f64 backward data, backward weights and bias gradient against central differences of the generated conv. */
/* For L(x, w, b) = <conv(x, w) + b, r> with random x, w, b and r, the
   generated conv_backward_data(r, w) must be dL/dx and
   conv_backward_weights(x, r) dL/dw and dL/db. Each component is compared
   with the central difference (L(v + h) - L(v - h)) / 2h of the generated
   conv (layers have activation "none").

   Step sizes: h = 2^-20 (about 1e-6 of the data's scale, the usual
   gradcheck step) and h = 1/8. L is affine in each variable separately, so
   the central difference has no truncation error at any h: it differs from
   the gradient by rounding alone, and the larger step makes that 10^5 times
   smaller. Both steps are powers of two and the data lies on a 2^-52 grid
   in [-1, 1), so v + h and v - h are exact.

   Tolerance, with eps = DBL_EPSILON, K = C/groups*KH*KW, A = sum_p |r_p| *
   mag_p, mag the reference conv of |x| + h, |w| + h, |b| + h (a bound of
   every perturbed evaluation):
     each L evaluation errs by at most 2*eps*K*A (the conv outputs, bounded
     as in the harness) + ny*eps*A (the double dot product of ny terms), so
     the central difference errs by at most (2*K + ny)*eps*A / h, plus
     eps*|fd| for the subtraction and division;
     the generated gradient errs by at most 2*eps*k*gmag_i, k its reduction
     length (M/groups*KH*KW for dx, N*OH*OW for dw and db) and gmag_i the
     reference gradient of the absolute values.
   The sum is a worst-case bound, so a correct kernel cannot fail it; with
   h = 1/8 it is about 1e-9 of a typical gradient component, far below any
   misplaced or missing term. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_model.h"

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  int (*conv)(const double *x, const double *w, const double *bias, double *y,
              void *workspace);
  int (*backward_data)(const double *dy, const double *w, double *dx,
                       void *workspace);
  int (*backward_weights)(const double *x, const double *dy, double *dw,
                          double *db, void *workspace);
  size_t ws_bytes;
} gc_layer;

#define GC_ENTRY(sym, SYM)                                                     \
  {#sym, &sym##_desc, sym##_conv, sym##_conv_backward_data,                    \
   sym##_conv_backward_weights, (size_t)(SYM##_WORKSPACE_BYTES)},

/* The trailing {0} keeps the initializer valid for an empty list. */
static const gc_layer gc_layers[] = {GC_MODEL_BACKWARD_F64(GC_ENTRY){0}};
static const int gc_layer_count =
    (int)(sizeof gc_layers / sizeof gc_layers[0]) - 1;

/* The two step sizes, 2^-20 and 2^-3. */
static const double gc_steps[2] = {0x1p-20, 0x1p-3};

/* One layer's data: inputs, the weight r of the loss, and the generated
   conv's output buffer and workspace. */
typedef struct {
  const gc_layer *L;
  const cg_conv_desc *d;
  size_t nx, nw, ny, nb;
  double *x, *w, *b, *r, *y;
  unsigned char *ws_raw;
  void *ws;
} gc_ctx;

/* splitmix64 for the data: uniform on a 2^-52 grid in [-1, 1). */
static double gc_uniform(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  z ^= z >> 31;
  return ldexp((double)(z >> 11), -52) - 1.0;
}

static double *gc_vec(size_t n) {
  double *v = calloc(n > 0 ? n : 1, sizeof *v);
  ck_assert_ptr_nonnull(v);
  return v;
}

static void gc_random(double *v, size_t n, uint64_t *s) {
  size_t i;
  for (i = 0; i < n; ++i)
    v[i] = gc_uniform(s);
}

static void gc_init(gc_ctx *c, const gc_layer *L, int layer) {
  uint64_t s = 0x5EED0000u + (uint64_t)layer;
  memset(c, 0, sizeof *c);
  c->L = L;
  c->d = L->desc;
  c->nx = cg_input_elems(c->d);
  c->nw = cg_weight_elems(c->d);
  c->ny = cg_output_elems(c->d);
  c->nb = (size_t)c->d->m;
  c->x = gc_vec(c->nx);
  c->w = gc_vec(c->nw);
  c->b = gc_vec(c->nb);
  c->r = gc_vec(c->ny);
  c->y = gc_vec(c->ny);
  gc_random(c->x, c->nx, &s);
  gc_random(c->w, c->nw, &s);
  gc_random(c->b, c->nb, &s);
  gc_random(c->r, c->ny, &s);
  /* Aligned by hand: aligned_alloc is C11. */
  c->ws_raw = malloc(L->ws_bytes + CG_WORKSPACE_ALIGN);
  ck_assert_ptr_nonnull(c->ws_raw);
  c->ws = c->ws_raw + (CG_WORKSPACE_ALIGN -
                       (uintptr_t)c->ws_raw % CG_WORKSPACE_ALIGN) %
                          CG_WORKSPACE_ALIGN;
}

static void gc_free(gc_ctx *c) {
  free(c->x);
  free(c->w);
  free(c->b);
  free(c->r);
  free(c->y);
  free(c->ws_raw);
}

/* L = <conv(x, w) + b, r> through the generated conv. */
static double gc_loss(gc_ctx *c) {
  double s = 0.0;
  size_t i;
  int rc = c->L->conv(c->x, c->w, c->b, c->y, c->ws);
  ck_assert_msg(rc == CG_OK, "%s: conv returned %d", c->L->name, rc);
  for (i = 0; i < c->ny; ++i)
    s += c->y[i] * c->r[i];
  return s;
}

static void gc_abs_plus(double *dst, const double *src, size_t n, double h) {
  size_t i;
  for (i = 0; i < n; ++i)
    dst[i] = fabs(src[i]) + h;
}

/* A = sum_p |r_p| * mag_p, mag = reference conv of |x|+h, |w|+h, |b|+h. */
static double gc_magnitude(const gc_ctx *c, double h) {
  double *ax = gc_vec(c->nx), *aw = gc_vec(c->nw), *ab = gc_vec(c->nb);
  double *mag = gc_vec(c->ny), a = 0.0;
  size_t i;
  gc_abs_plus(ax, c->x, c->nx, h);
  gc_abs_plus(aw, c->w, c->nw, h);
  gc_abs_plus(ab, c->b, c->nb, h);
  cg_ref_conv_f64(c->d, ax, aw, ab, mag);
  for (i = 0; i < c->ny; ++i)
    a += fabs(c->r[i]) * mag[i];
  free(ax);
  free(aw);
  free(ab);
  free(mag);
  return a;
}

/* Compares g (the generated gradient with respect to v, error bound
   2*eps*k*gmag) with central differences of step h in every component of v;
   appends a line to msg for each failure kind. Returns the failures. */
static size_t gc_compare(gc_ctx *c, double *v, size_t n, const double *g,
                         const double *gmag, double k, double h, double a,
                         const char *what, char *msg, size_t msg_size) {
  double kf = (double)(c->d->c / c->d->groups) * c->d->kh * c->d->kw;
  double fd_err = (2.0 * kf + (double)c->ny) * DBL_EPSILON * a / h;
  double worst = 0.0, worst_fd = 0.0;
  size_t i, bad = 0, at = 0;
  for (i = 0; i < n; ++i) {
    double keep = v[i], lp, lm, fd, tol, ratio;
    v[i] = keep + h;
    lp = gc_loss(c);
    v[i] = keep - h;
    lm = gc_loss(c);
    v[i] = keep;
    fd = (lp - lm) / (2.0 * h);
    tol = fd_err + DBL_EPSILON * fabs(fd) + 2.0 * DBL_EPSILON * k * gmag[i];
    ratio = fabs(fd - g[i]) / tol;
    if (!(ratio <= 1.0)) {
      if (bad == 0 || !(ratio <= worst)) {
        worst = ratio;
        worst_fd = fd;
        at = i;
      }
      ++bad;
    }
  }
  if (bad > 0) {
    size_t len = strlen(msg);
    snprintf(msg + len, msg_size - len,
             "\n    - %s, h = %g: %zu of %zu components differ from the "
             "central difference; worst [%zu]: gradient %.17g, central "
             "difference %.17g (%.3g x tol)",
             what, h, bad, n, at, g[at], worst_fd, worst);
  }
  return bad;
}

START_TEST(gradcheck) {
  const gc_layer *L = &gc_layers[_i];
  gc_ctx c;
  double *dx, *dw, *db, *adx, *adw, *adb, *ar, *aw, *ax;
  double k_dx, k_dw;
  char msg[3000];
  size_t bad = 0;
  int s, rc;
  gc_init(&c, L, _i);
  k_dx = (double)(c.d->m / c.d->groups) * c.d->kh * c.d->kw;
  k_dw = (double)c.d->n * c.d->oh * c.d->ow;
  dx = gc_vec(c.nx);
  dw = gc_vec(c.nw);
  db = gc_vec(c.nb);
  adx = gc_vec(c.nx);
  adw = gc_vec(c.nw);
  adb = gc_vec(c.nb);
  ar = gc_vec(c.ny);
  aw = gc_vec(c.nw);
  ax = gc_vec(c.nx);
  snprintf(msg, sizeof msg, "layer %s (%s, N=%d C=%d H=%d W=%d M=%d K=%dx%d "
           "stride=%dx%d dil=%dx%d groups=%d)", L->name,
           c.d->layout == CG_LAYOUT_NHWC ? "NHWC" : "NCHW", c.d->n, c.d->c,
           c.d->h, c.d->w, c.d->m, c.d->kh, c.d->kw, c.d->sh, c.d->sw,
           c.d->dh, c.d->dw, c.d->groups);
  ck_assert_msg(c.d->activation == CG_ACT_NONE && c.d->dtype == CG_DTYPE_F64,
                "%s: the gradient check needs f64 layers without activation",
                msg);
  rc = L->backward_data(c.r, c.w, dx, c.ws);
  ck_assert_msg(rc == CG_OK, "%s: backward_data returned %d", msg, rc);
  rc = L->backward_weights(c.x, c.r, dw, db, c.ws);
  ck_assert_msg(rc == CG_OK, "%s: backward_weights returned %d", msg, rc);
  /* Magnitudes of the gradients for their own error bounds. */
  gc_abs_plus(ar, c.r, c.ny, 0.0);
  gc_abs_plus(aw, c.w, c.nw, 0.0);
  gc_abs_plus(ax, c.x, c.nx, 0.0);
  cg_ref_conv_backward_data_f64(c.d, ar, aw, adx);
  cg_ref_conv_backward_weights_f64(c.d, ax, ar, adw, adb);
  for (s = 0; s < 2; ++s) {
    double h = gc_steps[s], a = gc_magnitude(&c, h);
    bad += gc_compare(&c, c.x, c.nx, dx, adx, k_dx, h, a, "dL/dx", msg,
                      sizeof msg);
    bad += gc_compare(&c, c.w, c.nw, dw, adw, k_dw, h, a, "dL/dw", msg,
                      sizeof msg);
    bad += gc_compare(&c, c.b, c.nb, db, adb, k_dw, h, a, "dL/db", msg,
                      sizeof msg);
  }
  free(dx);
  free(dw);
  free(db);
  free(adx);
  free(adw);
  free(adb);
  free(ar);
  free(aw);
  free(ax);
  gc_free(&c);
  ck_assert_msg(bad == 0, "%s", msg);
}
END_TEST

int main(void) {
  Suite *s = suite_create("gradcheck");
  TCase *tc = tcase_create("central_differences");
  SRunner *sr;
  int failed;
  if (gc_layer_count == 0) {
    fprintf(stderr, "check_gradcheck: gc_model.h lists no backward layer\n");
    return EXIT_FAILURE;
  }
  tcase_set_timeout(tc, 120.0);
  tcase_add_loop_test(tc, gradcheck, 0, gc_layer_count);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Check tests of the runtime the harness trusts: the reference against hand values and identities, the size helpers and cg_gemm. */
/* The harness judges generated code by the reference, so the reference is
   tested here by properties that do not share its code: hand-computed
   values, the adjoint identity between im2col and col2im, agreement of the
   two layouts, conv == GEMM(weights, im2col), and f32 == rounded f64. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convgen.h"
#include "harness_util.h"

#define N_RANDOM_DESCS 300

static int rand_int(cg_rng *r, int lo, int hi) { /* inclusive */
  double u = (cg_rng_uniform(r, 53) + 1.0) / 2.0;
  int v = lo + (int)(u * (double)(hi - lo + 1));
  return v > hi ? hi : v;
}

/* A small valid layer: any mix of groups, stride, dilation and padding
   (including padding wider than the kernel), with at least one output. */
static cg_conv_desc rand_desc(cg_rng *r, cg_layout layout) {
  cg_conv_desc d;
  int span_h, span_w;
  memset(&d, 0, sizeof d);
  d.layout = layout;
  d.dtype = CG_DTYPE_F64;
  d.groups = rand_int(r, 1, 3);
  d.c = d.groups * rand_int(r, 1, 3);
  d.m = d.groups * rand_int(r, 1, 3);
  d.n = rand_int(r, 1, 2);
  d.kh = rand_int(r, 1, 4);
  d.kw = rand_int(r, 1, 4);
  d.sh = rand_int(r, 1, 3);
  d.sw = rand_int(r, 1, 3);
  d.dh = rand_int(r, 1, 3);
  d.dw = rand_int(r, 1, 3);
  d.pad_top = rand_int(r, 0, 3);
  d.pad_bottom = rand_int(r, 0, 3);
  d.pad_left = rand_int(r, 0, 3);
  d.pad_right = rand_int(r, 0, 3);
  span_h = d.dh * (d.kh - 1) + 1 - d.pad_top - d.pad_bottom;
  span_w = d.dw * (d.kw - 1) + 1 - d.pad_left - d.pad_right;
  d.h = (span_h > 1 ? span_h : 1) + rand_int(r, 0, 5);
  d.w = (span_w > 1 ? span_w : 1) + rand_int(r, 0, 5);
  d.oh = (d.h + d.pad_top + d.pad_bottom - d.dh * (d.kh - 1) - 1) / d.sh + 1;
  d.ow = (d.w + d.pad_left + d.pad_right - d.dw * (d.kw - 1) - 1) / d.sw + 1;
  d.has_bias = 1;
  d.activation = CG_ACT_NONE;
  return d;
}

static double *rand_vec(cg_rng *r, size_t n) {
  double *v = malloc((n > 0 ? n : 1) * sizeof *v);
  size_t i;
  ck_assert_ptr_nonnull(v);
  for (i = 0; i < n; ++i)
    v[i] = cg_rng_uniform(r, 53);
  return v;
}

static double *new_vec(size_t n) {
  double *v = calloc(n > 0 ? n : 1, sizeof *v);
  ck_assert_ptr_nonnull(v);
  return v;
}

static double dot(const double *a, const double *b, size_t n, double *mag) {
  double s = 0.0;
  size_t i;
  *mag = 0.0;
  for (i = 0; i < n; ++i) {
    s += a[i] * b[i];
    *mag += fabs(a[i] * b[i]);
  }
  return s;
}

/* 1 channel 3x3 image 1..9, 2x2 kernel 1..4: worked out on paper. */
START_TEST(test_hand_values) {
  cg_conv_desc d;
  const double x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 2, 3, 4};
  const double valid[4] = {37, 47, 67, 77};
  const float xf[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, wf[4] = {1, 2, 3, 4};
  double y[4], col[16], back[9];
  float yf[4];
  int i;
  memset(&d, 0, sizeof d);
  d.n = d.c = d.m = d.groups = 1;
  d.h = d.w = 3;
  d.kh = d.kw = 2;
  d.sh = d.sw = d.dh = d.dw = 1;
  d.oh = d.ow = 2;
  cg_ref_conv_f64(&d, x, w, NULL, y);
  cg_ref_conv_f32(&d, xf, wf, NULL, yf);
  for (i = 0; i < 4; ++i) {
    ck_assert_double_eq(y[i], valid[i]);
    ck_assert_float_eq(yf[i], (float)valid[i]);
  }
  /* im2col rows are the kernel taps: row 0 = tap (0,0) over the 4 windows. */
  cg_ref_im2col_f64(&d, x, col);
  ck_assert_double_eq(col[0], 1);
  ck_assert_double_eq(col[3], 5);
  ck_assert_double_eq(col[15], 9);
  /* col2im of all ones counts how many windows cover each pixel. */
  for (i = 0; i < 16; ++i)
    col[i] = 1;
  cg_ref_col2im_f64(&d, col, back);
  ck_assert_double_eq(back[0], 1);
  ck_assert_double_eq(back[1], 2);
  ck_assert_double_eq(back[4], 4);
  ck_assert_double_eq(back[8], 1);

  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
  d.sh = d.sw = 2;
  cg_ref_conv_f64(&d, x, w, NULL, y);
  /* Pad 1 all round, stride 2: windows start at rows/cols -1 and 1.
     (0,0) sees only x[0][0] under w[1][1]; (0,1) sees x[0][1..2] under
     w[1][0..1]. */
  ck_assert_double_eq(y[0], 4 * 1);
  ck_assert_double_eq(y[1], 3 * 2 + 4 * 3);
  ck_assert_double_eq(y[2], 2 * 4 + 4 * 7);
  ck_assert_double_eq(y[3], 1 * 5 + 2 * 6 + 3 * 8 + 4 * 9);

  /* Dilation 2 on the 3x3 image: one window, the four corners. */
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 0;
  d.sh = d.sw = 1;
  d.dh = d.dw = 2;
  d.oh = d.ow = 1;
  cg_ref_conv_f64(&d, x, w, NULL, y);
  ck_assert_double_eq(y[0], 1 * 1 + 2 * 3 + 3 * 7 + 4 * 9);
}
END_TEST

START_TEST(test_activation_and_bias) {
  cg_conv_desc d;
  const double x[4] = {-3, 7, 0.5, NAN}, w[1] = {1}, b[1] = {0};
  double y[4];
  memset(&d, 0, sizeof d);
  d.n = d.c = d.m = d.groups = 1;
  d.h = 1;
  d.w = 4;
  d.kh = d.kw = d.sh = d.sw = d.dh = d.dw = 1;
  d.oh = 1;
  d.ow = 4;
  d.activation = CG_ACT_RELU;
  cg_ref_conv_f64(&d, x, w, NULL, y);
  ck_assert_double_eq(y[0], 0);
  ck_assert_double_eq(y[1], 7);
  ck_assert(isnan(y[3])); /* NaN propagates through every clamp */
  d.activation = CG_ACT_RELU6;
  cg_ref_conv_f64(&d, x, w, b, y);
  ck_assert_double_eq(y[0], 0);
  ck_assert_double_eq(y[1], 6);
  ck_assert_double_eq(y[2], 0.5);
  ck_assert(isnan(y[3]));
  d.activation = CG_ACT_CLAMP;
  d.act_lo = -1;
  d.act_hi = 0.25;
  cg_ref_conv_f64(&d, x, w, NULL, y);
  ck_assert_double_eq(y[0], -1);
  ck_assert_double_eq(y[1], 0.25);
  ck_assert(isnan(y[3]));
  /* Bias is added before the activation. */
  d.activation = CG_ACT_NONE;
  {
    const double b1[1] = {0.25};
    cg_ref_conv_f64(&d, x, w, b1, y);
    ck_assert_double_eq(y[0], -2.75);
  }
}
END_TEST

START_TEST(test_sizes) {
  cg_conv_desc d;
  memset(&d, 0, sizeof d);
  d.n = 2;
  d.c = 6;
  d.h = 7;
  d.w = 5;
  d.m = 4;
  d.kh = 3;
  d.kw = 2;
  d.groups = 2;
  d.oh = 4;
  d.ow = 3;
  ck_assert_uint_eq(cg_input_elems(&d), 2 * 6 * 7 * 5);
  ck_assert_uint_eq(cg_weight_elems(&d), 4 * 3 * 3 * 2);
  ck_assert_uint_eq(cg_output_elems(&d), 2 * 4 * 4 * 3);
  ck_assert_uint_eq(cg_col_rows(&d), 6 * 3 * 2);
  ck_assert_uint_eq(cg_col_cols(&d), 4 * 3);
  d.layout = CG_LAYOUT_NHWC;
  ck_assert_uint_eq(cg_col_rows(&d), 4 * 3);
  ck_assert_uint_eq(cg_col_cols(&d), 3 * 2 * 6);
}
END_TEST

/* <im2col(x), c> == <x, col2im(c)> for every layout, stride, dilation and
   padding: col2im is the adjoint, so no pixel is summed into twice or lost. */
START_TEST(test_adjoint) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 11);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc d = rand_desc(&r, k % 2 ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW);
    size_t nx = (size_t)(d.c * d.h * d.w),
           nc = cg_col_rows(&d) * cg_col_cols(&d);
    double *x = rand_vec(&r, nx), *c = rand_vec(&r, nc);
    double *xc = new_vec(nc), *cx = new_vec(nx), m1, m2, lhs, rhs;
    cg_ref_im2col_f64(&d, x, xc);
    cg_ref_col2im_f64(&d, c, cx);
    lhs = dot(xc, c, nc, &m1);
    rhs = dot(x, cx, nx, &m2);
    ck_assert_msg(fabs(lhs - rhs) <= 1e-12 * (m1 + m2 + 1.0),
                  "desc %d: <im2col x, c> = %.17g but <x, col2im c> = %.17g", k,
                  lhs, rhs);
    free(x);
    free(c);
    free(xc);
    free(cx);
  }
}
END_TEST

/* The same layer in NCHW/OIHW and NHWC/HWIO must give the same numbers: the
   reference sums in the same order in both, so equality is exact. */
START_TEST(test_layouts_agree) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 12);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc a = rand_desc(&r, CG_LAYOUT_NCHW), b = a;
    int cg = a.c / a.groups, n, c, i, j, m, kh, kw, oh, ow, bad_y = 0,
        bad_col = 0;
    size_t nx = cg_input_elems(&a), nw = cg_weight_elems(&a);
    size_t ny = cg_output_elems(&a), nc = cg_col_rows(&a) * cg_col_cols(&a);
    double *x = rand_vec(&r, nx), *w = rand_vec(&r, nw),
           *bias = rand_vec(&r, (size_t)a.m);
    double *xt = new_vec(nx), *wt = new_vec(nw), *ya = new_vec(ny),
           *yb = new_vec(ny);
    double *ca = new_vec(nc), *cb = new_vec(nc);
    b.layout = CG_LAYOUT_NHWC;
    for (n = 0; n < a.n; ++n)
      for (c = 0; c < a.c; ++c)
        for (i = 0; i < a.h; ++i)
          for (j = 0; j < a.w; ++j)
            xt[((n * a.h + i) * a.w + j) * a.c + c] =
                x[((n * a.c + c) * a.h + i) * a.w + j];
    for (m = 0; m < a.m; ++m)
      for (c = 0; c < cg; ++c)
        for (kh = 0; kh < a.kh; ++kh)
          for (kw = 0; kw < a.kw; ++kw)
            wt[((kh * a.kw + kw) * cg + c) * a.m + m] =
                w[((m * cg + c) * a.kh + kh) * a.kw + kw];
    cg_ref_conv_f64(&a, x, w, bias, ya);
    cg_ref_conv_f64(&b, xt, wt, bias, yb);
    for (n = 0; n < a.n; ++n)
      for (m = 0; m < a.m; ++m)
        for (oh = 0; oh < a.oh; ++oh)
          for (ow = 0; ow < a.ow; ++ow)
            bad_y += ya[((n * a.m + m) * a.oh + oh) * a.ow + ow] !=
                     yb[((n * a.oh + oh) * a.ow + ow) * a.m + m];
    /* The col matrices are transposes with the tap order (c,kh,kw) vs
     * (kh,kw,c). */
    cg_ref_im2col_f64(&a, x, ca);
    cg_ref_im2col_f64(&b, xt, cb);
    for (c = 0; c < a.c; ++c)
      for (kh = 0; kh < a.kh; ++kh)
        for (kw = 0; kw < a.kw; ++kw)
          for (i = 0; i < a.oh * a.ow; ++i)
            bad_col += ca[((c * a.kh + kh) * a.kw + kw) * a.oh * a.ow + i] !=
                       cb[(i * a.kh * a.kw + kh * a.kw + kw) * a.c + c];
    ck_assert_msg(bad_y == 0 && bad_col == 0,
                  "desc %d: NCHW and NHWC differ in %d conv and %d im2col "
                  "elements",
                  k, bad_y, bad_col);
    free(x);
    free(w);
    free(bias);
    free(xt);
    free(wt);
    free(ya);
    free(yb);
    free(ca);
    free(cb);
  }
}
END_TEST

/* conv(x, w) == W_g * im2col(x)_g per group (NCHW), the identity every
   im2col+GEMM kernel relies on; the GEMM is cg_gemm_f64, so this also
   exercises the CBLAS backend with offsets and leading dimensions. */
START_TEST(test_conv_is_gemm) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 13);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc d = rand_desc(&r, CG_LAYOUT_NCHW);
    int pix = d.oh * d.ow, kg = d.c / d.groups * d.kh * d.kw,
        mg = d.m / d.groups;
    int n, g;
    size_t i, nx = cg_input_elems(&d), ny = cg_output_elems(&d);
    size_t nc = cg_col_rows(&d) * cg_col_cols(&d);
    double *x = rand_vec(&r, nx), *w = rand_vec(&r, cg_weight_elems(&d));
    double *y = new_vec(ny), *yg = new_vec(ny), *col = new_vec(nc);
    cg_ref_conv_f64(&d, x, w, NULL, y);
    for (n = 0; n < d.n; ++n) {
      cg_ref_im2col_f64(&d, x + (size_t)(n * d.c * d.h * d.w), col);
      for (g = 0; g < d.groups; ++g)
        cg_gemm_f64(CG_NO_TRANS, CG_NO_TRANS, mg, pix, kg, 1.0, w + g * mg * kg,
                    kg, col + g * kg * pix, pix, 0.0,
                    yg + (size_t)(n * d.m * pix + g * mg * pix), pix);
    }
    for (i = 0; i < ny; ++i)
      if (!(fabs(y[i] - yg[i]) <= 1e-12))
        break;
    ck_assert_msg(i == ny, "desc %d: element %zu conv %.17g, gemm %.17g", k, i,
                  y[i < ny ? i : 0], yg[i < ny ? i : 0]);
    free(x);
    free(w);
    free(y);
    free(yg);
    free(col);
  }
}
END_TEST

/* The f32 reference is the f64 one rounded once: products of floats are
   exact in double and both sum in the same order. */
START_TEST(test_f32_is_rounded_f64) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 14);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc d = rand_desc(&r, k % 2 ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW),
                 d32;
    size_t nx = cg_input_elems(&d), nw = cg_weight_elems(&d),
           ny = cg_output_elems(&d);
    size_t nimg = (size_t)(d.c * d.h * d.w),
           nc = cg_col_rows(&d) * cg_col_cols(&d), i;
    double *x = new_vec(nx), *w = new_vec(nw), *b = new_vec((size_t)d.m),
           *y = new_vec(ny);
    double *col = new_vec(nc), *img = new_vec(nimg);
    float *xf = malloc(nx * sizeof *xf), *wf = malloc(nw * sizeof *wf);
    float *bf = malloc((size_t)d.m * sizeof *bf), *yf = malloc(ny * sizeof *yf);
    float *colf = malloc(nc * sizeof *colf),
          *imgf = malloc(nimg * sizeof *imgf);
    ck_assert(xf && wf && bf && yf && colf && imgf);
    for (i = 0; i < nx; ++i)
      x[i] = xf[i] = (float)cg_rng_uniform(&r, 24);
    for (i = 0; i < nw; ++i)
      w[i] = wf[i] = (float)cg_rng_uniform(&r, 24);
    for (i = 0; i < (size_t)d.m; ++i)
      b[i] = bf[i] = (float)cg_rng_uniform(&r, 24);
    d32 = d;
    d32.dtype = CG_DTYPE_F32;
    cg_ref_conv_f64(&d, x, w, b, y);
    cg_ref_conv_f32(&d32, xf, wf, bf, yf);
    for (i = 0; i < ny && yf[i] == (float)y[i]; ++i)
      continue;
    ck_assert_msg(i == ny, "desc %d: conv element %zu differs in f32", k, i);
    cg_ref_im2col_f32(&d32, xf, colf);
    cg_ref_col2im_f32(&d32, colf, imgf);
    cg_ref_im2col_f64(&d, x, col);
    cg_ref_col2im_f64(&d, col, img);
    for (i = 0; i < nimg && imgf[i] == (float)img[i]; ++i)
      continue;
    ck_assert_msg(i == nimg, "desc %d: col2im element %zu differs in f32", k,
                  i);
    free(x);
    free(w);
    free(b);
    free(y);
    free(col);
    free(img);
    free(xf);
    free(wf);
    free(bf);
    free(yf);
    free(colf);
    free(imgf);
  }
}
END_TEST

/* Every transpose combination, alpha/beta, padded leading dimensions, and
   beta = 0 over a NaN-filled C (BLAS must not read C then; the harness
   pre-fills outputs with NaN, so a kernel relying on 0*NaN would fail). */
START_TEST(test_gemm) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 15);
  for (k = 0; k < 400; ++k) {
    cg_transpose ta = k & 1 ? CG_TRANS : CG_NO_TRANS,
                 tb = k & 2 ? CG_TRANS : CG_NO_TRANS;
    int m = rand_int(&r, 1, 9), n = rand_int(&r, 1, 9), kk = rand_int(&r, 1, 9);
    int lda = (ta ? m : kk) + rand_int(&r, 0, 2),
        ldb = (tb ? kk : n) + rand_int(&r, 0, 2);
    int ldc = n + rand_int(&r, 0, 2), i, j, p;
    double alpha = k & 4 ? 1.0 : -0.75, beta = k & 8 ? 0.0 : 0.5;
    double *a = rand_vec(&r, (size_t)((ta ? kk : m) * lda));
    double *b = rand_vec(&r, (size_t)((tb ? n : kk) * ldb));
    double *c = rand_vec(&r, (size_t)(m * ldc)),
           *c0 = new_vec((size_t)(m * ldc));
    float *af = malloc((size_t)((ta ? kk : m) * lda) * sizeof *af);
    float *bf = malloc((size_t)((tb ? n : kk) * ldb) * sizeof *bf);
    float *cf = malloc((size_t)(m * ldc) * sizeof *cf);
    ck_assert(af && bf && cf);
    for (i = 0; i < (ta ? kk : m) * lda; ++i)
      af[i] = (float)a[i];
    for (i = 0; i < (tb ? n : kk) * ldb; ++i)
      bf[i] = (float)b[i];
    if (beta == 0.0)
      for (i = 0; i < m * ldc; ++i)
        c[i] = NAN;
    for (i = 0; i < m * ldc; ++i)
      cf[i] = (float)c[i];
    memcpy(c0, c, (size_t)(m * ldc) * sizeof *c);
    cg_gemm_f64(ta, tb, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc);
    cg_gemm_f32(ta, tb, m, n, kk, (float)alpha, af, lda, bf, ldb, (float)beta,
                cf, ldc);
    for (i = 0; i < m; ++i)
      for (j = 0; j < n; ++j) {
        double s = 0.0, want;
        for (p = 0; p < kk; ++p)
          s += (ta ? a[p * lda + i] : a[i * lda + p]) *
               (tb ? b[j * ldb + p] : b[p * ldb + j]);
        want = alpha * s + (beta == 0.0 ? 0.0 : beta * c0[i * ldc + j]);
        ck_assert_msg(fabs(c[i * ldc + j] - want) <= 1e-13,
                      "gemm f64 case %d (%d,%d) %.17g want %.17g", k, i, j,
                      c[i * ldc + j], want);
        ck_assert_msg(fabs((double)cf[i * ldc + j] - want) <= 1e-5,
                      "gemm f32 case %d (%d,%d) %.9g want %.17g", k, i, j,
                      (double)cf[i * ldc + j], want);
      }
    free(a);
    free(b);
    free(c);
    free(c0);
    free(af);
    free(bf);
    free(cf);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("convgen_runtime");
  TCase *tc = tcase_create("reference");
  SRunner *sr;
  int failed;
  tcase_add_test(tc, test_hand_values);
  tcase_add_test(tc, test_activation_and_bias);
  tcase_add_test(tc, test_sizes);
  tcase_add_test(tc, test_adjoint);
  tcase_add_test(tc, test_layouts_agree);
  tcase_add_test(tc, test_conv_is_gemm);
  tcase_add_test(tc, test_f32_is_rounded_f64);
  tcase_add_test(tc, test_gemm);
  tcase_set_timeout(tc, 60.0);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

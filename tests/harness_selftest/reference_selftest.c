/* Check tests of the runtime the harness trusts: the reference against hand values and identities, the size helpers and cg_gemm. */
/* The harness judges generated code by the reference, so the reference is
   tested here by properties that do not share its code: hand-computed
   values, the adjoint identity between im2col and col2im, agreement of the
   two layouts, conv == GEMM(weights, im2col), and f32 == rounded f64; for
   the gradients and conv_transpose2d: the published values of example A,
   hand values, the scatter definition of conv_transpose2d, conv_transpose2d
   == backward data of the matching conv2d, the adjoint identities
   <conv(x, w), dy> = <x, dx> = <w, dw>, the im2col/col2im + GEMM form of
   both gradients, and f32 == rounded f64. */
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

/* ---- conv2d gradients and conv_transpose2d ----------------------------- */

/* A small valid conv_transpose2d layer. Output padding goes up to
   max(stride, dilation) - 1 (PyTorch's limit), or below the stride only when
   the layer must be the adjoint of a conv2d of the same parameters. */
static cg_conv_desc rand_tdesc(cg_rng *r, cg_layout layout, int outpad_below_stride) {
  cg_conv_desc d;
  int need_h, need_w, lim_h, lim_w;
  memset(&d, 0, sizeof d);
  d.op = CG_OP_CONV_TRANSPOSE2D;
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
  lim_h = outpad_below_stride || d.sh > d.dh ? d.sh : d.dh;
  lim_w = outpad_below_stride || d.sw > d.dw ? d.sw : d.dw;
  d.out_pad_h = rand_int(r, 0, lim_h - 1);
  d.out_pad_w = rand_int(r, 0, lim_w - 1);
  /* The smallest input that leaves at least one output row and column. */
  need_h = d.pad_top + d.pad_bottom - d.dh * (d.kh - 1) - d.out_pad_h;
  need_w = d.pad_left + d.pad_right - d.dw * (d.kw - 1) - d.out_pad_w;
  d.h = 1 + (need_h > 0 ? (need_h + d.sh - 1) / d.sh : 0) + rand_int(r, 0, 4);
  d.w = 1 + (need_w > 0 ? (need_w + d.sw - 1) / d.sw : 0) + rand_int(r, 0, 4);
  d.oh = (d.h - 1) * d.sh - d.pad_top - d.pad_bottom + d.dh * (d.kh - 1) +
         d.out_pad_h + 1;
  d.ow = (d.w - 1) * d.sw - d.pad_left - d.pad_right + d.dw * (d.kw - 1) +
         d.out_pad_w + 1;
  d.has_bias = 1;
  d.activation = CG_ACT_NONE;
  return d;
}

/* conv_transpose2d by its textbook definition, written independently of the
   reference (scatter instead of gather, own index arithmetic): every input
   element adds x*w to output ih*sh - pad_top + kh*dh, iw*sw - pad_left +
   kw*dw of every output channel of its group, when that lies in the output. */
static void scatter_transpose(const cg_conv_desc *d, const double *x,
                              const double *w, const double *b, double *y) {
  int cg = d->c / d->groups, mg = d->m / d->groups, nhwc = d->layout == CG_LAYOUT_NHWC;
  int n, c, ih, iw, ml, kh, kw, m, oh, ow;
  size_t i, ny = cg_output_elems(d);
  for (i = 0; i < ny; ++i)
    y[i] = 0.0;
  for (n = 0; n < d->n; ++n)
    for (c = 0; c < d->c; ++c)
      for (ih = 0; ih < d->h; ++ih)
        for (iw = 0; iw < d->w; ++iw)
          for (ml = 0; ml < mg; ++ml)
            for (kh = 0; kh < d->kh; ++kh)
              for (kw = 0; kw < d->kw; ++kw) {
                size_t xi, wi, yi;
                m = (c / cg) * mg + ml;
                oh = ih * d->sh - d->pad_top + kh * d->dh;
                ow = iw * d->sw - d->pad_left + kw * d->dw;
                if (oh < 0 || oh >= d->oh || ow < 0 || ow >= d->ow)
                  continue;
                if (nhwc) {
                  xi = (size_t)(((n * d->h + ih) * d->w + iw) * d->c + c);
                  wi = (size_t)(((kh * d->kw + kw) * mg + ml) * d->c + c);
                  yi = (size_t)(((n * d->oh + oh) * d->ow + ow) * d->m + m);
                } else {
                  xi = (size_t)(((n * d->c + c) * d->h + ih) * d->w + iw);
                  wi = (size_t)(((c * mg + ml) * d->kh + kh) * d->kw + kw);
                  yi = (size_t)(((n * d->m + m) * d->oh + oh) * d->ow + ow);
                }
                y[yi] += x[xi] * w[wi];
              }
  if (b != NULL)
    for (i = 0; i < ny; ++i)
      y[i] += b[nhwc ? i % (size_t)d->m
                     : i / (size_t)(d->oh * d->ow) % (size_t)d->m];
}

/* Example A of seed-vectors.md (5x7 image 0..34, k = 1..9, padding 1), with
   C = M = 1 so that both layouts hold the same numbers: the published
   gradients of sum(conv) and conv_transpose2d of the published conv. */
static const double a_conv[35] = {
    134, 211, 250, 289, 328, 367, 238, 333, 492, 537, 582, 627, 672, 423,
    564, 807, 852, 897, 942, 987, 612, 795, 1122, 1167, 1212, 1257, 1302, 801,
    422, 571, 592, 613, 634, 655, 382};
static const double a_dx[35] = {
    12, 21, 21, 21, 21, 21, 16, 27, 45, 45, 45, 45, 45, 33,
    27, 45, 45, 45, 45, 45, 33, 27, 45, 45, 45, 45, 45, 33,
    24, 39, 39, 39, 39, 39, 28};
static const double a_dw[9] = {312, 378, 336, 495, 595, 525, 480, 574, 504};
static const double a_transpose[35] = {
    2672,  5379,  6804,  7659,  8514,  8403,  6254,
    8117,  15408, 18909, 20790, 22671, 21780, 15539,
    14868, 27315, 32400, 34425, 36450, 34191, 23922,
    20039, 35544, 41283, 43164, 45045, 41508, 28325,
    18608, 32055, 36756, 38151, 39546, 35943, 23966};

static cg_conv_desc example_a(cg_layout layout, cg_op op) {
  cg_conv_desc d;
  memset(&d, 0, sizeof d);
  d.op = op;
  d.layout = layout;
  d.n = d.c = d.m = d.groups = 1;
  d.h = d.oh = 5;
  d.w = d.ow = 7;
  d.kh = d.kw = 3;
  d.sh = d.sw = d.dh = d.dw = 1;
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
  return d;
}

START_TEST(test_seed_gradients) {
  int layout;
  for (layout = 0; layout < 2; ++layout) {
    cg_layout l = layout ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW;
    cg_conv_desc d = example_a(l, CG_OP_CONV2D);
    cg_conv_desc t = example_a(l, CG_OP_CONV_TRANSPOSE2D);
    double x[35], k[9], ones[35], dx[35], dw[9], db[1], y[35];
    float xf[35], kf[9], onesf[35], dxf[35], dwf[9], dbf[1], yf[35], af[35];
    int i;
    for (i = 0; i < 35; ++i) {
      x[i] = i;
      xf[i] = (float)i;
      ones[i] = 1.0;
      onesf[i] = 1.0f;
      af[i] = (float)a_conv[i];
    }
    for (i = 0; i < 9; ++i) {
      k[i] = i + 1;
      kf[i] = (float)(i + 1);
    }
    d.dtype = t.dtype = CG_DTYPE_F64;
    cg_ref_conv_backward_data_f64(&d, ones, k, dx);
    cg_ref_conv_backward_weights_f64(&d, x, ones, dw, db);
    cg_ref_conv_transpose_f64(&t, a_conv, k, NULL, y);
    d.dtype = t.dtype = CG_DTYPE_F32;
    cg_ref_conv_backward_data_f32(&d, onesf, kf, dxf);
    cg_ref_conv_backward_weights_f32(&d, xf, onesf, dwf, dbf);
    cg_ref_conv_transpose_f32(&t, af, kf, NULL, yf);
    for (i = 0; i < 35; ++i) {
      ck_assert_msg(dx[i] == a_dx[i] && (double)dxf[i] == a_dx[i],
                    "layout %d dx[%d] = %g / %g, want %g", layout, i, dx[i],
                    (double)dxf[i], a_dx[i]);
      ck_assert_msg(y[i] == a_transpose[i] && (double)yf[i] == a_transpose[i],
                    "layout %d transpose[%d] = %g / %g, want %g", layout, i,
                    y[i], (double)yf[i], a_transpose[i]);
    }
    for (i = 0; i < 9; ++i)
      ck_assert_msg(dw[i] == a_dw[i] && (double)dwf[i] == a_dw[i],
                    "layout %d dw[%d] = %g / %g, want %g", layout, i, dw[i],
                    (double)dwf[i], a_dw[i]);
    ck_assert_msg(db[0] == 35.0 && dbf[0] == 35.0f, "db = %g / %g, want 35",
                  db[0], (double)dbf[0]);
  }
}
END_TEST

/* Hand-checked small cases beyond example A: stride 2 with output padding,
   groups, and the bias and activation of conv_transpose2d. */
START_TEST(test_transpose_hand_values) {
  cg_conv_desc t;
  /* 1 channel, 2x2 input, 2x2 kernel, stride 2: the kernel is stamped,
     scaled, into four disjoint 2x2 blocks; output padding 1 adds a row and
     a column that nothing reaches (bias only), clamped to [-1, 16]. */
  const double x[4] = {1, 2, 3, 4}, w[4] = {1, 2, 3, 4}, b[1] = {0.5};
  const double want[25] = {
      1.5,  2.5,  2.5,  4.5,  0.5,  3.5,  4.5,  6.5,  8.5,  0.5,
      3.5,  6.5,  4.5,  8.5,  0.5,  9.5, 12.5, 12.5, 16,   0.5,
      0.5,  0.5,  0.5,  0.5,  0.5};
  double y[25];
  int i;
  memset(&t, 0, sizeof t);
  t.op = CG_OP_CONV_TRANSPOSE2D;
  t.n = t.c = t.m = t.groups = 1;
  t.h = t.w = 2;
  t.kh = t.kw = 2;
  t.sh = t.sw = 2;
  t.dh = t.dw = 1;
  t.out_pad_h = t.out_pad_w = 1;
  t.oh = t.ow = 5;
  t.activation = CG_ACT_CLAMP;
  t.act_lo = -1;
  t.act_hi = 16;
  cg_ref_conv_transpose_f64(&t, x, w, b, y);
  for (i = 0; i < 25; ++i)
    ck_assert_msg(y[i] == want[i], "stride 2 y[%d] = %g, want %g", i, y[i],
                  want[i]);
  /* Groups 2, 1x1 kernel: output m of group g mixes only the input channels
     of g, with w[c][m - g*M/g]; C = 2, M = 4, one pixel. */
  {
    const double xg[2] = {2, 3};
    const double wg[4] = {1, 10, 100, 1000}; /* [c][ml] */
    const double want_g[4] = {2, 20, 300, 3000};
    double yg[4];
    memset(&t, 0, sizeof t);
    t.op = CG_OP_CONV_TRANSPOSE2D;
    t.n = 1;
    t.c = 2;
    t.m = 4;
    t.groups = 2;
    t.h = t.w = t.oh = t.ow = 1;
    t.kh = t.kw = t.sh = t.sw = t.dh = t.dw = 1;
    cg_ref_conv_transpose_f64(&t, xg, wg, NULL, yg);
    for (i = 0; i < 4; ++i)
      ck_assert_msg(yg[i] == want_g[i], "groups y[%d] = %g, want %g", i, yg[i],
                    want_g[i]);
  }
}
END_TEST

/* The gather reference against the scatter definition, for every stride,
   dilation, padding, output padding, group count and both layouts. */
START_TEST(test_transpose_is_scatter) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 21);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc d = rand_tdesc(&r, k % 2 ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW, 0);
    size_t i, ny = cg_output_elems(&d);
    double *x = rand_vec(&r, cg_input_elems(&d)),
           *w = rand_vec(&r, cg_weight_elems(&d)), *b = rand_vec(&r, (size_t)d.m);
    double *y = new_vec(ny), *ys = new_vec(ny);
    cg_ref_conv_transpose_f64(&d, x, w, (k / 2) % 2 ? b : NULL, y);
    scatter_transpose(&d, x, w, (k / 2) % 2 ? b : NULL, ys);
    for (i = 0; i < ny; ++i)
      if (!(fabs(y[i] - ys[i]) <= 1e-12))
        break;
    ck_assert_msg(i == ny, "tdesc %d: element %zu gather %.17g, scatter %.17g",
                  k, i, y[i < ny ? i : 0], ys[i < ny ? i : 0]);
    free(x);
    free(w);
    free(b);
    free(y);
    free(ys);
  }
}
END_TEST

/* conv_transpose2d is the backward data pass of the conv2d that maps its
   output shape back to its input shape with the same parameters (PyTorch's
   definition), when the output padding is below the stride. */
START_TEST(test_transpose_is_backward_data) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 22);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc t = rand_tdesc(&r, k % 2 ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW, 1);
    cg_conv_desc e = t;
    size_t i, ny = cg_output_elems(&t);
    double *x, *w, *y, *dx;
    e.op = CG_OP_CONV2D;
    e.c = t.m;
    e.h = t.oh;
    e.w = t.ow;
    e.m = t.c;
    e.oh = t.h;
    e.ow = t.w;
    e.out_pad_h = e.out_pad_w = 0;
    ck_assert_int_eq((e.h + e.pad_top + e.pad_bottom - e.dh * (e.kh - 1) - 1) / e.sh + 1, e.oh);
    ck_assert_int_eq((e.w + e.pad_left + e.pad_right - e.dw * (e.kw - 1) - 1) / e.sw + 1, e.ow);
    x = rand_vec(&r, cg_input_elems(&t));
    w = rand_vec(&r, cg_weight_elems(&t));
    y = new_vec(ny);
    dx = new_vec(ny);
    cg_ref_conv_transpose_f64(&t, x, w, NULL, y);
    cg_ref_conv_backward_data_f64(&e, x, w, dx);
    for (i = 0; i < ny; ++i)
      if (!(fabs(y[i] - dx[i]) <= 1e-12))
        break;
    ck_assert_msg(i == ny, "tdesc %d: element %zu transpose %.17g, backward "
                  "data %.17g", k, i, y[i < ny ? i : 0], dx[i < ny ? i : 0]);
    free(x);
    free(w);
    free(y);
    free(dx);
  }
}
END_TEST

/* The defining property of the gradients: for L = <conv(x, w) + b, dy>,
   <conv(x, w), dy> = <x, dL/dx> = <w, dL/dw> and <b, dL/db> is the bias
   part, for random x, w, dy (a wrong index fails with probability ~1). */
START_TEST(test_gradient_adjoints) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 23);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc d = rand_desc(&r, k % 2 ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW);
    size_t nx = cg_input_elems(&d), nw = cg_weight_elems(&d),
           ny = cg_output_elems(&d), i;
    double *x = rand_vec(&r, nx), *w = rand_vec(&r, nw),
           *b = rand_vec(&r, (size_t)d.m), *dy = rand_vec(&r, ny);
    double *y = new_vec(ny), *yb = new_vec(ny), *dx = new_vec(nx),
           *dw = new_vec(nw), *db = new_vec((size_t)d.m);
    double m0, m1, m2, m3, m4, l0, l1, l2, lb, lbb;
    cg_ref_conv_f64(&d, x, w, NULL, y);
    cg_ref_conv_f64(&d, x, w, b, yb);
    cg_ref_conv_backward_data_f64(&d, dy, w, dx);
    cg_ref_conv_backward_weights_f64(&d, x, dy, dw, db);
    l0 = dot(y, dy, ny, &m0);
    l1 = dot(x, dx, nx, &m1);
    l2 = dot(w, dw, nw, &m2);
    for (i = 0; i < ny; ++i)
      yb[i] -= y[i];
    lb = dot(yb, dy, ny, &m3);
    lbb = dot(b, db, (size_t)d.m, &m4);
    ck_assert_msg(fabs(l0 - l1) <= 1e-12 * (m0 + m1 + 1.0) &&
                      fabs(l0 - l2) <= 1e-12 * (m0 + m2 + 1.0),
                  "desc %d: <conv x, dy> = %.17g, <x, dx> = %.17g, <w, dw> = "
                  "%.17g", k, l0, l1, l2);
    ck_assert_msg(fabs(lb - lbb) <= 1e-12 * (m3 + m4 + 1.0),
                  "desc %d: <bias part, dy> = %.17g but <b, db> = %.17g", k, lb,
                  lbb);
    free(x);
    free(w);
    free(b);
    free(dy);
    free(y);
    free(yb);
    free(dx);
    free(dw);
    free(db);
  }
}
END_TEST

/* The identities an im2col+GEMM backward pass relies on (NCHW, per image
   and group): dW_g += dY_g col_g^T and dx = col2im(W_g^T dY_g); the GEMMs
   are cg_gemm_f64 with offsets and transposes. */
START_TEST(test_gradients_are_gemm) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 24);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_conv_desc d = rand_desc(&r, CG_LAYOUT_NCHW);
    int pix = d.oh * d.ow, kg = d.c / d.groups * d.kh * d.kw,
        mg = d.m / d.groups, n, g;
    size_t i, nx = cg_input_elems(&d), nw = cg_weight_elems(&d),
              ny = cg_output_elems(&d), nc = cg_col_rows(&d) * cg_col_cols(&d);
    size_t img = (size_t)(d.c * d.h * d.w);
    double *x = rand_vec(&r, nx), *w = rand_vec(&r, nw), *dy = rand_vec(&r, ny);
    double *dx = new_vec(nx), *dw = new_vec(nw), *gx = new_vec(nx),
           *gw = new_vec(nw), *col = new_vec(nc);
    cg_ref_conv_backward_data_f64(&d, dy, w, dx);
    cg_ref_conv_backward_weights_f64(&d, x, dy, dw, NULL);
    for (n = 0; n < d.n; ++n) {
      const double *dyn = dy + (size_t)(n * d.m * pix);
      cg_ref_im2col_f64(&d, x + (size_t)n * img, col);
      for (g = 0; g < d.groups; ++g)
        cg_gemm_f64(CG_NO_TRANS, CG_TRANS, mg, kg, pix, 1.0, dyn + g * mg * pix,
                    pix, col + g * kg * pix, pix, n > 0 ? 1.0 : 0.0,
                    gw + g * mg * kg, kg);
      for (g = 0; g < d.groups; ++g)
        cg_gemm_f64(CG_TRANS, CG_NO_TRANS, kg, pix, mg, 1.0, w + g * mg * kg,
                    kg, dyn + g * mg * pix, pix, 0.0, col + g * kg * pix, pix);
      cg_ref_col2im_f64(&d, col, gx + (size_t)n * img);
    }
    for (i = 0; i < nx && fabs(dx[i] - gx[i]) <= 1e-12; ++i)
      continue;
    ck_assert_msg(i == nx, "desc %d: dx element %zu %.17g, gemm+col2im %.17g",
                  k, i, dx[i < nx ? i : 0], gx[i < nx ? i : 0]);
    for (i = 0; i < nw && fabs(dw[i] - gw[i]) <= 1e-12; ++i)
      continue;
    ck_assert_msg(i == nw, "desc %d: dw element %zu %.17g, gemm %.17g", k, i,
                  dw[i < nw ? i : 0], gw[i < nw ? i : 0]);
    free(x);
    free(w);
    free(dy);
    free(dx);
    free(dw);
    free(gx);
    free(gw);
    free(col);
  }
}
END_TEST

static float *to_float(const double *v, size_t n) {
  float *f = malloc((n > 0 ? n : 1) * sizeof *f);
  size_t i;
  ck_assert_ptr_nonnull(f);
  for (i = 0; i < n; ++i)
    f[i] = (float)v[i];
  return f;
}

/* Index of the first element where f differs from d rounded to float. */
static size_t first_unrounded(const float *f, const double *d, size_t n) {
  size_t i;
  for (i = 0; i < n && f[i] == (float)d[i]; ++i)
    continue;
  return i;
}

/* The new f32 functions are the f64 ones rounded once (float data). */
START_TEST(test_gradients_f32_is_rounded_f64) {
  cg_rng r;
  int k;
  cg_rng_seed(&r, 25);
  for (k = 0; k < N_RANDOM_DESCS; ++k) {
    cg_layout l = k % 2 ? CG_LAYOUT_NHWC : CG_LAYOUT_NCHW;
    cg_conv_desc d = rand_desc(&r, l), t = rand_tdesc(&r, l, 0);
    size_t nx = cg_input_elems(&d), nw = cg_weight_elems(&d),
           ny = cg_output_elems(&d), i;
    size_t tx = cg_input_elems(&t), tw = cg_weight_elems(&t),
           ty = cg_output_elems(&t);
    double *x = new_vec(nx), *w = new_vec(nw), *dy = new_vec(ny);
    double *dx = new_vec(nx), *dw = new_vec(nw), *db = new_vec((size_t)d.m);
    double *xt = new_vec(tx), *wt = new_vec(tw), *bt = new_vec((size_t)t.m),
           *yt = new_vec(ty);
    float *xf, *wf, *dyf, *xtf, *wtf, *btf;
    float *dxf = malloc(nx * sizeof *dxf), *dwf = malloc(nw * sizeof *dwf),
          *dbf = malloc((size_t)d.m * sizeof *dbf), *ytf = malloc(ty * sizeof *ytf);
    ck_assert(dxf && dwf && dbf && ytf);
    for (i = 0; i < nx; ++i)
      x[i] = cg_rng_uniform(&r, 24);
    for (i = 0; i < nw; ++i)
      w[i] = cg_rng_uniform(&r, 24);
    for (i = 0; i < ny; ++i)
      dy[i] = cg_rng_uniform(&r, 24);
    for (i = 0; i < tx; ++i)
      xt[i] = cg_rng_uniform(&r, 24);
    for (i = 0; i < tw; ++i)
      wt[i] = cg_rng_uniform(&r, 24);
    for (i = 0; i < (size_t)t.m; ++i)
      bt[i] = cg_rng_uniform(&r, 24);
    xf = to_float(x, nx);
    wf = to_float(w, nw);
    dyf = to_float(dy, ny);
    xtf = to_float(xt, tx);
    wtf = to_float(wt, tw);
    btf = to_float(bt, (size_t)t.m);
    cg_ref_conv_backward_data_f64(&d, dy, w, dx);
    cg_ref_conv_backward_weights_f64(&d, x, dy, dw, db);
    cg_ref_conv_transpose_f64(&t, xt, wt, bt, yt);
    d.dtype = t.dtype = CG_DTYPE_F32;
    cg_ref_conv_backward_data_f32(&d, dyf, wf, dxf);
    cg_ref_conv_backward_weights_f32(&d, xf, dyf, dwf, dbf);
    cg_ref_conv_transpose_f32(&t, xtf, wtf, btf, ytf);
    ck_assert_msg(first_unrounded(dxf, dx, nx) == nx, "desc %d: dx differs", k);
    ck_assert_msg(first_unrounded(dwf, dw, nw) == nw, "desc %d: dw differs", k);
    ck_assert_msg(first_unrounded(dbf, db, (size_t)d.m) == (size_t)d.m,
                  "desc %d: db differs", k);
    ck_assert_msg(first_unrounded(ytf, yt, ty) == ty,
                  "tdesc %d: conv_transpose differs", k);
    free(x);
    free(w);
    free(dy);
    free(dx);
    free(dw);
    free(db);
    free(xt);
    free(wt);
    free(bt);
    free(yt);
    free(xf);
    free(wf);
    free(dyf);
    free(xtf);
    free(wtf);
    free(btf);
    free(dxf);
    free(dwf);
    free(dbf);
    free(ytf);
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
  tcase_add_test(tc, test_seed_gradients);
  tcase_add_test(tc, test_transpose_hand_values);
  tcase_add_test(tc, test_transpose_is_scatter);
  tcase_add_test(tc, test_transpose_is_backward_data);
  tcase_add_test(tc, test_gradient_adjoints);
  tcase_add_test(tc, test_gradients_are_gemm);
  tcase_add_test(tc, test_gradients_f32_is_rounded_f64);
  tcase_set_timeout(tc, 60.0);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

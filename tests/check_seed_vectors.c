/* Exact tests: the worked examples of seed-vectors.md, run through the generated f32 and f64 layers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "seed_model.h"

/* Every seed layer is called through a double-precision wrapper, so one test
   body serves both element types. All published values are small integers,
   exact in float and double whatever the summation order. */
typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  void (*im2col)(const double *x, double *col);
  void (*col2im)(const double *col, double *x);
  int (*conv)(const double *x, const double *w, double *y);
} seed_layer;


#define SEED_WRAPPERS(sym, SYM, T)                                                   \
  static void sym##_im2col_d(const double *x, double *col)                           \
  {                                                                                   \
    static T xt[SYM##_INPUT_ELEMS], ct[SYM##_COL_ROWS * SYM##_COL_COLS];              \
    for (int i = 0; i < SYM##_C * SYM##_H * SYM##_W; ++i) xt[i] = (T)x[i];            \
    sym##_im2col(xt, ct);                                                             \
    for (int i = 0; i < SYM##_COL_ROWS * SYM##_COL_COLS; ++i) col[i] = ct[i];         \
  }                                                                                   \
  static void sym##_col2im_d(const double *col, double *x)                           \
  {                                                                                   \
    static T xt[SYM##_INPUT_ELEMS], ct[SYM##_COL_ROWS * SYM##_COL_COLS];              \
    for (int i = 0; i < SYM##_COL_ROWS * SYM##_COL_COLS; ++i) ct[i] = (T)col[i];      \
    sym##_col2im(ct, xt);                                                             \
    for (int i = 0; i < SYM##_C * SYM##_H * SYM##_W; ++i) x[i] = xt[i];               \
  }                                                                                   \
  static int sym##_conv_d(const double *x, const double *w, double *y)               \
  {                                                                                   \
    static T xt[SYM##_INPUT_ELEMS], wt[SYM##_WEIGHT_ELEMS], yt[SYM##_OUTPUT_ELEMS];   \
    static _Alignas(64) unsigned char ws[SYM##_WORKSPACE_BYTES + 1];                  \
    for (int i = 0; i < SYM##_INPUT_ELEMS; ++i) xt[i] = (T)x[i];                      \
    for (int i = 0; i < SYM##_WEIGHT_ELEMS; ++i) wt[i] = (T)w[i];                     \
    int rc = sym##_conv(xt, wt, NULL, yt, ws);                                        \
    for (int i = 0; i < SYM##_OUTPUT_ELEMS; ++i) y[i] = yt[i];                        \
    return rc;                                                                        \
  }

#define SEED_WRAP_F32(sym, SYM) SEED_WRAPPERS(sym, SYM, float)
#define SEED_WRAP_F64(sym, SYM) SEED_WRAPPERS(sym, SYM, double)
SEED_MODEL_LAYERS_F32(SEED_WRAP_F32)
SEED_MODEL_LAYERS_F64(SEED_WRAP_F64)

#define SEED_ENTRY(sym, SYM) { #sym, &sym##_desc, sym##_im2col_d, sym##_col2im_d, sym##_conv_d },
static const seed_layer seed_layers[] = {
  SEED_MODEL_LAYERS_F32(SEED_ENTRY) SEED_MODEL_LAYERS_F64(SEED_ENTRY)
};

static const seed_layer *find(const char *name)
{
  for (size_t i = 0; i < sizeof seed_layers / sizeof seed_layers[0]; ++i) {
    if (strcmp(seed_layers[i].name, name) == 0) return &seed_layers[i];
  }
  ck_abort_msg("seed layer %s is not generated", name);
  return NULL;
}

/* Both element types of a seed example: "seed_a" -> seed_a_f32, seed_a_f64. */
static const seed_layer *variant(const char *base, int index)
{
  static char name[64];
  strcpy(name, base);
  strcat(name, index == 0 ? "_f32" : "_f64");
  return find(name);
}

static void expect_values(const char *layer, const char *what, const double *got, const double *want, int count)
{
  for (int i = 0; i < count; ++i) {
    ck_assert_msg(got[i] == want[i], "%s %s[%d]: got %.17g, want %.17g", layer, what, i, got[i], want[i]);
  }
}

/* Example A: x[i][j] = 7i + j on 5x7, k = 1..9, padding 1. */
static void example_a_input(double *x, double *k)
{
  for (int i = 0; i < 35; ++i) x[i] = i;
  for (int i = 0; i < 9; ++i) k[i] = i + 1;
}

static const double a_conv[35] = {
  134, 211, 250, 289, 328, 367, 238,
  333, 492, 537, 582, 627, 672, 423,
  564, 807, 852, 897, 942, 987, 612,
  795, 1122, 1167, 1212, 1257, 1302, 801,
  422, 571, 592, 613, 634, 655, 382,
};

START_TEST(example_a_conv)
{
  const seed_layer *l = variant("seed_a", _i);
  double x[35], k[9], y[35];
  example_a_input(x, k);
  ck_assert_int_eq(l->conv(x, k, y), CG_OK);
  expect_values(l->name, "conv", y, a_conv, 35);
}
END_TEST

START_TEST(example_a_im2col)
{
  const seed_layer *l = variant("seed_a", _i);
  double x[35], k[9], col[9 * 35], first[9], last[9], y[35];
  static const double want_first[9] = { 0, 0, 0, 0, 0, 1, 0, 7, 8 };
  static const double want_last[9] = { 26, 27, 0, 33, 34, 0, 0, 0, 0 };
  example_a_input(x, k);
  l->im2col(x, col);
  for (int r = 0; r < 9; ++r) {
    first[r] = col[r * 35];
    last[r] = col[r * 35 + 34];
  }
  expect_values(l->name, "im2col column 0", first, want_first, 9);
  expect_values(l->name, "im2col column 34", last, want_last, 9);
  /* k_flat (1x9) times the 9x35 matrix is the convolution */
  for (int p = 0; p < 35; ++p) {
    y[p] = 0;
    for (int r = 0; r < 9; ++r) y[p] += k[r] * col[r * 35 + p];
  }
  expect_values(l->name, "k * im2col", y, a_conv, 35);
  /* dL/dk for L = sum(conv): the row sums of the col matrix */
  static const double want_dk[9] = { 312, 378, 336, 495, 595, 525, 480, 574, 504 };
  double dk[9];
  for (int r = 0; r < 9; ++r) {
    dk[r] = 0;
    for (int p = 0; p < 35; ++p) dk[r] += col[r * 35 + p];
  }
  expect_values(l->name, "weight gradient", dk, want_dk, 9);
}
END_TEST

START_TEST(example_a_col2im)
{
  const seed_layer *l = variant("seed_a", _i);
  double x[35], k[9], col[9 * 35], img[35];
  example_a_input(x, k);

  /* col2im of k_flat^T * y_flat, y the convolution: conv_transpose2d(y, k, padding 1) */
  static const double want_transpose[35] = {
    2672, 5379, 6804, 7659, 8514, 8403, 6254,
    8117, 15408, 18909, 20790, 22671, 21780, 15539,
    14868, 27315, 32400, 34425, 36450, 34191, 23922,
    20039, 35544, 41283, 43164, 45045, 41508, 28325,
    18608, 32055, 36756, 38151, 39546, 35943, 23966,
  };
  for (int r = 0; r < 9; ++r)
    for (int p = 0; p < 35; ++p) col[r * 35 + p] = k[r] * a_conv[p];
  l->col2im(col, img);
  expect_values(l->name, "col2im(k^T y)", img, want_transpose, 35);

  /* col2im of ones: how many patches cover each input position */
  static const double want_cover[35] = {
    4, 6, 6, 6, 6, 6, 4,
    6, 9, 9, 9, 9, 9, 6,
    6, 9, 9, 9, 9, 9, 6,
    6, 9, 9, 9, 9, 9, 6,
    4, 6, 6, 6, 6, 6, 4,
  };
  for (int i = 0; i < 9 * 35; ++i) col[i] = 1;
  l->col2im(col, img);
  expect_values(l->name, "col2im(ones)", img, want_cover, 35);

  /* dL/dx for L = sum(conv): col2im of k^T times a row of ones */
  static const double want_dx[35] = {
    12, 21, 21, 21, 21, 21, 16,
    27, 45, 45, 45, 45, 45, 33,
    27, 45, 45, 45, 45, 45, 33,
    27, 45, 45, 45, 45, 45, 33,
    24, 39, 39, 39, 39, 39, 28,
  };
  for (int r = 0; r < 9; ++r)
    for (int p = 0; p < 35; ++p) col[r * 35 + p] = k[r];
  l->col2im(col, img);
  expect_values(l->name, "input gradient", img, want_dx, 35);
}
END_TEST

/* Example B: x[i][j] = 5i + j on 5x5, w = 0..8, no padding; NCHW and NHWC. */
START_TEST(example_b)
{
  static const char *bases[2] = { "seed_b_nchw", "seed_b_nhwc" };
  const seed_layer *l = variant(bases[_i / 2], _i % 2);
  double x[25], w[9], y[9], col[81];
  static const double want[9] = { 312, 348, 384, 492, 528, 564, 672, 708, 744 };
  for (int i = 0; i < 25; ++i) x[i] = i;
  for (int i = 0; i < 9; ++i) w[i] = i;
  ck_assert_int_eq(l->conv(x, w, y), CG_OK);
  expect_values(l->name, "conv", y, want, 9);
  if (l->desc->layout == CG_LAYOUT_NHWC) {
    /* rows are output positions, columns (kh, kw, c) */
    static const double rows01[18] = { 0, 1, 2, 5, 6, 7, 10, 11, 12, 1, 2, 3, 6, 7, 8, 11, 12, 13 };
    l->im2col(x, col);
    expect_values(l->name, "im2col rows 0-1", col, rows01, 18);
  }
}
END_TEST

/* Example C: [[1,2,3],[4,5,6],[7,8,9]] with [[1,2],[3,4]]. */
START_TEST(example_c)
{
  const seed_layer *l = variant("seed_c", _i);
  static const double x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, w[4] = { 1, 2, 3, 4 };
  static const double want[4] = { 37, 47, 67, 77 };
  double y[4];
  ck_assert_int_eq(l->conv(x, w, y), CG_OK);
  expect_values(l->name, "conv", y, want, 4);
}
END_TEST

/* Example D: 0 1 2 3 4 as a 1x5 image, kernel 1 1 1, one column of padding each side. */
START_TEST(example_d)
{
  const seed_layer *l = variant("seed_d", _i);
  static const double x[5] = { 0, 1, 2, 3, 4 }, w[3] = { 1, 1, 1 };
  static const double want[5] = { 1, 3, 6, 9, 7 };
  /* per output position the taps read 0 0 1, 0 1 2, 1 2 3, 2 3 4, 3 4 0; col is taps x positions */
  static const double want_col[15] = { 0, 0, 1, 2, 3, 0, 1, 2, 3, 4, 1, 2, 3, 4, 0 };
  double y[5], col[15];
  ck_assert_int_eq(l->conv(x, w, y), CG_OK);
  expect_values(l->name, "conv", y, want, 5);
  l->im2col(x, col);
  expect_values(l->name, "im2col", col, want_col, 15);
}
END_TEST

static Suite *seed_suite(void)
{
  Suite *s = suite_create("seed_vectors");
  TCase *tc = tcase_create("published");
  tcase_add_loop_test(tc, example_a_conv, 0, 2);
  tcase_add_loop_test(tc, example_a_im2col, 0, 2);
  tcase_add_loop_test(tc, example_a_col2im, 0, 2);
  tcase_add_loop_test(tc, example_b, 0, 4);
  tcase_add_loop_test(tc, example_c, 0, 2);
  tcase_add_loop_test(tc, example_d, 0, 2);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(seed_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

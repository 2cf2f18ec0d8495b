/* Exact tests: the gradient and conv_transpose2d values of seed-vectors.md (example A), run through the generated f32 and f64 layers in both layouts. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seedg_model.h"

/* Every layer is called through a double-precision wrapper, so one test body
   serves both element types. All values are small integers (at most 45045),
   exact in float and double whatever the summation order. With C = M = 1 the
   NCHW and NHWC layers hold the same numbers in the same order. Outputs are
   NaN before each call, so an element a kernel leaves unwritten fails. */
typedef struct {
  const char *name;
  int (*backward_data)(const double *dy, const double *w, double *dx);
  int (*backward_weights)(const double *x, const double *dy, double *dw,
                          double *db);
} seedg_backward;

typedef struct {
  const char *name;
  int (*transpose)(const double *x, const double *w, double *y);
} seedg_transpose;

/* A 64-byte aligned pointer into a static buffer 64 bytes longer than the
   workspace (C99 has no _Alignas). */
#define SEEDG_WORKSPACE(SYM)                                                   \
  static unsigned char raw[(SYM##_WORKSPACE_BYTES) + 64];                      \
  void *ws = raw + (64 - (uintptr_t)raw % 64) % 64

#define SEEDG_BACKWARD_WRAPPERS(sym, SYM, T)                                   \
  static int sym##_bd(const double *dy, const double *w, double *dx) {         \
    static T dyt[SYM##_OUTPUT_ELEMS], wt[SYM##_WEIGHT_ELEMS],                  \
        dxt[SYM##_INPUT_ELEMS];                                                \
    SEEDG_WORKSPACE(SYM);                                                      \
    int i, rc;                                                                 \
    for (i = 0; i < SYM##_OUTPUT_ELEMS; ++i)                                   \
      dyt[i] = (T)dy[i];                                                       \
    for (i = 0; i < SYM##_WEIGHT_ELEMS; ++i)                                   \
      wt[i] = (T)w[i];                                                         \
    for (i = 0; i < SYM##_INPUT_ELEMS; ++i)                                    \
      dxt[i] = (T)NAN;                                                         \
    rc = sym##_conv_backward_data(dyt, wt, dxt, ws);                           \
    for (i = 0; i < SYM##_INPUT_ELEMS; ++i)                                    \
      dx[i] = dxt[i];                                                          \
    return rc;                                                                 \
  }                                                                            \
  static int sym##_bw(const double *x, const double *dy, double *dw,           \
                      double *db) {                                            \
    static T xt[SYM##_INPUT_ELEMS], dyt[SYM##_OUTPUT_ELEMS],                   \
        dwt[SYM##_WEIGHT_ELEMS], dbt[SYM##_M];                                 \
    SEEDG_WORKSPACE(SYM);                                                      \
    int i, rc;                                                                 \
    for (i = 0; i < SYM##_INPUT_ELEMS; ++i)                                    \
      xt[i] = (T)x[i];                                                         \
    for (i = 0; i < SYM##_OUTPUT_ELEMS; ++i)                                   \
      dyt[i] = (T)dy[i];                                                       \
    for (i = 0; i < SYM##_WEIGHT_ELEMS; ++i)                                   \
      dwt[i] = (T)NAN;                                                         \
    for (i = 0; i < SYM##_M; ++i)                                              \
      dbt[i] = (T)NAN;                                                         \
    rc = sym##_conv_backward_weights(xt, dyt, dwt, db != NULL ? dbt : NULL,    \
                                     ws);                                      \
    for (i = 0; i < SYM##_WEIGHT_ELEMS; ++i)                                   \
      dw[i] = dwt[i];                                                          \
    for (i = 0; db != NULL && i < SYM##_M; ++i)                                \
      db[i] = dbt[i];                                                          \
    return rc;                                                                 \
  }

#define SEEDG_TRANSPOSE_WRAPPER(sym, SYM, T)                                   \
  static int sym##_tr(const double *x, const double *w, double *y) {           \
    static T xt[SYM##_INPUT_ELEMS], wt[SYM##_WEIGHT_ELEMS],                    \
        yt[SYM##_OUTPUT_ELEMS];                                                \
    SEEDG_WORKSPACE(SYM);                                                      \
    int i, rc;                                                                 \
    for (i = 0; i < SYM##_INPUT_ELEMS; ++i)                                    \
      xt[i] = (T)x[i];                                                         \
    for (i = 0; i < SYM##_WEIGHT_ELEMS; ++i)                                   \
      wt[i] = (T)w[i];                                                         \
    for (i = 0; i < SYM##_OUTPUT_ELEMS; ++i)                                   \
      yt[i] = (T)NAN;                                                          \
    rc = sym##_conv_transpose(xt, wt, NULL, yt, ws);                           \
    for (i = 0; i < SYM##_OUTPUT_ELEMS; ++i)                                   \
      y[i] = yt[i];                                                            \
    return rc;                                                                 \
  }

#define SEEDG_BACKWARD_F32(sym, SYM) SEEDG_BACKWARD_WRAPPERS(sym, SYM, float)
#define SEEDG_BACKWARD_F64(sym, SYM) SEEDG_BACKWARD_WRAPPERS(sym, SYM, double)
#define SEEDG_TRANSPOSE_F32(sym, SYM) SEEDG_TRANSPOSE_WRAPPER(sym, SYM, float)
#define SEEDG_TRANSPOSE_F64(sym, SYM) SEEDG_TRANSPOSE_WRAPPER(sym, SYM, double)
SEEDG_MODEL_BACKWARD_F32(SEEDG_BACKWARD_F32)
SEEDG_MODEL_BACKWARD_F64(SEEDG_BACKWARD_F64)
SEEDG_MODEL_TRANSPOSE_F32(SEEDG_TRANSPOSE_F32)
SEEDG_MODEL_TRANSPOSE_F64(SEEDG_TRANSPOSE_F64)

#define SEEDG_BACKWARD_ENTRY(sym, SYM) {#sym, sym##_bd, sym##_bw},
#define SEEDG_TRANSPOSE_ENTRY(sym, SYM) {#sym, sym##_tr},
static const seedg_backward backward_layers[] = {
    SEEDG_MODEL_BACKWARD_F32(SEEDG_BACKWARD_ENTRY)
        SEEDG_MODEL_BACKWARD_F64(SEEDG_BACKWARD_ENTRY)};
static const seedg_transpose transpose_layers[] = {
    SEEDG_MODEL_TRANSPOSE_F32(SEEDG_TRANSPOSE_ENTRY)
        SEEDG_MODEL_TRANSPOSE_F64(SEEDG_TRANSPOSE_ENTRY)};

/* The spec's four variants of each: {a,t}_{nchw,nhwc}_{f32,f64}. */
static const char *const variants[4] = {"nchw_f32", "nchw_f64", "nhwc_f32",
                                        "nhwc_f64"};

static const seedg_backward *find_backward(int index) {
  char name[64];
  size_t i;
  strcpy(name, "seedg_a_");
  strcat(name, variants[index]);
  for (i = 0; i < sizeof backward_layers / sizeof backward_layers[0]; ++i)
    if (strcmp(backward_layers[i].name, name) == 0)
      return &backward_layers[i];
  ck_abort_msg("layer %s is not generated with backward = true", name);
  return NULL;
}

static const seedg_transpose *find_transpose(int index) {
  char name[64];
  size_t i;
  strcpy(name, "seedg_t_");
  strcat(name, variants[index]);
  for (i = 0; i < sizeof transpose_layers / sizeof transpose_layers[0]; ++i)
    if (strcmp(transpose_layers[i].name, name) == 0)
      return &transpose_layers[i];
  ck_abort_msg("conv_transpose2d layer %s is not generated", name);
  return NULL;
}

static void expect_values(const char *layer, const char *what,
                          const double *got, const double *want, int count) {
  int i;
  for (i = 0; i < count; ++i)
    ck_assert_msg(got[i] == want[i], "%s %s[%d]: got %.17g, want %.17g", layer,
                  what, i, got[i], want[i]);
}

/* Example A: x[i][j] = 7i + j on 5x7, k = 1..9, padding 1. */
static void example_a_input(double *x, double *k) {
  int i;
  for (i = 0; i < 35; ++i)
    x[i] = i;
  for (i = 0; i < 9; ++i)
    k[i] = i + 1;
}

static const double a_conv[35] = {
    134, 211, 250, 289, 328, 367, 238,
    333, 492, 537, 582, 627, 672, 423,
    564, 807, 852, 897, 942, 987, 612,
    795, 1122, 1167, 1212, 1257, 1302, 801,
    422, 571, 592, 613, 634, 655, 382};

/* dL/dx of L = sum(conv2d(x, k, padding 1)): backward data of dy = ones. */
static const double a_dx[35] = {
    12, 21, 21, 21, 21, 21, 16,
    27, 45, 45, 45, 45, 45, 33,
    27, 45, 45, 45, 45, 45, 33,
    27, 45, 45, 45, 45, 45, 33,
    24, 39, 39, 39, 39, 39, 28};

/* dL/dk of the same L: backward weights of dy = ones; dL/dbias = 35. */
static const double a_dw[9] = {312, 378, 336, 495, 595, 525, 480, 574, 504};

/* conv_transpose2d(y, k, padding 1), y = a_conv. */
static const double a_transpose[35] = {
    2672,  5379,  6804,  7659,  8514,  8403,  6254,
    8117,  15408, 18909, 20790, 22671, 21780, 15539,
    14868, 27315, 32400, 34425, 36450, 34191, 23922,
    20039, 35544, 41283, 43164, 45045, 41508, 28325,
    18608, 32055, 36756, 38151, 39546, 35943, 23966};

START_TEST(example_a_backward_data) {
  const seedg_backward *l = find_backward(_i);
  double x[35], k[9], ones[35], dx[35];
  int i;
  example_a_input(x, k);
  for (i = 0; i < 35; ++i)
    ones[i] = 1;
  ck_assert_int_eq(l->backward_data(ones, k, dx), CG_OK);
  expect_values(l->name, "dx (dy = ones)", dx, a_dx, 35);
  /* Backward data is conv_transpose2d with the same parameters, so with
     dy = the convolution it gives the published transposed result. */
  ck_assert_int_eq(l->backward_data(a_conv, k, dx), CG_OK);
  expect_values(l->name, "dx (dy = conv2d(x, k))", dx, a_transpose, 35);
}
END_TEST

START_TEST(example_a_backward_weights) {
  const seedg_backward *l = find_backward(_i);
  double x[35], k[9], ones[35], dw[9], db[1];
  int i;
  example_a_input(x, k);
  for (i = 0; i < 35; ++i)
    ones[i] = 1;
  ck_assert_int_eq(l->backward_weights(x, ones, dw, db), CG_OK);
  expect_values(l->name, "dw", dw, a_dw, 9);
  ck_assert_msg(db[0] == 35, "%s db: got %.17g, want 35", l->name, db[0]);
  /* db == NULL: the weights alone, the same values. */
  ck_assert_int_eq(l->backward_weights(x, ones, dw, NULL), CG_OK);
  expect_values(l->name, "dw (db = NULL)", dw, a_dw, 9);
}
END_TEST

START_TEST(example_a_transpose) {
  const seedg_transpose *l = find_transpose(_i);
  double x[35], k[9], ones[35], y[35];
  int i;
  example_a_input(x, k);
  ck_assert_int_eq(l->transpose(a_conv, k, y), CG_OK);
  expect_values(l->name, "conv_transpose2d(y, k)", y, a_transpose, 35);
  /* conv_transpose2d of ones is backward data of ones: the published dL/dx. */
  for (i = 0; i < 35; ++i)
    ones[i] = 1;
  ck_assert_int_eq(l->transpose(ones, k, y), CG_OK);
  expect_values(l->name, "conv_transpose2d(ones, k)", y, a_dx, 35);
}
END_TEST

static Suite *seedg_suite(void) {
  Suite *s = suite_create("seed_gradients");
  TCase *tc = tcase_create("published");
  tcase_add_loop_test(tc, example_a_backward_data, 0, 4);
  tcase_add_loop_test(tc, example_a_backward_weights, 0, 4);
  tcase_add_loop_test(tc, example_a_transpose, 0, 4);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(seedg_suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

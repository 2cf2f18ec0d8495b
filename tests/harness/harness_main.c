/* Check test driver: runs every f32 and f64 layer of one generated model (conv2d, its gradients, conv_transpose2d) against the runtime reference. */
/* Build one executable per model, choosing the model with:
     -DCG_TEST_MODEL_HEADER='"p_model.h"'
     -DCG_TEST_LAYERS_F32=P_MODEL_LAYERS_F32 -DCG_TEST_LAYERS_F64=P_MODEL_LAYERS_F64
   and optionally, to test the gradients of the backward = true layers and
   the conv_transpose2d layers (each part is skipped when its definition is
   absent):
     -DCG_TEST_BACKWARD_F32=P_MODEL_BACKWARD_F32
     -DCG_TEST_BACKWARD_F64=P_MODEL_BACKWARD_F64
     -DCG_TEST_TRANSPOSE_F32=P_MODEL_TRANSPOSE_F32
     -DCG_TEST_TRANSPOSE_F64=P_MODEL_TRANSPOSE_F64
   -DCG_TEST_LAYERS_S8=P_MODEL_LAYERS_S8 adds the int8 layers (harness_s8.h).
   CG_TEST_NO_OVERLAP leaves out the aliasing tests (docs/contract.md): the
   self-test's hand-written fake layers predate CG_ERR_OVERLAP.
   CG_TEST_TIMEOUT (seconds per layer and test, default 300) can be set too;
   Check's CK_TIMEOUT_MULTIPLIER environment variable scales it at run time. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convgen.h"
#include "harness_util.h"

#if !defined(CG_TEST_MODEL_HEADER) || !defined(CG_TEST_LAYERS_F32) ||         \
    !defined(CG_TEST_LAYERS_F64)
#error "define CG_TEST_MODEL_HEADER, CG_TEST_LAYERS_F32 and CG_TEST_LAYERS_F64"
#endif
#include CG_TEST_MODEL_HEADER

/* The naive reference is O(N*M*OH*OW*K) per call and runs a few times per
   layer, so Check's 4 s default is too short for real layers; the limit only
   exists to stop a generated kernel that never returns. */
#ifndef CG_TEST_TIMEOUT
#define CG_TEST_TIMEOUT 300.0
#endif

/* An absent optional list is an empty one: its registry holds no layer and
   its tests are not added. */
#define CG_H_NO_LAYERS(X)
#ifdef CG_TEST_BACKWARD_F32
#define CG_H_BACKWARD_F32 CG_TEST_BACKWARD_F32
#else
#define CG_H_BACKWARD_F32 CG_H_NO_LAYERS
#endif
#ifdef CG_TEST_BACKWARD_F64
#define CG_H_BACKWARD_F64 CG_TEST_BACKWARD_F64
#else
#define CG_H_BACKWARD_F64 CG_H_NO_LAYERS
#endif
#ifdef CG_TEST_TRANSPOSE_F32
#define CG_H_TRANSPOSE_F32 CG_TEST_TRANSPOSE_F32
#else
#define CG_H_TRANSPOSE_F32 CG_H_NO_LAYERS
#endif
#ifdef CG_TEST_TRANSPOSE_F64
#define CG_H_TRANSPOSE_F64 CG_TEST_TRANSPOSE_F64
#else
#define CG_H_TRANSPOSE_F64 CG_H_NO_LAYERS
#endif

#define CG_H_T float
#define CG_H_SFX f32
#define CG_H_DTYPE CG_DTYPE_F32
#define CG_H_LAYERS CG_TEST_LAYERS_F32
#define CG_H_BACKWARD CG_H_BACKWARD_F32
#define CG_H_TRANSPOSE CG_H_TRANSPOSE_F32
#define CG_H_EPS FLT_EPSILON
#define CG_H_MIN FLT_MIN
#define CG_H_MANT FLT_MANT_DIG
#define CG_H_DIGITS 9
#include "harness_impl.h"
#undef CG_H_T
#undef CG_H_SFX
#undef CG_H_DTYPE
#undef CG_H_LAYERS
#undef CG_H_BACKWARD
#undef CG_H_TRANSPOSE
#undef CG_H_EPS
#undef CG_H_MIN
#undef CG_H_MANT
#undef CG_H_DIGITS

#define CG_H_T double
#define CG_H_SFX f64
#define CG_H_DTYPE CG_DTYPE_F64
#define CG_H_LAYERS CG_TEST_LAYERS_F64
#define CG_H_BACKWARD CG_H_BACKWARD_F64
#define CG_H_TRANSPOSE CG_H_TRANSPOSE_F64
#define CG_H_EPS DBL_EPSILON
#define CG_H_MIN DBL_MIN
#define CG_H_MANT DBL_MANT_DIG
#define CG_H_DIGITS 17
#include "harness_impl.h"
#undef CG_H_T
#undef CG_H_SFX
#undef CG_H_DTYPE
#undef CG_H_LAYERS
#undef CG_H_BACKWARD
#undef CG_H_TRANSPOSE
#undef CG_H_EPS
#undef CG_H_MIN
#undef CG_H_MANT
#undef CG_H_DIGITS

/* int8 layers, compared exactly (docs/int8.md), when the model lists them. */
#ifdef CG_TEST_LAYERS_S8
#include "harness_s8.h"
#else
static const int cg_layer_count_s8 = 0;
static void add_tcases_s8(Suite *s, double timeout) {
  (void)s;
  (void)timeout;
}
#endif

int main(void) {
  Suite *s = suite_create("convgen");
  SRunner *sr;
  int failed;
  int total = cg_layer_count_f32 + cg_layer_count_f64 +
              cg_transpose_count_f32 + cg_transpose_count_f64 + cg_layer_count_s8;
  printf("convgen harness: %s, %d f32 layer(s), %d f64 layer(s); backward: "
         "%d f32, %d f64; conv_transpose2d: %d f32, %d f64; %d s8 layer(s)\n",
         CG_TEST_MODEL_HEADER, cg_layer_count_f32, cg_layer_count_f64,
         cg_backward_count_f32, cg_backward_count_f64, cg_transpose_count_f32,
         cg_transpose_count_f64, cg_layer_count_s8);
  fflush(stdout); /* before Check forks, or the line is printed per child */
  cg_install_crash_reporter();
  add_tcases_f32(s, CG_TEST_TIMEOUT);
  add_tcases_f64(s, CG_TEST_TIMEOUT);
  add_tcases_s8(s, CG_TEST_TIMEOUT);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  /* A model with no layer at all is a mis-wired build, not a pass. */
  if (total == 0) {
    fprintf(stderr, "convgen harness: the model has no layers, nothing was "
                    "tested\n");
    return EXIT_FAILURE;
  }
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Checks that the importer options reached the generator (PREFIX sb_, BATCH 3, LAYOUT NHWC) and that sb_conv_run matches the reference. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb_model.h"
#include "sb_weights.h"
#include "../unpack_weights.h"

static unsigned char workspace[SB_MODEL_WORKSPACE_BYTES + 64];

int main(void) {
  static float x[SB_CONV_INPUT_ELEMS], y[SB_CONV_OUTPUT_ELEMS], want[SB_CONV_OUTPUT_ELEMS];
  void *ws = workspace + (64 - (uintptr_t)workspace % 64) % 64;
  int failed = 0;
  if (sb_conv_desc.n != 3 || SB_CONV_N != 3) {
    printf("BATCH 3 did not reach the importer: n = %d\n", sb_conv_desc.n);
    failed = 1;
  }
  if (sb_conv_desc.layout != CG_LAYOUT_NHWC) {
    printf("LAYOUT NHWC did not reach the importer\n");
    failed = 1;
  }
  for (size_t i = 0; i < SB_CONV_INPUT_ELEMS; ++i) x[i] = (float)((i * 7) % 11) * 0.25f - 1.0f;
  if (sb_conv_run(x, y, ws) != CG_OK) {
    printf("sb_conv_run failed\n");
    return 1;
  }
  /* The reference reads the plain NHWC order; a portable-GEMM build bakes the packed one. */
  static float w[SB_CONV_WEIGHT_ELEMS];
  if (SB_CONV_WEIGHTS_PREPACKED)
    unpack_weights(&sb_conv_desc, SB_CONV_WEIGHT_ELEMS, sb_conv_weights, w);
  else
    memcpy(w, sb_conv_weights, sizeof w);
  cg_ref_conv_f32(&sb_conv_desc, x, w, sb_conv_bias, want);
  for (size_t i = 0; i < SB_CONV_OUTPUT_ELEMS; ++i) {
    if (!(fabsf(y[i] - want[i]) <= 1e-5f + 1e-4f * fabsf(want[i]))) {
      printf("y[%zu] = %.9g, the reference gives %.9g\n", i, (double)y[i], (double)want[i]);
      failed = 1;
      break;
    }
  }
  if (!failed) printf("options: prefix sb_, batch 3, NHWC: sb_conv_run matches the reference\n");
  return failed;
}

/* Fake model whose conv really runs im2col + the runtime's GEMM in T: proves the harness tolerances accept a float GEMM at large K. */
#ifndef GEMM_MODEL_H
#define GEMM_MODEL_H

#include "convgen.h"
#include "fake_common.h"

/* Reduction lengths K = C/groups*KH*KW up to 576, where the worst-case
   tolerance is widest but the actual float error also grows; NHWC layers use
   groups = 1 only (their GEMM cannot split channels without a copy). */

/* gemm_wide: K=576 */
#define GEMM_WIDE_N 2
#define GEMM_WIDE_C 64
#define GEMM_WIDE_H 10
#define GEMM_WIDE_W 10
#define GEMM_WIDE_M 32
#define GEMM_WIDE_KH 3
#define GEMM_WIDE_KW 3
#define GEMM_WIDE_OH 10
#define GEMM_WIDE_OW 10
#define GEMM_WIDE_GROUPS 1
#define GEMM_WIDE_COL_ROWS 576
#define GEMM_WIDE_COL_COLS 100
#define GEMM_WIDE_INPUT_ELEMS 12800
#define GEMM_WIDE_WEIGHT_ELEMS 18432
#define GEMM_WIDE_OUTPUT_ELEMS 6400
#define GEMM_WIDE_WORKSPACE_BYTES 230400

/* gemm_grouped: K=200 */
#define GEMM_GROUPED_N 1
#define GEMM_GROUPED_C 32
#define GEMM_GROUPED_H 12
#define GEMM_GROUPED_W 11
#define GEMM_GROUPED_M 16
#define GEMM_GROUPED_KH 5
#define GEMM_GROUPED_KW 5
#define GEMM_GROUPED_OH 11
#define GEMM_GROUPED_OW 6
#define GEMM_GROUPED_GROUPS 4
#define GEMM_GROUPED_COL_ROWS 800
#define GEMM_GROUPED_COL_COLS 66
#define GEMM_GROUPED_INPUT_ELEMS 4224
#define GEMM_GROUPED_WEIGHT_ELEMS 3200
#define GEMM_GROUPED_OUTPUT_ELEMS 1056
#define GEMM_GROUPED_WORKSPACE_BYTES 211200

/* gemm_nhwc: K=432 */
#define GEMM_NHWC_N 2
#define GEMM_NHWC_C 48
#define GEMM_NHWC_H 9
#define GEMM_NHWC_W 9
#define GEMM_NHWC_M 24
#define GEMM_NHWC_KH 3
#define GEMM_NHWC_KW 3
#define GEMM_NHWC_OH 5
#define GEMM_NHWC_OW 5
#define GEMM_NHWC_GROUPS 1
#define GEMM_NHWC_COL_ROWS 25
#define GEMM_NHWC_COL_COLS 432
#define GEMM_NHWC_INPUT_ELEMS 7776
#define GEMM_NHWC_WEIGHT_ELEMS 10368
#define GEMM_NHWC_OUTPUT_ELEMS 1200
#define GEMM_NHWC_WORKSPACE_BYTES 43200

/* gemm_pointwise: K=256 */
#define GEMM_POINTWISE_N 1
#define GEMM_POINTWISE_C 256
#define GEMM_POINTWISE_H 6
#define GEMM_POINTWISE_W 6
#define GEMM_POINTWISE_M 40
#define GEMM_POINTWISE_KH 1
#define GEMM_POINTWISE_KW 1
#define GEMM_POINTWISE_OH 6
#define GEMM_POINTWISE_OW 6
#define GEMM_POINTWISE_GROUPS 1
#define GEMM_POINTWISE_COL_ROWS 36
#define GEMM_POINTWISE_COL_COLS 256
#define GEMM_POINTWISE_INPUT_ELEMS 9216
#define GEMM_POINTWISE_WEIGHT_ELEMS 10240
#define GEMM_POINTWISE_OUTPUT_ELEMS 1440
#define GEMM_POINTWISE_WORKSPACE_BYTES 36864

/* gemm_wide64: K=576 */
#define GEMM_WIDE64_N 2
#define GEMM_WIDE64_C 64
#define GEMM_WIDE64_H 8
#define GEMM_WIDE64_W 9
#define GEMM_WIDE64_M 16
#define GEMM_WIDE64_KH 3
#define GEMM_WIDE64_KW 3
#define GEMM_WIDE64_OH 8
#define GEMM_WIDE64_OW 9
#define GEMM_WIDE64_GROUPS 1
#define GEMM_WIDE64_COL_ROWS 576
#define GEMM_WIDE64_COL_COLS 72
#define GEMM_WIDE64_INPUT_ELEMS 9216
#define GEMM_WIDE64_WEIGHT_ELEMS 9216
#define GEMM_WIDE64_OUTPUT_ELEMS 2304
#define GEMM_WIDE64_WORKSPACE_BYTES 331776

/* gemm_nhwc64: K=144 */
#define GEMM_NHWC64_N 1
#define GEMM_NHWC64_C 24
#define GEMM_NHWC64_H 7
#define GEMM_NHWC64_W 7
#define GEMM_NHWC64_M 12
#define GEMM_NHWC64_KH 3
#define GEMM_NHWC64_KW 2
#define GEMM_NHWC64_OH 7
#define GEMM_NHWC64_OW 7
#define GEMM_NHWC64_GROUPS 1
#define GEMM_NHWC64_COL_ROWS 49
#define GEMM_NHWC64_COL_COLS 144
#define GEMM_NHWC64_INPUT_ELEMS 1176
#define GEMM_NHWC64_WEIGHT_ELEMS 1728
#define GEMM_NHWC64_OUTPUT_ELEMS 588
#define GEMM_NHWC64_WORKSPACE_BYTES 56448

FAKE_DECLARE_LAYER(gemm_wide, float)
FAKE_DECLARE_LAYER(gemm_grouped, float)
FAKE_DECLARE_LAYER(gemm_nhwc, float)
FAKE_DECLARE_LAYER(gemm_pointwise, float)
FAKE_DECLARE_LAYER(gemm_wide64, double)
FAKE_DECLARE_LAYER(gemm_nhwc64, double)

#define GEMM_MODEL_LAYERS_F32(X)                                               \
  X(gemm_wide, GEMM_WIDE) X(gemm_grouped, GEMM_GROUPED)                        \
  X(gemm_nhwc, GEMM_NHWC) X(gemm_pointwise, GEMM_POINTWISE)
#define GEMM_MODEL_LAYERS_F64(X)                                               \
  X(gemm_wide64, GEMM_WIDE64) X(gemm_nhwc64, GEMM_NHWC64)

#endif /* GEMM_MODEL_H */

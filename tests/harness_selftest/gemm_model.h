/* Fake model whose conv, gradients and conv_transpose2d really run GEMMs in T: proves the harness tolerances accept float GEMMs at large reduction lengths. */
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

/* gemm_batch: the long reduction of backward weights, N*OH*OW = 2304 */
#define GEMM_BATCH_N 4
#define GEMM_BATCH_C 8
#define GEMM_BATCH_H 24
#define GEMM_BATCH_W 24
#define GEMM_BATCH_M 8
#define GEMM_BATCH_KH 3
#define GEMM_BATCH_KW 3
#define GEMM_BATCH_OH 24
#define GEMM_BATCH_OW 24
#define GEMM_BATCH_GROUPS 1
#define GEMM_BATCH_COL_ROWS 72
#define GEMM_BATCH_COL_COLS 576
#define GEMM_BATCH_INPUT_ELEMS 18432
#define GEMM_BATCH_WEIGHT_ELEMS 576
#define GEMM_BATCH_OUTPUT_ELEMS 18432
#define GEMM_BATCH_WORKSPACE_BYTES 165888

/* conv_transpose2d layers; the workspace holds one image's col matrix of
   the adjoint conv2d, (M*KH*KW) x (H*W) elements. */

/* gemm_twide: K = C*KH*KW = 576, stride 2, padding 1, output padding 1 */
#define GEMM_TWIDE_N 1
#define GEMM_TWIDE_C 64
#define GEMM_TWIDE_H 8
#define GEMM_TWIDE_W 8
#define GEMM_TWIDE_M 32
#define GEMM_TWIDE_KH 3
#define GEMM_TWIDE_KW 3
#define GEMM_TWIDE_OH 16
#define GEMM_TWIDE_OW 16
#define GEMM_TWIDE_GROUPS 1
#define GEMM_TWIDE_INPUT_ELEMS 4096
#define GEMM_TWIDE_WEIGHT_ELEMS 18432
#define GEMM_TWIDE_OUTPUT_ELEMS 8192
#define GEMM_TWIDE_WORKSPACE_BYTES 73728

/* gemm_tgroup: groups 4, K = 8*16 = 128, 4x4 kernel, stride 2, padding 1 */
#define GEMM_TGROUP_N 2
#define GEMM_TGROUP_C 32
#define GEMM_TGROUP_H 6
#define GEMM_TGROUP_W 6
#define GEMM_TGROUP_M 16
#define GEMM_TGROUP_KH 4
#define GEMM_TGROUP_KW 4
#define GEMM_TGROUP_OH 12
#define GEMM_TGROUP_OW 12
#define GEMM_TGROUP_GROUPS 4
#define GEMM_TGROUP_INPUT_ELEMS 2304
#define GEMM_TGROUP_WEIGHT_ELEMS 2048
#define GEMM_TGROUP_OUTPUT_ELEMS 4608
#define GEMM_TGROUP_WORKSPACE_BYTES 36864

/* gemm_tnhwc: K = 432, no padding */
#define GEMM_TNHWC_N 2
#define GEMM_TNHWC_C 48
#define GEMM_TNHWC_H 5
#define GEMM_TNHWC_W 5
#define GEMM_TNHWC_M 24
#define GEMM_TNHWC_KH 3
#define GEMM_TNHWC_KW 3
#define GEMM_TNHWC_OH 7
#define GEMM_TNHWC_OW 7
#define GEMM_TNHWC_GROUPS 1
#define GEMM_TNHWC_INPUT_ELEMS 2400
#define GEMM_TNHWC_WEIGHT_ELEMS 10368
#define GEMM_TNHWC_OUTPUT_ELEMS 2352
#define GEMM_TNHWC_WORKSPACE_BYTES 21600

/* gemm_tnhwc64: f64, K = 144, 3x2 kernel, stride 2, uneven padding,
   output padding 1 row */
#define GEMM_TNHWC64_N 1
#define GEMM_TNHWC64_C 24
#define GEMM_TNHWC64_H 7
#define GEMM_TNHWC64_W 7
#define GEMM_TNHWC64_M 12
#define GEMM_TNHWC64_KH 3
#define GEMM_TNHWC64_KW 2
#define GEMM_TNHWC64_OH 14
#define GEMM_TNHWC64_OW 13
#define GEMM_TNHWC64_GROUPS 1
#define GEMM_TNHWC64_INPUT_ELEMS 1176
#define GEMM_TNHWC64_WEIGHT_ELEMS 1728
#define GEMM_TNHWC64_OUTPUT_ELEMS 2184
#define GEMM_TNHWC64_WORKSPACE_BYTES 28224

FAKE_DECLARE_LAYER(gemm_wide, float)
FAKE_DECLARE_LAYER(gemm_grouped, float)
FAKE_DECLARE_LAYER(gemm_nhwc, float)
FAKE_DECLARE_LAYER(gemm_pointwise, float)
FAKE_DECLARE_LAYER(gemm_wide64, double)
FAKE_DECLARE_LAYER(gemm_nhwc64, double)
FAKE_DECLARE_LAYER(gemm_batch, float)
FAKE_DECLARE_BACKWARD(gemm_wide, float)
FAKE_DECLARE_BACKWARD(gemm_grouped, float)
FAKE_DECLARE_BACKWARD(gemm_nhwc, float)
FAKE_DECLARE_BACKWARD(gemm_pointwise, float)
FAKE_DECLARE_BACKWARD(gemm_wide64, double)
FAKE_DECLARE_BACKWARD(gemm_nhwc64, double)
FAKE_DECLARE_BACKWARD(gemm_batch, float)
FAKE_DECLARE_TRANSPOSE(gemm_twide, float)
FAKE_DECLARE_TRANSPOSE(gemm_tgroup, float)
FAKE_DECLARE_TRANSPOSE(gemm_tnhwc, float)
FAKE_DECLARE_TRANSPOSE(gemm_tnhwc64, double)

#define GEMM_MODEL_LAYERS_F32(X)                                               \
  X(gemm_wide, GEMM_WIDE) X(gemm_grouped, GEMM_GROUPED)                        \
  X(gemm_nhwc, GEMM_NHWC) X(gemm_pointwise, GEMM_POINTWISE)                    \
  X(gemm_batch, GEMM_BATCH)
#define GEMM_MODEL_LAYERS_F64(X)                                               \
  X(gemm_wide64, GEMM_WIDE64) X(gemm_nhwc64, GEMM_NHWC64)
/* Every conv2d layer has gradients. */
#define GEMM_MODEL_BACKWARD_F32(X) GEMM_MODEL_LAYERS_F32(X)
#define GEMM_MODEL_BACKWARD_F64(X) GEMM_MODEL_LAYERS_F64(X)
#define GEMM_MODEL_TRANSPOSE_F32(X)                                            \
  X(gemm_twide, GEMM_TWIDE) X(gemm_tgroup, GEMM_TGROUP) X(gemm_tnhwc, GEMM_TNHWC)
#define GEMM_MODEL_TRANSPOSE_F64(X) X(gemm_tnhwc64, GEMM_TNHWC64)

#endif /* GEMM_MODEL_H */

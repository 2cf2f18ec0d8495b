/* Fake model standing in for a generated p_model.h: five correct conv2d layers (four with gradients) and four conv_transpose2d layers covering both layouts, both dtypes, groups, dilation, stride, padding and output padding. */
#ifndef FAKE_MODEL_H
#define FAKE_MODEL_H

#include "convgen.h"
#include "fake_common.h"

/* A real model header includes one generated header per layer; the fake keeps
   them all here. The numbers are worked out by hand from the descriptors in
   fake_layers.c, and the harness's sizes test re-derives every one of them. */

/* fake_a: f32 NCHW, batch 2, 3x3 'same' padding, bias, no workspace. */
#define FAKE_A_N 2
#define FAKE_A_C 3
#define FAKE_A_H 7
#define FAKE_A_W 6
#define FAKE_A_M 4
#define FAKE_A_KH 3
#define FAKE_A_KW 3
#define FAKE_A_OH 7
#define FAKE_A_OW 6
#define FAKE_A_GROUPS 1
#define FAKE_A_COL_ROWS 27
#define FAKE_A_COL_COLS 42
#define FAKE_A_INPUT_ELEMS 252
#define FAKE_A_WEIGHT_ELEMS 108
#define FAKE_A_OUTPUT_ELEMS 336
#define FAKE_A_WORKSPACE_BYTES 0

/* fake_b: f32 NHWC, groups 2, stride 2x1, dilation 1x2, uneven padding,
   no bias, relu6, 256-byte workspace. */
#define FAKE_B_N 1
#define FAKE_B_C 4
#define FAKE_B_H 9
#define FAKE_B_W 8
#define FAKE_B_M 6
#define FAKE_B_KH 3
#define FAKE_B_KW 2
#define FAKE_B_OH 4
#define FAKE_B_OW 8
#define FAKE_B_GROUPS 2
#define FAKE_B_COL_ROWS 32
#define FAKE_B_COL_COLS 24
#define FAKE_B_INPUT_ELEMS 288
#define FAKE_B_WEIGHT_ELEMS 72
#define FAKE_B_OUTPUT_ELEMS 192
#define FAKE_B_WORKSPACE_BYTES 256

/* fake_c: f64 NCHW, depthwise (groups = C), stride 2, dilation 2x1,
   uneven padding, bias, clamp [-0.25, 0.5], 128-byte workspace. */
#define FAKE_C_N 2
#define FAKE_C_C 4
#define FAKE_C_H 5
#define FAKE_C_W 7
#define FAKE_C_M 4
#define FAKE_C_KH 3
#define FAKE_C_KW 3
#define FAKE_C_OH 2
#define FAKE_C_OW 3
#define FAKE_C_GROUPS 4
#define FAKE_C_COL_ROWS 36
#define FAKE_C_COL_COLS 6
#define FAKE_C_INPUT_ELEMS 280
#define FAKE_C_WEIGHT_ELEMS 36
#define FAKE_C_OUTPUT_ELEMS 48
#define FAKE_C_WORKSPACE_BYTES 128

/* fake_d: f64 NHWC, 1x1 kernel with stride 3, so most input pixels are never
   read and col2im must leave them exactly 0; bias, relu. */
#define FAKE_D_N 3
#define FAKE_D_C 2
#define FAKE_D_H 6
#define FAKE_D_W 6
#define FAKE_D_M 3
#define FAKE_D_KH 1
#define FAKE_D_KW 1
#define FAKE_D_OH 2
#define FAKE_D_OW 2
#define FAKE_D_GROUPS 1
#define FAKE_D_COL_ROWS 4
#define FAKE_D_COL_COLS 2
#define FAKE_D_INPUT_ELEMS 216
#define FAKE_D_WEIGHT_ELEMS 6
#define FAKE_D_OUTPUT_ELEMS 36
#define FAKE_D_WORKSPACE_BYTES 0

/* fake_e: f32 NHWC, padding wider than the kernel, so whole output rows see
   only padding (output = bias); clamp [-0.5, 0.75], 64-byte workspace. */
#define FAKE_E_N 1
#define FAKE_E_C 2
#define FAKE_E_H 3
#define FAKE_E_W 4
#define FAKE_E_M 2
#define FAKE_E_KH 2
#define FAKE_E_KW 2
#define FAKE_E_OH 7
#define FAKE_E_OW 8
#define FAKE_E_GROUPS 1
#define FAKE_E_COL_ROWS 56
#define FAKE_E_COL_COLS 8
#define FAKE_E_INPUT_ELEMS 24
#define FAKE_E_WEIGHT_ELEMS 16
#define FAKE_E_OUTPUT_ELEMS 112
#define FAKE_E_WORKSPACE_BYTES 64

/* conv_transpose2d layers: OH = (H-1)*SH - PT - PB + DH*(KH-1) + OPH + 1,
   weights C*(M/groups)*KH*KW. */

/* fake_ta: f32 NCHW, batch 2, stride 2, padding 1, output padding 1 (the
   last row and column only get what the padding left), bias, relu. */
#define FAKE_TA_N 2
#define FAKE_TA_C 3
#define FAKE_TA_H 4
#define FAKE_TA_W 5
#define FAKE_TA_M 2
#define FAKE_TA_KH 3
#define FAKE_TA_KW 3
#define FAKE_TA_OH 8
#define FAKE_TA_OW 10
#define FAKE_TA_GROUPS 1
#define FAKE_TA_INPUT_ELEMS 120
#define FAKE_TA_WEIGHT_ELEMS 54
#define FAKE_TA_OUTPUT_ELEMS 320
#define FAKE_TA_WORKSPACE_BYTES 0

/* fake_tb: f64 NHWC, groups 2 with C != M, 2x3 kernel, stride 1x2,
   dilation 2x1, uneven padding, output padding 1 row (allowed because it is
   below the dilation, not the stride) and 1 column; no bias, clamp. */
#define FAKE_TB_N 1
#define FAKE_TB_C 4
#define FAKE_TB_H 5
#define FAKE_TB_W 3
#define FAKE_TB_M 6
#define FAKE_TB_KH 2
#define FAKE_TB_KW 3
#define FAKE_TB_OH 7
#define FAKE_TB_OW 6
#define FAKE_TB_GROUPS 2
#define FAKE_TB_INPUT_ELEMS 60
#define FAKE_TB_WEIGHT_ELEMS 72
#define FAKE_TB_OUTPUT_ELEMS 252
#define FAKE_TB_WORKSPACE_BYTES 256

/* fake_tc: f32 NHWC, 1x1 kernel with stride 3, so two of every three output
   rows and columns receive no product at all (bias only), output padding 2. */
#define FAKE_TC_N 1
#define FAKE_TC_C 2
#define FAKE_TC_H 3
#define FAKE_TC_W 3
#define FAKE_TC_M 3
#define FAKE_TC_KH 1
#define FAKE_TC_KW 1
#define FAKE_TC_OH 9
#define FAKE_TC_OW 9
#define FAKE_TC_GROUPS 1
#define FAKE_TC_INPUT_ELEMS 18
#define FAKE_TC_WEIGHT_ELEMS 6
#define FAKE_TC_OUTPUT_ELEMS 243
#define FAKE_TC_WORKSPACE_BYTES 64

/* fake_td: f64 NCHW, batch 2, padding 2 on a 3x3 kernel, so the output is
   smaller than the input; bias, relu. */
#define FAKE_TD_N 2
#define FAKE_TD_C 2
#define FAKE_TD_H 6
#define FAKE_TD_W 5
#define FAKE_TD_M 3
#define FAKE_TD_KH 3
#define FAKE_TD_KW 3
#define FAKE_TD_OH 4
#define FAKE_TD_OW 3
#define FAKE_TD_GROUPS 1
#define FAKE_TD_INPUT_ELEMS 120
#define FAKE_TD_WEIGHT_ELEMS 54
#define FAKE_TD_OUTPUT_ELEMS 72
#define FAKE_TD_WORKSPACE_BYTES 0

FAKE_DECLARE_LAYER(fake_a, float)
FAKE_DECLARE_LAYER(fake_b, float)
FAKE_DECLARE_LAYER(fake_c, double)
FAKE_DECLARE_LAYER(fake_d, double)
FAKE_DECLARE_LAYER(fake_e, float)
FAKE_DECLARE_BACKWARD(fake_a, float)
FAKE_DECLARE_BACKWARD(fake_b, float)
FAKE_DECLARE_BACKWARD(fake_c, double)
FAKE_DECLARE_BACKWARD(fake_d, double)
FAKE_DECLARE_TRANSPOSE(fake_ta, float)
FAKE_DECLARE_TRANSPOSE(fake_tb, double)
FAKE_DECLARE_TRANSPOSE(fake_tc, float)
FAKE_DECLARE_TRANSPOSE(fake_td, double)

#define FAKE_MODEL_LAYERS_F32(X) X(fake_a, FAKE_A) X(fake_b, FAKE_B) X(fake_e, FAKE_E)
#define FAKE_MODEL_LAYERS_F64(X) X(fake_c, FAKE_C) X(fake_d, FAKE_D)
/* Every conv2d layer but fake_e has gradients. */
#define FAKE_MODEL_BACKWARD_F32(X) X(fake_a, FAKE_A) X(fake_b, FAKE_B)
#define FAKE_MODEL_BACKWARD_F64(X) X(fake_c, FAKE_C) X(fake_d, FAKE_D)
#define FAKE_MODEL_TRANSPOSE_F32(X) X(fake_ta, FAKE_TA) X(fake_tc, FAKE_TC)
#define FAKE_MODEL_TRANSPOSE_F64(X) X(fake_tb, FAKE_TB) X(fake_td, FAKE_TD)

#endif /* FAKE_MODEL_H */

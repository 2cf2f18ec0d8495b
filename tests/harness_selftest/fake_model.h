/* Fake model standing in for a generated p_model.h: five correct layers covering both layouts, both dtypes, groups, dilation, stride and padding. */
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

FAKE_DECLARE_LAYER(fake_a, float)
FAKE_DECLARE_LAYER(fake_b, float)
FAKE_DECLARE_LAYER(fake_c, double)
FAKE_DECLARE_LAYER(fake_d, double)
FAKE_DECLARE_LAYER(fake_e, float)

#define FAKE_MODEL_LAYERS_F32(X) X(fake_a, FAKE_A) X(fake_b, FAKE_B) X(fake_e, FAKE_E)
#define FAKE_MODEL_LAYERS_F64(X) X(fake_c, FAKE_C) X(fake_d, FAKE_D)

#endif /* FAKE_MODEL_H */

/* Fake model modelling a generator's output with deliberately broken layers: each one breaks exactly one rule the harness must enforce (conv2d, gradients, conv_transpose2d). */
#ifndef BROKEN_MODEL_H
#define BROKEN_MODEL_H

#include "convgen.h"
#include "fake_common.h"

/* Each layer breaks exactly one rule (see broken_layers.c), so it fails a
   known set of tests of the harness, listed in BROKEN_MODEL_EXPECT below:
   the test the rule belongs to and, for a wrong value, the adjoint identity
   that ties the same function to its partner. The first six are the faults
   the harness was specified against; the next four cover its remaining
   forward checks; the broken_bd_ / broken_bw_ layers break a gradient and
   the broken_tr_ layers conv_transpose2d. Only broken_sizes and
   broken_tr_sizes have a wrong size macro. */

/* broken_im2col_hole: im2col leaves one col cell unwritten. */
#define BROKEN_IM2COL_HOLE_N 1
#define BROKEN_IM2COL_HOLE_C 3
#define BROKEN_IM2COL_HOLE_H 6
#define BROKEN_IM2COL_HOLE_W 5
#define BROKEN_IM2COL_HOLE_M 2
#define BROKEN_IM2COL_HOLE_KH 3
#define BROKEN_IM2COL_HOLE_KW 3
#define BROKEN_IM2COL_HOLE_OH 6
#define BROKEN_IM2COL_HOLE_OW 5
#define BROKEN_IM2COL_HOLE_GROUPS 1
#define BROKEN_IM2COL_HOLE_COL_ROWS 27
#define BROKEN_IM2COL_HOLE_COL_COLS 30
#define BROKEN_IM2COL_HOLE_INPUT_ELEMS 90
#define BROKEN_IM2COL_HOLE_WEIGHT_ELEMS 54
#define BROKEN_IM2COL_HOLE_OUTPUT_ELEMS 60
#define BROKEN_IM2COL_HOLE_WORKSPACE_BYTES 0

/* broken_conv_overrun: conv writes one element past the end of y. */
#define BROKEN_CONV_OVERRUN_N 2
#define BROKEN_CONV_OVERRUN_C 2
#define BROKEN_CONV_OVERRUN_H 5
#define BROKEN_CONV_OVERRUN_W 5
#define BROKEN_CONV_OVERRUN_M 3
#define BROKEN_CONV_OVERRUN_KH 3
#define BROKEN_CONV_OVERRUN_KW 3
#define BROKEN_CONV_OVERRUN_OH 5
#define BROKEN_CONV_OVERRUN_OW 5
#define BROKEN_CONV_OVERRUN_GROUPS 1
#define BROKEN_CONV_OVERRUN_COL_ROWS 25
#define BROKEN_CONV_OVERRUN_COL_COLS 18
#define BROKEN_CONV_OVERRUN_INPUT_ELEMS 100
#define BROKEN_CONV_OVERRUN_WEIGHT_ELEMS 54
#define BROKEN_CONV_OVERRUN_OUTPUT_ELEMS 150
#define BROKEN_CONV_OVERRUN_WORKSPACE_BYTES 0

/* broken_conv_rel: conv is off by a relative 1e-3 in one element (K = 18). */
#define BROKEN_CONV_REL_N 1
#define BROKEN_CONV_REL_C 2
#define BROKEN_CONV_REL_H 6
#define BROKEN_CONV_REL_W 6
#define BROKEN_CONV_REL_M 3
#define BROKEN_CONV_REL_KH 3
#define BROKEN_CONV_REL_KW 3
#define BROKEN_CONV_REL_OH 6
#define BROKEN_CONV_REL_OW 6
#define BROKEN_CONV_REL_GROUPS 1
#define BROKEN_CONV_REL_COL_ROWS 18
#define BROKEN_CONV_REL_COL_COLS 36
#define BROKEN_CONV_REL_INPUT_ELEMS 72
#define BROKEN_CONV_REL_WEIGHT_ELEMS 54
#define BROKEN_CONV_REL_OUTPUT_ELEMS 108
#define BROKEN_CONV_REL_WORKSPACE_BYTES 0

/* broken_col2im_assign: col2im assigns instead of accumulating. */
#define BROKEN_COL2IM_ASSIGN_N 1
#define BROKEN_COL2IM_ASSIGN_C 2
#define BROKEN_COL2IM_ASSIGN_H 5
#define BROKEN_COL2IM_ASSIGN_W 6
#define BROKEN_COL2IM_ASSIGN_M 2
#define BROKEN_COL2IM_ASSIGN_KH 3
#define BROKEN_COL2IM_ASSIGN_KW 3
#define BROKEN_COL2IM_ASSIGN_OH 5
#define BROKEN_COL2IM_ASSIGN_OW 6
#define BROKEN_COL2IM_ASSIGN_GROUPS 1
#define BROKEN_COL2IM_ASSIGN_COL_ROWS 18
#define BROKEN_COL2IM_ASSIGN_COL_COLS 30
#define BROKEN_COL2IM_ASSIGN_INPUT_ELEMS 60
#define BROKEN_COL2IM_ASSIGN_WEIGHT_ELEMS 36
#define BROKEN_COL2IM_ASSIGN_OUTPUT_ELEMS 60
#define BROKEN_COL2IM_ASSIGN_WORKSPACE_BYTES 0

/* broken_conv_nullbias: conv adds a stale bias when given bias == NULL. */
#define BROKEN_CONV_NULLBIAS_N 1
#define BROKEN_CONV_NULLBIAS_C 3
#define BROKEN_CONV_NULLBIAS_H 5
#define BROKEN_CONV_NULLBIAS_W 5
#define BROKEN_CONV_NULLBIAS_M 4
#define BROKEN_CONV_NULLBIAS_KH 3
#define BROKEN_CONV_NULLBIAS_KW 3
#define BROKEN_CONV_NULLBIAS_OH 5
#define BROKEN_CONV_NULLBIAS_OW 5
#define BROKEN_CONV_NULLBIAS_GROUPS 1
#define BROKEN_CONV_NULLBIAS_COL_ROWS 25
#define BROKEN_CONV_NULLBIAS_COL_COLS 27
#define BROKEN_CONV_NULLBIAS_INPUT_ELEMS 75
#define BROKEN_CONV_NULLBIAS_WEIGHT_ELEMS 108
#define BROKEN_CONV_NULLBIAS_OUTPUT_ELEMS 100
#define BROKEN_CONV_NULLBIAS_WORKSPACE_BYTES 0

/* broken_conv_nully: conv returns CG_OK when y is NULL. */
#define BROKEN_CONV_NULLY_N 1
#define BROKEN_CONV_NULLY_C 2
#define BROKEN_CONV_NULLY_H 4
#define BROKEN_CONV_NULLY_W 4
#define BROKEN_CONV_NULLY_M 2
#define BROKEN_CONV_NULLY_KH 3
#define BROKEN_CONV_NULLY_KW 3
#define BROKEN_CONV_NULLY_OH 2
#define BROKEN_CONV_NULLY_OW 2
#define BROKEN_CONV_NULLY_GROUPS 1
#define BROKEN_CONV_NULLY_COL_ROWS 18
#define BROKEN_CONV_NULLY_COL_COLS 4
#define BROKEN_CONV_NULLY_INPUT_ELEMS 32
#define BROKEN_CONV_NULLY_WEIGHT_ELEMS 36
#define BROKEN_CONV_NULLY_OUTPUT_ELEMS 8
#define BROKEN_CONV_NULLY_WORKSPACE_BYTES 64

/* broken_conv_writes_x: conv writes into its const input x. */
#define BROKEN_CONV_WRITES_X_N 1
#define BROKEN_CONV_WRITES_X_C 2
#define BROKEN_CONV_WRITES_X_H 5
#define BROKEN_CONV_WRITES_X_W 4
#define BROKEN_CONV_WRITES_X_M 2
#define BROKEN_CONV_WRITES_X_KH 3
#define BROKEN_CONV_WRITES_X_KW 3
#define BROKEN_CONV_WRITES_X_OH 5
#define BROKEN_CONV_WRITES_X_OW 4
#define BROKEN_CONV_WRITES_X_GROUPS 1
#define BROKEN_CONV_WRITES_X_COL_ROWS 18
#define BROKEN_CONV_WRITES_X_COL_COLS 20
#define BROKEN_CONV_WRITES_X_INPUT_ELEMS 40
#define BROKEN_CONV_WRITES_X_WEIGHT_ELEMS 36
#define BROKEN_CONV_WRITES_X_OUTPUT_ELEMS 40
#define BROKEN_CONV_WRITES_X_WORKSPACE_BYTES 0

/* broken_conv_ws_align: conv accepts a workspace that is not 64-byte aligned. */
#define BROKEN_CONV_WS_ALIGN_N 1
#define BROKEN_CONV_WS_ALIGN_C 2
#define BROKEN_CONV_WS_ALIGN_H 4
#define BROKEN_CONV_WS_ALIGN_W 5
#define BROKEN_CONV_WS_ALIGN_M 2
#define BROKEN_CONV_WS_ALIGN_KH 3
#define BROKEN_CONV_WS_ALIGN_KW 3
#define BROKEN_CONV_WS_ALIGN_OH 4
#define BROKEN_CONV_WS_ALIGN_OW 5
#define BROKEN_CONV_WS_ALIGN_GROUPS 1
#define BROKEN_CONV_WS_ALIGN_COL_ROWS 20
#define BROKEN_CONV_WS_ALIGN_COL_COLS 18
#define BROKEN_CONV_WS_ALIGN_INPUT_ELEMS 40
#define BROKEN_CONV_WS_ALIGN_WEIGHT_ELEMS 36
#define BROKEN_CONV_WS_ALIGN_OUTPUT_ELEMS 40
#define BROKEN_CONV_WS_ALIGN_WORKSPACE_BYTES 128

/* broken_conv_touch_y: conv clears y before it checks its arguments. */
#define BROKEN_CONV_TOUCH_Y_N 1
#define BROKEN_CONV_TOUCH_Y_C 2
#define BROKEN_CONV_TOUCH_Y_H 4
#define BROKEN_CONV_TOUCH_Y_W 4
#define BROKEN_CONV_TOUCH_Y_M 3
#define BROKEN_CONV_TOUCH_Y_KH 3
#define BROKEN_CONV_TOUCH_Y_KW 3
#define BROKEN_CONV_TOUCH_Y_OH 4
#define BROKEN_CONV_TOUCH_Y_OW 4
#define BROKEN_CONV_TOUCH_Y_GROUPS 1
#define BROKEN_CONV_TOUCH_Y_COL_ROWS 16
#define BROKEN_CONV_TOUCH_Y_COL_COLS 18
#define BROKEN_CONV_TOUCH_Y_INPUT_ELEMS 32
#define BROKEN_CONV_TOUCH_Y_WEIGHT_ELEMS 54
#define BROKEN_CONV_TOUCH_Y_OUTPUT_ELEMS 48
#define BROKEN_CONV_TOUCH_Y_WORKSPACE_BYTES 0

/* broken_sizes: correct functions, but one size macro is wrong. */
#define BROKEN_SIZES_N 1
#define BROKEN_SIZES_C 2
#define BROKEN_SIZES_H 5
#define BROKEN_SIZES_W 5
#define BROKEN_SIZES_M 2
#define BROKEN_SIZES_KH 3
#define BROKEN_SIZES_KW 3
#define BROKEN_SIZES_OH 5
#define BROKEN_SIZES_OW 5
#define BROKEN_SIZES_GROUPS 1
#define BROKEN_SIZES_COL_ROWS 18
#define BROKEN_SIZES_COL_COLS 24 /* wrong on purpose: OH*OW = 25 */
#define BROKEN_SIZES_INPUT_ELEMS 50
#define BROKEN_SIZES_WEIGHT_ELEMS 36
#define BROKEN_SIZES_OUTPUT_ELEMS 50
#define BROKEN_SIZES_WORKSPACE_BYTES 0

/* Gradient faults, on conv2d layers whose forward functions are correct. */

/* broken_bd_flip: backward data correlates with the unflipped kernel. */
#define BROKEN_BD_FLIP_N 1
#define BROKEN_BD_FLIP_C 4
#define BROKEN_BD_FLIP_H 7
#define BROKEN_BD_FLIP_W 6
#define BROKEN_BD_FLIP_M 4
#define BROKEN_BD_FLIP_KH 3
#define BROKEN_BD_FLIP_KW 3
#define BROKEN_BD_FLIP_OH 4
#define BROKEN_BD_FLIP_OW 3
#define BROKEN_BD_FLIP_GROUPS 2
#define BROKEN_BD_FLIP_COL_ROWS 36
#define BROKEN_BD_FLIP_COL_COLS 12
#define BROKEN_BD_FLIP_INPUT_ELEMS 168
#define BROKEN_BD_FLIP_WEIGHT_ELEMS 72
#define BROKEN_BD_FLIP_OUTPUT_ELEMS 48
#define BROKEN_BD_FLIP_WORKSPACE_BYTES 0

/* broken_bd_overrun: backward data writes one element past the end of dx. */
#define BROKEN_BD_OVERRUN_N 2
#define BROKEN_BD_OVERRUN_C 2
#define BROKEN_BD_OVERRUN_H 4
#define BROKEN_BD_OVERRUN_W 5
#define BROKEN_BD_OVERRUN_M 3
#define BROKEN_BD_OVERRUN_KH 3
#define BROKEN_BD_OVERRUN_KW 3
#define BROKEN_BD_OVERRUN_OH 4
#define BROKEN_BD_OVERRUN_OW 5
#define BROKEN_BD_OVERRUN_GROUPS 1
#define BROKEN_BD_OVERRUN_COL_ROWS 20
#define BROKEN_BD_OVERRUN_COL_COLS 18
#define BROKEN_BD_OVERRUN_INPUT_ELEMS 80
#define BROKEN_BD_OVERRUN_WEIGHT_ELEMS 54
#define BROKEN_BD_OVERRUN_OUTPUT_ELEMS 120
#define BROKEN_BD_OVERRUN_WORKSPACE_BYTES 0

/* broken_bd_touch_dx: backward data clears dx[0] before checking its
   arguments. */
#define BROKEN_BD_TOUCH_DX_N 1
#define BROKEN_BD_TOUCH_DX_C 2
#define BROKEN_BD_TOUCH_DX_H 4
#define BROKEN_BD_TOUCH_DX_W 4
#define BROKEN_BD_TOUCH_DX_M 3
#define BROKEN_BD_TOUCH_DX_KH 3
#define BROKEN_BD_TOUCH_DX_KW 3
#define BROKEN_BD_TOUCH_DX_OH 4
#define BROKEN_BD_TOUCH_DX_OW 4
#define BROKEN_BD_TOUCH_DX_GROUPS 1
#define BROKEN_BD_TOUCH_DX_COL_ROWS 16
#define BROKEN_BD_TOUCH_DX_COL_COLS 18
#define BROKEN_BD_TOUCH_DX_INPUT_ELEMS 32
#define BROKEN_BD_TOUCH_DX_WEIGHT_ELEMS 54
#define BROKEN_BD_TOUCH_DX_OUTPUT_ELEMS 48
#define BROKEN_BD_TOUCH_DX_WORKSPACE_BYTES 64

/* broken_bd_writes_dy: backward data uses its const input dy as scratch. */
#define BROKEN_BD_WRITES_DY_N 1
#define BROKEN_BD_WRITES_DY_C 2
#define BROKEN_BD_WRITES_DY_H 5
#define BROKEN_BD_WRITES_DY_W 4
#define BROKEN_BD_WRITES_DY_M 2
#define BROKEN_BD_WRITES_DY_KH 3
#define BROKEN_BD_WRITES_DY_KW 3
#define BROKEN_BD_WRITES_DY_OH 5
#define BROKEN_BD_WRITES_DY_OW 4
#define BROKEN_BD_WRITES_DY_GROUPS 1
#define BROKEN_BD_WRITES_DY_COL_ROWS 18
#define BROKEN_BD_WRITES_DY_COL_COLS 20
#define BROKEN_BD_WRITES_DY_INPUT_ELEMS 40
#define BROKEN_BD_WRITES_DY_WEIGHT_ELEMS 36
#define BROKEN_BD_WRITES_DY_OUTPUT_ELEMS 40
#define BROKEN_BD_WRITES_DY_WORKSPACE_BYTES 0

/* broken_bw_batch: backward weights (and db) sum the first image only. */
#define BROKEN_BW_BATCH_N 2
#define BROKEN_BW_BATCH_C 2
#define BROKEN_BW_BATCH_H 5
#define BROKEN_BW_BATCH_W 5
#define BROKEN_BW_BATCH_M 3
#define BROKEN_BW_BATCH_KH 3
#define BROKEN_BW_BATCH_KW 3
#define BROKEN_BW_BATCH_OH 5
#define BROKEN_BW_BATCH_OW 5
#define BROKEN_BW_BATCH_GROUPS 1
#define BROKEN_BW_BATCH_COL_ROWS 25
#define BROKEN_BW_BATCH_COL_COLS 18
#define BROKEN_BW_BATCH_INPUT_ELEMS 100
#define BROKEN_BW_BATCH_WEIGHT_ELEMS 54
#define BROKEN_BW_BATCH_OUTPUT_ELEMS 150
#define BROKEN_BW_BATCH_WORKSPACE_BYTES 0

/* broken_bw_db_required: backward weights rejects db == NULL. */
#define BROKEN_BW_DB_REQUIRED_N 1
#define BROKEN_BW_DB_REQUIRED_C 2
#define BROKEN_BW_DB_REQUIRED_H 4
#define BROKEN_BW_DB_REQUIRED_W 4
#define BROKEN_BW_DB_REQUIRED_M 2
#define BROKEN_BW_DB_REQUIRED_KH 3
#define BROKEN_BW_DB_REQUIRED_KW 3
#define BROKEN_BW_DB_REQUIRED_OH 4
#define BROKEN_BW_DB_REQUIRED_OW 4
#define BROKEN_BW_DB_REQUIRED_GROUPS 1
#define BROKEN_BW_DB_REQUIRED_COL_ROWS 18
#define BROKEN_BW_DB_REQUIRED_COL_COLS 16
#define BROKEN_BW_DB_REQUIRED_INPUT_ELEMS 32
#define BROKEN_BW_DB_REQUIRED_WEIGHT_ELEMS 36
#define BROKEN_BW_DB_REQUIRED_OUTPUT_ELEMS 32
#define BROKEN_BW_DB_REQUIRED_WORKSPACE_BYTES 0

/* broken_bw_db_accumulate: backward weights adds to db instead of
   overwriting it. */
#define BROKEN_BW_DB_ACCUMULATE_N 2
#define BROKEN_BW_DB_ACCUMULATE_C 2
#define BROKEN_BW_DB_ACCUMULATE_H 4
#define BROKEN_BW_DB_ACCUMULATE_W 4
#define BROKEN_BW_DB_ACCUMULATE_M 2
#define BROKEN_BW_DB_ACCUMULATE_KH 3
#define BROKEN_BW_DB_ACCUMULATE_KW 3
#define BROKEN_BW_DB_ACCUMULATE_OH 4
#define BROKEN_BW_DB_ACCUMULATE_OW 4
#define BROKEN_BW_DB_ACCUMULATE_GROUPS 1
#define BROKEN_BW_DB_ACCUMULATE_COL_ROWS 18
#define BROKEN_BW_DB_ACCUMULATE_COL_COLS 16
#define BROKEN_BW_DB_ACCUMULATE_INPUT_ELEMS 64
#define BROKEN_BW_DB_ACCUMULATE_WEIGHT_ELEMS 36
#define BROKEN_BW_DB_ACCUMULATE_OUTPUT_ELEMS 64
#define BROKEN_BW_DB_ACCUMULATE_WORKSPACE_BYTES 0

/* broken_bw_ws_align: backward weights accepts a misaligned workspace. */
#define BROKEN_BW_WS_ALIGN_N 1
#define BROKEN_BW_WS_ALIGN_C 2
#define BROKEN_BW_WS_ALIGN_H 4
#define BROKEN_BW_WS_ALIGN_W 5
#define BROKEN_BW_WS_ALIGN_M 2
#define BROKEN_BW_WS_ALIGN_KH 3
#define BROKEN_BW_WS_ALIGN_KW 3
#define BROKEN_BW_WS_ALIGN_OH 4
#define BROKEN_BW_WS_ALIGN_OW 5
#define BROKEN_BW_WS_ALIGN_GROUPS 1
#define BROKEN_BW_WS_ALIGN_COL_ROWS 20
#define BROKEN_BW_WS_ALIGN_COL_COLS 18
#define BROKEN_BW_WS_ALIGN_INPUT_ELEMS 40
#define BROKEN_BW_WS_ALIGN_WEIGHT_ELEMS 36
#define BROKEN_BW_WS_ALIGN_OUTPUT_ELEMS 40
#define BROKEN_BW_WS_ALIGN_WORKSPACE_BYTES 128

/* broken_bw_rel: one dw element off by a relative 1e-3 in f32 (N*OH*OW =
   72): caught element by element, far below the adjoint identity's bound. */
#define BROKEN_BW_REL_N 2
#define BROKEN_BW_REL_C 2
#define BROKEN_BW_REL_H 6
#define BROKEN_BW_REL_W 6
#define BROKEN_BW_REL_M 3
#define BROKEN_BW_REL_KH 3
#define BROKEN_BW_REL_KW 3
#define BROKEN_BW_REL_OH 6
#define BROKEN_BW_REL_OW 6
#define BROKEN_BW_REL_GROUPS 1
#define BROKEN_BW_REL_COL_ROWS 18
#define BROKEN_BW_REL_COL_COLS 36
#define BROKEN_BW_REL_INPUT_ELEMS 144
#define BROKEN_BW_REL_WEIGHT_ELEMS 54
#define BROKEN_BW_REL_OUTPUT_ELEMS 216
#define BROKEN_BW_REL_WORKSPACE_BYTES 0

/* conv_transpose2d faults. */

/* broken_tr_outpad: the output padding row and column are never written. */
#define BROKEN_TR_OUTPAD_N 1
#define BROKEN_TR_OUTPAD_C 2
#define BROKEN_TR_OUTPAD_H 3
#define BROKEN_TR_OUTPAD_W 4
#define BROKEN_TR_OUTPAD_M 2
#define BROKEN_TR_OUTPAD_KH 3
#define BROKEN_TR_OUTPAD_KW 3
#define BROKEN_TR_OUTPAD_OH 6
#define BROKEN_TR_OUTPAD_OW 8
#define BROKEN_TR_OUTPAD_INPUT_ELEMS 24
#define BROKEN_TR_OUTPAD_WEIGHT_ELEMS 36
#define BROKEN_TR_OUTPAD_OUTPUT_ELEMS 96
#define BROKEN_TR_OUTPAD_WORKSPACE_BYTES 0

/* broken_tr_layout: NHWC weights read as [KH][KW][C][M/groups] instead of
   [KH][KW][M/groups][C]. */
#define BROKEN_TR_LAYOUT_N 1
#define BROKEN_TR_LAYOUT_C 4
#define BROKEN_TR_LAYOUT_H 3
#define BROKEN_TR_LAYOUT_W 3
#define BROKEN_TR_LAYOUT_M 6
#define BROKEN_TR_LAYOUT_KH 2
#define BROKEN_TR_LAYOUT_KW 2
#define BROKEN_TR_LAYOUT_OH 4
#define BROKEN_TR_LAYOUT_OW 4
#define BROKEN_TR_LAYOUT_INPUT_ELEMS 36
#define BROKEN_TR_LAYOUT_WEIGHT_ELEMS 48
#define BROKEN_TR_LAYOUT_OUTPUT_ELEMS 96
#define BROKEN_TR_LAYOUT_WORKSPACE_BYTES 0

/* broken_tr_nullbias: a stale bias is added when bias == NULL. */
#define BROKEN_TR_NULLBIAS_N 1
#define BROKEN_TR_NULLBIAS_C 2
#define BROKEN_TR_NULLBIAS_H 3
#define BROKEN_TR_NULLBIAS_W 3
#define BROKEN_TR_NULLBIAS_M 2
#define BROKEN_TR_NULLBIAS_KH 3
#define BROKEN_TR_NULLBIAS_KW 3
#define BROKEN_TR_NULLBIAS_OH 5
#define BROKEN_TR_NULLBIAS_OW 5
#define BROKEN_TR_NULLBIAS_INPUT_ELEMS 18
#define BROKEN_TR_NULLBIAS_WEIGHT_ELEMS 36
#define BROKEN_TR_NULLBIAS_OUTPUT_ELEMS 50
#define BROKEN_TR_NULLBIAS_WORKSPACE_BYTES 0

/* broken_tr_nullx: x == NULL is reported as success. */
#define BROKEN_TR_NULLX_N 1
#define BROKEN_TR_NULLX_C 2
#define BROKEN_TR_NULLX_H 3
#define BROKEN_TR_NULLX_W 3
#define BROKEN_TR_NULLX_M 2
#define BROKEN_TR_NULLX_KH 3
#define BROKEN_TR_NULLX_KW 3
#define BROKEN_TR_NULLX_OH 5
#define BROKEN_TR_NULLX_OW 5
#define BROKEN_TR_NULLX_INPUT_ELEMS 18
#define BROKEN_TR_NULLX_WEIGHT_ELEMS 36
#define BROKEN_TR_NULLX_OUTPUT_ELEMS 50
#define BROKEN_TR_NULLX_WORKSPACE_BYTES 64

/* broken_tr_sizes: correct function, but one size macro is wrong. */
#define BROKEN_TR_SIZES_N 1
#define BROKEN_TR_SIZES_C 2
#define BROKEN_TR_SIZES_H 3
#define BROKEN_TR_SIZES_W 3
#define BROKEN_TR_SIZES_M 2
#define BROKEN_TR_SIZES_KH 3
#define BROKEN_TR_SIZES_KW 3
#define BROKEN_TR_SIZES_OH 5
#define BROKEN_TR_SIZES_OW 5
#define BROKEN_TR_SIZES_INPUT_ELEMS 18
#define BROKEN_TR_SIZES_WEIGHT_ELEMS 36
#define BROKEN_TR_SIZES_OUTPUT_ELEMS 49 /* wrong on purpose: M*OH*OW = 50 */
#define BROKEN_TR_SIZES_WORKSPACE_BYTES 0

/* broken_tr_rel: one output off by a relative 1e-3 (K = C*KH*KW = 18). */
#define BROKEN_TR_REL_N 1
#define BROKEN_TR_REL_C 2
#define BROKEN_TR_REL_H 4
#define BROKEN_TR_REL_W 4
#define BROKEN_TR_REL_M 3
#define BROKEN_TR_REL_KH 3
#define BROKEN_TR_REL_KW 3
#define BROKEN_TR_REL_OH 6
#define BROKEN_TR_REL_OW 6
#define BROKEN_TR_REL_INPUT_ELEMS 32
#define BROKEN_TR_REL_WEIGHT_ELEMS 54
#define BROKEN_TR_REL_OUTPUT_ELEMS 108
#define BROKEN_TR_REL_WORKSPACE_BYTES 0

/* broken_tr_underrun: a store one element before the start of y. */
#define BROKEN_TR_UNDERRUN_N 2
#define BROKEN_TR_UNDERRUN_C 2
#define BROKEN_TR_UNDERRUN_H 3
#define BROKEN_TR_UNDERRUN_W 3
#define BROKEN_TR_UNDERRUN_M 2
#define BROKEN_TR_UNDERRUN_KH 2
#define BROKEN_TR_UNDERRUN_KW 2
#define BROKEN_TR_UNDERRUN_OH 4
#define BROKEN_TR_UNDERRUN_OW 4
#define BROKEN_TR_UNDERRUN_INPUT_ELEMS 36
#define BROKEN_TR_UNDERRUN_WEIGHT_ELEMS 16
#define BROKEN_TR_UNDERRUN_OUTPUT_ELEMS 64
#define BROKEN_TR_UNDERRUN_WORKSPACE_BYTES 0

FAKE_DECLARE_LAYER(broken_im2col_hole, float)
FAKE_DECLARE_LAYER(broken_conv_overrun, double)
FAKE_DECLARE_LAYER(broken_conv_rel, float)
FAKE_DECLARE_LAYER(broken_col2im_assign, double)
FAKE_DECLARE_LAYER(broken_conv_nullbias, float)
FAKE_DECLARE_LAYER(broken_conv_nully, double)
FAKE_DECLARE_LAYER(broken_conv_writes_x, float)
FAKE_DECLARE_LAYER(broken_conv_ws_align, double)
FAKE_DECLARE_LAYER(broken_conv_touch_y, float)
FAKE_DECLARE_LAYER(broken_sizes, double)

FAKE_DECLARE_LAYER(broken_bd_flip, float)
FAKE_DECLARE_LAYER(broken_bd_overrun, double)
FAKE_DECLARE_LAYER(broken_bd_touch_dx, float)
FAKE_DECLARE_LAYER(broken_bd_writes_dy, double)
FAKE_DECLARE_LAYER(broken_bw_batch, float)
FAKE_DECLARE_LAYER(broken_bw_db_required, double)
FAKE_DECLARE_LAYER(broken_bw_db_accumulate, float)
FAKE_DECLARE_LAYER(broken_bw_ws_align, double)
FAKE_DECLARE_LAYER(broken_bw_rel, float)
FAKE_DECLARE_BACKWARD(broken_bd_flip, float)
FAKE_DECLARE_BACKWARD(broken_bd_overrun, double)
FAKE_DECLARE_BACKWARD(broken_bd_touch_dx, float)
FAKE_DECLARE_BACKWARD(broken_bd_writes_dy, double)
FAKE_DECLARE_BACKWARD(broken_bw_batch, float)
FAKE_DECLARE_BACKWARD(broken_bw_db_required, double)
FAKE_DECLARE_BACKWARD(broken_bw_db_accumulate, float)
FAKE_DECLARE_BACKWARD(broken_bw_ws_align, double)
FAKE_DECLARE_BACKWARD(broken_bw_rel, float)
FAKE_DECLARE_TRANSPOSE(broken_tr_outpad, float)
FAKE_DECLARE_TRANSPOSE(broken_tr_layout, double)
FAKE_DECLARE_TRANSPOSE(broken_tr_nullbias, float)
FAKE_DECLARE_TRANSPOSE(broken_tr_nullx, double)
FAKE_DECLARE_TRANSPOSE(broken_tr_sizes, float)
FAKE_DECLARE_TRANSPOSE(broken_tr_rel, float)
FAKE_DECLARE_TRANSPOSE(broken_tr_underrun, double)

/* How many test iterations each layer must fail, read by run_selftest.sh
   (a wrong value fails its own test and the adjoint identity the function
   takes part in; an argument, canary-free or size fault only its own). */
#define BROKEN_MODEL_EXPECT(X)                                                 \
  X(broken_im2col_hole, 2)        /* im2col, adjoint */                       \
  X(broken_conv_overrun, 1)       /* conv */                                  \
  X(broken_conv_rel, 1)           /* conv */                                  \
  X(broken_col2im_assign, 2)      /* col2im, adjoint */                       \
  X(broken_conv_nullbias, 1)      /* conv */                                  \
  X(broken_conv_nully, 1)         /* conv */                                  \
  X(broken_conv_writes_x, 1)      /* conv */                                  \
  X(broken_conv_ws_align, 1)      /* conv */                                  \
  X(broken_conv_touch_y, 1)       /* conv */                                  \
  X(broken_sizes, 1)              /* sizes */                                 \
  X(broken_bd_flip, 2)            /* backward_data, backward_adjoint */       \
  X(broken_bd_overrun, 2)         /* backward_data, backward_adjoint */       \
  X(broken_bd_touch_dx, 1)        /* backward_data */                         \
  X(broken_bd_writes_dy, 2)       /* backward_data, backward_adjoint */       \
  X(broken_bw_batch, 2)           /* backward_weights, backward_adjoint */    \
  X(broken_bw_db_required, 1)     /* backward_weights */                      \
  X(broken_bw_db_accumulate, 2)   /* backward_weights, backward_adjoint */    \
  X(broken_bw_ws_align, 1)        /* backward_weights */                      \
  X(broken_bw_rel, 1)             /* backward_weights */                      \
  X(broken_tr_outpad, 1)          /* transpose */                             \
  X(broken_tr_layout, 1)          /* transpose */                             \
  X(broken_tr_nullbias, 1)        /* transpose */                             \
  X(broken_tr_nullx, 1)           /* transpose */                             \
  X(broken_tr_sizes, 1)           /* transpose_sizes */                       \
  X(broken_tr_rel, 1)             /* transpose */                             \
  X(broken_tr_underrun, 1)        /* transpose */

/* Their sum: the failing test iterations the self-test expects in all. */
#define BROKEN_MODEL_FAULTS 33

#define BROKEN_MODEL_LAYERS_F32(X)                                             \
  X(broken_im2col_hole, BROKEN_IM2COL_HOLE)                                    \
  X(broken_conv_rel, BROKEN_CONV_REL)                                          \
  X(broken_conv_nullbias, BROKEN_CONV_NULLBIAS)                                \
  X(broken_conv_writes_x, BROKEN_CONV_WRITES_X)                                \
  X(broken_conv_touch_y, BROKEN_CONV_TOUCH_Y)                                  \
  BROKEN_MODEL_BACKWARD_F32(X)
#define BROKEN_MODEL_LAYERS_F64(X)                                             \
  X(broken_conv_overrun, BROKEN_CONV_OVERRUN)                                  \
  X(broken_col2im_assign, BROKEN_COL2IM_ASSIGN)                                \
  X(broken_conv_nully, BROKEN_CONV_NULLY)                                      \
  X(broken_conv_ws_align, BROKEN_CONV_WS_ALIGN)                                \
  X(broken_sizes, BROKEN_SIZES)                                                \
  BROKEN_MODEL_BACKWARD_F64(X)
#define BROKEN_MODEL_BACKWARD_F32(X)                                           \
  X(broken_bd_flip, BROKEN_BD_FLIP)                                            \
  X(broken_bd_touch_dx, BROKEN_BD_TOUCH_DX)                                    \
  X(broken_bw_batch, BROKEN_BW_BATCH)                                          \
  X(broken_bw_db_accumulate, BROKEN_BW_DB_ACCUMULATE)                          \
  X(broken_bw_rel, BROKEN_BW_REL)
#define BROKEN_MODEL_BACKWARD_F64(X)                                           \
  X(broken_bd_overrun, BROKEN_BD_OVERRUN)                                      \
  X(broken_bd_writes_dy, BROKEN_BD_WRITES_DY)                                  \
  X(broken_bw_db_required, BROKEN_BW_DB_REQUIRED)                              \
  X(broken_bw_ws_align, BROKEN_BW_WS_ALIGN)
#define BROKEN_MODEL_TRANSPOSE_F32(X)                                          \
  X(broken_tr_outpad, BROKEN_TR_OUTPAD)                                        \
  X(broken_tr_nullbias, BROKEN_TR_NULLBIAS)                                    \
  X(broken_tr_sizes, BROKEN_TR_SIZES)                                          \
  X(broken_tr_rel, BROKEN_TR_REL)
#define BROKEN_MODEL_TRANSPOSE_F64(X)                                          \
  X(broken_tr_layout, BROKEN_TR_LAYOUT)                                        \
  X(broken_tr_nullx, BROKEN_TR_NULLX)                                          \
  X(broken_tr_underrun, BROKEN_TR_UNDERRUN)

#endif /* BROKEN_MODEL_H */

/* Fake model modelling a generator's output with deliberately broken layers: each one breaks exactly one rule the harness must enforce. */
#ifndef BROKEN_MODEL_H
#define BROKEN_MODEL_H

#include "convgen.h"
#include "fake_common.h"

/* Each layer breaks exactly one rule, so it fails exactly one test of the
   harness (see broken_layers.c). The first six are the faults the harness was
   specified against; the last four cover its remaining checks. Only
   broken_sizes has a wrong size macro. */

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

/* Number of layers, i.e. of failing test iterations the self-test expects. */
#define BROKEN_MODEL_FAULTS 10

#define BROKEN_MODEL_LAYERS_F32(X)                                             \
  X(broken_im2col_hole, BROKEN_IM2COL_HOLE)                                    \
  X(broken_conv_rel, BROKEN_CONV_REL)                                          \
  X(broken_conv_nullbias, BROKEN_CONV_NULLBIAS)                                \
  X(broken_conv_writes_x, BROKEN_CONV_WRITES_X)                                \
  X(broken_conv_touch_y, BROKEN_CONV_TOUCH_Y)
#define BROKEN_MODEL_LAYERS_F64(X)                                             \
  X(broken_conv_overrun, BROKEN_CONV_OVERRUN)                                  \
  X(broken_col2im_assign, BROKEN_COL2IM_ASSIGN)                                \
  X(broken_conv_nully, BROKEN_CONV_NULLY)                                      \
  X(broken_conv_ws_align, BROKEN_CONV_WS_ALIGN)                                \
  X(broken_sizes, BROKEN_SIZES)

#endif /* BROKEN_MODEL_H */

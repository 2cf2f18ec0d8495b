/* Layer functions and descriptors of the broken fake model: each layer (conv2d, gradients, conv_transpose2d) is correct except for one planted fault. */
#include <stddef.h>
#include <string.h>

#include "broken_model.h"

/* Every layer: batch and sizes small enough to read a failure by eye, 3x3
   'same' or 'valid' windows so that col2im really sums overlapping taps. */
#define BROKEN_DESC(sym, SYM, LAYOUT, DTYPE, PAD, BIAS)                        \
  const cg_conv_desc sym##_desc = {                                            \
      .layout = LAYOUT, .dtype = DTYPE, .n = SYM##_N, .c = SYM##_C,            \
      .h = SYM##_H, .w = SYM##_W, .m = SYM##_M, .kh = SYM##_KH,                \
      .kw = SYM##_KW, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .pad_top = PAD,      \
      .pad_bottom = PAD, .pad_left = PAD, .pad_right = PAD,                    \
      .groups = SYM##_GROUPS, .oh = SYM##_OH, .ow = SYM##_OW,                  \
      .has_bias = BIAS, .activation = CG_ACT_NONE};

BROKEN_DESC(broken_im2col_hole, BROKEN_IM2COL_HOLE, CG_LAYOUT_NCHW,
            CG_DTYPE_F32, 1, 1)
BROKEN_DESC(broken_conv_overrun, BROKEN_CONV_OVERRUN, CG_LAYOUT_NHWC,
            CG_DTYPE_F64, 1, 1)
BROKEN_DESC(broken_conv_rel, BROKEN_CONV_REL, CG_LAYOUT_NCHW, CG_DTYPE_F32, 1,
            1)
BROKEN_DESC(broken_col2im_assign, BROKEN_COL2IM_ASSIGN, CG_LAYOUT_NCHW,
            CG_DTYPE_F64, 1, 0)
BROKEN_DESC(broken_conv_nullbias, BROKEN_CONV_NULLBIAS, CG_LAYOUT_NHWC,
            CG_DTYPE_F32, 1, 1)
BROKEN_DESC(broken_conv_nully, BROKEN_CONV_NULLY, CG_LAYOUT_NCHW, CG_DTYPE_F64,
            0, 1)

/* Fault: one col cell is never written. Putting back whatever the caller had
   there is indistinguishable from skipping the store. */
void broken_im2col_hole_im2col(const float *x, float *col) {
  size_t hole = BROKEN_IM2COL_HOLE_COL_ROWS * BROKEN_IM2COL_HOLE_COL_COLS / 2;
  float before = col[hole];
  cg_ref_im2col_f32(&broken_im2col_hole_desc, x, col);
  col[hole] = before;
}
FAKE_COL2IM(broken_im2col_hole, float, f32)
FAKE_CONV(broken_im2col_hole, BROKEN_IM2COL_HOLE, float, f32)

/* Fault: a store one element past the end of y, as an off-by-one loop bound
   would make. */
FAKE_IM2COL(broken_conv_overrun, double, f64)
FAKE_COL2IM(broken_conv_overrun, double, f64)
int broken_conv_overrun_conv(const double *x, const double *w,
                             const double *bias, double *y, void *workspace) {
  int rc = fake_conv_args(x, w, y, workspace,
                          BROKEN_CONV_OVERRUN_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_f64(&broken_conv_overrun_desc, x, w, bias, y);
  y[BROKEN_CONV_OVERRUN_OUTPUT_ELEMS] = 0.0;
  return CG_OK;
}

/* Fault: one element off by a relative 1e-3, the largest one in magnitude so
   that the error is well above the tolerance of a K = 18 reduction. */
FAKE_IM2COL(broken_conv_rel, float, f32)
FAKE_COL2IM(broken_conv_rel, float, f32)
int broken_conv_rel_conv(const float *x, const float *w, const float *bias,
                         float *y, void *workspace) {
  size_t i, big = 0;
  int rc = fake_conv_args(x, w, y, workspace, BROKEN_CONV_REL_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_f32(&broken_conv_rel_desc, x, w, bias, y);
  for (i = 1; i < BROKEN_CONV_REL_OUTPUT_ELEMS; ++i)
    if ((y[i] < 0 ? -y[i] : y[i]) > (y[big] < 0 ? -y[big] : y[big]))
      big = i;
  y[big] = (float)((double)y[big] * (1.0 + 1e-3));
  return CG_OK;
}

/* Fault: overlapping taps overwrite each other instead of adding up, so only
   pixels covered by a single window position come out right. */
FAKE_IM2COL(broken_col2im_assign, double, f64)
void broken_col2im_assign_col2im(const double *col, double *x) {
  const cg_conv_desc *d = &broken_col2im_assign_desc;
  int i, c, kh, kw, oh, ow;
  for (i = 0; i < d->c * d->h * d->w; ++i)
    x[i] = 0.0;
  for (c = 0; c < d->c; ++c)
    for (kh = 0; kh < d->kh; ++kh)
      for (kw = 0; kw < d->kw; ++kw)
        for (oh = 0; oh < d->oh; ++oh)
          for (ow = 0; ow < d->ow; ++ow) {
            int ih = oh * d->sh - d->pad_top + kh * d->dh;
            int iw = ow * d->sw - d->pad_left + kw * d->dw;
            int row = (c * d->kh + kh) * d->kw + kw;
            if (ih >= 0 && ih < d->h && iw >= 0 && iw < d->w)
              x[(c * d->h + ih) * d->w + iw] =
                  col[row * d->oh * d->ow + oh * d->ow + ow];
          }
}
FAKE_CONV(broken_col2im_assign, BROKEN_COL2IM_ASSIGN, double, f64)

/* Fault: bias == NULL is not honoured; the kernel adds a bias that is not
   there (stale values standing in for whatever memory it would read). */
FAKE_IM2COL(broken_conv_nullbias, float, f32)
FAKE_COL2IM(broken_conv_nullbias, float, f32)
int broken_conv_nullbias_conv(const float *x, const float *w,
                              const float *bias, float *y, void *workspace) {
  static const float stale[BROKEN_CONV_NULLBIAS_M] = {0.25f, -0.5f, 0.125f,
                                                      1.0f};
  int rc = fake_conv_args(x, w, y, workspace,
                          BROKEN_CONV_NULLBIAS_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_f32(&broken_conv_nullbias_desc, x, w,
                  bias != NULL ? bias : stale, y);
  return CG_OK;
}

/* Fault: a NULL y is reported as success (nothing is written, but the caller
   believes it has a result). */
FAKE_IM2COL(broken_conv_nully, double, f64)
FAKE_COL2IM(broken_conv_nully, double, f64)
int broken_conv_nully_conv(const double *x, const double *w,
                           const double *bias, double *y, void *workspace) {
  int rc;
  if (y == NULL)
    return CG_OK;
  rc = fake_conv_args(x, w, y, workspace, BROKEN_CONV_NULLY_WORKSPACE_BYTES);
  if (rc == CG_OK) {
    fake_use_workspace(workspace, BROKEN_CONV_NULLY_WORKSPACE_BYTES);
    cg_ref_conv_f64(&broken_conv_nully_desc, x, w, bias, y);
  }
  return rc;
}

BROKEN_DESC(broken_conv_writes_x, BROKEN_CONV_WRITES_X, CG_LAYOUT_NCHW,
            CG_DTYPE_F32, 1, 0)
BROKEN_DESC(broken_conv_ws_align, BROKEN_CONV_WS_ALIGN, CG_LAYOUT_NHWC,
            CG_DTYPE_F64, 1, 1)
BROKEN_DESC(broken_conv_touch_y, BROKEN_CONV_TOUCH_Y, CG_LAYOUT_NHWC,
            CG_DTYPE_F32, 1, 1)
BROKEN_DESC(broken_sizes, BROKEN_SIZES, CG_LAYOUT_NCHW, CG_DTYPE_F64, 1, 1)

/* Fault: the kernel uses its input as scratch (y is still right). */
FAKE_IM2COL(broken_conv_writes_x, float, f32)
FAKE_COL2IM(broken_conv_writes_x, float, f32)
int broken_conv_writes_x_conv(const float *x, const float *w, const float *bias,
                              float *y, void *workspace) {
  int rc = fake_conv_args(x, w, y, workspace,
                          BROKEN_CONV_WRITES_X_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_f32(&broken_conv_writes_x_desc, x, w, bias, y);
  ((float *)x)[BROKEN_CONV_WRITES_X_INPUT_ELEMS - 1] = 0.0f;
  return CG_OK;
}

/* Fault: only NULL is rejected, alignment is not checked at all. */
FAKE_IM2COL(broken_conv_ws_align, double, f64)
FAKE_COL2IM(broken_conv_ws_align, double, f64)
int broken_conv_ws_align_conv(const double *x, const double *w,
                              const double *bias, double *y, void *workspace) {
  if (x == NULL || w == NULL || y == NULL || workspace == NULL)
    return CG_ERR_NULL_POINTER;
  fake_use_workspace(workspace, BROKEN_CONV_WS_ALIGN_WORKSPACE_BYTES);
  cg_ref_conv_f64(&broken_conv_ws_align_desc, x, w, bias, y);
  return CG_OK;
}

/* Fault: y is cleared before the argument checks, so a failing call still
   destroys the caller's output buffer. */
FAKE_IM2COL(broken_conv_touch_y, float, f32)
FAKE_COL2IM(broken_conv_touch_y, float, f32)
int broken_conv_touch_y_conv(const float *x, const float *w, const float *bias,
                             float *y, void *workspace) {
  int rc;
  if (y != NULL)
    y[0] = 0.0f;
  rc = fake_conv_args(x, w, y, workspace, BROKEN_CONV_TOUCH_Y_WORKSPACE_BYTES);
  if (rc == CG_OK)
    cg_ref_conv_f32(&broken_conv_touch_y_desc, x, w, bias, y);
  return rc;
}

/* No fault in the functions: BROKEN_SIZES_COL_COLS is the wrong one. */
FAKE_LAYER(broken_sizes, BROKEN_SIZES, double, f64)

/* ---- gradient faults: correct forward functions, one broken gradient --- */

#define BROKEN_BDESC(sym, SYM, LAYOUT, DTYPE, S, PAD, BIAS, ACT)               \
  const cg_conv_desc sym##_desc = {                                            \
      .layout = LAYOUT, .dtype = DTYPE, .n = SYM##_N, .c = SYM##_C,            \
      .h = SYM##_H, .w = SYM##_W, .m = SYM##_M, .kh = SYM##_KH,                \
      .kw = SYM##_KW, .sh = S, .sw = S, .dh = 1, .dw = 1, .pad_top = PAD,      \
      .pad_bottom = PAD, .pad_left = PAD, .pad_right = PAD,                    \
      .groups = SYM##_GROUPS, .oh = SYM##_OH, .ow = SYM##_OW,                  \
      .has_bias = BIAS, .activation = ACT};

BROKEN_BDESC(broken_bd_flip, BROKEN_BD_FLIP, CG_LAYOUT_NCHW, CG_DTYPE_F32, 2, 1,
             1, CG_ACT_NONE)
BROKEN_BDESC(broken_bd_overrun, BROKEN_BD_OVERRUN, CG_LAYOUT_NHWC, CG_DTYPE_F64,
             1, 1, 1, CG_ACT_RELU)
BROKEN_BDESC(broken_bd_touch_dx, BROKEN_BD_TOUCH_DX, CG_LAYOUT_NHWC,
             CG_DTYPE_F32, 1, 1, 0, CG_ACT_NONE)
BROKEN_BDESC(broken_bd_writes_dy, BROKEN_BD_WRITES_DY, CG_LAYOUT_NCHW,
             CG_DTYPE_F64, 1, 1, 1, CG_ACT_NONE)
BROKEN_BDESC(broken_bw_batch, BROKEN_BW_BATCH, CG_LAYOUT_NHWC, CG_DTYPE_F32, 1,
             1, 1, CG_ACT_NONE)
BROKEN_BDESC(broken_bw_db_required, BROKEN_BW_DB_REQUIRED, CG_LAYOUT_NCHW,
             CG_DTYPE_F64, 1, 1, 1, CG_ACT_NONE)
BROKEN_BDESC(broken_bw_db_accumulate, BROKEN_BW_DB_ACCUMULATE, CG_LAYOUT_NCHW,
             CG_DTYPE_F32, 1, 1, 0, CG_ACT_RELU)
BROKEN_BDESC(broken_bw_ws_align, BROKEN_BW_WS_ALIGN, CG_LAYOUT_NHWC,
             CG_DTYPE_F64, 1, 1, 1, CG_ACT_NONE)
BROKEN_BDESC(broken_bw_rel, BROKEN_BW_REL, CG_LAYOUT_NCHW, CG_DTYPE_F32, 1, 1, 1,
             CG_ACT_NONE)

FAKE_LAYER(broken_bd_flip, BROKEN_BD_FLIP, float, f32)
FAKE_LAYER(broken_bd_overrun, BROKEN_BD_OVERRUN, double, f64)
FAKE_LAYER(broken_bd_touch_dx, BROKEN_BD_TOUCH_DX, float, f32)
FAKE_LAYER(broken_bd_writes_dy, BROKEN_BD_WRITES_DY, double, f64)
FAKE_LAYER(broken_bw_batch, BROKEN_BW_BATCH, float, f32)
FAKE_LAYER(broken_bw_db_required, BROKEN_BW_DB_REQUIRED, double, f64)
FAKE_LAYER(broken_bw_db_accumulate, BROKEN_BW_DB_ACCUMULATE, float, f32)
FAKE_LAYER(broken_bw_ws_align, BROKEN_BW_WS_ALIGN, double, f64)
FAKE_LAYER(broken_bw_rel, BROKEN_BW_REL, float, f32)

/* Fault: the transposed convolution that backward data is, done without
   flipping the kernel (a correlation with w[m][c][kh][kw] read at
   [KH-1-kh][KW-1-kw]). */
int broken_bd_flip_conv_backward_data(const float *dy, const float *w,
                                      float *dx, void *workspace) {
  float flipped[BROKEN_BD_FLIP_WEIGHT_ELEMS];
  int rc = fake_conv_args(dy, w, dx, workspace,
                          BROKEN_BD_FLIP_WORKSPACE_BYTES);
  int taps = BROKEN_BD_FLIP_KH * BROKEN_BD_FLIP_KW, i;
  if (rc != CG_OK)
    return rc;
  for (i = 0; i < BROKEN_BD_FLIP_WEIGHT_ELEMS; ++i)
    flipped[i] = w[i - i % taps + (taps - 1 - i % taps)];
  cg_ref_conv_backward_data_f32(&broken_bd_flip_desc, dy, flipped, dx);
  return CG_OK;
}
FAKE_BACKWARD_WEIGHTS(broken_bd_flip, BROKEN_BD_FLIP, float, f32)

/* Fault: a store one element past the end of dx. */
int broken_bd_overrun_conv_backward_data(const double *dy, const double *w,
                                         double *dx, void *workspace) {
  int rc = fake_conv_args(dy, w, dx, workspace,
                          BROKEN_BD_OVERRUN_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_backward_data_f64(&broken_bd_overrun_desc, dy, w, dx);
  dx[BROKEN_BD_OVERRUN_INPUT_ELEMS] = 0.0;
  return CG_OK;
}
FAKE_BACKWARD_WEIGHTS(broken_bd_overrun, BROKEN_BD_OVERRUN, double, f64)

/* Fault: dx is cleared before the argument checks. */
int broken_bd_touch_dx_conv_backward_data(const float *dy, const float *w,
                                          float *dx, void *workspace) {
  int rc;
  if (dx != NULL)
    dx[0] = 0.0f;
  rc = fake_conv_args(dy, w, dx, workspace,
                      BROKEN_BD_TOUCH_DX_WORKSPACE_BYTES);
  if (rc == CG_OK) {
    fake_use_workspace(workspace, BROKEN_BD_TOUCH_DX_WORKSPACE_BYTES);
    cg_ref_conv_backward_data_f32(&broken_bd_touch_dx_desc, dy, w, dx);
  }
  return rc;
}
FAKE_BACKWARD_WEIGHTS(broken_bd_touch_dx, BROKEN_BD_TOUCH_DX, float, f32)

/* Fault: dy is used as scratch after the result is computed (dx is right). */
int broken_bd_writes_dy_conv_backward_data(const double *dy, const double *w,
                                           double *dx, void *workspace) {
  int rc = fake_conv_args(dy, w, dx, workspace,
                          BROKEN_BD_WRITES_DY_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_backward_data_f64(&broken_bd_writes_dy_desc, dy, w, dx);
  ((double *)dy)[BROKEN_BD_WRITES_DY_OUTPUT_ELEMS - 1] = 0.0;
  return CG_OK;
}
FAKE_BACKWARD_WEIGHTS(broken_bd_writes_dy, BROKEN_BD_WRITES_DY, double, f64)

/* Fault: the batch loop stops after the first image (its x and dy come
   first in both layouts, so the reference on a one-image descriptor is
   exactly that). */
FAKE_BACKWARD_DATA(broken_bw_batch, BROKEN_BW_BATCH, float, f32)
int broken_bw_batch_conv_backward_weights(const float *x, const float *dy,
                                          float *dw, float *db,
                                          void *workspace) {
  cg_conv_desc first = broken_bw_batch_desc;
  int rc = fake_conv_args(x, dy, dw, workspace,
                          BROKEN_BW_BATCH_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  first.n = 1;
  cg_ref_conv_backward_weights_f32(&first, x, dy, dw, db);
  return CG_OK;
}

/* Fault: db is treated as a required argument. */
FAKE_BACKWARD_DATA(broken_bw_db_required, BROKEN_BW_DB_REQUIRED, double, f64)
int broken_bw_db_required_conv_backward_weights(const double *x,
                                                const double *dy, double *dw,
                                                double *db, void *workspace) {
  int rc = fake_conv_args(x, dy, dw, workspace,
                          BROKEN_BW_DB_REQUIRED_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  if (db == NULL)
    return CG_ERR_NULL_POINTER;
  cg_ref_conv_backward_weights_f64(&broken_bw_db_required_desc, x, dy, dw, db);
  return CG_OK;
}

/* Fault: db accumulates onto what the caller had there. */
FAKE_BACKWARD_DATA(broken_bw_db_accumulate, BROKEN_BW_DB_ACCUMULATE, float, f32)
int broken_bw_db_accumulate_conv_backward_weights(const float *x,
                                                  const float *dy, float *dw,
                                                  float *db, void *workspace) {
  float fresh[BROKEN_BW_DB_ACCUMULATE_M];
  int rc = fake_conv_args(x, dy, dw, workspace,
                          BROKEN_BW_DB_ACCUMULATE_WORKSPACE_BYTES);
  int m;
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_backward_weights_f32(&broken_bw_db_accumulate_desc, x, dy, dw,
                                   db != NULL ? fresh : NULL);
  if (db != NULL)
    for (m = 0; m < BROKEN_BW_DB_ACCUMULATE_M; ++m)
      db[m] += fresh[m];
  return CG_OK;
}

/* Fault: only NULL is rejected, alignment is not checked at all. */
FAKE_BACKWARD_DATA(broken_bw_ws_align, BROKEN_BW_WS_ALIGN, double, f64)
int broken_bw_ws_align_conv_backward_weights(const double *x, const double *dy,
                                             double *dw, double *db,
                                             void *workspace) {
  if (x == NULL || dy == NULL || dw == NULL || workspace == NULL)
    return CG_ERR_NULL_POINTER;
  fake_use_workspace(workspace, BROKEN_BW_WS_ALIGN_WORKSPACE_BYTES);
  cg_ref_conv_backward_weights_f64(&broken_bw_ws_align_desc, x, dy, dw, db);
  return CG_OK;
}

/* Fault: the largest dw element is off by a relative 1e-3. */
FAKE_BACKWARD_DATA(broken_bw_rel, BROKEN_BW_REL, float, f32)
int broken_bw_rel_conv_backward_weights(const float *x, const float *dy,
                                        float *dw, float *db,
                                        void *workspace) {
  size_t i, big = 0;
  int rc = fake_conv_args(x, dy, dw, workspace, BROKEN_BW_REL_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_backward_weights_f32(&broken_bw_rel_desc, x, dy, dw, db);
  for (i = 1; i < BROKEN_BW_REL_WEIGHT_ELEMS; ++i)
    if ((dw[i] < 0 ? -dw[i] : dw[i]) > (dw[big] < 0 ? -dw[big] : dw[big]))
      big = i;
  dw[big] = (float)((double)dw[big] * (1.0 + 1e-3));
  return CG_OK;
}

/* ---- conv_transpose2d faults --------------------------------------------- */

#define BROKEN_TDESC(sym, SYM, LAYOUT, DTYPE, S, PAD, OUTPAD, GROUPS, BIAS, ACT) \
  const cg_conv_desc sym##_desc = {                                            \
      .op = CG_OP_CONV_TRANSPOSE2D, .layout = LAYOUT, .dtype = DTYPE,          \
      .n = SYM##_N, .c = SYM##_C, .h = SYM##_H, .w = SYM##_W, .m = SYM##_M,    \
      .kh = SYM##_KH, .kw = SYM##_KW, .sh = S, .sw = S, .dh = 1, .dw = 1,      \
      .pad_top = PAD, .pad_bottom = PAD, .pad_left = PAD, .pad_right = PAD,    \
      .out_pad_h = OUTPAD, .out_pad_w = OUTPAD, .groups = GROUPS,              \
      .oh = SYM##_OH, .ow = SYM##_OW, .has_bias = BIAS, .activation = ACT};

BROKEN_TDESC(broken_tr_outpad, BROKEN_TR_OUTPAD, CG_LAYOUT_NCHW, CG_DTYPE_F32,
             2, 1, 1, 1, 1, CG_ACT_NONE)
BROKEN_TDESC(broken_tr_layout, BROKEN_TR_LAYOUT, CG_LAYOUT_NHWC, CG_DTYPE_F64,
             1, 0, 0, 2, 1, CG_ACT_NONE)
BROKEN_TDESC(broken_tr_nullbias, BROKEN_TR_NULLBIAS, CG_LAYOUT_NHWC,
             CG_DTYPE_F32, 1, 0, 0, 1, 1, CG_ACT_NONE)
BROKEN_TDESC(broken_tr_nullx, BROKEN_TR_NULLX, CG_LAYOUT_NCHW, CG_DTYPE_F64, 1,
             0, 0, 1, 1, CG_ACT_RELU)
BROKEN_TDESC(broken_tr_sizes, BROKEN_TR_SIZES, CG_LAYOUT_NCHW, CG_DTYPE_F32, 1,
             0, 0, 1, 1, CG_ACT_NONE)
BROKEN_TDESC(broken_tr_rel, BROKEN_TR_REL, CG_LAYOUT_NCHW, CG_DTYPE_F32, 1, 0,
             0, 1, 1, CG_ACT_NONE)
BROKEN_TDESC(broken_tr_underrun, BROKEN_TR_UNDERRUN, CG_LAYOUT_NHWC,
             CG_DTYPE_F64, 1, 0, 0, 1, 0, CG_ACT_NONE)

/* Fault: the row and column that the output padding adds are left as the
   caller had them (putting the old values back is the same as never
   storing there). */
int broken_tr_outpad_conv_transpose(const float *x, const float *w,
                                    const float *bias, float *y,
                                    void *workspace) {
  enum { OH = BROKEN_TR_OUTPAD_OH, OW = BROKEN_TR_OUTPAD_OW };
  float keep[BROKEN_TR_OUTPAD_OUTPUT_ELEMS];
  int rc = fake_conv_args(x, w, y, workspace,
                          BROKEN_TR_OUTPAD_WORKSPACE_BYTES);
  int i;
  if (rc != CG_OK)
    return rc;
  memcpy(keep, y, sizeof keep);
  cg_ref_conv_transpose_f32(&broken_tr_outpad_desc, x, w, bias, y);
  for (i = 0; i < BROKEN_TR_OUTPAD_OUTPUT_ELEMS; ++i)
    if (i / OW % OH == OH - 1 || i % OW == OW - 1)
      y[i] = keep[i];
  return CG_OK;
}

/* Fault: NHWC weights read as [KH][KW][C][M/groups], the layout of a conv2d
   filter, instead of [KH][KW][M/groups][C]. */
int broken_tr_layout_conv_transpose(const double *x, const double *w,
                                    const double *bias, double *y,
                                    void *workspace) {
  enum {
    C = BROKEN_TR_LAYOUT_C,
    MG = BROKEN_TR_LAYOUT_M / 2,
    TAPS = BROKEN_TR_LAYOUT_KH * BROKEN_TR_LAYOUT_KW
  };
  double misread[BROKEN_TR_LAYOUT_WEIGHT_ELEMS];
  int rc = fake_conv_args(x, w, y, workspace,
                          BROKEN_TR_LAYOUT_WORKSPACE_BYTES);
  int tap, c, ml;
  if (rc != CG_OK)
    return rc;
  for (tap = 0; tap < TAPS; ++tap)
    for (ml = 0; ml < MG; ++ml)
      for (c = 0; c < C; ++c)
        misread[(tap * MG + ml) * C + c] = w[(tap * C + c) * MG + ml];
  cg_ref_conv_transpose_f64(&broken_tr_layout_desc, x, misread, bias, y);
  return CG_OK;
}

/* Fault: bias == NULL is not honoured (stale values are added). */
int broken_tr_nullbias_conv_transpose(const float *x, const float *w,
                                      const float *bias, float *y,
                                      void *workspace) {
  static const float stale[BROKEN_TR_NULLBIAS_M] = {0.25f, -0.5f};
  int rc = fake_conv_args(x, w, y, workspace,
                          BROKEN_TR_NULLBIAS_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_transpose_f32(&broken_tr_nullbias_desc, x, w,
                            bias != NULL ? bias : stale, y);
  return CG_OK;
}

/* Fault: a NULL x is reported as success. */
int broken_tr_nullx_conv_transpose(const double *x, const double *w,
                                   const double *bias, double *y,
                                   void *workspace) {
  int rc;
  if (x == NULL)
    return CG_OK;
  rc = fake_conv_args(x, w, y, workspace, BROKEN_TR_NULLX_WORKSPACE_BYTES);
  if (rc == CG_OK) {
    fake_use_workspace(workspace, BROKEN_TR_NULLX_WORKSPACE_BYTES);
    cg_ref_conv_transpose_f64(&broken_tr_nullx_desc, x, w, bias, y);
  }
  return rc;
}

/* No fault in the function: BROKEN_TR_SIZES_OUTPUT_ELEMS is the wrong one. */
FAKE_TRANSPOSE(broken_tr_sizes, BROKEN_TR_SIZES, float, f32)

/* Fault: the largest output is off by a relative 1e-3. */
int broken_tr_rel_conv_transpose(const float *x, const float *w,
                                 const float *bias, float *y,
                                 void *workspace) {
  size_t i, big = 0;
  int rc = fake_conv_args(x, w, y, workspace, BROKEN_TR_REL_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_transpose_f32(&broken_tr_rel_desc, x, w, bias, y);
  for (i = 1; i < BROKEN_TR_REL_OUTPUT_ELEMS; ++i)
    if ((y[i] < 0 ? -y[i] : y[i]) > (y[big] < 0 ? -y[big] : y[big]))
      big = i;
  y[big] = (float)((double)y[big] * (1.0 + 1e-3));
  return CG_OK;
}

/* Fault: a store one element before the start of y, as a loop that starts
   at -1 would make. */
int broken_tr_underrun_conv_transpose(const double *x, const double *w,
                                      const double *bias, double *y,
                                      void *workspace) {
  int rc = fake_conv_args(x, w, y, workspace,
                          BROKEN_TR_UNDERRUN_WORKSPACE_BYTES);
  if (rc != CG_OK)
    return rc;
  cg_ref_conv_transpose_f64(&broken_tr_underrun_desc, x, w, bias, y);
  *(y - 1) = 0.0;
  return CG_OK;
}

/* Layer functions and descriptors of the broken fake model: each layer is correct except for one planted fault. */
#include <stddef.h>

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

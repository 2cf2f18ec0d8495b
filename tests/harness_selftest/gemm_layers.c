/* Layer functions and descriptors of the GEMM fake model: reference im2col/col2im; conv, gradients and conv_transpose2d through cg_gemm_f32/f64. */
#include "gemm_model.h"

#define GEMM_T float
#define GEMM_SFX f32
#include "gemm_conv_impl.h"
#undef GEMM_T
#undef GEMM_SFX

#define GEMM_T double
#define GEMM_SFX f64
#include "gemm_conv_impl.h"
#undef GEMM_T
#undef GEMM_SFX

#define GEMM_LAYER(sym, SYM, T, SFX)                                           \
  FAKE_IM2COL(sym, T, SFX)                                                     \
  FAKE_COL2IM(sym, T, SFX)                                                     \
  int sym##_conv(const T *x, const T *w, const T *bias, T *y,                  \
                 void *workspace) {                                            \
    return gemm_conv_##SFX(&sym##_desc, SYM##_WORKSPACE_BYTES, x, w, bias, y,  \
                           workspace);                                         \
  }                                                                            \
  int sym##_conv_backward_data(const T *dy, const T *w, T *dx,                 \
                               void *workspace) {                              \
    return gemm_backward_data_##SFX(&sym##_desc, SYM##_WORKSPACE_BYTES, dy, w, \
                                    dx, workspace);                            \
  }                                                                            \
  int sym##_conv_backward_weights(const T *x, const T *dy, T *dw, T *db,       \
                                  void *workspace) {                           \
    return gemm_backward_weights_##SFX(&sym##_desc, SYM##_WORKSPACE_BYTES, x,  \
                                       dy, dw, db, workspace);                 \
  }

#define GEMM_TLAYER(sym, SYM, T, SFX)                                          \
  int sym##_conv_transpose(const T *x, const T *w, const T *bias, T *y,        \
                           void *workspace) {                                  \
    return gemm_transpose_##SFX(&sym##_desc, SYM##_WORKSPACE_BYTES, x, w,      \
                                bias, y, workspace);                           \
  }

#define GEMM_DESC(sym, SYM, LAYOUT, DTYPE, SH, SW, DH, DW, PT, PB, PL, PR,     \
                  BIAS, ACT, LO, HI)                                           \
  const cg_conv_desc sym##_desc = {                                            \
      .layout = LAYOUT, .dtype = DTYPE, .n = SYM##_N, .c = SYM##_C,            \
      .h = SYM##_H, .w = SYM##_W, .m = SYM##_M, .kh = SYM##_KH,                \
      .kw = SYM##_KW, .sh = SH, .sw = SW, .dh = DH, .dw = DW, .pad_top = PT,   \
      .pad_bottom = PB, .pad_left = PL, .pad_right = PR,                       \
      .groups = SYM##_GROUPS, .oh = SYM##_OH, .ow = SYM##_OW,                  \
      .has_bias = BIAS, .activation = ACT, .act_lo = LO, .act_hi = HI};

GEMM_DESC(gemm_wide, GEMM_WIDE, CG_LAYOUT_NCHW, CG_DTYPE_F32, 1, 1, 1, 1, 1, 1,
          1, 1, 1, CG_ACT_NONE, 0.0, 0.0)
GEMM_DESC(gemm_grouped, GEMM_GROUPED, CG_LAYOUT_NCHW, CG_DTYPE_F32, 1, 2, 2, 1,
          3, 4, 2, 2, 1, CG_ACT_RELU, 0.0, 0.0)
GEMM_DESC(gemm_nhwc, GEMM_NHWC, CG_LAYOUT_NHWC, CG_DTYPE_F32, 2, 2, 1, 1, 1, 1,
          1, 1, 1, CG_ACT_RELU6, 0.0, 6.0)
GEMM_DESC(gemm_pointwise, GEMM_POINTWISE, CG_LAYOUT_NHWC, CG_DTYPE_F32, 1, 1, 1,
          1, 0, 0, 0, 0, 0, CG_ACT_CLAMP, -1.0, 2.5)
GEMM_DESC(gemm_wide64, GEMM_WIDE64, CG_LAYOUT_NCHW, CG_DTYPE_F64, 1, 1, 1, 1, 1,
          1, 1, 1, 1, CG_ACT_NONE, 0.0, 0.0)
GEMM_DESC(gemm_nhwc64, GEMM_NHWC64, CG_LAYOUT_NHWC, CG_DTYPE_F64, 1, 1, 2, 1, 2,
          2, 0, 1, 1, CG_ACT_CLAMP, -0.75, 0.75)

GEMM_DESC(gemm_batch, GEMM_BATCH, CG_LAYOUT_NCHW, CG_DTYPE_F32, 1, 1, 1, 1, 1,
          1, 1, 1, 1, CG_ACT_RELU, 0.0, 0.0)

#define GEMM_TDESC(sym, SYM, LAYOUT, DTYPE, SH, SW, PT, PB, PL, PR, OPH, OPW,  \
                   BIAS, ACT, LO, HI)                                          \
  const cg_conv_desc sym##_desc = {                                            \
      .op = CG_OP_CONV_TRANSPOSE2D, .layout = LAYOUT, .dtype = DTYPE,          \
      .n = SYM##_N, .c = SYM##_C, .h = SYM##_H, .w = SYM##_W, .m = SYM##_M,    \
      .kh = SYM##_KH, .kw = SYM##_KW, .sh = SH, .sw = SW, .dh = 1, .dw = 1,    \
      .pad_top = PT, .pad_bottom = PB, .pad_left = PL, .pad_right = PR,        \
      .out_pad_h = OPH, .out_pad_w = OPW, .groups = SYM##_GROUPS,              \
      .oh = SYM##_OH, .ow = SYM##_OW, .has_bias = BIAS, .activation = ACT,     \
      .act_lo = LO, .act_hi = HI};

GEMM_TDESC(gemm_twide, GEMM_TWIDE, CG_LAYOUT_NCHW, CG_DTYPE_F32, 2, 2, 1, 1, 1,
           1, 1, 1, 1, CG_ACT_RELU, 0.0, 0.0)
GEMM_TDESC(gemm_tgroup, GEMM_TGROUP, CG_LAYOUT_NCHW, CG_DTYPE_F32, 2, 2, 1, 1,
           1, 1, 0, 0, 1, CG_ACT_NONE, 0.0, 0.0)
GEMM_TDESC(gemm_tnhwc, GEMM_TNHWC, CG_LAYOUT_NHWC, CG_DTYPE_F32, 1, 1, 0, 0, 0,
           0, 0, 0, 1, CG_ACT_CLAMP, -2.0, 2.0)
GEMM_TDESC(gemm_tnhwc64, GEMM_TNHWC64, CG_LAYOUT_NHWC, CG_DTYPE_F64, 2, 2, 1,
           1, 0, 1, 1, 0, 0, CG_ACT_NONE, 0.0, 0.0)

GEMM_LAYER(gemm_wide, GEMM_WIDE, float, f32)
GEMM_LAYER(gemm_grouped, GEMM_GROUPED, float, f32)
GEMM_LAYER(gemm_nhwc, GEMM_NHWC, float, f32)
GEMM_LAYER(gemm_pointwise, GEMM_POINTWISE, float, f32)
GEMM_LAYER(gemm_wide64, GEMM_WIDE64, double, f64)
GEMM_LAYER(gemm_nhwc64, GEMM_NHWC64, double, f64)
GEMM_LAYER(gemm_batch, GEMM_BATCH, float, f32)
GEMM_TLAYER(gemm_twide, GEMM_TWIDE, float, f32)
GEMM_TLAYER(gemm_tgroup, GEMM_TGROUP, float, f32)
GEMM_TLAYER(gemm_tnhwc, GEMM_TNHWC, float, f32)
GEMM_TLAYER(gemm_tnhwc64, GEMM_TNHWC64, double, f64)

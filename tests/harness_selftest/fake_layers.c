/* Layer functions and descriptors of the fake model: correct layers (conv2d, gradients, conv_transpose2d) that defer to the reference. */
#include "fake_model.h"

const cg_conv_desc fake_a_desc = {
    .layout = CG_LAYOUT_NCHW, .dtype = CG_DTYPE_F32,
    .n = FAKE_A_N, .c = FAKE_A_C, .h = FAKE_A_H, .w = FAKE_A_W, .m = FAKE_A_M,
    .kh = FAKE_A_KH, .kw = FAKE_A_KW, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
    .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
    .groups = FAKE_A_GROUPS, .oh = FAKE_A_OH, .ow = FAKE_A_OW,
    .has_bias = 1, .activation = CG_ACT_NONE};

const cg_conv_desc fake_b_desc = {
    .layout = CG_LAYOUT_NHWC, .dtype = CG_DTYPE_F32,
    .n = FAKE_B_N, .c = FAKE_B_C, .h = FAKE_B_H, .w = FAKE_B_W, .m = FAKE_B_M,
    .kh = FAKE_B_KH, .kw = FAKE_B_KW, .sh = 2, .sw = 1, .dh = 1, .dw = 2,
    .pad_top = 0, .pad_bottom = 1, .pad_left = 2, .pad_right = 0,
    .groups = FAKE_B_GROUPS, .oh = FAKE_B_OH, .ow = FAKE_B_OW,
    .has_bias = 0, .activation = CG_ACT_RELU6, .act_lo = 0.0, .act_hi = 6.0};

const cg_conv_desc fake_c_desc = {
    .layout = CG_LAYOUT_NCHW, .dtype = CG_DTYPE_F64,
    .n = FAKE_C_N, .c = FAKE_C_C, .h = FAKE_C_H, .w = FAKE_C_W, .m = FAKE_C_M,
    .kh = FAKE_C_KH, .kw = FAKE_C_KW, .sh = 2, .sw = 2, .dh = 2, .dw = 1,
    .pad_top = 2, .pad_bottom = 1, .pad_left = 0, .pad_right = 1,
    .groups = FAKE_C_GROUPS, .oh = FAKE_C_OH, .ow = FAKE_C_OW,
    .has_bias = 1, .activation = CG_ACT_CLAMP, .act_lo = -0.25, .act_hi = 0.5};

const cg_conv_desc fake_d_desc = {
    .layout = CG_LAYOUT_NHWC, .dtype = CG_DTYPE_F64,
    .n = FAKE_D_N, .c = FAKE_D_C, .h = FAKE_D_H, .w = FAKE_D_W, .m = FAKE_D_M,
    .kh = FAKE_D_KH, .kw = FAKE_D_KW, .sh = 3, .sw = 3, .dh = 1, .dw = 1,
    .pad_top = 0, .pad_bottom = 0, .pad_left = 0, .pad_right = 0,
    .groups = FAKE_D_GROUPS, .oh = FAKE_D_OH, .ow = FAKE_D_OW,
    .has_bias = 1, .activation = CG_ACT_RELU};

const cg_conv_desc fake_e_desc = {
    .layout = CG_LAYOUT_NHWC, .dtype = CG_DTYPE_F32,
    .n = FAKE_E_N, .c = FAKE_E_C, .h = FAKE_E_H, .w = FAKE_E_W, .m = FAKE_E_M,
    .kh = FAKE_E_KH, .kw = FAKE_E_KW, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
    .pad_top = 3, .pad_bottom = 2, .pad_left = 3, .pad_right = 2,
    .groups = FAKE_E_GROUPS, .oh = FAKE_E_OH, .ow = FAKE_E_OW,
    .has_bias = 1, .activation = CG_ACT_CLAMP, .act_lo = -0.5, .act_hi = 0.75};

FAKE_LAYER(fake_a, FAKE_A, float, f32)
FAKE_LAYER(fake_b, FAKE_B, float, f32)
FAKE_LAYER(fake_c, FAKE_C, double, f64)
FAKE_LAYER(fake_d, FAKE_D, double, f64)
FAKE_LAYER(fake_e, FAKE_E, float, f32)
FAKE_BACKWARD(fake_a, FAKE_A, float, f32)
FAKE_BACKWARD(fake_b, FAKE_B, float, f32)
FAKE_BACKWARD(fake_c, FAKE_C, double, f64)
FAKE_BACKWARD(fake_d, FAKE_D, double, f64)

const cg_conv_desc fake_ta_desc = {
    .op = CG_OP_CONV_TRANSPOSE2D, .layout = CG_LAYOUT_NCHW,
    .dtype = CG_DTYPE_F32, .n = FAKE_TA_N, .c = FAKE_TA_C, .h = FAKE_TA_H,
    .w = FAKE_TA_W, .m = FAKE_TA_M, .kh = FAKE_TA_KH, .kw = FAKE_TA_KW,
    .sh = 2, .sw = 2, .dh = 1, .dw = 1, .pad_top = 1, .pad_bottom = 1,
    .pad_left = 1, .pad_right = 1, .out_pad_h = 1, .out_pad_w = 1,
    .groups = FAKE_TA_GROUPS, .oh = FAKE_TA_OH, .ow = FAKE_TA_OW,
    .has_bias = 1, .activation = CG_ACT_RELU};

const cg_conv_desc fake_tb_desc = {
    .op = CG_OP_CONV_TRANSPOSE2D, .layout = CG_LAYOUT_NHWC,
    .dtype = CG_DTYPE_F64, .n = FAKE_TB_N, .c = FAKE_TB_C, .h = FAKE_TB_H,
    .w = FAKE_TB_W, .m = FAKE_TB_M, .kh = FAKE_TB_KH, .kw = FAKE_TB_KW,
    .sh = 1, .sw = 2, .dh = 2, .dw = 1, .pad_top = 1, .pad_bottom = 0,
    .pad_left = 0, .pad_right = 2, .out_pad_h = 1, .out_pad_w = 1,
    .groups = FAKE_TB_GROUPS, .oh = FAKE_TB_OH, .ow = FAKE_TB_OW,
    .has_bias = 0, .activation = CG_ACT_CLAMP, .act_lo = -0.5, .act_hi = 0.5};

const cg_conv_desc fake_tc_desc = {
    .op = CG_OP_CONV_TRANSPOSE2D, .layout = CG_LAYOUT_NHWC,
    .dtype = CG_DTYPE_F32, .n = FAKE_TC_N, .c = FAKE_TC_C, .h = FAKE_TC_H,
    .w = FAKE_TC_W, .m = FAKE_TC_M, .kh = FAKE_TC_KH, .kw = FAKE_TC_KW,
    .sh = 3, .sw = 3, .dh = 1, .dw = 1, .out_pad_h = 2, .out_pad_w = 2,
    .groups = FAKE_TC_GROUPS, .oh = FAKE_TC_OH, .ow = FAKE_TC_OW,
    .has_bias = 1, .activation = CG_ACT_NONE};

const cg_conv_desc fake_td_desc = {
    .op = CG_OP_CONV_TRANSPOSE2D, .layout = CG_LAYOUT_NCHW,
    .dtype = CG_DTYPE_F64, .n = FAKE_TD_N, .c = FAKE_TD_C, .h = FAKE_TD_H,
    .w = FAKE_TD_W, .m = FAKE_TD_M, .kh = FAKE_TD_KH, .kw = FAKE_TD_KW,
    .sh = 1, .sw = 1, .dh = 1, .dw = 1, .pad_top = 2, .pad_bottom = 2,
    .pad_left = 2, .pad_right = 2, .groups = FAKE_TD_GROUPS,
    .oh = FAKE_TD_OH, .ow = FAKE_TD_OW, .has_bias = 1,
    .activation = CG_ACT_RELU};

FAKE_TRANSPOSE(fake_ta, FAKE_TA, float, f32)
FAKE_TRANSPOSE(fake_tb, FAKE_TB, double, f64)
FAKE_TRANSPOSE(fake_tc, FAKE_TC, float, f32)
FAKE_TRANSPOSE(fake_td, FAKE_TD, double, f64)

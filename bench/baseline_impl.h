/* bench/baseline_impl.h: the textbook baseline (reference im2col/col2im per image, one GEMM per group; forward, backward data and backward weights), instantiated per element type. */
/* Include with BASELINE_T (float or double) and BASELINE_SFX (f32 or f64) defined. */

#define BASELINE_CAT2(a, b) a##b
#define BASELINE_CAT(a, b) BASELINE_CAT2(a, b)
#define BASELINE_FN(name) BASELINE_CAT(name, BASELINE_SFX)

/* y = act(conv(x, w) + bias) for the whole batch, written the way a user writes
   it from a textbook: the generic im2col of one image, the GEMM over each
   group's rows of it, then a separate pass for bias and activation. */
static void BASELINE_FN(baseline_conv_)(const cg_conv_desc *d, const BASELINE_T *x, const BASELINE_T *w,
                                        const BASELINE_T *bias, BASELINE_T *y, BASELINE_T *col,
                                        BASELINE_T *group_col)
{
  const int groups = d->groups, cg = d->c / groups, mg = d->m / groups;
  const int taps = d->kh * d->kw, kg = cg * taps, pixels = d->oh * d->ow;
  const size_t in_image = (size_t)d->c * (size_t)d->h * (size_t)d->w;
  const size_t out_image = (size_t)d->m * (size_t)pixels;

  for (int i = 0; i < d->n; ++i) {
    const BASELINE_T *xi = x + (size_t)i * in_image;
    BASELINE_T *yi = y + (size_t)i * out_image;
    BASELINE_FN(cg_ref_im2col_)(d, xi, col);
    if (d->layout == CG_LAYOUT_NCHW) {
      /* col is [C*KH*KW][OH*OW]; group g owns rows g*kg.., weights [M][kg] rows g*mg.. */
      for (int g = 0; g < groups; ++g) {
        BASELINE_FN(cg_gemm_)(CG_NO_TRANS, CG_NO_TRANS, mg, pixels, kg,
                              (BASELINE_T)1, w + (size_t)g * (size_t)mg * (size_t)kg, kg,
                              col + (size_t)g * (size_t)kg * (size_t)pixels, pixels,
                              (BASELINE_T)0, yi + (size_t)g * (size_t)mg * (size_t)pixels, pixels);
      }
    } else if (groups == 1) {
      /* col is [OH*OW][KH*KW*C], weights HWIO [KH*KW*C][M] */
      BASELINE_FN(cg_gemm_)(CG_NO_TRANS, CG_NO_TRANS, pixels, d->m, kg, (BASELINE_T)1, col, kg, w, d->m,
                            (BASELINE_T)0, yi, d->m);
    } else {
      /* A group's columns are interleaved with the others' in every tap, so
         gather them into a [OH*OW][KH*KW*cg] matrix first; its weights are
         HWIO columns g*mg.. with row stride M. */
      for (int g = 0; g < groups; ++g) {
        for (size_t r = 0; r < (size_t)pixels * (size_t)taps; ++r) {
          memcpy(group_col + r * (size_t)cg, col + r * (size_t)d->c + (size_t)g * (size_t)cg,
                 (size_t)cg * sizeof *col);
        }
        BASELINE_FN(cg_gemm_)(CG_NO_TRANS, CG_NO_TRANS, pixels, mg, kg, (BASELINE_T)1, group_col, kg,
                              w + (size_t)g * (size_t)mg, d->m, (BASELINE_T)0, yi + (size_t)g * (size_t)mg, d->m);
      }
    }
  }

  BASELINE_T lo = -(BASELINE_T)INFINITY, hi = (BASELINE_T)INFINITY;
  if (d->activation == CG_ACT_RELU) {
    lo = 0;
  } else if (d->activation == CG_ACT_RELU6) {
    lo = 0;
    hi = 6;
  } else if (d->activation == CG_ACT_CLAMP) {
    lo = (BASELINE_T)d->act_lo;
    hi = (BASELINE_T)d->act_hi;
  }
  if (bias == NULL && d->activation == CG_ACT_NONE) return;
  if (d->layout == CG_LAYOUT_NCHW) {
    for (int i = 0; i < d->n; ++i) {
      for (int m = 0; m < d->m; ++m) {
        BASELINE_T b = bias != NULL ? bias[m] : (BASELINE_T)0;
        BASELINE_T *row = y + ((size_t)i * (size_t)d->m + (size_t)m) * (size_t)pixels;
        for (int j = 0; j < pixels; ++j) {
          BASELINE_T v = row[j] + b;
          row[j] = v < lo ? lo : v > hi ? hi : v;
        }
      }
    }
  } else {
    for (size_t p = 0; p < (size_t)d->n * (size_t)pixels; ++p) {
      BASELINE_T *row = y + p * (size_t)d->m;
      for (int m = 0; m < d->m; ++m) {
        BASELINE_T v = row[m] + (bias != NULL ? bias[m] : (BASELINE_T)0);
        row[m] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  }
}

/* dx = dL/dx for the whole batch from dy = dL/dy, the textbook way: per image,
   col = W^T * dy through the BLAS (one GEMM per group, each filling its group's
   part of the col matrix), then the generic col2im of the image. */
static void BASELINE_FN(baseline_backward_data_)(const cg_conv_desc *d, const BASELINE_T *dy, const BASELINE_T *w,
                                                 BASELINE_T *dx, BASELINE_T *col, BASELINE_T *group_col)
{
  const int groups = d->groups, cg = d->c / groups, mg = d->m / groups;
  const int taps = d->kh * d->kw, kg = cg * taps, pixels = d->oh * d->ow;
  const size_t in_image = (size_t)d->c * (size_t)d->h * (size_t)d->w;
  const size_t out_image = (size_t)d->m * (size_t)pixels;

  for (int i = 0; i < d->n; ++i) {
    const BASELINE_T *dyi = dy + (size_t)i * out_image;
    if (d->layout == CG_LAYOUT_NCHW) {
      /* group g: col rows g*kg.. [kg x OH*OW] = W_g^T [kg x mg] * dy_g [mg x OH*OW] */
      for (int g = 0; g < groups; ++g) {
        BASELINE_FN(cg_gemm_)(CG_TRANS, CG_NO_TRANS, kg, pixels, mg,
                              (BASELINE_T)1, w + (size_t)g * (size_t)mg * (size_t)kg, kg,
                              dyi + (size_t)g * (size_t)mg * (size_t)pixels, pixels,
                              (BASELINE_T)0, col + (size_t)g * (size_t)kg * (size_t)pixels, pixels);
      }
    } else if (groups == 1) {
      /* col [OH*OW x KH*KW*C] = dy [OH*OW x M] * W^T, W HWIO [KH*KW*C x M] */
      BASELINE_FN(cg_gemm_)(CG_NO_TRANS, CG_TRANS, pixels, kg, d->m, (BASELINE_T)1, dyi, d->m, w, d->m,
                            (BASELINE_T)0, col, kg);
    } else {
      /* A group's columns interleave with the others' in every tap: compute them
         as a [OH*OW x KH*KW*cg] matrix, then scatter them into col. */
      for (int g = 0; g < groups; ++g) {
        BASELINE_FN(cg_gemm_)(CG_NO_TRANS, CG_TRANS, pixels, kg, mg, (BASELINE_T)1, dyi + (size_t)g * (size_t)mg,
                              d->m, w + (size_t)g * (size_t)mg, d->m, (BASELINE_T)0, group_col, kg);
        for (size_t r = 0; r < (size_t)pixels * (size_t)taps; ++r) {
          memcpy(col + r * (size_t)d->c + (size_t)g * (size_t)cg, group_col + r * (size_t)cg,
                 (size_t)cg * sizeof *col);
        }
      }
    }
    BASELINE_FN(cg_ref_col2im_)(d, col, dx + (size_t)i * in_image);
  }
}

/* dw = dL/dw summed over the batch and, when db is not NULL, db = dL/dbias: per
   image the generic im2col, then per group one GEMM dW += dy * col^T (the first
   image overwrites); then a pass summing dy per output channel. */
static void BASELINE_FN(baseline_backward_weights_)(const cg_conv_desc *d, const BASELINE_T *x,
                                                    const BASELINE_T *dy, BASELINE_T *dw, BASELINE_T *db,
                                                    BASELINE_T *col, BASELINE_T *group_col)
{
  const int groups = d->groups, cg = d->c / groups, mg = d->m / groups;
  const int taps = d->kh * d->kw, kg = cg * taps, pixels = d->oh * d->ow;
  const size_t in_image = (size_t)d->c * (size_t)d->h * (size_t)d->w;
  const size_t out_image = (size_t)d->m * (size_t)pixels;

  for (int i = 0; i < d->n; ++i) {
    const BASELINE_T *dyi = dy + (size_t)i * out_image;
    const BASELINE_T beta = i == 0 ? (BASELINE_T)0 : (BASELINE_T)1;
    BASELINE_FN(cg_ref_im2col_)(d, x + (size_t)i * in_image, col);
    if (d->layout == CG_LAYOUT_NCHW) {
      /* dW_g [mg x kg] (+)= dy_g [mg x OH*OW] * (col rows g*kg..)^T */
      for (int g = 0; g < groups; ++g) {
        BASELINE_FN(cg_gemm_)(CG_NO_TRANS, CG_TRANS, mg, kg, pixels,
                              (BASELINE_T)1, dyi + (size_t)g * (size_t)mg * (size_t)pixels, pixels,
                              col + (size_t)g * (size_t)kg * (size_t)pixels, pixels,
                              beta, dw + (size_t)g * (size_t)mg * (size_t)kg, kg);
      }
    } else if (groups == 1) {
      /* dW HWIO [KH*KW*C x M] (+)= col^T [KH*KW*C x OH*OW] * dy [OH*OW x M] */
      BASELINE_FN(cg_gemm_)(CG_TRANS, CG_NO_TRANS, kg, d->m, pixels, (BASELINE_T)1, col, kg, dyi, d->m, beta, dw,
                            d->m);
    } else {
      /* gather each group's interleaved columns, as the forward baseline does;
         its gradient is HWIO columns g*mg.. with row stride M */
      for (int g = 0; g < groups; ++g) {
        for (size_t r = 0; r < (size_t)pixels * (size_t)taps; ++r) {
          memcpy(group_col + r * (size_t)cg, col + r * (size_t)d->c + (size_t)g * (size_t)cg,
                 (size_t)cg * sizeof *col);
        }
        BASELINE_FN(cg_gemm_)(CG_TRANS, CG_NO_TRANS, kg, mg, pixels, (BASELINE_T)1, group_col, kg,
                              dyi + (size_t)g * (size_t)mg, d->m, beta, dw + (size_t)g * (size_t)mg, d->m);
      }
    }
  }

  if (db == NULL) return;
  if (d->layout == CG_LAYOUT_NCHW) {
    for (int m = 0; m < d->m; ++m) {
      BASELINE_T sum = 0;
      for (int i = 0; i < d->n; ++i) {
        const BASELINE_T *row = dy + ((size_t)i * (size_t)d->m + (size_t)m) * (size_t)pixels;
        for (int j = 0; j < pixels; ++j) sum += row[j];
      }
      db[m] = sum;
    }
  } else {
    for (int m = 0; m < d->m; ++m) db[m] = 0;
    for (size_t p = 0; p < (size_t)d->n * (size_t)pixels; ++p) {
      const BASELINE_T *row = dy + p * (size_t)d->m;
      for (int m = 0; m < d->m; ++m) db[m] += row[m];
    }
  }
}

#undef BASELINE_FN
#undef BASELINE_CAT
#undef BASELINE_CAT2

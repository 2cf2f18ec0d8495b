/* im2col + GEMM conv, its gradients and conv_transpose2d (GEMM + col2im) for one element type, stand-ins for generated code that round in T; gemm_layers.c includes it with GEMM_T and GEMM_SFX set. */
/* No include guard: expanded once per element type. */
#define GEMM_PASTE2(a, b) a##_##b
#define GEMM_PASTE(a, b) GEMM_PASTE2(a, b)
#define GEMM_NAME(base) GEMM_PASTE(base, GEMM_SFX)

/* Rounds like a generated kernel would: the GEMM result is already T, the
   bias is added in T, then the clamp; so its error is that of a T dot
   product, which is what the harness tolerance is meant to accept. */
static GEMM_T GEMM_NAME(gemm_epilogue)(const cg_conv_desc *d, GEMM_T v) {
  GEMM_T lo = (GEMM_T)d->act_lo, hi = (GEMM_T)d->act_hi;
  switch (d->activation) {
  case CG_ACT_RELU:
    return v < 0 ? 0 : v;
  case CG_ACT_RELU6:
    lo = 0;
    hi = 6;
    break;
  case CG_ACT_CLAMP:
    break;
  case CG_ACT_NONE:
  default:
    return v;
  }
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Per image: im2col into the workspace, then one GEMM per group (NCHW:
   y[m][pix] = W[m][k] col[k][pix]; NHWC, groups = 1 only: y[pix][m] =
   col[pix][k] W[k][m]), then bias and activation. */
static int GEMM_NAME(gemm_conv)(const cg_conv_desc *d, size_t ws_bytes,
                                const GEMM_T *x, const GEMM_T *w,
                                const GEMM_T *bias, GEMM_T *y, void *workspace) {
  int rc = fake_conv_args(x, w, y, workspace, ws_bytes);
  int pix = d->oh * d->ow, kg = d->c / d->groups * d->kh * d->kw;
  int mg = d->m / d->groups, n, g, i;
  GEMM_T *col = workspace;
  if (rc != CG_OK)
    return rc;
  for (n = 0; n < d->n; ++n) {
    const GEMM_T *xn = x + (size_t)n * (size_t)(d->c * d->h * d->w);
    GEMM_T *yn = y + (size_t)n * (size_t)(d->m * pix);
    GEMM_NAME(cg_ref_im2col)(d, xn, col);
    if (d->layout == CG_LAYOUT_NCHW)
      for (g = 0; g < d->groups; ++g)
        GEMM_NAME(cg_gemm)(CG_NO_TRANS, CG_NO_TRANS, mg, pix, kg, 1, w + g * mg * kg,
                           kg, col + g * kg * pix, pix, 0, yn + g * mg * pix, pix);
    else
      GEMM_NAME(cg_gemm)(CG_NO_TRANS, CG_NO_TRANS, pix, d->m, kg, 1, col, kg, w,
                         d->m, 0, yn, d->m);
    for (i = 0; i < d->m * pix; ++i) {
      int m = d->layout == CG_LAYOUT_NCHW ? i / pix : i % d->m;
      GEMM_T v = bias != NULL ? yn[i] + bias[m] : yn[i];
      yn[i] = GEMM_NAME(gemm_epilogue)(d, v);
    }
  }
  return CG_OK;
}

/* col2im summed in T (a scatter in tap order, not the reference's double
   gather), as a generated col2im would: x is zeroed, then every in-image
   col cell is added to its pixel. */
static void GEMM_NAME(col2im_t)(const cg_conv_desc *d, const GEMM_T *col,
                                GEMM_T *x) {
  int pix = d->oh * d->ow, taps = d->kh * d->kw, c, kh, kw, oh, ow, i;
  for (i = 0; i < d->c * d->h * d->w; ++i)
    x[i] = 0;
  for (c = 0; c < d->c; ++c)
    for (kh = 0; kh < d->kh; ++kh)
      for (kw = 0; kw < d->kw; ++kw)
        for (oh = 0; oh < d->oh; ++oh)
          for (ow = 0; ow < d->ow; ++ow) {
            int ih = oh * d->sh - d->pad_top + kh * d->dh;
            int iw = ow * d->sw - d->pad_left + kw * d->dw;
            int tap = kh * d->kw + kw, p = oh * d->ow + ow;
            if (ih < 0 || ih >= d->h || iw < 0 || iw >= d->w)
              continue;
            if (d->layout == CG_LAYOUT_NCHW)
              x[(c * d->h + ih) * d->w + iw] += col[(c * taps + tap) * pix + p];
            else
              x[(ih * d->w + iw) * d->c + c] += col[p * taps * d->c + tap * d->c + c];
          }
}

/* dx per image: the col-shaped gradient W_g^T dY_g (NCHW; NHWC, groups 1:
   dY W^T) in the workspace, then col2im in T. */
static int GEMM_NAME(gemm_backward_data)(const cg_conv_desc *d, size_t ws_bytes,
                                         const GEMM_T *dy, const GEMM_T *w,
                                         GEMM_T *dx, void *workspace) {
  int rc = fake_conv_args(dy, w, dx, workspace, ws_bytes);
  int pix = d->oh * d->ow, kg = d->c / d->groups * d->kh * d->kw;
  int mg = d->m / d->groups, n, g;
  GEMM_T *col = workspace;
  if (rc != CG_OK)
    return rc;
  for (n = 0; n < d->n; ++n) {
    const GEMM_T *dyn = dy + (size_t)n * (size_t)(d->m * pix);
    if (d->layout == CG_LAYOUT_NCHW)
      for (g = 0; g < d->groups; ++g)
        GEMM_NAME(cg_gemm)(CG_TRANS, CG_NO_TRANS, kg, pix, mg, 1, w + g * mg * kg,
                           kg, dyn + g * mg * pix, pix, 0, col + g * kg * pix, pix);
    else
      GEMM_NAME(cg_gemm)(CG_NO_TRANS, CG_TRANS, pix, kg, d->m, 1, dyn, d->m, w,
                         d->m, 0, col, kg);
    GEMM_NAME(col2im_t)(d, col, dx + (size_t)n * (size_t)(d->c * d->h * d->w));
  }
  return CG_OK;
}

/* dw accumulated over the batch by GEMMs with beta = 1 after the first
   image (NCHW: dW_g += dY_g col_g^T; NHWC, groups 1: dW += col^T dY), db
   summed in T. */
static int GEMM_NAME(gemm_backward_weights)(const cg_conv_desc *d,
                                            size_t ws_bytes, const GEMM_T *x,
                                            const GEMM_T *dy, GEMM_T *dw,
                                            GEMM_T *db, void *workspace) {
  int rc = fake_conv_args(x, dy, dw, workspace, ws_bytes);
  int pix = d->oh * d->ow, kg = d->c / d->groups * d->kh * d->kw;
  int mg = d->m / d->groups, n, g, i;
  GEMM_T *col = workspace;
  if (rc != CG_OK)
    return rc;
  for (n = 0; n < d->n; ++n) {
    const GEMM_T *dyn = dy + (size_t)n * (size_t)(d->m * pix);
    GEMM_T beta = n > 0 ? 1 : 0;
    GEMM_NAME(cg_ref_im2col)(d, x + (size_t)n * (size_t)(d->c * d->h * d->w), col);
    if (d->layout == CG_LAYOUT_NCHW)
      for (g = 0; g < d->groups; ++g)
        GEMM_NAME(cg_gemm)(CG_NO_TRANS, CG_TRANS, mg, kg, pix, 1, dyn + g * mg * pix,
                           pix, col + g * kg * pix, pix, beta, dw + g * mg * kg, kg);
    else
      GEMM_NAME(cg_gemm)(CG_TRANS, CG_NO_TRANS, kg, d->m, pix, 1, col, kg, dyn,
                         d->m, beta, dw, d->m);
  }
  if (db != NULL) {
    for (i = 0; i < d->m; ++i)
      db[i] = 0;
    for (i = 0; i < d->n * d->m * pix; ++i)
      db[d->layout == CG_LAYOUT_NCHW ? i / pix % d->m : i % d->m] += dy[i];
  }
  return CG_OK;
}

/* conv_transpose2d as the backward data pass of the conv2d that maps its
   output shape to its input shape (same weights in memory), then bias and
   activation in T. That conv's oh/ow are set to this layer's h/w, so the
   col2im loops are right even when the output padding is not below the
   stride. */
static int GEMM_NAME(gemm_transpose)(const cg_conv_desc *t, size_t ws_bytes,
                                     const GEMM_T *x, const GEMM_T *w,
                                     const GEMM_T *bias, GEMM_T *y,
                                     void *workspace) {
  int rc = fake_conv_args(x, w, y, workspace, ws_bytes);
  cg_conv_desc e = *t;
  int pix, kg, mg, n, g, i;
  GEMM_T *col = workspace;
  if (rc != CG_OK)
    return rc;
  e.op = CG_OP_CONV2D;
  e.c = t->m;
  e.h = t->oh;
  e.w = t->ow;
  e.m = t->c;
  e.oh = t->h;
  e.ow = t->w;
  e.out_pad_h = e.out_pad_w = 0;
  pix = e.oh * e.ow;
  kg = e.c / e.groups * e.kh * e.kw;
  mg = e.m / e.groups;
  for (n = 0; n < t->n; ++n) {
    const GEMM_T *xn = x + (size_t)n * (size_t)(t->c * pix);
    GEMM_T *yn = y + (size_t)n * (size_t)(t->m * t->oh * t->ow);
    if (e.layout == CG_LAYOUT_NCHW)
      for (g = 0; g < e.groups; ++g)
        GEMM_NAME(cg_gemm)(CG_TRANS, CG_NO_TRANS, kg, pix, mg, 1, w + g * mg * kg,
                           kg, xn + g * mg * pix, pix, 0, col + g * kg * pix, pix);
    else
      GEMM_NAME(cg_gemm)(CG_NO_TRANS, CG_TRANS, pix, kg, e.m, 1, xn, e.m, w, e.m,
                         0, col, kg);
    GEMM_NAME(col2im_t)(&e, col, yn);
    for (i = 0; i < t->m * t->oh * t->ow; ++i) {
      int m = t->layout == CG_LAYOUT_NCHW ? i / (t->oh * t->ow) : i % t->m;
      GEMM_T v = bias != NULL ? yn[i] + bias[m] : yn[i];
      yn[i] = GEMM_NAME(gemm_epilogue)(t, v);
    }
  }
  return CG_OK;
}

#undef GEMM_NAME
#undef GEMM_PASTE
#undef GEMM_PASTE2

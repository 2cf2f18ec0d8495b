/* im2col + GEMM conv for one element type, a stand-in for generated code; gemm_layers.c includes it with GEMM_T and GEMM_SFX set. */
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

#undef GEMM_NAME
#undef GEMM_PASTE
#undef GEMM_PASTE2

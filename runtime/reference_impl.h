/* Body of the reference for one element type; reference.c includes it with CG_REF_T and CG_REF_SUFFIX set. */
/* No include guard: it is meant to be expanded once per element type. It uses
   the index helpers x_at, w_at, y_at and col_at that reference.c defines. */
#if !defined(CG_REF_T) || !defined(CG_REF_SUFFIX)
#error "define CG_REF_T and CG_REF_SUFFIX before including reference_impl.h"
#endif

/* Two levels so that CG_REF_SUFFIX is expanded before it is pasted. */
#define CG_REF_PASTE2(a, b) a##_##b
#define CG_REF_PASTE(a, b) CG_REF_PASTE2(a, b)
#define CG_REF_NAME(base) CG_REF_PASTE(base, CG_REF_SUFFIX)

/* The comparisons are written so that a NaN sum stays NaN, as the generated
   code must do: every comparison with NaN is false and falls through to v. */
static CG_REF_T CG_REF_NAME(ref_activate)(const cg_conv_desc *d, CG_REF_T v) {
  CG_REF_T lo, hi;
  switch (d->activation) {
  case CG_ACT_RELU:
    return v < (CG_REF_T)0 ? (CG_REF_T)0 : v;
  case CG_ACT_RELU6:
    lo = (CG_REF_T)0;
    hi = (CG_REF_T)6;
    break;
  case CG_ACT_CLAMP:
    lo = (CG_REF_T)d->act_lo;
    hi = (CG_REF_T)d->act_hi;
    break;
  case CG_ACT_NONE:
  default:
    return v;
  }
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Gathers every cell directly (no accumulation), so padding cells get an
   exact +0 and the result is bit-exact whatever order the generator uses. */
void CG_REF_NAME(cg_ref_im2col)(const cg_conv_desc *d, const CG_REF_T *x,
                                CG_REF_T *col) {
  int c, kh, kw, oh, ow;
  for (c = 0; c < d->c; ++c)
    for (kh = 0; kh < d->kh; ++kh)
      for (kw = 0; kw < d->kw; ++kw)
        for (oh = 0; oh < d->oh; ++oh)
          for (ow = 0; ow < d->ow; ++ow) {
            int ih = oh * d->sh - d->pad_top + kh * d->dh;
            int iw = ow * d->sw - d->pad_left + kw * d->dw;
            int inside = ih >= 0 && ih < d->h && iw >= 0 && iw < d->w;
            col[col_at(d, c, kh, kw, oh, ow)] =
                inside ? x[x_at(d, 0, c, ih, iw)] : (CG_REF_T)0;
          }
}

/* Written as a gather over input pixels rather than the usual scatter: each
   pixel sums, in double, the col cells that im2col copies from it, and is then
   stored once, so x needs no zeroing pass and no double scratch buffer. */
void CG_REF_NAME(cg_ref_col2im)(const cg_conv_desc *d, const CG_REF_T *col,
                                CG_REF_T *x) {
  int c, ih, iw, kh, kw;
  for (c = 0; c < d->c; ++c)
    for (ih = 0; ih < d->h; ++ih)
      for (iw = 0; iw < d->w; ++iw) {
        double acc = 0.0;
        for (kh = 0; kh < d->kh; ++kh)
          for (kw = 0; kw < d->kw; ++kw) {
            /* Invert ih = oh*sh - pad_top + kh*dh for oh (same for w). */
            int th = ih + d->pad_top - kh * d->dh;
            int tw = iw + d->pad_left - kw * d->dw;
            if (th < 0 || tw < 0 || th % d->sh != 0 || tw % d->sw != 0)
              continue;
            if (th / d->sh >= d->oh || tw / d->sw >= d->ow)
              continue;
            acc += (double)col[col_at(d, c, kh, kw, th / d->sh, tw / d->sw)];
          }
        x[x_at(d, 0, c, ih, iw)] = (CG_REF_T)acc;
      }
}

/* Direct convolution, one output element at a time: the dot product and the
   bias are summed in double and rounded to T once, then activated in T. */
void CG_REF_NAME(cg_ref_conv)(const cg_conv_desc *d, const CG_REF_T *x,
                              const CG_REF_T *w, const CG_REF_T *bias,
                              CG_REF_T *y) {
  int cg = d->c / d->groups, mg = d->m / d->groups;
  int n, m, oh, ow, cl, kh, kw;
  for (n = 0; n < d->n; ++n)
    for (m = 0; m < d->m; ++m)
      for (oh = 0; oh < d->oh; ++oh)
        for (ow = 0; ow < d->ow; ++ow) {
          int c0 = (m / mg) * cg;
          double acc = 0.0;
          for (cl = 0; cl < cg; ++cl)
            for (kh = 0; kh < d->kh; ++kh)
              for (kw = 0; kw < d->kw; ++kw) {
                int ih = oh * d->sh - d->pad_top + kh * d->dh;
                int iw = ow * d->sw - d->pad_left + kw * d->dw;
                if (ih < 0 || ih >= d->h || iw < 0 || iw >= d->w)
                  continue;
                acc += (double)x[x_at(d, n, c0 + cl, ih, iw)] *
                       (double)w[w_at(d, m, cl, kh, kw)];
              }
          if (bias != NULL)
            acc += (double)bias[m];
          y[y_at(d, n, m, oh, ow)] =
              CG_REF_NAME(ref_activate)(d, (CG_REF_T)acc);
        }
}

#undef CG_REF_NAME
#undef CG_REF_PASTE
#undef CG_REF_PASTE2

/* Body of the reference for one element type (conv2d, its gradients, conv_transpose2d); reference.c includes it with CG_REF_T and CG_REF_SUFFIX set. */
/* No include guard: it is meant to be expanded once per element type. It uses
   the index helpers x_at, w_at, wt_at, y_at and col_at and the op check op_is
   that reference.c defines. Every sum is accumulated in double and rounded to
   T once, so the f32 functions are the f64 ones rounded (products of floats
   are exact in double and both sum in the same order). */
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
  if (!op_is(d, CG_OP_CONV2D))
    return;
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
  if (!op_is(d, CG_OP_CONV2D))
    return;
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
  if (!op_is(d, CG_OP_CONV2D))
    return;
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

/* dL/dx of a conv2d layer, one input element at a time (a gather, like
   col2im): input (n, c, ih, iw) is read by output (oh, ow) at tap (kh, kw)
   when ih = oh*sh - pad_top + kh*dh and iw = ow*sw - pad_left + kw*dw, with
   weight w[m][c - c0][kh][kw] for every m of c's group. So dx sums, over the
   M/groups channels of the group and the KH*KW taps, at most one dy each. */
void CG_REF_NAME(cg_ref_conv_backward_data)(const cg_conv_desc *d,
                                            const CG_REF_T *dy,
                                            const CG_REF_T *w, CG_REF_T *dx) {
  int cg = d->c / d->groups, mg = d->m / d->groups;
  int n, c, ih, iw, ml, kh, kw;
  if (!op_is(d, CG_OP_CONV2D))
    return;
  for (n = 0; n < d->n; ++n)
    for (c = 0; c < d->c; ++c)
      for (ih = 0; ih < d->h; ++ih)
        for (iw = 0; iw < d->w; ++iw) {
          int g = c / cg, cl = c - g * cg;
          double acc = 0.0;
          for (ml = 0; ml < mg; ++ml)
            for (kh = 0; kh < d->kh; ++kh)
              for (kw = 0; kw < d->kw; ++kw) {
                int m = g * mg + ml;
                /* Invert ih = oh*sh - pad_top + kh*dh for oh (same for w). */
                int th = ih + d->pad_top - kh * d->dh;
                int tw = iw + d->pad_left - kw * d->dw;
                if (th < 0 || tw < 0 || th % d->sh != 0 || tw % d->sw != 0)
                  continue;
                if (th / d->sh >= d->oh || tw / d->sw >= d->ow)
                  continue;
                acc += (double)dy[y_at(d, n, m, th / d->sh, tw / d->sw)] *
                       (double)w[w_at(d, m, cl, kh, kw)];
              }
          dx[x_at(d, n, c, ih, iw)] = (CG_REF_T)acc;
        }
}

/* dL/dw of a conv2d layer summed over the batch: weight (m, cl, kh, kw)
   multiplies, for every image and output pixel, the input that im2col puts
   at that tap (0 in padding), so it sums N*OH*OW products of dy and x.
   db[m] sums dy over the N*OH*OW outputs of channel m. */
void CG_REF_NAME(cg_ref_conv_backward_weights)(const cg_conv_desc *d,
                                               const CG_REF_T *x,
                                               const CG_REF_T *dy,
                                               CG_REF_T *dw, CG_REF_T *db) {
  int cg = d->c / d->groups, mg = d->m / d->groups;
  int n, m, oh, ow, cl, kh, kw;
  if (!op_is(d, CG_OP_CONV2D))
    return;
  for (m = 0; m < d->m; ++m)
    for (cl = 0; cl < cg; ++cl)
      for (kh = 0; kh < d->kh; ++kh)
        for (kw = 0; kw < d->kw; ++kw) {
          int c = (m / mg) * cg + cl;
          double acc = 0.0;
          for (n = 0; n < d->n; ++n)
            for (oh = 0; oh < d->oh; ++oh)
              for (ow = 0; ow < d->ow; ++ow) {
                int ih = oh * d->sh - d->pad_top + kh * d->dh;
                int iw = ow * d->sw - d->pad_left + kw * d->dw;
                if (ih < 0 || ih >= d->h || iw < 0 || iw >= d->w)
                  continue;
                acc += (double)dy[y_at(d, n, m, oh, ow)] *
                       (double)x[x_at(d, n, c, ih, iw)];
              }
          dw[w_at(d, m, cl, kh, kw)] = (CG_REF_T)acc;
        }
  if (db == NULL)
    return;
  for (m = 0; m < d->m; ++m) {
    double acc = 0.0;
    for (n = 0; n < d->n; ++n)
      for (oh = 0; oh < d->oh; ++oh)
        for (ow = 0; ow < d->ow; ++ow)
          acc += (double)dy[y_at(d, n, m, oh, ow)];
    db[m] = (CG_REF_T)acc;
  }
}

/* conv_transpose2d, one output element at a time (a gather): input
   (n, c, ih, iw) lands on output oh = ih*sh - pad_top + kh*dh,
   ow = iw*sw - pad_left + kw*dw (rows and columns outside [0, OH) x [0, OW)
   are the ones padding removes) with weight w[c][m - g*M/groups][kh][kw]
   for the input channels c of output m's group g. Each output sums at most
   C/groups*KH*KW products, then the bias, in double; rounded to T once and
   activated in T like cg_ref_conv. */
void CG_REF_NAME(cg_ref_conv_transpose)(const cg_conv_desc *d,
                                        const CG_REF_T *x, const CG_REF_T *w,
                                        const CG_REF_T *bias, CG_REF_T *y) {
  int cg = d->c / d->groups, mg = d->m / d->groups;
  int n, m, oh, ow, cl, kh, kw;
  if (!op_is(d, CG_OP_CONV_TRANSPOSE2D))
    return;
  for (n = 0; n < d->n; ++n)
    for (m = 0; m < d->m; ++m)
      for (oh = 0; oh < d->oh; ++oh)
        for (ow = 0; ow < d->ow; ++ow) {
          int g = m / mg, ml = m - g * mg;
          double acc = 0.0;
          for (cl = 0; cl < cg; ++cl)
            for (kh = 0; kh < d->kh; ++kh)
              for (kw = 0; kw < d->kw; ++kw) {
                int c = g * cg + cl;
                /* Invert oh = ih*sh - pad_top + kh*dh for ih (same for w). */
                int th = oh + d->pad_top - kh * d->dh;
                int tw = ow + d->pad_left - kw * d->dw;
                if (th < 0 || tw < 0 || th % d->sh != 0 || tw % d->sw != 0)
                  continue;
                if (th / d->sh >= d->h || tw / d->sw >= d->w)
                  continue;
                acc += (double)x[x_at(d, n, c, th / d->sh, tw / d->sw)] *
                       (double)w[wt_at(d, c, ml, kh, kw)];
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

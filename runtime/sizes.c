/* Buffer sizes derived from a cg_conv_desc; the generated SYM_*_ELEMS macros must agree with these. */
#include "convgen.h"

/* Every dimension goes through size_t before multiplying so that a layer with
   more than INT_MAX elements does not overflow int arithmetic. */
static size_t sz(int v) { return v > 0 ? (size_t)v : 0; }

/* Whole batch (N images), matching the input of P_conv. */
size_t cg_input_elems(const cg_conv_desc *d) {
  return sz(d->n) * sz(d->c) * sz(d->h) * sz(d->w);
}

/* PyTorch [M][C/g][KH][KW] and TensorFlow HWIO hold the same count. */
size_t cg_weight_elems(const cg_conv_desc *d) {
  size_t per_group = d->groups > 0 ? sz(d->c) / sz(d->groups) : 0;
  return sz(d->m) * per_group * sz(d->kh) * sz(d->kw);
}

size_t cg_output_elems(const cg_conv_desc *d) {
  return sz(d->n) * sz(d->m) * sz(d->oh) * sz(d->ow);
}

/* The col matrix is per image and always spans all C channels (groups only
   split the GEMM), so neither n nor groups appears below. */
size_t cg_col_rows(const cg_conv_desc *d) {
  if (d->layout == CG_LAYOUT_NHWC)
    return sz(d->oh) * sz(d->ow);
  return sz(d->c) * sz(d->kh) * sz(d->kw);
}

size_t cg_col_cols(const cg_conv_desc *d) {
  if (d->layout == CG_LAYOUT_NHWC)
    return sz(d->kh) * sz(d->kw) * sz(d->c);
  return sz(d->oh) * sz(d->ow);
}

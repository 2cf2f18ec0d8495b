/* Generic reference conv2d/im2col/col2im, conv2d gradients and conv_transpose2d: instantiates reference_impl.h once for float and once for double. */
#include <assert.h>

#include "convgen.h"

/* Index helpers shared by both element types. They take ints (the descriptor's
   type) and widen to size_t before multiplying, so big layers cannot overflow. */
static size_t idx4(int i0, int d1, int i1, int d2, int i2, int d3, int i3) {
  return (((size_t)i0 * (size_t)d1 + (size_t)i1) * (size_t)d2 + (size_t)i2) *
             (size_t)d3 + (size_t)i3;
}

/* Element (n, c, ih, iw) of the batched input in the descriptor's layout. */
static size_t x_at(const cg_conv_desc *d, int n, int c, int ih, int iw) {
  if (d->layout == CG_LAYOUT_NHWC)
    return idx4(n, d->h, ih, d->w, iw, d->c, c);
  return idx4(n, d->c, c, d->h, ih, d->w, iw);
}

/* Weight of output channel m, in-group channel cl: PyTorch OIHW or TF HWIO. */
static size_t w_at(const cg_conv_desc *d, int m, int cl, int kh, int kw) {
  int cg = d->c / d->groups;
  if (d->layout == CG_LAYOUT_NHWC)
    return idx4(kh, d->kw, kw, cg, cl, d->m, m);
  return idx4(m, cg, cl, d->kh, kh, d->kw, kw);
}

/* Weight of a conv_transpose2d layer for input channel c and in-group output
   channel ml: PyTorch [C][M/groups][KH][KW] or [KH][KW][M/groups][C]. */
static size_t wt_at(const cg_conv_desc *d, int c, int ml, int kh, int kw) {
  int mg = d->m / d->groups;
  if (d->layout == CG_LAYOUT_NHWC)
    return idx4(kh, d->kw, kw, mg, ml, d->c, c);
  return idx4(c, mg, ml, d->kh, kh, d->kw, kw);
}

/* Output (n, m, oh, ow) in the descriptor's layout; for both ops the output
   is N x M x OH x OW. */
static size_t y_at(const cg_conv_desc *d, int n, int m, int oh, int ow) {
  if (d->layout == CG_LAYOUT_NHWC)
    return idx4(n, d->oh, oh, d->ow, ow, d->m, m);
  return idx4(n, d->m, m, d->oh, oh, d->ow, ow);
}

/* Cell of the per-image col matrix that im2col fills from channel c at kernel
   tap (kh, kw) for output pixel (oh, ow); the layouts transpose each other. */
static size_t col_at(const cg_conv_desc *d, int c, int kh, int kw, int oh, int ow) {
  size_t tap, pix;
  pix = (size_t)oh * (size_t)d->ow + (size_t)ow;
  if (d->layout == CG_LAYOUT_NHWC) {
    tap = ((size_t)kh * (size_t)d->kw + (size_t)kw) * (size_t)d->c + (size_t)c;
    return pix * cg_col_cols(d) + tap;
  }
  tap = ((size_t)c * (size_t)d->kh + (size_t)kh) * (size_t)d->kw + (size_t)kw;
  return tap * cg_col_cols(d) + pix;
}

/* The conv2d functions (im2col, col2im, conv and its gradients) and
   conv_transpose2d read the same fields with different meanings, so a
   descriptor of the other op is a caller's bug: it trips the assertion, and
   where assertions are compiled out (NDEBUG) the function returns without
   writing anything rather than compute something meaningless. */
static int op_is(const cg_conv_desc *d, cg_op op) {
  assert(d->op == op);
  return d->op == op;
}

#define CG_REF_T float
#define CG_REF_SUFFIX f32
#include "reference_impl.h"
#undef CG_REF_T
#undef CG_REF_SUFFIX

#define CG_REF_T double
#define CG_REF_SUFFIX f64
#include "reference_impl.h"
#undef CG_REF_T
#undef CG_REF_SUFFIX

/* Body of the plain-C layer checker for one element type; check_layers.c includes it with CL_T, CL_SFX, CL_EPS and CL_LAYERS set. */
/* No include guard: expanded once per element type. Uses the helpers of
   check_layers.c (rnd_unit, checked_alloc, align_up, fail). */
#if !defined(CL_T) || !defined(CL_SFX) || !defined(CL_EPS) || !defined(CL_LAYERS)
#error "define CL_T, CL_SFX, CL_EPS and CL_LAYERS before including check_layers_impl.h"
#endif

#define CL_PASTE2(a, b) a##_##b
#define CL_PASTE(a, b) CL_PASTE2(a, b)
#define CL_NAME(base) CL_PASTE(base, CL_SFX)

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  int (*conv)(const CL_T *x, const CL_T *w, const CL_T *bias, CL_T *y, void *workspace);
  void (*im2col)(const CL_T *x, CL_T *col);
  void (*col2im)(const CL_T *col, CL_T *x);
  size_t input_elems, weight_elems, output_elems, workspace_bytes, col_rows, col_cols;
} CL_NAME(layer);

#define CL_ENTRY(sym, SYM)                                                                  \
  { #sym, &sym##_desc, sym##_conv, sym##_im2col, sym##_col2im, SYM##_INPUT_ELEMS,           \
    SYM##_WEIGHT_ELEMS, SYM##_OUTPUT_ELEMS, SYM##_WORKSPACE_BYTES, SYM##_COL_ROWS,          \
    SYM##_COL_COLS },
/* The last entry only keeps the array non-empty for a model without layers of this type. */
static const CL_NAME(layer) CL_NAME(layers)[] = { CL_LAYERS(CL_ENTRY){ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0 } };
#undef CL_ENTRY

static void CL_NAME(fill)(CL_T *v, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i)
    v[i] = (CL_T)rnd_unit();
}

static void CL_NAME(abs_all)(CL_T *v, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i)
    v[i] = v[i] < (CL_T)0 ? -v[i] : v[i];
}

/* Canary pattern around and inside buffers that must not be written. */
#define CL_GUARD 16
#define CL_CANARY ((CL_T)-12345.5)

static void CL_NAME(poison)(CL_T *v, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i)
    v[i] = CL_CANARY;
}

static size_t CL_NAME(count_canaries)(const CL_T *v, size_t count) {
  size_t i, n = 0;
  for (i = 0; i < count; ++i)
    n += v[i] == CL_CANARY;
  return n;
}

/* got[i] within bound(i) = 2 * (terms + 2) * eps * mag[i] of want[i]: the
   worst case of float rounding for any order of summation (the target) next
   to a double sum rounded once (the reference); 0 mismatches expected. */
static size_t CL_NAME(compare)(const char *layer, const char *what, const CL_T *got,
                               const CL_T *want, const CL_T *mag, size_t count, size_t terms) {
  size_t i, bad = 0;
  for (i = 0; i < count; ++i) {
    double err = fabs((double)got[i] - (double)want[i]);
    double bound = 2.0 * (double)(terms + 2) * (double)CL_EPS * (double)mag[i];
    if (!(err <= bound)) {
      if (bad < 3)
        fail(layer, what, "element %lu: got %.9g, reference %.9g (bound %.3g)", (unsigned long)i,
             (double)got[i], (double)want[i], bound);
      ++bad;
    }
  }
  return bad;
}

/* Every check of one layer; returns the number of failed checks. */
static int CL_NAME(check_layer)(const CL_NAME(layer) *l) {
  const cg_conv_desc *d = l->desc;
  cg_conv_desc plain = *d;
  const size_t nx = l->input_elems, nw = l->weight_elems, ny = l->output_elems;
  const size_t ncol = l->col_rows * l->col_cols;
  const size_t image = nx / (size_t)d->n;
  const size_t k_len = (size_t)(d->c / d->groups) * (size_t)d->kh * (size_t)d->kw;
  const size_t taps = (size_t)d->kh * (size_t)d->kw;
  CL_T *x = checked_alloc(nx, sizeof(CL_T)), *w = checked_alloc(nw, sizeof(CL_T));
  CL_T *b = checked_alloc((size_t)d->m, sizeof(CL_T));
  CL_T *ybuf = checked_alloc(ny + 2 * CL_GUARD, sizeof(CL_T)), *y = ybuf + CL_GUARD;
  CL_T *ref = checked_alloc(ny, sizeof(CL_T)), *mag = checked_alloc(ny, sizeof(CL_T));
  CL_T *col = checked_alloc(ncol + 2 * CL_GUARD, sizeof(CL_T)), *col_ref = checked_alloc(ncol, sizeof(CL_T));
  CL_T *xi = checked_alloc(image + 2 * CL_GUARD, sizeof(CL_T)), *xi_ref = checked_alloc(image, sizeof(CL_T));
  CL_T *xi_mag = checked_alloc(image, sizeof(CL_T));
  unsigned char *ws_raw = checked_alloc(l->workspace_bytes + 2 * CG_WORKSPACE_ALIGN, 1);
  unsigned char *ws = align_up(ws_raw, CG_WORKSPACE_ALIGN);
  int failures = 0, with_bias, rc;

  CL_NAME(fill)(x, nx);
  CL_NAME(fill)(w, nw);
  CL_NAME(fill)(b, (size_t)d->m);

  /* conv, with the bias and without */
  for (with_bias = 1; with_bias >= 0; --with_bias) {
    const CL_T *bias = with_bias ? b : NULL;
    CL_T *ax = checked_alloc(nx, sizeof(CL_T)), *aw = checked_alloc(nw, sizeof(CL_T));
    CL_T *ab = checked_alloc((size_t)d->m, sizeof(CL_T));
    CL_NAME(poison)(ybuf, ny + 2 * CL_GUARD);
    rc = l->conv(x, w, bias, y, ws);
    if (rc != CG_OK) {
      fail(l->name, "conv", "returned %d", rc);
      ++failures;
    }
    if (CL_NAME(count_canaries)(ybuf, CL_GUARD) != CL_GUARD ||
        CL_NAME(count_canaries)(y + ny, CL_GUARD) != CL_GUARD) {
      fail(l->name, "conv", "wrote outside y");
      ++failures;
    }
    cg_ref_conv_f(CL_SFX)(d, x, w, bias, ref);
    memcpy(ax, x, nx * sizeof(CL_T));
    memcpy(aw, w, nw * sizeof(CL_T));
    memcpy(ab, b, (size_t)d->m * sizeof(CL_T));
    CL_NAME(abs_all)(ax, nx);
    CL_NAME(abs_all)(aw, nw);
    CL_NAME(abs_all)(ab, (size_t)d->m);
    plain.activation = CG_ACT_NONE;
    cg_ref_conv_f(CL_SFX)(&plain, ax, aw, bias != NULL ? ab : NULL, mag);
    if (CL_NAME(compare)(l->name, with_bias ? "conv" : "conv (bias NULL)", y, ref, mag, ny, k_len) != 0)
      ++failures;
    free(ax);
    free(aw);
    free(ab);
  }

  /* argument checks leave y untouched */
  CL_NAME(poison)(ybuf, ny + 2 * CL_GUARD);
  rc = l->conv(NULL, w, b, y, ws);
  if (rc != CG_ERR_NULL_POINTER || CL_NAME(count_canaries)(ybuf, ny + 2 * CL_GUARD) != ny + 2 * CL_GUARD) {
    fail(l->name, "conv(x = NULL)", "returned %d or wrote y", rc);
    ++failures;
  }
  if (l->workspace_bytes > 0) {
    rc = l->conv(x, w, b, y, ws + sizeof(CL_T));
    if (rc != CG_ERR_WORKSPACE_ALIGN ||
        CL_NAME(count_canaries)(ybuf, ny + 2 * CL_GUARD) != ny + 2 * CL_GUARD) {
      fail(l->name, "conv(misaligned workspace)", "returned %d or wrote y", rc);
      ++failures;
    }
    rc = l->conv(x, w, b, y, NULL);
    if (rc != CG_ERR_NULL_POINTER) {
      fail(l->name, "conv(workspace = NULL)", "returned %d", rc);
      ++failures;
    }
  }

  /* im2col of the first image: bit for bit the reference's, nothing outside col */
  CL_NAME(poison)(col, ncol + 2 * CL_GUARD);
  l->im2col(x, col + CL_GUARD);
  cg_ref_im2col_f(CL_SFX)(d, x, col_ref);
  if (memcmp(col + CL_GUARD, col_ref, ncol * sizeof(CL_T)) != 0) {
    fail(l->name, "im2col", "differs from cg_ref_im2col");
    ++failures;
  }
  if (CL_NAME(count_canaries)(col, CL_GUARD) != CL_GUARD ||
      CL_NAME(count_canaries)(col + CL_GUARD + ncol, CL_GUARD) != CL_GUARD) {
    fail(l->name, "im2col", "wrote outside col");
    ++failures;
  }

  /* col2im of a random col: sums of up to KH*KW entries per pixel */
  CL_NAME(fill)(col_ref, ncol);
  CL_NAME(poison)(xi, image + 2 * CL_GUARD);
  l->col2im(col_ref, xi + CL_GUARD);
  cg_ref_col2im_f(CL_SFX)(d, col_ref, xi_ref);
  CL_NAME(abs_all)(col_ref, ncol);
  cg_ref_col2im_f(CL_SFX)(d, col_ref, xi_mag);
  if (CL_NAME(compare)(l->name, "col2im", xi + CL_GUARD, xi_ref, xi_mag, image, taps) != 0)
    ++failures;
  if (CL_NAME(count_canaries)(xi, CL_GUARD) != CL_GUARD ||
      CL_NAME(count_canaries)(xi + CL_GUARD + image, CL_GUARD) != CL_GUARD) {
    fail(l->name, "col2im", "wrote outside x");
    ++failures;
  }

  free(x);
  free(w);
  free(b);
  free(ybuf);
  free(ref);
  free(mag);
  free(col);
  free(col_ref);
  free(xi);
  free(xi_ref);
  free(xi_mag);
  free(ws_raw);
  return failures;
}

/* Returns the number of layers with a failed check. */
static int CL_NAME(check_all)(void) {
  size_t i, count = sizeof CL_NAME(layers) / sizeof CL_NAME(layers)[0] - 1;
  int failed_layers = 0;
  for (i = 0; i < count; ++i)
    failed_layers += CL_NAME(check_layer)(&CL_NAME(layers)[i]) != 0;
  printf("check_layers " CL_STR(CL_SFX) ": %lu layers, %d failed\n", (unsigned long)count,
         failed_layers);
  total_layers += (int)count;
  return failed_layers;
}

#undef CL_GUARD
#undef CL_CANARY
#undef CL_NAME
#undef CL_PASTE
#undef CL_PASTE2

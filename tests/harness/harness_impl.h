/* Per-dtype half of the Check harness (layer registries; sizes/im2col/col2im/conv/adjoint tests, and through harness_grad_impl.h the gradient and conv_transpose2d tests), included once per dtype by harness_main.c. */
/* No include guard: harness_main.c expands it once with float and once with
   double. It expects, besides <check.h>, convgen.h and harness_util.h:
     CG_H_T       element type              CG_H_SFX    f32 / f64
     CG_H_DTYPE   CG_DTYPE_F32 / _F64       CG_H_LAYERS the model's X-macro list
     CG_H_BACKWARD, CG_H_TRANSPOSE          its lists of backward = true conv2d
                                            layers and of conv_transpose2d
                                            layers (either may be empty)
     CG_H_EPS     FLT_EPSILON / DBL_EPSILON CG_H_MIN    FLT_MIN / DBL_MIN
     CG_H_MANT    FLT_MANT_DIG / DBL_MANT_DIG
     CG_H_DIGITS  significant digits that print a T exactly (9 / 17) */
#if !defined(CG_H_T) || !defined(CG_H_SFX) || !defined(CG_H_DTYPE) ||        \
    !defined(CG_H_LAYERS) || !defined(CG_H_EPS) || !defined(CG_H_MIN) ||     \
    !defined(CG_H_MANT) || !defined(CG_H_DIGITS) ||                          \
    !defined(CG_H_BACKWARD) || !defined(CG_H_TRANSPOSE)
#error "harness_impl.h: a CG_H_* parameter macro is missing"
#endif

/* Two levels so that CG_H_SFX is expanded before it is pasted. */
#define CG_H_PASTE2(a, b) a##_##b
#define CG_H_PASTE(a, b) CG_H_PASTE2(a, b)
#define CG_H_NAME(base) CG_H_PASTE(base, CG_H_SFX)
#define CG_H_STR2(x) #x
#define CG_H_STR(x) CG_H_STR2(x)
/* START_TEST pastes its argument without expanding it first; going through
   this macro turns CG_H_NAME(test_x) into test_x_f32 before it gets there. */
#define CG_H_START_TEST(name) START_TEST(name)

#define CG_H_LAYER CG_H_NAME(cg_layer)
#define CG_H_LAYERS_ARRAY CG_H_NAME(cg_layers)

/* One generated layer: what its header provides, with the size macros kept
   as numbers so the sizes test can hold them against the descriptor. */
typedef struct {
  const char *name;   /* sym */
  const char *prefix; /* SYM, to name the macros in messages */
  const cg_conv_desc *desc;
  void (*im2col)(const CG_H_T *x, CG_H_T *col);
  void (*col2im)(const CG_H_T *col, CG_H_T *x);
  int (*conv)(const CG_H_T *x, const CG_H_T *w, const CG_H_T *bias, CG_H_T *y,
              void *workspace);
  size_t ws_bytes;
  long long n, c, h, w, m, kh, kw, oh, ow, groups;
  long long col_rows, col_cols, input_elems, weight_elems, output_elems;
} CG_H_LAYER;

#define CG_H_ENTRY(sym, SYM)                                                   \
  {#sym, #SYM, &sym##_desc, sym##_im2col, sym##_col2im, sym##_conv,            \
   (size_t)(SYM##_WORKSPACE_BYTES), (long long)(SYM##_N), (long long)(SYM##_C), \
   (long long)(SYM##_H), (long long)(SYM##_W), (long long)(SYM##_M),           \
   (long long)(SYM##_KH), (long long)(SYM##_KW), (long long)(SYM##_OH),        \
   (long long)(SYM##_OW), (long long)(SYM##_GROUPS),                           \
   (long long)(SYM##_COL_ROWS), (long long)(SYM##_COL_COLS),                   \
   (long long)(SYM##_INPUT_ELEMS), (long long)(SYM##_WEIGHT_ELEMS),            \
   (long long)(SYM##_OUTPUT_ELEMS)},

/* The trailing {0} keeps the initializer non-empty (C99 has no "{}") when the
   model has no layer of this dtype; it is not counted. */
static const CG_H_LAYER CG_H_LAYERS_ARRAY[] = {CG_H_LAYERS(CG_H_ENTRY){0}};
static const int CG_H_NAME(cg_layer_count) =
    (int)(sizeof CG_H_LAYERS_ARRAY / sizeof CG_H_LAYERS_ARRAY[0]) - 1;

/* Distinct streams per dtype, layer and buffer, fixed across runs. */
static void CG_H_NAME(fill_random)(CG_H_T *p, size_t n, int layer, int salt) {
  cg_rng r;
  size_t i;
  cg_rng_seed(&r, ((uint64_t)CG_H_DTYPE << 40) ^ ((uint64_t)layer << 8) ^
                      (uint64_t)salt);
  for (i = 0; i < n; ++i)
    p[i] = (CG_H_T)cg_rng_uniform(&r, CG_H_MANT);
}

static void CG_H_NAME(fill)(CG_H_T *p, size_t n, CG_H_T v) {
  size_t i;
  for (i = 0; i < n; ++i)
    p[i] = v;
}

static void CG_H_NAME(abs_of)(CG_H_T *dst, const CG_H_T *src, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i)
    dst[i] = src[i] < 0 ? -src[i] : src[i];
}

/* At least one element so a zero count never turns into malloc(0) == NULL. */
static CG_H_T *CG_H_NAME(alloc)(size_t n) {
  return malloc((n > 0 ? n : 1) * sizeof(CG_H_T));
}

/* bound == NULL: bit-exact. Otherwise |got - ref| <= atol + rel * bound[i].
   A NaN left by an unwritten cell fails both ways. Reports how many elements
   are wrong, the first one and the one furthest over its tolerance. */
static void CG_H_NAME(compare)(cg_report *r, const cg_conv_desc *d, cg_shape s,
                               const char *call, const CG_H_T *got,
                               const CG_H_T *ref, size_t n,
                               const double *bound, double atol, double rel) {
  size_t i, bad = 0, first = 0, worst = 0;
  double worst_ratio = -1.0;
  char at_first[96], at_worst[96];
  for (i = 0; i < n; ++i) {
    double g = (double)got[i], e = (double)ref[i], tol, ratio;
    if (bound == NULL) {
      if (memcmp(&got[i], &ref[i], sizeof(CG_H_T)) == 0)
        continue;
      ratio = 1.0;
    } else {
      if (g == e || (isnan(g) && isnan(e)))
        continue;
      tol = atol + rel * bound[i];
      if (fabs(g - e) <= tol)
        continue;
      ratio = isnan(g) ? HUGE_VAL : fabs(g - e) / tol;
    }
    if (bad++ == 0)
      first = i;
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = i;
    }
  }
  if (bad == 0)
    return;
  cg_index_format(at_first, sizeof at_first, d, s, first);
  cg_index_format(at_worst, sizeof at_worst, d, s, worst);
  if (bound == NULL) {
    cg_report_add(r, "%s: %zu of %zu elements differ from the reference "
                  "(bit-exact expected); first %s got %.*g want %.*g", call,
                  bad, n, at_first, CG_H_DIGITS, (double)got[first],
                  CG_H_DIGITS, (double)ref[first]);
    return;
  }
  cg_report_add(r, "%s: %zu of %zu elements out of tolerance; first %s got "
                "%.*g want %.*g (tol %.3g); worst %s got %.*g want %.*g "
                "(|diff| %.3g = %.3g x tol)", call, bad, n, at_first,
                CG_H_DIGITS, (double)got[first], CG_H_DIGITS,
                (double)ref[first], atol + rel * bound[first], at_worst,
                CG_H_DIGITS, (double)got[worst], CG_H_DIGITS,
                (double)ref[worst],
                fabs((double)got[worst] - (double)ref[worst]), worst_ratio);
}

/* ---- sizes: every SYM_* macro against the descriptor ------------------- */

CG_H_START_TEST(CG_H_NAME(test_sizes)) {
  const CG_H_LAYER *L = &CG_H_LAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  const char *p = L->prefix;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  cg_desc_validate(&rep, d, CG_H_DTYPE);
  cg_report_same(&rep, p, "N", L->n, d->n);
  cg_report_same(&rep, p, "C", L->c, d->c);
  cg_report_same(&rep, p, "H", L->h, d->h);
  cg_report_same(&rep, p, "W", L->w, d->w);
  cg_report_same(&rep, p, "M", L->m, d->m);
  cg_report_same(&rep, p, "KH", L->kh, d->kh);
  cg_report_same(&rep, p, "KW", L->kw, d->kw);
  cg_report_same(&rep, p, "OH", L->oh, d->oh);
  cg_report_same(&rep, p, "OW", L->ow, d->ow);
  cg_report_same(&rep, p, "GROUPS", L->groups, d->groups);
  cg_report_same(&rep, p, "COL_ROWS", L->col_rows, (long long)cg_col_rows(d));
  cg_report_same(&rep, p, "COL_COLS", L->col_cols, (long long)cg_col_cols(d));
  cg_report_same(&rep, p, "INPUT_ELEMS", L->input_elems,
                 (long long)cg_input_elems(d));
  cg_report_same(&rep, p, "WEIGHT_ELEMS", L->weight_elems,
                 (long long)cg_weight_elems(d));
  cg_report_same(&rep, p, "OUTPUT_ELEMS", L->output_elems,
                 (long long)cg_output_elems(d));
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* ---- im2col: bit-exact copy of the reference --------------------------- */

static void CG_H_NAME(run_im2col)(cg_report *r, const CG_H_LAYER *L,
                                  const CG_H_T *x, const CG_H_T *ref,
                                  size_t nx, size_t ncol, size_t off,
                                  const char *call) {
  cg_guard gx, gcol;
  int ok = cg_guard_alloc(&gx, nx * sizeof(CG_H_T), off);
  ok = cg_guard_alloc(&gcol, ncol * sizeof(CG_H_T), off) && ok;
  if (!ok) {
    cg_report_add(r, "%s: out of memory", call);
  } else {
    memcpy(gx.p, x, nx * sizeof(CG_H_T));
    CG_H_NAME(fill)(gcol.p, ncol, (CG_H_T)NAN);
    cg_context_enter(r, call);
    L->im2col(gx.p, gcol.p);
    cg_context_leave();
    cg_report_guard(r, &gx, "x", call);
    cg_report_guard(r, &gcol, "col", call);
    cg_report_unchanged(r, gx.p, x, 0, nx * sizeof(CG_H_T), sizeof(CG_H_T),
                        "x", call);
    CG_H_NAME(compare)(r, L->desc, CG_SHAPE_COL, call, gcol.p, ref, ncol,
                       NULL, 0.0, 0.0);
  }
  cg_guard_free(&gx);
  cg_guard_free(&gcol);
}

CG_H_START_TEST(CG_H_NAME(test_im2col)) {
  const CG_H_LAYER *L = &CG_H_LAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  CG_H_T *x = NULL, *ref = NULL;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_H_DTYPE) == 0) {
    size_t nx = (size_t)d->c * (size_t)d->h * (size_t)d->w;
    size_t ncol = cg_col_rows(d) * cg_col_cols(d);
    x = CG_H_NAME(alloc)(nx);
    ref = CG_H_NAME(alloc)(ncol);
    if (x == NULL || ref == NULL) {
      cg_report_add(&rep, "out of memory");
    } else {
      CG_H_NAME(fill_random)(x, nx, _i, 1);
      CG_H_NAME(cg_ref_im2col)(d, x, ref);
      CG_H_NAME(run_im2col)(&rep, L, x, ref, nx, ncol, 0, "im2col(aligned)");
      CG_H_NAME(run_im2col)(&rep, L, x, ref, nx, ncol, sizeof(CG_H_T),
                            "im2col(x, col misaligned by one element)");
    }
  }
  free(x);
  free(ref);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* ---- col2im: adjoint, checked to a summation-error tolerance ----------- */

static void CG_H_NAME(run_col2im)(cg_report *r, const CG_H_LAYER *L,
                                  const CG_H_T *col, const CG_H_T *ref,
                                  const double *bound, size_t nx, size_t ncol,
                                  size_t off, const char *call) {
  cg_guard gcol, gx;
  int ok = cg_guard_alloc(&gcol, ncol * sizeof(CG_H_T), off);
  ok = cg_guard_alloc(&gx, nx * sizeof(CG_H_T), off) && ok;
  if (!ok) {
    cg_report_add(r, "%s: out of memory", call);
  } else {
    memcpy(gcol.p, col, ncol * sizeof(CG_H_T));
    CG_H_NAME(fill)(gx.p, nx, (CG_H_T)NAN);
    cg_context_enter(r, call);
    L->col2im(gcol.p, gx.p);
    cg_context_leave();
    cg_report_guard(r, &gcol, "col", call);
    cg_report_guard(r, &gx, "x", call);
    cg_report_unchanged(r, gcol.p, col, 0, ncol * sizeof(CG_H_T),
                        sizeof(CG_H_T), "col", call);
    CG_H_NAME(compare)(r, L->desc, CG_SHAPE_IMAGE, call, gx.p, ref, nx, bound,
                       0.0, CG_COL2IM_K * CG_H_EPS);
  }
  cg_guard_free(&gcol);
  cg_guard_free(&gx);
}

CG_H_START_TEST(CG_H_NAME(test_col2im)) {
  const CG_H_LAYER *L = &CG_H_LAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  CG_H_T *col = NULL, *tmp = NULL, *ref = NULL, *terms = NULL, *mag = NULL;
  double *bound = NULL;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_H_DTYPE) == 0) {
    size_t nx = (size_t)d->c * (size_t)d->h * (size_t)d->w, i;
    size_t ncol = cg_col_rows(d) * cg_col_cols(d);
    col = CG_H_NAME(alloc)(ncol);
    tmp = CG_H_NAME(alloc)(ncol);
    ref = CG_H_NAME(alloc)(nx);
    terms = CG_H_NAME(alloc)(nx);
    mag = CG_H_NAME(alloc)(nx);
    bound = malloc((nx > 0 ? nx : 1) * sizeof *bound);
    if (!col || !tmp || !ref || !terms || !mag || !bound) {
      cg_report_add(&rep, "out of memory");
    } else {
      CG_H_NAME(fill_random)(col, ncol, _i, 2);
      CG_H_NAME(cg_ref_col2im)(d, col, ref);
      /* col2im of all ones counts the terms summed into each pixel exactly;
         col2im of |col| is their absolute sum. */
      CG_H_NAME(fill)(tmp, ncol, (CG_H_T)1);
      CG_H_NAME(cg_ref_col2im)(d, tmp, terms);
      CG_H_NAME(abs_of)(tmp, col, ncol);
      CG_H_NAME(cg_ref_col2im)(d, tmp, mag);
      for (i = 0; i < nx; ++i)
        bound[i] = (double)terms[i] * (double)mag[i];
      CG_H_NAME(run_col2im)(&rep, L, col, ref, bound, nx, ncol, 0,
                            "col2im(aligned)");
      CG_H_NAME(run_col2im)(&rep, L, col, ref, bound, nx, ncol,
                            sizeof(CG_H_T),
                            "col2im(col, x misaligned by one element)");
    }
  }
  free(col);
  free(tmp);
  free(ref);
  free(terms);
  free(mag);
  free(bound);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* ---- conv: whole batch, bias and no bias, plus the error returns ------- */

/* Inputs, references and tolerance bounds shared by every conv call of one
   layer; b is only meaningful when the layer has a bias. */
typedef struct {
  CG_H_T *x, *w, *b, *ref_b, *ref_nb;
  double *bound_b, *bound_nb;
  size_t nx, nw, nb, ny;
} CG_H_NAME(conv_data);

/* Guarded copies of the conv arguments. */
typedef struct {
  cg_guard x, w, b, y, ws;
} CG_H_NAME(conv_bufs);

static int CG_H_NAME(bufs_alloc)(CG_H_NAME(conv_bufs) *g,
                                 const CG_H_NAME(conv_data) *D, size_t ws_bytes,
                                 size_t off) {
  int ok = cg_guard_alloc(&g->x, D->nx * sizeof(CG_H_T), off);
  ok = cg_guard_alloc(&g->w, D->nw * sizeof(CG_H_T), off) && ok;
  ok = cg_guard_alloc(&g->b, D->nb * sizeof(CG_H_T), off) && ok;
  ok = cg_guard_alloc(&g->y, D->ny * sizeof(CG_H_T), off) && ok;
  /* The workspace is the one buffer the contract requires to be aligned. */
  ok = cg_guard_alloc(&g->ws, ws_bytes, 0) && ok;
  if (ok) {
    memcpy(g->x.p, D->x, D->nx * sizeof(CG_H_T));
    memcpy(g->w.p, D->w, D->nw * sizeof(CG_H_T));
    memcpy(g->b.p, D->b, D->nb * sizeof(CG_H_T));
  }
  return ok;
}

static void CG_H_NAME(bufs_free)(CG_H_NAME(conv_bufs) *g) {
  cg_guard_free(&g->x);
  cg_guard_free(&g->w);
  cg_guard_free(&g->b);
  cg_guard_free(&g->y);
  cg_guard_free(&g->ws);
}

/* After any conv call: no canary touched, no const input modified. */
static void CG_H_NAME(check_bufs)(cg_report *r, const CG_H_NAME(conv_bufs) *g,
                                  const CG_H_NAME(conv_data) *D,
                                  const char *call) {
  cg_report_guard(r, &g->x, "x", call);
  cg_report_guard(r, &g->w, "w", call);
  cg_report_guard(r, &g->b, "bias", call);
  cg_report_guard(r, &g->y, "y", call);
  cg_report_guard(r, &g->ws, "workspace", call);
  cg_report_unchanged(r, g->x.p, D->x, 0, D->nx * sizeof(CG_H_T),
                      sizeof(CG_H_T), "x", call);
  cg_report_unchanged(r, g->w.p, D->w, 0, D->nw * sizeof(CG_H_T),
                      sizeof(CG_H_T), "w", call);
  cg_report_unchanged(r, g->b.p, D->b, 0, D->nb * sizeof(CG_H_T),
                      sizeof(CG_H_T), "bias", call);
}

/* Successful calls: y starts as NaN and the workspace as NaN bytes, so
   neither an unwritten output nor a read of uninitialised workspace passes.
   With off == 0 and no workspace declared, NULL is passed for it. */
static void CG_H_NAME(run_conv)(cg_report *r, const CG_H_LAYER *L,
                                const CG_H_NAME(conv_data) *D, size_t off,
                                const char *variant) {
  CG_H_NAME(conv_bufs) g;
  char call[128];
  int pass, rc;
  if (!CG_H_NAME(bufs_alloc)(&g, D, L->ws_bytes, off)) {
    cg_report_add(r, "conv(%s): out of memory", variant);
    CG_H_NAME(bufs_free)(&g);
    return;
  }
  for (pass = 0; pass < 2; ++pass) {
    int with_bias = pass == 0;
    void *ws = L->ws_bytes == 0 && off == 0 ? NULL : g.ws.p;
    if (with_bias && !L->desc->has_bias)
      continue;
    snprintf(call, sizeof call, "conv(%s, bias=%s, workspace=%s)", variant,
             with_bias ? "given" : "NULL", ws == NULL ? "NULL" : "aligned");
    CG_H_NAME(fill)(g.y.p, D->ny, (CG_H_T)NAN);
    memset(g.ws.p, 0xFF, L->ws_bytes);
    cg_context_enter(r, call);
    rc = L->conv(g.x.p, g.w.p, with_bias ? g.b.p : NULL, g.y.p, ws);
    cg_context_leave();
    if (rc != CG_OK)
      cg_report_add(r, "%s returned %d, expected CG_OK", call, rc);
    CG_H_NAME(check_bufs)(r, &g, D, call);
    CG_H_NAME(compare)(r, L->desc, CG_SHAPE_OUTPUT, call, g.y.p,
                       with_bias ? D->ref_b : D->ref_nb, D->ny,
                       with_bias ? D->bound_b : D->bound_nb, CG_H_MIN,
                       CG_CONV_C * CG_H_EPS);
  }
  CG_H_NAME(bufs_free)(&g);
}

/* Argument errors: the right code, and y (pre-filled with a byte pattern)
   left exactly as it was. */
static void CG_H_NAME(run_conv_errors)(cg_report *r, const CG_H_LAYER *L,
                                       const CG_H_NAME(conv_data) *D) {
  static const struct {
    const char *what;
    int null_x, null_w, null_y, null_ws;
    size_t ws_off; /* 32: aligned for AVX but not 64; sizeof(T): for T only */
    int expect;
  } cases[] = {
      {"x=NULL", 1, 0, 0, 0, 0, CG_ERR_NULL_POINTER},
      {"w=NULL", 0, 1, 0, 0, 0, CG_ERR_NULL_POINTER},
      {"y=NULL", 0, 0, 1, 0, 0, CG_ERR_NULL_POINTER},
      {"workspace=NULL", 0, 0, 0, 1, 0, CG_ERR_NULL_POINTER},
      {"workspace 32 bytes off 64", 0, 0, 0, 0, 32, CG_ERR_WORKSPACE_ALIGN},
      {"workspace one element off 64", 0, 0, 0, 0, sizeof(CG_H_T),
       CG_ERR_WORKSPACE_ALIGN}};
  CG_H_NAME(conv_bufs) g;
  cg_guard gws;
  char call[160];
  size_t k, ybytes = D->ny * sizeof(CG_H_T);
  if (!CG_H_NAME(bufs_alloc)(&g, D, L->ws_bytes, 0)) {
    cg_report_add(r, "conv(argument errors): out of memory");
    CG_H_NAME(bufs_free)(&g);
    return;
  }
  for (k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
    const CG_H_T *bias = L->desc->has_bias ? g.b.p : NULL;
    void *ws = g.ws.p;
    int rc;
    memset(&gws, 0, sizeof gws);
    /* Without a workspace, NULL or misaligned ones are legal. */
    if ((cases[k].null_ws || cases[k].ws_off) && L->ws_bytes == 0)
      continue;
    if (cases[k].ws_off) {
      if (!cg_guard_alloc(&gws, L->ws_bytes, cases[k].ws_off)) {
        cg_report_add(r, "conv(%s): out of memory", cases[k].what);
        continue;
      }
      ws = gws.p;
    }
    if (cases[k].null_ws)
      ws = NULL;
    snprintf(call, sizeof call, "conv(%s)", cases[k].what);
    memset(g.y.p, 0x5A, ybytes);
    cg_context_enter(r, call);
    rc = L->conv(cases[k].null_x ? NULL : g.x.p, cases[k].null_w ? NULL : g.w.p,
                 bias, cases[k].null_y ? NULL : g.y.p, ws);
    cg_context_leave();
    if (rc != cases[k].expect)
      cg_report_add(r, "%s returned %d, expected %d (%s)", call, rc,
                    cases[k].expect,
                    cases[k].expect == CG_ERR_NULL_POINTER
                        ? "CG_ERR_NULL_POINTER"
                        : "CG_ERR_WORKSPACE_ALIGN");
    if (!cases[k].null_y)
      cg_report_unchanged(r, g.y.p, NULL, 0x5A, ybytes, sizeof(CG_H_T), "y",
                          call);
    CG_H_NAME(check_bufs)(r, &g, D, call);
    cg_report_guard(r, &gws, "workspace", call);
    cg_guard_free(&gws);
  }
  CG_H_NAME(bufs_free)(&g);
}

/* bound = K * (reference conv of |x|, |w|, |bias| without activation). */
static void CG_H_NAME(conv_bound)(const cg_conv_desc *d, const CG_H_T *ax,
                                  const CG_H_T *aw, const CG_H_T *ab,
                                  CG_H_T *mag, double *bound, size_t ny) {
  cg_conv_desc plain = *d;
  double k = (double)(d->c / d->groups) * (double)d->kh * (double)d->kw;
  size_t i;
  plain.activation = CG_ACT_NONE;
  CG_H_NAME(cg_ref_conv)(&plain, ax, aw, ab, mag);
  for (i = 0; i < ny; ++i)
    bound[i] = k * (double)mag[i];
}

CG_H_START_TEST(CG_H_NAME(test_conv)) {
  const CG_H_LAYER *L = &CG_H_LAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  CG_H_NAME(conv_data) D;
  CG_H_T *ax = NULL, *aw = NULL, *ab = NULL, *mag = NULL;
  cg_report rep;
  memset(&D, 0, sizeof D);
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_H_DTYPE) == 0) {
    D.nx = cg_input_elems(d);
    D.nw = cg_weight_elems(d);
    D.nb = d->has_bias ? (size_t)d->m : 0;
    D.ny = cg_output_elems(d);
    D.x = CG_H_NAME(alloc)(D.nx);
    D.w = CG_H_NAME(alloc)(D.nw);
    D.b = CG_H_NAME(alloc)(D.nb);
    D.ref_b = CG_H_NAME(alloc)(D.ny);
    D.ref_nb = CG_H_NAME(alloc)(D.ny);
    D.bound_b = malloc(D.ny * sizeof(double));
    D.bound_nb = malloc(D.ny * sizeof(double));
    ax = CG_H_NAME(alloc)(D.nx);
    aw = CG_H_NAME(alloc)(D.nw);
    ab = CG_H_NAME(alloc)(D.nb);
    mag = CG_H_NAME(alloc)(D.ny);
    if (!D.x || !D.w || !D.b || !D.ref_b || !D.ref_nb || !D.bound_b ||
        !D.bound_nb || !ax || !aw || !ab || !mag) {
      cg_report_add(&rep, "out of memory");
    } else {
      CG_H_NAME(fill_random)(D.x, D.nx, _i, 3);
      CG_H_NAME(fill_random)(D.w, D.nw, _i, 4);
      CG_H_NAME(fill_random)(D.b, D.nb, _i, 5);
      CG_H_NAME(abs_of)(ax, D.x, D.nx);
      CG_H_NAME(abs_of)(aw, D.w, D.nw);
      CG_H_NAME(abs_of)(ab, D.b, D.nb);
      CG_H_NAME(cg_ref_conv)(d, D.x, D.w, NULL, D.ref_nb);
      CG_H_NAME(conv_bound)(d, ax, aw, NULL, mag, D.bound_nb, D.ny);
      if (d->has_bias) {
        CG_H_NAME(cg_ref_conv)(d, D.x, D.w, D.b, D.ref_b);
        CG_H_NAME(conv_bound)(d, ax, aw, ab, mag, D.bound_b, D.ny);
      }
      CG_H_NAME(run_conv)(&rep, L, &D, 0, "aligned");
      CG_H_NAME(run_conv)(&rep, L, &D, sizeof(CG_H_T),
                          "x, w, bias, y misaligned by one element");
      CG_H_NAME(run_conv_errors)(&rep, L, &D);
    }
  }
  free(D.x);
  free(D.w);
  free(D.b);
  free(D.ref_b);
  free(D.ref_nb);
  free(D.bound_b);
  free(D.bound_nb);
  free(ax);
  free(aw);
  free(ab);
  free(mag);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

#include "harness_grad_impl.h"

/* Each test is a loop over the layers of this dtype in its list: one
   iteration per layer, so Check reports every failing layer, not just the
   first. Lists with no layer add no test case. */
static void CG_H_NAME(add_tcases)(Suite *s, double timeout) {
  struct {
    const char *name;
    const TTest *test;
    int count;
  } t[] = {
      {"sizes_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_sizes), 0},
      {"im2col_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_im2col), 0},
      {"col2im_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_col2im), 0},
      {"conv_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_conv), 0},
#ifndef CG_TEST_NO_OVERLAP
      {"conv_overlap_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_conv_overlap), 0},
#endif
      {"adjoint_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_adjoint), 0},
      {"backward_data_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_backward_data), 1},
      {"backward_weights_" CG_H_STR(CG_H_SFX),
       CG_H_NAME(test_backward_weights), 1},
      {"backward_adjoint_" CG_H_STR(CG_H_SFX),
       CG_H_NAME(test_backward_adjoint), 1},
      {"transpose_sizes_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_transpose_sizes),
       2},
      {"transpose_" CG_H_STR(CG_H_SFX), CG_H_NAME(test_transpose), 2}};
  const int counts[3] = {CG_H_NAME(cg_layer_count),
                         CG_H_NAME(cg_backward_count),
                         CG_H_NAME(cg_transpose_count)};
  size_t k;
  for (k = 0; k < sizeof t / sizeof t[0]; ++k) {
    int n = counts[t[k].count];
    TCase *tc;
    if (n == 0)
      continue;
    tc = tcase_create(t[k].name);
    tcase_set_timeout(tc, timeout);
    tcase_add_loop_test(tc, t[k].test, 0, n);
    suite_add_tcase(s, tc);
  }
}

#undef CG_H_PASTE2
#undef CG_H_PASTE
#undef CG_H_NAME
#undef CG_H_STR2
#undef CG_H_STR
#undef CG_H_START_TEST
#undef CG_H_LAYER
#undef CG_H_LAYERS_ARRAY
#undef CG_H_ENTRY
#undef CG_H_BLAYER
#undef CG_H_BLAYERS_ARRAY
#undef CG_H_TLAYER
#undef CG_H_TLAYERS_ARRAY

/* Per-dtype gradient, conv_transpose2d and adjoint-identity tests of the Check harness, included by harness_impl.h. */
/* No include guard: harness_impl.h includes it once per dtype, after its own
   helpers (fill_random, fill, abs_of, alloc, compare) and with the same
   CG_H_* parameters plus
     CG_H_BACKWARD   X-macro list of the conv2d layers with backward = true
     CG_H_TRANSPOSE  X-macro list of the conv_transpose2d layers
   either of which may expand to nothing. */
#if !defined(CG_H_BACKWARD) || !defined(CG_H_TRANSPOSE)
#error "harness_grad_impl.h: CG_H_BACKWARD and CG_H_TRANSPOSE must be defined"
#endif

#define CG_H_BLAYER CG_H_NAME(cg_blayer)
#define CG_H_BLAYERS_ARRAY CG_H_NAME(cg_blayers)
#define CG_H_TLAYER CG_H_NAME(cg_tlayer)
#define CG_H_TLAYERS_ARRAY CG_H_NAME(cg_tlayers)

/* A conv2d layer generated with backward = true: its forward conv (for the
   adjoint identity) and both gradient functions. */
typedef struct {
  const char *name;
  const char *prefix;
  const cg_conv_desc *desc;
  int (*conv)(const CG_H_T *x, const CG_H_T *w, const CG_H_T *bias, CG_H_T *y,
              void *workspace);
  int (*backward_data)(const CG_H_T *dy, const CG_H_T *w, CG_H_T *dx,
                       void *workspace);
  int (*backward_weights)(const CG_H_T *x, const CG_H_T *dy, CG_H_T *dw,
                          CG_H_T *db, void *workspace);
  size_t ws_bytes;
} CG_H_BLAYER;

#define CG_H_BENTRY(sym, SYM)                                                  \
  {#sym, #SYM, &sym##_desc, sym##_conv, sym##_conv_backward_data,              \
   sym##_conv_backward_weights, (size_t)(SYM##_WORKSPACE_BYTES)},

static const CG_H_BLAYER CG_H_BLAYERS_ARRAY[] = {CG_H_BACKWARD(CG_H_BENTRY){0}};
static const int CG_H_NAME(cg_backward_count) =
    (int)(sizeof CG_H_BLAYERS_ARRAY / sizeof CG_H_BLAYERS_ARRAY[0]) - 1;

/* A conv_transpose2d layer: one function and the size macros it defines. */
typedef struct {
  const char *name;
  const char *prefix;
  const cg_conv_desc *desc;
  int (*transpose)(const CG_H_T *x, const CG_H_T *w, const CG_H_T *bias,
                   CG_H_T *y, void *workspace);
  size_t ws_bytes;
  long long n, c, h, w, m, kh, kw, oh, ow;
  long long input_elems, weight_elems, output_elems;
} CG_H_TLAYER;

#define CG_H_TENTRY(sym, SYM)                                                  \
  {#sym, #SYM, &sym##_desc, sym##_conv_transpose,                              \
   (size_t)(SYM##_WORKSPACE_BYTES), (long long)(SYM##_N), (long long)(SYM##_C), \
   (long long)(SYM##_H), (long long)(SYM##_W), (long long)(SYM##_M),           \
   (long long)(SYM##_KH), (long long)(SYM##_KW), (long long)(SYM##_OH),        \
   (long long)(SYM##_OW), (long long)(SYM##_INPUT_ELEMS),                      \
   (long long)(SYM##_WEIGHT_ELEMS), (long long)(SYM##_OUTPUT_ELEMS)},

static const CG_H_TLAYER CG_H_TLAYERS_ARRAY[] = {
    CG_H_TRANSPOSE(CG_H_TENTRY){0}};
static const int CG_H_NAME(cg_transpose_count) =
    (int)(sizeof CG_H_TLAYERS_ARRAY / sizeof CG_H_TLAYERS_ARRAY[0]) - 1;

/* ---- guarded calls of any generated function ---------------------------- */

#define CG_H_MAX_ARGS 4

/* One pointer argument of a generated function, in signature order. */
typedef struct {
  const char *name;   /* as in the contract: "dy", "dw", ... */
  size_t n;           /* elements */
  const CG_H_T *in;   /* an input's values; NULL marks an output */
  int optional;       /* may be passed as NULL (bias, db) */
  const CG_H_T *ref;  /* an output's expected values */
  const double *bound; /* and tolerance: |got - ref| <= atol + rel * bound */
  cg_shape shape;     /* an output's coordinates in messages */
} CG_H_NAME(arg);

/* A generated function and its arguments; call() passes p[k] as argument k. */
typedef struct {
  const char *fn;
  const void *layer;
  int (*call)(const void *layer, CG_H_T *const *p, void *workspace);
  size_t ws_bytes;
  int nargs;
  CG_H_NAME(arg) a[CG_H_MAX_ARGS];
} CG_H_NAME(job);

static int CG_H_NAME(job_alloc)(cg_guard *g, cg_guard *gws,
                                const CG_H_NAME(job) *J, size_t off) {
  int k, ok = 1;
  memset(g, 0, CG_H_MAX_ARGS * sizeof *g);
  for (k = 0; k < J->nargs; ++k)
    ok = cg_guard_alloc(&g[k], J->a[k].n * sizeof(CG_H_T), off) && ok;
  /* The workspace is the one buffer the contract requires to be aligned. */
  ok = cg_guard_alloc(gws, J->ws_bytes, 0) && ok;
  if (ok)
    for (k = 0; k < J->nargs; ++k)
      if (J->a[k].in != NULL)
        memcpy(g[k].p, J->a[k].in, J->a[k].n * sizeof(CG_H_T));
  return ok;
}

static void CG_H_NAME(job_free)(cg_guard *g, cg_guard *gws,
                                const CG_H_NAME(job) *J) {
  int k;
  for (k = 0; k < J->nargs; ++k)
    cg_guard_free(&g[k]);
  cg_guard_free(gws);
}

/* After any call: no canary touched, no input modified. */
static void CG_H_NAME(job_check_bufs)(cg_report *r, const cg_guard *g,
                                      const cg_guard *gws,
                                      const CG_H_NAME(job) *J,
                                      const char *call) {
  int k;
  for (k = 0; k < J->nargs; ++k) {
    cg_report_guard(r, &g[k], J->a[k].name, call);
    if (J->a[k].in != NULL)
      cg_report_unchanged(r, g[k].p, J->a[k].in, 0,
                          J->a[k].n * sizeof(CG_H_T), sizeof(CG_H_T),
                          J->a[k].name, call);
  }
  cg_report_guard(r, gws, "workspace", call);
}

/* A successful call: outputs start as NaN and the workspace as NaN bytes;
   the optional arguments whose bit is set in `omit` are passed as NULL.
   With off == 0 and no workspace declared, NULL is passed for it. */
static void CG_H_NAME(run_job)(cg_report *r, const cg_conv_desc *d,
                               const CG_H_NAME(job) *J, size_t off,
                               unsigned omit, const char *variant) {
  cg_guard g[CG_H_MAX_ARGS], gws;
  CG_H_T *p[CG_H_MAX_ARGS];
  char call[192];
  size_t len;
  void *ws;
  int k, rc;
  if (!CG_H_NAME(job_alloc)(g, &gws, J, off)) {
    cg_report_add(r, "%s(%s): out of memory", J->fn, variant);
    CG_H_NAME(job_free)(g, &gws, J);
    return;
  }
  ws = J->ws_bytes == 0 && off == 0 ? NULL : gws.p;
  len = (size_t)snprintf(call, sizeof call, "%s(%s", J->fn, variant);
  for (k = 0; k < J->nargs; ++k) {
    p[k] = (omit >> k) & 1u ? NULL : (CG_H_T *)g[k].p;
    if (J->a[k].in == NULL)
      CG_H_NAME(fill)(g[k].p, J->a[k].n, (CG_H_T)NAN);
    if (J->a[k].optional && len < sizeof call)
      len += (size_t)snprintf(call + len, sizeof call - len, ", %s=%s",
                              J->a[k].name, p[k] == NULL ? "NULL" : "given");
  }
  if (len < sizeof call)
    snprintf(call + len, sizeof call - len, ", workspace=%s)",
             ws == NULL ? "NULL" : "aligned");
  memset(gws.p, 0xFF, J->ws_bytes);
  cg_context_enter(r, call);
  rc = J->call(J->layer, p, ws);
  cg_context_leave();
  if (rc != CG_OK)
    cg_report_add(r, "%s returned %d, expected CG_OK", call, rc);
  CG_H_NAME(job_check_bufs)(r, g, &gws, J, call);
  for (k = 0; k < J->nargs; ++k) {
    char what[224];
    if (J->a[k].in != NULL || p[k] == NULL)
      continue;
    snprintf(what, sizeof what, "%s %s", call, J->a[k].name);
    CG_H_NAME(compare)(r, d, J->a[k].shape, what, g[k].p, J->a[k].ref,
                       J->a[k].n, J->a[k].bound, CG_H_MIN,
                       CG_CONV_C * CG_H_EPS);
  }
  CG_H_NAME(job_free)(g, &gws, J);
}

/* Argument errors: each required pointer NULL in turn, then the workspace
   NULL, 32 bytes and one element off 64 (when the layer declares one). The
   return code must say so and every output (pre-filled with a byte pattern,
   optional ones given) must be left exactly as it was. */
static void CG_H_NAME(run_job_errors)(cg_report *r, const CG_H_NAME(job) *J) {
  static const struct {
    const char *what;
    int null_ws;
    size_t ws_off;
    int expect;
  } ws_cases[] = {
      {"workspace=NULL", 1, 0, CG_ERR_NULL_POINTER},
      {"workspace 32 bytes off 64", 0, 32, CG_ERR_WORKSPACE_ALIGN},
      {"workspace one element off 64", 0, sizeof(CG_H_T),
       CG_ERR_WORKSPACE_ALIGN}};
  cg_guard g[CG_H_MAX_ARGS], gws;
  int ncases = J->nargs + (int)(sizeof ws_cases / sizeof ws_cases[0]), c, k;
  if (!CG_H_NAME(job_alloc)(g, &gws, J, 0)) {
    cg_report_add(r, "%s(argument errors): out of memory", J->fn);
    CG_H_NAME(job_free)(g, &gws, J);
    return;
  }
  for (c = 0; c < ncases; ++c) {
    CG_H_T *p[CG_H_MAX_ARGS];
    cg_guard gmis;
    void *ws = gws.p;
    int expect = CG_ERR_NULL_POINTER, rc;
    char call[160];
    memset(&gmis, 0, sizeof gmis);
    if (c < J->nargs) {
      if (J->a[c].optional)
        continue;
      snprintf(call, sizeof call, "%s(%s=NULL)", J->fn, J->a[c].name);
    } else {
      int w = c - J->nargs;
      /* Without a workspace, NULL or misaligned ones are legal. */
      if (J->ws_bytes == 0)
        continue;
      expect = ws_cases[w].expect;
      if (ws_cases[w].null_ws) {
        ws = NULL;
      } else {
        if (!cg_guard_alloc(&gmis, J->ws_bytes, ws_cases[w].ws_off)) {
          cg_report_add(r, "%s(%s): out of memory", J->fn, ws_cases[w].what);
          continue;
        }
        ws = gmis.p;
      }
      snprintf(call, sizeof call, "%s(%s)", J->fn, ws_cases[w].what);
    }
    for (k = 0; k < J->nargs; ++k) {
      /* An optional input with no elements (no bias) is not passed. */
      p[k] = k == c || (J->a[k].optional && J->a[k].n == 0)
                 ? NULL
                 : (CG_H_T *)g[k].p;
      if (J->a[k].in == NULL)
        memset(g[k].p, 0x5A, J->a[k].n * sizeof(CG_H_T));
    }
    cg_context_enter(r, call);
    rc = J->call(J->layer, p, ws);
    cg_context_leave();
    if (rc != expect)
      cg_report_add(r, "%s returned %d, expected %d (%s)", call, rc, expect,
                    expect == CG_ERR_NULL_POINTER ? "CG_ERR_NULL_POINTER"
                                                  : "CG_ERR_WORKSPACE_ALIGN");
    for (k = 0; k < J->nargs; ++k)
      if (J->a[k].in == NULL && p[k] != NULL)
        cg_report_unchanged(r, g[k].p, NULL, 0x5A,
                            J->a[k].n * sizeof(CG_H_T), sizeof(CG_H_T),
                            J->a[k].name, call);
    CG_H_NAME(job_check_bufs)(r, g, &gws, J, call);
    cg_report_guard(r, &gmis, "workspace", call);
    cg_guard_free(&gmis);
  }
  CG_H_NAME(job_free)(g, &gws, J);
}

#ifndef CG_TEST_NO_OVERLAP
/* Aliasing (docs/contract.md): for every output (and the workspace) and every
   other argument, the two placed in one block so that they start together,
   share just one element, or merely touch. The first two must return
   CG_ERR_OVERLAP with not one byte of the block written; touching must be
   CG_OK. The workspace is always placed first, so it stays 64-byte aligned. */
static void CG_H_NAME(run_job_overlap)(cg_report *r, const CG_H_NAME(job) *J) {
  cg_guard g[CG_H_MAX_ARGS], gws;
  const int ws = J->nargs; /* slot index of the workspace */
  int o, j, place;
  if (!CG_H_NAME(job_alloc)(g, &gws, J, 0)) {
    cg_report_add(r, "%s(overlap): out of memory", J->fn);
    CG_H_NAME(job_free)(g, &gws, J);
    return;
  }
  for (o = 0; o <= J->nargs; ++o) {
    size_t o_bytes = o == ws ? J->ws_bytes : J->a[o].n * sizeof(CG_H_T);
    if (o_bytes == 0 || (o < ws && J->a[o].in != NULL))
      continue; /* not an output, or nothing to overlap */
    for (j = 0; j <= J->nargs; ++j) {
      size_t j_bytes = j == ws ? J->ws_bytes : J->a[j].n * sizeof(CG_H_T);
      /* an output pair is tried once, from its first member */
      int first_slot = o == ws || (j != ws && J->a[j].in != NULL) ? o : j;
      size_t first_bytes = first_slot == o ? o_bytes : j_bytes;
      if (j == o || j_bytes == 0 ||
          (j != ws && J->a[j].in == NULL && j < o && o != ws))
        continue;
      for (place = 0; place < 3; ++place) {
        /* the second buffer starts at the first's start, last element, end */
        size_t at = place == 0   ? 0
                    : place == 1 ? first_bytes - sizeof(CG_H_T)
                                 : first_bytes;
        size_t second_bytes = first_slot == o ? j_bytes : o_bytes;
        size_t block = at + second_bytes > first_bytes ? at + second_bytes
                                                       : first_bytes;
        unsigned char *before;
        CG_H_T *p[CG_H_MAX_ARGS];
        void *wsp = gws.p;
        cg_guard gb;
        char call[192];
        int k, rc, expect = place == 2 ? CG_OK : CG_ERR_OVERLAP;
        if (!cg_guard_alloc(&gb, block, 0) || (before = malloc(block)) == NULL) {
          cg_report_add(r, "%s(overlap): out of memory", J->fn);
          cg_guard_free(&gb);
          continue;
        }
        for (k = 0; k < J->nargs; ++k)
          p[k] = J->a[k].optional && J->a[k].n == 0 ? NULL : (CG_H_T *)g[k].p;
        {
          int second_slot = first_slot == o ? j : o;
          unsigned char *base = gb.p;
          int slots[2];
          size_t offs[2];
          int s;
          slots[0] = first_slot;
          slots[1] = second_slot;
          offs[0] = 0;
          offs[1] = at;
          memset(base, 0x5A, block);
          for (s = 0; s < 2; ++s) {
            if (slots[s] == ws)
              wsp = base + offs[s];
            else {
              p[slots[s]] = (CG_H_T *)(void *)(base + offs[s]);
              if (J->a[slots[s]].in != NULL)
                memcpy(base + offs[s], J->a[slots[s]].in,
                       J->a[slots[s]].n * sizeof(CG_H_T));
            }
          }
          snprintf(call, sizeof call, "%s(%s %s %s)", J->fn,
                   second_slot == ws ? "workspace" : J->a[second_slot].name,
                   place == 0   ? "starting at"
                   : place == 1 ? "starting at the last element of"
                                : "right after",
                   first_slot == ws ? "workspace" : J->a[first_slot].name);
        }
        memcpy(before, gb.p, block);
        cg_context_enter(r, call);
        rc = J->call(J->layer, p, wsp);
        cg_context_leave();
        if (rc != expect)
          cg_report_add(r, "%s returned %d, expected %d (%s)", call, rc, expect,
                        expect == CG_OK ? "CG_OK" : "CG_ERR_OVERLAP");
        else if (expect != CG_OK && memcmp(before, gb.p, block) != 0)
          cg_report_add(r, "%s returned CG_ERR_OVERLAP but wrote its arguments",
                        call);
        cg_report_guard(r, &gb, "overlap block", call);
        CG_H_NAME(job_check_bufs)(r, g, &gws, J, call);
        free(before);
        cg_guard_free(&gb);
      }
    }
  }
  CG_H_NAME(job_free)(g, &gws, J);
}
#endif

static int CG_H_NAME(call_backward_data)(const void *layer, CG_H_T *const *p,
                                         void *ws) {
  const CG_H_BLAYER *L = layer;
  return L->backward_data(p[0], p[1], p[2], ws);
}

static int CG_H_NAME(call_backward_weights)(const void *layer,
                                            CG_H_T *const *p, void *ws) {
  const CG_H_BLAYER *L = layer;
  return L->backward_weights(p[0], p[1], p[2], p[3], ws);
}

static int CG_H_NAME(call_transpose)(const void *layer, CG_H_T *const *p,
                                     void *ws) {
  const CG_H_TLAYER *L = layer;
  return L->transpose(p[0], p[1], p[2], p[3], ws);
}

static CG_H_NAME(arg) CG_H_NAME(input)(const char *name, const CG_H_T *v,
                                       size_t n, int optional) {
  CG_H_NAME(arg) a;
  memset(&a, 0, sizeof a);
  a.name = name;
  a.in = v;
  a.n = n;
  a.optional = optional;
  return a;
}

static CG_H_NAME(arg) CG_H_NAME(output)(const char *name, size_t n,
                                        int optional, const CG_H_T *ref,
                                        const double *bound, cg_shape shape) {
  CG_H_NAME(arg) a;
  memset(&a, 0, sizeof a);
  a.name = name;
  a.n = n;
  a.optional = optional;
  a.ref = ref;
  a.bound = bound;
  a.shape = shape;
  return a;
}

#ifndef CG_TEST_NO_OVERLAP
static int CG_H_NAME(call_conv)(const void *layer, CG_H_T *const *p,
                                void *ws) {
  const CG_H_LAYER *L = layer;
  return L->conv(p[0], p[1], p[2], p[3], ws);
}

/* conv's aliasing checks (the gradients' and conv_transpose2d's run with
   their own tests). */
CG_H_START_TEST(CG_H_NAME(test_conv_overlap)) {
  const CG_H_LAYER *L = &CG_H_LAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  size_t nx = cg_input_elems(d), nw = cg_weight_elems(d),
         nb = d->has_bias ? (size_t)d->m : 0, ny = cg_output_elems(d);
  CG_H_T *x = CG_H_NAME(alloc)(nx), *w = CG_H_NAME(alloc)(nw),
         *b = CG_H_NAME(alloc)(nb);
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (!x || !w || !b) {
    cg_report_add(&rep, "out of memory");
  } else {
    CG_H_NAME(job) J;
    CG_H_NAME(fill_random)(x, nx, _i, 21);
    CG_H_NAME(fill_random)(w, nw, _i, 22);
    CG_H_NAME(fill_random)(b, nb, _i, 23);
    memset(&J, 0, sizeof J);
    J.fn = "conv";
    J.layer = L;
    J.call = CG_H_NAME(call_conv);
    J.ws_bytes = L->ws_bytes;
    J.nargs = 4;
    J.a[0] = CG_H_NAME(input)("x", x, nx, 0);
    J.a[1] = CG_H_NAME(input)("w", w, nw, 0);
    J.a[2] = CG_H_NAME(input)("bias", b, nb, 1);
    J.a[3] = CG_H_NAME(output)("y", ny, 0, NULL, NULL, CG_SHAPE_OUTPUT);
    CG_H_NAME(run_job_overlap)(&rep, &J);
  }
  free(x);
  free(w);
  free(b);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST
#endif

/* bound[i] = k * mag[i]. */
static void CG_H_NAME(scale_bound)(double *bound, const CG_H_T *mag, size_t n,
                                   double k) {
  size_t i;
  for (i = 0; i < n; ++i)
    bound[i] = k * (double)mag[i];
}

/* ---- backward data ------------------------------------------------------ */

CG_H_START_TEST(CG_H_NAME(test_backward_data)) {
  const CG_H_BLAYER *L = &CG_H_BLAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  CG_H_T *dy = NULL, *w = NULL, *ref = NULL, *ady = NULL, *aw = NULL,
         *mag = NULL;
  double *bound = NULL;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_H_DTYPE) == 0) {
    size_t nx = cg_input_elems(d), nw = cg_weight_elems(d),
           ny = cg_output_elems(d);
    /* Each dx element sums at most one dy per output channel of its group
       and kernel tap. */
    double k = (double)(d->m / d->groups) * (double)d->kh * (double)d->kw;
    dy = CG_H_NAME(alloc)(ny);
    w = CG_H_NAME(alloc)(nw);
    ref = CG_H_NAME(alloc)(nx);
    ady = CG_H_NAME(alloc)(ny);
    aw = CG_H_NAME(alloc)(nw);
    mag = CG_H_NAME(alloc)(nx);
    bound = malloc((nx > 0 ? nx : 1) * sizeof *bound);
    if (!dy || !w || !ref || !ady || !aw || !mag || !bound) {
      cg_report_add(&rep, "out of memory");
    } else {
      CG_H_NAME(job) J;
      CG_H_NAME(fill_random)(dy, ny, _i, 11);
      CG_H_NAME(fill_random)(w, nw, _i, 12);
      CG_H_NAME(cg_ref_conv_backward_data)(d, dy, w, ref);
      CG_H_NAME(abs_of)(ady, dy, ny);
      CG_H_NAME(abs_of)(aw, w, nw);
      CG_H_NAME(cg_ref_conv_backward_data)(d, ady, aw, mag);
      CG_H_NAME(scale_bound)(bound, mag, nx, k);
      memset(&J, 0, sizeof J);
      J.fn = "conv_backward_data";
      J.layer = L;
      J.call = CG_H_NAME(call_backward_data);
      J.ws_bytes = L->ws_bytes;
      J.nargs = 3;
      J.a[0] = CG_H_NAME(input)("dy", dy, ny, 0);
      J.a[1] = CG_H_NAME(input)("w", w, nw, 0);
      J.a[2] = CG_H_NAME(output)("dx", nx, 0, ref, bound, CG_SHAPE_INPUT);
      CG_H_NAME(run_job)(&rep, d, &J, 0, 0, "aligned");
      CG_H_NAME(run_job)(&rep, d, &J, sizeof(CG_H_T), 0,
                         "dy, w, dx misaligned by one element");
      CG_H_NAME(run_job_errors)(&rep, &J);
#ifndef CG_TEST_NO_OVERLAP
      CG_H_NAME(run_job_overlap)(&rep, &J);
#endif
    }
  }
  free(dy);
  free(w);
  free(ref);
  free(ady);
  free(aw);
  free(mag);
  free(bound);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* ---- backward weights (and db) ------------------------------------------ */

CG_H_START_TEST(CG_H_NAME(test_backward_weights)) {
  const CG_H_BLAYER *L = &CG_H_BLAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  CG_H_T *x = NULL, *dy = NULL, *ref_dw = NULL, *ref_db = NULL, *ax = NULL,
         *ady = NULL, *mag_dw = NULL, *mag_db = NULL;
  double *bound_dw = NULL, *bound_db = NULL;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_H_DTYPE) == 0) {
    size_t nx = cg_input_elems(d), nw = cg_weight_elems(d),
           ny = cg_output_elems(d), nb = (size_t)d->m;
    /* Each dw element and each db element sums one product (one dy) per
       image and output pixel. */
    double k = (double)d->n * (double)d->oh * (double)d->ow;
    x = CG_H_NAME(alloc)(nx);
    dy = CG_H_NAME(alloc)(ny);
    ref_dw = CG_H_NAME(alloc)(nw);
    ref_db = CG_H_NAME(alloc)(nb);
    ax = CG_H_NAME(alloc)(nx);
    ady = CG_H_NAME(alloc)(ny);
    mag_dw = CG_H_NAME(alloc)(nw);
    mag_db = CG_H_NAME(alloc)(nb);
    bound_dw = malloc((nw > 0 ? nw : 1) * sizeof *bound_dw);
    bound_db = malloc((nb > 0 ? nb : 1) * sizeof *bound_db);
    if (!x || !dy || !ref_dw || !ref_db || !ax || !ady || !mag_dw ||
        !mag_db || !bound_dw || !bound_db) {
      cg_report_add(&rep, "out of memory");
    } else {
      CG_H_NAME(job) J;
      CG_H_NAME(fill_random)(x, nx, _i, 13);
      CG_H_NAME(fill_random)(dy, ny, _i, 14);
      CG_H_NAME(cg_ref_conv_backward_weights)(d, x, dy, ref_dw, ref_db);
      CG_H_NAME(abs_of)(ax, x, nx);
      CG_H_NAME(abs_of)(ady, dy, ny);
      CG_H_NAME(cg_ref_conv_backward_weights)(d, ax, ady, mag_dw, mag_db);
      CG_H_NAME(scale_bound)(bound_dw, mag_dw, nw, k);
      CG_H_NAME(scale_bound)(bound_db, mag_db, nb, k);
      memset(&J, 0, sizeof J);
      J.fn = "conv_backward_weights";
      J.layer = L;
      J.call = CG_H_NAME(call_backward_weights);
      J.ws_bytes = L->ws_bytes;
      J.nargs = 4;
      J.a[0] = CG_H_NAME(input)("x", x, nx, 0);
      J.a[1] = CG_H_NAME(input)("dy", dy, ny, 0);
      J.a[2] = CG_H_NAME(output)("dw", nw, 0, ref_dw, bound_dw,
                                 CG_SHAPE_WEIGHT);
      J.a[3] = CG_H_NAME(output)("db", nb, 1, ref_db, bound_db,
                                 CG_SHAPE_BIAS);
      CG_H_NAME(run_job)(&rep, d, &J, 0, 0, "aligned");
      CG_H_NAME(run_job)(&rep, d, &J, 0, 1u << 3, "aligned");
      CG_H_NAME(run_job)(&rep, d, &J, sizeof(CG_H_T), 0,
                         "x, dy, dw, db misaligned by one element");
      CG_H_NAME(run_job)(&rep, d, &J, sizeof(CG_H_T), 1u << 3,
                         "x, dy, dw misaligned by one element");
      CG_H_NAME(run_job_errors)(&rep, &J);
#ifndef CG_TEST_NO_OVERLAP
      CG_H_NAME(run_job_overlap)(&rep, &J);
#endif
    }
  }
  free(x);
  free(dy);
  free(ref_dw);
  free(ref_db);
  free(ax);
  free(ady);
  free(mag_dw);
  free(mag_db);
  free(bound_dw);
  free(bound_db);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* ---- conv_transpose2d --------------------------------------------------- */

CG_H_START_TEST(CG_H_NAME(test_transpose_sizes)) {
  const CG_H_TLAYER *L = &CG_H_TLAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  const char *p = L->prefix;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  cg_desc_validate_transpose(&rep, d, CG_H_DTYPE);
  cg_report_same(&rep, p, "N", L->n, d->n);
  cg_report_same(&rep, p, "C", L->c, d->c);
  cg_report_same(&rep, p, "H", L->h, d->h);
  cg_report_same(&rep, p, "W", L->w, d->w);
  cg_report_same(&rep, p, "M", L->m, d->m);
  cg_report_same(&rep, p, "KH", L->kh, d->kh);
  cg_report_same(&rep, p, "KW", L->kw, d->kw);
  cg_report_same(&rep, p, "OH", L->oh, d->oh);
  cg_report_same(&rep, p, "OW", L->ow, d->ow);
  cg_report_same(&rep, p, "INPUT_ELEMS", L->input_elems,
                 (long long)cg_input_elems(d));
  cg_report_same(&rep, p, "WEIGHT_ELEMS", L->weight_elems,
                 (long long)cg_weight_elems(d));
  cg_report_same(&rep, p, "OUTPUT_ELEMS", L->output_elems,
                 (long long)cg_output_elems(d));
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

CG_H_START_TEST(CG_H_NAME(test_transpose)) {
  const CG_H_TLAYER *L = &CG_H_TLAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  CG_H_T *x = NULL, *w = NULL, *b = NULL, *ref_b = NULL, *ref_nb = NULL,
         *ax = NULL, *aw = NULL, *ab = NULL, *mag = NULL;
  double *bound_b = NULL, *bound_nb = NULL;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate_transpose(&rep, d, CG_H_DTYPE) == 0) {
    size_t nx = cg_input_elems(d), nw = cg_weight_elems(d),
           ny = cg_output_elems(d), nb = d->has_bias ? (size_t)d->m : 0;
    /* Each output sums at most one product per input channel of its group
       and kernel tap, plus the bias. */
    double k = (double)(d->c / d->groups) * (double)d->kh * (double)d->kw;
    cg_conv_desc plain = *d;
    plain.activation = CG_ACT_NONE;
    x = CG_H_NAME(alloc)(nx);
    w = CG_H_NAME(alloc)(nw);
    b = CG_H_NAME(alloc)(nb);
    ref_b = CG_H_NAME(alloc)(ny);
    ref_nb = CG_H_NAME(alloc)(ny);
    ax = CG_H_NAME(alloc)(nx);
    aw = CG_H_NAME(alloc)(nw);
    ab = CG_H_NAME(alloc)(nb);
    mag = CG_H_NAME(alloc)(ny);
    bound_b = malloc((ny > 0 ? ny : 1) * sizeof *bound_b);
    bound_nb = malloc((ny > 0 ? ny : 1) * sizeof *bound_nb);
    if (!x || !w || !b || !ref_b || !ref_nb || !ax || !aw || !ab || !mag ||
        !bound_b || !bound_nb) {
      cg_report_add(&rep, "out of memory");
    } else {
      CG_H_NAME(job) J;
      CG_H_NAME(fill_random)(x, nx, _i, 15);
      CG_H_NAME(fill_random)(w, nw, _i, 16);
      CG_H_NAME(fill_random)(b, nb, _i, 17);
      CG_H_NAME(abs_of)(ax, x, nx);
      CG_H_NAME(abs_of)(aw, w, nw);
      CG_H_NAME(abs_of)(ab, b, nb);
      CG_H_NAME(cg_ref_conv_transpose)(d, x, w, NULL, ref_nb);
      CG_H_NAME(cg_ref_conv_transpose)(&plain, ax, aw, NULL, mag);
      CG_H_NAME(scale_bound)(bound_nb, mag, ny, k);
      if (d->has_bias) {
        CG_H_NAME(cg_ref_conv_transpose)(d, x, w, b, ref_b);
        CG_H_NAME(cg_ref_conv_transpose)(&plain, ax, aw, ab, mag);
        CG_H_NAME(scale_bound)(bound_b, mag, ny, k);
      }
      memset(&J, 0, sizeof J);
      J.fn = "conv_transpose";
      J.layer = L;
      J.call = CG_H_NAME(call_transpose);
      J.ws_bytes = L->ws_bytes;
      J.nargs = 4;
      J.a[0] = CG_H_NAME(input)("x", x, nx, 0);
      J.a[1] = CG_H_NAME(input)("w", w, nw, 0);
      J.a[2] = CG_H_NAME(input)("bias", b, nb, 1);
      J.a[3] = CG_H_NAME(output)("y", ny, 0, ref_nb, bound_nb,
                                 CG_SHAPE_OUTPUT);
      CG_H_NAME(run_job)(&rep, d, &J, 0, 1u << 2, "aligned");
      CG_H_NAME(run_job)(&rep, d, &J, sizeof(CG_H_T), 1u << 2,
                         "x, w, y misaligned by one element");
      if (d->has_bias) {
        J.a[3].ref = ref_b;
        J.a[3].bound = bound_b;
        CG_H_NAME(run_job)(&rep, d, &J, 0, 0, "aligned");
        CG_H_NAME(run_job)(&rep, d, &J, sizeof(CG_H_T), 0,
                           "x, w, bias, y misaligned by one element");
      }
      CG_H_NAME(run_job_errors)(&rep, &J);
#ifndef CG_TEST_NO_OVERLAP
      CG_H_NAME(run_job_overlap)(&rep, &J);
#endif
    }
  }
  free(x);
  free(w);
  free(b);
  free(ref_b);
  free(ref_nb);
  free(ax);
  free(aw);
  free(ab);
  free(mag);
  free(bound_b);
  free(bound_nb);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* ---- adjoint identities (property tests, no reference values) ----------- */

/* sum a[i]*b[i] in double; *mag gets sum |a[i]*b[i]|. */
static double CG_H_NAME(dot)(const CG_H_T *a, const CG_H_T *b, size_t n,
                             double *mag) {
  double s = 0.0, m = 0.0;
  size_t i;
  for (i = 0; i < n; ++i) {
    double t = (double)a[i] * (double)b[i];
    s += t;
    m += fabs(t);
  }
  *mag = m;
  return s;
}

/* Adds a problem unless |lhs - rhs| <= tol (a NaN side fails). */
static void CG_H_NAME(check_identity)(cg_report *r, const char *what,
                                      double lhs, double rhs, double tol) {
  if (!(fabs(lhs - rhs) <= tol))
    cg_report_add(r, "%s: %.*g vs %.*g, |diff| %.3g > tol %.3g", what,
                  CG_H_DIGITS, lhs, CG_H_DIGITS, rhs, fabs(lhs - rhs), tol);
}

/* <im2col(x), c> == <x, col2im(c)> through the generated functions, one
   image, NaN-filled outputs, every buffer guarded. */
CG_H_START_TEST(CG_H_NAME(test_adjoint)) {
  const CG_H_LAYER *L = &CG_H_LAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  cg_guard gx, gc, gcol, gimg;
  cg_report rep;
  memset(&gx, 0, sizeof gx);
  memset(&gc, 0, sizeof gc);
  memset(&gcol, 0, sizeof gcol);
  memset(&gimg, 0, sizeof gimg);
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_H_DTYPE) == 0) {
    size_t nx = (size_t)d->c * (size_t)d->h * (size_t)d->w;
    size_t ncol = cg_col_rows(d) * cg_col_cols(d);
    int ok = cg_guard_alloc(&gx, nx * sizeof(CG_H_T), 0);
    ok = cg_guard_alloc(&gc, ncol * sizeof(CG_H_T), 0) && ok;
    ok = cg_guard_alloc(&gcol, ncol * sizeof(CG_H_T), 0) && ok;
    ok = cg_guard_alloc(&gimg, nx * sizeof(CG_H_T), 0) && ok;
    if (!ok) {
      cg_report_add(&rep, "out of memory");
    } else {
      double lhs, rhs, a, unused, tol;
      CG_H_NAME(fill_random)(gx.p, nx, _i, 18);
      CG_H_NAME(fill_random)(gc.p, ncol, _i, 19);
      CG_H_NAME(fill)(gcol.p, ncol, (CG_H_T)NAN);
      CG_H_NAME(fill)(gimg.p, nx, (CG_H_T)NAN);
      cg_context_enter(&rep, "im2col (adjoint identity)");
      L->im2col(gx.p, gcol.p);
      cg_context_enter(&rep, "col2im (adjoint identity)");
      L->col2im(gc.p, gimg.p);
      cg_context_leave();
      cg_report_guard(&rep, &gx, "x", "im2col (adjoint identity)");
      cg_report_guard(&rep, &gcol, "col", "im2col (adjoint identity)");
      cg_report_guard(&rep, &gc, "col", "col2im (adjoint identity)");
      cg_report_guard(&rep, &gimg, "x", "col2im (adjoint identity)");
      lhs = CG_H_NAME(dot)(gcol.p, gc.p, ncol, &a);
      rhs = CG_H_NAME(dot)(gx.p, gimg.p, nx, &unused);
      tol = CG_ADJOINT_K *
            ((double)d->kh * (double)d->kw * CG_H_EPS +
             (double)(ncol + nx) * DBL_EPSILON) * a;
      CG_H_NAME(check_identity)(&rep, "<im2col(x), c> vs <x, col2im(c)>",
                                lhs, rhs, tol);
    }
  }
  cg_guard_free(&gx);
  cg_guard_free(&gc);
  cg_guard_free(&gcol);
  cg_guard_free(&gimg);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* Output channel of flat output index i. */
static size_t CG_H_NAME(out_channel)(const cg_conv_desc *d, size_t i) {
  if (d->layout == CG_LAYOUT_NHWC)
    return i % (size_t)d->m;
  return i / ((size_t)d->oh * (size_t)d->ow) % (size_t)d->m;
}

/* <conv(x, w), dy> == <x, backward_data(dy, w)> == <w, backward_weights(x,
   dy)> and <b, db> == sum_p b[m(p)] dy[p], for the generated functions
   (conv without bias; through the reference when the layer has an
   activation, which the generated conv cannot leave out). */
CG_H_START_TEST(CG_H_NAME(test_backward_adjoint)) {
  const CG_H_BLAYER *L = &CG_H_BLAYERS_ARRAY[_i];
  const cg_conv_desc *d = L->desc;
  enum { X, W, DY, B, Y, DX, DW, DB, WS, NBUF };
  static const char *const names[NBUF] = {"x", "w", "dy", "bias", "y",
                                          "dx", "dw", "db", "workspace"};
  cg_guard g[NBUF];
  CG_H_T *ax = NULL, *aw = NULL, *mag = NULL;
  cg_report rep;
  int k;
  memset(g, 0, sizeof g);
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_H_DTYPE) == 0) {
    size_t nx = cg_input_elems(d), nw = cg_weight_elems(d),
           ny = cg_output_elems(d), nb = (size_t)d->m, i;
    size_t n[NBUF];
    int ok = 1;
    n[X] = n[DX] = nx;
    n[W] = n[DW] = nw;
    n[DY] = n[Y] = ny;
    n[B] = n[DB] = nb;
    for (k = 0; k < NBUF; ++k)
      ok = cg_guard_alloc(&g[k], k == WS ? L->ws_bytes : n[k] * sizeof(CG_H_T),
                          0) && ok;
    ax = CG_H_NAME(alloc)(nx);
    aw = CG_H_NAME(alloc)(nw);
    mag = CG_H_NAME(alloc)(ny);
    if (!ok || !ax || !aw || !mag) {
      cg_report_add(&rep, "out of memory");
    } else {
      const char *call[3] = {"conv (adjoint identity)",
                             "conv_backward_data (adjoint identity)",
                             "conv_backward_weights (adjoint identity)"};
      CG_H_T *in[4];
      int rc[3] = {CG_OK, CG_OK, CG_OK};
      /* Reduction lengths of conv, backward data and backward weights. */
      double k_y = (double)(d->c / d->groups) * (double)d->kh * (double)d->kw;
      double k_dx = (double)(d->m / d->groups) * (double)d->kh * (double)d->kw;
      double k_dw = (double)d->n * (double)d->oh * (double)d->ow;
      double a = 0.0, bmag = 0.0, unused, l0, l1, l2, lb = 0.0, ldb;
      cg_conv_desc plain = *d;
      plain.activation = CG_ACT_NONE;
      CG_H_NAME(fill_random)(g[X].p, nx, _i, 20);
      CG_H_NAME(fill_random)(g[W].p, nw, _i, 21);
      CG_H_NAME(fill_random)(g[DY].p, ny, _i, 22);
      CG_H_NAME(fill_random)(g[B].p, nb, _i, 23);
      /* Snapshots of the inputs, to see that no call modified them. */
      for (k = X; k <= B; ++k) {
        in[k] = CG_H_NAME(alloc)(n[k]);
        if (in[k] != NULL)
          memcpy(in[k], g[k].p, n[k] * sizeof(CG_H_T));
        else
          cg_report_add(&rep, "out of memory");
      }
      CG_H_NAME(fill)(g[Y].p, ny, (CG_H_T)NAN);
      CG_H_NAME(fill)(g[DX].p, nx, (CG_H_T)NAN);
      CG_H_NAME(fill)(g[DW].p, nw, (CG_H_T)NAN);
      CG_H_NAME(fill)(g[DB].p, nb, (CG_H_T)NAN);
      memset(g[WS].p, 0xFF, L->ws_bytes);
      if (d->activation == CG_ACT_NONE) {
        cg_context_enter(&rep, call[0]);
        rc[0] = L->conv(g[X].p, g[W].p, NULL, g[Y].p, g[WS].p);
      } else {
        CG_H_NAME(cg_ref_conv)(&plain, g[X].p, g[W].p, NULL, g[Y].p);
      }
      cg_context_enter(&rep, call[1]);
      rc[1] = L->backward_data(g[DY].p, g[W].p, g[DX].p, g[WS].p);
      cg_context_enter(&rep, call[2]);
      rc[2] = L->backward_weights(g[X].p, g[DY].p, g[DW].p, g[DB].p, g[WS].p);
      cg_context_leave();
      for (k = 0; k < 3; ++k)
        if (rc[k] != CG_OK)
          cg_report_add(&rep, "%s returned %d, expected CG_OK", call[k],
                        rc[k]);
      for (k = 0; k < NBUF; ++k)
        cg_report_guard(&rep, &g[k], names[k], "the adjoint identity's calls");
      for (k = X; k <= B; ++k)
        if (in[k] != NULL)
          cg_report_unchanged(&rep, g[k].p, in[k], 0, n[k] * sizeof(CG_H_T),
                              sizeof(CG_H_T), names[k],
                              "the adjoint identity's calls");
      for (k = X; k <= B; ++k)
        free(in[k]);
      /* A = sum over every (output, tap) of |x*w*dy|, the magnitude all
         three inner products share. */
      CG_H_NAME(abs_of)(ax, g[X].p, nx);
      CG_H_NAME(abs_of)(aw, g[W].p, nw);
      CG_H_NAME(cg_ref_conv)(&plain, ax, aw, NULL, mag);
      for (i = 0; i < ny; ++i) {
        double dyi = (double)((CG_H_T *)g[DY].p)[i];
        double bi = (double)((CG_H_T *)g[B].p)[CG_H_NAME(out_channel)(d, i)];
        a += fabs(dyi) * (double)mag[i];
        lb += bi * dyi;
        bmag += fabs(bi * dyi);
      }
      l0 = CG_H_NAME(dot)(g[Y].p, g[DY].p, ny, &unused);
      l1 = CG_H_NAME(dot)(g[X].p, g[DX].p, nx, &unused);
      l2 = CG_H_NAME(dot)(g[W].p, g[DW].p, nw, &unused);
      ldb = CG_H_NAME(dot)(g[B].p, g[DB].p, nb, &unused);
      CG_H_NAME(check_identity)(
          &rep, "<conv(x, w), dy> vs <x, backward_data(dy, w)>", l0, l1,
          (CG_CONV_C * CG_H_EPS * (k_y + k_dx) +
           CG_ADJOINT_K * (double)(ny + nx) * DBL_EPSILON) * a);
      CG_H_NAME(check_identity)(
          &rep, "<conv(x, w), dy> vs <w, backward_weights(x, dy)>", l0, l2,
          (CG_CONV_C * CG_H_EPS * (k_y + k_dw) +
           CG_ADJOINT_K * (double)(ny + nw) * DBL_EPSILON) * a);
      CG_H_NAME(check_identity)(
          &rep, "sum_p bias[m(p)]*dy[p] vs <bias, db>", lb, ldb,
          (CG_CONV_C * CG_H_EPS * k_dw +
           CG_ADJOINT_K * (double)(ny + nb) * DBL_EPSILON) * bmag);
    }
  }
  for (k = 0; k < NBUF; ++k)
    cg_guard_free(&g[k]);
  free(ax);
  free(aw);
  free(mag);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

#undef CG_H_MAX_ARGS
#undef CG_H_BENTRY
#undef CG_H_TENTRY

/* s8 half of the Check harness: every int8 layer of a model against cg_ref_conv_s8, bit for bit (docs/int8.md). */
/* Included once by harness_main.c when CG_TEST_LAYERS_S8 names the model's
   X-macro list of s8 layers. What it checks, per layer:
     sizes   every SYM_* macro against the descriptor (dtype CG_DTYPE_S8)
     im2col  exactly the f32 reference's im2col of (x - input zero point),
             plus the zero point back: padding must hold the zero point
     conv    exactly cg_ref_conv_s8 with the layer's P_quant, on three data
             sets (random; every x and w at an extreme of its range with the
             largest bias the int32 accumulator allows; x mostly at the zero
             point), bias given and NULL, x/w/y aligned and one byte off; y is
             filled with two different bytes before two otherwise identical
             calls (an unwritten output cannot match the reference both
             times, as NaN does for float), the workspace with 0xFF; canaries
             around every buffer; const inputs unchanged
     errors  NULL pointers, a misaligned workspace and y overlapping x return
             their codes with y untouched. */
#include <limits.h>

typedef struct {
  const char *name, *prefix;
  const cg_conv_desc *desc;
  const cg_quant_s8 *quant;
  void (*im2col)(const int8_t *x, int8_t *col);
  int (*conv)(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y, void *workspace);
  size_t ws_bytes;
  long long n, c, h, w, m, kh, kw, oh, ow, groups;
  long long col_rows, col_cols, input_elems, weight_elems, output_elems;
} cg_layer_s8;

#define CG_S8_ENTRY(sym, SYM)                                                   \
  {#sym, #SYM, &sym##_desc, &sym##_quant, sym##_im2col, sym##_conv,            \
   (size_t)(SYM##_WORKSPACE_BYTES), (long long)(SYM##_N), (long long)(SYM##_C), \
   (long long)(SYM##_H), (long long)(SYM##_W), (long long)(SYM##_M),           \
   (long long)(SYM##_KH), (long long)(SYM##_KW), (long long)(SYM##_OH),        \
   (long long)(SYM##_OW), (long long)(SYM##_GROUPS),                           \
   (long long)(SYM##_COL_ROWS), (long long)(SYM##_COL_COLS),                   \
   (long long)(SYM##_INPUT_ELEMS), (long long)(SYM##_WEIGHT_ELEMS),            \
   (long long)(SYM##_OUTPUT_ELEMS)},

static const cg_layer_s8 cg_layers_s8[] = {CG_TEST_LAYERS_S8(CG_S8_ENTRY){0}};
static const int cg_layer_count_s8 = (int)(sizeof cg_layers_s8 / sizeof cg_layers_s8[0]) - 1;

/* Uniform integer in [lo, hi]. */
static long long s8_uniform(cg_rng *r, long long lo, long long hi) {
  double u = (cg_rng_uniform(r, 53) + 1.0) * 0.5; /* [0, 1) */
  long long v = lo + (long long)(u * (double)(hi - lo + 1));
  return v > hi ? hi : v;
}

static void s8_seed(cg_rng *r, int layer, int salt) {
  cg_rng_seed(r, ((uint64_t)CG_DTYPE_S8 << 40) ^ ((uint64_t)layer << 8) ^ (uint64_t)salt);
}

START_TEST(test_sizes_s8) {
  const cg_layer_s8 *L = &cg_layers_s8[_i];
  const cg_conv_desc *d = L->desc;
  const char *p = L->prefix;
  cg_report rep;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  cg_desc_validate(&rep, d, CG_DTYPE_S8);
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
  cg_report_same(&rep, p, "INPUT_ELEMS", L->input_elems, (long long)cg_input_elems(d));
  cg_report_same(&rep, p, "WEIGHT_ELEMS", L->weight_elems, (long long)cg_weight_elems(d));
  cg_report_same(&rep, p, "OUTPUT_ELEMS", L->output_elems, (long long)cg_output_elems(d));
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* First mismatch of two int8 arrays, reported with its coordinates. */
static void s8_compare(cg_report *r, const cg_conv_desc *d, cg_shape s, const char *call,
                       const int8_t *got, const int8_t *ref, size_t n) {
  size_t i, bad = 0, first = 0;
  char at[96];
  for (i = 0; i < n; ++i)
    if (got[i] != ref[i] && bad++ == 0)
      first = i;
  if (bad == 0)
    return;
  cg_index_format(at, sizeof at, d, s, first);
  cg_report_add(r, "%s: %zu of %zu elements differ from the reference (exact expected); first %s got %d want %d",
                call, bad, n, at, (int)got[first], (int)ref[first]);
}

START_TEST(test_im2col_s8) {
  const cg_layer_s8 *L = &cg_layers_s8[_i];
  const cg_conv_desc *d = L->desc;
  size_t nx = (size_t)d->c * (size_t)d->h * (size_t)d->w, ncol = cg_col_rows(d) * cg_col_cols(d), i, off;
  int8_t *x = malloc(nx), *ref = malloc(ncol ? ncol : 1);
  float *xf = malloc(nx * sizeof(float)), *colf = malloc((ncol ? ncol : 1) * sizeof(float));
  cg_report rep;
  cg_rng rng;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_DTYPE_S8) == 0) {
    if (!x || !ref || !xf || !colf) {
      cg_report_add(&rep, "out of memory");
    } else {
      s8_seed(&rng, _i, 1);
      for (i = 0; i < nx; ++i) {
        x[i] = (int8_t)s8_uniform(&rng, -128, 127);
        xf[i] = (float)(x[i] - L->quant->input_zero_point);
      }
      cg_ref_im2col_f32(d, xf, colf);
      for (i = 0; i < ncol; ++i)
        ref[i] = (int8_t)((int)colf[i] + L->quant->input_zero_point);
      for (off = 0; off < 2; ++off) {
        cg_guard gx, gcol;
        const char *call = off ? "im2col(x, col misaligned by one byte)" : "im2col(aligned)";
        int ok = cg_guard_alloc(&gx, nx, off);
        ok = cg_guard_alloc(&gcol, ncol, off) && ok;
        if (!ok) {
          cg_report_add(&rep, "%s: out of memory", call);
        } else {
          memcpy(gx.p, x, nx);
          memset(gcol.p, 0x5A, ncol);
          cg_context_enter(&rep, call);
          L->im2col(gx.p, gcol.p);
          cg_context_leave();
          cg_report_guard(&rep, &gx, "x", call);
          cg_report_guard(&rep, &gcol, "col", call);
          cg_report_unchanged(&rep, gx.p, x, 0, nx, 1, "x", call);
          s8_compare(&rep, d, CG_SHAPE_COL, call, gcol.p, ref, ncol);
        }
        cg_guard_free(&gx);
        cg_guard_free(&gcol);
      }
    }
  }
  free(x);
  free(ref);
  free(xf);
  free(colf);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

/* One conv call on guarded copies, x/w/y `off` bytes past alignment (bias
   4-byte aligned), y prefilled with `fill`. */
static void s8_run_conv(cg_report *r, const cg_layer_s8 *L, const int8_t *x, const int8_t *w,
                        const int32_t *bias, const int8_t *ref, size_t nx, size_t nw, size_t ny,
                        size_t off, int fill, const char *what) {
  cg_guard gx, gw, gb, gy, gws;
  char call[160];
  size_t nb = bias != NULL ? (size_t)L->desc->m * sizeof(int32_t) : 0;
  int ok = cg_guard_alloc(&gx, nx, off), rc;
  ok = cg_guard_alloc(&gw, nw, off) && ok;
  ok = cg_guard_alloc(&gb, nb, off ? 4 : 0) && ok;
  ok = cg_guard_alloc(&gy, ny, off) && ok;
  ok = cg_guard_alloc(&gws, L->ws_bytes, 0) && ok;
  snprintf(call, sizeof call, "conv(%s, %s, bias=%s, y prefilled 0x%02X)", what,
           off ? "x, w, y one byte off" : "aligned", bias ? "given" : "NULL", fill);
  if (!ok) {
    cg_report_add(r, "%s: out of memory", call);
  } else {
    memcpy(gx.p, x, nx);
    memcpy(gw.p, w, nw);
    if (nb)
      memcpy(gb.p, bias, nb);
    memset(gy.p, fill, ny);
    memset(gws.p, 0xFF, L->ws_bytes);
    cg_context_enter(r, call);
    rc = L->conv(gx.p, gw.p, bias ? gb.p : NULL, gy.p, L->ws_bytes ? gws.p : NULL);
    cg_context_leave();
    if (rc != CG_OK)
      cg_report_add(r, "%s returned %d, expected CG_OK", call, rc);
    cg_report_guard(r, &gx, "x", call);
    cg_report_guard(r, &gw, "w", call);
    cg_report_guard(r, &gb, "bias", call);
    cg_report_guard(r, &gy, "y", call);
    cg_report_guard(r, &gws, "workspace", call);
    cg_report_unchanged(r, gx.p, x, 0, nx, 1, "x", call);
    cg_report_unchanged(r, gw.p, w, 0, nw, 1, "w", call);
    if (nb)
      cg_report_unchanged(r, gb.p, bias, 0, nb, 4, "bias", call);
    s8_compare(r, L->desc, CG_SHAPE_OUTPUT, call, gy.p, ref, ny);
  }
  cg_guard_free(&gx);
  cg_guard_free(&gw);
  cg_guard_free(&gb);
  cg_guard_free(&gy);
  cg_guard_free(&gws);
}

/* Argument errors: the code, and y left as it was. */
static void s8_run_errors(cg_report *r, const cg_layer_s8 *L, const int8_t *x, const int8_t *w,
                          const int32_t *bias, size_t nx, size_t nw, size_t ny) {
  static const struct {
    const char *what;
    int null_x, null_w, null_y, null_ws, ws_off, y_on_x, expect;
  } cases[] = {{"x=NULL", 1, 0, 0, 0, 0, 0, CG_ERR_NULL_POINTER},
               {"w=NULL", 0, 1, 0, 0, 0, 0, CG_ERR_NULL_POINTER},
               {"y=NULL", 0, 0, 1, 0, 0, 0, CG_ERR_NULL_POINTER},
               {"workspace=NULL", 0, 0, 0, 1, 0, 0, CG_ERR_NULL_POINTER},
               {"workspace 32 bytes off 64", 0, 0, 0, 0, 32, 0, CG_ERR_WORKSPACE_ALIGN},
               {"y overlapping x", 0, 0, 0, 0, 0, 1, CG_ERR_OVERLAP}};
  size_t k, big = (nx > ny ? nx : ny);
  for (k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
    cg_guard gx, gw, gy, gws;
    char call[96];
    int rc, ok;
    int8_t *y;
    void *ws;
    if ((cases[k].null_ws || cases[k].ws_off) && L->ws_bytes == 0)
      continue;
    snprintf(call, sizeof call, "conv(%s)", cases[k].what);
    ok = cg_guard_alloc(&gx, cases[k].y_on_x ? big : nx, 0);
    ok = cg_guard_alloc(&gw, nw, 0) && ok;
    ok = cg_guard_alloc(&gy, ny, 0) && ok;
    ok = cg_guard_alloc(&gws, L->ws_bytes, (size_t)cases[k].ws_off) && ok;
    if (!ok) {
      cg_report_add(r, "%s: out of memory", call);
    } else {
      memcpy(gx.p, x, nx);
      memcpy(gw.p, w, nw);
      y = cases[k].y_on_x ? (int8_t *)gx.p : (int8_t *)gy.p;
      memset(gy.p, 0x5A, ny);
      ws = cases[k].null_ws ? NULL : (L->ws_bytes ? gws.p : NULL);
      cg_context_enter(r, call);
      rc = L->conv(cases[k].null_x ? NULL : gx.p, cases[k].null_w ? NULL : gw.p, bias,
                   cases[k].null_y ? NULL : y, ws);
      cg_context_leave();
      if (rc != cases[k].expect)
        cg_report_add(r, "%s returned %d, expected %d", call, rc, cases[k].expect);
      cg_report_unchanged(r, gy.p, NULL, 0x5A, ny, 1, "y", call);
      cg_report_unchanged(r, gx.p, x, 0, nx, 1, "x", call);
      cg_report_guard(r, &gx, "x", call);
      cg_report_guard(r, &gy, "y", call);
      cg_report_guard(r, &gws, "workspace", call);
    }
    cg_guard_free(&gx);
    cg_guard_free(&gw);
    cg_guard_free(&gy);
    cg_guard_free(&gws);
  }
}

START_TEST(test_conv_s8) {
  const cg_layer_s8 *L = &cg_layers_s8[_i];
  const cg_conv_desc *d = L->desc;
  const cg_quant_s8 *q = L->quant;
  size_t nx = cg_input_elems(d), nw = cg_weight_elems(d), ny = cg_output_elems(d), i;
  size_t m = (size_t)d->m;
  int8_t *x = malloc(nx), *w = malloc(nw), *ref = malloc(ny);
  int32_t *bias = malloc(m * sizeof(int32_t));
  cg_report rep;
  cg_rng rng;
  int set;
  cg_report_init(&rep, L->name, d, L->ws_bytes);
  if (cg_desc_validate(&rep, d, CG_DTYPE_S8) == 0) {
    /* The accumulator's worst case without the bias, so bias + sum stays in int32
       (ONNX's forms: |w - weight zero point| <= 255). */
    long long taps = (long long)(d->c / d->groups) * d->kh * d->kw;
    long long per_tap = q->weight_zero_point != NULL || q->arithmetic == CG_QUANT_ONNX ? 255 * 255 : 255 * 127;
    long long bias_room = (long long)INT32_MAX - taps * per_tap;
    if (!x || !w || !ref || !bias) {
      cg_report_add(&rep, "out of memory");
    } else {
      for (set = 0; set < 3 && rep.problems == 0; ++set) {
        static const char *const names[] = {"random data", "extreme data", "data at the zero point"};
        long long bmax = set == 1 ? bias_room : (bias_room < 4096 ? bias_room : 4096);
        int pass, rc;
        s8_seed(&rng, _i, 10 + set);
        for (i = 0; i < nx; ++i) {
          if (set == 1)
            x[i] = (int8_t)(s8_uniform(&rng, 0, 1) ? 127 : -128);
          else if (set == 2 && s8_uniform(&rng, 0, 7) != 0)
            x[i] = (int8_t)q->input_zero_point;
          else
            x[i] = (int8_t)s8_uniform(&rng, -128, 127);
        }
        for (i = 0; i < nw; ++i)
          w[i] = (int8_t)(set == 1 ? (s8_uniform(&rng, 0, 1) ? 127 : -127) : s8_uniform(&rng, -127, 127));
        for (i = 0; i < m; ++i)
          bias[i] = (int32_t)s8_uniform(&rng, -bmax, bmax);
        for (pass = 0; pass < 2; ++pass) {
          const int32_t *b = pass == 0 ? bias : NULL;
          if (pass == 0 && !d->has_bias)
            continue;
          rc = cg_ref_conv_s8(d, q, x, w, b, ref);
          if (rc != CG_REF_S8_OK) {
            cg_report_add(&rep, "%s: cg_ref_conv_s8 returned %d", names[set], rc);
            continue;
          }
          s8_run_conv(&rep, L, x, w, b, ref, nx, nw, ny, 0, 0x00, names[set]);
          s8_run_conv(&rep, L, x, w, b, ref, nx, nw, ny, 1, 0xFF, names[set]);
        }
      }
      s8_run_errors(&rep, L, x, w, d->has_bias ? bias : NULL, nx, nw, ny);
    }
  }
  free(x);
  free(w);
  free(ref);
  free(bias);
  ck_assert_msg(rep.problems == 0, "%s", rep.text);
}
END_TEST

static void add_tcases_s8(Suite *s, double timeout) {
  struct {
    const char *name;
    const TTest *test;
  } t[] = {{"sizes_s8", test_sizes_s8}, {"im2col_s8", test_im2col_s8}, {"conv_s8", test_conv_s8}};
  size_t k;
  if (cg_layer_count_s8 == 0)
    return;
  for (k = 0; k < sizeof t / sizeof t[0]; ++k) {
    TCase *tc = tcase_create(t[k].name);
    tcase_set_timeout(tc, timeout);
    tcase_add_loop_test(tc, t[k].test, 0, cg_layer_count_s8);
    suite_add_tcase(s, tc);
  }
}

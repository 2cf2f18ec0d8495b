/* Body of the portable-GEMM checker for one element type; check_gemm.c includes it with CK_T, CK_SFX and CK_EPS set. */
/* No include guard: expanded once per element type. Uses rnd_unit(), the
   shape and scalar tables and the failure counters of check_gemm.c. */
#if !defined(CK_T) || !defined(CK_SFX) || !defined(CK_EPS)
#error "define CK_T, CK_SFX and CK_EPS before including check_gemm_impl.h"
#endif

#define CK_PASTE2(a, b) a##_##b
#define CK_PASTE(a, b) CK_PASTE2(a, b)
#define CK_NAME(base) CK_PASTE(base, CK_SFX)
#define CK_STR2(x) #x
#define CK_STR(x) CK_STR2(x)

/* Guard elements before and after C, and the value every untouched cell keeps. */
#define CK_GUARD 19
#define CK_CANARY ((CK_T)-7777.25)

static void CK_NAME(fill)(CK_T *v, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i)
    v[i] = (CK_T)rnd_unit();
}

/* op(X)(r, s) for a row-major X with leading dimension ld. */
static CK_T CK_NAME(op_at)(cg_transpose t, const CK_T *x, int ld, int r, int s) {
  return t == CG_NO_TRANS ? x[(size_t)r * (size_t)ld + (size_t)s]
                          : x[(size_t)s * (size_t)ld + (size_t)r];
}

/* One call of cg_gemm against the triple loop; returns 1 when it passed. */
static int CK_NAME(check_one)(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                              CK_T alpha, CK_T beta, int pad) {
  /* op(A) is m x k: stored m x k (lda >= k) or k x m (lda >= m); same for B. */
  const int a_rows = ta == CG_NO_TRANS ? m : k, a_cols = ta == CG_NO_TRANS ? k : m;
  const int b_rows = tb == CG_NO_TRANS ? k : n, b_cols = tb == CG_NO_TRANS ? n : k;
  const int lda = a_cols + pad, ldb = b_cols + (pad * 3) % 5, ldc = n + (pad * 2) % 7;
  size_t a_len = (size_t)a_rows * (size_t)lda + 1, b_len = (size_t)b_rows * (size_t)ldb + 1;
  size_t c_len = (size_t)m * (size_t)ldc + 2 * CK_GUARD;
  CK_T *a = malloc(a_len * sizeof *a), *b = malloc(b_len * sizeof *b);
  CK_T *cbuf = malloc(c_len * sizeof *cbuf), *c0 = malloc(c_len * sizeof *c0);
  CK_T *c;
  int i, j, p, ok = 1;
  size_t q;

  if (a == NULL || b == NULL || cbuf == NULL || c0 == NULL) {
    fprintf(stderr, "check_gemm: out of memory\n");
    exit(2);
  }
  CK_NAME(fill)(a, a_len);
  CK_NAME(fill)(b, b_len);
  for (q = 0; q < c_len; ++q)
    cbuf[q] = CK_CANARY;
  c = cbuf + CK_GUARD;
  for (i = 0; i < m; ++i)
    for (j = 0; j < n; ++j)
      c[(size_t)i * (size_t)ldc + (size_t)j] = beta == (CK_T)0 ? (CK_T)NAN : (CK_T)rnd_unit();
  memcpy(c0, cbuf, c_len * sizeof *c0);

  CK_NAME(cg_gemm)(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

  for (q = 0; q < c_len && ok; ++q) {
    int inside = 0;
    if (q >= CK_GUARD && q < c_len - CK_GUARD) {
      size_t off = q - CK_GUARD;
      inside = ldc > 0 && (int)(off % (size_t)ldc) < n;
    }
    if (!inside && memcmp(&cbuf[q], &c0[q], sizeof cbuf[q]) != 0) {
      fprintf(stderr, "FAIL " CK_STR(CK_SFX) " ta=%d tb=%d m=%d n=%d k=%d lda=%d ldb=%d ldc=%d: "
              "cell %ld outside C changed\n", (int)ta, (int)tb, m, n, k, lda, ldb, ldc,
              (long)q - CK_GUARD);
      ok = 0;
    }
  }
  for (i = 0; i < m && ok; ++i) {
    for (j = 0; j < n && ok; ++j) {
      /* Sum in double, with the size of the terms for a rounding bound. For
         f64 the triple loop rounds as much as the GEMM does, which the
         doubled bound below covers: any order of summation passes, a wrong
         or missing term does not. (No long double: it is software-emulated
         on AArch64, and this also runs under qemu-aarch64.) */
      double sum = 0.0, mag = 0.0, exp_v, err, bound;
      CK_T got = c[(size_t)i * (size_t)ldc + (size_t)j];
      CK_T old = c0[CK_GUARD + (size_t)i * (size_t)ldc + (size_t)j];
      for (p = 0; p < k; ++p) {
        double t = (double)CK_NAME(op_at)(ta, a, lda, i, p) * (double)CK_NAME(op_at)(tb, b, ldb, p, j);
        sum += t;
        mag += fabs(t);
      }
      exp_v = (double)alpha * sum;
      mag = fabs((double)alpha) * mag;
      if (beta != (CK_T)0) {
        exp_v += (double)beta * (double)old;
        mag += fabs((double)beta * (double)old);
      }
      err = fabs((double)got - exp_v);
      /* k products, k-1 sums, the alpha and beta steps: (k + 3) roundings of
         half an epsilon each, for the GEMM and again for the triple loop. */
      bound = 2.0 * (double)(k + 3) * (double)CK_EPS * mag;
      if (!(err <= bound) || got != got) {
        fprintf(stderr, "FAIL " CK_STR(CK_SFX) " ta=%d tb=%d m=%d n=%d k=%d lda=%d ldb=%d ldc=%d "
                "alpha=%g beta=%g: C[%d][%d] = %.17g, expected %.17g (bound %.3g)\n",
                (int)ta, (int)tb, m, n, k, lda, ldb, ldc, (double)alpha, (double)beta, i, j,
                (double)got, exp_v, bound);
        ok = 0;
      }
    }
  }
  free(a);
  free(b);
  free(cbuf);
  free(c0);
  return ok;
}

/* Every shape of the size list, both transposes of each operand, and a cycle
   of (alpha, beta) and leading-dimension padding across the cases. */
static void CK_NAME(check_all)(void) {
  int im, in, ik, t, cases = 0, failed = 0, serial = 0;
  for (im = 0; im < (int)(sizeof sizes / sizeof sizes[0]); ++im)
    for (in = 0; in < (int)(sizeof sizes / sizeof sizes[0]); ++in)
      for (ik = 0; ik < (int)(sizeof sizes / sizeof sizes[0]); ++ik)
        for (t = 0; t < 4; ++t) {
          const scalars *s = &scalar_cycle[serial % (int)(sizeof scalar_cycle / sizeof scalar_cycle[0])];
          int ok = CK_NAME(check_one)(t & 1 ? CG_TRANS : CG_NO_TRANS, t & 2 ? CG_TRANS : CG_NO_TRANS,
                                      sizes[im], sizes[in], sizes[ik], (CK_T)s->alpha,
                                      (CK_T)s->beta, serial % 4 == 0 ? 0 : 1 + serial % 9);
          ++serial;
          ++cases;
          failed += !ok;
          if (failed > 20) {
            fprintf(stderr, "check_gemm: too many failures, stopping\n");
            total_failed += failed;
            total_cases += cases;
            return;
          }
        }
  /* k == 0 and alpha == 0: C = beta * C without touching A or B. */
  for (t = 0; t < 4; ++t) {
    failed += !CK_NAME(check_one)(CG_NO_TRANS, CG_TRANS, 5, 19, 0, (CK_T)1, (CK_T)t * (CK_T)0.5, t);
    failed += !CK_NAME(check_one)(CG_TRANS, CG_NO_TRANS, 17, 3, 9, (CK_T)0, (CK_T)t * (CK_T)0.5, t);
    cases += 2;
  }
  /* Deep k crosses several KC blocks, with beta applied only once. */
  failed += !CK_NAME(check_one)(CG_NO_TRANS, CG_NO_TRANS, 9, 35, 300, (CK_T)1, (CK_T)0.5, 2);
  failed += !CK_NAME(check_one)(CG_TRANS, CG_TRANS, 33, 18, 257, (CK_T)-1, (CK_T)0, 0);
  failed += !CK_NAME(check_one)(CG_NO_TRANS, CG_TRANS, 70, 70, 129, (CK_T)0.25, (CK_T)1, 3);
  cases += 3;
  /* m or n of 0 must not touch anything (C is all canary). */
  failed += !CK_NAME(check_one)(CG_NO_TRANS, CG_NO_TRANS, 0, 7, 5, (CK_T)1, (CK_T)0, 1);
  failed += !CK_NAME(check_one)(CG_TRANS, CG_NO_TRANS, 6, 0, 5, (CK_T)1, (CK_T)1, 1);
  cases += 2;
  printf("check_gemm " CK_STR(CK_SFX) ": %d cases, %d failed\n", cases, failed);
  total_failed += failed;
  total_cases += cases;
}

#undef CK_GUARD
#undef CK_CANARY
#undef CK_STR
#undef CK_STR2
#undef CK_NAME
#undef CK_PASTE
#undef CK_PASTE2

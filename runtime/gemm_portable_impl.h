/* Body of the portable blocked GEMM for one element type; gemm_portable.c includes it once per type. */
/* No include guard: it is expanded once per element type, with these set:
     CG_GEMM_T       element type (float or double)
     CG_GEMM_SUFFIX  f32 or f64: the public function is cg_gemm_<suffix>
     CG_GEMM_MR      rows of the register tile (rows of C per micro-kernel call)
     CG_GEMM_NR      columns of the register tile
     CG_GEMM_KC      depth of one packed block (how much of k one pass covers)
     CG_GEMM_MC      rows of op(A) packed at once (a multiple of CG_GEMM_MR)
   and CG_GEMM_UNROLL, a pragma (or nothing) asking for a loop's full unrolling,
   CG_GEMM_NOINLINE, an attribute (or nothing) keeping a function out of line,
   and optionally CG_GEMM_DIRECT, a function serving the calls with neither
   operand transposed (m, n, k >= 1, alpha != 0) without packing.
   The packed blocks live on the stack: (MC + NR) * KC elements in all. */
#if !defined(CG_GEMM_T) || !defined(CG_GEMM_SUFFIX) || !defined(CG_GEMM_MR) || \
    !defined(CG_GEMM_NR) || !defined(CG_GEMM_KC) || !defined(CG_GEMM_MC) ||   \
    !defined(CG_GEMM_UNROLL) || !defined(CG_GEMM_NOINLINE)
#error "define CG_GEMM_T, CG_GEMM_SUFFIX, CG_GEMM_MR/NR/KC/MC, CG_GEMM_UNROLL and CG_GEMM_NOINLINE first"
#endif

#define CG_GEMM_PASTE2(a, b) a##_##b
#define CG_GEMM_PASTE(a, b) CG_GEMM_PASTE2(a, b)
#define CG_GEMM_NAME(base) CG_GEMM_PASTE(base, CG_GEMM_SUFFIX)

/* op(A) rows [i0, i0+mc) x depth [p0, p0+kc) into MR-row strips: strip s holds
   ap[s*MR*kc + p*MR + i] = op(A)(i0 + s*MR + i, p0 + p). The rows of the last
   strip past mc are zero, so the micro-kernel always works on whole strips. */
static void CG_GEMM_NAME(pack_a)(cg_transpose ta, const CG_GEMM_T *a, size_t lda,
                                 int i0, int mc, int p0, int kc, CG_GEMM_T *ap) {
  int s, i, p;
  for (s = 0; s < mc; s += CG_GEMM_MR) {
    const int mr = mc - s < CG_GEMM_MR ? mc - s : CG_GEMM_MR;
    CG_GEMM_T *strip = ap + s * kc;
    if (ta == CG_NO_TRANS) {
      /* row i of op(A) is contiguous in a */
      for (i = 0; i < mr; ++i) {
        const CG_GEMM_T *row = a + (size_t)(i0 + s + i) * lda + (size_t)p0;
        for (p = 0; p < kc; ++p)
          strip[p * CG_GEMM_MR + i] = row[p];
      }
    } else {
      /* column i of op(A) is row p of a: mr neighbours per depth step */
      for (p = 0; p < kc; ++p) {
        const CG_GEMM_T *row = a + (size_t)(p0 + p) * lda + (size_t)(i0 + s);
        for (i = 0; i < mr; ++i)
          strip[p * CG_GEMM_MR + i] = row[i];
      }
    }
    for (i = mr; i < CG_GEMM_MR; ++i)
      for (p = 0; p < kc; ++p)
        strip[p * CG_GEMM_MR + i] = (CG_GEMM_T)0;
  }
}

/* op(B) depth [p0, p0+kc) x columns [j0, j0+nr) into bp[p*NR + j], zero past nr. */
static void CG_GEMM_NAME(pack_b)(cg_transpose tb, const CG_GEMM_T *b, size_t ldb,
                                 int p0, int kc, int j0, int nr, CG_GEMM_T *bp) {
  int j, p;
  if (tb == CG_NO_TRANS && nr == CG_GEMM_NR) {
    /* a constant trip count: copied in registers, not by a memcpy call per row */
    for (p = 0; p < kc; ++p) {
      const CG_GEMM_T *row = b + (size_t)(p0 + p) * ldb + (size_t)j0;
      CG_GEMM_T *dst = bp + p * CG_GEMM_NR;
      CG_GEMM_UNROLL
      for (j = 0; j < CG_GEMM_NR; ++j)
        dst[j] = row[j];
    }
  } else if (tb == CG_NO_TRANS) {
    for (p = 0; p < kc; ++p) {
      const CG_GEMM_T *row = b + (size_t)(p0 + p) * ldb + (size_t)j0;
      CG_GEMM_T *dst = bp + p * CG_GEMM_NR;
      for (j = 0; j < nr; ++j)
        dst[j] = row[j];
      for (j = nr; j < CG_GEMM_NR; ++j)
        dst[j] = (CG_GEMM_T)0;
    }
  } else {
    /* column j of op(B) is row j of b, contiguous in depth */
    for (j = 0; j < nr; ++j) {
      const CG_GEMM_T *row = b + (size_t)(j0 + j) * ldb + (size_t)p0;
      for (p = 0; p < kc; ++p)
        bp[p * CG_GEMM_NR + j] = row[p];
    }
    for (p = 0; p < kc; ++p)
      for (j = nr; j < CG_GEMM_NR; ++j)
        bp[p * CG_GEMM_NR + j] = (CG_GEMM_T)0;
  }
}

/* acc = strip * panel over kc steps: one MR x NR tile of sums. Every bound but
   kc is a constant and the tile loops are fully unrolled, so the compiler keeps
   the tile in vector registers and, per depth step, broadcasts each element of
   the A strip against the NR-wide row of the B panel. */
static void CG_GEMM_NAME(micro)(int kc, const CG_GEMM_T *restrict ap,
                                const CG_GEMM_T *restrict bp,
                                CG_GEMM_T acc[CG_GEMM_MR][CG_GEMM_NR]) {
  CG_GEMM_T t[CG_GEMM_MR][CG_GEMM_NR];
  int i, j, p;
  CG_GEMM_UNROLL
  for (i = 0; i < CG_GEMM_MR; ++i) {
    CG_GEMM_UNROLL
    for (j = 0; j < CG_GEMM_NR; ++j)
      t[i][j] = (CG_GEMM_T)0;
  }
  for (p = 0; p < kc; ++p) {
    const CG_GEMM_T *av = ap + p * CG_GEMM_MR;
    const CG_GEMM_T *bv = bp + p * CG_GEMM_NR;
    CG_GEMM_UNROLL
    for (i = 0; i < CG_GEMM_MR; ++i) {
      const CG_GEMM_T ai = av[i];
      CG_GEMM_UNROLL
      for (j = 0; j < CG_GEMM_NR; ++j)
        t[i][j] += ai * bv[j];
    }
  }
  CG_GEMM_UNROLL
  for (i = 0; i < CG_GEMM_MR; ++i) {
    CG_GEMM_UNROLL
    for (j = 0; j < CG_GEMM_NR; ++j)
      acc[i][j] = t[i][j];
  }
}

/* The same sums for a panel only nr < NR columns wide (the right edge of C, or
   a matrix-vector product such as a depthwise layer's): no work on padding. */
static void CG_GEMM_NAME(micro_narrow)(int kc, int nr, const CG_GEMM_T *ap,
                                       const CG_GEMM_T *bp,
                                       CG_GEMM_T acc[CG_GEMM_MR][CG_GEMM_NR]) {
  int i, j, p;
  for (i = 0; i < CG_GEMM_MR; ++i)
    for (j = 0; j < nr; ++j) {
      CG_GEMM_T s = (CG_GEMM_T)0;
      for (p = 0; p < kc; ++p)
        s += ap[p * CG_GEMM_MR + i] * bp[p * CG_GEMM_NR + j];
      acc[i][j] = s;
    }
}

/* C tile = alpha * acc + beta * C tile over its valid mr x nr corner. beta == 0
   stores without reading C (which may hold NaN or be uninitialized). */
static void CG_GEMM_NAME(store)(int mr, int nr, CG_GEMM_T alpha,
                                CG_GEMM_T acc[CG_GEMM_MR][CG_GEMM_NR], CG_GEMM_T beta,
                                CG_GEMM_T *c, size_t ldc) {
  int i, j;
  for (i = 0; i < mr; ++i) {
    CG_GEMM_T *row = c + (size_t)i * ldc;
    if (beta == (CG_GEMM_T)0) {
      for (j = 0; j < nr; ++j)
        row[j] = alpha * acc[i][j];
    } else if (beta == (CG_GEMM_T)1) {
      for (j = 0; j < nr; ++j)
        row[j] += alpha * acc[i][j];
    } else {
      for (j = 0; j < nr; ++j)
        row[j] = alpha * acc[i][j] + beta * row[j];
    }
  }
}

/* C = beta * C alone, for alpha == 0 or k == 0 (BLAS reads neither A nor B then). */
static void CG_GEMM_NAME(scale)(int m, int n, CG_GEMM_T beta, CG_GEMM_T *c, size_t ldc) {
  int i, j;
  if (beta == (CG_GEMM_T)1)
    return;
  for (i = 0; i < m; ++i) {
    CG_GEMM_T *row = c + (size_t)i * ldc;
    for (j = 0; j < n; ++j)
      row[j] = beta == (CG_GEMM_T)0 ? (CG_GEMM_T)0 : beta * row[j];
  }
}

/* Loop order (Goto's, shrunk to fit a small stack): for each KC-deep slice of
   k and each MC-row block of op(A), the block is packed once and stays in L1
   while every NR-wide panel of op(B) is packed next to it and swept by the
   micro-kernel, MR rows at a time. The C tiles take beta on the first slice of
   k and accumulate on the later ones. A function of its own, kept out of line,
   so that a call served by CG_GEMM_DIRECT never reserves the packed blocks'
   stack. */
CG_GEMM_NOINLINE
static void CG_GEMM_NAME(gemm_packed)(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                                      CG_GEMM_T alpha, const CG_GEMM_T *a, size_t ua,
                                      const CG_GEMM_T *b, size_t ub, CG_GEMM_T beta,
                                      CG_GEMM_T *c, size_t uc) {
  CG_GEMM_T ap[CG_GEMM_MC * CG_GEMM_KC];
  CG_GEMM_T bp[CG_GEMM_KC * CG_GEMM_NR];
  CG_GEMM_T acc[CG_GEMM_MR][CG_GEMM_NR];
  int ic, ir, jc, pc;

  for (pc = 0; pc < k; pc += CG_GEMM_KC) {
    const int kc = k - pc < CG_GEMM_KC ? k - pc : CG_GEMM_KC;
    const CG_GEMM_T beta_here = pc == 0 ? beta : (CG_GEMM_T)1;
    for (ic = 0; ic < m; ic += CG_GEMM_MC) {
      const int mc = m - ic < CG_GEMM_MC ? m - ic : CG_GEMM_MC;
      CG_GEMM_NAME(pack_a)(ta, a, ua, ic, mc, pc, kc, ap);
      for (jc = 0; jc < n; jc += CG_GEMM_NR) {
        const int nr = n - jc < CG_GEMM_NR ? n - jc : CG_GEMM_NR;
        CG_GEMM_NAME(pack_b)(tb, b, ub, pc, kc, jc, nr, bp);
        for (ir = 0; ir < mc; ir += CG_GEMM_MR) {
          const int mr = mc - ir < CG_GEMM_MR ? mc - ir : CG_GEMM_MR;
          if (nr == CG_GEMM_NR)
            CG_GEMM_NAME(micro)(kc, ap + ir * kc, bp, acc);
          else
            CG_GEMM_NAME(micro_narrow)(kc, nr, ap + ir * kc, bp, acc);
          CG_GEMM_NAME(store)(mr, nr, alpha, acc, beta_here,
                              c + (size_t)(ic + ir) * uc + (size_t)jc, uc);
        }
      }
    }
  }
}

void CG_GEMM_NAME(cg_gemm)(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                           CG_GEMM_T alpha, const CG_GEMM_T *a, int lda,
                           const CG_GEMM_T *b, int ldb, CG_GEMM_T beta,
                           CG_GEMM_T *c, int ldc) {
  size_t ua, ub, uc;
  if (m <= 0 || n <= 0)
    return;
  uc = ldc > 0 ? (size_t)ldc : 0;
  if (k <= 0 || alpha == (CG_GEMM_T)0) {
    CG_GEMM_NAME(scale)(m, n, beta, c, uc);
    return;
  }
  ua = lda > 0 ? (size_t)lda : 0;
  ub = ldb > 0 ? (size_t)ldb : 0;
#ifdef CG_GEMM_DIRECT
  if (ta == CG_NO_TRANS && tb == CG_NO_TRANS) {
    CG_GEMM_DIRECT(m, n, k, alpha, a, ua, b, ub, beta, c, uc);
    return;
  }
#endif
  CG_GEMM_NAME(gemm_packed)(ta, tb, m, n, k, alpha, a, ua, b, ub, beta, c, uc);
}

/* ---- Pre-packed weights (gemm_packed.h; baked by the ONNX importer, docs/onnx.md) ----
   The same loops as gemm_packed, with one operand already in the packed order over the
   whole depth: its block of a KC step is read in place (strip or panel start + the
   step's offset) instead of being copied. Defined when the tile is the one the
   generator packs for (CG_GEMM_PACK_NR is set per type by gemm_portable.c). */
#if defined(CG_GEMM_PACK_NR) && !CG_GEMM_SMALL_TARGET && CG_GEMM_MR == CG_GEMM_PACK_MR && \
    CG_GEMM_NR == CG_GEMM_PACK_NR
CG_GEMM_NOINLINE
static void CG_GEMM_NAME(gemm_prepacked)(int m, int n, int k, CG_GEMM_T alpha, const CG_GEMM_T *a, size_t ua,
                                         int a_packed, const CG_GEMM_T *b, size_t ub, int b_packed,
                                         CG_GEMM_T beta, CG_GEMM_T *c, size_t uc) {
  CG_GEMM_T ap_own[CG_GEMM_MC * CG_GEMM_KC];
  CG_GEMM_T bp_own[CG_GEMM_KC * CG_GEMM_NR];
  CG_GEMM_T acc[CG_GEMM_MR][CG_GEMM_NR];
  int ic, ir, jc, pc;

  for (pc = 0; pc < k; pc += CG_GEMM_KC) {
    const int kc = k - pc < CG_GEMM_KC ? k - pc : CG_GEMM_KC;
    const CG_GEMM_T beta_here = pc == 0 ? beta : (CG_GEMM_T)1;
    for (ic = 0; ic < m; ic += CG_GEMM_MC) {
      const int mc = m - ic < CG_GEMM_MC ? m - ic : CG_GEMM_MC;
      const CG_GEMM_T *ap = ap_own;
      size_t strip = (size_t)kc * CG_GEMM_MR; /* elements from one strip to the next */
      if (a_packed) {
        ap = a + (size_t)ic * ua + (size_t)pc * CG_GEMM_MR;
        strip = ua * CG_GEMM_MR;
      } else {
        CG_GEMM_NAME(pack_a)(CG_NO_TRANS, a, ua, ic, mc, pc, kc, ap_own);
      }
      for (jc = 0; jc < n; jc += CG_GEMM_NR) {
        const int nr = n - jc < CG_GEMM_NR ? n - jc : CG_GEMM_NR;
        const CG_GEMM_T *bp = bp_own;
        if (b_packed)
          bp = b + (size_t)jc * ub + (size_t)pc * CG_GEMM_NR;
        else
          CG_GEMM_NAME(pack_b)(CG_NO_TRANS, b, ub, pc, kc, jc, nr, bp_own);
        for (ir = 0; ir < mc; ir += CG_GEMM_MR) {
          const int mr = mc - ir < CG_GEMM_MR ? mc - ir : CG_GEMM_MR;
          const CG_GEMM_T *as = ap + (size_t)(ir / CG_GEMM_MR) * strip;
          if (nr == CG_GEMM_NR)
            CG_GEMM_NAME(micro)(kc, as, bp, acc);
          else
            CG_GEMM_NAME(micro_narrow)(kc, nr, as, bp, acc);
          CG_GEMM_NAME(store)(mr, nr, alpha, acc, beta_here,
                              c + (size_t)(ic + ir) * uc + (size_t)jc, uc);
        }
      }
    }
  }
}

/* The packed operand's leading dimension is its depth (ua or ub >= k). */
void CG_GEMM_NAME(cg_gemm_packed_a)(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                                    CG_GEMM_T alpha, const CG_GEMM_T *a, int lda,
                                    const CG_GEMM_T *b, int ldb, CG_GEMM_T beta,
                                    CG_GEMM_T *c, int ldc) {
  const size_t uc = ldc > 0 ? (size_t)ldc : 0;
  (void)ta;
  (void)tb;
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0 || alpha == (CG_GEMM_T)0) {
    CG_GEMM_NAME(scale)(m, n, beta, c, uc);
    return;
  }
  CG_GEMM_NAME(gemm_prepacked)(m, n, k, alpha, a, (size_t)lda, 1, b, (size_t)ldb, 0, beta, c, uc);
}

void CG_GEMM_NAME(cg_gemm_packed_b)(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                                    CG_GEMM_T alpha, const CG_GEMM_T *a, int lda,
                                    const CG_GEMM_T *b, int ldb, CG_GEMM_T beta,
                                    CG_GEMM_T *c, int ldc) {
  const size_t uc = ldc > 0 ? (size_t)ldc : 0;
  (void)ta;
  (void)tb;
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0 || alpha == (CG_GEMM_T)0) {
    CG_GEMM_NAME(scale)(m, n, beta, c, uc);
    return;
  }
  CG_GEMM_NAME(gemm_prepacked)(m, n, k, alpha, a, (size_t)lda, 0, b, (size_t)ldb, 1, beta, c, uc);
}
#endif /* pre-packed weights */

#undef CG_GEMM_NAME
#undef CG_GEMM_PASTE
#undef CG_GEMM_PASTE2

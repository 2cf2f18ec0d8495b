/* cg_gemm_f32/f64 over CBLAS (row-major): the default GEMM backend; gemm_portable.c replaces it without BLAS. */
#ifdef CONVGEN_PORTABLE_GEMM
/* The portable backend (gemm_portable.c) defines cg_gemm_* instead; the header
   keeps this translation unit non-empty, as ISO C requires. */
#include "convgen.h"
#else
#include <cblas.h>

#include "convgen.h"

static enum CBLAS_TRANSPOSE to_cblas(cg_transpose t) {
  return t == CG_TRANS ? CblasTrans : CblasNoTrans;
}

/* An empty C needs no work, and some CBLAS builds reject ld* == 0 that callers
   naturally pass for an empty operand, so return before reaching the library. */
void cg_gemm_f32(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc) {
  if (m <= 0 || n <= 0)
    return;
  cblas_sgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), m, n, k, alpha, a, lda,
              b, ldb, beta, c, ldc);
}

void cg_gemm_f64(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                 double alpha, const double *a, int lda, const double *b, int ldb,
                 double beta, double *c, int ldc) {
  if (m <= 0 || n <= 0)
    return;
  cblas_dgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), m, n, k, alpha, a, lda,
              b, ldb, beta, c, ldc);
}
#endif /* CONVGEN_PORTABLE_GEMM */

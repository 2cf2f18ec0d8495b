/* Pre-packed weight operands of the portable GEMM: the order baked weights take (docs/onnx.md), the switch, the entry points. */
#ifndef CONVGEN_GEMM_PACKED_H
#define CONVGEN_GEMM_PACKED_H

#include "convgen.h"

/* The packed orders, over the whole depth k of the product (generator/prepack.lua
   writes them; the portable GEMM reads them in place of its own packing):
     A (m x k, the weights of an NCHW layer): strips of CG_GEMM_PACK_MR rows,
       ap[(s * k + p) * MR + i] = A(s * MR + i, p), rows past m zero;
     B (k x n, the weights of an NHWC layer): panels of CG_GEMM_PACK_NR_<T> columns,
       bp[(j * k + p) * NR + c] = B(p, j * NR + c), columns past n zero.
   They are the portable GEMM's register tile on hosts (gemm_portable.c); it
   defines the entry points below only when its tile is this one. */
#define CG_GEMM_PACK_MR 4
#define CG_GEMM_PACK_NR_F32 8
#define CG_GEMM_PACK_NR_F64 4

/* 1 when the generated portable path reads baked weights pre-packed: the portable
   GEMM is the runtime's, on a host-sized tile. M-profile cores keep the plain order
   (their f32 GEMM reads both operands in place, gemm_portable_m4.h); CBLAS packs
   inside the library, which takes no pre-packed operand. CONVGEN_NO_PREPACK turns it off. */
#if defined(CONVGEN_PORTABLE_GEMM) && !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M') && \
    !defined(CONVGEN_NO_PREPACK)
#define CONVGEN_PREPACKED 1
#else
#define CONVGEN_PREPACKED 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* cg_gemm_* with op(A) given packed (a, lda = the depth of its strips, >= k) or op(B)
   given packed (b, ldb = the depth of its panels, >= k); the other operand as in
   cg_gemm_*. Both transposes must be CG_NO_TRANS. */
void cg_gemm_packed_a_f32(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                          float alpha, const float *a, int lda, const float *b, int ldb,
                          float beta, float *c, int ldc);
void cg_gemm_packed_b_f32(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                          float alpha, const float *a, int lda, const float *b, int ldb,
                          float beta, float *c, int ldc);
void cg_gemm_packed_a_f64(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                          double alpha, const double *a, int lda, const double *b, int ldb,
                          double beta, double *c, int ldc);
void cg_gemm_packed_b_f64(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                          double alpha, const double *a, int lda, const double *b, int ldb,
                          double beta, double *c, int ldc);

#ifdef __cplusplus
}
#endif

#endif /* CONVGEN_GEMM_PACKED_H */

/* Cortex-M4/M7 (ARMv7E-M with a single-precision FPU) f32 GEMM without packing: a 4x4 register tile in inline assembly, used by gemm_portable.c. */
/* Why assembly: gcc keeps the tile in s16-s31 well enough, but loads every
   operand with its own VLDR and advances every pointer with its own ADD. Here
   both operands are read in place (no packed copies, so no stack for them):
   op(A)'s four rows through four pointers, two depth steps per VLDMIA with
   write-back, op(B)'s row of four through one VLDM. Two depth steps cost
   4 + 2 + 2 loads and adds, 32 VFMAs and 2 loop instructions: 42 instructions
   for 32 multiply-adds, against 56 for what gcc makes of the C tile. Only for
   A and B not transposed (every forward convolution); the caller falls back to
   the packed C GEMM otherwise. gcc only: clang's local register variables and
   VFP multi-register syntax differ, and it gets the C path. */
#ifndef CG_GEMM_PORTABLE_M4_H
#define CG_GEMM_PORTABLE_M4_H

/* One row of the tile: acc[i][0..3] op= a * b[0..3]. */
#define CG_M4_ROW(op, a, d0, d1, d2, d3, b0, b1, b2, b3)                                  \
  op " " d0 ", " a ", " b0 "\n\t" op " " d1 ", " a ", " b1 "\n\t" op " " d2 ", " a ", " b2 \
     "\n\t" op " " d3 ", " a ", " b3 "\n\t"
/* The whole tile for one depth step: A's column in a0..a3, B's row in b0..b3,
   acc[i][j] in s(16 + 4i + j). */
#define CG_M4_TILE(op, a0, a1, a2, a3, b0, b1, b2, b3)               \
  CG_M4_ROW(op, a0, "s16", "s17", "s18", "s19", b0, b1, b2, b3)      \
  CG_M4_ROW(op, a1, "s20", "s21", "s22", "s23", b0, b1, b2, b3)      \
  CG_M4_ROW(op, a2, "s24", "s25", "s26", "s27", b0, b1, b2, b3)      \
  CG_M4_ROW(op, a3, "s28", "s29", "s30", "s31", b0, b1, b2, b3)

/* C[0..3][0..3] = sum over k of A[i][p] * B[p][j], k >= 1. a points at A's
   first row (lda_bytes apart), b at B's first row (ldb_bytes apart), c at C's
   first row (ldc_bytes apart); C is only written. */
static void cg_m4_tile_4x4(int k, const float *a, size_t lda_bytes, const float *b,
                           size_t ldb_bytes, float *c, size_t ldc_bytes) {
  const char *a0 = (const char *)a;
  const char *a1 = a0 + lda_bytes;
  const char *a2 = a1 + lda_bytes;
  const char *a3 = a2 + lda_bytes;
  const char *bp = (const char *)b;
  char *cp = (char *)c;
  unsigned pairs = (unsigned)(k - 1);
  __asm__ volatile(
      /* depth step 0 initializes the tile (no zeroing: VFP has no #0.0 immediate) */
      "vldmia %[a0]!, {s0}\n\t"
      "vldmia %[a1]!, {s2}\n\t"
      "vldmia %[a2]!, {s8}\n\t"
      "vldmia %[a3]!, {s10}\n\t"
      "vldm %[b], {s4-s7}\n\t"
      "add %[b], %[b], %[ldb]\n\t"
      CG_M4_TILE("vmul.f32", "s0", "s2", "s8", "s10", "s4", "s5", "s6", "s7")
      /* k - 1 more steps: one alone when that count is odd, then pairs */
      "lsrs %[n], %[n], #1\n\t"
      "bcc 1f\n\t"
      "vldmia %[a0]!, {s0}\n\t"
      "vldmia %[a1]!, {s2}\n\t"
      "vldmia %[a2]!, {s8}\n\t"
      "vldmia %[a3]!, {s10}\n\t"
      "vldm %[b], {s4-s7}\n\t"
      "add %[b], %[b], %[ldb]\n\t"
      CG_M4_TILE("vfma.f32", "s0", "s2", "s8", "s10", "s4", "s5", "s6", "s7")
      "1:\n\t"
      "cmp %[n], #0\n\t"
      "beq 3f\n\t"
      "2:\n\t"
      "vldmia %[a0]!, {s0-s1}\n\t"
      "vldmia %[a1]!, {s2-s3}\n\t"
      "vldmia %[a2]!, {s8-s9}\n\t"
      "vldmia %[a3]!, {s10-s11}\n\t"
      "vldm %[b], {s4-s7}\n\t"
      "add %[b], %[b], %[ldb]\n\t"
      "vldm %[b], {s12-s15}\n\t"
      "add %[b], %[b], %[ldb]\n\t"
      CG_M4_TILE("vfma.f32", "s0", "s2", "s8", "s10", "s4", "s5", "s6", "s7")
      CG_M4_TILE("vfma.f32", "s1", "s3", "s9", "s11", "s12", "s13", "s14", "s15")
      "subs %[n], %[n], #1\n\t"
      "bne 2b\n\t"
      "3:\n\t"
      "vstm %[c], {s16-s19}\n\t"
      "add %[c], %[c], %[ldc]\n\t"
      "vstm %[c], {s20-s23}\n\t"
      "add %[c], %[c], %[ldc]\n\t"
      "vstm %[c], {s24-s27}\n\t"
      "add %[c], %[c], %[ldc]\n\t"
      "vstm %[c], {s28-s31}\n\t"
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [b] "+r"(bp), [c] "+r"(cp),
        [n] "+r"(pairs)
      : [ldb] "r"(ldb_bytes), [ldc] "r"(ldc_bytes)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13",
        "s14", "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25",
        "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory");
}

#undef CG_M4_TILE
#undef CG_M4_ROW

/* sum over p < k of a[p] * b[p * ldb], in C (the edges of C the tile leaves). */
static float cg_m4_dot(int k, const float *a, const float *b, size_t ldb) {
  float s = 0.0f;
  int p;
  for (p = 0; p < k; ++p)
    s += a[p] * b[(size_t)p * ldb];
  return s;
}

/* out[0..3] = sum over p < k of a[p] * b[p * ldb + 0..3]: a row of C below
   the last whole tile (NHWC layers whose pixel count is not a multiple of 4). */
static void cg_m4_row_1x4(int k, const float *a, const float *b, size_t ldb, float out[4]) {
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  int p;
  for (p = 0; p < k; ++p, b += ldb) {
    const float ap = a[p];
    s0 += ap * b[0];
    s1 += ap * b[1];
    s2 += ap * b[2];
    s3 += ap * b[3];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/* C = alpha * A * B + beta * C, neither transposed, k >= 1: 4x4 tiles over
   C's whole multiple-of-4 part, 1x4 strips for the rows below it, dot
   products for the columns right of it. With alpha 1 and
   beta 0 (what the generated layers pass) tiles are stored straight into C;
   otherwise through a 4x4 buffer and combined in C. */
static void cg_gemm_m4_direct_f32(int m, int n, int k, float alpha, const float *a, size_t lda,
                                  const float *b, size_t ldb, float beta, float *c,
                                  size_t ldc) {
  const int m4 = m - m % 4, n4 = n - n % 4;
  const int plain = alpha == 1.0f && beta == 0.0f;
  float tile[4][4];
  int i, j, r, q;
  for (i = 0; i < m4; i += 4) {
    const float *ai = a + (size_t)i * lda;
    float *ci = c + (size_t)i * ldc;
    for (j = 0; j < n4; j += 4) {
      if (plain) {
        cg_m4_tile_4x4(k, ai, lda * sizeof(float), b + j, ldb * sizeof(float), ci + j,
                       ldc * sizeof(float));
        continue;
      }
      cg_m4_tile_4x4(k, ai, lda * sizeof(float), b + j, ldb * sizeof(float), &tile[0][0],
                     4 * sizeof(float));
      for (r = 0; r < 4; ++r)
        for (q = 0; q < 4; ++q) {
          float *cell = ci + (size_t)r * ldc + (size_t)(j + q);
          *cell = beta == 0.0f ? alpha * tile[r][q] : alpha * tile[r][q] + beta * *cell;
        }
    }
  }
  for (i = m4; i < m; ++i)
    for (j = 0; j < n4; j += 4) {
      float *row = c + (size_t)i * ldc + (size_t)j;
      cg_m4_row_1x4(k, a + (size_t)i * lda, b + j, ldb, tile[0]);
      for (q = 0; q < 4; ++q)
        row[q] = beta == 0.0f ? alpha * tile[0][q] : alpha * tile[0][q] + beta * row[q];
    }
  for (i = 0; i < m; ++i)
    for (j = n4; j < n; ++j) {
      float *cell = c + (size_t)i * ldc + (size_t)j;
      const float s = cg_m4_dot(k, a + (size_t)i * lda, b + j, ldb);
      *cell = beta == 0.0f ? alpha * s : alpha * s + beta * *cell;
    }
}

#endif /* CG_GEMM_PORTABLE_M4_H */

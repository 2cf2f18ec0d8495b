/* Checks the portable cg_gemm_f32/f64 against a naive triple loop: shapes, transposes, leading dimensions, alpha/beta, canaries. */
/* Plain C99 and libc only, so that it also runs cross-compiled under qemu-user.
   Build: cc -std=c99 -O2 -DCONVGEN_PORTABLE_GEMM -Iruntime tests/portable/check_gemm.c
          runtime/gemm_portable.c -lm
   Exit status 0 when every case passed, 1 otherwise. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convgen.h"

/* m, n and k each run through this list: 1..5 around the 4-row tile, the 4-
   and 8-wide column tiles, the 16-row block, the 32- and 64-deep slices, and
   their neighbours, so that every edge and block boundary is crossed. */
static const int sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 70 };

typedef struct {
  double alpha, beta;
} scalars;

/* beta == 0 comes with a NaN-filled C, which must not leak into the result. */
static const scalars scalar_cycle[] = {
  { 1.0, 0.0 }, { 1.0, 1.0 }, { -0.5, 0.0 }, { 2.0, 0.5 },
  { 0.75, -1.0 }, { 1.0, 0.0 }, { -1.25, 2.0 },
};

static int total_cases, total_failed;

/* xorshift32: the same sequence on every platform. Values in [-1, 1). */
static uint32_t rnd_state = 0x2545f491u;
static double rnd_unit(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return (double)(rnd_state >> 8) / 8388608.0 - 1.0;
}

/* The checker's body, instantiated per element type. */
#define CK_T float
#define CK_SFX f32
#define CK_EPS FLT_EPSILON
#include "check_gemm_impl.h"
#undef CK_T
#undef CK_SFX
#undef CK_EPS

#define CK_T double
#define CK_SFX f64
#define CK_EPS DBL_EPSILON
#include "check_gemm_impl.h"
#undef CK_T
#undef CK_SFX
#undef CK_EPS

int main(void) {
  check_all_f32();
  check_all_f64();
  printf("%s: %d GEMM calls checked, %d failed\n", total_failed ? "FAILED" : "OK", total_cases,
         total_failed);
  return total_failed ? 1 : 0;
}

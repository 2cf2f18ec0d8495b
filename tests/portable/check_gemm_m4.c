/* The portable GEMM's checker for a Cortex-M4F under QEMU: check_gemm_impl.h's f32 cases on a size list small enough for emulated double arithmetic. */
/* The f32 GEMM takes an assembly path on ARMv7E-M (runtime/gemm_portable_m4.h)
   that no host build compiles, so it is checked here, on the target: every
   shape of the list, both transposes, the (alpha, beta) cycle including
   beta == 0 over a NaN-filled C, leading-dimension padding and canaries
   around C. Built by run_m4_qemu.sh with newlib's semihosting stdio (rdimon)
   and examples/firmware's vector table and linker script. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convgen.h"

/* Around the 4x4 tile (1..5, 7..9), whole tiles (16), and sizes past them with
   a remainder in every dimension (17, 33); odd and even depths alike. */
static const int sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33 };

typedef struct {
  double alpha, beta;
} scalars;

static const scalars scalar_cycle[] = {
  { 1.0, 0.0 }, { 1.0, 1.0 }, { -0.5, 0.0 }, { 2.0, 0.5 },
  { 0.75, -1.0 }, { 1.0, 0.0 }, { -1.25, 2.0 },
};

static int total_cases, total_failed;

static uint32_t rnd_state = 0x2545f491u;
static double rnd_unit(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return (double)(rnd_state >> 8) / 8388608.0 - 1.0;
}

#define CK_T float
#define CK_SFX f32
#define CK_EPS FLT_EPSILON
#include "check_gemm_impl.h"
#undef CK_T
#undef CK_SFX
#undef CK_EPS

void initialise_monitor_handles(void);
/* newlib's exit path calls _fini; a bare-metal image has no destructors to run. */
void _fini(void);
void _fini(void) {}

int main(void) {
  initialise_monitor_handles();
  check_all_f32();
  printf("%s: %d GEMM calls checked on the Cortex-M4, %d failed\n", total_failed ? "FAILED" : "OK",
         total_cases, total_failed);
  return total_failed ? 1 : 0;
}

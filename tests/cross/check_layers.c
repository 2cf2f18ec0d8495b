/* Plain-C generated-vs-reference checker, small enough to cross-compile: every layer of one generated model against cg_ref_*. */
/* Built per model with
     -DCL_MODEL_HEADER='"cur_model.h"' -DCL_LAYERS_F32=CUR_MODEL_LAYERS_F32
     -DCL_LAYERS_F64=CUR_MODEL_LAYERS_F64
   and linked with the generated layers and the runtime (sizes.c, reference.c
   and a GEMM backend; the cross build uses gemm_portable.c). Per layer: conv
   with and without bias against cg_ref_conv within a rounding bound computed
   from the same data, argument errors (NULL, misaligned workspace) leaving y
   untouched, im2col bit-exact against cg_ref_im2col, col2im against
   cg_ref_col2im, and canaries around every output. Only libc and libm: it runs
   under qemu-user without multiarch packages. Exit status 0 when all passed. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convgen.h"

#if !defined(CL_MODEL_HEADER) || !defined(CL_LAYERS_F32) || !defined(CL_LAYERS_F64)
#error "define CL_MODEL_HEADER, CL_LAYERS_F32 and CL_LAYERS_F64"
#endif
#include CL_MODEL_HEADER
/* Optional: CL_PATHS_HEADER and CL_PATHS name the kernels' <TARGET>_kernel_paths (cmake/Convgen.cmake),
   printed as "kernels: ..." so a run shows which SIMD path the layers were compiled with. */
#ifdef CL_PATHS_HEADER
#include CL_PATHS_HEADER
#endif

#define CL_STR2(x) #x
#define CL_STR(x) CL_STR2(x)
#define CL_REF_PASTE(base, sfx) base##_##sfx
#define cg_ref_conv_f(sfx) CL_REF_PASTE(cg_ref_conv, sfx)
#define cg_ref_im2col_f(sfx) CL_REF_PASTE(cg_ref_im2col, sfx)
#define cg_ref_col2im_f(sfx) CL_REF_PASTE(cg_ref_col2im, sfx)

static int total_layers;

/* xorshift32 in [-1, 1): the same data on every platform. */
static uint32_t rnd_state = 0x1234567u;
static double rnd_unit(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return (double)(rnd_state >> 8) / 8388608.0 - 1.0;
}

static void *checked_alloc(size_t count, size_t size) {
  void *p = calloc(count > 0 ? count : 1, size);
  if (p == NULL) {
    fprintf(stderr, "check_layers: out of memory\n");
    exit(2);
  }
  return p;
}

static unsigned char *align_up(unsigned char *p, size_t alignment) {
  size_t off = (size_t)((uintptr_t)p % alignment);
  return off == 0 ? p : p + (alignment - off);
}

static void fail(const char *layer, const char *what, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "FAIL %s %s: ", layer, what);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

#define CL_T float
#define CL_SFX f32
#define CL_EPS FLT_EPSILON
#define CL_LAYERS CL_LAYERS_F32
#include "check_layers_impl.h"
#undef CL_T
#undef CL_SFX
#undef CL_EPS
#undef CL_LAYERS

#define CL_T double
#define CL_SFX f64
#define CL_EPS DBL_EPSILON
#define CL_LAYERS CL_LAYERS_F64
#include "check_layers_impl.h"
#undef CL_T
#undef CL_SFX
#undef CL_EPS
#undef CL_LAYERS

int main(void) {
  int failed;
#ifdef CL_PATHS
  printf("kernels: %s\n", CL_PATHS);
#endif
  failed = check_all_f32() + check_all_f64();
  printf("%s: %d layers checked against the reference, %d failed\n", failed ? "FAILED" : "OK",
         total_layers, failed);
  return failed ? 1 : 0;
}

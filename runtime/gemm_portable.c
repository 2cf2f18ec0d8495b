/* cg_gemm_f32/f64 in plain C99 (no BLAS): a cache-blocked, register-tiled GEMM, built when CONVGEN_PORTABLE_GEMM is defined. */
#include "convgen.h"

#ifdef CONVGEN_PORTABLE_GEMM

/* Tile shapes. Hosts (x86-64, AArch64) get a tile as wide as a few vector
   registers so that gcc/clang -O2 vectorizes the micro-kernel over its columns;
   M-profile cores (Cortex-M4F: 32 single-precision registers, no SIMD floats)
   get a 4x4 tile that fits in the FPU register file without spilling. Any of
   these can be overridden with -D. The packed panels, the only large locals,
   take (MR + NR) * KC elements of stack: 5 KiB (f32) and 6 KiB (f64) on hosts,
   2 KiB (f32) on M-profile. */
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define CG_GEMM_SMALL_TILE 1
#else
#define CG_GEMM_SMALL_TILE 0
#endif

#ifndef CG_GEMM_MR_F32
#define CG_GEMM_MR_F32 4
#endif
#ifndef CG_GEMM_NR_F32
#if CG_GEMM_SMALL_TILE
#define CG_GEMM_NR_F32 4
#else
#define CG_GEMM_NR_F32 16
#endif
#endif
#ifndef CG_GEMM_KC_F32
#define CG_GEMM_KC_F32 64
#endif

#ifndef CG_GEMM_MR_F64
#define CG_GEMM_MR_F64 4
#endif
#ifndef CG_GEMM_NR_F64
#if CG_GEMM_SMALL_TILE
#define CG_GEMM_NR_F64 4
#else
#define CG_GEMM_NR_F64 8
#endif
#endif
#ifndef CG_GEMM_KC_F64
#define CG_GEMM_KC_F64 64
#endif

/* Keep the stack promise even when the tile is overridden. */
typedef char cg_gemm_f32_stack_check[((CG_GEMM_MR_F32 + CG_GEMM_NR_F32) * CG_GEMM_KC_F32 +
                                      CG_GEMM_MR_F32 * CG_GEMM_NR_F32) * sizeof(float) <= 7168
                                         ? 1 : -1];
typedef char cg_gemm_f64_stack_check[((CG_GEMM_MR_F64 + CG_GEMM_NR_F64) * CG_GEMM_KC_F64 +
                                      CG_GEMM_MR_F64 * CG_GEMM_NR_F64) * sizeof(double) <= 7168
                                         ? 1 : -1];

#define CG_GEMM_T float
#define CG_GEMM_SUFFIX f32
#define CG_GEMM_MR CG_GEMM_MR_F32
#define CG_GEMM_NR CG_GEMM_NR_F32
#define CG_GEMM_KC CG_GEMM_KC_F32
#include "gemm_portable_impl.h"
#undef CG_GEMM_T
#undef CG_GEMM_SUFFIX
#undef CG_GEMM_MR
#undef CG_GEMM_NR
#undef CG_GEMM_KC

#define CG_GEMM_T double
#define CG_GEMM_SUFFIX f64
#define CG_GEMM_MR CG_GEMM_MR_F64
#define CG_GEMM_NR CG_GEMM_NR_F64
#define CG_GEMM_KC CG_GEMM_KC_F64
#include "gemm_portable_impl.h"
#undef CG_GEMM_T
#undef CG_GEMM_SUFFIX
#undef CG_GEMM_MR
#undef CG_GEMM_NR
#undef CG_GEMM_KC

#endif /* CONVGEN_PORTABLE_GEMM */

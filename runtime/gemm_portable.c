/* cg_gemm_f32/f64 in plain C99 (no BLAS): a cache-blocked, register-tiled GEMM, built when CONVGEN_PORTABLE_GEMM is defined. */
#include "convgen.h"
#include "gemm_packed.h"

#ifdef CONVGEN_PORTABLE_GEMM

/* Tile shapes. Hosts (x86-64, AArch64) get a 4x8 (f32) or 4x4 (f64) tile:
   eight 128-bit accumulators, which fit the 16 SSE registers of baseline
   x86-64 with room for the broadcast and the B row, and leave AArch64 half of
   its 32. M-profile cores (Cortex-M4F: 32 single-precision registers, no
   floating-point SIMD) get 4x4, sixteen scalar accumulators, and smaller
   blocks; on ARMv7E-M with an FPU, gcc builds send f32 calls without
   transposes to gemm_portable_m4.h instead, which packs nothing. Any of these can be overridden with -D. The packed blocks, the only
   large locals, take (MC + NR) * KC elements of stack: 5 KiB for f32 and
   5 KiB for f64 on hosts, 2.5 KiB for either on M-profile; the check below
   keeps every override under 7 KiB. */
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define CG_GEMM_SMALL_TARGET 1
#else
#define CG_GEMM_SMALL_TARGET 0
#endif

#ifndef CG_GEMM_MR_F32
#define CG_GEMM_MR_F32 4
#endif
#ifndef CG_GEMM_KC_F32
#define CG_GEMM_KC_F32 32
#endif
#if CG_GEMM_SMALL_TARGET
#ifndef CG_GEMM_NR_F32
#define CG_GEMM_NR_F32 4
#endif
#ifndef CG_GEMM_MC_F32
#define CG_GEMM_MC_F32 16
#endif
#else
#ifndef CG_GEMM_NR_F32
#define CG_GEMM_NR_F32 8
#endif
#ifndef CG_GEMM_MC_F32
#define CG_GEMM_MC_F32 32
#endif
#endif

#ifndef CG_GEMM_MR_F64
#define CG_GEMM_MR_F64 4
#endif
#ifndef CG_GEMM_NR_F64
#define CG_GEMM_NR_F64 4
#endif
#if CG_GEMM_SMALL_TARGET
#ifndef CG_GEMM_KC_F64
#define CG_GEMM_KC_F64 16
#endif
#else
#ifndef CG_GEMM_KC_F64
#define CG_GEMM_KC_F64 32
#endif
#endif
#ifndef CG_GEMM_MC_F64
#define CG_GEMM_MC_F64 16
#endif

/* Keep the stack promise, and whole strips per block, even when overridden. */
typedef char cg_gemm_f32_block_check[(CG_GEMM_MC_F32 % CG_GEMM_MR_F32 == 0 &&
                                      ((CG_GEMM_MC_F32 + CG_GEMM_NR_F32) * CG_GEMM_KC_F32 +
                                       CG_GEMM_MR_F32 * CG_GEMM_NR_F32) * sizeof(float) <= 7168)
                                         ? 1 : -1];
typedef char cg_gemm_f64_block_check[(CG_GEMM_MC_F64 % CG_GEMM_MR_F64 == 0 &&
                                      ((CG_GEMM_MC_F64 + CG_GEMM_NR_F64) * CG_GEMM_KC_F64 +
                                       CG_GEMM_MR_F64 * CG_GEMM_NR_F64) * sizeof(double) <= 7168)
                                         ? 1 : -1];

/* Full unrolling of the register tile's loops: without it gcc -O2 keeps the
   tile in memory, and gcc -O3 and clang vectorize it less well. Other
   compilers get plain loops, which are still correct. */
#if defined(__clang__)
#define CG_GEMM_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define CG_GEMM_UNROLL _Pragma("GCC unroll 16")
#else
#define CG_GEMM_UNROLL
#endif

/* With AVX-512 enabled, gcc builds 512-bit vectors out of two rows of the
   8-wide tile, with a shuffle per element (6x slower than SSE2 here); kept to
   256-bit vectors it vectorizes the tile as intended. This file only. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__AVX512F__)
#pragma GCC target("prefer-vector-width=256")
#endif

#if defined(__GNUC__)
#define CG_GEMM_NOINLINE __attribute__((noinline))
#else
#define CG_GEMM_NOINLINE
#endif

/* ARMv7E-M with a single-precision FPU (Cortex-M4F, M7): f32 products with
   neither operand transposed go to an unpacked 4x4 assembly tile. Not at -O0,
   where the frame pointer leaves too few registers for its nine pointers and
   counters; CG_GEMM_NO_ASM keeps the C path everywhere. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && \
    defined(__ARM_ARCH_7EM__) && defined(__ARM_FP) && (__ARM_FP & 4) && !defined(CG_GEMM_NO_ASM)
#include "gemm_portable_m4.h"
#define CG_GEMM_DIRECT cg_gemm_m4_direct_f32
#endif

#define CG_GEMM_T float
#define CG_GEMM_SUFFIX f32
#define CG_GEMM_MR CG_GEMM_MR_F32
#define CG_GEMM_NR CG_GEMM_NR_F32
#define CG_GEMM_KC CG_GEMM_KC_F32
#define CG_GEMM_MC CG_GEMM_MC_F32
#define CG_GEMM_PACK_NR CG_GEMM_PACK_NR_F32 /* the pre-packed entries' tile (gemm_packed.h) */
#include "gemm_portable_impl.h"
#undef CG_GEMM_PACK_NR
#undef CG_GEMM_T
#undef CG_GEMM_SUFFIX
#undef CG_GEMM_MR
#undef CG_GEMM_NR
#undef CG_GEMM_KC
#undef CG_GEMM_MC
#undef CG_GEMM_DIRECT

#define CG_GEMM_T double
#define CG_GEMM_SUFFIX f64
#define CG_GEMM_MR CG_GEMM_MR_F64
#define CG_GEMM_NR CG_GEMM_NR_F64
#define CG_GEMM_KC CG_GEMM_KC_F64
#define CG_GEMM_MC CG_GEMM_MC_F64
#define CG_GEMM_PACK_NR CG_GEMM_PACK_NR_F64
#include "gemm_portable_impl.h"
#undef CG_GEMM_PACK_NR
#undef CG_GEMM_T
#undef CG_GEMM_SUFFIX
#undef CG_GEMM_MR
#undef CG_GEMM_NR
#undef CG_GEMM_KC
#undef CG_GEMM_MC

#endif /* CONVGEN_PORTABLE_GEMM */

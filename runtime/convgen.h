/* convgen runtime: layer descriptor, error codes, GEMM entry points and the generic reference. */
#ifndef CONVGEN_H
#define CONVGEN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CONVGEN_VERSION_MAJOR 0
#define CONVGEN_VERSION_MINOR 1

/* Return codes of every generated P_conv* function. */
#define CG_OK 0
#define CG_ERR_NULL_POINTER 1      /* a required pointer argument was NULL */
#define CG_ERR_WORKSPACE_ALIGN 2   /* workspace is not aligned to CG_WORKSPACE_ALIGN bytes */
#define CG_ERR_OVERLAP 3           /* an output (y, dx, dw, db or the workspace) shares a byte with
                                      another argument; outputs untouched (docs/contract.md) */

/* Generated kernels take their AVX-512 path when the compiler targets AVX-512F
   (e.g. -march=native on such a CPU), unless CONVGEN_NO_SIMD is defined; the
   portable path (im2col + cg_gemm_*) is used everywhere else. */
#if defined(__AVX512F__) && !defined(CONVGEN_NO_SIMD)
#define CONVGEN_AVX512 1
#else
#define CONVGEN_AVX512 0
#endif
/* Else their AVX2 path when it targets AVX2 and FMA (e.g. -mavx2 -mfma, or -march=native
   on most x86-64 CPUs since 2013); the generated #if chain tries AVX-512 first. */
#if defined(__AVX2__) && defined(__FMA__) && !defined(CONVGEN_NO_SIMD)
#define CONVGEN_AVX2 1
#else
#define CONVGEN_AVX2 0
#endif
/* Else their NEON path when it targets 64-bit Arm (every AArch64 CPU has NEON; 32-bit
   Arm keeps the portable path: the kernels are tested for AArch64 only, docs/neon.md). */
#if defined(__aarch64__) && defined(__ARM_NEON) && !defined(CONVGEN_NO_SIMD)
#define CONVGEN_NEON 1
#else
#define CONVGEN_NEON 0
#endif

/* Generated NHWC and gradient dot/fully-connected kernels are called, not inlined, where the
   compiler allows it: inlined into the driver's tile loops, their weight loads are loop-invariant
   and get hoisted out of the loop into more registers than there are, then spilled
   (docs/benchmark.md, "NHWC layers"; docs/gradients.md). */
#if defined(__GNUC__)
#define CG_NOINLINE __attribute__((noinline))
#else
#define CG_NOINLINE
#endif

/* Alignment the caller must give the workspace buffer. */
#define CG_WORKSPACE_ALIGN 64

typedef enum { CG_LAYOUT_NCHW = 0, CG_LAYOUT_NHWC = 1 } cg_layout;
typedef enum { CG_DTYPE_F32 = 0, CG_DTYPE_F64 = 1, CG_DTYPE_S8 = 2 } cg_dtype;
typedef enum {
  CG_ACT_NONE = 0,
  CG_ACT_RELU = 1,
  CG_ACT_RELU6 = 2,
  CG_ACT_CLAMP = 3 /* clamp to [act_lo, act_hi] */
} cg_activation;

typedef enum {
  CG_OP_CONV2D = 0,
  CG_OP_CONV_TRANSPOSE2D = 1
} cg_op;

/* Every parameter of one layer; generated headers define one as P_desc.
   For CG_OP_CONV_TRANSPOSE2D, n/c/h/w describe its input x, m its output
   channels, oh/ow its output size
     oh = (h - 1)*sh - pad_top - pad_bottom + dh*(kh - 1) + out_pad_h + 1
   and the pads remove rows/columns from the edges of the full output. */
typedef struct {
  cg_layout layout;
  cg_dtype dtype;
  int n, c, h, w;         /* input: batch, channels, height, width */
  int m;                  /* output channels (filters) */
  int kh, kw;             /* kernel */
  int sh, sw;             /* stride */
  int dh, dw;             /* dilation */
  int pad_top, pad_bottom, pad_left, pad_right;
  int groups;
  int oh, ow;             /* output height and width */
  int has_bias;           /* spec's bias flag; P_conv still accepts bias == NULL */
  cg_activation activation;
  double act_lo, act_hi;  /* clamp bounds (RELU6 uses 0 and 6) */
  cg_op op;
  int out_pad_h, out_pad_w; /* conv_transpose2d's output_padding (0 for conv2d) */
} cg_conv_desc;

/* A thread pool the caller provides to the generated P_conv_parallel (docs/threads.md);
   runtime/threads/ has adapters for OpenMP, pthreadpool and a serial one. A task gets no
   thread index: whatever scratch it needs is carved from the workspace by task index. */
typedef void (*cg_task_fn)(void *context, size_t index);
typedef struct cg_threadpool {
  /* Runs task(context, i) for every i in [0, count), on up to `threads` threads, and returns
     when all are done. Must not change the floating-point environment (no denormal flushing). */
  void (*parallel_for)(void *pool, cg_task_fn task, void *context, size_t count);
  void *pool;
  size_t threads;
} cg_threadpool;

/* Sizes derived from a descriptor, as the generated macros define them
   (weights: M*C/groups*KH*KW for both ops). */
size_t cg_input_elems(const cg_conv_desc *d);
size_t cg_weight_elems(const cg_conv_desc *d);
size_t cg_output_elems(const cg_conv_desc *d);
size_t cg_col_rows(const cg_conv_desc *d);
size_t cg_col_cols(const cg_conv_desc *d);

/* Row-major GEMM: C = alpha * op(A) * op(B) + beta * C, op(X) = X or X^T.
   op(A) is m x k, op(B) is k x n, C is m x n. One interface, two backends
   chosen when the runtime is compiled: CBLAS (gemm_cblas.c, the default) or,
   with CONVGEN_PORTABLE_GEMM defined, plain C99 with no BLAS (gemm_portable.c). */
typedef enum { CG_NO_TRANS = 0, CG_TRANS = 1 } cg_transpose;

void cg_gemm_f32(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                 float alpha, const float *a, int lda, const float *b, int ldb,
                 float beta, float *c, int ldc);
void cg_gemm_f64(cg_transpose ta, cg_transpose tb, int m, int n, int k,
                 double alpha, const double *a, int lda, const double *b, int ldb,
                 double beta, double *c, int ldc);

/* Generic reference, parameterized at run time and written for clarity, not
   speed. Same semantics as the generated functions of the same name:
   im2col/col2im work on ONE image, conv on the whole batch (bias may be NULL),
   accumulating in double. */
void cg_ref_im2col_f32(const cg_conv_desc *d, const float *x, float *col);
void cg_ref_col2im_f32(const cg_conv_desc *d, const float *col, float *x);
void cg_ref_conv_f32(const cg_conv_desc *d, const float *x, const float *w,
                     const float *bias, float *y);
/* Gradients of a conv2d layer for the whole batch, given dy = dL/dy BEFORE the
   activation (activation gradients are the caller's): dx overwritten with
   dL/dx (input shape and layout), dw with dL/dw summed over the batch (weight
   layout of the forward contract), db (M values, may be NULL) with dL/dbias. */
void cg_ref_conv_backward_data_f32(const cg_conv_desc *d, const float *dy, const float *w, float *dx);
void cg_ref_conv_backward_weights_f32(const cg_conv_desc *d, const float *x, const float *dy,
                                      float *dw, float *db);
/* conv_transpose2d (d->op == CG_OP_CONV_TRANSPOSE2D), whole batch, exactly
   torch.nn.functional.conv_transpose2d + bias + activation. Weights: NCHW
   [C][M/groups][KH][KW], NHWC [KH][KW][M/groups][C]. bias may be NULL. */
void cg_ref_conv_transpose_f32(const cg_conv_desc *d, const float *x, const float *w,
                               const float *bias, float *y);
void cg_ref_im2col_f64(const cg_conv_desc *d, const double *x, double *col);
void cg_ref_col2im_f64(const cg_conv_desc *d, const double *col, double *x);
void cg_ref_conv_f64(const cg_conv_desc *d, const double *x, const double *w,
                     const double *bias, double *y);
void cg_ref_conv_backward_data_f64(const cg_conv_desc *d, const double *dy, const double *w, double *dx);
void cg_ref_conv_backward_weights_f64(const cg_conv_desc *d, const double *x, const double *dy,
                                      double *dw, double *db);
void cg_ref_conv_transpose_f64(const cg_conv_desc *d, const double *x, const double *w,
                               const double *bias, double *y);

/* ---- int8 (s8) reference and requantization (reference_s8.c) ----------------
   TFLite's and CMSIS-NN's integer arithmetic (docs/int8.md), for tests and
   hosts; written apart from the generator. */
#include <stdint.h>

/* Requantization of one s8 layer: zero points in [-128, 127]; per output
   channel a multiplier of 0 or in [2^30, 2^31) and a shift in [-31, 30]
   (TFLite's fixed-point form, real multiplier = multiplier * 2^(shift - 31));
   the final clamp, -128 <= act_min <= act_max <= 127. */
typedef struct {
  int32_t input_zero_point;
  int32_t output_zero_point;
  const int32_t *multiplier; /* d->m entries */
  const int32_t *shift;      /* d->m entries */
  int32_t act_min, act_max;
  /* ONNX's QLinearConv/ConvInteger (docs/int8.md, "ONNX"); 0 and NULL keep the above. */
  const int32_t *weight_zero_point; /* d->m entries in [-128, 127], or NULL: all 0 */
  int32_t arithmetic;               /* CG_QUANT_TFLITE, or CG_QUANT_ONNX: scale below, not multiplier/shift */
  const float *scale;               /* CG_QUANT_ONNX: d->m float32 scales > 0 */
} cg_quant_s8;

#define CG_QUANT_TFLITE 0
#define CG_QUANT_ONNX 1

/* Results of cg_ref_conv_s8. */
#define CG_REF_S8_OK 0
#define CG_REF_S8_BAD_PARAMS 1 /* geometry or a quantization value out of range; y untouched */
#define CG_REF_S8_OVERFLOW 2   /* some accumulator left int32 (saturated there); y written */

/* gemmlowp's SaturatingRoundingDoublingHighMul: round(a * b / 2^31), ties
   toward +infinity; INT32_MIN * INT32_MIN gives INT32_MAX. */
int32_t cg_srdhm_s32(int32_t a, int32_t b);
/* gemmlowp's RoundingDivideByPOT: x / 2^exponent, ties away from zero; 0 <= exponent <= 31. */
int32_t cg_rounding_divide_by_pot_s32(int32_t x, int exponent);
/* TFLite's MultiplyByQuantizedMultiplier: x * 2^max(shift, 0) kept to 32
   bits (two's complement), then cg_srdhm_s32 with the multiplier, then
   cg_rounding_divide_by_pot_s32 by max(-shift, 0). */
int32_t cg_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);
/* Direct s8 convolution of the whole batch: NCHW or NHWC by d->layout, weights
   [M][C/groups][KH][KW] (NCHW) or HWIO (NHWC), int32 bias or NULL; padded taps
   contribute nothing. d->activation is ignored: q's clamp is the activation.
   Returns CG_REF_S8_OK, CG_REF_S8_BAD_PARAMS or CG_REF_S8_OVERFLOW. */
int cg_ref_conv_s8(const cg_conv_desc *d, const cg_quant_s8 *q, const int8_t *x,
                   const int8_t *w, const int32_t *bias, int8_t *y);
/* The same sums without requantization, as int32 (ONNX's ConvInteger): only q's zero
   points are used; an accumulator outside int32 is saturated and reported. */
int cg_ref_conv_s8_s32(const cg_conv_desc *d, const cg_quant_s8 *q, const int8_t *x,
                       const int8_t *w, const int32_t *bias, int32_t *y);
/* ONNX's requantization of one accumulator: acc * scale rounded to the nearest integer,
   ties to even, the product taken exactly (before the zero point and the clamp). */
int64_t cg_onnx_round_s64(int64_t acc, float scale);

#ifdef __cplusplus
}
#endif

#endif /* CONVGEN_H */

/* Type-independent helpers of the Check harness: guarded buffers, PRNG, failure reports, descriptor text. */
#ifndef CG_HARNESS_UTIL_H
#define CG_HARNESS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "convgen.h"

#if defined(__GNUC__)
#define CG_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define CG_PRINTF_LIKE(f, a)
#endif

/* Canary bytes on each side of every buffer handed to generated code. 64 is
   one cache line / one AVX-512 vector, the widest overrun a vectorised loop
   tail plausibly makes. */
#define CG_GUARD_BYTES 64
#define CG_GUARD_FILL 0xA5

/* Tolerances, with u = eps/2 the unit roundoff of T.

   col2im: |got - ref| <= CG_COL2IM_K * eps * n_terms * sum|terms|, no atol.
   Adding n numbers in ANY order errs by at most (n-1)u * sum|terms|; the
   reference errs by at most u * sum|terms| (f32: double sum rounded once) or
   (n-1)u * sum|terms| (f64: its double sum is the T sum), so the difference
   is below n*eps * sum|terms| in both cases, and K = 2 leaves a factor of two.
   Pure addition is exact in the subnormal range, so no absolute term is
   needed: a pixel that no col cell maps to must come out exactly 0. With
   [-1, 1) data a dropped or doubled term is thousands of times over.

   conv: |got - ref| <= atol + CG_CONV_C * eps * K * mag, K = C/groups*KH*KW,
   mag = reference conv of |x|, |w| (and |bias|) without activation. A dot
   product of K terms plus a bias, summed in any order, with or without FMA,
   errs by at most (K+1)u * mag; the reference errs by u*mag (f32) or by
   (K+1)u*mag (f64), so the difference is at most (K+1)*eps*mag, which is
   <= 2*eps*K*mag for every K >= 1. The activations are clamps, which never
   enlarge a difference. atol = the smallest normal number of T absorbs
   products that underflow (absolute error up to half a subnormal each) and
   is far too small to hide a real error.

   Both are worst-case bounds, never exceeded by a correct kernel whatever its
   summation order, so there are no false failures to tune away. The price:
   a relative error e in one conv element is only sure to be caught when
   e > ~1.5*eps*K^1.5 for this data (f32: 2.5e-5 at K = 27, 2.5e-3 at K = 576).
   Observed on resnet8's generated f32 kernels: at most 5% of the conv
   tolerance and 12% of the col2im tolerance. Override with -D if needed. */
#ifndef CG_COL2IM_K
#define CG_COL2IM_K 2.0
#endif
#ifndef CG_CONV_C
#define CG_CONV_C 2.0
#endif

/* The gradients and conv_transpose2d use the conv bound with their own
   reduction length K (the most products summed into one output element):
     backward data     dx: K = M/groups*KH*KW   mag = backward data of |dy|, |w|
     backward weights  dw: K = N*OH*OW          mag = backward weights of |x|, |dy|
                       db: K = N*OH*OW          mag = sum of |dy| over the channel
     conv_transpose2d   y: K = C/groups*KH*KW   mag = conv_transpose of |x|, |w|, |bias|
   |got - ref| <= atol + CG_CONV_C * eps * K * mag, by the same argument: any
   summation order errs by at most K*u*mag (one rounding per product, K-1
   additions; db has no products, so K-1), the reference by u*mag (f32) or
   K*u*mag (f64), and with the bias of conv_transpose2d (K+1)*u*mag; the sum
   is below 2*eps*K*mag for every K >= 1.

   Adjoint identities, evaluated in double from the T outputs of generated
   functions (property tests that do not use the reference's values):
     <im2col(x), c> = <x, col2im(c)>: im2col is an exact copy and every x
       element of col2im sums at most KH*KW cells, so the two sides differ by
       at most (KH*KW*u_T + (ncol + nx)*u_double) * A, A = sum |im2col(x)*c|;
       tolerance CG_ADJOINT_K * (KH*KW*eps_T + (ncol + nx)*eps_double) * A.
     <conv(x, w), dy> = <x, dx> = <w, dw>: each side is off by its outputs'
       error bound above (conv: 2*eps_T*K*mag) weighted by the other factor,
       which sums to 2*eps_T*K*A for the same A = sum over every product
       |x*w*dy| (the three sums hold the same terms), plus the double dot
       products; tolerance (CG_CONV_C*eps_T*(K1 + K2) + CG_ADJOINT_K*(n1 +
       n2)*eps_double) * A for sides with reduction lengths K1, K2 and
       lengths n1, n2. <b, db> against sum_p b[m(p)]*dy[p] likewise. */
#ifndef CG_ADJOINT_K
#define CG_ADJOINT_K 2.0
#endif

typedef struct {
  unsigned char *raw;  /* what malloc returned; only for free() */
  unsigned char *zone; /* 64-byte aligned start of the front canary */
  size_t front;        /* canary bytes before the payload: 64 + offset */
  size_t bytes;        /* payload bytes */
  size_t total;        /* front + payload + back canary */
  void *p;             /* payload, misaligned from zone by the offset */
} cg_guard;

/* Payload of `bytes` starting `offset` bytes past a 64-byte boundary. Returns
   0 when out of memory. A zeroed cg_guard is valid to free and to check. */
int cg_guard_alloc(cg_guard *g, size_t bytes, size_t offset);
void cg_guard_free(cg_guard *g);
/* Number of canary bytes no longer holding CG_GUARD_FILL; *first gets the
   first one's offset from the payload start (negative = front zone). */
size_t cg_guard_damage(const cg_guard *g, long *first);

/* xorshift64*, seeded through splitmix64 so that small seeds (layer indices)
   still give unrelated streams. */
typedef struct {
  uint64_t s;
} cg_rng;
void cg_rng_seed(cg_rng *r, uint64_t seed);
/* Uniform in [-1, 1) on a grid of 2^(1-mant_bits), so the value is exactly
   representable in a type with mant_bits significand bits. */
double cg_rng_uniform(cg_rng *r, int mant_bits);

/* One test iteration's failure message: it starts with the layer name and its
   full descriptor, then every problem found, so the Check line alone is
   enough to reproduce the case. Sized below Check's BUFSIZ message buffer. */
typedef struct {
  char text[4000];
  size_t len;
  int problems;
} cg_report;
void cg_report_init(cg_report *r, const char *name, const cg_conv_desc *d,
                    size_t ws_bytes);
void cg_report_add(cg_report *r, const char *fmt, ...) CG_PRINTF_LIKE(2, 3);
/* Adds a problem "<macro> = <value> but the descriptor gives <want>". */
void cg_report_same(cg_report *r, const char *prefix, const char *what,
                    long long macro_value, long long desc_value);
/* Adds a problem when a canary of g was overwritten during `call`. */
void cg_report_guard(cg_report *r, const cg_guard *g, const char *buf,
                     const char *call);
/* Adds a problem when the bytes at now differ from orig (a const input was
   written), or, with orig == NULL, when any byte differs from `fill`. */
void cg_report_unchanged(cg_report *r, const void *now, const void *orig,
                         int fill, size_t bytes, size_t elem_size,
                         const char *buf, const char *call);

/* Name the generated call about to run (layer and descriptor come from r),
   so that if it kills the test process the layer is named on stderr; leave
   clears it. Install once, in main, before Check forks. */
void cg_context_enter(const cg_report *r, const char *call);
void cg_context_leave(void);
void cg_install_crash_reporter(void);

/* Which buffer a flat index belongs to, for readable coordinates: one
   image, the col matrix, the batched output, the batched input, the weights
   (in the layout of the descriptor's op) and the bias or db. */
typedef enum {
  CG_SHAPE_IMAGE,
  CG_SHAPE_COL,
  CG_SHAPE_OUTPUT,
  CG_SHAPE_INPUT,
  CG_SHAPE_WEIGHT,
  CG_SHAPE_BIAS
} cg_shape;
void cg_index_format(char *buf, size_t n, const cg_conv_desc *d, cg_shape s,
                     size_t i);

/* Adds a problem for each descriptor field of a conv2d layer that is out of
   range or inconsistent (op, oh/ow against the output-size formula, groups
   dividing c and m, dtype, no output padding); returns the number found so
   tests can stop before the reference divides by zero or indexes out of
   range. */
int cg_desc_validate(cg_report *r, const cg_conv_desc *d, cg_dtype dtype);
/* The same for a conv_transpose2d layer: op, output padding (>= 0 and below
   the stride or the dilation) and the transposed output-size formula. */
int cg_desc_validate_transpose(cg_report *r, const cg_conv_desc *d,
                               cg_dtype dtype);

#endif /* CG_HARNESS_UTIL_H */

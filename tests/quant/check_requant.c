/* Requantization unit tests: the runtime's TFLite arithmetic (reference_s8.c, requant_s8.h) on the hard values, against hand-worked results and an independent 128-bit formulation. */
/* The independent formulation works on exact 128-bit integers with floor
   shifts and states each rounding rule as a comparison with the half-way
   point, where the runtime uses gemmlowp's nudge-and-truncate and mask-and-
   threshold forms with 64-bit divisions. Cases: multipliers 2^31 - 1, 2^30
   and others between, every shift from -31 to 30, INT32_MIN and INT32_MAX
   and their neighbours, exact ties of both roundings in both directions,
   accumulators near the int32 limits, and a long pseudo-random sweep.
   Exit status 0 when every case agrees; each failure is printed. */
#include <stdint.h>
#include <stdio.h>

#include "convgen.h"
#include "requant_s8.h"

#if !defined(__SIZEOF_INT128__)
#error "check_requant needs a compiler with a 128-bit integer type (gcc, clang)"
#endif
__extension__ typedef __int128 i128;

static long failures, checks;

static void expect(const char *what, int32_t got, int32_t want, int32_t x, int32_t mult, int shift) {
  ++checks;
  if (got != want) {
    if (++failures <= 30)
      printf("FAIL %s: x=%ld multiplier=%ld shift=%d: got %ld, expected %ld\n", what, (long)x,
             (long)mult, shift, (long)got, (long)want);
  }
}

/* ---- the independent formulation ------------------------------------------ */

/* floor(v / 2^e): GCC and Clang define >> of a negative signed value as an
   arithmetic shift. */
static i128 floor_shift(i128 v, int e) { return v >> e; }

static int32_t to_int32_wrapped(i128 v) {
  i128 low = v & (i128)0xffffffffu;
  return (int32_t)(low >= ((i128)1 << 31) ? low - ((i128)1 << 32) : low);
}

/* round(a * b / 2^31) with a tie going up; the one unrepresentable result saturates. */
static int32_t model_srdhm(int32_t a, int32_t b) {
  i128 p = (i128)a * (i128)b;
  i128 q = floor_shift(p, 31);             /* floor(p / 2^31) */
  i128 rem = p - q * ((i128)1 << 31);      /* in [0, 2^31) */
  i128 r = rem >= ((i128)1 << 30) ? q + 1 : q;
  return r > INT32_MAX ? INT32_MAX : (int32_t)r;
}

/* x / 2^e to nearest, a tie away from zero. */
static int32_t model_rdbpot(int32_t x, int e) {
  i128 q, rem, half;
  if (e == 0)
    return x;
  q = floor_shift(x, e);
  rem = (i128)x - q * ((i128)1 << e);
  half = (i128)1 << (e - 1);
  if (rem > half || (rem == half && x >= 0))
    ++q;
  return (int32_t)q;
}

static int32_t model_mbqm(int32_t x, int32_t mult, int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return model_rdbpot(model_srdhm(to_int32_wrapped((i128)x * ((i128)1 << left)), mult), right);
}

/* ---- cases ------------------------------------------------------------------ */

/* The reference's and the kernels' (requant_s8.h) forms against the model. */
static void check_all_paths(int32_t x, int32_t mult, int shift) {
  const int32_t want = model_mbqm(x, mult, shift);
  expect("MultiplyByQuantizedMultiplier", cg_multiply_by_quantized_multiplier(x, mult, shift), want, x, mult,
         shift);
  expect("cg_requantize_s32", cg_requantize_s32(x, mult, shift), want, x, mult, shift);
}

/* Worked by hand from the definitions (docs/int8.md). */
static void check_hand_values(void) {
  /* the doubling high multiply: ties go toward +infinity */
  expect("srdhm 1 * 0.5", cg_srdhm_s32(1, 1 << 30), 1, 1, 1 << 30, 0);
  expect("srdhm -1 * 0.5", cg_srdhm_s32(-1, 1 << 30), 0, -1, 1 << 30, 0);
  expect("srdhm -3 * 0.5", cg_srdhm_s32(-3, 1 << 30), -1, -3, 1 << 30, 0);
  expect("srdhm 3 * 0.5", cg_srdhm_s32(3, 1 << 30), 2, 3, 1 << 30, 0);
  expect("srdhm INT32_MIN^2 saturates", cg_srdhm_s32(INT32_MIN, INT32_MIN), INT32_MAX, INT32_MIN,
         INT32_MIN, 0);
  expect("srdhm INT32_MIN * INT32_MAX", cg_srdhm_s32(INT32_MIN, INT32_MAX), -INT32_MAX, INT32_MIN,
         INT32_MAX, 0);
  expect("srdhm INT32_MAX^2", cg_srdhm_s32(INT32_MAX, INT32_MAX), INT32_MAX - 1, INT32_MAX,
         INT32_MAX, 0);
  /* the rounding divide: ties away from zero */
  expect("rdbpot 1/2", cg_rounding_divide_by_pot_s32(1, 1), 1, 1, 0, -1);
  expect("rdbpot -1/2", cg_rounding_divide_by_pot_s32(-1, 1), -1, -1, 0, -1);
  expect("rdbpot 5/4", cg_rounding_divide_by_pot_s32(5, 2), 1, 5, 0, -2);
  expect("rdbpot 6/4", cg_rounding_divide_by_pot_s32(6, 2), 2, 6, 0, -2);
  expect("rdbpot -6/4", cg_rounding_divide_by_pot_s32(-6, 2), -2, -6, 0, -2);
  expect("rdbpot -5/4", cg_rounding_divide_by_pot_s32(-5, 2), -1, -5, 0, -2);
  expect("rdbpot INT32_MIN/2^31", cg_rounding_divide_by_pot_s32(INT32_MIN, 31), -1, INT32_MIN, 0, -31);
  expect("rdbpot INT32_MAX/2^31", cg_rounding_divide_by_pot_s32(INT32_MAX, 31), 1, INT32_MAX, 0, -31);
  expect("rdbpot 2^30/2^31", cg_rounding_divide_by_pot_s32(1 << 30, 31), 1, 1 << 30, 0, -31);
  expect("rdbpot -2^30/2^31", cg_rounding_divide_by_pot_s32(-(1 << 30), 31), -1, -(1 << 30), 0, -31);
  expect("rdbpot (2^30-1)/2^31", cg_rounding_divide_by_pot_s32((1 << 30) - 1, 31), 0, (1 << 30) - 1,
         0, -31);
  /* the whole step: two roundings, so 1 * 0.5 / 2 = 0.25 comes out as 1 */
  expect("mbqm double rounding", cg_multiply_by_quantized_multiplier(1, 1 << 30, -1), 1, 1, 1 << 30, -1);
  expect("mbqm -5 * 0.5 / 4", cg_multiply_by_quantized_multiplier(-5, 1 << 30, -2), -1, -5, 1 << 30, -2);
  expect("mbqm 100 * 0.5", cg_multiply_by_quantized_multiplier(100, 1 << 30, 0), 50, 100, 1 << 30, 0);
  expect("mbqm 2^30 * 2 wraps", cg_multiply_by_quantized_multiplier(1 << 30, 1 << 30, 1), -(1 << 30),
         1 << 30, 1 << 30, 1);
  expect("mbqm multiplier 0", cg_multiply_by_quantized_multiplier(INT32_MAX, 0, 30), 0, INT32_MAX, 0, 30);
  expect("mbqm shift -31", cg_multiply_by_quantized_multiplier(INT32_MAX, INT32_MAX, -31), 1, INT32_MAX,
         INT32_MAX, -31);
  expect("mbqm shift 30", cg_multiply_by_quantized_multiplier(1, 1 << 30, 30), 1 << 29, 1, 1 << 30, 30);
  expect("requantize double rounding", cg_requantize_s32(1, 1 << 30, -1), 1, 1, 1 << 30, -1);
  expect("requantize 2^30 * 2 wraps", cg_requantize_s32(1 << 30, 1 << 30, 1), -(1 << 30), 1 << 30, 1 << 30, 1);
  expect("requantize shift -31", cg_requantize_s32(INT32_MIN, INT32_MAX, -31), -1, INT32_MIN, INT32_MAX, -31);
}

/* Exact ties of each rounding, in both directions, checked for the rule as
   well as against the model. Returns how many ties it built. */
static int check_ties(void) {
  int ties = 0, e;
  int32_t j;
  /* srdhm(x, 2^30) = x / 2: a tie for every odd x; it goes up (toward +inf) */
  for (j = -1001; j <= 1001; j += 2) {
    int32_t want = (j + 1) / 2; /* j odd: (j + 1) / 2 is exact */
    expect("srdhm tie", cg_srdhm_s32(j, 1 << 30), want, j, 1 << 30, 0);
    ++ties;
  }
  expect("srdhm tie near INT32_MAX", cg_srdhm_s32(INT32_MAX, 1 << 30), 1 << 30, INT32_MAX, 1 << 30, 0);
  expect("srdhm tie near INT32_MIN", cg_srdhm_s32(INT32_MIN + 1, 1 << 30), -(1 << 30) + 1, INT32_MIN + 1,
         1 << 30, 0);
  ties += 2;
  /* rdbpot: x = (2k + 1) * 2^(e-1) is a tie; away from zero both ways */
  for (e = 1; e <= 31; ++e) {
    int32_t k;
    for (k = 0; k < 4; ++k) {
      int64_t base = (int64_t)(2 * k + 1) << (e - 1);
      if (base > INT32_MAX)
        break;
      expect("rdbpot tie +", cg_rounding_divide_by_pot_s32((int32_t)base, e), k + 1, (int32_t)base, 0, -e);
      expect("rdbpot tie -", cg_rounding_divide_by_pot_s32((int32_t)-base, e), -(k + 1), (int32_t)-base, 0,
             -e);
      ties += 2;
    }
  }
  /* the whole step with a tie in the second rounding: srdhm gives exactly
     (2k + 1) * 2^(e-1), from x = 2 * that and multiplier 2^30 */
  for (e = 1; e <= 29; ++e) {
    int64_t h = (int64_t)3 << (e - 1);
    if (2 * h > INT32_MAX)
      break;
    expect("mbqm tie +", cg_multiply_by_quantized_multiplier((int32_t)(2 * h), 1 << 30, -e), 2,
           (int32_t)(2 * h), 1 << 30, -e);
    expect("mbqm tie -", cg_multiply_by_quantized_multiplier((int32_t)(-2 * h), 1 << 30, -e), -2,
           (int32_t)(-2 * h), 1 << 30, -e);
    expect("requantize tie +", cg_requantize_s32((int32_t)(2 * h), 1 << 30, -e), 2, (int32_t)(2 * h), 1 << 30, -e);
    expect("requantize tie -", cg_requantize_s32((int32_t)(-2 * h), 1 << 30, -e), -2, (int32_t)(-2 * h), 1 << 30,
           -e);
    ties += 2;
  }
  return ties;
}

static uint32_t rnd_state = 0x9e3779b9u;
static uint32_t rnd32(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return rnd_state;
}

static int32_t as_int32(uint32_t u) { return to_int32_wrapped((i128)u); }

int main(void) {
  static const int32_t multipliers[] = {
    0, 1 << 30, (1 << 30) + 1, 1518500250 /* round(2^31 / sqrt 2) */, 1717986918, INT32_MAX - 1, INT32_MAX,
  };
  static const int32_t xs[] = {
    0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, 32767, -32768, 65536, -65536, 1 << 30, -(1 << 30),
    (1 << 30) - 1, -(1 << 30) + 1, INT32_MAX, INT32_MAX - 1, INT32_MAX - 2, INT32_MIN, INT32_MIN + 1,
    INT32_MIN + 2, 16581375 /* 255 * 255 * 255 */, -16581375, 2130706432, -2130706432,
  };
  int im, ix, shift, i, ties;

  check_hand_values();
  ties = check_ties();
  for (im = 0; im < (int)(sizeof multipliers / sizeof multipliers[0]); ++im)
    for (shift = -31; shift <= 30; ++shift) {
      for (ix = 0; ix < (int)(sizeof xs / sizeof xs[0]); ++ix)
        check_all_paths(xs[ix], multipliers[im], shift);
      for (i = 0; i < 2000; ++i) {
        /* the whole range, and accumulators within 2^20 of either limit */
        const uint32_t r = rnd32();
        check_all_paths(as_int32(r), multipliers[im], shift);
        check_all_paths(INT32_MAX - (int32_t)(r & 0xfffffu), multipliers[im], shift);
        check_all_paths(INT32_MIN + (int32_t)(r & 0xfffffu), multipliers[im], shift);
      }
    }
  /* random multipliers of the valid range, every shift */
  for (i = 0; i < 200000; ++i) {
    const int32_t mult = (int32_t)((1u << 30) | (rnd32() & 0x3fffffffu));
    const int s = (int)(rnd32() % 62u) - 31;
    check_all_paths(as_int32(rnd32()), mult, s);
  }
  for (i = 0; i < 100000; ++i) {
    const int32_t a = as_int32(rnd32()), b = as_int32(rnd32());
    const int e = (int)(rnd32() % 32u);
    expect("srdhm random", cg_srdhm_s32(a, b), model_srdhm(a, b), a, b, 0);
    expect("rdbpot random", cg_rounding_divide_by_pot_s32(a, e), model_rdbpot(a, e), a, 0, -e);
  }
  printf("%s: %ld requantization checks (%d exact ties), %ld failed\n", failures ? "FAILED" : "OK", checks,
         ties, failures);
  return failures ? 1 : 0;
}

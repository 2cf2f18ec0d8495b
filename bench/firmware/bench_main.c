/* Firmware benchmark on QEMU mps2-an386: counts the instructions of every generated layer with the FPGAIO counter, checks its outputs, and reports stack and workspace. */
/* Under `qemu-system-arm -M mps2-an386 -icount shift=0,sleep=off` every guest
   instruction advances virtual time by 1 ns and the FPGAIO counter ticks at
   25 MHz, so instructions = ticks x 40, the same on every run. A calibration
   loop of known length checks that first. Per layer, one line:
     LAYER fwb_r8_s1_a macs 2359296 ticks 280000 instructions 11200000
           workspace 18432 stack 312 max_err 1.91e-06 tol 3.52e-04 PASS
   (on one line), then "bench: N/N layers passed"; the exit status is 0 when
   every layer passed and the calibration held. These are instructions, not
   cycles: QEMU does not model the core's pipeline, memory wait states or the
   FPU's multi-cycle operations. */
#include <stddef.h>
#include <stdint.h>

#include "fw_model.h"
#include "fw_print.h"
#include "semihost.h"

#define FPGAIO_COUNTER (*(volatile uint32_t *)0x40028018u)
#define INSTRUCTIONS_PER_TICK 40u /* 1 ns per instruction, 25 MHz counter */

typedef int (*fw_conv_fn)(const float *x, const float *w, const float *bias, float *y,
                          void *workspace);

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  fw_conv_fn conv;
  size_t input_elems, weight_elems, output_elems, workspace_bytes;
} bench_layer;

#define FW_ENTRY(sym, SYM)                                                                  \
  { #sym, &sym##_desc, sym##_conv, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_OUTPUT_ELEMS, \
    SYM##_WORKSPACE_BYTES },
static const bench_layer layers[FW_LAYER_COUNT] = { FW_LAYERS(FW_ENTRY) };
#undef FW_ENTRY

/* One buffer of each kind for all layers (a union is as large as its largest member). */
#define FW_INPUT(sym, SYM) float sym[SYM##_INPUT_ELEMS];
#define FW_WEIGHTS(sym, SYM) float sym[SYM##_WEIGHT_ELEMS];
#define FW_BIAS(sym, SYM) float sym[SYM##_M];
#define FW_OUTPUT(sym, SYM) float sym[SYM##_OUTPUT_ELEMS];
#define FW_WORKSPACE(sym, SYM) unsigned char sym[SYM##_WORKSPACE_BYTES > 0 ? SYM##_WORKSPACE_BYTES : 1];
static union { FW_LAYERS(FW_INPUT) } input_buf;
static union { FW_LAYERS(FW_WEIGHTS) } weight_buf;
static union { FW_LAYERS(FW_BIAS) } bias_buf;
static union { FW_LAYERS(FW_OUTPUT) } output_buf;
static union { FW_LAYERS(FW_WORKSPACE) } workspace_buf __attribute__((aligned(CG_WORKSPACE_ALIGN)));
#undef FW_INPUT
#undef FW_WEIGHTS
#undef FW_BIAS
#undef FW_OUTPUT
#undef FW_WORKSPACE

#define OUTPUT_CAPACITY (sizeof output_buf / sizeof(float))

/* ---- instruction counting ------------------------------------------------- */

/* 2 * iterations instructions: SUBS and a taken-or-not BNE per iteration. */
static void known_loop(uint32_t iterations) {
  __asm__ volatile("1:\n\tsubs %0, %0, #1\n\tbne 1b" : "+r"(iterations) : : "cc");
}

/* Instructions of an empty measurement and of a 2,000,000-instruction loop;
   1 when the loop measures within one tick of its length (the counter's
   resolution) once the empty measurement is taken off. */
static int calibrate(uint32_t *empty_out) {
  const uint32_t iterations = 1000000u;
  uint32_t t0, t1, empty, loop, expected = 2u * iterations;
  t0 = FPGAIO_COUNTER;
  t1 = FPGAIO_COUNTER;
  empty = (t1 - t0) * INSTRUCTIONS_PER_TICK;
  t0 = FPGAIO_COUNTER;
  known_loop(iterations);
  t1 = FPGAIO_COUNTER;
  loop = (t1 - t0) * INSTRUCTIONS_PER_TICK;
  fw_write("calibration: loop of ");
  fw_put_uint(expected);
  fw_write(" instructions measured ");
  fw_put_uint(loop);
  fw_write(", empty measurement ");
  fw_put_uint(empty);
  fw_write("\n");
  *empty_out = empty;
  return loop >= expected && loop - expected <= empty + 2u * INSTRUCTIONS_PER_TICK;
}

/* ---- stack high-water mark -------------------------------------------------- */

#define STACK_PAINT 0xC0DEFA11u
#define STACK_PROBE_WORDS 4096u /* 16 KiB below the caller's frame */

/* The painted window starts this many words below the caller's stack pointer,
   below anything the call sequence itself may touch. */
#define STACK_GAP_WORDS 16u

static uint32_t *stack_pointer(void) {
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

static void paint_stack(uint32_t *sp) {
  uint32_t *p;
  for (p = sp - STACK_GAP_WORDS - STACK_PROBE_WORDS; p < sp - STACK_GAP_WORDS; ++p)
    *p = STACK_PAINT;
}

/* Bytes of the window below sp that no longer hold the paint. */
static uint32_t stack_used(const uint32_t *sp) {
  const uint32_t *p = sp - STACK_GAP_WORDS - STACK_PROBE_WORDS;
  while (p < sp - STACK_GAP_WORDS && *p == STACK_PAINT)
    ++p;
  return (uint32_t)((const char *)sp - (const char *)p);
}

/* ---- the layers ------------------------------------------------------------ */

static float magnitude(float v) { return v < 0.0f ? -v : v; }

static float quiet_nan(void) {
  union {
    uint32_t bits;
    float value;
  } u;
  u.bits = 0x7fc00000u;
  return u.value;
}

static uint64_t macs_of(const cg_conv_desc *d) {
  return (uint64_t)d->n * (uint64_t)d->m * (uint64_t)d->oh * (uint64_t)d->ow *
         (uint64_t)(d->c / d->groups) * (uint64_t)d->kh * (uint64_t)d->kw;
}

static int same_text(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

static int run_layer(int i) {
  const bench_layer *l = &layers[i];
  const fw_expected *e = &fw_expected_table[i];
  float *x = (float *)&input_buf, *w = (float *)&weight_buf, *b = (float *)&bias_buf;
  float *y = (float *)&output_buf;
  const float poison = quiet_nan();
  float max_err = 0.0f;
  size_t j, bad = 0, tail_kept = 0;
  uint32_t *sp, t0, t1, stack;
  int status, ok;

  if (!same_text(l->name, e->name) || e->count != l->output_elems) {
    fw_write("FAIL ");
    fw_write(l->name);
    fw_write(" expected-data table does not match this build\n");
    return 0;
  }
  fw_fill(x, l->input_elems, FW_SEED_INPUT(i), FW_SCALE_INPUT);
  fw_fill(w, l->weight_elems, FW_SEED_WEIGHTS(i), FW_SCALE_WEIGHTS);
  fw_fill(b, (size_t)l->desc->m, FW_SEED_BIAS(i), FW_SCALE_BIAS);
  for (j = 0; j < OUTPUT_CAPACITY; ++j)
    y[j] = poison;
  sp = stack_pointer();
  paint_stack(sp);

  t0 = FPGAIO_COUNTER;
  status = l->conv(x, w, l->desc->has_bias ? b : NULL, y, &workspace_buf);
  t1 = FPGAIO_COUNTER;

  stack = stack_used(sp);
  for (j = 0; j < l->output_elems; ++j) {
    float err = magnitude(y[j] - e->values[j]);
    bad += !(err <= e->tolerance);
    if (err > max_err || err != err)
      max_err = err;
  }
  for (j = l->output_elems; j < OUTPUT_CAPACITY; ++j)
    tail_kept += y[j] != y[j];
  ok = status == CG_OK && bad == 0 && tail_kept == OUTPUT_CAPACITY - l->output_elems &&
       stack < 4u * STACK_PROBE_WORDS;

  fw_write("LAYER ");
  fw_write(l->name);
  fw_write(" macs ");
  fw_put_u64(macs_of(l->desc));
  fw_write(" ticks ");
  fw_put_uint(t1 - t0);
  fw_write(" instructions ");
  fw_put_u64((uint64_t)(t1 - t0) * INSTRUCTIONS_PER_TICK);
  fw_write(" workspace ");
  fw_put_uint((uint32_t)l->workspace_bytes);
  fw_write(" stack ");
  fw_put_uint(stack);
  fw_write(" max_err ");
  fw_put_sci(max_err);
  fw_write(" tol ");
  fw_put_sci(e->tolerance);
  fw_write(ok ? " PASS" : " FAIL");
  if (status != CG_OK) {
    fw_write(" returned ");
    fw_put_uint((uint32_t)status);
  }
  if (bad != 0) {
    fw_write(" mismatches ");
    fw_put_uint((uint32_t)bad);
  }
  if (tail_kept != OUTPUT_CAPACITY - l->output_elems)
    fw_write(" wrote past its output");
  if (stack >= 4u * STACK_PROBE_WORDS)
    fw_write(" stack deeper than the painted window");
  fw_write("\n");
  return ok;
}

int main(void) {
  int i, passed = 0;
  uint32_t empty;
  const int calibrated = calibrate(&empty);

  if (!calibrated)
    fw_write("FAIL calibration: the counter does not count 40 instructions per tick "
             "(run under -icount shift=0,sleep=off)\n");
  for (i = 0; i < FW_LAYER_COUNT; ++i)
    passed += run_layer(i);
  fw_write("bench: ");
  fw_put_uint((uint32_t)passed);
  fw_write("/");
  fw_put_uint((uint32_t)FW_LAYER_COUNT);
  fw_write(" layers passed\n");
  return calibrated && passed == FW_LAYER_COUNT ? 0 : 1;
}

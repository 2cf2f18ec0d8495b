/* Firmware benchmark, s8 layers, on QEMU mps2-an386: counts each generated int8 layer's instructions and checks it bit for bit against cg_ref_conv_s8 run on the target. */
/* Counting as in bench_main.c (instructions = FPGAIO ticks x 40 under
   -icount shift=0,sleep=off; a calibration loop checks it first). Per layer the
   inputs, weights and biases come from a fixed xorshift stream; the generated
   P_conv runs between two counter reads, then runtime/reference_s8.c, compiled
   for the target with the same compiler, computes the same layer and every
   output byte must be equal. One line per layer:
     LAYER fwb_r8_s1_a macs 2359296 ticks ... instructions ... workspace 18432
           stack 312 mismatches 0 PASS
   then "bench: N/N layers passed"; exit status 0 when all passed. These are
   instructions, not cycles. */
#include <stddef.h>
#include <stdint.h>

#include "convgen.h"
#include "fw_print.h"
#include "fwb_model.h"
#include "semihost.h"

#define FPGAIO_COUNTER (*(volatile uint32_t *)0x40028018u)
#define INSTRUCTIONS_PER_TICK 40u /* 1 ns per instruction, 25 MHz counter */

typedef int (*fw_conv_s8_fn)(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y,
                             void *workspace);

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  const cg_quant_s8 *quant;
  fw_conv_s8_fn conv;
  size_t input_elems, weight_elems, output_elems, workspace_bytes;
} bench_layer;

#define FW_ENTRY(sym, SYM)                                                                       \
  { #sym, &sym##_desc, &sym##_quant, sym##_conv, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS,           \
    SYM##_OUTPUT_ELEMS, SYM##_WORKSPACE_BYTES },
static const bench_layer layers[] = { FWB_MODEL_LAYERS_S8(FW_ENTRY) };
#undef FW_ENTRY
#define LAYER_COUNT ((int)(sizeof layers / sizeof layers[0]))

/* One buffer of each kind for all layers (a union is as large as its largest member). */
#define FW_INPUT(sym, SYM) int8_t sym[SYM##_INPUT_ELEMS];
#define FW_WEIGHTS(sym, SYM) int8_t sym[SYM##_WEIGHT_ELEMS];
#define FW_BIAS(sym, SYM) int32_t sym[SYM##_M];
#define FW_OUTPUT(sym, SYM) int8_t sym[SYM##_OUTPUT_ELEMS];
#define FW_WORKSPACE(sym, SYM) unsigned char sym[SYM##_WORKSPACE_BYTES > 0 ? SYM##_WORKSPACE_BYTES : 1];
static union { FWB_MODEL_LAYERS_S8(FW_INPUT) } input_buf;
static union { FWB_MODEL_LAYERS_S8(FW_WEIGHTS) } weight_buf;
static union { FWB_MODEL_LAYERS_S8(FW_BIAS) } bias_buf;
static union { FWB_MODEL_LAYERS_S8(FW_OUTPUT) } output_buf, reference_buf;
static union { FWB_MODEL_LAYERS_S8(FW_WORKSPACE) } workspace_buf __attribute__((aligned(CG_WORKSPACE_ALIGN)));
#undef FW_INPUT
#undef FW_WEIGHTS
#undef FW_BIAS
#undef FW_OUTPUT
#undef FW_WORKSPACE

#define OUTPUT_CAPACITY sizeof output_buf
#define POISON ((int8_t)0x5a)

/* ---- deterministic data ------------------------------------------------------ */

static uint32_t next(uint32_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

static uint32_t seed_of(int layer, uint32_t which) {
  uint32_t s = (2000u + 3u * (uint32_t)layer + which) * 2654435761u ^ 0x9e3779b9u;
  return s != 0 ? s : 1u;
}

/* Inputs: any int8. Weights: TFLite's symmetric range [-127, 127]. Biases: [-4096, 4095]. */
static void fill_layer(int i, const bench_layer *l, int8_t *x, int8_t *w, int32_t *b) {
  uint32_t s = seed_of(i, 0);
  size_t j;
  for (j = 0; j < l->input_elems; ++j)
    x[j] = (int8_t)(int32_t)((next(&s) >> 8) % 256u - 128u);
  s = seed_of(i, 1);
  for (j = 0; j < l->weight_elems; ++j)
    w[j] = (int8_t)(int32_t)((next(&s) >> 8) % 255u - 127u);
  s = seed_of(i, 2);
  for (j = 0; j < (size_t)l->desc->m; ++j)
    b[j] = (int32_t)((next(&s) >> 8) % 8192u) - 4096;
}

/* ---- instruction counting and stack (as bench_main.c) -------------------------- */

static void known_loop(uint32_t iterations) {
  __asm__ volatile("1:\n\tsubs %0, %0, #1\n\tbne 1b" : "+r"(iterations) : : "cc");
}

static int calibrate(void) {
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
  return loop >= expected && loop - expected <= empty + 2u * INSTRUCTIONS_PER_TICK;
}

#define STACK_PAINT 0xC0DEFA11u
#define STACK_PROBE_WORDS 4096u
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

static uint32_t stack_used(const uint32_t *sp) {
  const uint32_t *p = sp - STACK_GAP_WORDS - STACK_PROBE_WORDS;
  while (p < sp - STACK_GAP_WORDS && *p == STACK_PAINT)
    ++p;
  return (uint32_t)((const char *)sp - (const char *)p);
}

static uint64_t macs_of(const cg_conv_desc *d) {
  return (uint64_t)d->n * (uint64_t)d->m * (uint64_t)d->oh * (uint64_t)d->ow *
         (uint64_t)(d->c / d->groups) * (uint64_t)d->kh * (uint64_t)d->kw;
}

/* ---- one layer ------------------------------------------------------------------ */

static int run_layer(int i) {
  const bench_layer *l = &layers[i];
  int8_t *x = (int8_t *)&input_buf, *w = (int8_t *)&weight_buf;
  int8_t *y = (int8_t *)&output_buf, *ref = (int8_t *)&reference_buf;
  int32_t *b = (int32_t *)&bias_buf;
  const int32_t *bias = l->desc->has_bias ? b : NULL;
  size_t j, bad = 0, tail_kept = 0;
  uint32_t *sp, t0, t1, stack;
  int status, ref_status, ok;

  fill_layer(i, l, x, w, b);
  for (j = 0; j < OUTPUT_CAPACITY; ++j)
    y[j] = POISON;
  sp = stack_pointer();
  paint_stack(sp);

  t0 = FPGAIO_COUNTER;
  status = l->conv(x, w, bias, y, &workspace_buf);
  t1 = FPGAIO_COUNTER;
  stack = stack_used(sp);

  ref_status = cg_ref_conv_s8(l->desc, l->quant, x, w, bias, ref);
  for (j = 0; j < l->output_elems; ++j)
    bad += y[j] != ref[j];
  for (j = l->output_elems; j < OUTPUT_CAPACITY; ++j)
    tail_kept += y[j] == POISON;
  ok = status == CG_OK && ref_status == CG_REF_S8_OK && bad == 0 &&
       tail_kept == OUTPUT_CAPACITY - l->output_elems && stack < 4u * STACK_PROBE_WORDS;

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
  fw_write(" mismatches ");
  fw_put_uint((uint32_t)bad);
  if (status != CG_OK) {
    fw_write(" returned ");
    fw_put_uint((uint32_t)status);
  }
  if (ref_status != CG_REF_S8_OK) {
    fw_write(" reference_status ");
    fw_put_uint((uint32_t)ref_status);
  }
  if (tail_kept != OUTPUT_CAPACITY - l->output_elems)
    fw_write(" wrote past its output");
  fw_write(ok ? " PASS\n" : " FAIL\n");
  return ok;
}

int main(void) {
  int i, passed = 0;
  const int calibrated = calibrate();

  if (!calibrated)
    fw_write("FAIL calibration: the counter does not count 40 instructions per tick "
             "(run under -icount shift=0,sleep=off)\n");
  for (i = 0; i < LAYER_COUNT; ++i)
    passed += run_layer(i);
  fw_write("bench: ");
  fw_put_uint((uint32_t)passed);
  fw_write("/");
  fw_put_uint((uint32_t)LAYER_COUNT);
  fw_write(" layers passed\n");
  return calibrated && passed == LAYER_COUNT ? 0 : 1;
}

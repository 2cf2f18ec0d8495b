/* Bare-metal test firmware: runs every generated ResNet-8 and DS-CNN layer on the target and checks it against outputs the host's reference computed. */
/* Per layer it fills the same deterministic input, weights and bias as the
   host tool (fw_fill), calls the generated P_conv with statically allocated
   buffers sized by the generated macros (no heap anywhere), and compares every
   output with fw_expected_table within the layer's rounding bound. Output goes
   through semihosting, one line per layer:
     PASS resnet8_conv1 max_err 1.91e-06 tol 3.52e-04 cycles 123456
   then "firmware: N/N layers passed"; main's result is the exit status
   (0 when every layer passed). Cycle counts come from the DWT cycle counter
   when the core has a running one; QEMU does not model it, so there the
   counts are left out. */
#include <stddef.h>
#include <stdint.h>

#include "fw_model.h"
#include "fw_print.h"
#include "semihost.h"

typedef int (*fw_conv_fn)(const float *x, const float *w, const float *bias, float *y,
                          void *workspace);

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  fw_conv_fn conv;
  size_t input_elems, weight_elems, output_elems;
} fw_layer;

#define FW_ENTRY(sym, SYM) \
  { #sym, &sym##_desc, sym##_conv, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_OUTPUT_ELEMS },
static const fw_layer layers[FW_LAYER_COUNT] = { FW_LAYERS(FW_ENTRY) };
#undef FW_ENTRY

/* One buffer of each kind, shared by all layers: a union with a member per
   layer is exactly as large as the largest layer needs. */
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

static int same_text(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

/* ---- DWT cycle counter ---------------------------------------------------- */

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL_NOCYCCNT (1u << 25)
#define DWT_CTRL_CYCCNTENA 1u

/* 1 when the counter exists and is seen to move across some busy work. */
static int cycle_counter_start(void) {
  volatile uint32_t spin;
  uint32_t before;
  DEMCR |= DEMCR_TRCENA;
  if ((DWT_CTRL & DWT_CTRL_NOCYCCNT) != 0)
    return 0;
  DWT_CYCCNT = 0;
  DWT_CTRL |= DWT_CTRL_CYCCNTENA;
  before = DWT_CYCCNT;
  for (spin = 0; spin < 1000u; ++spin) {
  }
  return DWT_CYCCNT != before;
}

/* ---- the layers ----------------------------------------------------------- */

static float magnitude(float v) { return v < 0.0f ? -v : v; }

/* A quiet NaN in every output cell first: a cell the kernel never writes
   cannot match, and the cells past the layer's output must keep it. */
static float sentinel(void) {
  union {
    uint32_t bits;
    float value;
  } u;
  u.bits = 0x7fc00000u;
  return u.value;
}

static int run_layer(int i, int have_cycles, uint32_t *total_cycles) {
  const fw_layer *l = &layers[i];
  const fw_expected *e = &fw_expected_table[i];
  float *x = (float *)&input_buf, *w = (float *)&weight_buf, *b = (float *)&bias_buf;
  float *y = (float *)&output_buf;
  const float poison = sentinel();
  float max_err = 0.0f;
  size_t j, bad = 0, first_bad = 0, untouched_tail = 0;
  uint32_t start = 0, cycles = 0;
  int status;

  if (!same_text(l->name, e->name) || e->count != l->output_elems) {
    fw_write("FAIL ");
    fw_write(l->name);
    fw_write(" expected-data table does not match this build (regenerate it)\n");
    return 0;
  }
  fw_fill(x, l->input_elems, FW_SEED_INPUT(i), FW_SCALE_INPUT);
  fw_fill(w, l->weight_elems, FW_SEED_WEIGHTS(i), FW_SCALE_WEIGHTS);
  fw_fill(b, (size_t)l->desc->m, FW_SEED_BIAS(i), FW_SCALE_BIAS);
  for (j = 0; j < OUTPUT_CAPACITY; ++j)
    y[j] = poison;

  if (have_cycles)
    start = DWT_CYCCNT;
  status = l->conv(x, w, l->desc->has_bias ? b : NULL, y, &workspace_buf);
  if (have_cycles) {
    cycles = DWT_CYCCNT - start;
    *total_cycles += cycles;
  }

  for (j = 0; j < l->output_elems; ++j) {
    float err = magnitude(y[j] - e->values[j]);
    if (!(err <= e->tolerance)) {
      if (bad++ == 0)
        first_bad = j;
    }
    if (err > max_err || err != err)
      max_err = err;
  }
  for (j = l->output_elems; j < OUTPUT_CAPACITY; ++j)
    untouched_tail += y[j] != y[j];

  fw_write(status == CG_OK && bad == 0 && untouched_tail == OUTPUT_CAPACITY - l->output_elems
               ? "PASS "
               : "FAIL ");
  fw_write(l->name);
  fw_write(" max_err ");
  fw_put_sci(max_err);
  fw_write(" tol ");
  fw_put_sci(e->tolerance);
  if (have_cycles) {
    fw_write(" cycles ");
    fw_put_uint(cycles);
  }
  if (status != CG_OK) {
    fw_write(" returned ");
    fw_put_uint((uint32_t)status);
  }
  if (bad != 0) {
    fw_write(" mismatches ");
    fw_put_uint((uint32_t)bad);
    fw_write(" first ");
    fw_put_uint((uint32_t)first_bad);
    fw_write(": got ");
    fw_put_sci(y[first_bad]);
    fw_write(" expected ");
    fw_put_sci(e->values[first_bad]);
  }
  if (untouched_tail != OUTPUT_CAPACITY - l->output_elems)
    fw_write(" wrote past its output");
  fw_write("\n");
  return status == CG_OK && bad == 0 && untouched_tail == OUTPUT_CAPACITY - l->output_elems;
}

int main(void) {
  int i, passed = 0;
  uint32_t total_cycles = 0;
  const int have_cycles = cycle_counter_start();

  fw_write("firmware: ");
  fw_put_uint((uint32_t)FW_LAYER_COUNT);
  fw_write(" layers, workspace ");
  fw_put_uint((uint32_t)sizeof workspace_buf);
  fw_write(" B, weights ");
  fw_put_uint((uint32_t)sizeof weight_buf);
  fw_write(" B, input ");
  fw_put_uint((uint32_t)sizeof input_buf);
  fw_write(" B, output ");
  fw_put_uint((uint32_t)sizeof output_buf);
  fw_write(" B (static)\n");
  if (!have_cycles)
    fw_write("firmware: no running DWT cycle counter here, cycle counts left out\n");

  for (i = 0; i < FW_LAYER_COUNT; ++i)
    passed += run_layer(i, have_cycles, &total_cycles);

  fw_write("firmware: ");
  fw_put_uint((uint32_t)passed);
  fw_write("/");
  fw_put_uint((uint32_t)FW_LAYER_COUNT);
  fw_write(" layers passed");
  if (have_cycles) {
    fw_write(", ");
    fw_put_uint(total_cycles);
    fw_write(" cycles in all");
  }
  fw_write("\n");
  return passed == FW_LAYER_COUNT ? 0 : 1;
}

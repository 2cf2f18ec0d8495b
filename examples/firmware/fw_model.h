/* Shared by the firmware and its host-side expected-data tool: the layer list, the deterministic data and the expected-table type. */
#ifndef FW_MODEL_H_INCLUDED
#define FW_MODEL_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

/* Every layer the firmware runs, in order: X(sym, SYM) per layer. Another
   program built on this file (bench/firmware) names a header of its own that
   defines FW_LAYERS, e.g. -DFW_LAYERS_HEADER='"fwb_layers.h"'. */
#ifdef FW_LAYERS_HEADER
#include FW_LAYERS_HEADER
#else
#include "dscnn_model.h"
#include "resnet8_model.h"
#define FW_LAYERS(X) RESNET8_MODEL_LAYERS_F32(X) DSCNN_MODEL_LAYERS_F32(X)
#endif

#define FW_COUNT_ONE(sym, SYM) +1
enum { FW_LAYER_COUNT = 0 FW_LAYERS(FW_COUNT_ONE) };
#undef FW_COUNT_ONE

/* One layer's expected output, computed on the host by cg_ref_conv_f32 and
   baked into the image. tolerance bounds |target - expected| per element. */
typedef struct {
  const char *name;
  const float *values;
  size_t count;
  float tolerance;
} fw_expected;

extern const fw_expected fw_expected_table[FW_LAYER_COUNT];

/* Seeds of layer i's input, weights and bias. */
#define FW_SEED_INPUT(i) (1000u + 3u * (uint32_t)(i))
#define FW_SEED_WEIGHTS(i) (1001u + 3u * (uint32_t)(i))
#define FW_SEED_BIAS(i) (1002u + 3u * (uint32_t)(i))

/* xorshift32 values in [-scale, scale). Every step is exact in binary32
   ((s >> 8) < 2^24 converts exactly, the power-of-two products and the
   subtraction of 1 cannot round), so the host and the target, whatever their
   FPU, fill bit-identical buffers. scale must be a power of two. */
static inline void fw_fill(float *v, size_t count, uint32_t seed, float scale) {
  uint32_t s = seed * 2654435761u ^ 0x9e3779b9u;
  size_t i;
  if (s == 0)
    s = 1;
  for (i = 0; i < count; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    v[i] = ((float)(s >> 8) * (1.0f / 8388608.0f) - 1.0f) * scale;
  }
}

/* Magnitudes of the data: inputs in [-1, 1), weights and biases in [-0.5, 0.5). */
#define FW_SCALE_INPUT 1.0f
#define FW_SCALE_WEIGHTS 0.5f
#define FW_SCALE_BIAS 0.5f

#endif /* FW_MODEL_H_INCLUDED */

/* Runs one s8 layer of an imported QLinearConv/ConvInteger model on tensors from files and compares exactly. */
/* usage: run_layer_s8 LAYER x.bin expected.bin w.bin [bias.bin]
   x, w and an int8 output are int8 bytes (uint8 tensors already flipped to int8 by
   the caller, docs/onnx.md); an int32 output (ConvInteger) and the bias are
   little-endian int32. The output is prefilled with a byte no result equals
   everywhere, so an unwritten output fails. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef int (*conv8_fn)(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y, void *workspace);
typedef int (*conv32_fn)(const int8_t *x, const int8_t *w, const int32_t *bias, int32_t *y, void *workspace);

struct entry {
  const char *name;
  conv8_fn conv8;
  conv32_fn conv32;
  size_t in, weights, bias, out, workspace;
};

#define ENTRY8(sym, SYM) \
  {#sym, sym##_conv, NULL, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_M, SYM##_OUTPUT_ELEMS, SYM##_WORKSPACE_BYTES},
#define ENTRY32(sym, SYM) \
  {#sym, NULL, sym##_conv, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_M, SYM##_OUTPUT_ELEMS, SYM##_WORKSPACE_BYTES},
static const struct entry entries[] = {MODEL_LAYERS_S8(ENTRY8) MODEL_LAYERS_S8_S32(ENTRY32){NULL, NULL, NULL, 0, 0, 0, 0, 0}};

static void *load(const char *path, size_t bytes) {
  FILE *f = fopen(path, "rb");
  unsigned char *data;
  size_t got;
  int extra;
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  data = malloc(bytes + 1);
  got = fread(data, 1, bytes, f);
  extra = fgetc(f);
  fclose(f);
  if (got != bytes || extra != EOF) {
    fprintf(stderr, "%s: expected exactly %zu bytes\n", path, bytes);
    exit(2);
  }
  return data;
}

int main(int argc, char **argv) {
  const struct entry *e = NULL;
  size_t i, bad = 0, first = 0, ysize;
  int rc;
  if (argc < 5) {
    fprintf(stderr, "usage: %s LAYER x.bin expected.bin w.bin [bias.bin]\n", argv[0]);
    return 2;
  }
  for (i = 0; entries[i].name; ++i)
    if (strcmp(entries[i].name, argv[1]) == 0)
      e = &entries[i];
  if (!e) {
    fprintf(stderr, "no s8 layer named %s\n", argv[1]);
    return 2;
  }
  ysize = e->conv32 ? sizeof(int32_t) : 1;
  {
    int8_t *x = load(argv[2], e->in);
    unsigned char *want = load(argv[3], e->out * ysize);
    int8_t *w = load(argv[4], e->weights);
    int32_t *b = argc > 5 ? load(argv[5], e->bias * sizeof(int32_t)) : NULL;
    unsigned char *y = malloc(e->out * ysize);
    /* C99 has no aligned_alloc: over-allocate and align by hand. */
    unsigned char *ws_raw = malloc(e->workspace + 2 * CG_WORKSPACE_ALIGN);
    void *ws = ws_raw + (CG_WORKSPACE_ALIGN - (uintptr_t)ws_raw % CG_WORKSPACE_ALIGN);
    int fill;
    for (fill = 0; fill < 2; ++fill) {
      memset(y, fill ? 0xA5 : 0x5A, e->out * ysize);
      rc = e->conv32 ? e->conv32(x, w, b, (int32_t *)(void *)y, ws) : e->conv8(x, w, b, (int8_t *)y, ws);
      if (rc != 0) {
        fprintf(stderr, "%s: returned %d\n", argv[1], rc);
        return 1;
      }
      for (i = 0; i < e->out; ++i)
        if (memcmp(y + i * ysize, want + i * ysize, ysize) != 0 && bad++ == 0)
          first = i;
      if (bad)
        break;
    }
    if (bad) {
      long got_v, want_v;
      if (e->conv32) {
        int32_t g, v;
        memcpy(&g, y + first * 4, 4);
        memcpy(&v, want + first * 4, 4);
        got_v = g;
        want_v = v;
      } else {
        got_v = (int8_t)y[first];
        want_v = (int8_t)want[first];
      }
      fprintf(stderr, "%s: %zu of %zu values differ; first at %zu: got %ld, want %ld\n", argv[1], bad,
              e->out, first, got_v, want_v);
      return 1;
    }
    printf("%s: %zu %s values match exactly\n", argv[1], e->out, e->conv32 ? "int32" : "int8");
    free(x);
    free(want);
    free(w);
    free(b);
    free(y);
    free(ws_raw);
  }
  return 0;
}

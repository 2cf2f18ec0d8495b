/* Generated int32-output s8 layers (quant.output_type = "s32", ONNX's ConvInteger) against cg_ref_conv_s8_s32, exactly. */
/* Per layer of CO_MODEL_LAYERS_S8_S32 (tests/quant/curated_onnx.lua): three data
   sets (random; every x and w at an extreme with the largest bias int32 allows;
   x mostly at the input zero point), bias given and NULL, x and w aligned and one
   byte off, y prefilled with two different bytes before two otherwise equal calls
   (an unwritten output cannot match both times), const inputs unchanged; then the
   aliasing check counts y's 4 bytes per element (y's last byte on x's first is
   CG_ERR_OVERLAP) and NULL pointers are refused. The int8-output layers of the same
   spec go through the Check harness (check_curated_onnx). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co_model.h"

typedef int (*conv_s32_fn)(const int8_t *x, const int8_t *w, const int32_t *bias, int32_t *y, void *workspace);

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  const cg_quant_s8 *quant;
  conv_s32_fn conv;
  size_t ws_bytes;
} layer;

#define ENTRY(sym, SYM) {#sym, &sym##_desc, &sym##_quant, sym##_conv, (size_t)(SYM##_WORKSPACE_BYTES)},
static const layer layers[] = {CO_MODEL_LAYERS_S8_S32(ENTRY){NULL, NULL, NULL, NULL, 0}};

static int failures, checks;
static uint32_t rnd_state = 0x2545F491u;
static long long rnd_in(long long lo, long long hi) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return lo + (long long)((uint64_t)rnd_state % (uint64_t)(hi - lo + 1));
}

static void *alloc(size_t bytes) {
  void *p = malloc(bytes > 0 ? bytes : 1);
  if (p == NULL) {
    fprintf(stderr, "check_onnx_s32: out of memory\n");
    exit(2);
  }
  return p;
}

static void fail(const layer *L, const char *what) {
  printf("FAIL %s: %s\n", L->name, what);
  ++failures;
}

static void check_layer(const layer *L) {
  const cg_conv_desc *d = L->desc;
  const size_t nx = cg_input_elems(d), nw = cg_weight_elems(d), ny = cg_output_elems(d), m = (size_t)d->m;
  const long long taps = (long long)(d->c / d->groups) * d->kh * d->kw;
  const long long room = (long long)INT32_MAX - taps * 255 * 255;
  int8_t *x = alloc(nx), *w = alloc(nw), *xb = alloc(nx + 1), *wb = alloc(nw + 1);
  int32_t *bias = alloc(m * sizeof(int32_t)), *want = alloc(ny * sizeof(int32_t)), *y = alloc(ny * sizeof(int32_t));
  unsigned char *ws_raw = alloc(L->ws_bytes + 2 * CG_WORKSPACE_ALIGN), *ws;
  unsigned char *shared = alloc(ny * sizeof(int32_t) + nx);
  size_t i;
  int set, pass, off, fill, rc;
  ws = ws_raw + (CG_WORKSPACE_ALIGN - (uintptr_t)ws_raw % CG_WORKSPACE_ALIGN);
  for (set = 0; set < 3; ++set) {
    const long long bmax = set == 1 ? room : (room < 4096 ? room : 4096);
    for (i = 0; i < nx; ++i)
      x[i] = (int8_t)(set == 1 ? (rnd_in(0, 1) ? 127 : -128)
                      : set == 2 && rnd_in(0, 7) != 0 ? L->quant->input_zero_point : rnd_in(-128, 127));
    for (i = 0; i < nw; ++i)
      w[i] = (int8_t)(set == 1 ? (rnd_in(0, 1) ? 127 : -128) : rnd_in(-128, 127));
    for (i = 0; i < m; ++i)
      bias[i] = (int32_t)(bmax > 0 ? rnd_in(-bmax, bmax) : 0);
    for (pass = 0; pass < 2; ++pass) {
      const int32_t *b = pass == 0 ? bias : NULL;
      if (pass == 0 && !d->has_bias)
        continue;
      rc = cg_ref_conv_s8_s32(d, L->quant, x, w, b, want);
      if (rc != CG_REF_S8_OK) {
        fail(L, "the reference reported a problem");
        continue;
      }
      for (off = 0; off < 2; ++off)
        for (fill = 0; fill < 2; ++fill) {
          memcpy(xb + off, x, nx);
          memcpy(wb + off, w, nw);
          memset(y, fill ? 0xFF : 0x00, ny * sizeof(int32_t));
          rc = L->conv(xb + off, wb + off, b, y, L->ws_bytes ? ws : NULL);
          ++checks;
          if (rc != CG_OK)
            fail(L, "conv did not return CG_OK");
          else if (memcmp(y, want, ny * sizeof(int32_t)) != 0) {
            for (i = 0; y[i] == want[i]; ++i) {
            }
            printf("FAIL %s: data set %d, bias %s, offset %d: y[%zu] = %ld, want %ld\n", L->name, set,
                   b ? "given" : "NULL", off, i, (long)y[i], (long)want[i]);
            ++failures;
          }
          if (memcmp(xb + off, x, nx) != 0 || memcmp(wb + off, w, nw) != 0)
            fail(L, "conv changed x or w");
        }
    }
  }
  /* y's last byte on x's first: an overlap only when y counts 4 bytes per element */
  memcpy(shared + ny * sizeof(int32_t) - 1, x, nx);
  rc = L->conv((const int8_t *)(shared + ny * sizeof(int32_t) - 1), w, NULL, (int32_t *)(void *)shared,
               L->ws_bytes ? ws : NULL);
  ++checks;
  if (rc != CG_ERR_OVERLAP)
    fail(L, "y overlapping x by one byte was not refused");
  rc = L->conv(x, w, NULL, NULL, L->ws_bytes ? ws : NULL);
  ++checks;
  if (rc != CG_ERR_NULL_POINTER)
    fail(L, "y = NULL was not refused");
  free(x);
  free(w);
  free(xb);
  free(wb);
  free(bias);
  free(want);
  free(y);
  free(ws_raw);
  free(shared);
}

int main(void) {
  int k;
  for (k = 0; layers[k].name != NULL; ++k)
    check_layer(&layers[k]);
  printf("%s: %d int32-output layers, %d calls checked, %d failed\n", failures ? "FAILED" : "OK", k, checks,
         failures);
  return failures || k == 0 ? 1 : 0;
}

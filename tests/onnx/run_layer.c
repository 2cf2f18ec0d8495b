/* Runs one layer of an imported model on tensors from files and compares with the expected output (ONNX tolerance). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "weights.h"

/* ONNX backend-test tolerance: |got - want| <= ATOL + RTOL * |want|. */
#define RTOL 1e-3
#define ATOL 1e-7

/* The element type of the layers under test: float, or double with -DRUN_LAYER_F64. */
#ifdef RUN_LAYER_F64
typedef double T;
#define CONV_LIST MODEL_LAYERS_F64
#define TRANSPOSE_LIST MODEL_TRANSPOSE_F64
#define RUN_LIST MODEL_RUN_F64
#else
typedef float T;
#define CONV_LIST MODEL_LAYERS_F32
#define TRANSPOSE_LIST MODEL_TRANSPOSE_F32
#define RUN_LIST MODEL_RUN_F32
#endif

typedef int (*baked_fn)(const T *x, T *y, void *workspace);
typedef int (*runtime_fn)(const T *x, const T *w, const T *b, T *y, void *workspace);

struct entry {
  const char *name;
  runtime_fn conv;
  size_t in, weights, bias, out, workspace;
};

#define CONV_ENTRY(sym, SYM) \
  { #sym, sym##_conv, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_M, SYM##_OUTPUT_ELEMS, SYM##_WORKSPACE_BYTES },
#define TRANSPOSE_ENTRY(sym, SYM) \
  { #sym, sym##_conv_transpose, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_M, SYM##_OUTPUT_ELEMS, \
    SYM##_WORKSPACE_BYTES },
static const struct entry entries[] = {
  CONV_LIST(CONV_ENTRY) TRANSPOSE_LIST(TRANSPOSE_ENTRY) { NULL, NULL, 0, 0, 0, 0, 0 }
};

/* Layers with baked weights, NULL-terminated. */
struct baked {
  const char *name;
  baked_fn run;
};
#define RUN_ENTRY(sym, SYM) { #sym, sym##_run },
static const struct baked baked_entries[] = { RUN_LIST(RUN_ENTRY) { NULL, NULL } };

static T *load(const char *path, size_t count) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  T *data = malloc(count * sizeof(T) + 1);
  size_t got = fread(data, sizeof(T), count, f);
  int extra = fgetc(f);
  fclose(f);
  if (got != count || extra != EOF) {
    fprintf(stderr, "%s: expected exactly %zu values of %zu bytes\n", path, count, sizeof(T));
    exit(2);
  }
  return data;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s LAYER x.bin expected.bin [w.bin [b.bin]]\n", argv[0]);
    return 2;
  }
  const struct entry *e = NULL;
  for (size_t i = 0; entries[i].name; ++i) {
    if (strcmp(entries[i].name, argv[1]) == 0) e = &entries[i];
  }
  if (!e) {
    fprintf(stderr, "no layer of this element type named %s\n", argv[1]);
    return 2;
  }
  T *x = load(argv[2], e->in);
  T *want = load(argv[3], e->out);
  T *w = argc > 4 ? load(argv[4], e->weights) : NULL;
  T *b = argc > 5 ? load(argv[5], e->bias) : NULL;
  T *y = malloc(e->out * sizeof(T));
  for (size_t i = 0; i < e->out; ++i) y[i] = NAN; /* an unwritten output fails */
  /* C99 has no aligned_alloc: over-allocate and align by hand. */
  unsigned char *ws_raw = malloc(e->workspace + 2 * CG_WORKSPACE_ALIGN);
  void *ws = ws_raw + (CG_WORKSPACE_ALIGN - (uintptr_t)ws_raw % CG_WORKSPACE_ALIGN);
  int rc = -1;
  if (w) {
    rc = e->conv(x, w, b, y, ws);
  } else {
    for (size_t i = 0; baked_entries[i].name; ++i) {
      if (strcmp(baked_entries[i].name, argv[1]) == 0) rc = baked_entries[i].run(x, y, ws);
    }
  }
  if (rc != 0) {
    fprintf(stderr, "%s: returned %d\n", argv[1], rc);
    return 1;
  }
  /* Our own fixtures are checked against float64 results, so float32 summation in another
     order (the SIMD kernels) may land a value that cancels to near zero a few ulps of the
     summands away: they pass a larger absolute floor in CONVGEN_ONNX_ATOL. */
  double atol = ATOL;
  const char *atol_text = getenv("CONVGEN_ONNX_ATOL");
  if (atol_text) atol = strtod(atol_text, NULL);
  size_t bad = 0, first = 0;
  double max_err = 0.0;
  for (size_t i = 0; i < e->out; ++i) {
    double err = fabs((double)y[i] - (double)want[i]);
    if (!(err <= atol + RTOL * fabs((double)want[i]))) {
      if (bad++ == 0) first = i;
    }
    if (err > max_err) max_err = err;
  }
  if (bad) {
    fprintf(stderr, "%s: %zu of %zu values differ; first at %zu: got %.9g, want %.9g\n", argv[1], bad, e->out,
            first, (double)y[first], (double)want[first]);
    return 1;
  }
  printf("%s: %zu values match (max abs error %.3g)\n", argv[1], e->out, max_err);
  free(x);
  free(want);
  free(w);
  free(b);
  free(y);
  free(ws_raw);
  return 0;
}

/* Host tool: runs the generic reference (cg_ref_conv_f32) on the firmware's deterministic data and writes the expected outputs as C. */
/* Usage: fw_expected OUTPUT.c
   For every layer of FW_LAYERS it fills the same input, weights and bias the
   firmware will (fw_fill), runs the reference, and writes the outputs as
   `static const float` arrays (hex-float literals, exact) plus the table
   fw_expected_table that the firmware compares against.

   The tolerance of a layer is a worst-case bound on float rounding, not a
   guess: the target sums K = C/groups*KH*KW products and the bias in float in
   some order, so its error is at most about (K + 1) * u * S with u = 2^-24 and
   S = sum |x| |w| + |bias| for that output; the reference rounds its double
   sum once (u * |y| <= u * S more). ReLU and clamps only shrink differences.
   S is the reference itself run on |x|, |w|, |bias| without activation; the
   table holds 2 * (K + 2) * u * max(S), so a kernel that gets any term wrong
   fails while any order of summation passes. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_model.h"

typedef struct {
  const char *name;
  const cg_conv_desc *desc;
  size_t input_elems, weight_elems, output_elems;
} host_layer;

#define FW_HOST_ENTRY(sym, SYM) \
  { #sym, &sym##_desc, SYM##_INPUT_ELEMS, SYM##_WEIGHT_ELEMS, SYM##_OUTPUT_ELEMS },
static const host_layer layers[FW_LAYER_COUNT] = { FW_LAYERS(FW_HOST_ENTRY) };
#undef FW_HOST_ENTRY

static void *checked_alloc(size_t count, size_t size) {
  void *p = calloc(count > 0 ? count : 1, size);
  if (p == NULL) {
    fprintf(stderr, "fw_expected: out of memory\n");
    exit(2);
  }
  return p;
}

static void abs_all(float *v, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i)
    v[i] = fabsf(v[i]);
}

int main(int argc, char **argv) {
  FILE *out;
  int i;
  float tolerance[FW_LAYER_COUNT];
  char tmp[4096];

  if (argc != 2) {
    fprintf(stderr, "usage: fw_expected OUTPUT.c\n");
    return 2;
  }
  /* Written next to the target and renamed at the end, so an interrupted run
     never leaves a complete-looking file behind. */
  if (strlen(argv[1]) + 5 > sizeof tmp) {
    fprintf(stderr, "fw_expected: output path too long\n");
    return 2;
  }
  strcpy(tmp, argv[1]);
  strcat(tmp, ".tmp");
  out = fopen(tmp, "w");
  if (out == NULL) {
    perror(tmp);
    return 2;
  }
  fprintf(out, "/* Expected outputs of the firmware's layers: cg_ref_conv_f32 on the host, written by fw_expected. Do not edit. */\n");
  fprintf(out, "#include \"fw_model.h\"\n");

  for (i = 0; i < FW_LAYER_COUNT; ++i) {
    const host_layer *l = &layers[i];
    const cg_conv_desc *d = l->desc;
    cg_conv_desc plain = *d;
    float *x = checked_alloc(l->input_elems, sizeof(float));
    float *w = checked_alloc(l->weight_elems, sizeof(float));
    float *b = checked_alloc((size_t)d->m, sizeof(float));
    float *y = checked_alloc(l->output_elems, sizeof(float));
    float *s = checked_alloc(l->output_elems, sizeof(float));
    double max_s = 0.0;
    size_t k_len = (size_t)(d->c / d->groups) * (size_t)d->kh * (size_t)d->kw, j;

    fw_fill(x, l->input_elems, FW_SEED_INPUT(i), FW_SCALE_INPUT);
    fw_fill(w, l->weight_elems, FW_SEED_WEIGHTS(i), FW_SCALE_WEIGHTS);
    fw_fill(b, (size_t)d->m, FW_SEED_BIAS(i), FW_SCALE_BIAS);
    cg_ref_conv_f32(d, x, w, d->has_bias ? b : NULL, y);

    abs_all(x, l->input_elems);
    abs_all(w, l->weight_elems);
    abs_all(b, (size_t)d->m);
    plain.activation = CG_ACT_NONE;
    cg_ref_conv_f32(&plain, x, w, d->has_bias ? b : NULL, s);
    for (j = 0; j < l->output_elems; ++j)
      if ((double)s[j] > max_s)
        max_s = (double)s[j];
    tolerance[i] = (float)(2.0 * (double)(k_len + 2) * ((double)FLT_EPSILON / 2.0) * max_s);

    fprintf(out, "\n/* %s: %lu values */\nstatic const float expected_%s[%lu] = {", l->name,
            (unsigned long)l->output_elems, l->name, (unsigned long)l->output_elems);
    for (j = 0; j < l->output_elems; ++j) {
      /* %a of a float is exact; the suffix keeps the literal a float */
      fprintf(out, "%s%af,", j % 6 == 0 ? "\n  " : " ", (double)y[j]);
    }
    fprintf(out, "\n};\n");
    printf("fw_expected: %-18s %6lu outputs, K = %4lu, tolerance %.3g\n", l->name,
           (unsigned long)l->output_elems, (unsigned long)k_len, (double)tolerance[i]);
    free(x);
    free(w);
    free(b);
    free(y);
    free(s);
  }

  fprintf(out, "\nconst fw_expected fw_expected_table[FW_LAYER_COUNT] = {\n");
  for (i = 0; i < FW_LAYER_COUNT; ++i)
    fprintf(out, "  { \"%s\", expected_%s, %lu, %af },\n", layers[i].name, layers[i].name,
            (unsigned long)layers[i].output_elems, (double)tolerance[i]);
  fprintf(out, "};\n");
  i = ferror(out);
  if (fclose(out) != 0 || i != 0 || rename(tmp, argv[1]) != 0) {
    perror(argv[1]);
    remove(tmp);
    return 2;
  }
  return 0;
}

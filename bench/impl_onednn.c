/* bench/impl_onednn.c: oneDNN (C API, one CPU stream) as a benchmark implementation: fp32 forward, backward data and backward weights primitives in three layout variants, and int8 forward in three source/weight variants. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#pragma GCC diagnostic pop

#include "bench.h"

/* The three ways a user can run a layer through oneDNN:
   PLAIN   every tensor in the user's own layout (NCHW: nchw + oihw, NHWC:
           nhwc + hwio), nothing reordered;
   PLAINW  activations (and their gradients) as the user holds them, weights in
           the primitive's preferred layout: reordered once at set-up when the
           primitive reads them (forward, backward data), and dw left in that
           layout when it writes them (backward weights; converted untimed for
           the check), as for a user who keeps weights and gradients in
           oneDNN's layout for good;
   BLOCKED as PLAINW, and the activations `format_tag any` too: oneDNN picks
           its blocked layouts, and the reorders from and to the user's layout
           run inside the timed call (the user's tensors stay plain).
   The backward primitives get the forward_training primitive descriptor of the
   same memory descriptors as their hint. */
typedef enum { VARIANT_PLAIN, VARIANT_PLAINW, VARIANT_BLOCKED } dnnl_variant;

static dnnl_engine_t engine;
static dnnl_stream_t stream;

/* An activation tensor of the timed call, in the user's layout: `user` wraps the
   bench's buffer, `inner` is the primitive's memory (the same object when the
   layouts agree), `reorder` converts between them inside the timed call (user to
   inner for an input, inner to user for an output). */
typedef struct {
  dnnl_memory_t user, inner;
  dnnl_primitive_t reorder;
  dnnl_exec_arg_t args[2];
} dnnl_tensor;

typedef struct {
  bench_pass pass;
  dnnl_primitive_t prim;
  dnnl_tensor in[2];           /* fwd: src; bwd data: diff_dst; bwd weights: src, diff_dst */
  int n_in;
  dnnl_tensor out;             /* fwd: dst; bwd data: diff_src; unused for bwd weights */
  dnnl_memory_t weights;       /* weights (fwd, bwd data) or diff_weights, in the primitive's layout */
  dnnl_memory_t user_dw;       /* bwd weights with a non-plain diff_weights: dw in the user's layout */
  dnnl_primitive_t dw_reorder; /* ... and its conversion, run by output() after the timed calls */
  dnnl_memory_t bias;          /* bias (fwd) or diff_bias (bwd weights), plain */
  dnnl_memory_t zero_point[2]; /* s8: the runtime src and dst zero points (NULL: none) */
  int32_t zero_point_value[2];
  uint8_t *x_u8;               /* s8 rows, u8 variant: x + 128, made outside the timed call */
  dnnl_exec_arg_t args[8];
  int nargs;
  float *result;               /* y, dx, or dw then db, in the user's layout (s8 rows: int8 y) */
  char info[320];
} dnnl_state;

/* The layout of a memory descriptor in oneDNN's tag notation (nChw16c,
   OIhw16i16o, ...): outer dimensions by decreasing stride, upper case when the
   dimension is also blocked, then the inner blocks from outermost to innermost. */
static void describe_md(const dnnl_memory_desc_t *md, const char *letters, char *buf, size_t len)
{
  if (md->format_kind != dnnl_blocked) {
    snprintf(buf, len, "%s", dnnl_fmt_kind2str(md->format_kind));
    return;
  }
  const dnnl_blocking_desc_t *bd = &md->format_desc.blocking;
  int order[DNNL_MAX_NDIMS], blocked[DNNL_MAX_NDIMS] = { 0 };
  for (int i = 0; i < md->ndims; ++i) order[i] = i;
  for (int i = 0; i < bd->inner_nblks; ++i) blocked[bd->inner_idxs[i]] = 1;
  /* insertion sort by decreasing stride; on equal strides a dimension of size 1
     (whose stride means nothing) goes inside the others, otherwise order is kept */
  for (int i = 1; i < md->ndims; ++i) {
    int v = order[i], j = i;
    while (j > 0 && (bd->strides[order[j - 1]] < bd->strides[v] ||
                     (bd->strides[order[j - 1]] == bd->strides[v] && md->dims[order[j - 1]] == 1 &&
                      md->dims[v] != 1))) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = v;
  }
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < md->ndims && used + 1 < len; ++i) {
    char ch = letters[order[i]];
    buf[used++] = blocked[order[i]] ? (char)(ch - 'a' + 'A') : ch;
    buf[used] = '\0';
  }
  for (int i = 0; i < bd->inner_nblks && used + 1 < len; ++i) {
    int n = snprintf(buf + used, len - used, "%d%c", (int)bd->inner_blks[i], letters[bd->inner_idxs[i]]);
    if (n < 0) break;
    used += (size_t)n;
  }
}

static int ensure_engine(void)
{
  if (engine != NULL) return 0;
  if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) return -1;
  if (dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success) {
    dnnl_engine_destroy(engine);
    engine = NULL;
    return -1;
  }
  return 0;
}

void bench_dnnl_shutdown(void)
{
  if (stream != NULL) dnnl_stream_destroy(stream);
  if (engine != NULL) dnnl_engine_destroy(engine);
  stream = NULL;
  engine = NULL;
}

void bench_dnnl_describe(char *buf, size_t len)
{
  const dnnl_version_t *v = dnnl_version();
  snprintf(buf, len, "oneDNN %d.%d.%d (CPU runtime %s, ISA %s)", v->major, v->minor, v->patch,
           dnnl_runtime2str(v->cpu_runtime), dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()));
}

/* A reorder from one memory to another, as a primitive (run later) or executed now (run_now). */
static dnnl_status_t make_reorder(dnnl_memory_t from, dnnl_memory_t to, int run_now, dnnl_primitive_t *out)
{
  const dnnl_memory_desc_t *from_md, *to_md;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t prim;
  dnnl_status_t st = dnnl_memory_get_memory_desc(from, &from_md);
  if (st == dnnl_success) st = dnnl_memory_get_memory_desc(to, &to_md);
  if (st != dnnl_success) return st;
  st = dnnl_reorder_primitive_desc_create(&pd, from_md, engine, to_md, engine, NULL);
  if (st != dnnl_success) return st;
  st = dnnl_primitive_create(&prim, pd);
  dnnl_primitive_desc_destroy(pd);
  if (st != dnnl_success) return st;
  if (run_now) {
    dnnl_exec_arg_t args[2] = { { DNNL_ARG_FROM, from }, { DNNL_ARG_TO, to } };
    st = dnnl_primitive_execute(prim, stream, 2, args);
    if (st == dnnl_success) st = dnnl_stream_wait(stream);
    dnnl_primitive_destroy(prim);
    return st;
  }
  *out = prim;
  return dnnl_success;
}

/* t wraps buffer (layout user_md) and, when the primitive chose another layout,
   its own memory and the reorder between them (user to inner when is_input). */
static dnnl_status_t tensor_init(dnnl_tensor *t, const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *chosen,
                                 void *buffer, int is_input)
{
  dnnl_status_t st = dnnl_memory_create(&t->user, user_md, engine, buffer);
  if (st != dnnl_success) return st;
  if (dnnl_memory_desc_equal(chosen, user_md)) {
    t->inner = t->user;
    return dnnl_success;
  }
  st = dnnl_memory_create(&t->inner, chosen, engine, DNNL_MEMORY_ALLOCATE);
  if (st != dnnl_success) return st;
  dnnl_memory_t from = is_input ? t->user : t->inner, to = is_input ? t->inner : t->user;
  t->args[0] = (dnnl_exec_arg_t){ DNNL_ARG_FROM, from };
  t->args[1] = (dnnl_exec_arg_t){ DNNL_ARG_TO, to };
  return make_reorder(from, to, 0, &t->reorder);
}

static dnnl_status_t tensor_reorder(const dnnl_tensor *t)
{
  return t->reorder != NULL ? dnnl_primitive_execute(t->reorder, stream, 2, t->args) : dnnl_success;
}

static void tensor_destroy(dnnl_tensor *t)
{
  if (t->reorder != NULL) dnnl_primitive_destroy(t->reorder);
  if (t->inner != NULL && t->inner != t->user) dnnl_memory_destroy(t->inner);
  if (t->user != NULL) dnnl_memory_destroy(t->user);
}

/* Weights the primitive reads, constant: wrapped when the layouts agree, else
   reordered once, here, outside the timed call. */
static dnnl_status_t constant_weights(dnnl_memory_t *mem, const dnnl_memory_desc_t *user_md,
                                      const dnnl_memory_desc_t *chosen, const void *w)
{
  if (dnnl_memory_desc_equal(chosen, user_md)) return dnnl_memory_create(mem, user_md, engine, (void *)w);
  dnnl_memory_t user_w = NULL;
  dnnl_status_t st = dnnl_memory_create(&user_w, user_md, engine, (void *)w);
  if (st != dnnl_success) return st;
  st = dnnl_memory_create(mem, chosen, engine, DNNL_MEMORY_ALLOCATE);
  if (st == dnnl_success) st = make_reorder(user_w, *mem, 1, NULL);
  dnnl_memory_destroy(user_w);
  return st;
}

static void dnnl_destroy_state(void *state)
{
  dnnl_state *s = state;
  if (s == NULL) return;
  if (s->prim != NULL) dnnl_primitive_destroy(s->prim);
  if (s->dw_reorder != NULL) dnnl_primitive_destroy(s->dw_reorder);
  for (int i = 0; i < 2; ++i) tensor_destroy(&s->in[i]);
  tensor_destroy(&s->out);
  dnnl_memory_t mems[] = { s->weights, s->user_dw, s->bias, s->zero_point[0], s->zero_point[1] };
  for (size_t i = 0; i < sizeof mems / sizeof mems[0]; ++i) {
    if (mems[i] != NULL) dnnl_memory_destroy(mems[i]);
  }
  free(s->x_u8);
  free(s->result);
  free(s);
}

#define DNNL_TRY(call)                                                                     \
  do {                                                                                     \
    dnnl_status_t try_status_ = (call);                                                    \
    if (try_status_ != dnnl_success) {                                                     \
      snprintf(why, why_len, "%s: %s", #call, dnnl_status2str(try_status_));               \
      goto fail;                                                                           \
    }                                                                                      \
  } while (0)

static const char *const pass_prefix[BENCH_PASS_COUNT] = { "", "bwd_d ", "bwd_w ", "" };

/* An int8 (s8, NHWC) layer: src s8 (PLAIN, PLAINW) or u8 (BLOCKED: x + 128 made outside the
   timed call, the zero point moved by 128 with it, so that a zero point of -128 becomes none),
   weights s8 in the user's HWIO (PLAIN) or oneDNN's layout reordered once (PLAINW, BLOCKED),
   s32 bias, dst s8 NHWC. oneDNN 2.6 computes dst = saturate(round(clip(scale[m] * (bias + sum
   (src - zp_src) * w)) + zp_dst)) in float32: scale[m] is the layer's real multiplier
   multiplier * 2^(shift - 31) rounded to float32, the clip the layer's act_min/act_max less the
   output zero point. One rounding, to nearest even, where TFLite rounds twice: the result may
   be one step off the reference. Zero points are passed at run time (DNNL_RUNTIME_S32_VAL). */
int bench_dnnl_has_vnni(void)
{
  /* the VNNI bit of avx512_core_vnni (and bf16, amx) and of avx2_vnni */
  return ((unsigned)dnnl_get_effective_cpu_isa() & 0x440u) != 0;
}

static void *dnnl_create_s8(const bench_problem *p, dnnl_variant variant, bench_status *status, char *why,
                            size_t why_len)
{
  const cg_conv_desc *d = p->d;
  const cg_quant_s8 *q = p->layer->quant;
  dnnl_state *s = NULL;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  dnnl_primitive_desc_t pd = NULL;
  float *scales = NULL;

  if (variant == VARIANT_PLAIN) {
    *status = BENCH_NA;
    snprintf(why, why_len, "int8 weights in the user's HWIO run oneDNN's reference kernel (ref_int8, 1000x slower)");
    return NULL;
  }
  if (variant == VARIANT_BLOCKED && !bench_dnnl_has_vnni()) {
    *status = BENCH_NA;
    snprintf(why, why_len, "u8 source without VNNI: vpmaddubsw's int16 pair sums saturate on full-range weights");
    return NULL;
  }
  *status = BENCH_ERROR;
  if (ensure_engine() != 0) {
    snprintf(why, why_len, "cannot create a oneDNN CPU engine and stream");
    return NULL;
  }
  s = bench_alloc(sizeof *s);
  s->pass = p->pass;
  s->result = bench_alloc(p->out_elems);
  bench_fill_nan(s->result, p->out_elems, 1);
  const int u8 = variant == VARIANT_BLOCKED, grouped = d->groups > 1;
  const void *src = p->x;
  if (u8) {
    const int8_t *x = p->x;
    s->x_u8 = bench_alloc(p->x_elems);
    for (size_t i = 0; i < p->x_elems; ++i) s->x_u8[i] = (uint8_t)(x[i] + 128);
    src = s->x_u8;
  }
  s->zero_point_value[0] = q->input_zero_point + (u8 ? 128 : 0);
  s->zero_point_value[1] = q->output_zero_point;

  dnnl_dims_t src_dims = { d->n, d->c, d->h, d->w };
  dnnl_dims_t dst_dims = { d->n, d->m, d->oh, d->ow };
  dnnl_dims_t bias_dims = { d->m }, one = { 1 };
  dnnl_dims_t wei_dims = { d->m, d->c, d->kh, d->kw };
  int wei_ndims = 4;
  if (grouped) {
    wei_ndims = 5;
    wei_dims[0] = d->groups;
    wei_dims[1] = d->m / d->groups;
    wei_dims[2] = d->c / d->groups;
    wei_dims[3] = d->kh;
    wei_dims[4] = d->kw;
  }
  dnnl_dims_t strides = { d->sh, d->sw };
  dnnl_dims_t dilates = { d->dh - 1, d->dw - 1 };
  dnnl_dims_t pad_l = { d->pad_top, d->pad_left };
  dnnl_dims_t pad_r = { d->pad_bottom, d->pad_right };
  const dnnl_format_tag_t wei_tag = grouped ? dnnl_hwigo : dnnl_hwio;
  const dnnl_data_type_t src_type = u8 ? dnnl_u8 : dnnl_s8;
  dnnl_memory_desc_t src_md, dst_md, wei_user, wei_md, bias_md, zp_md;
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_md, 4, src_dims, src_type, dnnl_nhwc));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_dims, dnnl_s8, dnnl_nhwc));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_user, wei_ndims, wei_dims, dnnl_s8, wei_tag));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_md, wei_ndims, wei_dims, dnnl_s8,
                                        variant == VARIANT_PLAIN ? wei_tag : dnnl_format_tag_any));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_s32, dnnl_x));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&zp_md, 1, one, dnnl_s32, dnnl_x));

  dnnl_convolution_desc_t conv_desc;
  DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&conv_desc, dnnl_forward_inference, dnnl_convolution_direct,
                                                     &src_md, &wei_md, p->bias != NULL ? &bias_md : NULL, &dst_md,
                                                     strides, dilates, pad_l, pad_r));
  DNNL_TRY(dnnl_primitive_attr_create(&attr));
  scales = bench_alloc((size_t)d->m * sizeof *scales);
  for (int m = 0; m < d->m; ++m) scales[m] = (float)ldexp((double)q->multiplier[m], q->shift[m] - 31);
  DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, d->m, 1 << 1, scales));
  const int32_t runtime = DNNL_RUNTIME_S32_VAL;
  if (s->zero_point_value[0] != 0) DNNL_TRY(dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &runtime));
  if (s->zero_point_value[1] != 0) DNNL_TRY(dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0, &runtime));
  if (q->act_min > -128 || q->act_max < 127) {
    DNNL_TRY(dnnl_post_ops_create(&post_ops));
    DNNL_TRY(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_clip, (float)(q->act_min - q->output_zero_point),
                                          (float)(q->act_max - q->output_zero_point)));
    DNNL_TRY(dnnl_primitive_attr_set_post_ops(attr, post_ops));
  }
  DNNL_TRY(dnnl_primitive_desc_create(&pd, &conv_desc, attr, engine, NULL));
  DNNL_TRY(dnnl_primitive_create(&s->prim, pd));

  const dnnl_memory_desc_t *src_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *wei_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *dst_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
  DNNL_TRY(tensor_init(&s->in[0], &src_md, src_chosen, (void *)src, 1));
  DNNL_TRY(tensor_init(&s->out, &dst_md, dst_chosen, s->result, 0));
  DNNL_TRY(constant_weights(&s->weights, &wei_user, wei_chosen, p->w));
  if (p->bias != NULL) DNNL_TRY(dnnl_memory_create(&s->bias, &bias_md, engine, (void *)p->bias));
  s->n_in = 1;
  s->args[0] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, s->in[0].inner };
  s->args[1] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, s->weights };
  s->args[2] = (dnnl_exec_arg_t){ DNNL_ARG_DST, s->out.inner };
  s->nargs = 3;
  if (s->bias != NULL) s->args[s->nargs++] = (dnnl_exec_arg_t){ DNNL_ARG_BIAS, s->bias };
  static const int zp_arg[2] = { DNNL_ARG_SRC, DNNL_ARG_DST };
  for (int i = 0; i < 2; ++i) {
    if (s->zero_point_value[i] == 0) continue;
    DNNL_TRY(dnnl_memory_create(&s->zero_point[i], &zp_md, engine, &s->zero_point_value[i]));
    s->args[s->nargs++] = (dnnl_exec_arg_t){ DNNL_ARG_ATTR_ZERO_POINTS | zp_arg[i], s->zero_point[i] };
  }

  const char *impl = NULL;
  if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || impl == NULL) impl = "?";
  char fmt[3][48];
  describe_md(src_chosen, "nchw", fmt[0], sizeof fmt[0]);
  describe_md(wei_chosen, grouped ? "goihw" : "oihw", fmt[1], sizeof fmt[1]);
  describe_md(dst_chosen, "nchw", fmt[2], sizeof fmt[2]);
  snprintf(s->info, sizeof s->info, "%s src %s %s wei s8 %s dst s8 %s", impl, u8 ? "u8" : "s8", fmt[0], fmt[1], fmt[2]);

  free(scales);
  dnnl_primitive_desc_destroy(pd);
  dnnl_primitive_attr_destroy(attr);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  *status = BENCH_OK;
  return s;

fail:
  free(scales);
  if (pd != NULL) dnnl_primitive_desc_destroy(pd);
  if (attr != NULL) dnnl_primitive_attr_destroy(attr);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  dnnl_destroy_state(s);
  return NULL;
}

static void *dnnl_create(const bench_problem *p, dnnl_variant variant, bench_status *status, char *why,
                         size_t why_len)
{
  const cg_conv_desc *d = p->d;
  dnnl_state *s = NULL;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  dnnl_primitive_desc_t pd = NULL, hint = NULL;

  if (p->pass == BENCH_PASS_S8) return dnnl_create_s8(p, variant, status, why, why_len);
  if (p->elem_size != sizeof(float)) {
    *status = BENCH_NA;
    snprintf(why, why_len, "oneDNN is timed in f32 only");
    return NULL;
  }
  *status = BENCH_ERROR;
  if (ensure_engine() != 0) {
    snprintf(why, why_len, "cannot create a oneDNN CPU engine and stream");
    return NULL;
  }
  s = bench_alloc(sizeof *s);
  s->pass = p->pass;
  s->result = bench_alloc(p->out_elems * sizeof(float));
  bench_fill_nan(s->result, p->out_elems, sizeof(float));

  const int nchw = d->layout == CG_LAYOUT_NCHW, grouped = d->groups > 1;
  const int with_bias = p->bias != NULL;
  dnnl_dims_t src_dims = { d->n, d->c, d->h, d->w };
  dnnl_dims_t dst_dims = { d->n, d->m, d->oh, d->ow };
  dnnl_dims_t bias_dims = { d->m };
  dnnl_dims_t wei_dims;
  int wei_ndims;
  if (grouped) {
    wei_ndims = 5;
    wei_dims[0] = d->groups;
    wei_dims[1] = d->m / d->groups;
    wei_dims[2] = d->c / d->groups;
    wei_dims[3] = d->kh;
    wei_dims[4] = d->kw;
  } else {
    wei_ndims = 4;
    wei_dims[0] = d->m;
    wei_dims[1] = d->c;
    wei_dims[2] = d->kh;
    wei_dims[3] = d->kw;
  }
  dnnl_dims_t strides = { d->sh, d->sw };
  dnnl_dims_t dilates = { d->dh - 1, d->dw - 1 }; /* oneDNN counts the gaps: 0 is dense */
  dnnl_dims_t pad_l = { d->pad_top, d->pad_left };
  dnnl_dims_t pad_r = { d->pad_bottom, d->pad_right };

  /* The user's tensors: PyTorch OIHW weights with NCHW, TensorFlow HWIO with NHWC. */
  dnnl_format_tag_t act_tag = nchw ? dnnl_nchw : dnnl_nhwc;
  dnnl_format_tag_t wei_tag = nchw ? (grouped ? dnnl_goihw : dnnl_oihw) : (grouped ? dnnl_hwigo : dnnl_hwio);
  dnnl_memory_desc_t src_user, dst_user, wei_user, bias_md, src_md, dst_md, wei_md;
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_user, 4, src_dims, dnnl_f32, act_tag));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_user, 4, dst_dims, dnnl_f32, act_tag));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_user, wei_ndims, wei_dims, dnnl_f32, wei_tag));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x));
  dnnl_format_tag_t act_want = variant == VARIANT_BLOCKED ? dnnl_format_tag_any : act_tag;
  dnnl_format_tag_t wei_want = variant == VARIANT_PLAIN ? wei_tag : dnnl_format_tag_any;
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_md, 4, src_dims, dnnl_f32, act_want));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_dims, dnnl_f32, act_want));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_md, wei_ndims, wei_dims, dnnl_f32, wei_want));

  dnnl_convolution_desc_t conv_desc;
  if (p->pass == BENCH_PASS_FWD) {
    DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&conv_desc, dnnl_forward_inference, dnnl_convolution_direct,
                                                       &src_md, &wei_md, with_bias ? &bias_md : NULL, &dst_md,
                                                       strides, dilates, pad_l, pad_r));
    DNNL_TRY(dnnl_primitive_attr_create(&attr));
    if (d->activation != CG_ACT_NONE) {
      DNNL_TRY(dnnl_post_ops_create(&post_ops));
      if (d->activation == CG_ACT_RELU) {
        DNNL_TRY(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
      } else {
        float lo = d->activation == CG_ACT_RELU6 ? 0.0f : (float)d->act_lo;
        float hi = d->activation == CG_ACT_RELU6 ? 6.0f : (float)d->act_hi;
        DNNL_TRY(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_clip, lo, hi));
      }
      DNNL_TRY(dnnl_primitive_attr_set_post_ops(attr, post_ops));
    }
    DNNL_TRY(dnnl_primitive_desc_create(&pd, &conv_desc, attr, engine, NULL));
  } else {
    /* dy is taken before the activation: no post-ops on either side */
    DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&conv_desc, dnnl_forward_training, dnnl_convolution_direct,
                                                       &src_md, &wei_md, with_bias ? &bias_md : NULL, &dst_md,
                                                       strides, dilates, pad_l, pad_r));
    DNNL_TRY(dnnl_primitive_desc_create(&hint, &conv_desc, NULL, engine, NULL));
    if (p->pass == BENCH_PASS_BWD_DATA) {
      DNNL_TRY(dnnl_dilated_convolution_backward_data_desc_init(&conv_desc, dnnl_convolution_direct, &src_md,
                                                                &wei_md, &dst_md, strides, dilates, pad_l, pad_r));
    } else {
      DNNL_TRY(dnnl_dilated_convolution_backward_weights_desc_init(&conv_desc, dnnl_convolution_direct, &src_md,
                                                                   &wei_md, with_bias ? &bias_md : NULL, &dst_md,
                                                                   strides, dilates, pad_l, pad_r));
    }
    DNNL_TRY(dnnl_primitive_desc_create(&pd, &conv_desc, NULL, engine, hint));
  }
  DNNL_TRY(dnnl_primitive_create(&s->prim, pd));

  /* The user tensors wrap the bench's own buffers; oneDNN only reads x, w and dy. */
  const char *act_letters = "nchw", *wei_letters = grouped ? "goihw" : "oihw";
  const char *names[3]; /* the three tensors the info string shows; the middle one is the weights' */
  const dnnl_memory_desc_t *shown[3];
  if (p->pass == BENCH_PASS_FWD) {
    const dnnl_memory_desc_t *src_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *wei_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *dst_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    DNNL_TRY(tensor_init(&s->in[0], &src_user, src_chosen, (void *)p->x, 1));
    DNNL_TRY(tensor_init(&s->out, &dst_user, dst_chosen, s->result, 0));
    DNNL_TRY(constant_weights(&s->weights, &wei_user, wei_chosen, p->w));
    if (with_bias) DNNL_TRY(dnnl_memory_create(&s->bias, &bias_md, engine, (void *)p->bias));
    s->n_in = 1;
    s->args[0] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, s->in[0].inner };
    s->args[1] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, s->weights };
    s->args[2] = (dnnl_exec_arg_t){ DNNL_ARG_DST, s->out.inner };
    s->nargs = 3;
    if (s->bias != NULL) s->args[s->nargs++] = (dnnl_exec_arg_t){ DNNL_ARG_BIAS, s->bias };
    names[0] = "src", names[1] = "wei", names[2] = "dst";
    shown[0] = src_chosen, shown[1] = wei_chosen, shown[2] = dst_chosen;
  } else if (p->pass == BENCH_PASS_BWD_DATA) {
    const dnnl_memory_desc_t *ddst_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0);
    const dnnl_memory_desc_t *wei_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *dsrc_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_src_md, 0);
    DNNL_TRY(tensor_init(&s->in[0], &dst_user, ddst_chosen, (void *)p->dy, 1));
    DNNL_TRY(tensor_init(&s->out, &src_user, dsrc_chosen, s->result, 0));
    DNNL_TRY(constant_weights(&s->weights, &wei_user, wei_chosen, p->w));
    s->n_in = 1;
    s->args[0] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_DST, s->in[0].inner };
    s->args[1] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, s->weights };
    s->args[2] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_SRC, s->out.inner };
    s->nargs = 3;
    names[0] = "diff_dst", names[1] = "wei", names[2] = "diff_src";
    shown[0] = ddst_chosen, shown[1] = wei_chosen, shown[2] = dsrc_chosen;
  } else {
    const dnnl_memory_desc_t *src_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *ddst_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0);
    const dnnl_memory_desc_t *dwei_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_weights_md, 0);
    DNNL_TRY(tensor_init(&s->in[0], &src_user, src_chosen, (void *)p->x, 1));
    DNNL_TRY(tensor_init(&s->in[1], &dst_user, ddst_chosen, (void *)p->dy, 1));
    if (dnnl_memory_desc_equal(dwei_chosen, &wei_user)) {
      DNNL_TRY(dnnl_memory_create(&s->weights, &wei_user, engine, s->result));
    } else {
      /* dw stays in the primitive's layout; output() converts it for the check */
      DNNL_TRY(dnnl_memory_create(&s->weights, dwei_chosen, engine, DNNL_MEMORY_ALLOCATE));
      DNNL_TRY(dnnl_memory_create(&s->user_dw, &wei_user, engine, s->result));
      DNNL_TRY(make_reorder(s->weights, s->user_dw, 0, &s->dw_reorder));
    }
    if (with_bias) DNNL_TRY(dnnl_memory_create(&s->bias, &bias_md, engine, s->result + p->w_elems));
    s->n_in = 2;
    s->args[0] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, s->in[0].inner };
    s->args[1] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_DST, s->in[1].inner };
    s->args[2] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_WEIGHTS, s->weights };
    s->nargs = 3;
    if (s->bias != NULL) s->args[s->nargs++] = (dnnl_exec_arg_t){ DNNL_ARG_DIFF_BIAS, s->bias };
    names[0] = "src", names[1] = "diff_wei", names[2] = "diff_dst";
    shown[0] = src_chosen, shown[1] = dwei_chosen, shown[2] = ddst_chosen;
  }

  const char *impl = NULL;
  if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || impl == NULL) {
    impl = "?";
  }
  char fmt[3][48];
  for (int i = 0; i < 3; ++i) {
    if (shown[i] == NULL) {
      snprintf(fmt[i], sizeof fmt[i], "?");
    } else {
      describe_md(shown[i], i == 1 ? wei_letters : act_letters, fmt[i], sizeof fmt[i]);
    }
  }
  snprintf(s->info, sizeof s->info, "%s%s %s %s %s %s %s %s", pass_prefix[p->pass], impl, names[0], fmt[0], names[1],
           fmt[1], names[2], fmt[2]);

  dnnl_primitive_desc_destroy(pd);
  if (hint != NULL) dnnl_primitive_desc_destroy(hint);
  if (attr != NULL) dnnl_primitive_attr_destroy(attr);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  *status = BENCH_OK;
  return s;

fail:
  if (pd != NULL) dnnl_primitive_desc_destroy(pd);
  if (hint != NULL) dnnl_primitive_desc_destroy(hint);
  if (attr != NULL) dnnl_primitive_attr_destroy(attr);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  dnnl_destroy_state(s);
  return NULL;
}

/* The timed call: the inputs' reorders, the primitive, the output's reorder. */
static int dnnl_run(void *state)
{
  dnnl_state *s = state;
  for (int i = 0; i < s->n_in; ++i) {
    if (tensor_reorder(&s->in[i]) != dnnl_success) return -1;
  }
  if (dnnl_primitive_execute(s->prim, stream, s->nargs, s->args) != dnnl_success) return -1;
  if (tensor_reorder(&s->out) != dnnl_success) return -1;
  return dnnl_stream_wait(stream) == dnnl_success ? 0 : -1;
}

static const void *dnnl_output(void *state)
{
  dnnl_state *s = state;
  if (s->dw_reorder != NULL) {
    dnnl_exec_arg_t args[2] = { { DNNL_ARG_FROM, s->weights }, { DNNL_ARG_TO, s->user_dw } };
    if (dnnl_primitive_execute(s->dw_reorder, stream, 2, args) != dnnl_success ||
        dnnl_stream_wait(stream) != dnnl_success) {
      bench_fill_nan(s->result, 1, sizeof(float)); /* the check must not pass on an older conversion */
    }
  }
  return s->result;
}

static const char *dnnl_info(void *state)
{
  return ((dnnl_state *)state)->info;
}

static void *create_plain(const bench_problem *p, bench_status *status, char *why, size_t why_len)
{
  return dnnl_create(p, VARIANT_PLAIN, status, why, why_len);
}

static void *create_plainw(const bench_problem *p, bench_status *status, char *why, size_t why_len)
{
  return dnnl_create(p, VARIANT_PLAINW, status, why, why_len);
}

static void *create_blocked(const bench_problem *p, bench_status *status, char *why, size_t why_len)
{
  return dnnl_create(p, VARIANT_BLOCKED, status, why, why_len);
}

const bench_impl bench_impl_dnnl_plain = {
  "plain", create_plain, dnnl_run, dnnl_output, dnnl_info, dnnl_destroy_state,
};
const bench_impl bench_impl_dnnl_plainw = {
  "plain+w", create_plainw, dnnl_run, dnnl_output, dnnl_info, dnnl_destroy_state,
};
const bench_impl bench_impl_dnnl_blocked = {
  "blocked", create_blocked, dnnl_run, dnnl_output, dnnl_info, dnnl_destroy_state,
};

/* bench/impl_onednn.c: oneDNN (C API, fp32, one CPU stream) as a benchmark implementation, in three layout variants. */
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
   PLAIN   src, dst and weights in the user's own layouts (NCHW: nchw + oihw,
           NHWC: nhwc + hwio), nothing reordered;
   PLAINW  src and dst as the user holds them, weights in the primitive's
           preferred layout, reordered once at set-up (weights are constant);
   BLOCKED every tensor `format_tag any`: oneDNN picks its blocked layouts, and
           the src and dst reorders from and to the user's layout run inside
           the timed call (the user's tensors stay plain). */
typedef enum { VARIANT_PLAIN, VARIANT_PLAINW, VARIANT_BLOCKED } dnnl_variant;

static dnnl_engine_t engine;
static dnnl_stream_t stream;

typedef struct {
  dnnl_primitive_t conv, src_reorder, dst_reorder;
  dnnl_memory_t user_src, user_dst, conv_src, conv_dst, weights, bias;
  dnnl_exec_arg_t conv_args[4], src_args[2], dst_args[2];
  int conv_nargs;
  float *y;
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

static void dnnl_destroy_state(void *state)
{
  dnnl_state *s = state;
  if (s == NULL) return;
  dnnl_primitive_t prims[] = { s->conv, s->src_reorder, s->dst_reorder };
  for (size_t i = 0; i < sizeof prims / sizeof prims[0]; ++i) {
    if (prims[i] != NULL) dnnl_primitive_destroy(prims[i]);
  }
  dnnl_memory_t mems[] = { s->user_src, s->user_dst, s->conv_src, s->conv_dst, s->weights, s->bias };
  for (size_t i = 0; i < sizeof mems / sizeof mems[0]; ++i) {
    /* conv_src/conv_dst alias user_src/user_dst when no reorder is needed */
    if (mems[i] == NULL) continue;
    if ((i == 2 && mems[i] == s->user_src) || (i == 3 && mems[i] == s->user_dst)) continue;
    dnnl_memory_destroy(mems[i]);
  }
  free(s->y);
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

static void *dnnl_create(const bench_problem *p, dnnl_variant variant, bench_status *status, char *why,
                         size_t why_len)
{
  const cg_conv_desc *d = p->d;
  dnnl_state *s = NULL;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t post_ops = NULL;
  dnnl_primitive_desc_t pd = NULL;

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
  s->y = bench_alloc(p->y_elems * sizeof(float));
  bench_fill_nan(s->y, p->y_elems, sizeof(float));

  const int nchw = d->layout == CG_LAYOUT_NCHW, grouped = d->groups > 1;
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
  DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&conv_desc, dnnl_forward_inference, dnnl_convolution_direct,
                                                     &src_md, &wei_md, p->bias != NULL ? &bias_md : NULL,
                                                     &dst_md, strides, dilates, pad_l, pad_r));
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
  DNNL_TRY(dnnl_primitive_create(&s->conv, pd));

  const dnnl_memory_desc_t *src_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *wei_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *dst_chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);

  /* User tensors wrap the bench's own buffers; oneDNN only reads x and w. */
  DNNL_TRY(dnnl_memory_create(&s->user_src, &src_user, engine, (void *)p->x));
  DNNL_TRY(dnnl_memory_create(&s->user_dst, &dst_user, engine, s->y));
  if (dnnl_memory_desc_equal(src_chosen, &src_user)) {
    s->conv_src = s->user_src;
  } else {
    DNNL_TRY(dnnl_memory_create(&s->conv_src, src_chosen, engine, DNNL_MEMORY_ALLOCATE));
    DNNL_TRY(make_reorder(s->user_src, s->conv_src, 0, &s->src_reorder));
  }
  if (dnnl_memory_desc_equal(dst_chosen, &dst_user)) {
    s->conv_dst = s->user_dst;
  } else {
    DNNL_TRY(dnnl_memory_create(&s->conv_dst, dst_chosen, engine, DNNL_MEMORY_ALLOCATE));
    DNNL_TRY(make_reorder(s->conv_dst, s->user_dst, 0, &s->dst_reorder));
  }
  if (dnnl_memory_desc_equal(wei_chosen, &wei_user)) {
    DNNL_TRY(dnnl_memory_create(&s->weights, &wei_user, engine, (void *)p->w));
  } else {
    /* weights are constant: reordered once, here, outside the timed call */
    dnnl_memory_t user_w = NULL;
    DNNL_TRY(dnnl_memory_create(&user_w, &wei_user, engine, (void *)p->w));
    dnnl_status_t st = dnnl_memory_create(&s->weights, wei_chosen, engine, DNNL_MEMORY_ALLOCATE);
    if (st == dnnl_success) st = make_reorder(user_w, s->weights, 1, NULL);
    dnnl_memory_destroy(user_w);
    DNNL_TRY(st);
  }
  if (p->bias != NULL) DNNL_TRY(dnnl_memory_create(&s->bias, &bias_md, engine, (void *)p->bias));

  s->conv_args[0] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, s->conv_src };
  s->conv_args[1] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, s->weights };
  s->conv_args[2] = (dnnl_exec_arg_t){ DNNL_ARG_DST, s->conv_dst };
  s->conv_nargs = 3;
  if (s->bias != NULL) s->conv_args[s->conv_nargs++] = (dnnl_exec_arg_t){ DNNL_ARG_BIAS, s->bias };
  s->src_args[0] = (dnnl_exec_arg_t){ DNNL_ARG_FROM, s->user_src };
  s->src_args[1] = (dnnl_exec_arg_t){ DNNL_ARG_TO, s->conv_src };
  s->dst_args[0] = (dnnl_exec_arg_t){ DNNL_ARG_FROM, s->conv_dst };
  s->dst_args[1] = (dnnl_exec_arg_t){ DNNL_ARG_TO, s->user_dst };

  const char *impl = NULL;
  if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || impl == NULL) {
    impl = "?";
  }
  const char *act_letters = "nchw", *wei_letters = grouped ? "goihw" : "oihw";
  char src_fmt[48], wei_fmt[48], dst_fmt[48];
  describe_md(src_chosen, act_letters, src_fmt, sizeof src_fmt);
  describe_md(wei_chosen, wei_letters, wei_fmt, sizeof wei_fmt);
  describe_md(dst_chosen, act_letters, dst_fmt, sizeof dst_fmt);
  snprintf(s->info, sizeof s->info, "%s src %s wei %s dst %s", impl, src_fmt, wei_fmt, dst_fmt);

  dnnl_primitive_desc_destroy(pd);
  dnnl_primitive_attr_destroy(attr);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  *status = BENCH_OK;
  return s;

fail:
  if (pd != NULL) dnnl_primitive_desc_destroy(pd);
  if (attr != NULL) dnnl_primitive_attr_destroy(attr);
  if (post_ops != NULL) dnnl_post_ops_destroy(post_ops);
  dnnl_destroy_state(s);
  return NULL;
}

static int dnnl_run(void *state)
{
  dnnl_state *s = state;
  if (s->src_reorder != NULL && dnnl_primitive_execute(s->src_reorder, stream, 2, s->src_args) != dnnl_success) {
    return -1;
  }
  if (dnnl_primitive_execute(s->conv, stream, s->conv_nargs, s->conv_args) != dnnl_success) return -1;
  if (s->dst_reorder != NULL && dnnl_primitive_execute(s->dst_reorder, stream, 2, s->dst_args) != dnnl_success) {
    return -1;
  }
  return dnnl_stream_wait(stream) == dnnl_success ? 0 : -1;
}

static const void *dnnl_output(void *state)
{
  return ((dnnl_state *)state)->y;
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

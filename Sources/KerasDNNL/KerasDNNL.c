#include "KerasDNNL.h"
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static dnnl_engine_t engine;
static int engine_ok;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void make_engine(void) { engine_ok = dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success; }

/// Whether oneDNN's Winograd convolution (F(4×4, 3×3), AVX-512) is tried for this shape: a
/// 3×3 kernel, stride and dilation 1, no groups, channels in multiples of its 16 lanes.
static int winograd_shape(const kd_conv_shape *s) {
    return s->kh == 3 && s->kw == 3 && s->sh == 1 && s->sw == 1 && s->dh == 1 && s->dw == 1 && s->groups == 1
        && s->ic % 16 == 0 && s->oc % 16 == 0;
}

/// `md` with the same dimensions in oneDNN's 16-channel blocked layout (nChw16c).
static int blocked(const dnnl_memory_desc_t *md, dnnl_memory_desc_t *out) {
    return dnnl_memory_desc_init_by_tag(out, 4, md->dims, dnnl_f32, dnnl_nChw16c) == dnnl_success;
}

/// What every convolution primitive of a shape is described by: channels-last source and
/// destination, the bias, the kernel in Keras's layout and "any" (oneDNN picks its own),
/// strides, dilation (oneDNN counts the gaps: 0 = none) and padding. oneDNN's right/bottom
/// pad is whatever makes its output size formula give (oh, ow), never negative.
typedef struct conv_descs {
    dnnl_memory_desc_t src, dst, bias, user_weights, any;
    dnnl_dims_t strides, dil, pad_l, pad_r;
} conv_descs;

static int describe(const kd_conv_shape *s, conv_descs *d) {
    dnnl_dims_t sd = {s->n, s->ic, s->ih, s->iw}, dd = {s->n, s->oc, s->oh, s->ow}, bd = {s->oc};
    int ok = dnnl_memory_desc_init_by_tag(&d->src, 4, sd, dnnl_f32, dnnl_nhwc) == dnnl_success
          && dnnl_memory_desc_init_by_tag(&d->dst, 4, dd, dnnl_f32, dnnl_nhwc) == dnnl_success
          && dnnl_memory_desc_init_by_tag(&d->bias, 1, bd, dnnl_f32, dnnl_a) == dnnl_success;
    if (s->groups == 1) {
        dnnl_dims_t wd = {s->oc, s->ic, s->kh, s->kw};
        ok = ok && dnnl_memory_desc_init_by_tag(&d->user_weights, 4, wd, dnnl_f32, dnnl_hwio) == dnnl_success
                && dnnl_memory_desc_init_by_tag(&d->any, 4, wd, dnnl_f32, dnnl_format_tag_any) == dnnl_success;
    } else {
        dnnl_dims_t wd = {s->groups, s->oc / s->groups, s->ic / s->groups, s->kh, s->kw};
        ok = ok && dnnl_memory_desc_init_by_tag(&d->user_weights, 5, wd, dnnl_f32, dnnl_hwigo) == dnnl_success
                && dnnl_memory_desc_init_by_tag(&d->any, 5, wd, dnnl_f32, dnnl_format_tag_any) == dnnl_success;
    }
    int effh = (s->kh - 1) * s->dh + 1, effw = (s->kw - 1) * s->dw + 1;
    int pb = (s->oh - 1) * s->sh + effh - s->ih - s->pad_top, pr = (s->ow - 1) * s->sw + effw - s->iw - s->pad_left;
    d->strides[0] = s->sh; d->strides[1] = s->sw;
    d->dil[0] = s->dh - 1; d->dil[1] = s->dw - 1;
    d->pad_l[0] = s->pad_top; d->pad_l[1] = s->pad_left;
    d->pad_r[0] = pb > 0 ? pb : 0; d->pad_r[1] = pr > 0 ? pr : 0;
    return ok;
}

struct kd_conv {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_memory_desc_t src, dst, bias, user_weights;
    const dnnl_memory_desc_t *weights;  // owned by pd
    dnnl_primitive_t reorder;           // Keras layout → oneDNN's
    int has_bias;
};

void kd_conv_destroy(kd_conv *c) {
    if (!c) return;
    if (c->reorder) dnnl_primitive_destroy(c->reorder);
    if (c->prim) dnnl_primitive_destroy(c->prim);
    if (c->pd) dnnl_primitive_desc_destroy(c->pd);
    free(c);
}

kd_conv *kd_conv_create(const kd_conv_shape *s, int has_bias, kd_post post, float alpha, float beta) {
    pthread_once(&engine_once, make_engine);
    if (!engine_ok || s->groups < 1 || s->ic % s->groups || s->oc % s->groups) return NULL;
    kd_conv *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->has_bias = has_bias;
    conv_descs d;
    int ok = describe(s, &d);
    c->src = d.src; c->dst = d.dst; c->bias = d.bias; c->user_weights = d.user_weights;
    dnnl_convolution_desc_t cd;
    ok = ok && dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &c->src, &d.any,
                                                          has_bias ? &c->bias : NULL, &c->dst, d.strides, d.dil, d.pad_l,
                                                          d.pad_r) == dnnl_success;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    if (ok && post != KD_POST_NONE) {
        dnnl_alg_kind_t alg = post == KD_POST_RELU ? dnnl_eltwise_relu : post == KD_POST_CLIP ? dnnl_eltwise_clip : dnnl_eltwise_swish;
        ok = dnnl_post_ops_create(&ops) == dnnl_success
          && dnnl_post_ops_append_eltwise(ops, 1.0f, alg, alpha, beta) == dnnl_success
          && dnnl_primitive_attr_create(&attr) == dnnl_success
          && dnnl_primitive_attr_set_post_ops(attr, ops) == dnnl_success;
    }
    ok = ok && dnnl_primitive_desc_create(&c->pd, &cd, attr, engine, NULL) == dnnl_success;
    if (ops) dnnl_post_ops_destroy(ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!ok) { kd_conv_destroy(c); return NULL; }
    c->weights = dnnl_primitive_desc_query_md(c->pd, dnnl_query_weights_md, 0);
    dnnl_primitive_desc_t rpd = NULL;
    ok = c->weights && dnnl_primitive_create(&c->prim, c->pd) == dnnl_success
      && dnnl_reorder_primitive_desc_create(&rpd, &c->user_weights, engine, c->weights, engine, NULL) == dnnl_success
      && dnnl_primitive_create(&c->reorder, rpd) == dnnl_success;
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (!ok) { kd_conv_destroy(c); return NULL; }
    return c;
}

const char *kd_conv_impl(const kd_conv *c) {
    const char *impl = "";
    dnnl_primitive_desc_query(c->pd, dnnl_query_impl_info_str, 0, &impl);
    return impl;
}

size_t kd_conv_weights_bytes(const kd_conv *c) { return dnnl_memory_desc_get_size(c->weights); }

// OpenMP's runtime (libgomp, which libdnnl is built with).
extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);

static _Atomic unsigned long team_calls;
unsigned long kd_team_calls(void) { return atomic_load_explicit(&team_calls, memory_order_relaxed); }
// Called before each oneDNN call: counts the ones that will wake an OpenMP team.
static void note_team(void) {
    if (omp_get_max_threads() > 1) atomic_fetch_add_explicit(&team_calls, 1, memory_order_relaxed);
}

// Runs `prim` on (arg, memory desc, pointer) triples; 0 on success.
static int run(dnnl_primitive_t prim, int n, const int *args, const dnnl_memory_desc_t *const *mds, void *const *ptrs) {
    dnnl_memory_t mem[4] = {0};
    dnnl_exec_arg_t exec[4];
    dnnl_stream_t stream = NULL;
    int ok = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) == dnnl_success;
    for (int i = 0; ok && i < n; i++) {
        ok = dnnl_memory_create(&mem[i], mds[i], engine, ptrs[i]) == dnnl_success;
        exec[i].arg = args[i];
        exec[i].memory = mem[i];
    }
    if (ok) note_team();
    ok = ok && dnnl_primitive_execute(prim, stream, n, exec) == dnnl_success && dnnl_stream_wait(stream) == dnnl_success;
    for (int i = 0; i < n; i++) if (mem[i]) dnnl_memory_destroy(mem[i]);
    if (stream) dnnl_stream_destroy(stream);
    return ok ? 0 : -1;
}

int kd_conv_prepare_weights(const kd_conv *c, const float *kernel, void *out) {
    const int args[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    const dnnl_memory_desc_t *mds[2] = {&c->user_weights, c->weights};
    void *ptrs[2] = {(void *)kernel, out};
    return run(c->reorder, 2, args, mds, ptrs);
}

int kd_conv_forward(const kd_conv *c, const float *x, const void *weights, const float *bias, float *y) {
    const int args[4] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS};
    const dnnl_memory_desc_t *mds[4] = {&c->src, c->weights, &c->dst, &c->bias};
    void *ptrs[4] = {(void *)x, (void *)weights, y, (void *)bias};
    return run(c->prim, c->has_bias && bias ? 4 : 3, args, mds, ptrs);
}

int kd_sgemm(int trans_a, int trans_b, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
             float beta, float *c, long ldc) {
    note_team();
    return dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc) == dnnl_success ? 0 : -1;
}

void kd_set_threads(int n) { omp_set_num_threads(n); }
int kd_threads(void) { return omp_get_max_threads(); }

// ---- backward (training) ----

struct kd_conv_bwd {
    dnnl_primitive_desc_t fwd_pd, data_pd, weights_pd;
    dnnl_primitive_t data, weights, to_data_weights, from_diff_weights;
    dnnl_memory_desc_t src, dst, bias, user_weights;
    const dnnl_memory_desc_t *data_weights, *diff_weights;
    int has_bias;
    // Winograd for the weights pass: `weights` reads blocked x and dy (bsrc, bdst), reordered
    // from channels-last into the caller's buffers. The data pass stays direct (Winograd's is
    // slower).
    int winograd;
    dnnl_primitive_desc_t wino_fwd_pd;
    dnnl_memory_desc_t bsrc, bdst;
    dnnl_primitive_t src_to_blocked, dst_to_blocked;
};

void kd_conv_bwd_destroy(kd_conv_bwd *c) {
    if (!c) return;
    dnnl_primitive_t prims[6] = {c->data, c->weights, c->to_data_weights, c->from_diff_weights, c->src_to_blocked, c->dst_to_blocked};
    for (int i = 0; i < 6; i++) if (prims[i]) dnnl_primitive_destroy(prims[i]);
    dnnl_primitive_desc_t pds[4] = {c->fwd_pd, c->data_pd, c->weights_pd, c->wino_fwd_pd};
    for (int i = 0; i < 4; i++) if (pds[i]) dnnl_primitive_desc_destroy(pds[i]);
    free(c);
}

static int make_reorder(dnnl_primitive_t *out, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to) {
    dnnl_primitive_desc_t pd = NULL;
    int ok = dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL) == dnnl_success
          && dnnl_primitive_create(out, pd) == dnnl_success;
    if (pd) dnnl_primitive_desc_destroy(pd);
    return ok;
}

/// The Winograd weights pass for `c` (on blocked activations), or 0 when oneDNN cannot make it.
static int winograd_weights(kd_conv_bwd *c, conv_descs *d, const dnnl_memory_desc_t *bias) {
    dnnl_convolution_desc_t fd, wd;
    int ok = blocked(&c->src, &c->bsrc) && blocked(&c->dst, &c->bdst)
          && dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_winograd, &c->bsrc, &d->any,
                                                        bias, &c->bdst, d->strides, d->dil, d->pad_l, d->pad_r) == dnnl_success
          && dnnl_primitive_desc_create(&c->wino_fwd_pd, &fd, NULL, engine, NULL) == dnnl_success
          && dnnl_dilated_convolution_backward_weights_desc_init(&wd, dnnl_convolution_winograd, &c->bsrc, &d->any, bias, &c->bdst,
                                                                 d->strides, d->dil, d->pad_l, d->pad_r) == dnnl_success
          && dnnl_primitive_desc_create(&c->weights_pd, &wd, NULL, engine, c->wino_fwd_pd) == dnnl_success
          && make_reorder(&c->src_to_blocked, &c->src, &c->bsrc) && make_reorder(&c->dst_to_blocked, &c->dst, &c->bdst);
    if (ok) {
        c->winograd = 1;
        return 1;
    }
    dnnl_primitive_t prims[2] = {c->src_to_blocked, c->dst_to_blocked};
    for (int i = 0; i < 2; i++) if (prims[i]) dnnl_primitive_destroy(prims[i]);
    if (c->weights_pd) dnnl_primitive_desc_destroy(c->weights_pd);
    if (c->wino_fwd_pd) dnnl_primitive_desc_destroy(c->wino_fwd_pd);
    c->src_to_blocked = c->dst_to_blocked = NULL;
    c->weights_pd = c->wino_fwd_pd = NULL;
    return 0;
}

kd_conv_bwd *kd_conv_bwd_create(const kd_conv_shape *s, int has_bias, int winograd) {
    pthread_once(&engine_once, make_engine);
    if (!engine_ok || s->groups < 1 || s->ic % s->groups || s->oc % s->groups) return NULL;
    kd_conv_bwd *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->has_bias = has_bias;
    conv_descs d;
    int ok = describe(s, &d);
    c->src = d.src; c->dst = d.dst; c->bias = d.bias; c->user_weights = d.user_weights;
    dnnl_convolution_desc_t fd, dd_desc, wd_desc;
    const dnnl_memory_desc_t *bias = has_bias ? &c->bias : NULL;
    ok = ok && dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &c->src, &d.any,
                                                          bias, &c->dst, d.strides, d.dil, d.pad_l, d.pad_r) == dnnl_success
            && dnnl_primitive_desc_create(&c->fwd_pd, &fd, NULL, engine, NULL) == dnnl_success
            && dnnl_dilated_convolution_backward_data_desc_init(&dd_desc, dnnl_convolution_direct, &c->src, &d.any, &c->dst,
                                                                d.strides, d.dil, d.pad_l, d.pad_r) == dnnl_success
            && dnnl_primitive_desc_create(&c->data_pd, &dd_desc, NULL, engine, c->fwd_pd) == dnnl_success;
    ok = ok && ((winograd && winograd_shape(s) && winograd_weights(c, &d, bias))
            || (dnnl_dilated_convolution_backward_weights_desc_init(&wd_desc, dnnl_convolution_direct, &c->src, &d.any, bias,
                                                                    &c->dst, d.strides, d.dil, d.pad_l, d.pad_r) == dnnl_success
                && dnnl_primitive_desc_create(&c->weights_pd, &wd_desc, NULL, engine, c->fwd_pd) == dnnl_success));
    if (ok) {
        c->data_weights = dnnl_primitive_desc_query_md(c->data_pd, dnnl_query_weights_md, 0);
        c->diff_weights = dnnl_primitive_desc_query_md(c->weights_pd, dnnl_query_diff_weights_md, 0);
        ok = c->data_weights && c->diff_weights
          && dnnl_primitive_create(&c->data, c->data_pd) == dnnl_success
          && dnnl_primitive_create(&c->weights, c->weights_pd) == dnnl_success
          && make_reorder(&c->to_data_weights, &c->user_weights, c->data_weights)
          && make_reorder(&c->from_diff_weights, c->diff_weights, &c->user_weights);
    }
    if (!ok) { kd_conv_bwd_destroy(c); return NULL; }
    return c;
}

int kd_conv_bwd_is_winograd(const kd_conv_bwd *c) { return c->winograd; }
size_t kd_conv_bwd_blocked_bytes(const kd_conv_bwd *c, int dy) {
    return c->winograd ? dnnl_memory_desc_get_size(dy ? &c->bdst : &c->bsrc) : 0;
}
size_t kd_conv_bwd_weights_bytes(const kd_conv_bwd *c) { return dnnl_memory_desc_get_size(c->data_weights); }
size_t kd_conv_bwd_diff_weights_bytes(const kd_conv_bwd *c) { return dnnl_memory_desc_get_size(c->diff_weights); }

int kd_conv_bwd_prepare_weights(const kd_conv_bwd *c, const float *kernel, void *out) {
    const int args[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    const dnnl_memory_desc_t *mds[2] = {&c->user_weights, c->data_weights};
    void *ptrs[2] = {(void *)kernel, out};
    return run(c->to_data_weights, 2, args, mds, ptrs);
}

int kd_conv_bwd_data(const kd_conv_bwd *c, const float *dy, const void *weights, float *dx) {
    const int args[3] = {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
    const dnnl_memory_desc_t *mds[3] = {&c->dst, c->data_weights, &c->src};
    void *ptrs[3] = {(void *)dy, (void *)weights, dx};
    return run(c->data, 3, args, mds, ptrs);
}

int kd_conv_bwd_weights(const kd_conv_bwd *c, const float *x, const float *dy, void *scratch, void *blocked_x,
                        void *blocked_dy, float *dkernel, float *dbias) {
    const int args[4] = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS};
    int n = c->has_bias && dbias ? 4 : 3;
    const int rargs[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    if (!c->winograd) {
        const dnnl_memory_desc_t *mds[4] = {&c->src, &c->dst, c->diff_weights, &c->bias};
        void *ptrs[4] = {(void *)x, (void *)dy, scratch, dbias};
        if (run(c->weights, n, args, mds, ptrs)) return -1;
    } else {
        if (!blocked_x || !blocked_dy) return -1;
        const dnnl_memory_desc_t *xs[2] = {&c->src, &c->bsrc}, *dys[2] = {&c->dst, &c->bdst};
        const dnnl_memory_desc_t *mds[4] = {&c->bsrc, &c->bdst, c->diff_weights, &c->bias};
        void *xp[2] = {(void *)x, blocked_x}, *dyp[2] = {(void *)dy, blocked_dy};
        void *ptrs[4] = {blocked_x, blocked_dy, scratch, dbias};
        if (run(c->src_to_blocked, 2, rargs, xs, xp) || run(c->dst_to_blocked, 2, rargs, dys, dyp)
            || run(c->weights, n, args, mds, ptrs)) return -1;
    }
    const dnnl_memory_desc_t *rmds[2] = {c->diff_weights, &c->user_weights};
    void *rptrs[2] = {scratch, dkernel};
    return run(c->from_diff_weights, 2, rargs, rmds, rptrs);
}

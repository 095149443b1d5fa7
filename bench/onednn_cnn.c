// The reference CNN's convolutions alone (specs/bench_cnn.yaml at batch 128), through oneDNN
// 2.6's training primitives: how fast could an epoch be if nothing but these ran? Times, per
// batch, conv1 forward + weight gradient (its input is not differentiated) and conv2 forward +
// data gradient + weight gradient, with the activations in the engine's layout (NHWC) and in
// oneDNN's own blocked layout (the best it can do), then the 2×2 max pooling after conv2 forward
// and backward in the same layout, and prints their GFLOP/s and the epoch time
// they imply. Together with bench/sgemm_ceiling.c this says how close "80% of sgemm" is to what
// the CPU library reaches on this model's shapes (docs/PERFORMANCE.md); the ceiling is also
// measured here, before and after (bench/ceiling.h). Build and run: make bench-kernels.
#include "ceiling.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CK(x) do { dnnl_status_t s_ = (x); if (s_ != dnnl_success) { printf("error %d at %s\n", s_, #x); exit(1); } } while (0)
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static dnnl_engine_t eng;
static dnnl_stream_t st;

typedef struct { dnnl_primitive_t p; dnnl_exec_arg_t args[4]; int nargs; double flop; const char* what; const char* impl; } pass;

static dnnl_memory_t mem(const dnnl_memory_desc_t* md) {
    dnnl_memory_t m; CK(dnnl_memory_create(&m, md, eng, DNNL_MEMORY_ALLOCATE));
    void* h; CK(dnnl_memory_get_data_handle(m, &h));
    size_t n = dnnl_memory_desc_get_size(md) / 4; float* f = h;
    for (size_t i = 0; i < n; i++) f[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return m;
}

// One valid 3×3 convolution N,H,W,C → O; fills passes with forward, (data), weights.
static int conv(pass* out, int N, int H, int W, int C, int O, int wantData, dnnl_format_tag_t act) {
    int OH = H - 2, OW = W - 2;
    dnnl_memory_desc_t src, dst, w, b;
    dnnl_dims_t sd = {N, C, H, W}, dd = {N, O, OH, OW}, wd = {O, C, 3, 3}, bd = {O};
    CK(dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_f32, act));
    CK(dnnl_memory_desc_init_by_tag(&dst, 4, dd, dnnl_f32, act));
    CK(dnnl_memory_desc_init_by_tag(&w, 4, wd, dnnl_f32, dnnl_format_tag_any));
    CK(dnnl_memory_desc_init_by_tag(&b, 1, bd, dnnl_f32, dnnl_a));
    dnnl_dims_t strides = {1, 1}, pad = {0, 0};
    double flop = 2.0 * N * OH * OW * O * 9 * C;
    dnnl_convolution_desc_t fd, dd_, wd_;
    CK(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &src, &w, &b, &dst, strides, pad, pad));
    dnnl_primitive_attr_t attr; CK(dnnl_primitive_attr_create(&attr));
    dnnl_post_ops_t po; CK(dnnl_post_ops_create(&po)); CK(dnnl_post_ops_append_eltwise(po, 1.f, dnnl_eltwise_relu, 0, 0));
    CK(dnnl_primitive_attr_set_post_ops(attr, po));
    dnnl_primitive_desc_t fpd; CK(dnnl_primitive_desc_create(&fpd, &fd, attr, eng, NULL));
    const dnnl_memory_desc_t* fsrc = dnnl_primitive_desc_query_md(fpd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t* fw = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t* fdst = dnnl_primitive_desc_query_md(fpd, dnnl_query_dst_md, 0);
    dnnl_memory_t mx = mem(fsrc), mw = mem(fw), mb = mem(&b), my = mem(fdst);
    int n = 0;
    pass* f = &out[n++]; CK(dnnl_primitive_create(&f->p, fpd));
    f->args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, mx}; f->args[1] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, mw};
    f->args[2] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, mb}; f->args[3] = (dnnl_exec_arg_t){DNNL_ARG_DST, my};
    f->nargs = 4; f->flop = flop; f->what = "forward";
    dnnl_primitive_desc_query(fpd, dnnl_query_impl_info_str, 0, &f->impl);
    if (wantData) {
        CK(dnnl_convolution_backward_data_desc_init(&dd_, dnnl_convolution_direct, &src, &w, &dst, strides, pad, pad));
        dnnl_primitive_desc_t pd; CK(dnnl_primitive_desc_create(&pd, &dd_, NULL, eng, fpd));
        dnnl_memory_t mdx = mem(dnnl_primitive_desc_query_md(pd, dnnl_query_diff_src_md, 0));
        dnnl_memory_t mdy = mem(dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0));
        dnnl_memory_t mw2 = mem(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
        pass* d = &out[n++]; CK(dnnl_primitive_create(&d->p, pd));
        d->args[0] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, mdy}; d->args[1] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, mw2};
        d->args[2] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC, mdx}; d->nargs = 3; d->flop = flop; d->what = "data gradient";
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &d->impl);
    }
    CK(dnnl_convolution_backward_weights_desc_init(&wd_, dnnl_convolution_direct, &src, &w, &b, &dst, strides, pad, pad));
    dnnl_primitive_desc_t pd; CK(dnnl_primitive_desc_create(&pd, &wd_, NULL, eng, fpd));
    dnnl_memory_t mx2 = mem(dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
    dnnl_memory_t mdy = mem(dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0));
    dnnl_memory_t mdw = mem(dnnl_primitive_desc_query_md(pd, dnnl_query_diff_weights_md, 0));
    dnnl_memory_t mdb = mem(&b);
    pass* g = &out[n++]; CK(dnnl_primitive_create(&g->p, pd));
    g->args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, mx2}; g->args[1] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, mdy};
    g->args[2] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_WEIGHTS, mdw}; g->args[3] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS, mdb};
    g->nargs = 4; g->flop = flop; g->what = "weight gradient";
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &g->impl);
    return n;
}

// The 2×2/2 max pooling after conv2 (N,C,H,W → N,C,H/2,W/2), forward (training, with its
// workspace) and backward, in the activations' layout ("any" → oneDNN's blocked nChw16c).
static int pool(pass* out, int N, int H, int W, int C, dnnl_format_tag_t act) {
    if (act == dnnl_format_tag_any) act = dnnl_nChw16c;
    dnnl_memory_desc_t src, dst;
    dnnl_dims_t sd = {N, C, H, W}, dd = {N, C, H / 2, W / 2}, k = {2, 2}, strides = {2, 2}, dil = {0, 0}, pad = {0, 0};
    CK(dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_f32, act));
    CK(dnnl_memory_desc_init_by_tag(&dst, 4, dd, dnnl_f32, act));
    dnnl_pooling_v2_desc_t fd, bd;
    CK(dnnl_pooling_v2_forward_desc_init(&fd, dnnl_forward_training, dnnl_pooling_max, &src, &dst, strides, k, dil, pad, pad));
    dnnl_primitive_desc_t fpd; CK(dnnl_primitive_desc_create(&fpd, &fd, NULL, eng, NULL));
    dnnl_memory_t ws = mem(dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0));
    pass* f = &out[0]; CK(dnnl_primitive_create(&f->p, fpd));
    f->args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, mem(&src)}; f->args[1] = (dnnl_exec_arg_t){DNNL_ARG_DST, mem(&dst)};
    f->args[2] = (dnnl_exec_arg_t){DNNL_ARG_WORKSPACE, ws}; f->nargs = 3; f->flop = 0; f->what = "forward";
    dnnl_primitive_desc_query(fpd, dnnl_query_impl_info_str, 0, &f->impl);
    CK(dnnl_pooling_v2_backward_desc_init(&bd, dnnl_pooling_max, &src, &dst, strides, k, dil, pad, pad));
    dnnl_primitive_desc_t bpd; CK(dnnl_primitive_desc_create(&bpd, &bd, NULL, eng, fpd));
    pass* b = &out[1]; CK(dnnl_primitive_create(&b->p, bpd));
    b->args[0] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, mem(&dst)}; b->args[1] = (dnnl_exec_arg_t){DNNL_ARG_WORKSPACE, ws};
    b->args[2] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC, mem(&src)}; b->nargs = 3; b->flop = 0; b->what = "backward";
    dnnl_primitive_desc_query(bpd, dnnl_query_impl_info_str, 0, &b->impl);
    return 2;
}

static double timeit(pass* p, int reps) {
    CK(dnnl_primitive_execute(p->p, st, p->nargs, p->args)); dnnl_stream_wait(st);   // warm-up
    double best = 1e9;
    for (int r = 0; r < 3; r++) {
        double t = now();
        for (int i = 0; i < reps; i++) dnnl_primitive_execute(p->p, st, p->nargs, p->args);
        dnnl_stream_wait(st);
        double per = (now() - t) / reps;
        if (per < best) best = per;
    }
    return best;
}

int main(void) {
    CK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    const int N = 128;
    const double steps = 60000.0 / N;
    const double modelFlop = 880e9;   // bench/run.sh's count for an epoch (forward, weight gradients, data gradients)
    double ceil = sgemm_ceiling(0), rate[2];
    dnnl_format_tag_t layouts[2] = {dnnl_nhwc, dnnl_format_tag_any};
    const char* names[2] = {"NHWC (as the engine)", "oneDNN's choice"};
    for (int l = 0; l < 2; l++) {
        pass ps[8]; int n = 0;
        n += conv(ps + n, N, 28, 28, 1, 32, 0, layouts[l]);
        n += conv(ps + n, N, 13, 13, 32, 64, 1, layouts[l]);
        double total = 0, flop = 0;
        printf("activations %s, batch %d:\n", names[l], N);
        for (int i = 0; i < n; i++) {
            double t = timeit(&ps[i], 50);
            total += t; flop += ps[i].flop;
            printf("  conv%d %-16s %7.3f ms %6.0f GFLOP/s  [%s]\n", i < 2 ? 1 : 2, ps[i].what, t * 1e3, ps[i].flop / t / 1e9, ps[i].impl);
        }
        printf("  all convolution passes: %.2f ms a batch, %.0f GFLOP/s; an epoch of only these: %.2f s,"
               " which is %.0f GFLOP/s by bench/run.sh's 880 GFLOP\n",
               total * 1e3, flop / total / 1e9, total * steps, modelFlop / (total * steps) / 1e9);
        rate[l] = modelFlop / (total * steps) / 1e9;
        pass pp[2]; pool(pp, N, 11, 11, 64, layouts[l]);
        for (int i = 0; i < 2; i++)
            printf("  max pooling after conv2, %-9s %7.3f ms  [%s]\n", pp[i].what, timeit(&pp[i], 50) * 1e3, pp[i].impl);
    }
    double after = sgemm_ceiling(0);
    if (after > ceil) ceil = after;
    printf("sgemm 3072^3 on all cores (oneDNN), the better of before and after: %.0f GFLOP/s; the convolutions alone"
           " are %.0f%% of it channels-last, %.0f%% in oneDNN's layout; at 80%% a step has %.2f ms\n", ceil, 100 * rate[0] / ceil,
           100 * rate[1] / ceil, modelFlop / steps / (0.8 * ceil * 1e9) * 1e3);
    return 0;
}

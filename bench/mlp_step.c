// How close can the seed MLP's training step come to the sgemm ceiling on this machine?
// The model of specs/fashion_mlp.yaml (784-512-512-10, ReLU, Dropout 0.2, softmax, sparse
// categorical cross-entropy, Keras's RMSprop, batch 128, 60,000 examples) as plain C with the
// kernels kerasctl uses: each big GEMM split by columns into one single-threaded dnnl_sgemm per
// core, the last layer's narrow products on one core, the elementwise passes split by rows,
// RMSprop by kerasctl's own kernel split by parameters, one OpenMP team spinning between the
// passes. No tape, no allocation, no framework. Times, in rounds each against the 3072^3 ceiling measured in the
// same round (bench/ceiling.h): the plain C step; its GEMMs alone (the part no implementation
// can skip); the GEMMs and RMSprop (the optimizer the spec names); RMSprop alone; and the GEMMs
// alone as single calls on oneDNN's own two threads. Random data: the time does not depend on
// the values. docs/PERFORMANCE.md (eleventh session). Build and run: make bench-kernels.
#include "ceiling.h"
#include "KerasKernels.h"
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmmintrin.h>
#include <pmmintrin.h>

#define now ceiling_clock

enum { N_EX = 60000, B = 128, D0 = 784, D1 = 512, D2 = 512, D3 = 10 };
static float *data, *x, *h1, *a1, *h2, *a2, *z, *dz, *da2, *da1, *dh1, *dh2;
static uint8_t *m1, *m2;
static float *w1, *b1, *w2, *b2, *w3, *b3, *g_w1, *g_b1, *g_w2, *g_b2, *g_w3, *g_b3;
static float *v_w1, *v_b1, *v_w2, *v_b2, *v_w3, *v_b3;
static int labels[N_EX], order[N_EX];

static float *alloc(long n) {
    float *p = aligned_alloc(64, ((n * 4 + 63) / 64) * 64);
    for (long i = 0; i < n; i++) p[i] = (float)rand() / RAND_MAX * 0.1f - 0.05f;
    return p;
}

// C[m x n] = op(A) op(B), row-major, one single-threaded call on columns [n0, n1) of C.
static int gemms_on = 1;
static void gemm_cols(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                      float *c, int ldc, int n0, int n1) {
    if (n1 <= n0 || !gemms_on) return;
    const float *bb = tb ? b + (long)n0 * ldb : b + n0;
    dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n1 - n0, k, 1.0f, a, lda, bb, ldb, 0.0f, c + n0, ldc);
}
#define HALF(n, t, T) ((long)(n) * (t) / (T))

static uint32_t rng_state[2] = {12345u, 67890u};
static inline uint32_t xorshift(uint32_t *s) { uint32_t v = *s; v ^= v << 13; v ^= v >> 17; v ^= v << 5; return *s = v; }

// Keras's RMSprop (defaults rho 0.9, learning rate 0.001, epsilon 1e-7) on this thread's half
// of a parameter, through kerasctl's own kernel (the object `make build` compiled, linked in).
static void rmsprop(float *w, const float *g, float *v, long n, int t, int T) {
    long i0 = HALF(n, t, T), i1 = HALF(n, t + 1, T);
    kk_rmsprop(w + i0, g + i0, v + i0, i1 - i0, 0.9f, 0.1f, 0.001f, 1e-7f);
}

// Rows [r0, r1) of a hidden layer: h = relu(h + b) in place; Dropout(0.2) keeps a value with
// its mask byte and scales it by 1/0.8 into a.
static void bias_relu_dropout(float *h, const float *b, uint8_t *m, float *a, int width, int r0, int r1, uint32_t st) {
    for (int r = r0; r < r1; r++)
        for (int j = 0; j < width; j++) {
            long i = (long)r * width + j; float v = h[i] + b[j]; v = v > 0 ? v : 0; h[i] = v;
            uint8_t keep = (xorshift(&st) & 1023) >= 205; m[i] = keep; a[i] = keep ? v * 1.25f : 0;
        }
}

// The gradient back through Dropout and ReLU for rows [r0, r1).
static void dropout_relu_backward(float *dh, const float *da, const uint8_t *m, const float *h, int width, int r0, int r1) {
    for (int r = r0; r < r1; r++)
        for (int j = 0; j < width; j++) { long i = (long)r * width + j; dh[i] = m[i] && h[i] > 0 ? da[i] * 1.25f : 0; }
}

// The bias gradient's columns [j0, j1): column sums of dh.
static void bias_gradient(float *g, const float *dh, int width, int rows, int j0, int j1) {
    for (int j = j0; j < j1; j++) { float acc = 0; for (int r = 0; r < rows; r++) acc += dh[r * width + j]; g[j] = acc; }
}

// A hidden layer's backward, called by every thread of the team: through Dropout and ReLU
// (rows split), then the bias and kernel gradients and, unless it is the first layer, the
// input's gradient (columns split). `in` is the layer's input, `w` its kernel (NULL: first layer).
static void hidden_backward(int mode, int rows, float *dh, const float *da, const uint8_t *m, const float *h, int width,
                            float *g_b, const float *in, int in_width, float *g_w, const float *w, float *d_in) {
    int t = omp_get_thread_num(), T = omp_get_num_threads();
#pragma omp barrier
    if (mode == 0) dropout_relu_backward(dh, da, m, h, width, HALF(rows, t, T), HALF(rows, t + 1, T));
#pragma omp barrier
    int j0 = HALF(width, t, T), j1 = HALF(width, t + 1, T);
    if (mode == 0) bias_gradient(g_b, dh, width, rows, j0, j1);
    gemm_cols(1, 0, in_width, width, rows, in, in_width, dh, width, g_w, width, j0, j1);
    if (w) gemm_cols(0, 1, rows, in_width, width, dh, width, w, width, d_in, in_width, HALF(in_width, t, T), HALF(in_width, t + 1, T));
}

// mode 0: the whole step; 1: GEMMs only; 2: GEMMs and RMSprop; 3: RMSprop only.
static double epoch(int mode) {
    gemms_on = mode != 3;
    int steps = (N_EX + B - 1) / B;
    double t0 = now();
#pragma omp parallel num_threads(2)
    {
        // Denormals flushed, as in kerasctl's optimizer updates and Keras's backends.
        _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON); _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
        int t = omp_get_thread_num(), T = omp_get_num_threads();
        for (int s = 0; s < steps; s++) {
            int rows = s == steps - 1 ? N_EX - s * B : B;
            int r0 = HALF(rows, t, T), r1 = HALF(rows, t + 1, T);
            if (mode == 0)  // gather the batch
                for (int r = r0; r < r1; r++) memcpy(x + (long)r * D0, data + (long)order[s * B + r] * D0, D0 * 4);
#pragma omp barrier
            gemm_cols(0, 0, rows, D1, D0, x, D0, w1, D1, h1, D1, HALF(D1, t, T), HALF(D1, t + 1, T));
#pragma omp barrier
            if (mode == 0) bias_relu_dropout(h1, b1, m1, a1, D1, r0, r1, rng_state[t] + s);
#pragma omp barrier
            gemm_cols(0, 0, rows, D2, D1, a1, D1, w2, D2, h2, D2, HALF(D2, t, T), HALF(D2, t + 1, T));
#pragma omp barrier
            if (mode == 0) bias_relu_dropout(h2, b2, m2, a2, D2, r0, r1, rng_state[t] + 7 * s);
#pragma omp barrier
#pragma omp master
            {   // the narrow last layer, softmax and the loss's gradient: one core, as in kerasctl
                gemm_cols(0, 0, rows, D3, D2, a2, D2, w3, D3, z, D3, 0, D3);
                if (mode == 0)
                    for (int r = 0; r < rows; r++) {
                        float mx = -INFINITY, sum = 0, *zr = z + r * D3, *dr = dz + r * D3;
                        for (int j = 0; j < D3; j++) { zr[j] += b3[j]; if (zr[j] > mx) mx = zr[j]; }
                        for (int j = 0; j < D3; j++) { dr[j] = expf(zr[j] - mx); sum += dr[j]; }
                        for (int j = 0; j < D3; j++) dr[j] = (dr[j] / sum - (j == labels[s * B + r])) / rows;
                    }
                gemm_cols(1, 0, D2, D3, rows, a2, D2, dz, D3, g_w3, D3, 0, D3);
                gemm_cols(0, 1, rows, D2, D3, dz, D3, w3, D3, da2, D2, 0, D2);
                if (mode == 0) bias_gradient(g_b3, dz, D3, rows, 0, D3);
            }
            hidden_backward(mode, rows, dh2, da2, m2, h2, D2, g_b2, a1, D1, g_w2, w2, da1);
            hidden_backward(mode, rows, dh1, da1, m1, h1, D1, g_b1, x, D0, g_w1, NULL, NULL);
#pragma omp barrier
            if (mode != 1) {  // RMSprop, each parameter split in two
                rmsprop(w1, g_w1, v_w1, D0 * D1, t, T);
                rmsprop(w2, g_w2, v_w2, D1 * D2, t, T);
                rmsprop(w3, g_w3, v_w3, D2 * D3, t, T);
                rmsprop(b1, g_b1, v_b1, D1, t, T);
                rmsprop(b2, g_b2, v_b2, D2, t, T);
                rmsprop(b3, g_b3, v_b3, D3, t, T);
            }
#pragma omp barrier
        }
    }
    return now() - t0;
}

// The GEMMs alone again, each one dnnl_sgemm call on oneDNN's own two OpenMP threads.
static double epoch_team_gemms(void) {
    int steps = (N_EX + B - 1) / B;
    double t0 = now();
    for (int s = 0; s < steps; s++) {
        int rows = s == steps - 1 ? N_EX - s * B : B;
        gemm_cols(0, 0, rows, D1, D0, x, D0, w1, D1, h1, D1, 0, D1);
        gemm_cols(0, 0, rows, D2, D1, a1, D1, w2, D2, h2, D2, 0, D2);
        gemm_cols(0, 0, rows, D3, D2, a2, D2, w3, D3, z, D3, 0, D3);
        gemm_cols(1, 0, D2, D3, rows, a2, D2, dz, D3, g_w3, D3, 0, D3);
        gemm_cols(0, 1, rows, D2, D3, dz, D3, w3, D3, da2, D2, 0, D2);
        gemm_cols(1, 0, D1, D2, rows, a1, D1, dh2, D2, g_w2, D2, 0, D2);
        gemm_cols(0, 1, rows, D1, D2, dh2, D2, w2, D2, da1, D1, 0, D1);
        gemm_cols(1, 0, D0, D1, rows, x, D0, dh1, D1, g_w1, D1, 0, D1);
    }
    return now() - t0;
}

int main(void) {
    // A step's multiply-adds: forward and both gradients of every kernel, the input gradients
    // of layers 2 and 3 (bench/run.sh counts the same 192 GFLOP an epoch).
    double flop = 0;
    for (int s = 0; s < (N_EX + B - 1) / B; s++) {
        int rows = s == (N_EX + B - 1) / B - 1 ? N_EX - s * B : B;
        flop += 2.0 * rows * (2.0 * (D0 * D1 + D1 * D2 + D2 * D3) + D1 * D2 + D2 * D3);
    }
    data = alloc((long)N_EX * D0);
    for (int i = 0; i < N_EX; i++) { labels[i] = rand() % D3; order[i] = i; }
    for (int i = N_EX - 1; i > 0; i--) { int j = rand() % (i + 1), tmp = order[i]; order[i] = order[j]; order[j] = tmp; }
    x = alloc(B * D0); h1 = alloc(B * D1); a1 = alloc(B * D1); h2 = alloc(B * D2); a2 = alloc(B * D2);
    z = alloc(B * D3); dz = alloc(B * D3); da2 = alloc(B * D2); da1 = alloc(B * D1); dh1 = alloc(B * D1); dh2 = alloc(B * D2);
    m1 = malloc(B * D1); m2 = malloc(B * D2);
    w1 = alloc(D0 * D1); b1 = alloc(D1); w2 = alloc(D1 * D2); b2 = alloc(D2); w3 = alloc(D2 * D3); b3 = alloc(D3);
    g_w1 = alloc(D0 * D1); g_b1 = alloc(D1); g_w2 = alloc(D1 * D2); g_b2 = alloc(D2); g_w3 = alloc(D2 * D3); g_b3 = alloc(D3);
    v_w1 = alloc(D0 * D1); v_b1 = alloc(D1); v_w2 = alloc(D1 * D2); v_b2 = alloc(D2); v_w3 = alloc(D2 * D3); v_b3 = alloc(D3);
    for (long i = 0; i < D0 * D1; i++) v_w1[i] = fabsf(v_w1[i]);
    for (long i = 0; i < D1 * D2; i++) v_w2[i] = fabsf(v_w2[i]);
    for (long i = 0; i < D2 * D3; i++) v_w3[i] = fabsf(v_w3[i]);
    // Rounds of: the ceiling, then each variant of the epoch; each share is against the
    // ceiling of its own round (this machine's speed drifts by tens of percent within minutes).
    static const char *names[] = {"a plain C step", "GEMMs only", "GEMMs and RMSprop", "RMSprop only", "GEMMs only, teams"};
    enum { ROUNDS = 7 };
    double secs[5][ROUNDS], share[5][ROUNDS], ceils[ROUNDS];
    omp_set_num_threads(1);
    epoch(0);  // warm up: oneDNN's JIT kernels, first touches
    for (int r = 0; r < ROUNDS; r++) {
        omp_set_num_threads(2);
        ceils[r] = sgemm_ceiling(0);
        omp_set_num_threads(1);  // each thread's dnnl_sgemm on one core, as in kerasctl
        for (int mode = 0; mode < 4; mode++) {
            secs[mode][r] = epoch(mode);
            share[mode][r] = flop / secs[mode][r] / 1e9 / ceils[r];
        }
        omp_set_num_threads(2);
        gemms_on = 1;
        secs[4][r] = epoch_team_gemms();
        share[4][r] = flop / secs[4][r] / 1e9 / ceils[r];
    }
    double top = 0;
    printf("sgemm 3072^3 on two cores (oneDNN), per round:");
    for (int r = 0; r < ROUNDS; r++) { printf(" %.0f", ceils[r]); if (ceils[r] > top) top = ceils[r]; }
    printf(" GFLOP/s\nseed MLP epoch, %.0f GFLOP, batch %d; median of %d rounds (each share against its round's ceiling):\n",
           flop / 1e9, B, ROUNDS);
    for (int mode = 0; mode < 5; mode++) {
        double *t = secs[mode], *sh = share[mode];
        for (int i = 0; i < ROUNDS; i++) for (int j = i + 1; j < ROUNDS; j++) {
            if (t[j] < t[i]) { double x = t[i]; t[i] = t[j]; t[j] = x; }
            if (sh[j] < sh[i]) { double x = sh[i]; sh[i] = sh[j]; sh[j] = x; }
        }
        printf("  %-20s %6.3f s (%.3f-%.3f)  %4.0f%% of its round's ceiling (%.0f-%.0f%%); best epoch %5.1f%% of the best ceiling\n",
               names[mode], t[ROUNDS / 2], t[0], t[ROUNDS - 1], 100 * sh[ROUNDS / 2], 100 * sh[0], 100 * sh[ROUNDS - 1],
               100 * flop / t[0] / 1e9 / top);
    }
    return 0;
}

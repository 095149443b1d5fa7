#include "KerasKernels.h"
#include <math.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

// One clone per x86-64 level; elsewhere the plain version.
#if defined(__x86_64__)
#define KK_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KK_CLONES
#endif

KK_CLONES
void kk_rmsprop(float *restrict w, const float *restrict g, float *restrict v, long n, float rho, float one_minus_rho,
                float lr, float eps) {
    for (long i = 0; i < n; i++) {
        float vi = rho * v[i] + one_minus_rho * (g[i] * g[i]);
        v[i] = vi;
        w[i] -= (lr * g[i]) / sqrtf(vi + eps);
    }
}

static inline unsigned long long splitmix_word(unsigned long long key, unsigned long long k) {
    unsigned long long z = key + (k + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

unsigned long long kk_splitmix64(unsigned long long seed, unsigned long long k) { return splitmix_word(seed, k); }

// (draw − threshold) wraps to a value with its top bit set exactly when draw < threshold
// (both below 2²⁴): branch-free keep.
#define KK_KEPT(draw) ((float)(((draw) - threshold) >> 63) * scale)

KK_CLONES
void kk_dropout_mask(float *restrict out, long first, long n, unsigned long long key, unsigned long long threshold,
                     float scale) {
    if (n <= 0 || first < 0) return;
    long i = 0;
    if (first & 1) {   // an odd first value: the low half of its word
        out[0] = KK_KEPT(splitmix_word(key, (unsigned long long)first >> 1) & 0xFFFFFF);
        i = 1;
    }
    unsigned long long k0 = (unsigned long long)(first + i) >> 1;
    long pairs = (n - i) / 2;
    float *o = out + i;
    for (long p = 0; p < pairs; p++) {
        unsigned long long z = splitmix_word(key, k0 + (unsigned long long)p);
        o[2 * p] = KK_KEPT(z >> 40);
        o[2 * p + 1] = KK_KEPT(z & 0xFFFFFF);
    }
    if (i + 2 * pairs < n) out[n - 1] = KK_KEPT(splitmix_word(key, k0 + (unsigned long long)pairs) >> 40);
}

unsigned int kk_denormals_flush(void) {
#if defined(__x86_64__)
    unsigned int saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040);   // FTZ (bit 15) | DAZ (bit 6)
    return saved;
#else
    return 0;
#endif
}

void kk_denormals_restore(unsigned int saved) {
#if defined(__x86_64__)
    _mm_setcsr(saved);
#else
    (void)saved;
#endif
}

KK_CLONES
void kk_adam(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long n, float k1, float k2,
             float alpha, float eps) {
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] + (gi - m[i]) * k1;
        float vi = v[i] + (gi * gi - v[i]) * k2;
        m[i] = mi;
        v[i] = vi;
        w[i] -= (mi * alpha) / (sqrtf(vi) + eps);
    }
}

KK_CLONES
void kk_maxpool2x2(const float *restrict x, float *restrict out, float *restrict argmax, long n, long h, long w, long c) {
    long oh = h / 2, ow = w / 2;
    for (long b = 0; b < n; b++) {
        for (long oy = 0; oy < oh; oy++) {
            for (long ox = 0; ox < ow; ox++) {
                const float *p0 = x + ((b * h + 2 * oy) * w + 2 * ox) * c, *p1 = p0 + c, *p2 = p0 + w * c, *p3 = p2 + c;
                long o = ((b * oh + oy) * ow + ox) * c;
                float *dst = out + o;
                if (argmax) {
                    float *ix = argmax + o;
                    for (long k = 0; k < c; k++) {
                        float m = p0[k], i = 0;
                        if (p1[k] > m) { m = p1[k]; i = 1; }
                        if (p2[k] > m) { m = p2[k]; i = 2; }
                        if (p3[k] > m) { m = p3[k]; i = 3; }
                        dst[k] = m;
                        ix[k] = i;
                    }
                } else {
                    for (long k = 0; k < c; k++) {
                        float m = p0[k];
                        if (p1[k] > m) m = p1[k];
                        if (p2[k] > m) m = p2[k];
                        if (p3[k] > m) m = p3[k];
                        dst[k] = m;
                    }
                }
            }
        }
    }
}

KK_CLONES
void kk_maxpool2x2_backward(const float *restrict dy, const float *restrict argmax, float *restrict dx, long n, long h, long w,
                            long c) {
    long oh = h / 2, ow = w / 2;
    for (long b = 0; b < n; b++) {
        for (long iy = 2 * oh; iy < h; iy++)   /* an odd last row */
            for (long k = 0; k < w * c; k++) dx[((b * h + iy) * w) * c + k] = 0;
        for (long oy = 0; oy < oh; oy++) {
            if (w % 2)   /* an odd last column, in both rows of the window */
                for (long k = 0; k < c; k++) {
                    dx[((b * h + 2 * oy) * w + w - 1) * c + k] = 0;
                    dx[((b * h + 2 * oy + 1) * w + w - 1) * c + k] = 0;
                }
            for (long ox = 0; ox < ow; ox++) {
                long o = ((b * oh + oy) * ow + ox) * c;
                const float *g = dy + o, *ix = argmax + o;
                float *d0 = dx + ((b * h + 2 * oy) * w + 2 * ox) * c, *d1 = d0 + c, *d2 = d0 + w * c, *d3 = d2 + c;
                for (long k = 0; k < c; k++) {
                    float v = g[k], i = ix[k];
                    d0[k] = i == 0 ? v : 0;
                    d1[k] = i == 1 ? v : 0;
                    d2[k] = i == 2 ? v : 0;
                    d3[k] = i == 3 ? v : 0;
                }
            }
        }
    }
}

/// Rows per block of kk_bn_moments: a block of at most 32 KiB, at most 256 rows.
static long block_rows(long c) {
    long b = 8192 / (c > 0 ? c : 1);
    return b < 1 ? 1 : b > 256 ? 256 : b;
}

void kk_chan_merge(double *restrict count, double *restrict mean, double *restrict m2, double nb,
                   const double *restrict bmean, const double *restrict bm2, long c) {
    if (!(nb > 0)) return;
    double na = *count, total = na + nb;
    for (long k = 0; k < c; k++) {
        double delta = bmean[k] - mean[k];
        mean[k] += delta * nb / total;
        m2[k] += bm2[k] + delta * delta * na * nb / total;
    }
    *count = total;
}

KK_CLONES
void kk_bn_moments(const float *restrict x, long rows, long c, double *restrict count, double *restrict mean,
                   double *restrict m2, void *restrict scratch) {
    float *restrict bm = scratch, *restrict bq = bm + c;
    double *restrict dm = (double *)(bq + c), *restrict dq = dm + c;
    long B = block_rows(c);
    for (long start = 0; start < rows; start += B) {
        long end = start + B < rows ? start + B : rows;
        float nb = (float)(end - start);
        for (long k = 0; k < c; k++) { bm[k] = 0; bq[k] = 0; }
        for (long r = start; r < end; r++) {
            const float *row = x + r * c;
            for (long k = 0; k < c; k++) bm[k] += row[k];
        }
        for (long k = 0; k < c; k++) bm[k] /= nb;
        for (long r = start; r < end; r++) {
            const float *row = x + r * c;
            for (long k = 0; k < c; k++) { float d = row[k] - bm[k]; bq[k] += d * d; }
        }
        for (long k = 0; k < c; k++) { dm[k] = bm[k]; dq[k] = bq[k]; }
        kk_chan_merge(count, mean, m2, (double)(end - start), dm, dq, c);
    }
}

KK_CLONES
void kk_bn_apply(const float *restrict x, float *restrict y, long rows, long c, const float *restrict scale,
                 const float *restrict shift, int relu) {
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * c;
        float *out = y + r * c;
        if (relu) {
            for (long k = 0; k < c; k++) { float v = row[k] * scale[k] + shift[k]; out[k] = v < 0 ? 0 : v; }
        } else {
            for (long k = 0; k < c; k++) out[k] = row[k] * scale[k] + shift[k];
        }
    }
}

static inline float masked(float g, float y, kk_mask m) {
    return m.kind == 0 ? g : m.kind == 1 ? (y > m.low ? g : 0) : (y > m.low && y < m.high ? g : 0);
}

KK_CLONES
void kk_bn_grad_sums(const float *restrict dy, const float *restrict x, const float *restrict y, const float *restrict mean,
                     long rows, long c, kk_mask mask, double *restrict sum_g, double *restrict sum_gd) {
    for (long r = 0; r < rows; r++) {
        const float *g = dy + r * c, *row = x + r * c, *yr = y + r * c;
        for (long k = 0; k < c; k++) {
            float dz = masked(g[k], yr[k], mask);
            sum_g[k] += (double)dz;
            sum_gd[k] += (double)(dz * (row[k] - mean[k]));
        }
    }
}

KK_CLONES
void kk_bn_dx(const float *restrict dy, const float *restrict x, const float *restrict y, float *restrict dx, long rows,
              long c, kk_mask mask, const float *restrict a, const float *restrict mg, const float *restrict b,
              const float *restrict mean) {
    for (long r = 0; r < rows; r++) {
        const float *g = dy + r * c, *row = x + r * c, *yr = y + r * c;
        float *d = dx + r * c;
        for (long k = 0; k < c; k++) {
            float dz = masked(g[k], yr[k], mask);
            d[k] = a[k] * (dz - mg[k] - (row[k] - mean[k]) * b[k]);
        }
    }
}

void kk_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// MARK: - A convolution's weight gradient when its kernel has few taps (a first layer)

typedef float kk_v16 __attribute__((vector_size(64)));
/// Unrolls the loop over the kernel taps when their count is a constant (inlined as 9 or
/// 27): the sums and kernel values then stay in registers instead of indexed stack arrays.
/// The instantiations for other kernel shapes (a runtime count) stay loops, by design.
#define KK_UNROLL _Pragma("clang loop unroll(full)")
#pragma clang diagnostic ignored "-Wpass-failed"
typedef int kk_v16i __attribute__((vector_size(64)));
typedef unsigned char kk_v16u8 __attribute__((vector_size(16)));

/// The kh·kw·c tap values of example b's window at (iy0, ix0) into xt, in the kernel's row
/// order (ky, kx, ci); taps in the padding count 0. KH, KW and C are g's, passed as
/// constants where the caller inlines them (no index table, no gathers).
static inline __attribute__((always_inline)) void
window_taps(const float *restrict x, const kk_conv_geometry *g, long b, long iy0, long ix0, long KH, long KW, long C,
            float *restrict xt) {
    if (iy0 >= 0 && iy0 + (KH - 1) * g->dh < g->h && ix0 >= 0 && ix0 + (KW - 1) * g->dw < g->w) {
        const float *window = x + ((b * g->h + iy0) * g->w + ix0) * C;
        long t = 0;
        for (long ky = 0; ky < KH; ky++)
            for (long kx = 0; kx < KW; kx++)
                for (long ci = 0; ci < C; ci++, t++) xt[t] = window[(ky * g->dh * g->w + kx * g->dw) * C + ci];
        return;
    }
    long t = 0;
    for (long ky = 0; ky < KH; ky++) {
        long iy = iy0 + ky * g->dh;
        for (long kx = 0; kx < KW; kx++) {
            long ix = ix0 + kx * g->dw;
            int inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
            for (long ci = 0; ci < C; ci++, t++) xt[t] = inside ? x[((b * g->h + iy) * g->w + ix) * C + ci] : 0;
        }
    }
}

/// dy's 16·NB values at p, masked where the fused ReLU's output y (when given) is not
/// positive, into d.
static inline __attribute__((always_inline)) void
masked_dy(const float *restrict dy, const float *restrict y, long p, long NB, kk_v16 *d) {
    for (long j = 0; j < NB; j++) {
        __builtin_memcpy(&d[j], dy + p + 16 * j, sizeof d[j]);
        if (y) {
            kk_v16 v;
            __builtin_memcpy(&v, y + p + 16 * j, sizeof v);
            d[j] = (kk_v16)((kk_v16i)d[j] & (v > 0));
        }
    }
}

/// Writes the K·NB sums of dK's channels [o0, o0 + 16·NB) and, with db, the bias sums.
static inline __attribute__((always_inline)) void
store_dk(kk_v16 acc[][2], const kk_v16 *bias, const kk_conv_geometry *g, long K, long NB, long o0, float *restrict dk,
         float *restrict db) {
    for (long t = 0; t < K; t++)
        for (long j = 0; j < NB; j++) __builtin_memcpy(dk + t * g->oc + o0 + 16 * j, &acc[t][j], sizeof acc[t][j]);
    if (db)
        for (long j = 0; j < NB; j++) __builtin_memcpy(db + o0 + 16 * j, &bias[j], sizeof bias[j]);
}

/// Runs BLOCKS(KH, KW, C, NB, o0) over g's 16-channel blocks: two a pass while their
/// kh·kw·c·2 sums fit the registers (at most 13 taps), then one; 3×3 kernels on one or three
/// channels (a first layer's usual) inlined as constants.
#define KK_FOR_CHANNEL_BLOCKS(g, BLOCKS)                                                        \
    do {                                                                                        \
        long K_ = (g)->kh * (g)->kw * (g)->c, o0_ = 0;                                          \
        int k33_ = (g)->kh == 3 && (g)->kw == 3;                                                \
        if (K_ <= 13)                                                                           \
            for (; o0_ + 32 <= (g)->oc; o0_ += 32) {                                            \
                if (k33_ && (g)->c == 1) BLOCKS(3, 3, 1, 2, o0_);                               \
                else BLOCKS((g)->kh, (g)->kw, (g)->c, 2, o0_);                                  \
            }                                                                                   \
        for (; o0_ + 16 <= (g)->oc; o0_ += 16) {                                                \
            if (k33_ && (g)->c == 1) BLOCKS(3, 3, 1, 1, o0_);                                   \
            else if (k33_ && (g)->c == 3) BLOCKS(3, 3, 3, 1, o0_);                              \
            else BLOCKS((g)->kh, (g)->kw, (g)->c, 1, o0_);                                      \
        }                                                                                       \
    } while (0)

/// acc[t][j] += tap t of example b's window at (iy0, ix0) · d[j], for the K = KH·KW·C taps.
static inline __attribute__((always_inline)) void
add_window(const float *restrict x, const kk_conv_geometry *g, long b, long iy0, long ix0, long KH, long KW, long C,
           long NB, const kk_v16 *d, kk_v16 acc[][2]) {
#pragma clang fp contract(fast)
    float xt[KK_CONV_DK_MAX_TAPS];
    window_taps(x, g, b, iy0, ix0, KH, KW, C, xt);
    KK_UNROLL for (long t = 0; t < KH * KW * C; t++)
        for (long j = 0; j < NB; j++) acc[t][j] += xt[t] * d[j];
}

/// Channels [o0, o0 + 16·NB) of dK and dbias over examples [0, n), NB = 1 or 2: one pass
/// over the output positions with the K·NB sums held in registers when the caller inlines
/// constant K and NB.
static inline __attribute__((always_inline)) void
conv_dk_blocks(const float *restrict x, const float *restrict dy, const float *restrict y, long n,
               const kk_conv_geometry *g, long KH, long KW, long C, long NB, long o0, float *restrict dk, float *restrict db) {
#pragma clang fp contract(fast)
    kk_v16 acc[KK_CONV_DK_MAX_TAPS][2] = {{{0}}}, bias[2] = {{0}, {0}};
    for (long b = 0; b < n; b++)
        for (long oy = 0; oy < g->oh; oy++)
            for (long ox = 0; ox < g->ow; ox++) {
                kk_v16 d[2];
                masked_dy(dy, y, ((b * g->oh + oy) * g->ow + ox) * g->oc + o0, NB, d);
                for (long j = 0; j < NB; j++) bias[j] += d[j];
                add_window(x, g, b, oy * g->sh - g->pad_top, ox * g->sw - g->pad_left, KH, KW, C, NB, d, acc);
            }
    store_dk(acc, bias, g, KH * KW * C, NB, o0, dk, db);
}

KK_CLONES
void kk_conv_dk_small(const float *restrict x, const float *restrict dy, const float *restrict y, long n,
                      const kk_conv_geometry *g, float *restrict dk, float *restrict db) {
#define BLOCKS(KH, KW, C, NB, o0) conv_dk_blocks(x, dy, y, n, g, KH, KW, C, NB, o0, dk, db)
    KK_FOR_CHANNEL_BLOCKS(g, BLOCKS);
#undef BLOCKS
}

// MARK: - A first convolution and the 2×2 max pooling after it, as one op

/// Channels [o0, o0 + 16·NB) of the pooled convolution for examples [0, n): each pooled
/// value from its four window cells' convolutions, computed here and never stored.
static inline __attribute__((always_inline)) void
conv_pool_blocks(const float *restrict x, const float *restrict k, const float *restrict bias, int relu, long n,
                 const kk_conv_geometry *g, long KH, long KW, long C, long NB, long o0, float *restrict out, unsigned char *restrict cell) {
#pragma clang fp contract(fast)
    kk_v16 kv[KK_CONV_DK_MAX_TAPS][2], bv[2] = {{0}, {0}};
    long K = KH * KW * C;
    for (long t = 0; t < K; t++)
        for (long j = 0; j < NB; j++) __builtin_memcpy(&kv[t][j], k + t * g->oc + o0 + 16 * j, sizeof kv[t][j]);
    if (bias)
        for (long j = 0; j < NB; j++) __builtin_memcpy(&bv[j], bias + o0 + 16 * j, sizeof bv[j]);
    long ph = g->oh / 2, pw = g->ow / 2;
    for (long b = 0; b < n; b++)
        for (long py = 0; py < ph; py++)
            for (long px = 0; px < pw; px++) {
                // The four cells' sums side by side: 4·NB independent chains of FMAs, not one
                // cell's chain after another's (each FMA waits for the one before in its chain).
                float xt[4][KK_CONV_DK_MAX_TAPS];
                kk_v16 acc[4][2];
                for (long q = 0; q < 4; q++) {
                    window_taps(x, g, b, (2 * py + q / 2) * g->sh - g->pad_top, (2 * px + q % 2) * g->sw - g->pad_left, KH, KW, C, xt[q]);
                    for (long j = 0; j < NB; j++) acc[q][j] = (kk_v16){0};
                }
                for (long t = 0; t < K; t++)
                    for (long q = 0; q < 4; q++)
                        for (long j = 0; j < NB; j++) acc[q][j] += xt[q][t] * kv[t][j];
                long p = ((b * ph + py) * pw + px) * g->oc + o0;
                for (long j = 0; j < NB; j++) {
                    kk_v16 m = {0};
                    kk_v16i at = {0};
                    for (long q = 0; q < 4; q++) {
                        kk_v16 v = acc[q][j] + bv[j];
                        if (relu) v = (kk_v16)((kk_v16i)v & (v > 0));
                        if (q == 0) { m = v; continue; }
                        kk_v16i greater = v > m;   // the first cell wins a tie, as kk_maxpool2x2
                        m = (kk_v16)(((kk_v16i)v & greater) | ((kk_v16i)m & ~greater));
                        at = ((int)q & greater) | (at & ~greater);
                    }
                    __builtin_memcpy(out + p + 16 * j, &m, sizeof m);
                    if (cell) {
                        kk_v16u8 bytes = __builtin_convertvector(at, kk_v16u8);
                        __builtin_memcpy(cell + p + 16 * j, &bytes, sizeof bytes);
                    }
                }
            }
}

KK_CLONES
void kk_conv_pool_small(const float *restrict x, const float *restrict k, const float *restrict bias, int relu, long n,
                        const kk_conv_geometry *g, float *restrict out, void *restrict cell) {
    unsigned char *c = cell;
#define BLOCKS(KH, KW, C, NB, o0) conv_pool_blocks(x, k, bias, relu, n, g, KH, KW, C, NB, o0, out, c)
    KK_FOR_CHANNEL_BLOCKS(g, BLOCKS);
#undef BLOCKS
}

/// Channels [o0, o0 + 16·NB) of the pooled convolution's kernel and bias gradients: each
/// pooled gradient value goes to the window cell its forward recorded.
static inline __attribute__((always_inline)) void
conv_pool_dk_blocks(const float *restrict x, const float *restrict dy, const float *restrict y,
                    const unsigned char *restrict cell, long n, const kk_conv_geometry *g, long KH, long KW, long C, long NB, long o0,
                    float *restrict dk, float *restrict db) {
#pragma clang fp contract(fast)
    kk_v16 acc[KK_CONV_DK_MAX_TAPS][2] = {{{0}}}, bias[2] = {{0}, {0}};
    long ph = g->oh / 2, pw = g->ow / 2;
    for (long b = 0; b < n; b++)
        for (long py = 0; py < ph; py++)
            for (long px = 0; px < pw; px++) {
                long p = ((b * ph + py) * pw + px) * g->oc + o0;
                kk_v16 d[2];
                kk_v16i at[2];
                masked_dy(dy, y, p, NB, d);
                for (long j = 0; j < NB; j++) {
                    bias[j] += d[j];
                    kk_v16u8 bytes;
                    __builtin_memcpy(&bytes, cell + p + 16 * j, sizeof bytes);
                    at[j] = __builtin_convertvector(bytes, kk_v16i);
                }
                for (long q = 0; q < 4; q++) {
                    kk_v16 dq[2];
                    for (long j = 0; j < NB; j++) dq[j] = (kk_v16)((kk_v16i)d[j] & (at[j] == (int)q));
                    add_window(x, g, b, (2 * py + q / 2) * g->sh - g->pad_top, (2 * px + q % 2) * g->sw - g->pad_left, KH, KW, C,
                               NB, dq, acc);
                }
            }
    store_dk(acc, bias, g, KH * KW * C, NB, o0, dk, db);
}

KK_CLONES
void kk_conv_pool_small_dk(const float *restrict x, const float *restrict dy, const float *restrict y,
                           const void *restrict cell, long n, const kk_conv_geometry *g, float *restrict dk,
                           float *restrict db) {
    const unsigned char *c = cell;
#define BLOCKS(KH, KW, C, NB, o0) conv_pool_dk_blocks(x, dy, y, c, n, g, KH, KW, C, NB, o0, dk, db)
    KK_FOR_CHANNEL_BLOCKS(g, BLOCKS);
#undef BLOCKS
}

#include "KerasKernels.h"
#include <math.h>

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
typedef int kk_v16i __attribute__((vector_size(64)));

/// Channels [o0, o0 + 16·NB) of dK and dbias over examples [0, n), NB = 1 or 2: one pass
/// over the output positions with the K·NB sums held in registers when the caller inlines
/// constant K and NB.
static inline __attribute__((always_inline)) void
conv_dk_blocks(const float *restrict x, const float *restrict dy, const float *restrict y, long n,
               const kk_conv_geometry *g, long K, long NB, long o0, float *restrict dk, float *restrict db) {
#pragma clang fp contract(fast)
    kk_v16 acc[KK_CONV_DK_MAX_TAPS][2], bias[2] = {{0}, {0}};
    float xt[KK_CONV_DK_MAX_TAPS];
    long off[KK_CONV_DK_MAX_TAPS];  // each tap's offset from its window's first value
    for (long ky = 0, t = 0; ky < g->kh; ky++)
        for (long kx = 0; kx < g->kw; kx++)
            for (long ci = 0; ci < g->c; ci++) off[t++] = (ky * g->dh * g->w + kx * g->dw) * g->c + ci;
    long ylast = (g->kh - 1) * g->dh, xlast = (g->kw - 1) * g->dw;
    for (long t = 0; t < K; t++)
        for (long j = 0; j < NB; j++) acc[t][j] = (kk_v16){0};
    for (long b = 0; b < n; b++) {
        for (long oy = 0; oy < g->oh; oy++) {
            long iy0 = oy * g->sh - g->pad_top;
            for (long ox = 0; ox < g->ow; ox++) {
                long p = ((b * g->oh + oy) * g->ow + ox) * g->oc + o0, ix0 = ox * g->sw - g->pad_left;
                kk_v16 d[2];
                for (long j = 0; j < NB; j++) {
                    __builtin_memcpy(&d[j], dy + p + 16 * j, sizeof d[j]);
                    if (y) {
                        kk_v16 v;
                        __builtin_memcpy(&v, y + p + 16 * j, sizeof v);
                        d[j] = (kk_v16)((kk_v16i)d[j] & (v > 0));
                    }
                    bias[j] += d[j];
                }
                if (iy0 >= 0 && iy0 + ylast < g->h && ix0 >= 0 && ix0 + xlast < g->w) {  // the window inside x
                    const float *window = x + ((b * g->h + iy0) * g->w + ix0) * g->c;
                    for (long k = 0; k < K; k++) {
                        float v = window[off[k]];
                        for (long j = 0; j < NB; j++) acc[k][j] += v * d[j];
                    }
                    continue;
                }
                long t = 0;  // at an edge: taps in the padding count 0
                for (long ky = 0; ky < g->kh; ky++) {
                    long iy = iy0 + ky * g->dh;
                    for (long kx = 0; kx < g->kw; kx++) {
                        long ix = ix0 + kx * g->dw;
                        int inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
                        for (long ci = 0; ci < g->c; ci++, t++) xt[t] = inside ? x[((b * g->h + iy) * g->w + ix) * g->c + ci] : 0;
                    }
                }
                for (long k = 0; k < K; k++)
                    for (long j = 0; j < NB; j++) acc[k][j] += xt[k] * d[j];
            }
        }
    }
    for (long t = 0; t < K; t++)
        for (long j = 0; j < NB; j++) __builtin_memcpy(dk + t * g->oc + o0 + 16 * j, &acc[t][j], sizeof acc[t][j]);
    if (db)
        for (long j = 0; j < NB; j++) __builtin_memcpy(db + o0 + 16 * j, &bias[j], sizeof bias[j]);
}

KK_CLONES
void kk_conv_dk_small(const float *restrict x, const float *restrict dy, const float *restrict y, long n,
                      const kk_conv_geometry *g, float *restrict dk, float *restrict db) {
    long K = g->kh * g->kw * g->c, o0 = 0;
    // Two 16-channel blocks per pass while their sums fit the registers (K ≤ 13), then one.
    if (K <= 13)
        for (; o0 + 32 <= g->oc; o0 += 32) {
            if (K == 9) conv_dk_blocks(x, dy, y, n, g, 9, 2, o0, dk, db);  // 3×3 on one channel
            else conv_dk_blocks(x, dy, y, n, g, K, 2, o0, dk, db);
        }
    for (; o0 + 16 <= g->oc; o0 += 16) {
        switch (K) {
        case 9: conv_dk_blocks(x, dy, y, n, g, 9, 1, o0, dk, db); break;
        case 27: conv_dk_blocks(x, dy, y, n, g, 27, 1, o0, dk, db); break;  // 3×3 on three channels
        default: conv_dk_blocks(x, dy, y, n, g, K, 1, o0, dk, db); break;
        }
    }
}

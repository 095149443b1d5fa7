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

void kk_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

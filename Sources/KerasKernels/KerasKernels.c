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

void kk_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

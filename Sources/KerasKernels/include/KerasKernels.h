#ifndef KERAS_KERNELS_H
#define KERAS_KERNELS_H
// Elementwise float kernels the engine's hot loops call, compiled once per x86-64 level
// (AVX-512, AVX2, baseline) and chosen at load time for the running CPU. Swift's SIMD
// types compile for the baseline only and lower a vector square root to one scalar root per
// lane; here the compiler vectorizes the loops at the CPU's width. The arithmetic is the
// same, operation for operation, as the Swift it replaces (no contraction into FMA, IEEE
// square root and division), so results do not depend on which version runs.
// Pointers must not overlap; lengths are checked by the Swift caller.

/// Keras RMSprop (no momentum, not centered): v ← ρ·v + (1−ρ)·g², w ← w − lr·g/√(v + ε).
void kk_rmsprop(float *w, const float *g, float *v, long n, float rho, float one_minus_rho, float lr, float eps);

/// Keras Adam (no amsgrad): m ← m + (g − m)·k1, v ← v + (g² − v)·k2, w ← w − m·α/(√v + ε).
void kk_adam(float *w, const float *g, float *m, float *v, long n, float k1, float k2, float alpha, float eps);

/// Max pooling with 2×2 windows, strides 2 and no padding (Keras's default) over an
/// (n, h, w, c) input: out is (n, h/2, w/2, c). A window's first largest value wins (a later
/// cell replaces it only when strictly greater); `argmax`, when not NULL, gets its cell
/// (0–3, row-major) as a float.
void kk_maxpool2x2(const float *x, float *out, float *argmax, long n, long h, long w, long c);

/// Its backward: dx gets dy at each window's argmax cell and 0 in its other cells and in
/// the cells no window covers (the last row or column of an odd size).
void kk_maxpool2x2_backward(const float *dy, const float *argmax, float *dx, long n, long h, long w, long c);

/// The CPU's spin-wait hint (x86 `pause`): a waiting loop yields the core's pipeline.
void kk_pause(void);

#endif

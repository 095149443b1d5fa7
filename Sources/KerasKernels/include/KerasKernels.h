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

/// The CPU's spin-wait hint (x86 `pause`): a waiting loop yields the core's pipeline.
void kk_pause(void);

#endif

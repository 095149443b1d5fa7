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

/// Word k (from 0) of the SplitMix64 stream seeded with `seed`: the engine's one SplitMix64
/// (RNG's seeding, Dropout's masks).
unsigned long long kk_splitmix64(unsigned long long seed, unsigned long long k);

/// Dropout's mask values first..<first+n of a call keyed by `key`, into out[0..<n]: value i
/// draws 24 bits from word ⌊i/2⌋ of the SplitMix64 stream seeded with `key` (the high 24
/// bits for even i, the low 24 for odd) and is `scale` when the draw is below `threshold`,
/// else 0. Any range gives the same values, so a mask can be filled in chunks on any number
/// of threads, or one shard's rows alone.
void kk_dropout_mask(float *out, long first, long n, unsigned long long key, unsigned long long threshold, float scale);

/// Sets this thread's SSE control to flush denormal results to zero and read denormal
/// inputs as zero (FTZ and DAZ, as TensorFlow and JAX compute on CPU) and returns the
/// previous control word for `kk_denormals_restore`. No-op (returns 0) off x86-64.
unsigned int kk_denormals_flush(void);
/// Restores a control word from `kk_denormals_flush`.
void kk_denormals_restore(unsigned int saved);

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

/// Batch normalization over (rows, c) values, channel last.
///
/// Per-channel mean and sum of squared deviations of `rows` rows, added into `mean`/`m2`
/// (which hold those of `*count` earlier rows; `*count` grows by `rows`): each block of rows
/// gets its exact two-pass mean and squared deviations in Float while in cache, blocks combine
/// by Chan's formula in Double (`kk_chan_merge`). `scratch`: 24·c bytes, 8-byte aligned.
void kk_bn_moments(const float *x, long rows, long c, double *count, double *mean, double *m2, void *scratch);

/// Chan's parallel combination: running per-channel statistics (`*count` rows, `mean`, sums of
/// squared deviations `m2`) absorb a block of `nb` rows with its own `bmean` and `bm2`.
void kk_chan_merge(double *count, double *mean, double *m2, double nb, const double *bmean, const double *bm2, long c);

/// y = x·scale + shift per channel, then max(·, 0) when `relu` (NaN stays NaN).
void kk_bn_apply(const float *x, float *y, long rows, long c, const float *scale, const float *shift, int relu);

/// The gradient mask of an activation applied in the normalization's pass, from its output y:
/// 0 none (dz = dy), 1 dz = dy where y > low, 2 where low < y < high.
typedef struct kk_mask { int kind; float low, high; } kk_mask;

/// Adds Σ dz and Σ dz·(x − mean) per channel (in Double) into sum_g, sum_gd.
void kk_bn_grad_sums(const float *dy, const float *x, const float *y, const float *mean, long rows, long c, kk_mask mask,
                     double *sum_g, double *sum_gd);

/// dx = a·(dz − mg − (x − mean)·b) per channel.
void kk_bn_dx(const float *dy, const float *x, const float *y, float *dx, long rows, long c, kk_mask mask, const float *a,
              const float *mg, const float *b, const float *mean);

/// The CPU's spin-wait hint (x86 `pause`): a waiting loop yields the core's pipeline.
void kk_pause(void);

/// A convolution's geometry, channels last: input (h, w, c), output (oh, ow, oc), kernel
/// (kh, kw, c, oc), strides, dilations and the top and left padding; one group.
typedef struct {
    long h, w, c, oh, ow, oc, kh, kw, sh, sw, dh, dw, pad_top, pad_left;
} kk_conv_geometry;

/// The most kernel taps (kh·kw·c) `kk_conv_dk_small` takes.
#define KK_CONV_DK_MAX_TAPS 32

/// The kernel and bias gradients of a convolution with at most KK_CONV_DK_MAX_TAPS taps and
/// a multiple of 16 output channels, summed over the n examples of x (n, h, w, c) and dy
/// (n, oh, ow, oc), without im2col columns: dk (kh·kw·c, oc) and db (oc, or NULL) are
/// overwritten. With `y` (the output of a fused ReLU), dy counts only where y > 0. Sums in
/// a different order than a GEMM's (FMA contraction allowed): equal within rounding.
void kk_conv_dk_small(const float *x, const float *dy, const float *y, long n, const kk_conv_geometry *g, float *dk,
                      float *db);

/// A convolution with at most KK_CONV_DK_MAX_TAPS taps and a multiple of 16 output channels
/// (kernel (kh·kw·c, oc), bias or NULL, then a ReLU when `relu`), max-pooled 2×2 with stride
/// 2 ("valid") in the same pass: writes the pooled output (n, oh/2, ow/2, oc) and, per pooled
/// value, its window cell (one byte, 0–3 row-major, the first on ties, as kk_maxpool2x2) to
/// `cell` unless it is NULL; the convolution's own output is never stored.
void kk_conv_pool_small(const float *x, const float *k, const float *bias, int relu, long n, const kk_conv_geometry *g,
                        float *out, void *cell);

/// Its kernel and bias gradients from the pooled gradient dy: each value goes to the cell
/// `cell` recorded (counted only where the pooled output y > 0 when `y` is given, the ReLU's
/// mask); dk and db (or NULL) are overwritten.
void kk_conv_pool_small_dk(const float *x, const float *dy, const float *y, const void *cell, long n,
                           const kk_conv_geometry *g, float *dk, float *db);

#endif

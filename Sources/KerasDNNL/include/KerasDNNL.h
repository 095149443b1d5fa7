#ifndef KERAS_DNNL_H
#define KERAS_DNNL_H
// oneDNN (Debian libdnnl 2.6) convolutions on kerasctl's channels-last float tensors.
// A thin C layer over oneDNN's C API, whose descriptors (fixed-size dims arrays, unions)
// are awkward from Swift. Shapes are checked by the Swift caller before they get here.
#include <stddef.h>

typedef struct kd_conv kd_conv;

/// A 2-D convolution over (n, ih, iw, ic) → (n, oh, ow, oc); kernel (kh, kw, ic/groups, oc)
/// as Keras stores it. Dilation 1 means none; pad_top/pad_left as Keras's geometry.
typedef struct kd_conv_shape {
    int n, ih, iw, ic, oh, ow, oc;
    int kh, kw, sh, sw, dh, dw, pad_top, pad_left, groups;
} kd_conv_shape;

/// The elementwise function oneDNN applies to the output (a post-op).
typedef enum kd_post { KD_POST_NONE = 0, KD_POST_RELU = 1, KD_POST_CLIP = 2, KD_POST_SWISH = 3 } kd_post;

/// A forward convolution primitive (inference kind), with the output's post-op
/// (relu: max(x, 0); clip: min(max(x, alpha), beta); swish: x·sigmoid(alpha·x)).
/// NULL when oneDNN cannot make it (the caller falls back to its own kernels).
kd_conv *kd_conv_create(const kd_conv_shape *shape, int has_bias, kd_post post, float alpha, float beta);
void kd_conv_destroy(kd_conv *conv);
/// The implementation oneDNN chose (e.g. "brgconv:avx512_core").
const char *kd_conv_impl(const kd_conv *conv);
/// Bytes of the kernel in oneDNN's own (blocked) layout.
size_t kd_conv_weights_bytes(const kd_conv *conv);
/// Reorders a Keras-layout kernel into `out` (kd_conv_weights_bytes bytes). 0 on success.
int kd_conv_prepare_weights(const kd_conv *conv, const float *kernel, void *out);
/// y = post(conv(x, weights) + bias); weights as prepared. 0 on success.
int kd_conv_forward(const kd_conv *conv, const float *x, const void *weights, const float *bias, float *y);

typedef struct kd_conv_bwd kd_conv_bwd;

/// The backward passes of a convolution (training): data (dx from dy) and weights (dK and
/// dbias from x and dy). NULL when oneDNN cannot make them.
/// `winograd`: the weights pass by oneDNN's Winograd convolution, F(4×4, 3×3), where it can
/// make one for this shape (3×3, stride 1, channels in multiples of 16), on x and dy reordered
/// to its blocked layout; the data pass is always direct.
kd_conv_bwd *kd_conv_bwd_create(const kd_conv_shape *shape, int has_bias, int winograd);
/// Whether the weights pass runs oneDNN's Winograd convolution.
int kd_conv_bwd_is_winograd(const kd_conv_bwd *conv);
/// Bytes of x (dy = 0) or dy (dy = 1) in the blocked layout the Winograd weights pass reads:
/// the buffers kd_conv_bwd_weights reorders them into. 0 when the pass is direct.
size_t kd_conv_bwd_blocked_bytes(const kd_conv_bwd *conv, int dy);
void kd_conv_bwd_destroy(kd_conv_bwd *conv);
/// Bytes of the kernel in the layout the data pass reads, and of the weight gradient in
/// the layout the weights pass writes (scratch, reordered to Keras's layout after).
size_t kd_conv_bwd_weights_bytes(const kd_conv_bwd *conv);
size_t kd_conv_bwd_diff_weights_bytes(const kd_conv_bwd *conv);
int kd_conv_bwd_prepare_weights(const kd_conv_bwd *conv, const float *kernel, void *out);
/// dx = convᵀ(dy, weights as prepared). 0 on success.
int kd_conv_bwd_data(const kd_conv_bwd *conv, const float *dy, const void *weights, float *dx);
/// dK (Keras layout, through `scratch`) and dbias (when the convolution has one). A Winograd
/// pass reorders x and dy into `blocked_x` and `blocked_dy` (kd_conv_bwd_blocked_bytes each);
/// a direct one ignores them. 0 on success.
int kd_conv_bwd_weights(const kd_conv_bwd *conv, const float *x, const float *dy, void *scratch, void *blocked_x,
                        void *blocked_dy, float *dkernel, float *dbias);

/// C = op(A)·op(B) + beta·C, row-major with leading dimensions (BLAS's sgemm), through
/// oneDNN's JIT AVX-512 GEMM. 0 on success.
int kd_sgemm(int trans_a, int trans_b, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
             float beta, float *c, long ldc);
/// The number of OpenMP threads oneDNN uses for calls made from the calling thread
/// (OpenMP's per-thread setting), and that number.
void kd_set_threads(int n);
int kd_threads(void);
/// How many oneDNN calls so far ran on more than one OpenMP thread. The engine's own
/// worker threads stop spinning when it moves, so OpenMP's team gets the cores.
unsigned long kd_team_calls(void);

#endif

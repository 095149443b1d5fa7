// The machine's single-precision GEMM ceiling: C = A·B at 3072³ on all cores, the best of
// three timed repetitions after a warm-up (JIT, threads, pages), in GFLOP/s. Through oneDNN's
// dnnl_sgemm (what kerasctl runs), or OpenBLAS's cblas_sgemm when the includer defines
// CEILING_OPENBLAS and includes <cblas.h> first. Shared by bench/sgemm_ceiling.c (bench/run.sh's
// ceiling) and the kernel benchmarks that print their shares of it from the same process.
#include <oneapi/dnnl/dnnl.h>
#include <stdlib.h>
#include <time.h>

static double ceiling_clock(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/// 0 when the matrices cannot be allocated.
static double sgemm_ceiling(int openblas) {
    const long n = 3072;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    double best = 0;
    if (a && b && c) {
        for (long i = 0; i < n * n; i++) { a[i] = (float)(i % 17) / 17; b[i] = (float)(i % 13) / 13; }
        const double flop = 2.0 * n * n * n;
        for (int r = 0; r < 4; r++) {
            double t = ceiling_clock();
#ifdef CEILING_OPENBLAS
            if (openblas) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
            else
#endif
                dnnl_sgemm('N', 'N', n, n, n, 1, a, n, b, n, 0, c, n);
            double rate = flop / (ceiling_clock() - t) / 1e9;
            if (r > 0 && rate > best) best = rate;
        }
    }
    (void)openblas;
    free(a); free(b); free(c);
    return best;
}

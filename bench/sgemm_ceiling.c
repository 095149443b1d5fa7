// The machine's single-precision GEMM ceiling, measured in the benchmark's own run
// (bench/run.sh prints it first and each model's rate as a share of it): C = A·B at 3072³
// on all cores, through oneDNN's dnnl_sgemm (what kerasctl runs) and OpenBLAS's cblas_sgemm.
// Prints "<library> <GFLOP/s>" per line, the best of a few repetitions.
#include <oneapi/dnnl/dnnl.h>
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(void) {
    const long n = 3072;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    if (!a || !b || !c) return 1;
    for (long i = 0; i < n * n; i++) { a[i] = (float)(i % 17) / 17; b[i] = (float)(i % 13) / 13; }
    const double flop = 2.0 * n * n * n;
    for (int lib = 0; lib < 2; lib++) {
        double best = 0;
        for (int r = 0; r < 4; r++) {   // the first repetition warms up (JIT, threads, pages)
            double t = now();
            if (lib == 0) dnnl_sgemm('N', 'N', n, n, n, 1, a, n, b, n, 0, c, n);
            else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
            double rate = flop / (now() - t) / 1e9;
            if (r > 0 && rate > best) best = rate;
        }
        printf("%s %.0f\n", lib == 0 ? "oneDNN" : "OpenBLAS", best);
    }
    free(a); free(b); free(c);
    return 0;
}

// The machine's single-precision GEMM ceiling, measured in the benchmark's own run
// (bench/run.sh prints it first and each model's rate as a share of it): C = A·B at 3072³
// on all cores, through oneDNN's dnnl_sgemm (what kerasctl runs) and OpenBLAS's cblas_sgemm.
// Prints "<library> <GFLOP/s>" per line, the best of a few repetitions (bench/ceiling.h).
#include <cblas.h>
#include <stdio.h>
#define CEILING_OPENBLAS
#include "ceiling.h"

int main(void) {
    for (int lib = 0; lib < 2; lib++) {
        double rate = sgemm_ceiling(lib);
        if (rate == 0) return 1;
        printf("%s %.0f\n", lib == 0 ? "oneDNN" : "OpenBLAS", rate);
    }
    return 0;
}

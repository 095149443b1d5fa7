// Time of MPI_Allreduce (in place, float32, sum) alone, for the sizes kerasctl sums per step,
// to compare with the "in collectives" time of KERASCTL_MPI_STATS=1 (which also holds the
// wait for the slower rank). docs/DISTRIBUTED.md, "Measurements".
//   mpicc -O2 bench/mpi_allreduce.c -o /tmp/mpi_allreduce
//   mpirun -np 2 --mca btl self,tcp --mca btl_tcp_if_include lo /tmp/mpi_allreduce 669706 3298216
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int a = 1; a < argc; a++) {
        long n = atol(argv[a]);
        if (n <= 0 || n > (1L << 30)) continue;
        float *x = calloc((size_t)n, sizeof(float));
        if (!x) break;
        for (int i = 0; i < 5; i++) MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        int reps = 50;
        MPI_Barrier(MPI_COMM_WORLD);
        double t = MPI_Wtime();
        for (int i = 0; i < reps; i++) MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        t = (MPI_Wtime() - t) / reps;
        if (rank == 0)
            printf("%d ranks: %ld floats (%.2f MB): %.3f ms per allreduce, %.2f GB/s algorithm bandwidth\n",
                   size, n, n * 4 / 1e6, t * 1e3, n * 4 / t / 1e9);
        free(x);
    }
    MPI_Finalize();
    return 0;
}

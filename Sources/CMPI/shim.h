#include <mpi.h>

// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros taking the
// address of library globals, which Swift cannot import; these inline functions do the
// few calls kerasctl makes, on MPI_COMM_WORLD.
static inline int cmpi_init(void) { int provided = 0; return MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided); }
static inline int cmpi_finalize(void) { return MPI_Finalize(); }
static inline int cmpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static inline int cmpi_rank(void) { int r = -1; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int cmpi_size(void) { int s = 0; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
/// Errors come back as return codes (kerasctl reports them) instead of aborting inside MPI.
static inline int cmpi_errors_return(void) { return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }
static inline int cmpi_sum_float(float *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
static inline int cmpi_sum_double(double *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
/// Starts an in-place float sum and returns at once; `request` completes it (cmpi_test, cmpi_wait).
static inline int cmpi_start_sum_float(float *values, int count, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, request);
}
static inline int cmpi_test(MPI_Request *request, int *done) { return MPI_Test(request, done, MPI_STATUS_IGNORE); }
static inline int cmpi_wait(MPI_Request *request) { return MPI_Wait(request, MPI_STATUS_IGNORE); }
static inline int cmpi_broadcast_float(float *values, int count) {
    return MPI_Bcast(values, count, MPI_FLOAT, 0, MPI_COMM_WORLD);
}
static inline int cmpi_broadcast_double(double *values, int count) {
    return MPI_Bcast(values, count, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}
static inline int cmpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
/// One line for an MPI error code (at most MPI_MAX_ERROR_STRING bytes into `buffer`).
static inline void cmpi_error_string(int code, char *buffer, int capacity) {
    char text[MPI_MAX_ERROR_STRING]; int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) len = 0;
    if (capacity <= 0) return;
    if (len >= capacity) len = capacity - 1;
    for (int i = 0; i < len; i++) buffer[i] = text[i];
    buffer[len] = 0;
}
static inline double cmpi_wtime(void) { return MPI_Wtime(); }

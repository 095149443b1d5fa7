// oneDNN sgemm vs OpenBLAS sgemm at the seed MLP's GEMM shapes, each run as the engine does:
// two single-threaded GEMMs on column halves, one per core (docs/PERFORMANCE.md).
// Build and run: make bench-kernels.
#include <oneapi/dnnl/dnnl.h>
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
extern void omp_set_num_threads(int); extern void openblas_set_num_threads(int);
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int M,N,K,R,useblas; float *A,*B,*C;
void* half(void* p){ long h=(long)p; int n0=h*N/2, n1=(h+1)*N/2; omp_set_num_threads(1); openblas_set_num_threads(1);
  for(int r=0;r<R;r++){ if(useblas) cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,M,n1-n0,K,1,A,K,B+n0,N,0,C+n0,N); else dnnl_sgemm('N','N',M,n1-n0,K,1,A,K,B+n0,N,0,C+n0,N);} return 0;}
void bench(int m,int n,int k){ M=m;N=n;K=k; A=malloc(4L*M*K);B=malloc(4L*K*N);C=malloc(4L*M*N); for(long i=0;i<(long)M*K;i++)A[i]=rand()/(float)RAND_MAX; for(long i=0;i<(long)K*N;i++)B[i]=rand()/(float)RAND_MAX;
  double fl=2.0*M*N*K; R=(int)(2e10/fl)+5;
  for(useblas=0;useblas<2;useblas++){ half((void*)0); pthread_t t1; double t=now(); pthread_create(&t1,0,half,(void*)1); half((void*)0); pthread_join(t1,0); double td=(now()-t)/R;
  printf("%dx%dx%d two halves %s: %.0f GF/s\n",M,N,K,useblas?"openblas":"dnnl_sgemm",fl/td/1e9);} }
int main(){ bench(128,512,784); bench(128,512,512); bench(784,512,128);}

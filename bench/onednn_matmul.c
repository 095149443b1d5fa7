// The seed MLP's GEMMs (batch 128: forward 128x512x784 and 128x512x512, the input gradient
// 128x512x512 against a transposed kernel, the kernel gradients 784x512x128 and 512x512x128)
// through oneDNN's matmul primitive, with the kernel in plain layout and prepacked (format
// "any"), against one dnnl_sgemm call, both on OpenMP's threads; then 3072^3 for the ceiling.
// Shows how close the GEMMs alone come to the ceiling at these shapes (docs/PERFORMANCE.md,
// ninth session). Build and run: make bench-kernels (once with OpenMP's spinning waits, once
// with the passive ones kerasctl sets).
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define CK(x) do{dnnl_status_t s=(x); if(s){printf("err %d line %d\n",s,__LINE__);exit(1);}}while(0)
dnnl_engine_t eng; dnnl_stream_t st;
void bench(int M,int N,int K,int ta,int tb,int packed){
  dnnl_memory_desc_t a,b,c,bany; dnnl_dims_t da={M,K},db={K,N},dc={M,N};
  CK(dnnl_memory_desc_init_by_tag(&a,2,da,dnnl_f32,ta?dnnl_ba:dnnl_ab));
  CK(dnnl_memory_desc_init_by_tag(&b,2,db,dnnl_f32,tb?dnnl_ba:dnnl_ab));
  CK(dnnl_memory_desc_init_by_tag(&bany,2,db,dnnl_f32,dnnl_format_tag_any));
  CK(dnnl_memory_desc_init_by_tag(&c,2,dc,dnnl_f32,dnnl_ab));
  dnnl_matmul_desc_t md; CK(dnnl_matmul_desc_init(&md,&a,packed?&bany:&b,NULL,&c));
  dnnl_primitive_desc_t pd; CK(dnnl_primitive_desc_create(&pd,&md,NULL,eng,NULL));
  const char* impl; dnnl_primitive_desc_query(pd,dnnl_query_impl_info_str,0,&impl);
  const dnnl_memory_desc_t* wmd=dnnl_primitive_desc_query_md(pd,dnnl_query_weights_md,0);
  dnnl_primitive_t p; CK(dnnl_primitive_create(&p,pd));
  // The prepacked kernel holds random values too: only the time matters here.
  size_t bbytes=dnnl_memory_desc_get_size(wmd); if(bbytes<4L*K*N) bbytes=4L*K*N;
  float*A=malloc(4L*M*K),*B=malloc(bbytes),*C=malloc(4L*M*N);
  for(long i=0;i<(long)M*K;i++) A[i]=rand()/(float)RAND_MAX;
  for(long i=0;i<(long)(bbytes/4);i++) B[i]=rand()/(float)RAND_MAX;
  dnnl_memory_t ma,mb,mc; CK(dnnl_memory_create(&ma,&a,eng,A)); CK(dnnl_memory_create(&mb,wmd,eng,B)); CK(dnnl_memory_create(&mc,&c,eng,C));
  dnnl_exec_arg_t args[3]={{DNNL_ARG_SRC,ma},{DNNL_ARG_WEIGHTS,mb},{DNNL_ARG_DST,mc}};
  double fl=2.0*M*N*K; int R=(int)(2e10/fl)+5;
  for(int w=0;w<5;w++) dnnl_primitive_execute(p,st,3,args);
  dnnl_stream_wait(st);
  double best=1e9; for(int rep=0;rep<3;rep++){ double t=now(); for(int r=0;r<R;r++) dnnl_primitive_execute(p,st,3,args); dnnl_stream_wait(st); double td=(now()-t)/R; if(td<best)best=td;}
  // sgemm same shape
  double bs=1e9; for(int rep=0;rep<3;rep++){ double t=now(); for(int r=0;r<R;r++) dnnl_sgemm(ta?'T':'N',tb?'T':'N',M,N,K,1,A,ta?M:K,B,tb?K:N,0,C,N); double td=(now()-t)/R; if(td<bs)bs=td;}
  printf("%4dx%4dx%4d ta%d tb%d packed%d matmul %-28s %6.1f GF/s   sgemm %6.1f GF/s\n",M,N,K,ta,tb,packed,impl,fl/best/1e9,fl/bs/1e9);
  dnnl_memory_destroy(ma); dnnl_memory_destroy(mb); dnnl_memory_destroy(mc);
  dnnl_primitive_destroy(p); dnnl_primitive_desc_destroy(pd); free(A);free(B);free(C);
}
int main(){ CK(dnnl_engine_create(&eng,dnnl_cpu,0)); CK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
 for(int pk=0;pk<2;pk++){
 bench(128,512,784,0,0,pk); // fwd1
 bench(128,512,512,0,0,pk); // fwd2
 bench(128,512,512,0,1,pk); // dX2 = dY * W^T
 bench(784,512,128,1,0,pk); // dW1 = X^T dY
 bench(512,512,128,1,0,pk); // dW2
 }
 bench(3072,3072,3072,0,0,0);
}

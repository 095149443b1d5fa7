// oneDNN vs im2col + OpenBLAS for single convolutions at keras.applications shapes (batch 32):
// the evaluation behind adopting oneDNN for convolutions (docs/PERFORMANCE.md).
// Build and run: make bench-kernels. MODE=1 times oneDNN only, MODE=2 OpenBLAS only, 3 both.
#include <oneapi/dnnl/dnnl.h>
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define CK(x) do{dnnl_status_t s=(x); if(s!=dnnl_success){printf("err %d at %s\n",s,#x);exit(1);}}while(0)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
// conv NHWC: N,H,W,C -> O, k x k, stride s, pad same; groups g (g==C: depthwise)
void bench(int N,int H,int W,int C,int O,int k,int s,int g){
  int p=(k-1)/2, OH=(H+2*p-k)/s+1, OW=(W+2*p-k)/s+1;
  dnnl_engine_t eng; CK(dnnl_engine_create(&eng,dnnl_cpu,0));
  dnnl_stream_t st; CK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
  dnnl_memory_desc_t src,dst,wany,wplain,bias;
  dnnl_dims_t sd={N,C,H,W}, dd={N,O,OH,OW}, bd={O};
  CK(dnnl_memory_desc_init_by_tag(&src,4,sd,dnnl_f32,dnnl_nhwc));
  CK(dnnl_memory_desc_init_by_tag(&dst,4,dd,dnnl_f32,dnnl_nhwc));
  CK(dnnl_memory_desc_init_by_tag(&bias,1,bd,dnnl_f32,dnnl_a));
  if(g==1){ dnnl_dims_t wd={O,C,k,k}; CK(dnnl_memory_desc_init_by_tag(&wany,4,wd,dnnl_f32,dnnl_format_tag_any)); CK(dnnl_memory_desc_init_by_tag(&wplain,4,wd,dnnl_f32,dnnl_hwio)); }
  else { dnnl_dims_t wd={g,O/g,C/g,k,k}; CK(dnnl_memory_desc_init_by_tag(&wany,5,wd,dnnl_f32,dnnl_format_tag_any)); CK(dnnl_memory_desc_init_by_tag(&wplain,5,wd,dnnl_f32,dnnl_hwigo)); }
  dnnl_convolution_desc_t cd; dnnl_dims_t str={s,s}, pl={p,p}, pr={p,p};
  // padding right so output matches
  pr[0]=(OH-1)*s+k-H-p; pr[1]=(OW-1)*s+k-W-p;
  CK(dnnl_convolution_forward_desc_init(&cd,dnnl_forward_inference,dnnl_convolution_direct,&src,&wany,&bias,&dst,str,pl,pr));
  dnnl_post_ops_t po; CK(dnnl_post_ops_create(&po)); CK(dnnl_post_ops_append_eltwise(po,1.f,dnnl_eltwise_relu,0,0));
  dnnl_primitive_attr_t at; CK(dnnl_primitive_attr_create(&at)); CK(dnnl_primitive_attr_set_post_ops(at,po));
  dnnl_primitive_desc_t pd; CK(dnnl_primitive_desc_create(&pd,&cd,at,eng,NULL));
  const char* impl; dnnl_primitive_desc_query(pd,dnnl_query_impl_info_str,0,&impl);
  const dnnl_memory_desc_t* wmd=dnnl_primitive_desc_query_md(pd,dnnl_query_weights_md,0);
  size_t nx=(size_t)N*H*W*C, ny=(size_t)N*OH*OW*O, nw=(size_t)k*k*(C/g)*O;
  float *x=malloc(4*nx),*y=malloc(4*ny),*w=malloc(4*nw),*b=calloc(O,4),*w2=malloc(dnnl_memory_desc_get_size(wmd));
  for(size_t i=0;i<nx;i++)x[i]=rand()/(float)RAND_MAX-.5f; for(size_t i=0;i<nw;i++)w[i]=rand()/(float)RAND_MAX-.5f;
  dnnl_memory_t mx,my,mw,mw2,mb; CK(dnnl_memory_create(&mx,&src,eng,x)); CK(dnnl_memory_create(&my,&dst,eng,y));
  CK(dnnl_memory_create(&mw,&wplain,eng,w)); CK(dnnl_memory_create(&mw2,wmd,eng,w2)); CK(dnnl_memory_create(&mb,&bias,eng,b));
  dnnl_primitive_desc_t rpd; CK(dnnl_reorder_primitive_desc_create(&rpd,&wplain,eng,wmd,eng,NULL)); dnnl_primitive_t rp; CK(dnnl_primitive_create(&rp,rpd));
  dnnl_exec_arg_t ra[2]={{DNNL_ARG_FROM,mw},{DNNL_ARG_TO,mw2}}; CK(dnnl_primitive_execute(rp,st,2,ra)); dnnl_stream_wait(st);
  dnnl_primitive_t cv; CK(dnnl_primitive_create(&cv,pd));
  dnnl_exec_arg_t a[4]={{DNNL_ARG_SRC,mx},{DNNL_ARG_WEIGHTS,mw2},{DNNL_ARG_BIAS,mb},{DNNL_ARG_DST,my}};
  double fl=2.0*N*OH*OW*O*k*k*(C/g);
  int R= (int)(2e10/fl)+5; int mode=getenv("MODE")?atoi(getenv("MODE")):3; CK(dnnl_primitive_execute(cv,st,4,a)); dnnl_stream_wait(st);
  double t=now(); if(mode&1) for(int r=0;r<R;r++){dnnl_primitive_execute(cv,st,4,a);} dnnl_stream_wait(st); double td=(now()-t)/R;
  // im2col + sgemm (g==1 only)
  double tb=0;
  if(g==1 && (mode&2)){ int K=k*k*C; float* col=malloc(4L*N*OH*OW*K);
    t=now(); for(int r=0;r<R;r++){
      if(k==1&&s==1) { cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,N*OH*OW,O,C,1,x,C,w,O,0,y,O); }
      else { for(int n=0;n<N;n++)for(int oy=0;oy<OH;oy++)for(int ox=0;ox<OW;ox++){ float* c=col+((size_t)(n*OH+oy)*OW+ox)*K;
        for(int ky=0;ky<k;ky++)for(int kx=0;kx<k;kx++){int iy=oy*s-p+ky, ix=ox*s-p+kx; float* d=c+(ky*k+kx)*C;
          if(iy<0||iy>=H||ix<0||ix>=W) memset(d,0,4*C); else memcpy(d,x+((size_t)(n*H+iy)*W+ix)*C,4*C);} }
        cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,N*OH*OW,O,K,1,col,K,w,O,0,y,O);}
      for(size_t i=0;i<ny;i++) y[i]=y[i]>0?y[i]:0; }
    tb=(now()-t)/R; free(col);}
  printf("N%d %dx%dx%d->%d k%d s%d g%d: dnnl %.2f ms %.0f GF/s [%s]  blas %.2f ms %.0f GF/s\n",N,H,W,C,O,k,s,g,td*1e3,fl/td/1e9,impl,tb*1e3,tb>0?fl/tb/1e9:0);
}
int main(){
  bench(32,16,16,64,64,3,1,1); bench(32,16,16,256,64,1,1,1); bench(32,16,16,64,256,1,1,1);
  bench(32,8,8,128,128,3,1,1); bench(32,4,4,256,256,3,1,1); bench(32,2,2,512,512,3,1,1);
  bench(32,64,64,3,64,7,2,1);
  bench(32,32,32,96,96,3,1,96); bench(32,16,16,144,144,3,2,144); bench(32,8,8,192,192,3,1,192);
}

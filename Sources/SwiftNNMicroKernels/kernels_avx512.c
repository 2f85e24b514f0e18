// AVX-512 variants: 32 zmm registers hold a 12 × 16 GEMM tile in 12 accumulators.
#if defined(__x86_64__)
#include "isa_kernels.h"
#include "winograd_isa.h"
#include "pointwise_kernels.h"

typedef float VEC __attribute__((vector_size(64)));
#define VW 16
#define ISA_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define KERNEL(name) swiftnn_##name##_avx512
#define GEMM_RP 2
#define GEMM_CV 1
#define CONV_RP 2
#define CONV_CV 1
#define WG_CV 1
#include "tile_body.h"
#include "winograd_body.h"
#include "winograd4_body.h"
#include "pointwise_body.h"
#include "norm_body.h"
#include "pool_body.h"
#endif

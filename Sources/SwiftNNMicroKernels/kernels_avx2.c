// AVX2 + FMA variants: a 6 × 16 GEMM tile is 12 of the 16 ymm registers.
#if defined(__x86_64__)
#include "isa_kernels.h"
#include "winograd_isa.h"
#include "pointwise_kernels.h"

typedef float VEC __attribute__((vector_size(32)));
#define VW 8
#define ISA_TARGET __attribute__((target("avx2,fma")))
#define KERNEL(name) swiftnn_##name##_avx2
#define GEMM_RP 1
#define GEMM_CV 2
#define CONV_RP 1
#define CONV_CV 2
#define WG_CV 2
#include "tile_body.h"
#include "winograd_body.h"
#include "winograd4_body.h"
#include "pointwise_body.h"
#include "norm_body.h"
#include "pool_body.h"
#endif

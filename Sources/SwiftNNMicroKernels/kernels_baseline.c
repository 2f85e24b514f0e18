// Baseline variants for any CPU: 16-byte vectors (SSE2 on x86-64, NEON on
// arm64); 6 × 8 tiles (12 accumulators of the 16 registers), two column passes.
#include "isa_kernels.h"
#include "winograd_isa.h"
#include "pointwise_kernels.h"

typedef float VEC __attribute__((vector_size(16)));
#define VW 4
#define ISA_TARGET
#define KERNEL(name) swiftnn_##name##_baseline
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

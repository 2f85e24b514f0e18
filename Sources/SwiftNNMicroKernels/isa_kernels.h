// Declarations of every kernel variant, one line per (kernel, ISA), for the dispatcher.
#ifndef SWIFTNN_ISA_KERNELS_H
#define SWIFTNN_ISA_KERNELS_H

#include "swiftnn_micro_kernels.h"

#define SWIFTNN_DECLARE_KERNELS(suffix)                                                                      \
  void swiftnn_gemm_packed_##suffix(const float *packA, const float *packB, long mc, long nc, long kc,     \
                                    float *c, long ldc, float alpha, float beta);                           \
  void swiftnn_direct_conv_strip_##suffix(const float *packA, long rows, long kc, const float *origin,     \
                                          const long *offsets, float *c, long ldc, long width, float beta); \
  void swiftnn_direct_conv_weight_tile_##suffix(const float *const taps[6], long count, long outH,         \
                                                long outW, long rowStride, const float *gyPanel, float *c,  \
                                                long ldc);

SWIFTNN_DECLARE_KERNELS(baseline)
#if defined(__x86_64__)
SWIFTNN_DECLARE_KERNELS(avx2)
SWIFTNN_DECLARE_KERNELS(avx512)
#endif

// GEMM with A packed or read in place, a column-bias epilogue, and the unpacked
// row-dot product of a few rows (gemm_body.h).
#define SWIFTNN_DECLARE_GEMM_STRIDED(suffix)                                                               \
  void swiftnn_gemm_strided_##suffix(const float *a, long rowStride, long depthStride, long panelStride,   \
                                     const float *packB, long mc, long nc, long kc, float *c, long ldc,    \
                                     float alpha, float beta, const float *bias,                        \
                                     const swiftnn_gemm_epilogue *epilogue);                             \
  void swiftnn_gemm_row_dot_##suffix(const float *a, long lda, long m, const float *b, long ldb, long n,   \
                                     long k, float *c, long ldc, float alpha, float beta, const float *bias); \
  void swiftnn_gemm_pack_b_##suffix(const float *b, long ldb, long kc, long nc, float *dst);

SWIFTNN_DECLARE_GEMM_STRIDED(baseline)
#if defined(__x86_64__)
SWIFTNN_DECLARE_GEMM_STRIDED(avx2)
SWIFTNN_DECLARE_GEMM_STRIDED(avx512)
#endif

#endif

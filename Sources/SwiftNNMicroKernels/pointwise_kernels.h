// Declarations of the pointwise kernel variants (pointwise_body.h, norm_body.h,
// pool_body.h), one set per ISA.
#ifndef SWIFTNN_POINTWISE_KERNELS_H
#define SWIFTNN_POINTWISE_KERNELS_H

#include "swiftnn_micro_kernels.h"

#define SWIFTNN_DECLARE_POINTWISE_KERNELS(suffix)                                                               \
  void swiftnn_map_##suffix(int op, const float *x, float *y, long n);                                         \
  void swiftnn_zip_##suffix(int op, const float *a, const float *b, float *y, long n);                         \
  void swiftnn_zip_scalar_##suffix(int op, const float *a, float s, int scalar_first, float *y, long n);       \
  void swiftnn_axpy_##suffix(long n, float alpha, const float *x, float *y);                                   \
  void swiftnn_shifted_sums_##suffix(const float *x, long n, float shift, float sums[2]);                      \
  void swiftnn_scale_shift_##suffix(const float *x, const float *r, float *y, long n, float scale, float shift, \
                                    int relu);                                                                 \
  void swiftnn_channel_grad_sums_##suffix(const float *g, const float *y, const float *x, float *g_out, long n, \
                                          float mean, float sums[2]);                                          \
  void swiftnn_channel_backward_##suffix(const float *g, const float *y, const float *x, float *dx, long n,    \
                                         float mean, float scale, float a, float b);                           \
  void swiftnn_shifted_sums_rows_##suffix(swiftnn_planes x, long first, long count, long n, const float *shift, \
                                          double *totals);                                                     \
  void swiftnn_scale_shift_rows_##suffix(swiftnn_planes x, const float *r, float *y, long first, long count,    \
                                         long n, const float *scale, const float *shift, int relu);            \
  void swiftnn_channel_grad_sums_rows_##suffix(const float *g, const float *y, swiftnn_planes x, float *g_out,  \
                                               long first, long count, long n, const float *mean,              \
                                               double *totals);                                                \
  void swiftnn_channel_backward_rows_##suffix(const float *g, const float *y, swiftnn_planes x,                 \
                                              swiftnn_planes dx, long first, long count, long n,               \
                                              const float *mean, const float *scale, const float *a,           \
                                              const float *b);                                                 \
  void swiftnn_layer_norm_rows_##suffix(const float *x, float *y, long rows, long width, float eps,            \
                                        const float *w, const float *b, float *mean, float *invstd);           \
  void swiftnn_layer_norm_rows_backward_##suffix(const float *g, const float *x, float *dx, long rows,         \
                                                 long width, const float *w, const float *mean,                  \
                                                 const float *invstd, float *dw, float *db);                     \
  void swiftnn_softmax_rows_##suffix(const float *x, float *y, long rows, long width, int log_output);          \
  void swiftnn_softmax_rows_backward_##suffix(const float *g, const float *y, float *dx, long rows, long width, \
                                              int log_output);                                                 \
  void swiftnn_dropout_mask_##suffix(const float *x, float *y, long n, unsigned long long key, long first,      \
                                     unsigned long long threshold, float scale);                               \
  void swiftnn_transpose_matrix_##suffix(const float *src, float *dst, long rows, long cols);                 \
  void swiftnn_gather_rows_##suffix(const float *src, long srcRow, long step, long rows, long cols, float *dst, \
                                    long ldDst);                                                               \
  void swiftnn_max_pool_2x2_##suffix(const float *x, long planes, long height, long width, float *y,           \
                                     int *argmax);

SWIFTNN_DECLARE_POINTWISE_KERNELS(baseline)
#if defined(__x86_64__)
SWIFTNN_DECLARE_POINTWISE_KERNELS(avx2)
SWIFTNN_DECLARE_POINTWISE_KERNELS(avx512)
#endif

#endif

// The pointwise kernels' entry points: each calls the variant of the path that
// dispatch.c chose (swiftnn_isa_active), so SWIFTNN_ISA and swiftnn_isa_select
// switch these together with the GEMM and convolution tiles.
#include "pointwise_kernels.h"

struct pointwise_table {
  void (*map)(int, const float *, float *, long);
  void (*zip)(int, const float *, const float *, float *, long);
  void (*zip_scalar)(int, const float *, float, int, float *, long);
  void (*axpy)(long, float, const float *, float *);
  void (*shifted_sums)(const float *, long, float, float[2]);
  void (*scale_shift)(const float *, const float *, float *, long, float, float, int);
  void (*channel_grad_sums)(const float *, const float *, const float *, float *, long, float, float[2]);
  void (*channel_backward)(const float *, const float *, const float *, float *, long, float, float, float, float);
  void (*shifted_sums_rows)(swiftnn_planes, long, long, long, const float *, double *);
  void (*scale_shift_rows)(swiftnn_planes, const float *, float *, long, long, long, const float *, const float *, int);
  void (*channel_grad_sums_rows)(const float *, const float *, swiftnn_planes, float *, long, long, long, const float *,
                                 double *);
  void (*channel_backward_rows)(const float *, const float *, swiftnn_planes, swiftnn_planes, long, long, long,
                                const float *, const float *, const float *, const float *);
  void (*layer_norm_rows)(const float *, float *, long, long, float, const float *, const float *, float *, float *);
  void (*layer_norm_rows_backward)(const float *, const float *, float *, long, long, const float *, const float *,
                                   const float *, float *, float *);
  void (*softmax_rows)(const float *, float *, long, long, int);
  void (*softmax_rows_backward)(const float *, const float *, float *, long, long, int);
  void (*dropout_mask)(const float *, float *, long, unsigned long long, long, unsigned long long, float);
  void (*max_pool_2x2)(const float *, long, long, long, float *, int *);
  void (*transpose)(const float *, float *, long, long);
  void (*gather_rows)(const float *, long, long, long, long, float *, long);
};

#define TABLE(s)                                                                                             \
  {swiftnn_map_##s, swiftnn_zip_##s, swiftnn_zip_scalar_##s, swiftnn_axpy_##s, swiftnn_shifted_sums_##s,     \
   swiftnn_scale_shift_##s, swiftnn_channel_grad_sums_##s, swiftnn_channel_backward_##s,                   \
   swiftnn_shifted_sums_rows_##s, swiftnn_scale_shift_rows_##s, swiftnn_channel_grad_sums_rows_##s,           \
   swiftnn_channel_backward_rows_##s,                                                                          \
   swiftnn_layer_norm_rows_##s, swiftnn_layer_norm_rows_backward_##s,                                        \
   swiftnn_softmax_rows_##s, swiftnn_softmax_rows_backward_##s, swiftnn_dropout_mask_##s,                 \
   swiftnn_max_pool_2x2_##s, swiftnn_transpose_matrix_##s, swiftnn_gather_rows_##s}

// Indexed by swiftnn_isa; a path missing here is never active (swiftnn_isa_supported).
static const struct pointwise_table tables[] = {
    TABLE(baseline),
#if defined(__x86_64__)
    TABLE(avx2),
    TABLE(avx512),
#endif
};

#define ACTIVE (&tables[swiftnn_isa_active()])

void swiftnn_map(int op, const float *x, float *y, long n) { ACTIVE->map(op, x, y, n); }

void swiftnn_zip(int op, const float *a, const float *b, float *y, long n) { ACTIVE->zip(op, a, b, y, n); }

void swiftnn_zip_scalar(int op, const float *a, float s, int scalar_first, float *y, long n) {
  ACTIVE->zip_scalar(op, a, s, scalar_first, y, n);
}

void swiftnn_axpy(long n, float alpha, const float *x, float *y) { ACTIVE->axpy(n, alpha, x, y); }

void swiftnn_shifted_sums(const float *x, long n, float shift, float sums[2]) {
  ACTIVE->shifted_sums(x, n, shift, sums);
}

void swiftnn_scale_shift(const float *x, const float *r, float *y, long n, float scale, float shift, int relu) {
  ACTIVE->scale_shift(x, r, y, n, scale, shift, relu);
}

void swiftnn_channel_grad_sums(const float *g, const float *y, const float *x, float *g_out, long n, float mean,
                               float sums[2]) {
  ACTIVE->channel_grad_sums(g, y, x, g_out, n, mean, sums);
}

void swiftnn_channel_backward(const float *g, const float *y, const float *x, float *dx, long n, float mean,
                              float scale, float a, float b) {
  ACTIVE->channel_backward(g, y, x, dx, n, mean, scale, a, b);
}

void swiftnn_shifted_sums_rows(swiftnn_planes x, long first, long count, long n, const float *shift,
                               double *totals) {
  ACTIVE->shifted_sums_rows(x, first, count, n, shift, totals);
}

void swiftnn_scale_shift_rows(swiftnn_planes x, const float *r, float *y, long first, long count, long n,
                              const float *scale, const float *shift, int relu) {
  ACTIVE->scale_shift_rows(x, r, y, first, count, n, scale, shift, relu);
}

void swiftnn_channel_grad_sums_rows(const float *g, const float *y, swiftnn_planes x, float *g_out, long first,
                                    long count, long n, const float *mean, double *totals) {
  ACTIVE->channel_grad_sums_rows(g, y, x, g_out, first, count, n, mean, totals);
}

void swiftnn_channel_backward_rows(const float *g, const float *y, swiftnn_planes x, swiftnn_planes dx, long first,
                                   long count, long n, const float *mean, const float *scale, const float *a,
                                   const float *b) {
  ACTIVE->channel_backward_rows(g, y, x, dx, first, count, n, mean, scale, a, b);
}

void swiftnn_layer_norm_rows(const float *x, float *y, long rows, long width, float eps, const float *w,
                             const float *b, float *mean, float *invstd) {
  ACTIVE->layer_norm_rows(x, y, rows, width, eps, w, b, mean, invstd);
}

void swiftnn_layer_norm_rows_backward(const float *g, const float *x, float *dx, long rows, long width,
                                      const float *w, const float *mean, const float *invstd, float *dw, float *db) {
  ACTIVE->layer_norm_rows_backward(g, x, dx, rows, width, w, mean, invstd, dw, db);
}

void swiftnn_softmax_rows(const float *x, float *y, long rows, long width, int log_output) {
  ACTIVE->softmax_rows(x, y, rows, width, log_output);
}

void swiftnn_softmax_rows_backward(const float *g, const float *y, float *dx, long rows, long width, int log_output) {
  ACTIVE->softmax_rows_backward(g, y, dx, rows, width, log_output);
}

void swiftnn_dropout_mask(const float *x, float *y, long n, unsigned long long key, long first,
                          unsigned long long threshold, float scale) {
  ACTIVE->dropout_mask(x, y, n, key, first, threshold, scale);
}

void swiftnn_max_pool_2x2(const float *x, long planes, long height, long width, float *y, int *argmax) {
  ACTIVE->max_pool_2x2(x, planes, height, width, y, argmax);
}

void swiftnn_transpose_matrix(const float *src, float *dst, long rows, long cols) {
  ACTIVE->transpose(src, dst, rows, cols);
}

void swiftnn_gather_rows(const float *src, long srcRow, long step, long rows, long cols, float *dst, long ldDst) {
  ACTIVE->gather_rows(src, srcRow, step, rows, cols, dst, ldDst);
}

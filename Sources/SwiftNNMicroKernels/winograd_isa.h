// Declarations of the Winograd transform variants, one line per (kernel, ISA), for winograd_dispatch.c.
#ifndef SWIFTNN_WINOGRAD_ISA_H
#define SWIFTNN_WINOGRAD_ISA_H

#include "swiftnn_winograd_kernels.h"

#define SWIFTNN_DECLARE_WINOGRAD(suffix)                                                                      \
  void swiftnn_winograd_filters_##suffix(const float *, long, long, int, long, long, long, float *, long);   \
  void swiftnn_winograd_input_tiles_##suffix(const float *, long, long, long, long, long, long, long, long,  \
                                             long, long, float *, long);                                     \
  void swiftnn_winograd_output_tiles_##suffix(const float *, long, long, long, long, long, long, long, long, \
                                              long, const float *, const float *, int, float *);             \
  void swiftnn_winograd_input_channels_##suffix(const float *, long, long, long, long, long, long, long,     \
                                                long, long, float *, long);                                  \
  void swiftnn_winograd_gradient_channels_##suffix(const float *, long, long, long, long, long, long, long,  \
                                                   float *, long);                                          \
  void swiftnn_winograd4_filters_##suffix(const float *, long, long, int, long, long, long, float *, long);  \
  void swiftnn_winograd4_input_tiles_##suffix(const float *, long, long, long, long, long, long, long, long, \
                                              long, long, float *, long);                                    \
  void swiftnn_winograd4_output_tiles_##suffix(const float *, long, long, long, long, long, long, long,      \
                                               long, long, const float *, const float *, int, float *);

SWIFTNN_DECLARE_WINOGRAD(baseline)
#if defined(__x86_64__)
SWIFTNN_DECLARE_WINOGRAD(avx2)
SWIFTNN_DECLARE_WINOGRAD(avx512)
#endif

#endif

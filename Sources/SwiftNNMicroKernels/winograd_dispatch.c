// Winograd transforms through the variant of the active instruction set. Kept
// apart from dispatch.c: the table is indexed by swiftnn_isa_active() per call
// (a few calls per block of tiles), so selecting a path needs no second hook.
#include "swiftnn_micro_kernels.h"
#include "winograd_isa.h"

struct winograd_table {
  void (*filters)(const float *, long, long, int, long, long, long, float *, long);
  void (*input_tiles)(const float *, long, long, long, long, long, long, long, long, long, long, float *, long);
  void (*output_tiles)(const float *, long, long, long, long, long, long, long, long, long, const float *,
                       const float *, int, float *);
  void (*input_channels)(const float *, long, long, long, long, long, long, long, long, long, float *, long);
  void (*gradient_channels)(const float *, long, long, long, long, long, long, long, float *, long);
  void (*filters4)(const float *, long, long, int, long, long, long, float *, long);
  void (*input_tiles4)(const float *, long, long, long, long, long, long, long, long, long, long, float *, long);
  void (*output_tiles4)(const float *, long, long, long, long, long, long, long, long, long, const float *,
                        const float *, int, float *);
};

#define WINOGRAD_TABLE(suffix)                                                                        \
  {swiftnn_winograd_filters_##suffix, swiftnn_winograd_input_tiles_##suffix,                         \
   swiftnn_winograd_output_tiles_##suffix, swiftnn_winograd_input_channels_##suffix,                 \
   swiftnn_winograd_gradient_channels_##suffix, swiftnn_winograd4_filters_##suffix,                \
   swiftnn_winograd4_input_tiles_##suffix, swiftnn_winograd4_output_tiles_##suffix}

// Indexed by swiftnn_isa (baseline, avx2, avx512), as dispatch.c's tables.
static const struct winograd_table tables[] = {
    WINOGRAD_TABLE(baseline),
#if defined(__x86_64__)
    WINOGRAD_TABLE(avx2),
    WINOGRAD_TABLE(avx512),
#endif
};

static const struct winograd_table *active_table(void) {
  int isa = swiftnn_isa_active();
  return &tables[isa >= 0 && isa < (int)(sizeof tables / sizeof tables[0]) ? isa : 0];
}

void swiftnn_winograd_filters(const float *weight, long outChannels, long inChannels, int rotated, long first,
                              long end, long slice, float *u, long stride) {
  active_table()->filters(weight, outChannels, inChannels, rotated, first, end, slice, u, stride);
}

void swiftnn_winograd_input_tiles(const float *x, long channels, long height, long width, long padTop,
                                  long padLeft, long tilesW, long tilesPerImage, long first, long count,
                                  long slice, float *v, long stride) {
  active_table()->input_tiles(x, channels, height, width, padTop, padLeft, tilesW, tilesPerImage, first, count,
                              slice, v, stride);
}

void swiftnn_winograd_output_tiles(const float *m, long ldm, long stride, long outChannels, long outH,
                                   long outW, long tilesW, long tilesPerImage, long first, long count,
                                   const float *bias, const float *residual, int relu, float *y) {
  active_table()->output_tiles(m, ldm, stride, outChannels, outH, outW, tilesW, tilesPerImage, first, count,
                               bias, residual, relu, y);
}

void swiftnn_winograd_input_channels(const float *x, long channels, long height, long width, long padTop,
                                     long padLeft, long tilesW, long tilesPerImage, long first, long count,
                                     float *v, long stride) {
  active_table()->input_channels(x, channels, height, width, padTop, padLeft, tilesW, tilesPerImage, first,
                                 count, v, stride);
}

void swiftnn_winograd_gradient_channels(const float *gy, long channels, long outH, long outW, long tilesW,
                                        long tilesPerImage, long first, long count, float *m, long stride) {
  active_table()->gradient_channels(gy, channels, outH, outW, tilesW, tilesPerImage, first, count, m, stride);
}

void swiftnn_winograd4_filters(const float *weight, long outChannels, long inChannels, int rotated, long first,
                               long end, long slice, float *u, long stride) {
  active_table()->filters4(weight, outChannels, inChannels, rotated, first, end, slice, u, stride);
}

void swiftnn_winograd4_input_tiles(const float *x, long channels, long height, long width, long padTop,
                                   long padLeft, long tilesW, long tilesPerImage, long first, long count,
                                   long slice, float *v, long stride) {
  active_table()->input_tiles4(x, channels, height, width, padTop, padLeft, tilesW, tilesPerImage, first, count,
                               slice, v, stride);
}

void swiftnn_winograd4_output_tiles(const float *m, long ldm, long stride, long outChannels, long outH,
                                    long outW, long tilesW, long tilesPerImage, long first, long count,
                                    const float *bias, const float *residual, int relu, float *y) {
  active_table()->output_tiles4(m, ldm, stride, outChannels, outH, outW, tilesW, tilesPerImage, first, count,
                                bias, residual, relu, y);
}

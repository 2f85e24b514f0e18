// Winograd F(2×2, 3×3) transforms per instruction set (same run-time choice as
// the GEMM tiles: swiftnn_isa_active()). They read NCHW images and write the
// packed panels swiftnn_gemm_packed multiplies, so the channel GEMMs pack nothing.
// Tiles are numbered over the batch: tile t is image t / tilesPerImage, tile row
// (t % tilesPerImage) / tilesW, tile column (t % tilesPerImage) % tilesW; a tile
// covers output rows/columns 2·row, 2·row + 1 and input patch rows 2·row − padTop + 0..<4.
// The 16 matrices (one per ξ = 4·i + j of the 4×4 transform) lie `stride` floats apart.
#ifndef SWIFTNN_WINOGRAD_KERNELS_H
#define SWIFTNN_WINOGRAD_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// U = G·g·Gᵀ of filters[first, end) (rows past outChannels, up to the 6-row panel
/// end, are zero) as A panels: per ξ, depth slices of `slice` input channels, slice
/// c0 at c0·panelRows, panels [o/6][c − c0][o % 6] (panelRows = outChannels rounded up
/// to 6). Filters are [out][in][3][3], or with `rotated` [in][out][3][3] read turned by 180°.
void swiftnn_winograd_filters(const float *weight, long outChannels, long inChannels, int rotated, long first,
                              long end, long slice, float *u, long stride);

/// V = Bᵀ·d·B of tiles [first, first + count) as B panels: per ξ, slice c0 at c0·tpad
/// (tpad = count rounded up to 16) with panels [t/16][c − c0][t % 16]; lanes past count are zero.
void swiftnn_winograd_input_tiles(const float *x, long channels, long height, long width, long padTop,
                                  long padLeft, long tilesW, long tilesPerImage, long first, long count,
                                  long slice, float *v, long stride);

/// y tiles = Aᵀ·M·A + bias (bias may be NULL), clipped at the bottom/right edge; M per ξ is
/// [outChannels][ldm] with tile t − first in column t − first (columns up to count rounded to 16 are read).
/// Then the convolution epilogue as each value is stored: + residual at the same offset of y
/// (NULL: none), and with `relu` max(·, 0) keeping NaN (eval-mode conv → BN → add → ReLU).
void swiftnn_winograd_output_tiles(const float *m, long ldm, long stride, long outChannels, long outH,
                                   long outW, long tilesW, long tilesPerImage, long first, long count,
                                   const float *bias, const float *residual, int relu, float *y);

/// For the weight gradient. V as B panels over channels: per ξ, [c/16][t − first][c % 16]
/// (depth count; channels past the last are zero).
void swiftnn_winograd_input_channels(const float *x, long channels, long height, long width, long padTop,
                                     long padLeft, long tilesW, long tilesPerImage, long first, long count,
                                     float *v, long stride);

/// A·dY·Aᵀ of the output gradient's 2×2 tiles as A panels: per ξ, [o/6][t − first][o % 6]
/// (depth count; rows up to the 6-row panel end are zero).
void swiftnn_winograd_gradient_channels(const float *gy, long channels, long outH, long outW, long tilesW,
                                        long tilesPerImage, long first, long count, float *m, long stride);

/// F(4×4, 3×3) for the forward pass: the same three calls and layouts with 36 matrices
/// (ξ = 6·i + j of the 6×6 transform), tiles of 4×4 outputs reading 6×6 input patches at
/// 4·row − padTop, 4·column − padLeft.
void swiftnn_winograd4_filters(const float *weight, long outChannels, long inChannels, int rotated, long first,
                               long end, long slice, float *u, long stride);
void swiftnn_winograd4_input_tiles(const float *x, long channels, long height, long width, long padTop,
                                   long padLeft, long tilesW, long tilesPerImage, long first, long count,
                                   long slice, float *v, long stride);
void swiftnn_winograd4_output_tiles(const float *m, long ldm, long stride, long outChannels, long outH,
                                    long outW, long tilesW, long tilesPerImage, long first, long count,
                                    const float *bias, const float *residual, int relu, float *y);

#ifdef __cplusplus
}
#endif

#endif

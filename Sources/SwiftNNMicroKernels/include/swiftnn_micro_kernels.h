// The engine's hot inner loops, compiled once per instruction set and chosen
// at run time for the CPU that runs them.
//
// Swift has no per-function target attribute, and a package built as a plain
// dependency (`swift build -c release`, no flags) is compiled for baseline
// x86-64, where SIMD multiply-adds become a library call per lane. C has
// `__attribute__((target(...)))`, so each kernel here exists as an AVX-512, an
// AVX2+FMA and a baseline variant in the same binary; the variant is picked
// once at load from CPUID (or from SWIFTNN_ISA) and every call goes through it.
// The Swift engine packs operands and walks the cache blocks; these functions
// run the register tiles.
#ifndef SWIFTNN_MICRO_KERNELS_H
#define SWIFTNN_MICRO_KERNELS_H

#include <stddef.h>

#include "swiftnn_pool_sync.h"
// Convolution kernels of the same dispatch scheme (Winograd transforms).
#include "swiftnn_winograd_kernels.h"

/// Asks for the cache line holding p ahead of a read (Swift has no prefetch of its own).
/// Never faults, whatever p is.
static inline void swiftnn_prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set paths, from the most portable up.
typedef enum {
  SWIFTNN_ISA_BASELINE = 0,  ///< SSE2 (any x86-64) or the target's default vectors
  SWIFTNN_ISA_AVX2 = 1,      ///< AVX2 + FMA (Haswell, Zen 1-3 and later)
  SWIFTNN_ISA_AVX512 = 2,    ///< AVX-512 F/BW/VL/DQ + FMA (Skylake-SP, Ice Lake, Zen 4 and later)
} swiftnn_isa;

/// Whether this CPU (and its OS, which must save the wider registers) runs `isa`.
int swiftnn_isa_supported(int isa);
/// The best path this CPU supports.
int swiftnn_isa_best(void);
/// The path in use: chosen at load from SWIFTNN_ISA or the CPU.
int swiftnn_isa_active(void);
/// Forces a path (tests, benchmarks). Returns 0, or -1 (and changes nothing)
/// when the CPU lacks it or `isa` is unknown. Not safe while kernels run.
int swiftnn_isa_select(int isa);
/// "baseline", "avx2", "avx512"; "unknown" otherwise.
const char *swiftnn_isa_name(int isa);
/// Parses a SWIFTNN_ISA value; -1 when it names no path.
int swiftnn_isa_parse(const char *name);
/// Why the load-time choice differs from SWIFTNN_ISA ("" when it does not).
const char *swiftnn_isa_warning(void);
/// The CPU's brand string from CPUID ("unknown" where there is none).
const char *swiftnn_cpu_model(void);

/// GEMM macro-kernel: C[mc × nc] = alpha·A·B + beta·C from packed panels.
/// A holds ceil(mc/6) panels of 6 rows (6 floats per depth, zero-padded),
/// B ceil(nc/16) panels of 16 columns (16 floats per depth, zero-padded,
/// 64-byte aligned); panel q of either starts at q·(6 or 16)·kc.
/// beta == 0 overwrites C without reading it.
void swiftnn_gemm_packed(const float *packA, const float *packB, long mc, long nc, long kc,
                         float *c, long ldc, float alpha, float beta);

/// What the GEMM tile does to C as it writes it, after alpha·A·B + beta·C + bias: add
/// row_bias[i] to row i (a convolution's bias: output channels are C's rows), then the
/// residual matrix (leading dimension ldr), then clamp at zero when relu (NaN kept).
/// A product over several depth slices passes row_bias with the first slice and the
/// residual and ReLU with the last; the fields are NULL / 0 when unused.
typedef struct {
  const float *row_bias;
  const float *residual;
  long ldr;
  int relu;
} swiftnn_gemm_epilogue;

/// Direct convolution, one strip of ≤16 output pixels for `rows` output
/// channels: C[o][0..<width] = Σ_p A[o][p] · origin[offsets[p] + 0..<16] + beta·C,
/// with A in 6-row panels as for the GEMM. Reads 16 floats per depth even when
/// width < 16 (the caller leaves slack past the image).
void swiftnn_direct_conv_strip(const float *packA, long rows, long kc, const float *origin,
                               const long *offsets, float *c, long ldc, long width, float beta);

/// Direct convolution weight gradient, one tile of ≤6 taps × 16 output channels:
/// C[t][0..<16] += Σ_{y<outH, x<outW} taps[t][y·rowStride + x] · gyPanel[(y·outW + x)·16 + 0..<16].
void swiftnn_direct_conv_weight_tile(const float *const taps[6], long count, long outH, long outW,
                                     long rowStride, const float *gyPanel, float *c, long ldc);

/// GEMM macro-kernel with A packed or read in place: C[mc × nc] = alpha·A·B + beta·C + bias,
/// B packed as for swiftnn_gemm_packed. Element (r, p) of A is
/// a[(r / 6)·panelStride + (r % 6)·rowStride + p·depthStride]: (1, 6, 6·kc) for packed
/// panels, (lda, 1, 6·lda) for row-major A in place, (1, lda, 6) for transposed A in place.
/// In place, rows ≥ mc are never read. `bias` (NULL: none) holds nc values added to
/// every row; beta == 0 overwrites C without reading it. `epilogue` (NULL: none) is
/// applied to each value as it is written, after the bias.
void swiftnn_gemm_strided(const float *a, long rowStride, long depthStride, long panelStride,
                          const float *packB, long mc, long nc, long kc, float *c, long ldc,
                          float alpha, float beta, const float *bias, const swiftnn_gemm_epilogue *epilogue);

/// B[p][j] (row-major, leading dimension ldb) for p < kc, j < nc packed into the GEMM's
/// 16-column panels (panel q at q·16·kc, 16 floats per depth, zeros past nc).
void swiftnn_gemm_pack_b(const float *b, long ldb, long kc, long nc, float *dst);

/// C[i][j] = alpha·Σ_p A[i·lda + p]·B[j·ldb + p] + beta·C[i][j] (+ bias[j]) for i < m ≤ 4,
/// j < n: a few rows times a transposed B (batch-1 Linear layers), nothing packed.
void swiftnn_gemm_row_dot(const float *a, long lda, long m, const float *b, long ldb, long n, long k,
                          float *c, long ldc, float alpha, float beta, const float *bias);
/* ---- Pointwise, normalization and pooling kernels (pointwise_body.h, norm_body.h, pool_body.h) ----
 * Inner loops only: the Swift engine splits tensors into ranges, rows or planes
 * and spreads them over the thread pool. A vector function's last partial
 * vector runs through the same arithmetic in a zero-padded register. */

/// y[i] = f(x[i]).
typedef enum {
  SWIFTNN_MAP_RELU = 0,  ///< x < 0 ? 0 : x (NaN stays NaN)
  SWIFTNN_MAP_NEG = 1,   ///< −x
  SWIFTNN_MAP_GELU = 2,  ///< x·Φ(x), the exact (erf) GELU
  SWIFTNN_MAP_EXP = 3,   ///< e^x (relative error below 3e-7)
} swiftnn_map_op;

/// y[i] = f(a[i], b[i]).
typedef enum {
  SWIFTNN_ZIP_ADD = 0,
  SWIFTNN_ZIP_SUB = 1,
  SWIFTNN_ZIP_MUL = 2,
  SWIFTNN_ZIP_DIV = 3,
  SWIFTNN_ZIP_RELU_BACKWARD = 4,  ///< b > 0 ? a : 0 (a the gradient, b the ReLU output)
  SWIFTNN_ZIP_GELU_BACKWARD = 5,  ///< a·(Φ(b) + b·φ(b)) (a the gradient, b the GELU input)
} swiftnn_zip_op;

void swiftnn_map(int op, const float *x, float *y, long n);
void swiftnn_zip(int op, const float *a, const float *b, float *y, long n);
/// y[i] = f(a[i], s), or f(s, a[i]) when scalar_first; op is ADD, SUB, MUL or DIV.
void swiftnn_zip_scalar(int op, const float *a, float s, int scalar_first, float *y, long n);
/// y[i] += alpha·x[i].
void swiftnn_axpy(long n, float alpha, const float *x, float *y);

/// sums = (Σ(x−shift), Σ(x−shift)²) over one row (batch-norm moments).
void swiftnn_shifted_sums(const float *x, long n, float shift, float sums[2]);
/// y = x·scale + shift (+ r when r is not NULL), then max(·, 0) when relu (NaN kept).
void swiftnn_scale_shift(const float *x, const float *r, float *y, long n, float scale, float shift, int relu);
/// With g' = g where y > 0, else 0 (g' = g when y is NULL): sums = (Σg', Σg'·(x − mean)),
/// and g' into g_out when it is not NULL.
void swiftnn_channel_grad_sums(const float *g, const float *y, const float *x, float *g_out, long n, float mean,
                               float sums[2]);
/// dx = g'·scale − b − (x − mean)·a, g' as for swiftnn_channel_grad_sums.
void swiftnn_channel_backward(const float *g, const float *y, const float *x, float *dx, long n, float mean,
                              float scale, float a, float b);

/// Where the rows of a logical [outer, channels, n] tensor lie: row (o, c) starts at
/// base[c] + o·stride[c], so channels joined from several tensors are read in place.
typedef struct {
  float *const *base;
  const long *stride;
  long channels;
} swiftnn_planes;

// The batch-norm loops above over rows first ..< first + count in (o, c) order
// (row = o·channels + c), one call per block: on 2×2 and 4×4 planes a call per row cost
// more than the row. Per-channel values are indexed by c; r, y, g and g_out are
// contiguous [outer, channels, n]; row sums are added to totals[2c], totals[2c + 1].
void swiftnn_shifted_sums_rows(swiftnn_planes x, long first, long count, long n, const float *shift,
                               double *totals);
void swiftnn_scale_shift_rows(swiftnn_planes x, const float *r, float *y, long first, long count, long n,
                              const float *scale, const float *shift, int relu);
void swiftnn_channel_grad_sums_rows(const float *g, const float *y, swiftnn_planes x, float *g_out, long first,
                                    long count, long n, const float *mean, double *totals);
void swiftnn_channel_backward_rows(const float *g, const float *y, swiftnn_planes x, swiftnn_planes dx, long first,
                                   long count, long n, const float *mean, const float *scale, const float *a,
                                   const float *b);

/// Layer norm of `rows` rows of `width`: y = (x − mean)·invstd·w + b, saving mean and invstd per row.
void swiftnn_layer_norm_rows(const float *x, float *y, long rows, long width, float eps, const float *w,
                             const float *b, float *mean, float *invstd);
/// Per row, h = g·w: dx = invstd·(h − mean(h) − x̂·mean(h·x̂)) (when dx is not NULL), and
/// dw += g·x̂, db += g (each when not NULL), in one pass over g and x.
void swiftnn_layer_norm_rows_backward(const float *g, const float *x, float *dx, long rows, long width,
                                      const float *w, const float *mean, const float *invstd, float *dw, float *db);

/// Softmax (log-softmax when log_output) of `rows` contiguous rows of `width`, max-shifted.
void swiftnn_softmax_rows(const float *x, float *y, long rows, long width, int log_output);
/// Its gradient from the output y: dx = y·(g − Σg·y), or g − e^y·Σg for log-softmax.
void swiftnn_softmax_rows_backward(const float *g, const float *y, float *dx, long rows, long width, int log_output);

/// Dropout of elements first ..< first + n of a tensor: y[i] = x[i]·(kept ? scale : 0), element
/// j kept when splitmix64's finalizer of key + j·0x9E3779B97F4A7C15, shifted right by 40, is
/// below threshold (DropoutKernel.swift).
void swiftnn_dropout_mask(const float *x, float *y, long n, unsigned long long key, long first,
                          unsigned long long threshold, float scale);

/// 2×2 stride-2 max pool of `planes` planes of height × width (odd last row/column
/// dropped): the first maximum in row-major window order, a NaN winning; argmax gets
/// its flat index in the plane.
void swiftnn_max_pool_2x2(const float *x, long planes, long height, long width, float *y, int *argmax);

/// dst = srcᵀ: src is row-major rows × cols, dst cols × rows (MLP-Mixer's token mixing).
void swiftnn_transpose_matrix(const float *src, float *dst, long rows, long cols);

/// dst[r·ldDst + j] = src[r·srcRow + j·step] for r < rows, j < cols: im2col's copy of one
/// kernel tap's rows (step = the stride; 1 and 2 through vectors). Reads no float past
/// src[(rows − 1)·srcRow + (cols − 1)·step].
void swiftnn_gather_rows(const float *src, long srcRow, long step, long rows, long cols, float *dst, long ldDst);
/* ---- end of pointwise kernels ---- */

#ifdef __cplusplus
}
#endif

#endif

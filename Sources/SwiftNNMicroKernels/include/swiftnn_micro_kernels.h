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
/// every row; beta == 0 overwrites C without reading it.
void swiftnn_gemm_strided(const float *a, long rowStride, long depthStride, long panelStride,
                          const float *packB, long mc, long nc, long kc, float *c, long ldc,
                          float alpha, float beta, const float *bias);

/// C[i][j] = alpha·Σ_p A[i·lda + p]·B[j·ldb + p] + beta·C[i][j] (+ bias[j]) for i < m ≤ 4,
/// j < n: a few rows times a transposed B (batch-1 Linear layers), nothing packed.
void swiftnn_gemm_row_dot(const float *a, long lda, long m, const float *b, long ldb, long n, long k,
                          float *c, long ldc, float alpha, float beta, const float *bias);

#ifdef __cplusplus
}
#endif

#endif

// The register tiles, written once and compiled per instruction set: each
// ISA file defines the vector type and tile shape, then includes this file.
//
// Expected definitions:
//   ISA_TARGET           the function attribute, e.g. __attribute__((target("avx2,fma")))
//   KERNEL(name)         the name with the ISA suffix
//   VEC, VW              a GCC vector of VW floats (one register of the ISA)
//   GEMM_RP, GEMM_CV     GEMM tile: GEMM_RP six-row A panels × GEMM_CV vectors of columns
//   CONV_RP, CONV_CV     direct-convolution strip tile, same meaning
//   WG_CV                weight-gradient tile: vectors of columns (6 taps per tile)
// A tile narrower than 16 columns runs in several column passes. The multiply-add
// is written `acc += a * b`: clang contracts it to an FMA where the target has
// one and keeps a multiply and an add where it does not (never a libm call).

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define MAX_ROWS 12
#define MAX_VECS 4

ALWAYS_INLINE ISA_TARGET VEC KERNEL(load)(const float *p) {
  VEC v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

/// All lanes = s (written lane by lane: `zero + s` would keep a real add for −0).
ALWAYS_INLINE ISA_TARGET VEC KERNEL(splat)(float s) {
  VEC v;
  for (int i = 0; i < VW; i++) v[i] = s;
  return v;
}

ALWAYS_INLINE ISA_TARGET void KERNEL(store)(float *p, VEC v) { __builtin_memcpy(p, &v, sizeof v); }

// Partial vectors, for the last n (0 ≤ n ≤ VW) floats of a row. Nothing outside p[0 ..< n]
// is read or written: AVX2 and AVX-512 masked moves do not fault on masked-off lanes.
// They replace a variable-length memcpy, which is a library call per use; rows shorter
// than a vector (a 2×2 or 3×3 channel plane) take one per row.
#if defined(__x86_64__) && VW == 16
ALWAYS_INLINE ISA_TARGET VEC KERNEL(load_part_fill)(const float *p, long n, float fill) {
  return (VEC)_mm512_mask_loadu_ps(_mm512_set1_ps(fill), (__mmask16)((1u << n) - 1), p);
}

ALWAYS_INLINE ISA_TARGET void KERNEL(store_part)(float *p, VEC v, long n) {
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), (__m512)v);
}
#elif defined(__x86_64__) && VW == 8
/// Lanes below n all ones: the mask of AVX2's masked moves.
ALWAYS_INLINE ISA_TARGET __m256i KERNEL(lanes_below)(long n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

ALWAYS_INLINE ISA_TARGET VEC KERNEL(load_part_fill)(const float *p, long n, float fill) {
  __m256i lanes = KERNEL(lanes_below)(n);
  return (VEC)_mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, lanes), _mm256_castsi256_ps(lanes));
}

ALWAYS_INLINE ISA_TARGET void KERNEL(store_part)(float *p, VEC v, long n) {
  _mm256_maskstore_ps(p, KERNEL(lanes_below)(n), (__m256)v);
}
#else
ALWAYS_INLINE ISA_TARGET VEC KERNEL(load_part_fill)(const float *p, long n, float fill) {
  VEC v = KERNEL(splat)(fill);
  for (long i = 0; i < n; i++) v[i] = p[i];
  return v;
}

ALWAYS_INLINE ISA_TARGET void KERNEL(store_part)(float *p, VEC v, long n) {
  for (long i = 0; i < n; i++) p[i] = v[i];
}
#endif

/// The first n (≤ VW) floats of p, zeros above.
ALWAYS_INLINE ISA_TARGET VEC KERNEL(load_part)(const float *p, long n) { return KERNEL(load_part_fill)(p, n, 0); }

/// acc = Σ_p A[·][p] ⊗ B[p][col0 ..< col0 + vecs·VW]: A from `panels` six-row
/// packed panels (a[0], a[1]); B row p from packed 16-column panels (b[0], b[1],
/// 16 floats per depth) or, when origin is set, at origin + offsets[p].
ALWAYS_INLINE ISA_TARGET void KERNEL(tile)(const int panels, const int vecs, long col0, long kc,
                                           const float *const a[2], const float *const b[2],
                                           const float *origin, const long *offsets,
                                           VEC acc[MAX_ROWS][MAX_VECS]) {
  const VEC zero = {0};
  for (int r = 0; r < 6 * panels; r++)
    for (int v = 0; v < vecs; v++) acc[r][v] = zero;
  for (long p = 0; p < kc; p++) {
    VEC bv[MAX_VECS];
    for (int v = 0; v < vecs; v++) {
      long col = col0 + v * VW;
      bv[v] = KERNEL(load)(origin ? origin + offsets[p] + col : b[col / 16] + p * 16 + col % 16);
    }
    for (int q = 0; q < panels; q++) {
      for (int r = 0; r < 6; r++) {
        VEC av = KERNEL(splat)(a[q][p * 6 + r]);
        for (int v = 0; v < vecs; v++) acc[q * 6 + r][v] += av * bv[v];
      }
    }
  }
}

/// Asks for the tile's rows of C ahead of the write, into L2 only (locality 2:
/// prefetcht1). Pulled into L1 they would evict the B micro-panel the tile is reading:
/// when ldc is a multiple of 1024 floats the twelve rows fall into one L1 set, and
/// the L1 prefetch cost ~4% of a 1024³ product (Zen 4).
ALWAYS_INLINE void KERNEL(prefetch_rows)(float *c, long ldc, long mr, long nr) {
  for (long r = 0; r < mr; r++) {
    __builtin_prefetch(c + r * ldc, 1, 2);
    __builtin_prefetch(c + r * ldc + nr - 1, 1, 2);
  }
}

// The GEMM macro-kernels (A packed or read in place, bias epilogue).
#include "gemm_body.h"

ISA_TARGET void KERNEL(direct_conv_strip)(const float *packA, long rows, long kc, const float *origin,
                                          const long *offsets, float *c, long ldc, long width, float beta) {
  enum { cols = CONV_CV * VW, tileRows = 6 * CONV_RP };
  VEC acc[MAX_ROWS][MAX_VECS];
  const float *unused[2] = {NULL, NULL};
  for (long o = 0; o < rows; o += tileRows) {
    long mr = rows - o < tileRows ? rows - o : tileRows;
    const float *a[2] = {packA + o * kc, mr > 6 ? packA + (o + 6) * kc : packA + o * kc};
    float *tile = c + o * ldc;
    KERNEL(prefetch_rows)(tile, ldc, mr, width);
    for (long col0 = 0; col0 < width; col0 += cols) {
      if (CONV_RP > 1 && mr <= 6) {
        KERNEL(tile)(1, CONV_CV, col0, kc, a, unused, origin, offsets, acc);
        KERNEL(gemm_write_with)(0, 0, 6, CONV_CV, acc, col0, tile, ldc, mr, width, 1, beta, NULL, NULL);
      } else {
        KERNEL(tile)(CONV_RP, CONV_CV, col0, kc, a, unused, origin, offsets, acc);
        KERNEL(gemm_write_with)(0, 0, tileRows, CONV_CV, acc, col0, tile, ldc, mr, width, 1, beta, NULL, NULL);
      }
    }
  }
}

ISA_TARGET void KERNEL(direct_conv_weight_tile)(const float *const taps[6], long count, long outH, long outW,
                                                long rowStride, const float *gyPanel, float *c, long ldc) {
  enum { cols = WG_CV * VW };
  const VEC zero = {0};
  for (long col0 = 0; col0 < 16; col0 += cols) {
    VEC acc[6][MAX_VECS];
    for (int r = 0; r < 6; r++)
      for (int v = 0; v < WG_CV; v++) acc[r][v] = zero;
    const float *pb = gyPanel + col0;
    for (long y = 0; y < outH; y++) {
      long base = y * rowStride;
      for (long x = 0; x < outW; x++) {
        VEC bv[MAX_VECS];
        for (int v = 0; v < WG_CV; v++) bv[v] = KERNEL(load)(pb + v * VW);
        for (int r = 0; r < 6; r++) {
          VEC av = KERNEL(splat)(taps[r][base + x]);
          for (int v = 0; v < WG_CV; v++) acc[r][v] += av * bv[v];
        }
        pb += 16;
      }
    }
    for (long r = 0; r < count && r < 6; r++)
      for (int v = 0; v < WG_CV; v++) {
        float *dst = c + r * ldc + col0 + v * VW;
        KERNEL(store)(dst, KERNEL(load)(dst) + acc[r][v]);
      }
  }
}

#undef ALWAYS_INLINE
#undef MAX_ROWS
#undef MAX_VECS

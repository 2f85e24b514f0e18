// The GEMM macro-kernel, written once and compiled per instruction set: each
// kernels_<isa>.c includes it after tile_body.h (whose load/splat/store helpers
// and GEMM_RP × GEMM_CV tile shape it uses).
//
// A is addressed by three strides, so one kernel serves three layouts:
//   packed six-row panels       row 1,   depth 6,   panel 6·kc
//   row-major A read in place   row lda, depth 1,   panel 6·lda
//   transposed A read in place  row 1,   depth lda, panel 6
// Element (r, p) of the block is a[(r / 6)·panel + (r % 6)·row + p·depth].
// Reading A in place skips packing it: for shallow or tall-skinny products
// (Linear layers: K = 64…512, N ≤ 512) packing A was a quarter of the time.
// A partial row tile read in place is first copied into a small packed panel,
// so no row past the last is ever read.

#define GEMM_TILE_ROWS (6 * GEMM_RP)
#define GEMM_TILE_COLS (GEMM_CV * VW > 16 ? GEMM_CV * VW : 16)
#define GEMM_TAIL_DEPTH 128

/// acc (overwritten when `fresh`, else added to) = Σ_p A[·][p] ⊗ B[p][col0 ..< col0 + GEMM_CV·VW]
/// over `kc` depths; A rows from `panels` panels at a[0], a[1] with the given strides, B from
/// packed 16-column panels. The sums start from zero in locals (registers, not the stack:
/// zeroing `acc` in memory and reloading it cost ~3% at K = 128).
ALWAYS_INLINE ISA_TARGET void KERNEL(gemm_tile)(const int panels, const int fresh, long col0, long kc,
                                                const float *const a[2], const long rowStride,
                                                const long depthStride, const float *const b[2],
                                                VEC acc[MAX_ROWS][MAX_VECS]) {
  VEC sum[MAX_ROWS][MAX_VECS];
  const VEC zero = {0};
  for (int r = 0; r < 6 * panels; r++)
    for (int v = 0; v < GEMM_CV; v++) sum[r][v] = zero;
  const float *b0 = b[col0 / 16] + col0 % 16;
  for (long p = 0; p < kc; p++) {
    VEC bv[MAX_VECS];
    for (int v = 0; v < GEMM_CV; v++) {
      long col = col0 + v * VW;
      bv[v] = KERNEL(load)(col < 16 ? b0 + p * 16 + v * VW : b[1] + p * 16 + (col - 16));
    }
    for (int q = 0; q < panels; q++) {
      const float *ap = a[q] + p * depthStride;
      for (int r = 0; r < 6; r++) {
        VEC av = KERNEL(splat)(ap[r * rowStride]);
        for (int v = 0; v < GEMM_CV; v++) sum[q * 6 + r][v] += av * bv[v];
      }
    }
  }
  for (int r = 0; r < 6 * panels; r++)
    for (int v = 0; v < GEMM_CV; v++) acc[r][v] = fresh ? sum[r][v] : acc[r][v] + sum[r][v];
}

/// Writes alpha·acc + bias + beta·C (beta == 0: C not read), then the epilogue (row bias,
/// residual, ReLU keeping NaN), for rows < mr and columns col0 + v·VW < nr (v < vecs); a
/// vector straddling nr is written lane by lane. `bias` (read only when `hasBias`) is
/// indexed by the tile's column, `epi` (read only when `hasEpilogue`) points at the tile's
/// first row and column. The GEMM and the direct-convolution strips both write through it.
ALWAYS_INLINE ISA_TARGET void KERNEL(gemm_write_with)(const int hasBias, const int hasEpilogue, const int rows,
                                                      const int vecs, VEC acc[MAX_ROWS][MAX_VECS], long col0,
                                                      float *c, long ldc, long mr, long nr, float alpha, float beta,
                                                      const float *bias, const swiftnn_gemm_epilogue *epi) {
  VEC add[MAX_VECS];
  if (hasBias) {
    for (int v = 0; v < vecs; v++) {
      long col = col0 + v * VW;
      add[v] = col + VW <= nr ? KERNEL(load)(bias + col) : KERNEL(load_part)(bias + col, nr > col ? nr - col : 0);
    }
  }
  for (int r = 0; r < rows; r++) {
    if (r >= mr) break;
    float *row = c + r * ldc;
    for (int v = 0; v < vecs; v++) {
      long col = col0 + v * VW;
      if (col >= nr) break;
      const long width = nr - col < VW ? nr - col : VW;
      VEC value = acc[r][v] * KERNEL(splat)(alpha);
      if (hasBias) value += add[v];
      if (beta != 0) {
        value += (width == VW ? KERNEL(load)(row + col) : KERNEL(load_part)(row + col, width)) * KERNEL(splat)(beta);
      }
      if (hasEpilogue) {
        if (epi->row_bias) value += KERNEL(splat)(epi->row_bias[r]);
        if (epi->residual) {
          const float *res = epi->residual + r * epi->ldr + col;
          value += width == VW ? KERNEL(load)(res) : KERNEL(load_part)(res, width);
        }
        if (epi->relu) {
          for (int j = 0; j < VW; j++) value[j] = value[j] < 0 ? 0 : value[j];
        }
      }
      if (width == VW) {
        KERNEL(store)(row + col, value);
      } else {
        float lanes[VW];
        KERNEL(store)(lanes, value);
        for (long j = 0; j < width; j++) row[col + j] = lanes[j];
      }
    }
  }
}

ALWAYS_INLINE ISA_TARGET void KERNEL(gemm_write)(const int rows, VEC acc[MAX_ROWS][MAX_VECS], long col0, float *c,
                                                 long ldc, long mr, long nr, float alpha, float beta,
                                                 const float *bias, const swiftnn_gemm_epilogue *epi) {
  if (epi) {
    if (bias) {
      KERNEL(gemm_write_with)(1, 1, rows, GEMM_CV, acc, col0, c, ldc, mr, nr, alpha, beta, bias, epi);
    } else {
      KERNEL(gemm_write_with)(0, 1, rows, GEMM_CV, acc, col0, c, ldc, mr, nr, alpha, beta, NULL, epi);
    }
  } else if (bias) {
    KERNEL(gemm_write_with)(1, 0, rows, GEMM_CV, acc, col0, c, ldc, mr, nr, alpha, beta, bias, NULL);
  } else {
    KERNEL(gemm_write_with)(0, 0, rows, GEMM_CV, acc, col0, c, ldc, mr, nr, alpha, beta, NULL, NULL);
  }
}

/// One tile of `panels` panels with all `kc` depths into acc (overwritten). Strides are
/// passed as constants where known so the packed path keeps its immediate offsets.
ALWAYS_INLINE ISA_TARGET void KERNEL(gemm_tile_any)(const int panels, long col0, long kc, const float *const a[2],
                                                    long rowStride, long depthStride, const float *const b[2],
                                                    VEC acc[MAX_ROWS][MAX_VECS]) {
  if (rowStride == 1 && depthStride == 6) {
    KERNEL(gemm_tile)(panels, 1, col0, kc, a, 1, 6, b, acc);
  } else if (rowStride == 1) {
    KERNEL(gemm_tile)(panels, 1, col0, kc, a, 1, depthStride, b, acc);
  } else {
    KERNEL(gemm_tile)(panels, 1, col0, kc, a, rowStride, 1, b, acc);
  }
}

/// A partial row tile of in-place A: its `mr` valid rows copied, GEMM_TAIL_DEPTH depths
/// at a time, into zero-padded packed panels, so no row past the last is read.
ALWAYS_INLINE ISA_TARGET void KERNEL(gemm_tail_tile)(long mr, long col0, long kc, const float *a0, long rowStride,
                                                     long depthStride, long panelStride, const float *const b[2],
                                                     VEC acc[MAX_ROWS][MAX_VECS]) {
  const VEC zero = {0};
  for (int r = 0; r < MAX_ROWS; r++)
    for (int v = 0; v < GEMM_CV; v++) acc[r][v] = zero;
  float panel[GEMM_RP][GEMM_TAIL_DEPTH * 6] __attribute__((aligned(64)));
  const int panels = mr > 6 ? GEMM_RP : 1;
  for (long p0 = 0; p0 < kc; p0 += GEMM_TAIL_DEPTH) {
    long depth = kc - p0 < GEMM_TAIL_DEPTH ? kc - p0 : GEMM_TAIL_DEPTH;
    for (int q = 0; q < panels; q++)
      for (long p = 0; p < depth; p++)
        for (long r = 0; r < 6; r++) {
          long row = q * 6 + r;
          panel[q][p * 6 + r] = row < mr ? a0[q * panelStride + r * rowStride + (p0 + p) * depthStride] : 0;
        }
    const float *a[2] = {panel[0], panel[panels - 1]};
    const float *b_at[2] = {b[0] + p0 * 16, b[1] + p0 * 16};
    KERNEL(gemm_tile)(panels, 0, col0, depth, a, 1, 6, b_at, acc);
  }
}

ISA_TARGET void KERNEL(gemm_strided)(const float *a, long rowStride, long depthStride, long panelStride,
                                     const float *packB, long mc, long nc, long kc, float *c, long ldc, float alpha,
                                     float beta, const float *bias, const swiftnn_gemm_epilogue *epilogue) {
  const int packed = rowStride == 1 && depthStride == 6;
  VEC acc[MAX_ROWS][MAX_VECS];
  for (long jr = 0; jr < nc; jr += GEMM_TILE_COLS) {
    long nr = nc - jr < GEMM_TILE_COLS ? nc - jr : GEMM_TILE_COLS;
    const float *b[2] = {packB + jr * kc, nr > 16 ? packB + (jr + 16) * kc : packB + jr * kc};
    const float *tileBias = bias ? bias + jr : NULL;
    for (long ir = 0; ir < mc; ir += GEMM_TILE_ROWS) {
      long mr = mc - ir < GEMM_TILE_ROWS ? mc - ir : GEMM_TILE_ROWS;
      const float *a0 = a + ir / 6 * panelStride;
      // A missing second panel re-reads the first; those rows are not written.
      const float *ap[2] = {a0, mr > 6 ? a0 + panelStride : a0};
      float *tile = c + ir * ldc + jr;
      KERNEL(prefetch_rows)(tile, ldc, mr, nr);
      // The epilogue moved to the tile's first row and column.
      swiftnn_gemm_epilogue tileEpilogue;
      const swiftnn_gemm_epilogue *epi = NULL;
      if (epilogue) {
        tileEpilogue = *epilogue;
        if (tileEpilogue.row_bias) tileEpilogue.row_bias += ir;
        if (tileEpilogue.residual) tileEpilogue.residual += ir * tileEpilogue.ldr + jr;
        epi = &tileEpilogue;
      }
      for (long col0 = 0; col0 < nr; col0 += GEMM_CV * VW) {
        if (!packed && mr < GEMM_TILE_ROWS && mr % 6 != 0) {
          KERNEL(gemm_tail_tile)(mr, col0, kc, a0, rowStride, depthStride, panelStride, b, acc);
          KERNEL(gemm_write)(GEMM_TILE_ROWS, acc, col0, tile, ldc, mr, nr, alpha, beta, tileBias, epi);
        } else if (GEMM_RP > 1 && mr <= 6) {
          // A last block of ≤ 6 rows runs the one-panel tile instead of computing 6 dead rows.
          KERNEL(gemm_tile_any)(1, col0, kc, ap, rowStride, depthStride, b, acc);
          KERNEL(gemm_write)(6, acc, col0, tile, ldc, mr, nr, alpha, beta, tileBias, epi);
        } else {
          KERNEL(gemm_tile_any)(GEMM_RP, col0, kc, ap, rowStride, depthStride, b, acc);
          KERNEL(gemm_write)(GEMM_TILE_ROWS, acc, col0, tile, ldc, mr, nr, alpha, beta, tileBias, epi);
        }
      }
    }
  }
}

ISA_TARGET void KERNEL(gemm_packed)(const float *packA, const float *packB, long mc, long nc, long kc, float *c,
                                    long ldc, float alpha, float beta) {
  KERNEL(gemm_strided)(packA, 1, 6, 6 * kc, packB, mc, nc, kc, c, ldc, alpha, beta, NULL, NULL);
}

/// Σ lanes of v.
ALWAYS_INLINE ISA_TARGET float KERNEL(lane_sum)(VEC v) {
  float lanes[VW], total = 0;
  KERNEL(store)(lanes, v);
  for (int j = 0; j < VW; j++) total += lanes[j];
  return total;
}

/// C[i][j] = alpha·(A row i · B row j) + beta·C[i][j] (+ bias[j]) for i < m ≤ 4, j < n:
/// a batch-of-a-few Linear layer, x·Wᵀ, with neither operand packed. Each B row is
/// read once for all m rows of A, two vectors per step.
ISA_TARGET void KERNEL(gemm_row_dot)(const float *a, long lda, long m, const float *b, long ldb, long n, long k,
                                     float *c, long ldc, float alpha, float beta, const float *bias) {
  const VEC zero = {0};
  for (long j = 0; j < n; j++) {
    const float *bj = b + j * ldb;
    VEC acc[4][2] = {{zero, zero}, {zero, zero}, {zero, zero}, {zero, zero}};
    long p = 0;
    for (; p + 2 * VW <= k; p += 2 * VW) {
      VEC b0 = KERNEL(load)(bj + p), b1 = KERNEL(load)(bj + p + VW);
      for (int i = 0; i < 4; i++) {
        if (i >= m) break;
        acc[i][0] += KERNEL(load)(a + i * lda + p) * b0;
        acc[i][1] += KERNEL(load)(a + i * lda + p + VW) * b1;
      }
    }
    for (int i = 0; i < 4; i++) {
      if (i >= m) break;
      float dot = KERNEL(lane_sum)(acc[i][0] + acc[i][1]);
      for (long q = p; q < k; q++) dot += a[i * lda + q] * bj[q];
      float *entry = c + i * ldc + j;
      float value = alpha * dot + (beta != 0 ? beta * *entry : 0);
      *entry = bias ? value + bias[j] : value;
    }
  }
}

#undef GEMM_TILE_ROWS
#undef GEMM_TILE_COLS
#undef GEMM_TAIL_DEPTH

/// B[p][j] (leading dimension ldb), p < kc, j < nc, into 16-column panels: panel q at q·16·kc
/// holds, for each depth, columns q·16 ..< q·16 + 16; zeros past nc. Each source row is read
/// once, left to right, dealing 16-float chunks to the panels: one sequential stream instead
/// of kc streams ldb apart (which defeat the prefetcher and 4K-alias when ldb is a power of two).
ISA_TARGET void KERNEL(gemm_pack_b)(const float *b, long ldb, long kc, long nc, float *dst) {
  const long full = nc / 16;
  for (long p = 0; p < kc; p++) {
    const float *row = b + p * ldb;
    float *out = dst + p * 16;
    for (long q = 0; q < full; q++)
      for (int v = 0; v < 16 / VW; v++) KERNEL(store)(out + q * 16 * kc + v * VW, KERNEL(load)(row + q * 16 + v * VW));
  }
  if (full * 16 < nc) {
    // The last columns through partial vectors: nothing past the row is read.
    const long valid = nc - full * 16;
    float *panel = dst + full * 16 * kc;
    for (long p = 0; p < kc; p++) {
      const float *row = b + p * ldb + full * 16;
      for (int v = 0; v < 16 / VW; v++) {
        const long n = valid - v * VW;
        KERNEL(store)(panel + p * 16 + v * VW, KERNEL(load_part)(row + v * VW, n < 0 ? 0 : n < VW ? n : VW));
      }
    }
  }
}

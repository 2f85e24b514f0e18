// The 2×2 stride-2 max pool, compiled per instruction set like pointwise_body.h:
// windows deinterleaved from two input rows with shuffles, VW outputs per step; the
// matrix transpose; and the strided row gather of im2col.
#include "pointwise_vector.h"

// Lane orders for __builtin_shufflevector: the even and the odd lanes of two vectors.
#if VW == 4
#define EVEN_LANES 0, 2, 4, 6
#define ODD_LANES 1, 3, 5, 7
#elif VW == 8
#define EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14
#define ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15
#elif VW == 16
#define EVEN_LANES 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define ODD_LANES 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#endif

/// Takes v (at window offset `offset`) over the best so far when it is larger or NaN,
/// unless the best is already NaN: the first NaN in window order wins, as in PyTorch.
PW_INLINE void KERNEL(pw_consider)(VEC v, int offset, VEC *best, IVEC *where) {
  IVEC take = ((v > *best) | (v != v)) & (*best == *best);
  *best = SELECT(take, v, *best);
  IVEC off = {0};
  *where = (take & (off + offset)) | (~take & *where);
}

/// VW windows: top and bottom hold their 2·VW columns of the two input rows; `corner`
/// is each window's flat index in the plane.
PW_INLINE void KERNEL(pw_pool_step)(const float *top, const float *bottom, IVEC corner, int width, float *dst,
                                    int *idx) {
  VEC t0 = LOAD(top), t1 = LOAD(top + VW), b0 = LOAD(bottom), b1 = LOAD(bottom + VW);
  VEC best = __builtin_shufflevector(t0, t1, EVEN_LANES);
  IVEC where = {0};
  KERNEL(pw_consider)(__builtin_shufflevector(t0, t1, ODD_LANES), 1, &best, &where);
  KERNEL(pw_consider)(__builtin_shufflevector(b0, b1, EVEN_LANES), width, &best, &where);
  KERNEL(pw_consider)(__builtin_shufflevector(b0, b1, ODD_LANES), width + 1, &best, &where);
  STORE(dst, best);
  IVEC at = corner + where;
  memcpy(idx, &at, sizeof at);
}


ISA_TARGET void KERNEL(max_pool_2x2)(const float *x, long planes, long height, long width, float *y, int *argmax) {
  const long out_h = height / 2, out_w = width / 2;
  IVEC ramp;
  for (int l = 0; l < VW; l++) ramp[l] = 2 * l;
  for (long plane = 0; plane < planes; plane++) {
    const float *src = x + plane * height * width;
    for (long oy = 0; oy < out_h; oy++) {
      const float *top = src + 2 * oy * width, *bottom = top + width;
      float *dst = y + (plane * out_h + oy) * out_w;
      int *idx = argmax + (plane * out_h + oy) * out_w;
      long ox = 0;
      for (; ox + VW <= out_w; ox += VW)
        KERNEL(pw_pool_step)(top + 2 * ox, bottom + 2 * ox, ramp + (int)(2 * oy * width + 2 * ox), (int)width,
                             dst + ox, idx + ox);
      if (ox < out_w) {
        // The last out_w % VW windows (all of a row narrower than VW) through the same step
        // on zero-padded copies: branch-free, where a compare per window would mispredict.
        const long rest = out_w - ox, low = 2 * rest < VW ? 2 * rest : VW, high = 2 * rest - low;
        float t[2 * VW], b[2 * VW], best[VW];
        int at[VW];
        STORE(t, KERNEL(load_part)(top + 2 * ox, low));
        STORE(t + VW, KERNEL(load_part)(top + 2 * ox + VW, high));
        STORE(b, KERNEL(load_part)(bottom + 2 * ox, low));
        STORE(b + VW, KERNEL(load_part)(bottom + 2 * ox + VW, high));
        KERNEL(pw_pool_step)(t, b, ramp + (int)(2 * oy * width + 2 * ox), (int)width, best, at);
        KERNEL(store_part)(dst + ox, LOAD(best), rest);
        for (long i = 0; i < rest; i++) idx[ox + i] = at[i];
      }
    }
  }
}

// ---- transpose ----

typedef float TRANSPOSE_V8 __attribute__((vector_size(32)));

/// One 8×8 block through registers: pairs, then quads, then 128-bit halves interleaved.
static inline __attribute__((always_inline)) ISA_TARGET void KERNEL(transpose_8x8)(const float *src, long lds,
                                                                                    float *dst, long ldd) {
  TRANSPOSE_V8 r[8], a[8], b[8];
  for (int i = 0; i < 8; i++) __builtin_memcpy(&r[i], src + i * lds, sizeof r[i]);
  for (int i = 0; i < 8; i += 2) {
    a[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    a[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4) {
    b[i] = __builtin_shufflevector(a[i], a[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    b[i + 1] = __builtin_shufflevector(a[i], a[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    b[i + 2] = __builtin_shufflevector(a[i + 1], a[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    b[i + 3] = __builtin_shufflevector(a[i + 1], a[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int i = 0; i < 4; i++) {
    TRANSPOSE_V8 low = __builtin_shufflevector(b[i], b[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    TRANSPOSE_V8 high = __builtin_shufflevector(b[i], b[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    __builtin_memcpy(dst + i * ldd, &low, sizeof low);
    __builtin_memcpy(dst + (i + 4) * ldd, &high, sizeof high);
  }
}

ISA_TARGET void KERNEL(transpose_matrix)(const float *src, float *dst, long rows, long cols) {
  const long fullRows = rows / 8 * 8, fullCols = cols / 8 * 8;
  for (long i0 = 0; i0 < fullRows; i0 += 8)
    for (long j0 = 0; j0 < fullCols; j0 += 8)
      KERNEL(transpose_8x8)(src + i0 * cols + j0, cols, dst + j0 * rows + i0, rows);
  // The edges: the last cols % 8 columns of every row, then the last rows % 8 rows.
  for (long i = 0; i < fullRows; i++)
    for (long j = fullCols; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
  for (long i = fullRows; i < rows; i++)
    for (long j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
}

// ---- strided gather (im2col) ----

// The even lanes of a vector, then the odd lanes of the next one: the last VW outputs of a
// stride-2 row from the VW floats before them and the VW floats ending at the last one kept.
#if VW == 4
#define EVEN_THEN_ODD_LANES 0, 2, 5, 7
#elif VW == 8
#define EVEN_THEN_ODD_LANES 0, 2, 4, 6, 9, 11, 13, 15
#elif VW == 16
#define EVEN_THEN_ODD_LANES 0, 2, 4, 6, 8, 10, 12, 14, 17, 19, 21, 23, 25, 27, 29, 31
#endif

ISA_TARGET void KERNEL(gather_rows)(const float *src, long srcRow, long step, long rows, long cols, float *dst,
                                    long ldDst) {
  for (long r = 0; r < rows; r++) {
    const float *in = src + r * srcRow;
    float *out = dst + r * ldDst;
    long j = 0;
    if (step == 1) {
      for (; j + VW <= cols; j += VW) STORE(out + j, LOAD(in + j));
      if (j < cols) KERNEL(store_part)(out + j, KERNEL(load_part)(in + j, cols - j), cols - j);
      continue;
    }
    if (step == 2) {
      // Two vectors, their even lanes kept. A last whole group loads its second vector one
      // float early, so that nothing past the last float kept (2·cols − 2) is read.
      for (; j + VW < cols; j += VW) STORE(out + j, __builtin_shufflevector(LOAD(in + 2 * j), LOAD(in + 2 * j + VW), EVEN_LANES));
      if (j + VW == cols) {
        STORE(out + j, __builtin_shufflevector(LOAD(in + 2 * j), LOAD(in + 2 * j + VW - 1), EVEN_THEN_ODD_LANES));
        j = cols;
      }
    }
    // Other strides, and the last few of a stride-2 row, one float at a time.
    for (; j < cols; j++) out[j] = in[j * step];
  }
}

#undef EVEN_THEN_ODD_LANES
#undef EVEN_LANES
#undef ODD_LANES

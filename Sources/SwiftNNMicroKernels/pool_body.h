// The 2×2 stride-2 max pool, compiled per instruction set like pointwise_body.h:
// windows deinterleaved from two input rows with shuffles, VW outputs per step.
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
        const long rest = out_w - ox;
        float t[2 * VW] = {0}, b[2 * VW] = {0}, best[VW];
        int at[VW];
        memcpy(t, top + 2 * ox, (size_t)(2 * rest) * sizeof(float));
        memcpy(b, bottom + 2 * ox, (size_t)(2 * rest) * sizeof(float));
        KERNEL(pw_pool_step)(t, b, ramp + (int)(2 * oy * width + 2 * ox), (int)width, best, at);
        memcpy(dst + ox, best, (size_t)rest * sizeof(float));
        memcpy(idx + ox, at, (size_t)rest * sizeof(int));
      }
    }
  }
}

#undef EVEN_LANES
#undef ODD_LANES

// Winograd F(4×4, 3×3) for the forward pass and the input gradient: 36 multiplies per
// 4×4 output tile and channel pair instead of F(2×2)'s 64 for the same outputs.
// Included after winograd_body.h (it reuses its lane helpers); same packed layouts,
// with 36 matrices (ξ = 6·i + j) instead of 16. Interpolation points 0, ±1, ±2, ∞
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).

#define WG4_INLINE static inline __attribute__((always_inline))

/// d[r·6 + s][lane] = x[lane origin + offset + r·w + s], zero outside the image.
WG4_INLINE ISA_TARGET void KERNEL(wg4_gather)(const float *x, const struct KERNEL(wg_lane) *lanes, int count,
                                              long offset, long w, float d[36][16]) {
  for (int l = 0; l < count; l++) {
    const struct KERNEL(wg_lane) lane = lanes[l];
    if (lane.full) {
      const float *src = x + (lane.origin + offset);
      for (int r = 0; r < 6; r++)
        for (int s = 0; s < 6; s++) d[r * 6 + s][l] = src[r * w + s];
    } else {
      for (int r = 0; r < 6; r++)
        for (int s = 0; s < 6; s++)
          d[r * 6 + s][l] = (lane.rows >> r & 1) && (lane.cols >> s & 1) ? x[lane.origin + offset + r * w + s] : 0;
    }
  }
  for (int l = count; l < 16; l++)
    for (int p = 0; p < 36; p++) d[p][l] = 0;
}

/// Bᵀ applied to six values (a column or a row of the patch).
WG4_INLINE ISA_TARGET void KERNEL(wg4_bt)(const VEC d[6], VEC out[6]) {
  const VEC four = KERNEL(splat)(4), five = KERNEL(splat)(5), two = KERNEL(splat)(2);
  out[0] = four * d[0] - five * d[2] + d[4];
  out[1] = d[3] + d[4] - four * (d[1] + d[2]);
  out[2] = four * (d[1] - d[2]) + d[4] - d[3];
  out[3] = two * (d[3] - d[1]) + d[4] - d[2];
  out[4] = two * (d[1] - d[3]) + d[4] - d[2];
  out[5] = four * d[1] - five * d[3] + d[5];
}

ISA_TARGET void KERNEL(winograd4_input_tiles)(const float *x, long channels, long h, long w, long padTop,
                                              long padLeft, long tilesW, long tilesPerImage, long first,
                                              long count, long slice, float *v, long stride) {
  const long panels = (count + 15) / 16, tpad = panels * 16, plane = h * w;
  for (long q = 0; q < panels; q++) {
    struct KERNEL(wg_lane) lanes[16];
    const int valid = KERNEL(wg_panel_lanes)(lanes, first, q, count, tilesW, tilesPerImage, channels, h, w, padTop,
                                             padLeft, 6, 4);
    for (long c = 0; c < channels; c++) {
      float d[36][16] __attribute__((aligned(64)));
      KERNEL(wg4_gather)(x, lanes, valid, c * plane, w, d);
      const long c0 = c / slice * slice, depth = channels - c0 < slice ? channels - c0 : slice;
      float *out = v + c0 * tpad + q * 16 * depth + (c - c0) * 16;
      for (int l = 0; l < 16; l += VW) {
        // Bᵀ·d on each column, then ·B on each row of the result.
        VEC t[36];
        for (int s = 0; s < 6; s++) {
          VEC column[6], transformed[6];
          for (int r = 0; r < 6; r++) column[r] = KERNEL(load)(&d[r * 6 + s][l]);
          KERNEL(wg4_bt)(column, transformed);
          for (int r = 0; r < 6; r++) t[r * 6 + s] = transformed[r];
        }
        for (int r = 0; r < 6; r++) {
          VEC row[6];
          KERNEL(wg4_bt)(&t[r * 6], row);
          for (int j = 0; j < 6; j++) KERNEL(store)(out + (r * 6 + j) * stride + l, row[j]);
        }
      }
    }
  }
}

/// Aᵀ applied to six values: four.
WG4_INLINE ISA_TARGET void KERNEL(wg4_at)(const VEC m[6], VEC out[4]) {
  const VEC two = KERNEL(splat)(2), four = KERNEL(splat)(4), eight = KERNEL(splat)(8);
  const VEC sum12 = m[1] + m[2], diff12 = m[1] - m[2], sum34 = m[3] + m[4], diff34 = m[3] - m[4];
  out[0] = m[0] + sum12 + sum34;
  out[1] = diff12 + two * diff34;
  out[2] = sum12 + four * sum34;
  out[3] = diff12 + eight * diff34 + m[5];
}

ISA_TARGET void KERNEL(winograd4_output_tiles)(const float *m, long ldm, long stride, long outChannels,
                                               long outH, long outW, long tilesW, long tilesPerImage,
                                               long first, long count, const float *bias,
                                               const float *residual, int relu, float *y) {
  const long panels = (count + 15) / 16, plane = outH * outW;
  for (long q = 0; q < panels; q++) {
    struct KERNEL(wg_lane) lanes[16];
    const int valid = KERNEL(wg_panel_lanes)(lanes, first, q, count, tilesW, tilesPerImage, outChannels, outH, outW,
                                             0, 0, 4, 4);
    for (long o = 0; o < outChannels; o++) {
      float r[16][16] __attribute__((aligned(64)));
      const VEC shift = KERNEL(splat)(bias ? bias[o] : 0);
      const float *src = m + o * ldm + q * 16;
      for (int l = 0; l < 16; l += VW) {
        // Aᵀ·M on each column (4×6), then ·A on each of the four rows (4×4).
        VEC t[24];
        for (int s = 0; s < 6; s++) {
          VEC column[6], reduced[4];
          for (int i = 0; i < 6; i++) column[i] = KERNEL(load)(src + (i * 6 + s) * stride + l);
          KERNEL(wg4_at)(column, reduced);
          for (int i = 0; i < 4; i++) t[i * 6 + s] = reduced[i];
        }
        for (int i = 0; i < 4; i++) {
          VEC row[4];
          KERNEL(wg4_at)(&t[i * 6], row);
          for (int j = 0; j < 4; j++) KERNEL(store)(&r[i * 4 + j][l], row[j] + shift);
        }
      }
      for (int l = 0; l < valid; l++) {
        const long at = lanes[l].origin + o * plane;
        const unsigned rows = lanes[l].rows, cols = lanes[l].cols;
        for (int i = 0; i < 4; i++)
          for (int j = 0; j < 4; j++)
            if ((rows >> i & 1) && (cols >> j & 1))
              KERNEL(wg_store)(y, at + i * outW + j, r[i * 4 + j][l], residual, relu);
      }
    }
  }
}

/// G applied to three values: six.
WG4_INLINE void KERNEL(wg4_g)(float a, float b, float c, float out[6]) {
  out[0] = a / 4;
  out[1] = -(a + b + c) / 6;
  out[2] = -(a - b + c) / 6;
  out[3] = a / 24 + b / 12 + c / 6;
  out[4] = a / 24 - b / 12 + c / 6;
  out[5] = c;
}

/// G·g·Gᵀ (6×6) of one filter.
WG4_INLINE void KERNEL(wg4_filter)(const float g[9], float *out) {
  float t[18];
  // G·g (6×3), then ·Gᵀ (6×6).
  for (int j = 0; j < 3; j++) {
    float column[6];
    KERNEL(wg4_g)(g[j], g[3 + j], g[6 + j], column);
    for (int i = 0; i < 6; i++) t[i * 3 + j] = column[i];
  }
  for (int i = 0; i < 6; i++) KERNEL(wg4_g)(t[i * 3], t[i * 3 + 1], t[i * 3 + 2], &out[i * 6]);
}

ISA_TARGET void KERNEL(winograd4_filters)(const float *weight, long outChannels, long inChannels, int rotated,
                                          long firstOut, long endOut, long slice, float *u, long stride) {
  KERNEL(wg_pack_filters)(weight, outChannels, inChannels, rotated, firstOut, endOut, slice, u, stride, 36,
                          KERNEL(wg4_filter));
}

#undef WG4_INLINE

// Winograd F(2×2, 3×3) transforms, written once and compiled per instruction set
// (included by kernels_{baseline,avx2,avx512}.c after tile_body.h, with the same
// ISA_TARGET, KERNEL, VEC and VW definitions).
//
// The transforms write straight into the packed layouts the GEMM tile reads
// (swiftnn_gemm_packed), so the 16 channel GEMMs per block of tiles pack nothing:
//   U (filters):  A panels, per ξ: depth slices of `slice` channels; slice s starts
//                 at c0·panelRows and holds 6-row panels [o/6][c − c0][o % 6].
//   V (input):    B panels, per ξ: slice s starts at c0·tpad and holds 16-tile
//                 panels [t/16][c − c0][t % 16] (tpad = tiles rounded up to 16).
// Vectors run over 16 lanes = 16 tiles (input/output) or 16 channels (gradients),
// each lane's 4×4 patch gathered into a position-major block first.

#define WG_INLINE static inline __attribute__((always_inline))

/// One lane's patch: the flat index of its top-left corner and the rows/columns
/// (bit r / bit s) that lie inside the image; `full` when all 16 do.
struct KERNEL(wg_lane) {
  long origin;
  unsigned rows, cols;
  int full;
};

WG_INLINE unsigned KERNEL(wg_inside)(long start, long extent, int span) {
  unsigned mask = 0;
  for (int i = 0; i < span; i++)
    if (start + i >= 0 && start + i < extent) mask |= 1u << i;
  return mask;
}

/// The lane of tile `t` (absolute tile index over the batch) reading a `span`×`span`
/// patch whose corner is at tile·step − pad in a [channels][h][w] image stack.
WG_INLINE struct KERNEL(wg_lane) KERNEL(wg_locate)(long t, long tilesW, long tilesPerImage, long planesPerImage,
                                                 long h, long w, long padTop, long padLeft, int span, int step) {
  long image = t / tilesPerImage, within = t - image * tilesPerImage;
  long top = (within / tilesW) * step - padTop, left = (within % tilesW) * step - padLeft;
  struct KERNEL(wg_lane) lane;
  lane.origin = image * planesPerImage * h * w + top * w + left;
  lane.rows = KERNEL(wg_inside)(top, h, span);
  lane.cols = KERNEL(wg_inside)(left, w, span);
  unsigned all = (1u << span) - 1;
  lane.full = lane.rows == all && lane.cols == all;
  return lane;
}

/// The lanes of 16-tile panel q of tiles [first, first + count) (patches `span` wide, one
/// every `step` pixels); returns how many lanes hold a tile.
WG_INLINE int KERNEL(wg_panel_lanes)(struct KERNEL(wg_lane) lanes[16], long first, long q, long count, long tilesW,
                                     long tilesPerImage, long planesPerImage, long h, long w, long padTop,
                                     long padLeft, int span, int step) {
  const int valid = count - q * 16 < 16 ? (int)(count - q * 16) : 16;
  for (int l = 0; l < valid; l++)
    lanes[l] = KERNEL(wg_locate)(first + q * 16 + l, tilesW, tilesPerImage, planesPerImage, h, w, padTop, padLeft,
                                 span, step);
  return valid;
}

/// d[r·4 + s][lane] = x[lane origin + offset + r·w + s], zero outside the image.
WG_INLINE ISA_TARGET void KERNEL(wg_gather4)(const float *x, const struct KERNEL(wg_lane) *lanes, int count, long offset,
                                  long w, float d[16][16]) {
  for (int l = 0; l < count; l++) {
    const struct KERNEL(wg_lane) lane = lanes[l];
    if (lane.full) {
      const float *src = x + (lane.origin + offset);
      for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++) d[r * 4 + s][l] = src[r * w + s];
    } else {
      for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++)
          d[r * 4 + s][l] = (lane.rows >> r & 1) && (lane.cols >> s & 1) ? x[lane.origin + offset + r * w + s] : 0;
    }
  }
  for (int l = count; l < 16; l++)
    for (int p = 0; p < 16; p++) d[p][l] = 0;
}

/// out[ξ·stride + lanes] = (Bᵀ·d·B)_ξ for the 16 lanes of d.
WG_INLINE ISA_TARGET void KERNEL(wg_input_transform)(float d[16][16], float *out, long stride) {
  for (int l = 0; l < 16; l += VW) {
    VEC e[16];
    for (int p = 0; p < 16; p++) e[p] = KERNEL(load)(&d[p][l]);
    // Bᵀ·d: rows (d0 − d2, d1 + d2, d2 − d1, d1 − d3), four columns each.
    VEC w[16];
    for (int s = 0; s < 4; s++) {
      w[s] = e[s] - e[8 + s];
      w[4 + s] = e[4 + s] + e[8 + s];
      w[8 + s] = e[8 + s] - e[4 + s];
      w[12 + s] = e[4 + s] - e[12 + s];
    }
    // ·B on the columns of each row.
    for (int r = 0; r < 4; r++) {
      const VEC *row = &w[r * 4];
      KERNEL(store)(out + (r * 4 + 0) * stride + l, row[0] - row[2]);
      KERNEL(store)(out + (r * 4 + 1) * stride + l, row[1] + row[2]);
      KERNEL(store)(out + (r * 4 + 2) * stride + l, row[2] - row[1]);
      KERNEL(store)(out + (r * 4 + 3) * stride + l, row[1] - row[3]);
    }
  }
}

ISA_TARGET void KERNEL(winograd_input_tiles)(const float *x, long channels, long h, long w, long padTop,
                                             long padLeft, long tilesW, long tilesPerImage, long first,
                                             long count, long slice, float *v, long stride) {
  const long panels = (count + 15) / 16, tpad = panels * 16, plane = h * w;
  for (long q = 0; q < panels; q++) {
    struct KERNEL(wg_lane) lanes[16];
    const int valid = KERNEL(wg_panel_lanes)(lanes, first, q, count, tilesW, tilesPerImage, channels, h, w, padTop,
                                             padLeft, 4, 2);
    for (long c = 0; c < channels; c++) {
      float d[16][16] __attribute__((aligned(64)));
      KERNEL(wg_gather4)(x, lanes, valid, c * plane, w, d);
      const long c0 = c / slice * slice, depth = channels - c0 < slice ? channels - c0 : slice;
      KERNEL(wg_input_transform)(d, v + c0 * tpad + q * 16 * depth + (c - c0) * 16, stride);
    }
  }
}

ISA_TARGET void KERNEL(winograd_input_channels)(const float *x, long channels, long h, long w, long padTop,
                                                long padLeft, long tilesW, long tilesPerImage, long first,
                                                long count, float *v, long stride) {
  const long plane = h * w, channelPanels = (channels + 15) / 16;
  for (long t = 0; t < count; t++) {
    const struct KERNEL(wg_lane) tile =
        KERNEL(wg_locate)(first + t, tilesW, tilesPerImage, channels, h, w, padTop, padLeft, 4, 2);
    for (long q = 0; q < channelPanels; q++) {
      struct KERNEL(wg_lane) lanes[16];
      const int valid = channels - q * 16 < 16 ? (int)(channels - q * 16) : 16;
      for (int l = 0; l < valid; l++) {
        lanes[l] = tile;
        lanes[l].origin += (q * 16 + l) * plane;
      }
      float d[16][16] __attribute__((aligned(64)));
      KERNEL(wg_gather4)(x, lanes, valid, 0, w, d);
      KERNEL(wg_input_transform)(d, v + q * 16 * count + t * 16, stride);
    }
  }
}

ISA_TARGET void KERNEL(winograd_gradient_channels)(const float *gy, long channels, long outH, long outW,
                                                   long tilesW, long tilesPerImage, long first, long count,
                                                   float *m, long stride) {
  const long plane = outH * outW, panelRows = (channels + 5) / 6 * 6, channelPanels = (panelRows + 15) / 16;
  for (long t = 0; t < count; t++) {
    const struct KERNEL(wg_lane) tile =
        KERNEL(wg_locate)(first + t, tilesW, tilesPerImage, channels, outH, outW, 0, 0, 2, 2);
    for (long q = 0; q < channelPanels; q++) {
      const int valid = channels - q * 16 < 16 ? (int)(channels - q * 16) : 16;
      float d[4][16] __attribute__((aligned(64))), out[16][16] __attribute__((aligned(64)));
      for (int l = 0; l < 16; l++) {
        const long o = tile.origin + (q * 16 + l) * plane;
        for (int r = 0; r < 2; r++)
          for (int s = 0; s < 2; s++)
            d[r * 2 + s][l] = l < valid && (tile.rows >> r & 1) && (tile.cols >> s & 1) ? gy[o + r * outW + s] : 0;
      }
      for (int l = 0; l < 16; l += VW) {
        const VEC a = KERNEL(load)(&d[0][l]), b = KERNEL(load)(&d[1][l]);
        const VEC c = KERNEL(load)(&d[2][l]), e = KERNEL(load)(&d[3][l]);
        // A·dY (4×2) rows (u, w), each then ·Aᵀ: (u, w) ↦ (u, u + w, u − w, −w).
        const VEC u[4] = {a, a + c, a - c, -c}, w[4] = {b, b + e, b - e, -e};
        for (int r = 0; r < 4; r++) {
          KERNEL(store)(&out[r * 4 + 0][l], u[r]);
          KERNEL(store)(&out[r * 4 + 1][l], u[r] + w[r]);
          KERNEL(store)(&out[r * 4 + 2][l], u[r] - w[r]);
          KERNEL(store)(&out[r * 4 + 3][l], -w[r]);
        }
      }
      // Rows o of the 6-row A panels (zero rows up to the panel's end): [o/6][t][o % 6].
      for (int l = 0; l < 16 && q * 16 + l < panelRows; l++) {
        const long o = q * 16 + l;
        float *dst = m + (o / 6) * 6 * count + t * 6 + o % 6;
        for (int xi = 0; xi < 16; xi++) dst[xi * stride] = out[xi][l];
      }
    }
  }
}

/// y[at] = value after the convolution epilogue: + residual[at] (when given), then ReLU
/// with NaN kept (`v < 0` is false for NaN).
WG_INLINE void KERNEL(wg_store)(float *y, long at, float value, const float *residual, int relu) {
  if (residual) value += residual[at];
  y[at] = relu && value < 0 ? 0 : value;
}

ISA_TARGET void KERNEL(winograd_output_tiles)(const float *m, long ldm, long stride, long outChannels,
                                              long outH, long outW, long tilesW, long tilesPerImage,
                                              long first, long count, const float *bias,
                                              const float *residual, int relu, float *y) {
  const long panels = (count + 15) / 16, plane = outH * outW;
  for (long q = 0; q < panels; q++) {
    struct KERNEL(wg_lane) lanes[16];
    const int valid = KERNEL(wg_panel_lanes)(lanes, first, q, count, tilesW, tilesPerImage, outChannels, outH, outW,
                                             0, 0, 2, 2);
    for (long o = 0; o < outChannels; o++) {
      float r[4][16] __attribute__((aligned(64)));
      const VEC shift = KERNEL(splat)(bias ? bias[o] : 0);
      const float *src = m + o * ldm + q * 16;
      for (int l = 0; l < 16; l += VW) {
        VEC k[16];
        for (int p = 0; p < 16; p++) k[p] = KERNEL(load)(src + p * stride + l);
        // Aᵀ·M on the rows (2×4), then ·A on the columns (2×2).
        VEC r0[4], r1[4];
        for (int j = 0; j < 4; j++) {
          r0[j] = k[j] + k[4 + j] + k[8 + j];
          r1[j] = k[4 + j] - k[8 + j] - k[12 + j];
        }
        KERNEL(store)(&r[0][l], r0[0] + r0[1] + r0[2] + shift);
        KERNEL(store)(&r[1][l], r0[1] - r0[2] - r0[3] + shift);
        KERNEL(store)(&r[2][l], r1[0] + r1[1] + r1[2] + shift);
        KERNEL(store)(&r[3][l], r1[1] - r1[2] - r1[3] + shift);
      }
      for (int l = 0; l < valid; l++) {
        const long at = lanes[l].origin + o * plane;
        const unsigned right = lanes[l].cols >> 1 & 1, bottom = lanes[l].rows >> 1 & 1;
        KERNEL(wg_store)(y, at, r[0][l], residual, relu);
        if (right) KERNEL(wg_store)(y, at + 1, r[1][l], residual, relu);
        if (bottom) {
          KERNEL(wg_store)(y, at + outW, r[2][l], residual, relu);
          if (right) KERNEL(wg_store)(y, at + outW + 1, r[3][l], residual, relu);
        }
      }
    }
  }
}

/// U of filters [first, end) for `positions` matrices, `transform` mapping a 3×3 filter to
/// them; rows past outChannels are zero. (Inlined with the transform per tile size.)
WG_INLINE void KERNEL(wg_pack_filters)(const float *weight, long outChannels, long inChannels, int rotated,
                                       long firstOut, long endOut, long slice, float *u, long stride, int positions,
                                       void (*transform)(const float g[9], float *out)) {
  const long panelRows = (outChannels + 5) / 6 * 6;
  // Rotated filters are [in][out][3][3]: input channels outermost keeps their reads sequential.
  const long outerCount = rotated ? inChannels : endOut - firstOut, innerCount = rotated ? endOut - firstOut : inChannels;
  for (long outer = 0; outer < outerCount; outer++) {
    for (long inner = 0; inner < innerCount; inner++) {
      const long o = rotated ? firstOut + inner : firstOut + outer, c = rotated ? outer : inner;
      float g[9], out[36];
      for (int i = 0; i < 9; i++)
        g[i] = o >= outChannels ? 0
               : rotated        ? weight[(c * outChannels + o) * 9 + 8 - i]
                                : weight[(o * inChannels + c) * 9 + i];
      transform(g, out);
      const long c0 = c / slice * slice, depth = inChannels - c0 < slice ? inChannels - c0 : slice;
      float *dst = u + c0 * panelRows + (o / 6) * 6 * depth + (c - c0) * 6 + o % 6;
      for (int xi = 0; xi < positions; xi++) dst[xi * stride] = out[xi];
    }
  }
}

/// G·g·Gᵀ (4×4) of one filter.
WG_INLINE void KERNEL(wg_filter)(const float g[9], float *out) {
  float t[12];
  // G·g (4×3), then ·Gᵀ (4×4).
  for (int j = 0; j < 3; j++) {
    const float a = g[j], b = g[3 + j], d = g[6 + j];
    t[j] = a;
    t[3 + j] = 0.5f * (a + b + d);
    t[6 + j] = 0.5f * (a - b + d);
    t[9 + j] = d;
  }
  for (int r = 0; r < 4; r++) {
    const float a = t[r * 3], b = t[r * 3 + 1], d = t[r * 3 + 2];
    out[r * 4] = a;
    out[r * 4 + 1] = 0.5f * (a + b + d);
    out[r * 4 + 2] = 0.5f * (a - b + d);
    out[r * 4 + 3] = d;
  }
}

ISA_TARGET void KERNEL(winograd_filters)(const float *weight, long outChannels, long inChannels, int rotated,
                                         long firstOut, long endOut, long slice, float *u, long stride) {
  KERNEL(wg_pack_filters)(weight, outChannels, inChannels, rotated, firstOut, endOut, slice, u, stride, 16,
                          KERNEL(wg_filter));
}

#undef WG_INLINE

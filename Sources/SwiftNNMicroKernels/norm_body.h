// Batch-norm, layer-norm and softmax row loops, compiled per instruction set like
// pointwise_body.h. Each works on whole rows (a channel row, a normalized row) that
// the Swift engine hands out; sums come back in float for the caller to combine.
#include "pointwise_vector.h"

// ---- batch norm, one channel row at a time ----

ISA_TARGET void KERNEL(shifted_sums)(const float *x, long n, float shift, float sums[2]) {
  const VEC k = SPLAT(shift);
  VEC s = {0}, s2 = {0};
  long i = 0;
  for (; i + VW <= n; i += VW) {
    VEC v = LOAD(x + i) - k;
    s += v;
    s2 += v * v;
  }
  // Rows shorter than a vector (2×2, 4×4 planes) skip the lane sums of zeros.
  float rs = n >= VW ? KERNEL(pw_sum)(s) : 0, rs2 = n >= VW ? KERNEL(pw_sum)(s2) : 0;
  for (; i < n; i++) {
    float v = x[i] - shift;
    rs += v;
    rs2 += v * v;
  }
  sums[0] = rs;
  sums[1] = rs2;
}

ISA_TARGET void KERNEL(scale_shift)(const float *x, const float *r, float *y, long n, float scale, float shift,
                                    int relu) {
  const VEC a = SPLAT(scale), b = SPLAT(shift), zero = SPLAT(0);
  long i = 0;
  for (; i + VW <= n; i += VW) {
    VEC v = LOAD(x + i) * a + b;
    if (r) v += LOAD(r + i);
    STORE(y + i, relu ? SELECT(v < zero, zero, v) : v);
  }
  for (; i < n; i++) {
    float v = x[i] * scale + shift;
    if (r) v += r[i];
    y[i] = relu && v < 0 ? 0 : v;
  }
}

ISA_TARGET void KERNEL(channel_grad_sums)(const float *g, const float *y, const float *x, float *g_out, long n,
                                          float mean, float sums[2]) {
  const VEC mu = SPLAT(mean), zero = SPLAT(0);
  VEC sg = {0}, sgx = {0};
  long i = 0;
  for (; i + VW <= n; i += VW) {
    VEC gv = LOAD(g + i);
    if (y) gv = SELECT(LOAD(y + i) > zero, gv, zero);
    if (g_out) STORE(g_out + i, gv);
    sg += gv;
    sgx += gv * (LOAD(x + i) - mu);
  }
  float rg = n >= VW ? KERNEL(pw_sum)(sg) : 0, rgx = n >= VW ? KERNEL(pw_sum)(sgx) : 0;
  for (; i < n; i++) {
    float gv = !y || y[i] > 0 ? g[i] : 0;
    if (g_out) g_out[i] = gv;
    rg += gv;
    rgx += gv * (x[i] - mean);
  }
  sums[0] = rg;
  sums[1] = rgx;
}

ISA_TARGET void KERNEL(channel_backward)(const float *g, const float *y, const float *x, float *dx, long n,
                                         float mean, float scale, float a, float b) {
  const VEC mu = SPLAT(mean), sv = SPLAT(scale), av = SPLAT(a), bv = SPLAT(b), zero = SPLAT(0);
  long i = 0;
  // x − mean stays a difference: folding mean into b cancels badly when |mean| ≫ std.
  for (; i + VW <= n; i += VW) {
    VEC gv = LOAD(g + i);
    if (y) gv = SELECT(LOAD(y + i) > zero, gv, zero);
    STORE(dx + i, gv * sv - bv - (LOAD(x + i) - mu) * av);
  }
  for (; i < n; i++) {
    float gv = !y || y[i] > 0 ? g[i] : 0;
    dx[i] = gv * scale - b - (x[i] - mean) * a;
  }
}

// ---- batch norm, blocks of rows (the loops above, one call per block) ----

#define ROW_CHANNEL(row, channels) ((row) % (channels))
#define PLANE_ROW(p, row) ((p).base[(row) % (p).channels] + (row) / (p).channels * (p).stride[(row) % (p).channels])

ISA_TARGET void KERNEL(shifted_sums_rows)(swiftnn_planes x, long first, long count, long n, const float *shift,
                                          double *totals) {
  for (long row = first; row < first + count; row++) {
    long c = ROW_CHANNEL(row, x.channels);
    float sums[2];
    KERNEL(shifted_sums)(PLANE_ROW(x, row), n, shift[c], sums);
    totals[2 * c] += sums[0];
    totals[2 * c + 1] += sums[1];
  }
}

ISA_TARGET void KERNEL(scale_shift_rows)(swiftnn_planes x, const float *r, float *y, long first, long count, long n,
                                         const float *scale, const float *shift, int relu) {
  for (long row = first; row < first + count; row++) {
    long c = ROW_CHANNEL(row, x.channels);
    KERNEL(scale_shift)(PLANE_ROW(x, row), r ? r + row * n : NULL, y + row * n, n, scale[c], shift[c], relu);
  }
}

ISA_TARGET void KERNEL(channel_grad_sums_rows)(const float *g, const float *y, swiftnn_planes x, float *g_out,
                                               long first, long count, long n, const float *mean, double *totals) {
  for (long row = first; row < first + count; row++) {
    long c = ROW_CHANNEL(row, x.channels);
    float sums[2];
    KERNEL(channel_grad_sums)(g + row * n, y ? y + row * n : NULL, PLANE_ROW(x, row), g_out ? g_out + row * n : NULL,
                              n, mean[c], sums);
    totals[2 * c] += sums[0];
    totals[2 * c + 1] += sums[1];
  }
}

ISA_TARGET void KERNEL(channel_backward_rows)(const float *g, const float *y, swiftnn_planes x, swiftnn_planes dx,
                                              long first, long count, long n, const float *mean, const float *scale,
                                              const float *a, const float *b) {
  for (long row = first; row < first + count; row++) {
    long c = ROW_CHANNEL(row, x.channels);
    KERNEL(channel_backward)(g + row * n, y ? y + row * n : NULL, PLANE_ROW(x, row), PLANE_ROW(dx, row), n, mean[c],
                             scale[c], a[c], b[c]);
  }
}

#undef ROW_CHANNEL
#undef PLANE_ROW

// ---- layer norm over rows ----

ISA_TARGET void KERNEL(layer_norm_rows)(const float *x, float *y, long rows, long width, float eps, const float *w,
                                        const float *b, float *mean, float *invstd) {
  for (long r = 0; r < rows; r++) {
    const float *p = x + r * width;
    float *q = y + r * width;
    // Two passes, the mean first: Σ(x − mean)² cannot cancel.
    VEC s = {0};
    long i = 0;
    for (; i + VW <= width; i += VW) s += LOAD(p + i);
    float total = KERNEL(pw_sum)(s);
    for (; i < width; i++) total += p[i];
    float m = total / (float)width;
    float sums[2];
    KERNEL(shifted_sums)(p, width, m, sums);
    float istd = 1 / __builtin_sqrtf(sums[1] / (float)width + eps);
    mean[r] = m;
    invstd[r] = istd;
    const VEC mv = SPLAT(m), sv = SPLAT(istd);
    for (i = 0; i + VW <= width; i += VW) STORE(q + i, LOAD(b + i) + (LOAD(p + i) - mv) * sv * LOAD(w + i));
    for (; i < width; i++) q[i] = b[i] + (p[i] - m) * istd * w[i];
  }
}

ISA_TARGET void KERNEL(layer_norm_rows_backward)(const float *g, const float *x, float *dx, long rows, long width,
                                                 const float *w, const float *mean, const float *invstd, float *dw,
                                                 float *db) {
  const VEC zero = SPLAT(0);
  for (long r = 0; r < rows; r++) {
    const float *pg = g + r * width, *px = x + r * width;
    const float m = mean[r], istd = invstd[r];
    const VEC mv = SPLAT(m), sv = SPLAT(istd);
    // One sweep for the row sums and the parameter gradients, a second (the row is in
    // L1 by then) for dx.
    VEC sh = zero, shx = zero;
    long i = 0;
    for (; i + VW <= width; i += VW) {
      VEC gv = LOAD(pg + i), xhat = (LOAD(px + i) - mv) * sv, h = gv * LOAD(w + i);
      sh += h;
      shx += h * xhat;
      if (dw) STORE(dw + i, LOAD(dw + i) + gv * xhat);
      if (db) STORE(db + i, LOAD(db + i) + gv);
    }
    float sum_h = KERNEL(pw_sum)(sh), sum_hx = KERNEL(pw_sum)(shx);
    for (; i < width; i++) {
      float xhat = (px[i] - m) * istd, h = pg[i] * w[i];
      sum_h += h;
      sum_hx += h * xhat;
      if (dw) dw[i] += pg[i] * xhat;
      if (db) db[i] += pg[i];
    }
    if (!dx) continue;
    float *pd = dx + r * width;
    const float mh = sum_h / (float)width, mhx = sum_hx / (float)width;
    const VEC mhv = SPLAT(mh), mhxv = SPLAT(mhx);
    for (i = 0; i + VW <= width; i += VW) {
      VEC h = LOAD(pg + i) * LOAD(w + i);
      VEC xhat = (LOAD(px + i) - mv) * sv;
      STORE(pd + i, sv * (h - mhv - xhat * mhxv));
    }
    for (; i < width; i++) pd[i] = istd * (pg[i] * w[i] - mh - (px[i] - m) * istd * mhx);
  }
}

// ---- softmax over contiguous rows ----

ISA_TARGET void KERNEL(softmax_rows)(const float *x, float *y, long rows, long width, int log_output) {
  const float inf = __builtin_inff();
  for (long r = 0; r < rows; r++) {
    const float *p = x + r * width;
    float *q = y + r * width;
    // The peak skips NaN (a NaN row still ends NaN through its exp).
    VEC m = SPLAT(-inf);
    long i = 0;
    for (; i + VW <= width; i += VW) {
      VEC v = LOAD(p + i);
      m = SELECT(v > m, v, m);
    }
    float peak = -inf;
    for (int l = 0; l < VW; l++) peak = m[l] > peak ? m[l] : peak;
    for (; i < width; i++) peak = p[i] > peak ? p[i] : peak;
    if (peak == -inf) peak = 0;  // an all −inf row stays NaN-free until the division
    const VEC pv = SPLAT(peak);
    VEC sum = {0};
    for (i = 0; i + VW <= width; i += VW) {
      VEC e = KERNEL(pw_exp)(LOAD(p + i) - pv);
      sum += e;
      if (!log_output) STORE(q + i, e);
    }
    if (i < width) {  // −inf padding: e^−inf = 0 adds nothing
      VEC e = KERNEL(pw_exp)(KERNEL(load_part_fill)(p + i, width - i, -inf) - pv);
      sum += e;
      if (!log_output) KERNEL(store_part)(q + i, e, width - i);
    }
    const float total = KERNEL(pw_sum)(sum);
    if (log_output) {
      // (x − peak) − log Σ, not x − (peak + log Σ): the latter rounds log Σ away when |peak| is large.
      const VEC lv = SPLAT(__builtin_logf(total));
      for (i = 0; i + VW <= width; i += VW) STORE(q + i, (LOAD(p + i) - pv) - lv);
      for (; i < width; i++) q[i] = (p[i] - peak) - lv[0];
    } else {
      const VEC sv = SPLAT(1 / total);
      for (i = 0; i + VW <= width; i += VW) STORE(q + i, LOAD(q + i) * sv);
      for (; i < width; i++) q[i] *= sv[0];
    }
  }
}

ISA_TARGET void KERNEL(softmax_rows_backward)(const float *g, const float *y, float *dx, long rows, long width,
                                              int log_output) {
  for (long r = 0; r < rows; r++) {
    const float *pg = g + r * width, *py = y + r * width;
    float *pd = dx + r * width;
    VEC acc = {0};
    long i = 0;
    for (; i + VW <= width; i += VW) acc += log_output ? LOAD(pg + i) : LOAD(pg + i) * LOAD(py + i);
    float dot = KERNEL(pw_sum)(acc);
    for (; i < width; i++) dot += log_output ? pg[i] : pg[i] * py[i];
    const VEC dv = SPLAT(dot);
    for (i = 0; i < width; i += VW) {
      const long n = width - i < VW ? width - i : VW;
      VEC gv = n == VW ? LOAD(pg + i) : KERNEL(load_part)(pg + i, n);
      VEC yv = n == VW ? LOAD(py + i) : KERNEL(load_part)(py + i, n);
      VEC d = log_output ? gv - KERNEL(pw_exp)(yv) * dv : yv * (gv - dv);
      if (n == VW) STORE(pd + i, d);
      else KERNEL(store_part)(pd + i, d, n);
    }
  }
}

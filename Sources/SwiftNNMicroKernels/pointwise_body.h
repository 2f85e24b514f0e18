// Pointwise, normalization and pooling loops, written once and compiled per
// instruction set like tile_body.h (same ISA_TARGET, KERNEL, VEC and VW).
// They stream memory, so each is one pass with one vector per step; GELU's exp
// and erf are polynomials (least-squares fits in double, rounded to float), so
// every ISA gives the same values up to FMA contraction.
#include <string.h>

#define PW_INLINE static inline __attribute__((always_inline)) ISA_TARGET
typedef int IVEC __attribute__((vector_size(sizeof(VEC))));

PW_INLINE VEC KERNEL(pw_load)(const float *p) {
  VEC v;
  memcpy(&v, p, sizeof v);
  return v;
}

PW_INLINE void KERNEL(pw_store)(float *p, VEC v) { memcpy(p, &v, sizeof v); }

/// Every lane = s (lane by lane, so −0 and NaN stay exactly s).
PW_INLINE VEC KERNEL(pw_splat)(float s) {
  VEC v;
  for (int i = 0; i < VW; i++) v[i] = s;
  return v;
}

/// The first n (< VW) floats of p, zeros after: a tail runs the same vector code.
PW_INLINE VEC KERNEL(pw_load_part)(const float *p, long n) {
  VEC v = {0};
  memcpy(&v, p, (size_t)n * sizeof(float));
  return v;
}

PW_INLINE void KERNEL(pw_store_part)(float *p, VEC v, long n) { memcpy(p, &v, (size_t)n * sizeof(float)); }

#define LOAD KERNEL(pw_load)
#define STORE KERNEL(pw_store)
#define SPLAT KERNEL(pw_splat)
#define BITS(v) ((IVEC)(v))
#define FLOATS(v) ((VEC)(v))
/// Lanes of a where mask (all ones) is set, else of b.
#define SELECT(mask, a, b) FLOATS(((mask) & BITS(a)) | (~(mask) & BITS(b)))

PW_INLINE float KERNEL(pw_sum)(VEC v) {
  float s = 0;
  for (int i = 0; i < VW; i++) s += v[i];
  return s;
}

PW_INLINE int KERNEL(pw_any)(IVEC m) {
  int any = 0;
  for (int i = 0; i < VW; i++) any |= m[i];
  return any != 0;
}

// ---- vector math (tested against libm in VectorMathTests.swift) ----

/// e^x: x = n·ln2 + r, a degree-7 polynomial for e^r, 2^n in two exponent steps.
PW_INLINE VEC KERNEL(pw_exp)(VEC x) {
  const VEC low = SPLAT(-87.33654f), high = SPLAT(88.72283f), magic = SPLAT(12582912.0f);
  VEC xc = SELECT(x < low, low, x);
  xc = SELECT(xc > high, high, xc);
  VEC shifted = magic + xc * SPLAT(1.44269504f);  // rounds n into the low mantissa bits
  VEC n = shifted - magic;
  VEC r = xc + n * SPLAT(-0.693145752f);
  r = r + n * SPLAT(-1.42860677e-6f);
  VEC p = SPLAT(1.0f / 5040);
  p = SPLAT(1.0f / 720) + p * r;
  p = SPLAT(1.0f / 120) + p * r;
  p = SPLAT(1.0f / 24) + p * r;
  p = SPLAT(1.0f / 6) + p * r;
  p = SPLAT(0.5f) + p * r;
  p = SPLAT(1) + p * r;
  p = SPLAT(1) + p * r;
  IVEC ni = BITS(shifted) - BITS(magic);
  IVEC half = ni >> 1;
  VEC result = p * FLOATS((half + 127) << 23) * FLOATS((ni - half + 127) << 23);
  result = SELECT(x < low, SPLAT(0), result);
  result = SELECT(x > high, SPLAT(__builtin_inff()), result);
  return SELECT(x != x, x, result);
}

#define ERF_SPLIT 0.921875f

/// erf(x) for |x| < ERF_SPLIT: x + x·P(x²).
PW_INLINE VEC KERNEL(pw_erf_small)(VEC x) {
  VEC s = x * x;
  VEC p = SPLAT(-6.02463610e-4f);
  p = SPLAT(5.00090141e-3f) + p * s;
  p = SPLAT(-2.67729610e-2f) + p * s;
  p = SPLAT(1.12820394e-1f) + p * s;
  p = SPLAT(-3.76125246e-1f) + p * s;
  p = SPLAT(1.28379166e-1f) + p * s;
  return x + x * p;
}

/// erfcx(u) = e^(u²)·erfc(u), 0 ≤ u ≤ 10, as t·Q(t) with t = 1/(1 + u/2).
PW_INLINE VEC KERNEL(pw_erfcx)(VEC u) {
  VEC t = SPLAT(1) / (SPLAT(1) + u * SPLAT(0.5f));
  VEC q = SPLAT(3.57068405e-2f);
  q = SPLAT(-1.90661937e-1f) + q * t;
  q = SPLAT(3.80405158e-1f) + q * t;
  q = SPLAT(-2.87978172e-1f) + q * t;
  q = SPLAT(-2.36118995e-2f) + q * t;
  q = SPLAT(3.65385599e-2f) + q * t;
  q = SPLAT(5.43529540e-2f) + q * t;
  q = SPLAT(1.85756579e-1f) + q * t;
  q = SPLAT(2.45147690e-1f) + q * t;
  q = SPLAT(2.82255888e-1f) + q * t;
  q = SPLAT(2.82088369e-1f) + q * t;
  return t * q;
}

/// Φ(x), the standard normal CDF; `e` = e^(−x²/2) when the caller has it, else it is
/// computed only for vectors with a lane in the tail (|x|/√2 ≥ ERF_SPLIT).
PW_INLINE VEC KERNEL(pw_normal_cdf)(VEC x, const VEC *e) {
  VEC z = x * SPLAT(0.707106781f);
  VEC u = FLOATS(BITS(z) & 0x7fffffff);
  VEC result = SPLAT(0.5f) + SPLAT(0.5f) * KERNEL(pw_erf_small)(z);
  IVEC large = u >= SPLAT(ERF_SPLIT);
  if (KERNEL(pw_any)(large)) {
    VEC density = e ? *e : KERNEL(pw_exp)(SPLAT(-0.5f) * x * x);
    // erfc(u) is 0 in float from u ≈ 9.2 on; the clamp keeps inf out of erfcx.
    VEC half_tail = SPLAT(0.5f) * density * KERNEL(pw_erfcx)(SELECT(u > SPLAT(10), SPLAT(10), u));
    result = SELECT(large, SELECT(z > SPLAT(0), SPLAT(1) - half_tail, half_tail), result);
  }
  return SELECT(x != x, x, result);
}

// ---- elementwise functions ----

PW_INLINE VEC KERNEL(pw_relu)(VEC x) { return SELECT(x < SPLAT(0), SPLAT(0), x); }
PW_INLINE VEC KERNEL(pw_neg)(VEC x) { return -x; }
PW_INLINE VEC KERNEL(pw_gelu)(VEC x) { return x * KERNEL(pw_normal_cdf)(x, NULL); }
PW_INLINE VEC KERNEL(pw_add)(VEC a, VEC b) { return a + b; }
PW_INLINE VEC KERNEL(pw_sub)(VEC a, VEC b) { return a - b; }
PW_INLINE VEC KERNEL(pw_mul)(VEC a, VEC b) { return a * b; }
PW_INLINE VEC KERNEL(pw_div)(VEC a, VEC b) { return a / b; }
PW_INLINE VEC KERNEL(pw_relu_backward)(VEC g, VEC y) { return SELECT(y > SPLAT(0), g, SPLAT(0)); }

/// g·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π).
PW_INLINE VEC KERNEL(pw_gelu_backward)(VEC g, VEC x) {
  VEC e = KERNEL(pw_exp)(SPLAT(-0.5f) * x * x);
  return g * (KERNEL(pw_normal_cdf)(x, &e) + x * (SPLAT(0.398942280f) * e));
}

/// y = F(x) over n floats, the tail through a zero-padded vector.
#define MAP_LOOP(F)                                                                     \
  do {                                                                                  \
    long i = 0;                                                                         \
    for (; i + VW <= n; i += VW) STORE(y + i, KERNEL(F)(LOAD(x + i)));                 \
    if (i < n) KERNEL(pw_store_part)(y + i, KERNEL(F)(KERNEL(pw_load_part)(x + i, n - i)), n - i); \
  } while (0)

/// y = F(A, B) with A and B the expressions of loaded vectors `va` and `vb`.
#define ZIP_LOOP(F, A, B)                                                               \
  do {                                                                                  \
    long i = 0;                                                                         \
    for (; i + VW <= n; i += VW) {                                                      \
      VEC va = LOAD(a + i), vb = LOAD_B(i);                                             \
      STORE(y + i, KERNEL(F)(A, B));                                                    \
    }                                                                                   \
    if (i < n) {                                                                        \
      VEC va = KERNEL(pw_load_part)(a + i, n - i), vb = LOAD_B_PART(i, n - i);          \
      KERNEL(pw_store_part)(y + i, KERNEL(F)(A, B), n - i);                             \
    }                                                                                   \
  } while (0)

ISA_TARGET void KERNEL(map)(int op, const float *x, float *y, long n) {
  switch (op) {
    case SWIFTNN_MAP_RELU: MAP_LOOP(pw_relu); break;
    case SWIFTNN_MAP_NEG: MAP_LOOP(pw_neg); break;
    case SWIFTNN_MAP_GELU: MAP_LOOP(pw_gelu); break;
    case SWIFTNN_MAP_EXP: MAP_LOOP(pw_exp); break;
    default: break;
  }
}

ISA_TARGET void KERNEL(zip)(int op, const float *a, const float *b, float *y, long n) {
#define LOAD_B(i) LOAD(b + (i))
#define LOAD_B_PART(i, count) KERNEL(pw_load_part)(b + (i), count)
  switch (op) {
    case SWIFTNN_ZIP_ADD: ZIP_LOOP(pw_add, va, vb); break;
    case SWIFTNN_ZIP_SUB: ZIP_LOOP(pw_sub, va, vb); break;
    case SWIFTNN_ZIP_MUL: ZIP_LOOP(pw_mul, va, vb); break;
    case SWIFTNN_ZIP_DIV: ZIP_LOOP(pw_div, va, vb); break;
    case SWIFTNN_ZIP_RELU_BACKWARD: ZIP_LOOP(pw_relu_backward, va, vb); break;
    case SWIFTNN_ZIP_GELU_BACKWARD: ZIP_LOOP(pw_gelu_backward, va, vb); break;
    default: break;
  }
#undef LOAD_B
#undef LOAD_B_PART
}

ISA_TARGET void KERNEL(zip_scalar)(int op, const float *a, float s, int scalar_first, float *y, long n) {
  const VEC sv = SPLAT(s);
#define LOAD_B(i) sv
#define LOAD_B_PART(i, count) sv
#define ZIP_EITHER(F) \
  if (scalar_first) ZIP_LOOP(F, vb, va); else ZIP_LOOP(F, va, vb)
  switch (op) {
    case SWIFTNN_ZIP_ADD: ZIP_EITHER(pw_add); break;
    case SWIFTNN_ZIP_SUB: ZIP_EITHER(pw_sub); break;
    case SWIFTNN_ZIP_MUL: ZIP_EITHER(pw_mul); break;
    case SWIFTNN_ZIP_DIV: ZIP_EITHER(pw_div); break;
    default: break;
  }
#undef ZIP_EITHER
#undef LOAD_B
#undef LOAD_B_PART
}

ISA_TARGET void KERNEL(axpy)(long n, float alpha, const float *x, float *y) {
  const VEC av = SPLAT(alpha);
  long i = 0;
  for (; i + VW <= n; i += VW) STORE(y + i, LOAD(y + i) + av * LOAD(x + i));
  for (; i < n; i++) y[i] += alpha * x[i];
}

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
  float rs = KERNEL(pw_sum)(s), rs2 = KERNEL(pw_sum)(s2);
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
  float rg = KERNEL(pw_sum)(sg), rgx = KERNEL(pw_sum)(sgx);
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

/// The first n (< VW) floats of p, then `fill`.
PW_INLINE VEC KERNEL(pw_load_part_fill)(const float *p, long n, float fill) {
  VEC v = SPLAT(fill);
  memcpy(&v, p, (size_t)n * sizeof(float));
  return v;
}

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
      VEC e = KERNEL(pw_exp)(KERNEL(pw_load_part_fill)(p + i, width - i, -inf) - pv);
      sum += e;
      if (!log_output) KERNEL(pw_store_part)(q + i, e, width - i);
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
      VEC gv = n == VW ? LOAD(pg + i) : KERNEL(pw_load_part)(pg + i, n);
      VEC yv = n == VW ? LOAD(py + i) : KERNEL(pw_load_part)(py + i, n);
      VEC d = log_output ? gv - KERNEL(pw_exp)(yv) * dv : yv * (gv - dv);
      if (n == VW) STORE(pd + i, d);
      else KERNEL(pw_store_part)(pd + i, d, n);
    }
  }
}

// ---- dropout ----

typedef unsigned long long U64VEC __attribute__((vector_size(VW * 8)));

ISA_TARGET void KERNEL(dropout_mask)(const float *x, float *y, long n, unsigned long long key, long first,
                                     unsigned long long threshold, float scale) {
  const VEC kept = SPLAT(scale), dropped = SPLAT(0);
  U64VEC lane;
  for (int l = 0; l < VW; l++) lane[l] = (unsigned long long)l;
  const U64VEC golden = lane * 0 + 0x9E3779B97F4A7C15ull;
  for (long i = 0; i < n; i += VW) {
    // splitmix64's finalizer of key + index·golden, per lane (DropoutKernel.hash).
    U64VEC h = (lane + (unsigned long long)(first + i)) * golden + key;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
    IVEC keep = __builtin_convertvector((h >> 40) < threshold, IVEC);
    // x times the mask value, not a select: NaN·0 stays NaN, as a multiply by a mask does.
    VEC factor = SELECT(keep, kept, dropped);
    if (i + VW <= n) {
      STORE(y + i, LOAD(x + i) * factor);
    } else {
      KERNEL(pw_store_part)(y + i, KERNEL(pw_load_part)(x + i, n - i) * factor, n - i);
    }
  }
}

// ---- 2×2 max pool ----

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

#undef PW_INLINE
#undef LOAD
#undef STORE
#undef SPLAT
#undef BITS
#undef FLOATS
#undef SELECT
#undef MAP_LOOP
#undef ZIP_LOOP
#undef ERF_SPLIT
#undef EVEN_LANES
#undef ODD_LANES

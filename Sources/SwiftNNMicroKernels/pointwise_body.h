// Elementwise loops, written once and compiled per instruction set like tile_body.h
// (same ISA_TARGET, KERNEL, VEC and VW). They stream memory, so each is one pass
// with one vector per step; GELU's exp and erf are polynomials (least-squares fits
// in double, rounded to float), so every ISA gives the same values up to FMA
// contraction.
#include "pointwise_vector.h"

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
  VEC e = KERNEL(pw_exp_nonpositive)(SPLAT(-0.5f) * x * x);
  return g * (KERNEL(pw_normal_cdf)(x, &e) + x * (SPLAT(0.398942280f) * e));
}

/// y = F(x) over n floats, the tail through a zero-padded vector.
#define MAP_LOOP(F)                                                                     \
  do {                                                                                  \
    long i = 0;                                                                         \
    for (; i + VW <= n; i += VW) STORE(y + i, KERNEL(F)(LOAD(x + i)));                 \
    if (i < n) KERNEL(store_part)(y + i, KERNEL(F)(KERNEL(load_part)(x + i, n - i)), n - i); \
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
      VEC va = KERNEL(load_part)(a + i, n - i), vb = LOAD_B_PART(i, n - i);          \
      KERNEL(store_part)(y + i, KERNEL(F)(A, B), n - i);                             \
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
#define LOAD_B_PART(i, count) KERNEL(load_part)(b + (i), count)
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
      KERNEL(store_part)(y + i, KERNEL(load_part)(x + i, n - i) * factor, n - i);
    }
  }
}

#undef MAP_LOOP
#undef ZIP_LOOP

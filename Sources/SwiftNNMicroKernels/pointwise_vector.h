// Vector helpers and math shared by the pointwise kernel bodies (pointwise_body.h,
// norm_body.h, pool_body.h), for the ISA whose VEC, VW, ISA_TARGET and KERNEL the
// including file defined. Once per translation unit.
#ifndef SWIFTNN_POINTWISE_VECTOR_H
#define SWIFTNN_POINTWISE_VECTOR_H
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

#define EXP_LOW -87.33654f  // below it e^x is subnormal: both exps return 0

/// e^r for xc = n·ln2 + r, xc in [EXP_LOW, 88.72]: a degree-7 polynomial; the integer n,
/// for the caller's 2^n, goes to `*ni`.
PW_INLINE VEC KERNEL(pw_exp_reduced)(VEC xc, IVEC *ni) {
  const VEC magic = SPLAT(12582912.0f);
  VEC shifted = magic + xc * SPLAT(1.44269504f);  // rounds n into the low mantissa bits
  VEC n = shifted - magic;
  *ni = BITS(shifted) - BITS(magic);
  VEC r = xc + n * SPLAT(-0.693145752f);
  r = r + n * SPLAT(-1.42860677e-6f);
  VEC p = SPLAT(1.0f / 5040);
  p = SPLAT(1.0f / 720) + p * r;
  p = SPLAT(1.0f / 120) + p * r;
  p = SPLAT(1.0f / 24) + p * r;
  p = SPLAT(1.0f / 6) + p * r;
  p = SPLAT(0.5f) + p * r;
  p = SPLAT(1) + p * r;
  return SPLAT(1) + p * r;
}

/// e^x: e^r times 2^n, in two exponent steps (n reaches 128).
PW_INLINE VEC KERNEL(pw_exp)(VEC x) {
  const VEC low = SPLAT(EXP_LOW), high = SPLAT(88.72283f);
  VEC xc = SELECT(x < low, low, x);
  IVEC ni;
  VEC p = KERNEL(pw_exp_reduced)(SELECT(xc > high, high, xc), &ni);
  IVEC half = ni >> 1;
  VEC result = p * FLOATS((half + 127) << 23) * FLOATS((ni - half + 127) << 23);
  result = SELECT(x < low, SPLAT(0), result);
  result = SELECT(x > high, SPLAT(__builtin_inff()), result);
  return SELECT(x != x, x, result);
}

/// e^x for x ≤ 0 or NaN (GELU's e^(−x²/2)): no overflow side, so 2^n (n ≥ −126) is one
/// exponent step; NaN stays NaN through the arithmetic.
PW_INLINE VEC KERNEL(pw_exp_nonpositive)(VEC x) {
  const VEC low = SPLAT(EXP_LOW);
  IVEC ni;
  VEC p = KERNEL(pw_exp_reduced)(SELECT(x < low, low, x), &ni);
  VEC result = p * FLOATS((ni + 127) << 23);
  return SELECT(x < low, SPLAT(0), result);
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
    VEC density = e ? *e : KERNEL(pw_exp_nonpositive)(SPLAT(-0.5f) * x * x);
    // erfc(u) is 0 in float from u ≈ 9.2 on; the clamp keeps inf out of erfcx. Written
    // so NaN gives 10 (one min instruction); the select below returns NaN for it.
    VEC half_tail = SPLAT(0.5f) * density * KERNEL(pw_erfcx)(SELECT(u < SPLAT(10), u, SPLAT(10)));
    result = SELECT(large, SELECT(z > SPLAT(0), SPLAT(1) - half_tail, half_tail), result);
  }
  return SELECT(x != x, x, result);
}

#endif

/// exp, erf and the normal CDF on eight floats at once, for activations whose scalar
/// libm calls (one per element, never vectorised) would dominate a step.
/// Accuracy: exp within ~1 ulp; erf within 1e-7 absolute of the exact value; the
/// normal CDF keeps relative accuracy in the lower tail (no 1 + erf cancellation).
/// Coefficients are least-squares fits in double, rounded to float.
package enum VectorMath {
    package typealias V = SIMD8<Float>

    /// e^x. Range reduction x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so n·ln2_hi
    /// is exact), a degree-7 Taylor polynomial for e^r (truncation < 1e-8), and 2^n built
    /// in the exponent bits.
    @inline(__always)
    package static func exp(_ x: V) -> V {
        // Beyond these, e^x is below the smallest normal float (0 here) or +inf.
        let low: Float = -87.33654, high: Float = 88.72283
        // Selects, not clamped(): the generic pointwiseMin/Max are not inlined and run lane by lane.
        let xc = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
        let magic = V(repeating: 12_582_912)
        let shifted = magic.plusProduct(xc, V(repeating: 1.442_695_04))
        let n = shifted - magic
        var r = xc.plusProduct(n, V(repeating: -0.693_145_752))
        r = r.plusProduct(n, V(repeating: -1.428_606_77e-6))
        var p = V(repeating: 1.0 / 5040)
        p = V(repeating: 1.0 / 720).plusProduct(p, r)
        p = V(repeating: 1.0 / 120).plusProduct(p, r)
        p = V(repeating: 1.0 / 24).plusProduct(p, r)
        p = V(repeating: 1.0 / 6).plusProduct(p, r)
        p = V(repeating: 0.5).plusProduct(p, r)
        p = V(repeating: 1).plusProduct(p, r)
        p = V(repeating: 1).plusProduct(p, r)
        // 2^n as 2^(n/2)·2^(n − n/2): n spans [-126, 128], past one exponent field.
        let ni = bits(shifted) &- bits(magic)
        let half = ni &>> 1
        let scale1 = float(bits: (half &+ 127) &<< 23), scale2 = float(bits: (ni &- half &+ 127) &<< 23)
        var result = p * scale1 * scale2
        result.replace(with: 0, where: x .< low)
        result.replace(with: Float.infinity, where: x .> high)
        result.replace(with: x, where: x .!= x)  // NaN stays NaN
        return result
    }

    /// |x| by clearing the sign bit.
    @inline(__always)
    package static func magnitude(_ x: V) -> V { float(bits: bits(x) & 0x7fff_ffff) }

    /// The IEEE bits of each lane, and back (a register reinterpretation, no conversion).
    @inline(__always)
    package static func bits(_ x: V) -> SIMD8<Int32> { unsafeBitCast(x, to: SIMD8<Int32>.self) }

    @inline(__always)
    package static func float(bits: SIMD8<Int32>) -> V { unsafeBitCast(bits, to: V.self) }

    /// Below this |x|, erf is x·(1 + P(x²)); above it, erfc comes from `erfcx`.
    package static let split: Float = 0.921875

    /// erf(x) for |x| < `split`: x + x·P(x²), relative error under 1e-7.
    @inline(__always)
    package static func erfSmall(_ x: V) -> V {
        let s = x * x
        var p = V(repeating: -6.024_636_10e-4)
        p = V(repeating: 5.000_901_41e-3).plusProduct(p, s)
        p = V(repeating: -2.677_296_10e-2).plusProduct(p, s)
        p = V(repeating: 1.128_203_94e-1).plusProduct(p, s)
        p = V(repeating: -3.761_252_46e-1).plusProduct(p, s)
        p = V(repeating: 1.283_791_66e-1).plusProduct(p, s)
        return x.plusProduct(x, p)
    }

    /// erfcx(u) = e^(u²)·erfc(u) for 0 ≤ u ≤ 10 as t·Q(t), t = 1/(1 + u/2): smooth in t, so a
    /// polynomial holds relative error ~1e-8, and erfc = e^(−u²)·erfcx needs one exp, which
    /// the GELU gradient shares (its density is e^(−x²/2) = e^(−u²) for u = |x|/√2).
    @inline(__always)
    package static func erfcx(_ u: V) -> V {
        let t = 1 / V(repeating: 1).plusProduct(u, 0.5)
        var q = V(repeating: 3.570_684_05e-2)
        q = V(repeating: -1.906_619_37e-1).plusProduct(q, t)
        q = V(repeating: 3.804_051_58e-1).plusProduct(q, t)
        q = V(repeating: -2.879_781_72e-1).plusProduct(q, t)
        q = V(repeating: -2.361_189_95e-2).plusProduct(q, t)
        q = V(repeating: 3.653_855_99e-2).plusProduct(q, t)
        q = V(repeating: 5.435_295_40e-2).plusProduct(q, t)
        q = V(repeating: 1.857_565_79e-1).plusProduct(q, t)
        q = V(repeating: 2.451_476_90e-1).plusProduct(q, t)
        q = V(repeating: 2.822_558_88e-1).plusProduct(q, t)
        q = V(repeating: 2.820_883_69e-1).plusProduct(q, t)
        return t * q
    }

    /// erf(x); ±0, ±inf and NaN map as in libm.
    @inline(__always)
    package static func erf(_ x: V) -> V {
        // Past 4, erfc < 2e-8 and erf rounds to ±1; the clamp keeps inf out of the tail formula.
        let u = magnitude(x).replacing(with: 4, where: magnitude(x) .> 4)
        let tail = 1 - exp(-u * u) * erfcx(u)
        var result = erfSmall(x)
        result.replace(with: tail.replacing(with: -tail, where: x .< 0), where: u .>= split)
        return result.replacing(with: x, where: x .!= x)
    }

    /// Φ(x) = ½·(1 + erf(x/√2)), the standard normal CDF, as ½·erfc(|x|/√2) in the tails.
    @inline(__always)
    package static func normalCDF(_ x: V) -> V { normalCDF(x) { exp(-0.5 * x * x) } }

    /// Φ(x) with e^(−x²/2) from `expHalfSquare`, which the caller may need too (and then
    /// computes once). Activations mostly lie within |x| < 1.3, where only the short
    /// polynomial is needed: the tail (a division and, if not given, an exp) is
    /// evaluated only for vectors with a lane outside.
    @inline(__always)
    package static func normalCDF(_ x: V, expHalfSquare: () -> V) -> V {
        let z = x * V(repeating: 0.707_106_781)
        let u = magnitude(z)
        var result = 0.5 + 0.5 * erfSmall(z)
        let large = u .>= split
        if any(large) {
            // erfc(u) is 0 in float from u ≈ 9.2 on (e is 0 there); the clamp keeps inf out of erfcx.
            let halfTail = 0.5 * expHalfSquare() * erfcx(u.replacing(with: 10, where: u .> 10))
            result.replace(with: halfTail.replacing(with: 1 - halfTail, where: z .> 0), where: large)
        }
        return result.replacing(with: x, where: x .!= x)
    }
}

/// Exact GELU, y = x·Φ(x), and its input gradient dx = g·(Φ(x) + x·φ(x)), with
/// the eight-lane normal CDF and exp of VectorMath instead of one libm erf per element.
package enum GELUKernel {
    package static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        VectorLoops.map(Value.self, x, y, count: count)
    }

    package static func backward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        VectorLoops.zip(Gradient.self, g, x, dx, count: count)
    }

    package enum Value: LaneMap {
        @inline(__always)
        package static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { x * VectorMath.normalCDF(x) }
    }

    /// (g, x) ↦ g·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π).
    package enum Gradient: LaneZip {
        @inline(__always)
        package static func apply(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
            let e = VectorMath.exp(-0.5 * x * x)
            let density = SIMD8<Float>(repeating: 0.398_942_280) * e
            return g * VectorMath.normalCDF(x) { e }.plusProduct(x, density)
        }
    }
}

/// Exact GELU, y = x·Φ(x), and its input gradient dx = g·(Φ(x) + x·φ(x)), with
/// the eight-lane normal CDF and exp of VectorMath instead of one libm erf per element.
enum GELUKernel {
    typealias V = SIMD8<Float>

    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        VectorLoops.map(x, y, count: count) { x in x * VectorMath.normalCDF(x) }
    }

    static func backward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2Pi = V(repeating: 0.398_942_280)
        VectorLoops.zip(g, x, dx, count: count) { g, x in
            let density = invSqrt2Pi * VectorMath.exp(-0.5 * x * x)
            return g * VectorMath.normalCDF(x).addingProduct(x, density)
        }
    }
}

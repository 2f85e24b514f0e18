/// Exact GELU, y = x·Φ(x), and its input gradient dx = g·(Φ(x) + x·φ(x)): the
/// per-ISA vector exp and erf of pointwise_body.h (VectorMath's polynomials)
/// instead of one libm erf per element.
package enum GELUKernel {
    package static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Pointwise.map(.gelu, x, y, count: count)
    }

    package static func backward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        Pointwise.zip(.geluBackward, g, x, dx, count: count)
    }
}

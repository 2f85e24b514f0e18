/// Multiply-add as a multiply and an add.
///
/// `addingProduct`/`addProduct` promise a single rounding, i.e. a fused
/// multiply-add. A plain SwiftPM build targets baseline x86-64, which has no FMA
/// instruction, so each lane becomes a call into libm's `fmaf` (GEMM ran at
/// 1 GFLOP/s that way). The vector math and normalization kernels do not need the
/// single rounding, so they use these, which are two vector instructions on every
/// target. The FLOP-heavy tiles, where FMA matters, run in SwiftNNMicroKernels.
extension SIMD where Scalar == Float {
    /// self + a·b, rounded twice.
    @inline(__always)
    func plusProduct(_ a: Self, _ b: Self) -> Self { self + a * b }

    /// self + a·b, rounded twice.
    @inline(__always)
    func plusProduct(_ a: Self, _ b: Float) -> Self { self + a * b }

    /// self += a·b, rounded twice.
    @inline(__always)
    mutating func accumulateProduct(_ a: Self, _ b: Self) { self = self + a * b }
}

import SwiftNNMicroKernels

/// What a convolution does to its output right after computing it, while the values
/// are still in cache: add a residual of the output's shape, then clamp at zero. This
/// is the tail of an eval-mode conv → BN (folded into the filters and bias) → (+ x) →
/// ReLU, so the separate BN, add and ReLU passes over memory disappear.
///
/// ReLU keeps NaN, as `Tensor.relu` and the batch-norm kernels do.
package struct ConvEpilogue {
    /// A tensor of the output's shape added before the ReLU (a residual branch).
    package var residual: UnsafePointer<Float>?
    package var relu: Bool

    package init(residual: UnsafePointer<Float>? = nil, relu: Bool = false) {
        self.residual = residual
        self.relu = relu
    }

    /// Nothing to do: the plain convolution.
    package static let none = ConvEpilogue()

    package var isNone: Bool { residual == nil && !relu }

    /// y[range] = relu?(y[range] + residual?[range]), in place: the batch-norm kernel's
    /// scale-shift-residual-ReLU loop with scale 1 and shift 0 (per ISA, in C).
    package func apply(_ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        guard !isNone, !range.isEmpty else { return }
        swiftnn_scale_shift(y + range.lowerBound, residual.map { $0 + range.lowerBound }, y + range.lowerBound,
                            range.count, 1, 0, relu ? 1 : 0)
    }
}

/// Filters kept ready between calls for the kernels that would otherwise transform them
/// on every call (eval-mode weights); each form is asked for only when its path runs, and
/// nil (no memory for it) means the kernel transforms the filters itself as usual.
package protocol PreparedFilters: AnyObject {
    /// Each group's filters [out/groups, in/groups·kh·kw] packed for the GEMM.
    func packedFilters(groups: Int) -> [PackedMatrix]?
    /// U = G·g·Gᵀ of 3×3 filters packed for `Winograd.forward` with tiles of `tileSize` outputs.
    func winogradFilters(outChannels: Int, inChannels: Int, tileSize: Int) -> Winograd.PackedFilters?
}

extension ConvProblem {
    /// y = conv(x, weight) + bias through the fastest applicable path (Winograd, direct,
    /// im2col + GEMM), then `epilogue`. weight is [outChannels, channels/groups, kh, kw];
    /// `prepared` holds it transformed for the Winograd and im2col paths.
    package func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         y: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none, prepared: PreparedFilters? = nil) {
        if let w = winogradForward {
            if let packed = prepared?.winogradFilters(outChannels: outChannels, inChannels: geometry.channels,
                                                      tileSize: w.tileSize) {
                Winograd.forward(w, x: x, packed: packed, bias: bias, y: y, epilogue: epilogue)
            } else {
                Winograd.forward(w, x: x, filters: weight, rotated: false, bias: bias, y: y, epilogue: epilogue)
            }
        } else if let d = directForward {
            DirectConv.forward(d, x: x, filters: weight, rotated: false, bias: bias, y: y, epilogue: epilogue)
        } else {
            ConvKernel.forward(self, x: x, weight: weight, bias: bias, y: y, epilogue: epilogue,
                               packedFilters: prepared?.packedFilters(groups: groups) ?? nil)
        }
    }
}

import SwiftNNMicroKernels

/// Where the channels of a logical [outer, channels, inner] tensor live: element
/// (o, c, i) is at `base[c] + o·stride[c] + i`. One contiguous tensor is the simple
/// case; the channel-concatenation of several tensors (DenseNet's growing feature
/// list) is read and written in place this way, without a `cat` copy.
package struct ChannelPlanes {
    package let outer: Int, channels: Int, inner: Int
    private let base: [UnsafeMutablePointer<Float>]
    private let stride: [Int]

    /// `pieces` are [outer, pieceChannels, inner] tensors, joined in order.
    package init(_ pieces: [(data: UnsafeMutablePointer<Float>, channels: Int)], outer: Int, inner: Int) {
        var base: [UnsafeMutablePointer<Float>] = [], stride: [Int] = []
        for piece in pieces {
            for c in 0..<piece.channels {
                base.append(piece.data + c &* inner)
                stride.append(piece.channels &* inner)
            }
        }
        self.outer = outer
        self.channels = base.count
        self.inner = inner
        self.base = base
        self.stride = stride
    }

    /// One contiguous [outer, channels, inner] tensor.
    package init(_ data: UnsafeMutablePointer<Float>, outer: Int, channels: Int, inner: Int) {
        self.init([(data, channels)], outer: outer, inner: inner)
    }

    /// The `inner` elements of (o, c).
    @inline(__always)
    package func row(_ o: Int, _ c: Int) -> UnsafeMutablePointer<Float> { base[c] + o &* stride[c] }

    /// The table as the C row-block kernels take it, valid during `body`.
    package func withTable<T>(_ body: (swiftnn_planes) throws -> T) rethrows -> T {
        try base.withUnsafeBufferPointer { bases in
            try stride.withUnsafeBufferPointer { strides in
                // [UnsafeMutablePointer<Float>] and C's float *const * share one layout.
                let table = UnsafeRawPointer(bases.baseAddress)?.assumingMemoryBound(to: UnsafeMutablePointer<Float>?.self)
                return try body(swiftnn_planes(base: table, stride: strides.baseAddress, channels: channels))
            }
        }
    }
}

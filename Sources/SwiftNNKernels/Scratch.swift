/// A 64-byte-aligned float buffer for kernel scratch space (im2col columns,
/// packed GEMM panels, transformed tiles), recycled through `BufferCache` so
/// a training step does not fault the same pages in again every call.
package struct Scratch {
    package let base: UnsafeMutablePointer<Float>
    private let bytes: Int

    package init(count: Int, zeroed: Bool = false) {
        bytes = max(count, 1) &* MemoryLayout<Float>.stride
        // Scratch sizes follow from tensors that were already allocated, so
        // running out here is as fatal as a failed stack allocation.
        guard let raw = BufferCache.allocate(bytes: bytes) else {
            fatalError("swiftnn: cannot allocate \(bytes) bytes of kernel scratch space")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { base.initialize(repeating: 0, count: count) }
    }

    package func free() { BufferCache.release(base, bytes: bytes) }
}

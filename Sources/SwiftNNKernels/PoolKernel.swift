import SwiftNNMicroKernels

/// The input positions each output index of one axis pools over: `count`
/// positions from `first` in steps of `step` (all inside the input), and the
/// window's extent counting padding (`count_include_pad` divides by it).
package struct PoolAxis {
    package var first: [Int] = []
    package var count: [Int] = []
    package var paddedCount: [Int] = []
    package var step = 1

    package var outputs: Int { first.count }

    /// Windows of `kernel` taps every `stride`, `padding` before the input, taps `dilation` apart.
    package static func sliding(size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, outputs: Int) -> PoolAxis {
        var axis = PoolAxis(step: dilation)
        for o in 0..<outputs {
            let start = o &* stride &- padding
            let paddedEnd = min(start &+ (kernel &- 1) &* dilation &+ 1, size &+ padding)
            // First and last taps inside [0, size), computed rather than searched: a
            // window of 2^31 taps must not cost 2^31 steps.
            let firstTap = start < 0 ? min(kernel, (0 &- start &+ dilation &- 1) / dilation) : 0
            let lastTap = start >= size ? -1 : min(kernel &- 1, (size &- 1 &- start) / dilation)
            axis.first.append(start &+ firstTap &* dilation)
            axis.count.append(max(0, lastTap &- firstTap &+ 1))
            axis.paddedCount.append(paddedEnd &- start)
        }
        return axis
    }

    /// PyTorch's adaptive windows: [floor(o·size/out), ceil((o+1)·size/out)).
    package static func adaptive(size: Int, outputs: Int) -> PoolAxis {
        var axis = PoolAxis()
        for o in 0..<outputs {
            let start = o &* size / outputs
            let end = ((o &+ 1) &* size &+ outputs &- 1) / outputs
            axis.first.append(start)
            axis.count.append(end &- start)
            axis.paddedCount.append(end &- start)
        }
        return axis
    }

    /// Output length of a sliding window, PyTorch's rule: with ceil_mode the last
    /// window must still start inside the input or its left padding.
    package static func outputSize(size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool) -> Int {
        let span = size &+ 2 &* padding &- dilation &* (kernel &- 1) &- 1
        guard span >= 0 else { return 0 }
        var out = (ceilMode ? (span &+ stride &- 1) / stride : span / stride) &+ 1
        if ceilMode && (out &- 1) &* stride >= size &+ padding { out &-= 1 }
        return out
    }
}

/// Max and average pooling over [planes, height, width], one plane per task.
package enum PoolKernel {
    /// y = max over each window; `argmax` receives the flat index (y·W + x) of the
    /// maximum inside its plane, as PyTorch's `return_indices`. NaN wins, as in PyTorch.
    package static func maxForward(_ x: UnsafePointer<Float>, planes: Int, height: Int, width: Int,
                           rows: PoolAxis, cols: PoolAxis,
                           y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let outH = rows.outputs, outW = cols.outputs
        let outPlane = outH &* outW
        ThreadPool.shared.parallelFor(planes, grain: max(1, 4096 / max(outPlane, 1))) { range in
            for plane in range {
                let src = x + plane &* height &* width
                let dst = y + plane &* outPlane, idx = argmax + plane &* outPlane
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var best = -Float.infinity, bestIndex = -1
                        var iy = rows.first[oy]
                        for _ in 0..<rows.count[oy] {
                            var ix = cols.first[ox]
                            for _ in 0..<cols.count[ox] {
                                let v = src[iy &* width &+ ix]
                                if v > best || v.isNaN || bestIndex < 0 {
                                    best = v
                                    bestIndex = iy &* width &+ ix
                                    if v.isNaN { break }
                                }
                                ix &+= cols.step
                            }
                            if best.isNaN { break }
                            iy &+= rows.step
                        }
                        dst[oy &* outW &+ ox] = best
                        idx[oy &* outW &+ ox] = Int32(truncatingIfNeeded: max(bestIndex, 0))
                    }
                }
            }
        }
    }

    /// The common 2×2, stride-2, unpadded max-pool (every window full; an odd last row or
    /// column is left out): the per-ISA loop of pool_body.h over bands of planes.
    /// Same results and NaN rule as `maxForward`.
    package static func maxForward2x2(_ x: UnsafePointer<Float>, planes: Int, height: Int, width: Int,
                              y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let outPlane = (height / 2) &* (width / 2)
        ThreadPool.shared.parallelFor(planes, grain: max(1, Pointwise.grain / max(height &* width, 1))) { range in
            let p = range.lowerBound
            swiftnn_max_pool_2x2(x + p &* height &* width, range.count, height, width, y + p &* outPlane, argmax + p &* outPlane)
        }
    }

    /// gx (overwritten) = gy scattered to the recorded maxima.
    package static func maxBackward(_ gy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, planes: Int,
                            inPlane: Int, outPlane: Int, gx: UnsafeMutablePointer<Float>) {
        ThreadPool.shared.parallelFor(planes, grain: max(1, 4096 / max(outPlane, 1))) { range in
            for plane in range {
                let dst = gx + plane &* inPlane
                dst.initialize(repeating: 0, count: inPlane)
                let g = gy + plane &* outPlane, idx = argmax + plane &* outPlane
                for q in 0..<outPlane { dst[Int(idx[q])] += g[q] }
            }
        }
    }

    /// The divisor of every output cell of an average pool.
    package static func divisors(rows: PoolAxis, cols: PoolAxis, countIncludePad: Bool, divisorOverride: Int?) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(rows.outputs &* cols.outputs)
        for oy in 0..<rows.outputs {
            for ox in 0..<cols.outputs {
                let d = divisorOverride ?? (countIncludePad ? rows.paddedCount[oy] &* cols.paddedCount[ox]
                                                            : rows.count[oy] &* cols.count[ox])
                out.append(Float(d))
            }
        }
        return out
    }

    package static func avgForward(_ x: UnsafePointer<Float>, planes: Int, height: Int, width: Int,
                           rows: PoolAxis, cols: PoolAxis, divisors: [Float], y: UnsafeMutablePointer<Float>) {
        let outH = rows.outputs, outW = cols.outputs, outPlane = outH &* outW
        divisors.withUnsafeBufferPointer { div in
            ThreadPool.shared.parallelFor(planes, grain: max(1, 4096 / max(outPlane, 1))) { range in
                for plane in range {
                    let src = x + plane &* height &* width, dst = y + plane &* outPlane
                    for oy in 0..<outH {
                        for ox in 0..<outW {
                            var total: Float = 0
                            var iy = rows.first[oy]
                            for _ in 0..<rows.count[oy] {
                                let line = src + (iy &* width &+ cols.first[ox])
                                for j in 0..<cols.count[ox] { total += line[j] }
                                iy &+= 1
                            }
                            dst[oy &* outW &+ ox] = total / div[oy &* outW &+ ox]
                        }
                    }
                }
            }
        }
    }

    /// gx (overwritten): each output's gradient spread evenly over its window.
    package static func avgBackward(_ gy: UnsafePointer<Float>, planes: Int, height: Int, width: Int,
                            rows: PoolAxis, cols: PoolAxis, divisors: [Float], gx: UnsafeMutablePointer<Float>) {
        let outH = rows.outputs, outW = cols.outputs, outPlane = outH &* outW
        divisors.withUnsafeBufferPointer { div in
            ThreadPool.shared.parallelFor(planes, grain: max(1, 4096 / max(outPlane, 1))) { range in
                for plane in range {
                    let dst = gx + plane &* height &* width, g = gy + plane &* outPlane
                    dst.initialize(repeating: 0, count: height &* width)
                    for oy in 0..<outH {
                        for ox in 0..<outW {
                            let share = g[oy &* outW &+ ox] / div[oy &* outW &+ ox]
                            var iy = rows.first[oy]
                            for _ in 0..<rows.count[oy] {
                                let line = dst + (iy &* width &+ cols.first[ox])
                                for j in 0..<cols.count[ox] { line[j] += share }
                                iy &+= 1
                            }
                        }
                    }
                }
            }
        }
    }
}

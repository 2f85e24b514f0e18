/// A function on eight lanes, as a type so that loops over it are specialised and
/// inlined (a closure passed through the thread pool is called per vector instead).
package protocol LaneMap { static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> }
package protocol LaneZip { static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> }

/// Elementwise loops over eight-lane functions (VectorMath), split over the thread
/// pool. The last count % 8 elements go through the same function in a zero-padded
/// vector, so every element sees identical arithmetic.
package enum VectorLoops {
    package typealias V = SIMD8<Float>

    /// Elements per thread below which splitting costs more than it saves.
    package static let grain = 1 << 13

    /// out[i] = F(a[i]).
    package static func map<F: LaneMap>(_: F.Type, _ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        ThreadPool.shared.parallelFor(count, grain: grain) { range in
            var i = range.lowerBound
            while i &+ 8 <= range.upperBound {
                store(F.apply(load(a + i)), out + i)
                i &+= 8
            }
            if i < range.upperBound {
                let rest = range.upperBound &- i
                store(F.apply(load(a + i, count: rest)), out + i, count: rest)
            }
        }
    }

    /// out[i] = F(a[i], b[i]).
    package static func zip<F: LaneZip>(_: F.Type, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ out: UnsafeMutablePointer<Float>, count: Int) {
        ThreadPool.shared.parallelFor(count, grain: grain) { range in
            var i = range.lowerBound
            while i &+ 8 <= range.upperBound {
                store(F.apply(load(a + i), load(b + i)), out + i)
                i &+= 8
            }
            if i < range.upperBound {
                let rest = range.upperBound &- i
                store(F.apply(load(a + i, count: rest), load(b + i, count: rest)), out + i, count: rest)
            }
        }
    }

    @inline(__always)
    package static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    package static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// The first `count` (< 8) lanes from p, zeros after.
    @inline(__always)
    package static func load(_ p: UnsafePointer<Float>, count: Int) -> V {
        var v = V()
        for j in 0..<count { v[j] = p[j] }
        return v
    }

    @inline(__always)
    package static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { p[j] = v[j] }
    }
}

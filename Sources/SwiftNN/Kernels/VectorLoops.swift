/// Elementwise loops over SIMD8 bodies, for functions written on eight lanes
/// (VectorMath). The last count % 8 elements go through the same body in a
/// zero-padded vector, so every element sees identical arithmetic.
enum VectorLoops {
    typealias V = SIMD8<Float>

    /// Elements per thread below which splitting costs more than it saves.
    static let grain = 1 << 13

    /// out[i] = f(a[i]), split over the thread pool.
    @inline(__always)
    static func map(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, _ f: (V) -> V) {
        ThreadPool.shared.parallelFor(count, grain: grain) { range in
            var i = range.lowerBound
            while i &+ 8 <= range.upperBound {
                store(f(load(a + i)), out + i)
                i &+= 8
            }
            if i < range.upperBound {
                let rest = range.upperBound &- i
                store(f(load(a + i, count: rest)), out + i, count: rest)
            }
        }
    }

    /// out[i] = f(a[i], b[i]), split over the thread pool.
    @inline(__always)
    static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                    count: Int, _ f: (V, V) -> V) {
        ThreadPool.shared.parallelFor(count, grain: grain) { range in
            var i = range.lowerBound
            while i &+ 8 <= range.upperBound {
                store(f(load(a + i), load(b + i)), out + i)
                i &+= 8
            }
            if i < range.upperBound {
                let rest = range.upperBound &- i
                store(f(load(a + i, count: rest), load(b + i, count: rest)), out + i, count: rest)
            }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// The first `count` (< 8) lanes from p, zeros after.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, count: Int) -> V {
        var v = V()
        for j in 0..<count { v[j] = p[j] }
        return v
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { p[j] = v[j] }
    }
}

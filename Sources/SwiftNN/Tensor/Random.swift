#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// xoshiro256** seeded through splitmix64: integer-only, so a seed gives the same
/// stream on every platform. Normal samples use Box–Muller in Double precision.
public struct RandomGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 24 random bits, exactly representable as Float.
    @inline(__always)
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, n) without modulo bias.
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let r = next()
            if r < limit { return Int(r % bound) }
        }
    }

    /// Fills `count` standard-normal samples; pairs come from one Box–Muller draw.
    public mutating func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, std: Float = 1) {
        var i = 0
        while i < count {
            // 53-bit uniform in (0, 1] keeps log() finite.
            let u1 = Double((next() >> 11) &+ 1) * 0x1p-53
            let u2 = Double(next() >> 11) * 0x1p-53
            let radius = (-2 * log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            out[i] = mean + std * Float(radius * cos(angle))
            if i &+ 1 < count { out[i &+ 1] = mean + std * Float(radius * sin(angle)) }
            i &+= 2
        }
    }

    public mutating func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, low: Float = 0, high: Float = 1) {
        let width = high - low
        for i in 0..<count { out[i] = low + width * nextUniform() }
    }
}

/// The process-wide generator behind `manualSeed`, `randn`, weight initialisation
/// and dropout. Guarded by a mutex because the Python extension calls the engine
/// with the GIL released.
public enum DefaultGenerator {
    private static var generator = RandomGenerator(seed: 0x5EED)
    private static var initial: UInt64 = 0x5EED
    private static var mutex: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    public static func seed(_ seed: UInt64) {
        withGenerator {
            $0 = RandomGenerator(seed: seed)
            initial = seed
        }
    }

    /// The seed the generator was last seeded with (PyTorch's `torch.initial_seed`).
    public static var initialSeed: UInt64 { withGenerator { _ in initial } }

    public static func withGenerator<T>(_ body: (inout RandomGenerator) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&generator)
    }
}

/// Seeds the default generator (PyTorch's `torch.manual_seed`).
public func manualSeed(_ seed: UInt64) { DefaultGenerator.seed(seed) }

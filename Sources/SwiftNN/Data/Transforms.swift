/// Per-sample image transforms with torchvision's semantics, applied to [C, H, W]
/// float samples inside the engine.
public enum Transform: Equatable {
    /// Scales raw uint8 pixel values to [0, 1] (torchvision `ToTensor`; samples are already CHW).
    case toTensor
    /// (x - mean[c]) / std[c] per channel; one value applies to every channel.
    case normalize(mean: [Float], std: [Float])
    /// A random size.0 × size.1 window of the sample zero-padded by `padding` on every side.
    case randomCrop(height: Int, width: Int, padding: Int)
    /// The central window; offsets rounded half-to-even as torchvision's `int(round(...))`.
    case centerCrop(height: Int, width: Int)
    /// Mirrors left-right with probability p.
    case randomHorizontalFlip(p: Float)
    /// Resamples to height × width; bilinear uses half-pixel centres (align_corners=False), no antialias.
    case resize(height: Int, width: Int, mode: ResizeMode)
    /// Resizes so the shorter edge becomes `size`, keeping the aspect ratio (`Resize(int)`).
    case resizeShorter(size: Int, mode: ResizeMode)

    public enum ResizeMode: Equatable { case nearest, bilinear }

    public static func randomCrop(_ size: Int, padding: Int = 0) -> Transform {
        .randomCrop(height: size, width: size, padding: padding)
    }
}

/// A chain of transforms (torchvision `Compose`) that checks shapes before any sample is touched.
public struct Compose: Equatable {
    public var transforms: [Transform]

    public init(_ transforms: [Transform] = []) { self.transforms = transforms }

    /// The shape each sample leaves with; throws for an impossible chain.
    public func outputShape(for input: [Int], rawPixels: Bool) throws -> [Int] {
        var shape = input, raw = rawPixels
        for t in transforms {
            if t != .toTensor && shape.count != 3 {
                throw SwiftNNError.invalidArgument("\(name(t)) needs [C, H, W] samples, got shape \(describe(shape))")
            }
            switch t {
            case .toTensor:
                raw = false
            case let .normalize(mean, std):
                if raw {
                    throw SwiftNNError.invalidArgument("Normalize expects a tensor: put ToTensor() before it")
                }
                for values in [mean, std] where values.count != 1 && values.count != shape[0] {
                    throw SwiftNNError.invalidArgument(
                        "Normalize has \(values.count) values per statistic but the sample has \(shape[0]) channels")
                }
                if std.contains(0) {
                    throw SwiftNNError.invalidArgument("std evaluated to zero, leading to division by zero")
                }
            case let .randomCrop(h, w, padding):
                guard h > 0, w > 0, padding >= 0 else {
                    throw SwiftNNError.invalidArgument("RandomCrop needs a positive size and non-negative padding")
                }
                guard h <= shape[1] + 2 * padding, w <= shape[2] + 2 * padding else {
                    throw SwiftNNError.invalidArgument("required crop size (\(h), \(w)) is larger than the padded " +
                                                       "input image size (\(shape[1] + 2 * padding), \(shape[2] + 2 * padding))")
                }
                shape = [shape[0], h, w]
            case let .centerCrop(h, w):
                guard h > 0, w > 0, h <= shape[1], w <= shape[2] else {
                    throw SwiftNNError.invalidArgument("CenterCrop size (\(h), \(w)) must be positive and fit the " +
                                                       "image (\(shape[1]), \(shape[2]))")
                }
                shape = [shape[0], h, w]
            case let .randomHorizontalFlip(p):
                guard p >= 0 && p <= 1 else { throw SwiftNNError.invalidArgument("flip probability must be in [0, 1], got \(p)") }
            case let .resize(h, w, _):
                guard h > 0, w > 0, h <= 1 << 15, w <= 1 << 15 else {
                    throw SwiftNNError.invalidArgument("Resize needs a size between 1 and 32768, got (\(h), \(w))")
                }
                shape = [shape[0], h, w]
            case let .resizeShorter(size, _):
                guard size > 0, size <= 1 << 15 else { throw SwiftNNError.invalidArgument("Resize needs a positive size, got \(size)") }
                shape = [shape[0]] + Self.shorterEdgeSize(size, height: shape[1], width: shape[2])
            }
            try validateShape(shape)
        }
        return shape
    }

    /// torchvision: the short side becomes `size`, the long side int(size * long / short).
    static func shorterEdgeSize(_ size: Int, height: Int, width: Int) -> [Int] {
        if height <= width { return [size, max(1, size * width / max(height, 1))] }
        return [max(1, size * height / max(width, 1)), size]
    }

    func name(_ t: Transform) -> String {
        switch t {
        case .toTensor: return "ToTensor"
        case .normalize: return "Normalize"
        case .randomCrop: return "RandomCrop"
        case .centerCrop: return "CenterCrop"
        case .randomHorizontalFlip: return "RandomHorizontalFlip"
        case .resize, .resizeShorter: return "Resize"
        }
    }

    /// The largest number of floats any stage holds (the size of each scratch buffer).
    func scratchCount(for input: [Int], rawPixels: Bool) throws -> Int {
        var largest = input.reduce(1, *)
        for k in transforms.indices {
            let shape = try Compose(Array(transforms[...k])).outputShape(for: input, rawPixels: rawPixels)
            largest = max(largest, shape.reduce(1, *))
        }
        return largest
    }

    /// Runs the chain on one sample held in `a` (shape `input`), using `b` as the
    /// second buffer; returns the buffer that holds the result. Shapes were
    /// validated by `outputShape`. Random choices come from `rng`.
    func apply(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, shape input: [Int],
               rawPixels: Bool, rng: inout RandomGenerator) -> UnsafeMutablePointer<Float> {
        var src = a, dst = b
        // Only ToTensor accepts samples that are not [C, H, W]; it keeps their size n.
        let c = input.count == 3 ? input[0] : 1, n = input.reduce(1, *)
        var h = input.count == 3 ? input[1] : 1, w = input.count == 3 ? input[2] : n
        var raw = rawPixels
        for t in transforms {
            switch t {
            case .toTensor:
                if raw {
                    for i in 0..<c &* h &* w { src[i] /= 255 }
                }
                raw = false
            case let .normalize(mean, std):
                let plane = h &* w
                for ch in 0..<c {
                    let m = mean.count == 1 ? mean[0] : mean[ch], s = std.count == 1 ? std[0] : std[ch]
                    let p = src + ch &* plane
                    // (x - m) / s as PyTorch computes it (a true division, not a multiply by 1/s).
                    for i in 0..<plane { p[i] = (p[i] - m) / s }
                }
            case let .randomCrop(ch, cw, padding):
                let top = rng.nextInt(below: h + 2 * padding - ch + 1) - padding
                let left = rng.nextInt(below: w + 2 * padding - cw + 1) - padding
                cropWindow(src, dst, c: c, h: h, w: w, top: top, left: left, outH: ch, outW: cw)
                swap(&src, &dst); h = ch; w = cw
            case let .centerCrop(ch, cw):
                let top = Int((Double(h - ch) / 2).rounded(.toNearestOrEven))
                let left = Int((Double(w - cw) / 2).rounded(.toNearestOrEven))
                cropWindow(src, dst, c: c, h: h, w: w, top: top, left: left, outH: ch, outW: cw)
                swap(&src, &dst); h = ch; w = cw
            case let .randomHorizontalFlip(p):
                if rng.nextUniform() < p { flipRows(src, rows: c &* h, width: w) }
            case let .resize(oh, ow, mode):
                resample(src, dst, c: c, h: h, w: w, outH: oh, outW: ow, mode: mode)
                swap(&src, &dst); h = oh; w = ow
            case let .resizeShorter(size, mode):
                let hw = Self.shorterEdgeSize(size, height: h, width: w)
                resample(src, dst, c: c, h: h, w: w, outH: hw[0], outW: hw[1], mode: mode)
                swap(&src, &dst); h = hw[0]; w = hw[1]
            }
        }
        return src
    }
}

// MARK: Kernels (one sample, CHW)

/// Copies the outH × outW window at (top, left) of each channel; pixels outside the image are 0.
func cropWindow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, c: Int, h: Int, w: Int,
                top: Int, left: Int, outH: Int, outW: Int) {
    let x0 = max(0, -left), x1 = min(outW, w - left)
    for ch in 0..<c {
        for y in 0..<outH {
            let row = dst + (ch &* outH &+ y) &* outW
            let sy = top &+ y
            guard sy >= 0 && sy < h && x0 < x1 else {
                row.update(repeating: 0, count: outW)
                continue
            }
            if x0 > 0 { row.update(repeating: 0, count: x0) }
            let from: Int = (ch &* h &+ sy) &* w &+ left &+ x0
            row.advanced(by: x0).update(from: src.advanced(by: from), count: x1 &- x0)
            if x1 < outW { row.advanced(by: x1).update(repeating: 0, count: outW &- x1) }
        }
    }
}

func flipRows(_ p: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    for r in 0..<rows {
        let row = p + r &* width
        var i = 0, j = width &- 1
        while i < j {
            let t = row[i]; row[i] = row[j]; row[j] = t
            i &+= 1; j &-= 1
        }
    }
}

/// Source coordinates of each output position along one axis: index pair and weight of the second.
func resampleTaps(input: Int, output: Int, mode: Transform.ResizeMode) -> [(Int, Int, Float)] {
    let scale = Double(input) / Double(output)
    return (0..<output).map { o in
        switch mode {
        case .nearest:
            // PyTorch "nearest": floor(o * scale).
            let i = min(Int((Double(o) * scale).rounded(.down)), input - 1)
            return (i, i, 0)
        case .bilinear:
            // Half-pixel centres (align_corners=False); negative positions clamp to 0.
            let x = max((Double(o) + 0.5) * scale - 0.5, 0)
            let i0 = min(Int(x), input - 1), i1 = min(i0 + 1, input - 1)
            return (i0, i1, Float(x - Double(i0)))
        }
    }
}

func resample(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, c: Int, h: Int, w: Int,
              outH: Int, outW: Int, mode: Transform.ResizeMode) {
    let ys = resampleTaps(input: h, output: outH, mode: mode)
    let xs = resampleTaps(input: w, output: outW, mode: mode)
    for ch in 0..<c {
        let plane = src + ch &* h &* w
        for (oy, (y0, y1, fy)) in ys.enumerated() {
            let r0 = plane + y0 &* w, r1 = plane + y1 &* w
            let out = dst + (ch &* outH &+ oy) &* outW
            for (ox, (x0, x1, fx)) in xs.enumerated() {
                let top = r0[x0] + (r0[x1] - r0[x0]) * fx
                let bottom = r1[x0] + (r1[x1] - r1[x0]) * fx
                out[ox] = top + (bottom - top) * fy
            }
        }
    }
}

extension Compose {
    /// Applies the chain to one sample (calling a transform directly); random
    /// choices come from a generator seeded with `seed`.
    public func callAsFunction(_ sample: Tensor, rawPixels: Bool, seed: UInt64) throws -> Tensor {
        let shape = try outputShape(for: sample.shape, rawPixels: rawPixels)
        let scratch = try scratchCount(for: sample.shape, rawPixels: rawPixels)
        let a = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
        defer { a.deallocate(); b.deallocate() }
        a.update(from: sample.data, count: sample.count)
        var rng = RandomGenerator(seed: seed)
        let result = apply(a, b, shape: sample.shape, rawPixels: rawPixels, rng: &rng)
        return try Tensor(shape: shape, copying: result)
    }

    /// Whether samples are still raw uint8 pixel values after the chain.
    public func keepsRawPixels(_ rawPixels: Bool) -> Bool { rawPixels && !transforms.contains(.toTensor) }
}

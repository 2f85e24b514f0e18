import XCTest
@testable import SwiftNN

/// Transforms against naive references written index by index.
final class DataTransformTests: XCTestCase {
    /// A [c, h, w] sample with distinct values.
    func sample(_ c: Int, _ h: Int, _ w: Int) throws -> Tensor {
        try Tensor(shape: [c, h, w], scalars: (0..<c * h * w).map { Float(($0 * 37) % 256) })
    }

    func at(_ t: [Float], _ shape: [Int], _ c: Int, _ y: Int, _ x: Int) -> Float {
        t[(c * shape[1] + y) * shape[2] + x]
    }

    func testToTensorAndNormalize() throws {
        let x = try sample(3, 2, 5)
        let mean: [Float] = [0.5, 0.4, 0.3], std: [Float] = [0.2, 0.25, 0.5]
        let y = try Compose([.toTensor, .normalize(mean: mean, std: std)])(x, rawPixels: true, seed: 0)
        let expected = x.scalars.enumerated().map { i, v in (v / 255 - mean[i / 10]) / std[i / 10] }
        XCTAssertEqual(y.scalars, expected)
        // ToTensor leaves float (non-pixel) data unscaled, as torchvision does for float arrays.
        XCTAssertEqual(try Compose([.toTensor])(x, rawPixels: false, seed: 0).scalars, x.scalars)
        XCTAssertThrowsError(try Compose([.normalize(mean: [0], std: [1])]).outputShape(for: [3, 2, 2], rawPixels: true))
        XCTAssertThrowsError(try Compose([.normalize(mean: [0, 0], std: [1, 1])]).outputShape(for: [3, 2, 2], rawPixels: false))
        XCTAssertThrowsError(try Compose([.normalize(mean: [0], std: [0])]).outputShape(for: [3, 2, 2], rawPixels: false))
    }

    func testRandomCropMatchesPaddedWindowsAndCoversAllOffsets() throws {
        let x = try sample(2, 5, 4)
        let padding = 2, ch = 5, cw = 3
        let ph = 5 + 2 * padding, pw = 4 + 2 * padding
        // Naive reference: zero-pad, then every possible window.
        func padded(_ c: Int, _ y: Int, _ x0: Int) -> Float {
            let sy = y - padding, sx = x0 - padding
            return sy >= 0 && sy < 5 && sx >= 0 && sx < 4 ? at(x.scalars, x.shape, c, sy, sx) : 0
        }
        var windows: [[Float]: (Int, Int)] = [:]
        for top in 0...(ph - ch) {
            for left in 0...(pw - cw) {
                var w: [Float] = []
                for c in 0..<2 { for y in 0..<ch { for x0 in 0..<cw { w.append(padded(c, top + y, left + x0)) } } }
                windows[w] = (top, left)
            }
        }
        var seen = Set<Int>()
        for seed in 0..<400 {
            let y = try Compose([.randomCrop(height: ch, width: cw, padding: padding)])(x, rawPixels: true, seed: UInt64(seed))
            XCTAssertEqual(y.shape, [2, ch, cw])
            guard let (top, left) = windows[y.scalars] else { return XCTFail("crop is no window of the padded input") }
            seen.insert(top * 100 + left)
        }
        XCTAssertEqual(seen.count, (ph - ch + 1) * (pw - cw + 1), "every offset should occur")
        XCTAssertThrowsError(try Compose([.randomCrop(10)]).outputShape(for: [3, 4, 4], rawPixels: true))
    }

    func testCenterCrop() throws {
        let x = try sample(1, 6, 7)
        let y = try Compose([.centerCrop(height: 3, width: 4)])(x, rawPixels: true, seed: 0)
        // top = round(1.5) = 2 (half to even), left = round(1.5) = 2.
        var expected: [Float] = []
        for r in 0..<3 { for c in 0..<4 { expected.append(at(x.scalars, x.shape, 0, 2 + r, 2 + c)) } }
        XCTAssertEqual(y.scalars, expected)
    }

    func testHorizontalFlip() throws {
        let x = try sample(3, 4, 5)
        var mirrored: [Float] = []
        for c in 0..<3 { for r in 0..<4 { for col in 0..<5 { mirrored.append(at(x.scalars, x.shape, c, r, 4 - col)) } } }
        XCTAssertEqual(try Compose([.randomHorizontalFlip(p: 1)])(x, rawPixels: true, seed: 1).scalars, mirrored)
        XCTAssertEqual(try Compose([.randomHorizontalFlip(p: 0)])(x, rawPixels: true, seed: 1).scalars, x.scalars)
        var flips = 0
        for seed in 0..<1000 {
            let y = try Compose([.randomHorizontalFlip(p: 0.5)])(x, rawPixels: true, seed: UInt64(seed)).scalars
            XCTAssertTrue(y == mirrored || y == x.scalars)
            if y == mirrored { flips += 1 }
        }
        XCTAssertTrue((430...570).contains(flips), "\(flips) flips in 1000")
    }

    func testResizeKnownValues() throws {
        let x = try Tensor(shape: [1, 2, 2], scalars: [0, 1, 2, 3])
        // torch.nn.functional.interpolate(x, size=4, mode="bilinear", align_corners=False)
        let up = try Compose([.resize(height: 4, width: 4, mode: .bilinear)])(x, rawPixels: false, seed: 0)
        XCTAssertEqual(up.scalars, [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3])
        let near = try Compose([.resize(height: 4, width: 4, mode: .nearest)])(x, rawPixels: false, seed: 0)
        XCTAssertEqual(near.scalars, [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
    }

    func testResizeBilinearAgainstNaive() throws {
        for (h, w, oh, ow) in [(5, 7, 11, 3), (32, 32, 227, 224), (9, 4, 4, 9), (1, 3, 2, 5)] {
            let x = try sample(2, h, w)
            let y = try Compose([.resize(height: oh, width: ow, mode: .bilinear)])(x, rawPixels: true, seed: 0)
            XCTAssertEqual(y.shape, [2, oh, ow])
            let ys = y.scalars
            for c in 0..<2 {
                for oy in stride(from: 0, to: oh, by: max(1, oh / 13)) {
                    for ox in stride(from: 0, to: ow, by: max(1, ow / 13)) {
                        // Weighted sum of the four neighbours (PyTorch's formulation).
                        let sy = max((Double(oy) + 0.5) * Double(h) / Double(oh) - 0.5, 0)
                        let sx = max((Double(ox) + 0.5) * Double(w) / Double(ow) - 0.5, 0)
                        let y0 = Int(sy), x0 = Int(sx)
                        let y1 = min(y0 + 1, h - 1), x1 = min(x0 + 1, w - 1)
                        let ly = sy - Double(y0), lx = sx - Double(x0)
                        func v(_ yy: Int, _ xx: Int) -> Double { Double(at(x.scalars, x.shape, c, yy, xx)) }
                        let expected = (1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1))
                        XCTAssertEqual(Double(ys[(c * oh + oy) * ow + ox]), expected, accuracy: 1e-3)
                    }
                }
            }
        }
    }

    func testResizeShorterEdge() throws {
        XCTAssertEqual(try Compose([.resizeShorter(size: 8, mode: .bilinear)]).outputShape(for: [3, 4, 6], rawPixels: true), [3, 8, 12])
        XCTAssertEqual(try Compose([.resizeShorter(size: 5, mode: .nearest)]).outputShape(for: [3, 7, 3], rawPixels: true), [3, 11, 5])
    }

    func testTransformsNeedImages() {
        XCTAssertThrowsError(try Compose([.randomHorizontalFlip(p: 0.5)]).outputShape(for: [64], rawPixels: false))
        XCTAssertNoThrow(try Compose([.toTensor]).outputShape(for: [64], rawPixels: true))
    }
}

import XCTest
@testable import SwiftNN

/// Window arguments at the extremes of Int reach the engine's layers and ops
/// directly (Swift callers have no C ABI range check in front): each is an
/// invalid-argument error, never a trap (Swift's overflow trap is SIGILL).
final class SizeArithmeticTests: XCTestCase {
    let extremes = [Int.min, Int.min + 1, -1, 0, Int(Int32.max) + 1, Int.max / 2, Int.max]

    func testConvolutionRejectsExtremeWindowArguments() throws {
        let x = try Tensor.ones([1, 1, 5, 5]), w = try Tensor.ones([1, 1, 3, 3])
        for v in extremes {
            assertThrows(.invalidArgument, try x.conv2d(weight: w, stride: Pair(v, 1)))
            assertThrows(.invalidArgument, try x.conv2d(weight: w, dilation: Pair(1, v)))
            assertThrows(.invalidArgument, try x.conv2d(weight: w, groups: v == 0 ? -1 : v))
            assertThrows(.invalidArgument, try Conv2d(1, 1, kernelSize: Pair(v)))
            assertThrows(.invalidArgument, try Conv2d(1, 1, kernelSize: Pair(3), stride: Pair(v)))
            assertThrows(.invalidArgument, try Conv2d(1, 1, kernelSize: Pair(3), dilation: Pair(v)))
            if v < 0 || v > Int(Int32.max) {
                assertThrows(.invalidArgument, try x.conv2d(weight: w, padding: .explicit(v, 0)))
                assertThrows(.invalidArgument, try Conv2d(1, 1, kernelSize: Pair(3), padding: .explicit(0, v)))
            }
        }
        // 'same' padding with a dilation whose kernel extent overflows Int.
        assertThrows(.invalidArgument, try x.conv2d(weight: w, padding: .same, dilation: Pair(Int.max / 2)))
    }

    func testHugeButValidPaddingIsAnOutputSizeError() throws {
        let x = try Tensor.ones([1, 1, 5, 5]), w = try Tensor.ones([1, 1, 3, 3])
        assertThrows(.invalidArgument, contains: "too large", try x.conv2d(weight: w, padding: .explicit(Int(Int32.max), Int(Int32.max))))
    }

    func testPoolingRejectsExtremeWindowArguments() throws {
        let x = try Tensor.ones([1, 1, 5, 5])
        for v in extremes {
            assertThrows(.invalidArgument, try x.maxPool2d(kernel: Pair(v)))
            assertThrows(.invalidArgument, try x.maxPool2d(kernel: Pair(2), stride: Pair(v)))
            if v != 0 {  // padding 0 is valid; every other extreme is negative or over half the kernel
                assertThrows(.invalidArgument, try x.maxPool2d(kernel: Pair(3), padding: Pair(v), dilation: Pair(1)))
                assertThrows(.invalidArgument, try MaxPool2d(kernelSize: Pair(3), padding: Pair(v)))
            }
            assertThrows(.invalidArgument, try x.avgPool2d(kernel: Pair(v, 2)))
            assertThrows(.invalidArgument, try AvgPool2d(kernelSize: Pair(v)))
            assertThrows(.invalidArgument, try x.adaptiveAvgPool2d(outputSize: (v, 1)))
            assertThrows(.invalidArgument, try AdaptiveMaxPool2d(outputSize: (1, v)))
        }
        // In range but too many outputs for a tensor: rejected before any window table is built.
        assertThrows(.invalidArgument, try x.adaptiveMaxPool2d(outputSize: (Int(Int32.max), Int(Int32.max))))
    }

    func testWideWindowCostsNoLoopOverItsTaps() throws {
        // 2^31 − 1 taps with padding 2^30: the first/last taps are computed, not searched.
        let x = try Tensor.ones([1, 1, 5, 5])
        let k = Int(Int32.max)
        let y = try x.maxPool2d(kernel: Pair(k, 1), stride: Pair(1), padding: Pair(k / 2, 0))
        XCTAssertEqual(y.shape, [1, 1, 5, 5])
        XCTAssertEqual(y.scalars, [Float](repeating: 1, count: 25))
    }

    func testRandintRangeOverflowIsAnError() {
        assertThrows(.invalidArgument, try Tensor.randint(Int.min, Int.max, [2]))
    }
}

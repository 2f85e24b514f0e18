/// Max, average and adaptive pooling over the last two dimensions of a
/// [N, C, H, W] or [C, H, W] tensor.
extension Tensor {
    /// `F.max_pool2d`; `stride` defaults to the kernel size.
    public func maxPool2d(kernel: Pair, stride: Pair? = nil, padding: Pair = Pair(0), dilation: Pair = Pair(1),
                          ceilMode: Bool = false) throws -> Tensor {
        try maxPool2dWithIndices(kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                                 ceilMode: ceilMode).values
    }

    /// `F.max_pool2d(..., return_indices=True)`: indices are flat positions in each H·W plane.
    public func maxPool2dWithIndices(kernel: Pair, stride: Pair? = nil, padding: Pair = Pair(0),
                                     dilation: Pair = Pair(1), ceilMode: Bool = false) throws -> (values: Tensor, indices: [Int32]) {
        let stride = stride ?? kernel
        let (planes, h, w) = try poolPlanes("max_pool2d")
        try checkWindow("max_pool2d", kernel: kernel, stride: stride, padding: padding, dilation: dilation)
        let rows = PoolAxis.sliding(size: h, kernel: kernel.h, stride: stride.h, padding: padding.h, dilation: dilation.h,
                                    outputs: PoolAxis.outputSize(size: h, kernel: kernel.h, stride: stride.h, padding: padding.h,
                                                                 dilation: dilation.h, ceilMode: ceilMode))
        let cols = PoolAxis.sliding(size: w, kernel: kernel.w, stride: stride.w, padding: padding.w, dilation: dilation.w,
                                    outputs: PoolAxis.outputSize(size: w, kernel: kernel.w, stride: stride.w, padding: padding.w,
                                                                 dilation: dilation.w, ceilMode: ceilMode))
        let result = try maxPool(planes: planes, height: h, width: w, rows: rows, cols: cols, name: "max_pool2d")
        OpTrace.record("max_pool2d", [self], result.values, [
            ("kernel", .ints([kernel.h, kernel.w])), ("stride", .ints([stride.h, stride.w])),
            ("padding", .ints([padding.h, padding.w])), ("dilation", .ints([dilation.h, dilation.w])),
            ("ceil_mode", .bool(ceilMode))])
        return result
    }

    /// `F.avg_pool2d`; `stride` defaults to the kernel size.
    public func avgPool2d(kernel: Pair, stride: Pair? = nil, padding: Pair = Pair(0), ceilMode: Bool = false,
                          countIncludePad: Bool = true, divisorOverride: Int? = nil) throws -> Tensor {
        let stride = stride ?? kernel
        let (planes, h, w) = try poolPlanes("avg_pool2d")
        try checkWindow("avg_pool2d", kernel: kernel, stride: stride, padding: padding, dilation: Pair(1))
        if let divisorOverride, divisorOverride == 0 {
            throw SwiftNNError.invalidArgument("avg_pool2d: divisor must be not zero")
        }
        let rows = PoolAxis.sliding(size: h, kernel: kernel.h, stride: stride.h, padding: padding.h, dilation: 1,
                                    outputs: PoolAxis.outputSize(size: h, kernel: kernel.h, stride: stride.h, padding: padding.h,
                                                                 dilation: 1, ceilMode: ceilMode))
        let cols = PoolAxis.sliding(size: w, kernel: kernel.w, stride: stride.w, padding: padding.w, dilation: 1,
                                    outputs: PoolAxis.outputSize(size: w, kernel: kernel.w, stride: stride.w, padding: padding.w,
                                                                 dilation: 1, ceilMode: ceilMode))
        try SizeArithmetic.reserve(rows.outputs * cols.outputs, of: Float.self, "avg_pool2d divisors")
        let divisors = PoolKernel.divisors(rows: rows, cols: cols, countIncludePad: countIncludePad,
                                           divisorOverride: divisorOverride)
        let out = try avgPool(planes: planes, height: h, width: w, rows: rows, cols: cols, divisors: divisors, name: "avg_pool2d")
        OpTrace.record("avg_pool2d", [self], out, [
            ("kernel", .ints([kernel.h, kernel.w])), ("stride", .ints([stride.h, stride.w])),
            ("padding", .ints([padding.h, padding.w])), ("ceil_mode", .bool(ceilMode)),
            ("count_include_pad", .bool(countIncludePad)), ("divisor_override", .int(divisorOverride ?? 0))])
        return out
    }

    /// `F.adaptive_avg_pool2d`; a nil size keeps that dimension.
    public func adaptiveAvgPool2d(outputSize: (Int?, Int?)) throws -> Tensor {
        let (planes, h, w) = try poolPlanes("adaptive_avg_pool2d")
        let (rows, cols) = try adaptiveAxes(outputSize, height: h, width: w, name: "adaptive_avg_pool2d")
        try SizeArithmetic.reserve(rows.outputs * cols.outputs, of: Float.self, "adaptive_avg_pool2d divisors")
        let divisors = PoolKernel.divisors(rows: rows, cols: cols, countIncludePad: false, divisorOverride: nil)
        let out = try avgPool(planes: planes, height: h, width: w, rows: rows, cols: cols, divisors: divisors,
                              name: "adaptive_avg_pool2d")
        OpTrace.record("adaptive_avg_pool2d", [self], out)
        return out
    }

    /// `F.adaptive_max_pool2d`; a nil size keeps that dimension.
    public func adaptiveMaxPool2d(outputSize: (Int?, Int?)) throws -> Tensor {
        let (planes, h, w) = try poolPlanes("adaptive_max_pool2d")
        let (rows, cols) = try adaptiveAxes(outputSize, height: h, width: w, name: "adaptive_max_pool2d")
        let out = try maxPool(planes: planes, height: h, width: w, rows: rows, cols: cols, name: "adaptive_max_pool2d").values
        OpTrace.record("adaptive_max_pool2d", [self], out)
        return out
    }

    // MARK: Shared work

    private func maxPool(planes: Int, height: Int, width: Int, rows: PoolAxis, cols: PoolAxis,
                         name: String) throws -> (values: Tensor, indices: [Int32]) {
        let out = try Tensor(uninitializedShape: try pooledShape(rows: rows, cols: cols, name: name))
        try SizeArithmetic.reserve(out.count, of: Int32.self, "\(name) indices")
        var argmax = [Int32](repeating: 0, count: out.count)
        let plain2x2 = rows.step == 1 && cols.step == 1 && rows.outputs == height / 2 && cols.outputs == width / 2
            && (0..<rows.outputs).allSatisfy { rows.first[$0] == 2 * $0 && rows.count[$0] == 2 }
            && (0..<cols.outputs).allSatisfy { cols.first[$0] == 2 * $0 && cols.count[$0] == 2 }
        argmax.withUnsafeMutableBufferPointer { idx in
            if plain2x2 {
                PoolKernel.maxForward2x2(data, planes: planes, height: height, width: width, y: out.data, argmax: idx.baseAddress!)
            } else {
                PoolKernel.maxForward(data, planes: planes, height: height, width: width, rows: rows, cols: cols,
                                      y: out.data, argmax: idx.baseAddress!)
            }
        }
        let inputShape = shape
        let values = out.recording("MaxPool2DBackward", inputs: [self], saving: []) { gy, _ in
            let gx = try Tensor(uninitializedShape: inputShape)
            argmax.withUnsafeBufferPointer { idx in
                PoolKernel.maxBackward(gy.data, argmax: idx.baseAddress!, planes: planes, inPlane: height * width,
                                       outPlane: rows.outputs * cols.outputs, gx: gx.data)
            }
            return [gx]
        }
        return (values, argmax)
    }

    private func avgPool(planes: Int, height: Int, width: Int, rows: PoolAxis, cols: PoolAxis, divisors: [Float],
                         name: String) throws -> Tensor {
        let out = try Tensor(uninitializedShape: try pooledShape(rows: rows, cols: cols, name: name))
        PoolKernel.avgForward(data, planes: planes, height: height, width: width, rows: rows, cols: cols,
                              divisors: divisors, y: out.data)
        let inputShape = shape
        return out.recording("AvgPool2DBackward", inputs: [self], saving: []) { gy, _ in
            let gx = try Tensor(uninitializedShape: inputShape)
            PoolKernel.avgBackward(gy.data, planes: planes, height: height, width: width, rows: rows, cols: cols,
                                   divisors: divisors, gx: gx.data)
            return [gx]
        }
    }

    /// [N·C, H, W] view of a 3-D or 4-D input.
    private func poolPlanes(_ name: String) throws -> (planes: Int, height: Int, width: Int) {
        guard rank == 3 || rank == 4 else {
            throw SwiftNNError.invalidArgument("\(name): expected 3D or 4D input, but got input of size: \(describe(shape))")
        }
        return (shape.dropLast(2).reduce(1, *), shape[rank - 2], shape[rank - 1])
    }

    private func pooledShape(rows: PoolAxis, cols: PoolAxis, name: String) throws -> [Int] {
        guard rows.outputs > 0, cols.outputs > 0 else {
            throw SwiftNNError.invalidArgument(
                "\(name): given input size \(describe(shape)), the calculated output size "
                + "(\(rows.outputs)x\(cols.outputs)) is too small")
        }
        return Array(shape.dropLast(2)) + [rows.outputs, cols.outputs]
    }

    private func checkWindow(_ name: String, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) throws {
        try SizeArithmetic.check(kernel, "kernel size", in: name, minimum: 1)
        try SizeArithmetic.check(stride, "stride", in: name, minimum: 1)
        try SizeArithmetic.check(dilation, "dilation", in: name, minimum: 1)
        try SizeArithmetic.check(padding, "padding", in: name, minimum: 0)
        // All four are at most Int32.max: 2·padding cannot overflow.
        guard padding.h * 2 <= kernel.h, padding.w * 2 <= kernel.w else {
            throw SwiftNNError.invalidArgument(
                "\(name): pad should be at most half of kernel size, but got padding (\(padding.h), \(padding.w)) "
                + "for kernel (\(kernel.h), \(kernel.w))")
        }
    }

    private func adaptiveAxes(_ size: (Int?, Int?), height: Int, width: Int, name: String) throws -> (PoolAxis, PoolAxis) {
        let outH = size.0 ?? height, outW = size.1 ?? width
        guard outH > 0, outW > 0 else {
            throw SwiftNNError.invalidArgument("\(name): output size must be positive, got (\(outH), \(outW))")
        }
        // Before the per-output window tables (24 bytes per output row and column) are built.
        try SizeArithmetic.check(Pair(outH, outW), "output size", in: name, minimum: 1,
                                 maximum: SizeArithmetic.maxAdaptiveOutput)
        try SizeArithmetic.checkOutput(Array(shape.dropLast(2)) + [outH, outW], name)
        guard height > 0, width > 0 else {
            throw SwiftNNError.invalidArgument("\(name): input \(describe(shape)) has an empty spatial dimension")
        }
        return (PoolAxis.adaptive(size: height, outputs: outH), PoolAxis.adaptive(size: width, outputs: outW))
    }
}

/// Padding of a convolution: explicit (rows, columns), or PyTorch's 'valid' and 'same'.
public enum ConvPadding: Equatable {
    case explicit(Int, Int)
    case valid
    /// Output the size of the input (stride 1 only); an even total pads one more on the bottom/right.
    case same
}

/// A pair of per-axis values (kernel size, stride, dilation), as PyTorch's `_pair`.
public struct Pair: Equatable {
    public var h: Int, w: Int
    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w }
    public init(_ both: Int) { self.init(both, both) }
}

extension Tensor {
    /// `F.conv2d`: input [N, C, H, W] (or unbatched [C, H, W]), weight [O, C/groups, kh, kw], bias [O].
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Pair = Pair(1), padding: ConvPadding = .explicit(0, 0),
                       dilation: Pair = Pair(1), groups: Int = 1) throws -> Tensor {
        if rank == 3 {
            return try unsqueeze(0).conv2d(weight: weight, bias: bias, stride: stride, padding: padding,
                                           dilation: dilation, groups: groups).squeeze(0)
        }
        let problem = try convProblem(weight: weight, bias: bias, stride: stride, padding: padding,
                                      dilation: dilation, groups: groups)
        let g = problem.geometry
        let out = try Tensor(uninitializedShape: [problem.batch, problem.outChannels, g.outH, g.outW])
        let winograd = problem.winogradForward
        problem.forward(x: data, weight: weight.data, bias: bias.map { UnsafePointer($0.data) }, y: out.data)
        OpTrace.record("conv2d", [self, weight, bias], out, [
            ("stride", .ints([g.strideH, g.strideW])), ("dilation", .ints([g.dilationH, g.dilationW])),
            ("groups", .int(groups)), ("pads", .ints([g.padTop, g.padLeft,
                (g.outH - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1 - g.height - g.padTop,
                (g.outW - 1) * g.strideW + (g.kernelW - 1) * g.dilationW + 1 - g.width - g.padLeft]))])
        let x = self
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return out.recording("ConvolutionBackward", inputs: inputs, saving: [x, weight]) { gy, _ in
            let gx = x.requiresGrad ? try Tensor(uninitializedShape: x.shape) : nil
            let gw = weight.requiresGrad ? try Tensor(uninitializedShape: weight.shape) : nil
            let gb = bias?.requiresGrad == true ? try Tensor(uninitializedShape: bias!.shape) : nil
            // The input gradient of a 3×3 stride-1 convolution is itself one (rotated filters).
            let winogradGX = gx != nil ? problem.winogradInputGradient : nil
            let directGX = gx != nil && winogradGX == nil ? problem.directInputGradient : nil
            if let gx, let w = winogradGX {
                Winograd.forward(w, x: gy.data, filters: weight.data, rotated: true, bias: nil, y: gx.data)
            } else if let gx, let d = directGX {
                DirectConv.forward(d, x: gy.data, filters: weight.data, rotated: true, bias: nil, y: gx.data)
            }
            let winogradGW = gw != nil ? winograd : nil
            let directGW = gw != nil && winogradGW == nil ? problem.directForward.flatMap { DirectConv.weightGradientApplies($0) ? $0 : nil } : nil
            if let gw, let w = winogradGW {
                Winograd.weightGradient(w, x: x.data, gy: gy.data, into: gw.data)
            } else if let gw, let d = directGW {
                DirectConv.weightGradient(d, x: x.data, gy: gy.data, into: gw.data)
            }
            ConvKernel.backward(problem, x: x.data, weight: weight.data, gy: gy.data,
                                gx: winogradGX == nil && directGX == nil ? gx?.data : nil, gWeight: winogradGW == nil && directGW == nil ? gw?.data : nil,
                                gBias: gb?.data)
            return [gx, gw, gb]
        }
    }

    /// Validates the arguments of `conv2d` (with PyTorch's messages) and describes the work.
    func convProblem(weight: Tensor, bias: Tensor?, stride: Pair, padding: ConvPadding,
                             dilation: Pair, groups: Int) throws -> ConvProblem {
        guard rank == 4 else {
            throw SwiftNNError.invalidArgument(
                "conv2d: expected 3D (unbatched) or 4D (batched) input, but got input of size: \(describe(shape))")
        }
        guard weight.rank == 4 else {
            throw SwiftNNError.invalidArgument("conv2d: weight must be 4D [out_channels, in_channels/groups, kH, kW], got \(describe(weight.shape))")
        }
        guard groups > 0 else { throw SwiftNNError.invalidArgument("conv2d: groups must be positive, got \(groups)") }
        try SizeArithmetic.check(stride, "stride", in: "conv2d", minimum: 1)
        try SizeArithmetic.check(dilation, "dilation", in: "conv2d", minimum: 1)
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (o, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        guard o % groups == 0 else {
            throw SwiftNNError.invalidArgument("conv2d: out_channels (\(o)) of weight \(describe(weight.shape)) must be divisible by groups (\(groups))")
        }
        let expectedChannels = try SizeArithmetic.product(cg, groups, "conv2d: groups (\(groups))")
        guard expectedChannels == c else {
            throw SwiftNNError.invalidArgument(
                "conv2d: given groups=\(groups), weight of size \(describe(weight.shape)), expected input\(describe(shape)) "
                + "to have \(expectedChannels) channels, but got \(c) channels instead")
        }
        if let bias, bias.shape != [o] {
            throw SwiftNNError.invalidArgument("conv2d: bias must have shape [\(o)] for weight \(describe(weight.shape)), got \(describe(bias.shape))")
        }
        let (padTop, padBottom, padLeft, padRight): (Int, Int, Int, Int)
        switch padding {
        case .explicit(let ph, let pw):
            try SizeArithmetic.check(Pair(ph, pw), "padding", in: "conv2d", minimum: 0)
            (padTop, padBottom, padLeft, padRight) = (ph, ph, pw, pw)
        case .valid:
            (padTop, padBottom, padLeft, padRight) = (0, 0, 0, 0)
        case .same:
            guard stride == Pair(1) else {
                throw SwiftNNError.invalidArgument("conv2d: padding='same' is not supported for strided convolutions")
            }
            let totalH = try SizeArithmetic.span(kernel: kh, dilation: dilation.h, "conv2d: the kernel extent") - 1
            let totalW = try SizeArithmetic.span(kernel: kw, dilation: dilation.w, "conv2d: the kernel extent") - 1
            (padTop, padBottom, padLeft, padRight) = (totalH / 2, totalH - totalH / 2, totalW / 2, totalW - totalW / 2)
        }
        let paddedH = try SizeArithmetic.sum(h, try SizeArithmetic.sum(padTop, padBottom, "conv2d: padding"), "conv2d: padding")
        let paddedW = try SizeArithmetic.sum(w, try SizeArithmetic.sum(padLeft, padRight, "conv2d: padding"), "conv2d: padding")
        let spanH = try SizeArithmetic.span(kernel: kh, dilation: dilation.h, "conv2d: the kernel extent")
        let spanW = try SizeArithmetic.span(kernel: kw, dilation: dilation.w, "conv2d: the kernel extent")
        guard spanH <= paddedH, spanW <= paddedW else {
            throw SwiftNNError.invalidArgument(
                "conv2d: calculated padded input size per channel: (\(paddedH) x \(paddedW)) for input \(describe(shape)); "
                + "kernel size: (\(spanH) x \(spanW)) of weight \(describe(weight.shape)). "
                + "Kernel size can't be greater than actual input size")
        }
        let outH = (paddedH - spanH) / stride.h + 1, outW = (paddedW - spanW) / stride.w + 1
        try SizeArithmetic.checkOutput([n, o, outH, outW], "conv2d")
        // The column matrix of one image: (C/groups · kh · kw) × (outH · outW).
        try SizeArithmetic.checkOutput([cg, kh, kw, outH, outW], "conv2d (column buffer)")
        let geometry = WindowGeometry(
            channels: cg, height: h, width: w, kernelH: kh, kernelW: kw, strideH: stride.h, strideW: stride.w,
            padTop: padTop, padLeft: padLeft, dilationH: dilation.h, dilationW: dilation.w,
            outH: outH, outW: outW)
        return ConvProblem(batch: n, groups: groups, outChannels: o, geometry: geometry)
    }
}

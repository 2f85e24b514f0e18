/// Broadcasting arithmetic: add, sub, mul, div, neg and their scalar forms.
extension Tensor {
    /// Applies `f` elementwise with broadcasting into a new tensor (no autograd).
    @inline(__always)
    func broadcastCombine(_ other: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        let outShape = try Shape.broadcast(shape, other.shape)
        let out = try Tensor(uninitializedShape: outShape)
        Elementwise.broadcast(data, aShape: shape, other.data, bShape: other.shape, out.data, shape: outShape, f)
        return out
    }

    /// `broadcastCombine` for add, sub, mul and div: vectorised and threaded (Pointwise).
    func broadcastCombine(_ other: Tensor, _ op: Pointwise.ZipOp) throws -> Tensor {
        let outShape = try Shape.broadcast(shape, other.shape)
        let out = try Tensor(uninitializedShape: outShape)
        Pointwise.broadcast(op, data, aShape: shape, other.data, bShape: other.shape, out.data, shape: outShape)
        return out
    }

    /// Sums a broadcast gradient back down to `target` (the inverse of broadcasting).
    func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var dims = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[i + lead] != 1 { dims.append(i + lead) }
        return try sum(dims: dims, keepDim: true).reshape(target)
    }

    public func adding(_ other: Tensor) throws -> Tensor {
        let (a, b) = (self, other)
        return try broadcastCombine(other, .add).recording("AddBackward", inputs: [a, b], saving: []) { g, _ in
            [try g.sumToShape(a.shape), try g.sumToShape(b.shape)]
        }
    }

    public func subtracting(_ other: Tensor) throws -> Tensor {
        let (a, b) = (self, other)
        return try broadcastCombine(other, .sub).recording("SubBackward", inputs: [a, b], saving: []) { g, _ in
            [try g.sumToShape(a.shape), b.requiresGrad ? try g.negated().sumToShape(b.shape) : nil]
        }
    }

    public func multiplying(_ other: Tensor) throws -> Tensor {
        let (a, b) = (self, other)
        return try broadcastCombine(other, .mul).recording("MulBackward", inputs: [a, b],
                                                               saving: (b.requiresGrad ? [a] : []) + (a.requiresGrad ? [b] : [])) { g, _ in
            [a.requiresGrad ? try g.broadcastCombine(b, .mul).sumToShape(a.shape) : nil,
             b.requiresGrad ? try g.broadcastCombine(a, .mul).sumToShape(b.shape) : nil]
        }
    }

    public func dividing(_ other: Tensor) throws -> Tensor {
        let (a, b) = (self, other)
        return try broadcastCombine(other, .div).recording("DivBackward", inputs: [a, b], saving: [b],
                                                               savesOutput: b.requiresGrad) { g, out in
            // d(a/b)/db = -(a/b)/b = -out/b
            [a.requiresGrad ? try g.broadcastCombine(b, .div).sumToShape(a.shape) : nil,
             b.requiresGrad ? try g.broadcastCombine(out, .mul).broadcastCombine(b, { -$0 / $1 }).sumToShape(b.shape) : nil]
        }
    }

    public func negated() throws -> Tensor {
        try mapped(.neg).recording("NegBackward", inputs: [self], saving: []) { g, _ in [try g.negated()] }
    }

    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.adding(rhs) }
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.subtracting(rhs) }
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.multiplying(rhs) }
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.dividing(rhs) }
    public static prefix func - (operand: Tensor) throws -> Tensor { try operand.negated() }

    public static func + (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs.adding(Tensor(rhs)) }
    public static func - (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs.subtracting(Tensor(rhs)) }
    public static func * (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs.multiplying(Tensor(rhs)) }
    public static func / (lhs: Tensor, rhs: Float) throws -> Tensor { try lhs.dividing(Tensor(rhs)) }
    public static func + (lhs: Float, rhs: Tensor) throws -> Tensor { try Tensor(lhs).adding(rhs) }
    public static func - (lhs: Float, rhs: Tensor) throws -> Tensor { try Tensor(lhs).subtracting(rhs) }
    public static func * (lhs: Float, rhs: Tensor) throws -> Tensor { try Tensor(lhs).multiplying(rhs) }
    public static func / (lhs: Float, rhs: Tensor) throws -> Tensor { try Tensor(lhs).dividing(rhs) }
}

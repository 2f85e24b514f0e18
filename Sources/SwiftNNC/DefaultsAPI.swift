import SwiftNN

// Engine facts the bindings read instead of restating: fan sizes (recipes: group "modules").

/// PyTorch's _calculate_fan_in_and_fan_out for a weight of this shape.
@_cdecl("swiftnn_init_fans")
public func swiftnn_init_fans(_ shape: UnsafePointer<Int64>?, _ ndim: Int32, _ fanIn: UnsafeMutablePointer<Int64>?,
                              _ fanOut: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let dims = try shapeArg(shape, ndim)
        guard dims.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else {
            throw SwiftNNError.invalidArgument("invalid shape \(dims)")
        }
        guard let fanIn, let fanOut else { throw SwiftNNError.invalidArgument("output pointer is null") }
        let fans = try Init.fans(dims)
        (fanIn.pointee, fanOut.pointee) = (Int64(fans.fanIn), Int64(fans.fanOut))
    }
}

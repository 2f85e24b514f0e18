import SwiftNN

/// One ABI call that returns values and the int64 index each came from (sort, topk):
/// the tensor through `out`, the indices into the caller's buffer of `capacity` elements.
func returningIndexed(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ indices: UnsafeMutablePointer<Int64>?,
                      _ capacity: Int64, _ make: () throws -> (values: Tensor, indices: [Int])) -> Int32 {
    returningHandle(out) {
        let result = try make()
        guard capacity >= result.indices.count else {
            throw SwiftNNError.invalidArgument(
                "indices buffer holds \(capacity) elements but \(result.indices.count) are needed")
        }
        if !result.indices.isEmpty {
            guard let indices else { throw SwiftNNError.invalidArgument("indices pointer is null") }
            for (i, v) in result.indices.enumerated() { indices[i] = Int64(v) }
        }
        return result.values
    }
}

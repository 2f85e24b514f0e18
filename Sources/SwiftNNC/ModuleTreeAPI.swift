import SwiftNN

// A module's direct children (their number: swiftnn_module_child_count in the op table), so bindings can show any engine module (a zoo model, a
// Sequential) as the tree of modules PyTorch users walk: `model.features[0]`, `modules()`.
// The handles name the live child modules, never copies.

@_cdecl("swiftnn_module_child")
public func swiftnn_module_child(_ m: OpaquePointer?, _ index: Int64, _ name: UnsafeMutablePointer<CChar>?,
                                 _ capacity: Int64, _ nameLength: UnsafeMutablePointer<Int64>?,
                                 _ child: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded {
        let children = try moduleArg(m).namedChildren
        guard index >= 0 && index < children.count else {
            throw SwiftNNError.outOfRange("child index \(index) is out of range for \(children.count) children")
        }
        let entry = children[Int(index)]
        writeString(entry.name, name, capacity, nameLength)
        child?.pointee = retained(entry.module)
    }
}

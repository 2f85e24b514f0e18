import Synchronization

/// Every live handle of the C ABI, so that a freed, forged or wrong-kind handle is
/// an error instead of a use-after-free.
///
/// A handle is not an object address: it encodes a slot of this table (low 32
/// bits, +1 so it is never null) and the slot's generation (high 32 bits). Freeing
/// the last reference bumps the generation, so a stale copy of the handle no longer
/// matches even after the slot is reused. One object has one slot however often it
/// is handed out (handles of the same tensor compare equal, as callers rely on);
/// the slot counts the outstanding references, each ended by one `*_free`.
final class HandleRegistry: Sendable {
    private struct Slot {
        var object: AnyObject?
        var references = 0
        var generation: UInt32 = 1
    }

    private struct Table {
        var slots: [Slot] = []
        var free: [Int] = []
        var slotOfObject: [ObjectIdentifier: Int] = [:]
    }

    private let table = Mutex(Table())

    static let shared = HandleRegistry()

    func register(_ object: AnyObject) -> OpaquePointer {
        table.withLock { t in
            let id = ObjectIdentifier(object)
            let index: Int
            if let existing = t.slotOfObject[id] {
                index = existing
            } else if let reused = t.free.popLast() {
                index = reused
                t.slots[index].object = object
                t.slotOfObject[id] = index
            } else {
                index = t.slots.count
                t.slots.append(Slot(object: object))
                t.slotOfObject[id] = index
            }
            t.slots[index].references += 1
            return HandleRegistry.encode(index: index, generation: t.slots[index].generation)
        }
    }

    /// The live object behind `handle`, or nil when it is not live.
    func lookup(_ handle: OpaquePointer) -> AnyObject? {
        table.withLock { t in HandleRegistry.slot(of: handle, in: t).flatMap { t.slots[$0].object } }
    }

    /// Ends one reference of a live handle whose object passes `accept`;
    /// -> false (nothing changed) for a handle that is not live or not accepted.
    func release(_ handle: OpaquePointer, if accept: (AnyObject) -> Bool) -> Bool {
        var found = false
        let last: AnyObject? = table.withLock { t in
            guard let index = HandleRegistry.slot(of: handle, in: t), let object = t.slots[index].object,
                  accept(object) else { return nil }
            found = true
            t.slots[index].references -= 1
            guard t.slots[index].references == 0 else { return nil }
            t.slotOfObject[ObjectIdentifier(object)] = nil
            t.slots[index].object = nil
            t.slots[index].generation &+= 1
            if t.slots[index].generation == 0 { t.slots[index].generation = 1 }
            t.free.append(index)
            return object
        }
        // `last` (the table's reference) is dropped here, outside the lock: the
        // object's deinit may release other objects.
        _ = last
        return found
    }

    private static func encode(index: Int, generation: UInt32) -> OpaquePointer {
        let bits = UInt(generation) << 32 | UInt(index + 1)
        // Never nil: the low half is at least 1. (lint-allow: the one unwrap here is of a non-zero bit pattern)
        return OpaquePointer(bitPattern: bits)!
    }

    private static func slot(of handle: OpaquePointer, in t: Table) -> Int? {
        let bits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        let index = Int(bits & 0xFFFF_FFFF) - 1
        let generation = UInt32(truncatingIfNeeded: bits >> 32)
        guard index >= 0, index < t.slots.count, t.slots[index].object != nil,  // index from untrusted bits: checked
              t.slots[index].generation == generation else { return nil }
        return index
    }
}

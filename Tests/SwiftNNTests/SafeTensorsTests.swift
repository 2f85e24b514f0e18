import Foundation
import XCTest
@testable import SwiftNN

/// A fresh directory per test, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "swiftnn-\(type(of: self))-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Writes a safetensors file by hand: header text, its declared length, then `data`.
    @discardableResult
    func writeFile(_ name: String, header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) throws -> String {
        let text = Array(header.utf8)
        let n = declaredLength ?? UInt64(text.count)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + text + data
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name)))) }

    func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory).sorted() }
}

func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}

final class SafeTensorsTests: TemporaryDirectoryTestCase {
    /// One tensor entry of a header.
    func entry(_ name: String, _ dtype: String, _ shape: [Int], _ begin: Int, _ end: Int) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
            + "\"data_offsets\":[\(begin),\(end)]}"
    }

    /// Loading must fail with an I/O error naming the file and containing `message`.
    func assertRejected(_ file: String, _ message: String, line: UInt = #line) {
        assertThrows(.io, contains: message, try Checkpoint.load(from: file), line: line)
        assertThrows(.io, contains: file, try Checkpoint.load(from: file), line: line)
    }

    // MARK: Writing

    func testWritesTheSafetensorsPackagesBytes() throws {
        // What safetensors.numpy.save_file({"x": np.ones(1, np.float32)}) writes.
        try Checkpoint(entries: [CheckpointEntry("x", try Tensor.ones([1]))]).save(to: path("one.safetensors"))
        let header = #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}  "#
        XCTAssertEqual(try bytes("one.safetensors"),
                       littleEndianBytes([UInt64(header.utf8.count)]) + Array(header.utf8) + [0, 0, 0x80, 0x3F])
    }

    func testLayoutPutsWideTypesFirstThenNamesAndAlignsTheHeader() throws {
        let header = try SafeTensorsHeader.layout([
            SafeTensorsEntry(name: "b", dtype: .f32, shape: [2, 3]),
            SafeTensorsEntry(name: "a", dtype: .f32, shape: []),
            SafeTensorsEntry(name: "B", dtype: .f32, shape: [0, 5]),
            SafeTensorsEntry(name: "n", dtype: .i64, shape: [2]),
        ], metadata: [("format", "pt")], source: "t")
        XCTAssertEqual(header.entries.map(\.name), ["n", "B", "a", "b"])
        XCTAssertEqual(header.entries.map(\.begin), [0, 16, 16, 20])
        XCTAssertEqual(header.entries.map(\.end), [16, 16, 20, 44])
        let encoded = header.encoded()
        XCTAssertEqual(encoded.count % 8, 0)
        let text = String(decoding: encoded[8...], as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"{"__metadata__":{"format":"pt"},"n":{"dtype":"I64","shape":[2],"#), text)
        XCTAssertEqual(littleEndianBytes([UInt64(encoded.count - 8)]), Array(encoded[0..<8]))
        let parsed = try SafeTensorsHeader.parse(Array(encoded[8...]), dataLength: 44, source: "t")
        XCTAssertEqual(parsed.entries, header.entries)
        XCTAssertEqual(parsed.metadata.map(\.key), ["format"])
    }

    func testLayoutRejectsDuplicateAndReservedNames() {
        let e = SafeTensorsEntry(name: "w", dtype: .f32, shape: [1])
        assertThrows(.invalidArgument, contains: "duplicate tensor name 'w'", try SafeTensorsHeader.layout([e, e], source: "f"))
        var reserved = e
        reserved.name = "__metadata__"
        assertThrows(.invalidArgument, contains: "reserved", try SafeTensorsHeader.layout([reserved], source: "f"))
        assertThrows(.invalidArgument, contains: "duplicate metadata key",
                     try SafeTensorsHeader.layout([e], metadata: [("k", "1"), ("k", "2")], source: "f"))
    }

    // MARK: Reading every dtype

    func testReadsEveryDtypeAsFloat32() throws {
        let columns: [(String, [UInt8], [Float])] = [
            ("F32", littleEndianBytes([Float(1.5).bitPattern, Float(-0.25).bitPattern]), [1.5, -0.25]),
            ("F64", littleEndianBytes([Double(2.5).bitPattern, Double(-1e-3).bitPattern]), [2.5, Float(-1e-3)]),
            ("F16", littleEndianBytes([UInt16(0x3C00), 0xC100]), [1, -2.5]),
            ("BF16", littleEndianBytes([UInt16(0x3F80), 0xC020]), [1, -2.5]),
            ("I64", littleEndianBytes([Int64(-3), 1 << 24]), [-3, 16_777_216]),
            ("U64", littleEndianBytes([UInt64(7), 1 << 40]), [7, 1_099_511_627_776]),
            ("I32", littleEndianBytes([Int32(-100_000), 5]), [-100_000, 5]),
            ("U32", littleEndianBytes([UInt32(4_000_000_000), 0]), [4_000_000_000, 0]),
            ("I16", littleEndianBytes([Int16(-32768), 32767]), [-32768, 32767]),
            ("U16", littleEndianBytes([UInt16(65535), 1]), [65535, 1]),
            ("I8", [0x80, 0x7F], [-128, 127]),
            ("U8", [0xFF, 0x00], [255, 0]),
            ("BOOL", [1, 0], [1, 0]),
        ]
        var parts: [String] = []
        var data: [UInt8] = []
        for (i, (dtype, bytes, _)) in columns.enumerated() {
            parts.append(entry("t\(i)", dtype, [2], data.count, data.count + bytes.count))
            data += bytes
        }
        let file = try writeFile("all.safetensors", header: "{" + parts.joined(separator: ",") + "}", data: data)
        let loaded = try Checkpoint.load(from: file)
        XCTAssertEqual(loaded.entries.map(\.name), columns.indices.map { "t\($0)" })
        for (entry, column) in zip(loaded.entries, columns) {
            XCTAssertEqual(entry.dtype.rawValue, column.0)
            XCTAssertEqual(entry.tensor.shape, [2])
            XCTAssertEqual(entry.tensor.scalars, column.2, column.0)
        }
    }

    func testIntegersFloat32CannotHoldAreRejected() throws {
        let big = try writeFile("big.safetensors", header: "{" + entry("n", "I64", [1], 0, 8) + "}",
                                data: littleEndianBytes([Int64(1 << 24 + 1)]))
        assertRejected(big, "holds 16777217, which float32 cannot represent exactly")
        let flag = try writeFile("bool.safetensors", header: "{" + entry("b", "BOOL", [1], 0, 1) + "}", data: [2])
        assertRejected(flag, "not 0 or 1")
    }

    func testHeaderOrderIsKeptAndPaddingAccepted() throws {
        let header = "{" + entry("z", "F32", [1], 4, 8) + "," + entry("a", "F32", [1], 0, 4) + "}   "
        let file = try writeFile("order.safetensors", header: header,
                                 data: littleEndianBytes([Float(1).bitPattern, Float(2).bitPattern]))
        let loaded = try Checkpoint.load(from: file)
        XCTAssertEqual(loaded.entries.map(\.name), ["z", "a"])
        XCTAssertEqual(loaded.entries.map(\.tensor.scalars), [[2], [1]])
        XCTAssertTrue(loaded.metadata.isEmpty)
    }

    // MARK: Validation

    func testTruncatedFilesAreRejectedAtEveryLength() throws {
        let model = Checkpoint(entries: [CheckpointEntry("w", try Tensor.ones([3, 4])), CheckpointEntry("b", try Tensor.zeros([4]))])
        try model.save(to: path("whole.safetensors"))
        let whole = try bytes("whole.safetensors")
        for length in [0, 1, 7, 8, 9, 40, whole.count - 17, whole.count - 1] {
            try Data(whole[0..<length]).write(to: URL(fileURLWithPath: path("cut.safetensors")))
            assertThrows(.io, contains: path("cut.safetensors"), try Checkpoint.load(from: path("cut.safetensors")))
        }
        try Data(whole[0..<5]).write(to: URL(fileURLWithPath: path("cut.safetensors")))
        assertRejected(path("cut.safetensors"), "file too short (5 bytes)")
        try Data(whole[0..<40]).write(to: URL(fileURLWithPath: path("cut.safetensors")))
        assertRejected(path("cut.safetensors"), "runs past the end of the file (40 bytes)")
        try Data(whole[0..<(whole.count - 1)]).write(to: URL(fileURLWithPath: path("cut.safetensors")))
        assertRejected(path("cut.safetensors"), "run past the end of the 63-byte data buffer")
    }

    func testHeaderLengthBeyondTheCapOrTheFile() throws {
        assertRejected(try writeFile("huge.safetensors", header: "{}", declaredLength: 200_000_000),
                       "header length 200000000 exceeds the limit of 100000000 bytes")
        assertRejected(try writeFile("max.safetensors", header: "{}", declaredLength: UInt64.max),
                       "exceeds the limit")
        assertRejected(try writeFile("long.safetensors", header: "{}", declaredLength: 3), "runs past the end of the file")
        assertRejected(try writeFile("tiny.safetensors", header: "{", declaredLength: 1), "too small")
    }

    func testMalformedHeaders() throws {
        let f32 = littleEndianBytes([Float(1).bitPattern])
        let cases: [(String, [UInt8], String)] = [
            ("{\"a\":", f32, "not valid JSON"),
            ("[1, 2]", [], "does not start with '{'"),
            (" {}", [], "does not start with '{'"),
            ("{\"a\":1}", [], "expected an object"),
            ("{" + entry("a", "Q4", [1], 0, 4) + "}", f32, "unsupported dtype 'Q4'"),
            ("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", f32, "missing or non-string dtype"),
            ("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", f32, "missing shape"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", f32, "data_offsets must be"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", f32, "non-negative integers"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", f32, "non-negative integers"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", f32, "data_offsets must be"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", f32, "data_offsets must be"),
            ("{" + entry("a", "F32", [2], 0, 4) + "}", f32, "span 4 bytes but shape [2] of F32 needs 8"),
            ("{" + entry("a", "F32", [1], 4, 8) + "}", f32, "run past the end of the 4-byte data buffer"),
            ("{" + entry("a", "F32", [1], 0, 4) + "," + entry("a", "F32", [1], 0, 4) + "}", f32, "duplicate key 'a'"),
            ("{" + entry("a", "F32", [1], 0, 4) + "," + entry("b", "F32", [1], 2, 6) + "}", f32 + f32, "overlap"),
            ("{" + entry("a", "F32", [1], 4, 8) + "}", f32 + f32, "4 bytes of the data buffer before tensor 'a'"),
            ("{" + entry("a", "F32", [1], 0, 4) + "}", f32 + [1, 2], "holds 6 bytes but the tensors cover 4"),
            ("{" + entry("a", "F32", [Int](repeating: 1, count: 17), 0, 4) + "}", f32, "rank 17 exceeds"),
            ("{" + entry("a", "F32", [1 << 40, 1 << 40], 0, 4) + "}", f32, "is too large"),
            ("{\"__metadata__\":{\"k\":1}}", [], "__metadata__ value of 'k' is not a string"),
            ("{\"__metadata__\":[]}", [], "__metadata__ is not an object"),
        ]
        for (i, (header, data, message)) in cases.enumerated() {
            assertRejected(try writeFile("bad\(i).safetensors", header: header, data: data), message)
        }
    }

    func testMissingFilesAndDirectories() throws {
        assertRejected(path("absent.safetensors"), "cannot open: No such file or directory")
        assertRejected(directory, "not a regular file")
    }

    func testEmptyCheckpointRoundTrips() throws {
        try Checkpoint(entries: []).save(to: path("empty.safetensors"))
        XCTAssertEqual(try bytes("empty.safetensors"), littleEndianBytes([UInt64(8)]) + Array("{}      ".utf8))
        XCTAssertTrue(try Checkpoint.load(from: path("empty.safetensors")).entries.isEmpty)
    }
}

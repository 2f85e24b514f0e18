import XCTest
@testable import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary directory, removed with its files when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) -> String {
    var template = Array("/tmp/swiftnn-data-XXXXXX".utf8CString)
    let path = String(cString: mkdtemp(&template)!)
    test.addTeardownBlock { _ = system("rm -rf '\(path)'") }
    return path
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let f = fopen(path, "wb")!
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
}

/// One CIFAR-10 record: the label byte, then pixel i holding (seed + i) % 256.
func cifarRecord(label: UInt8, seed: Int) -> [UInt8] {
    [label] + (0..<3072).map { UInt8((seed + $0) % 256) }
}

func bigEndian(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }

final class DataReaderTests: XCTestCase {
    func writeCIFAR(_ root: String, recordsPerBatch: Int) {
        mkdir(root + "/" + CIFAR10.folder, 0o755)
        for (b, path) in (CIFAR10.batchFiles(root: root, train: true) + CIFAR10.batchFiles(root: root, train: false)).enumerated() {
            var bytes: [UInt8] = []
            for r in 0..<recordsPerBatch { bytes += cifarRecord(label: UInt8((b + r) % 10), seed: b * 100 + r) }
            writeFile(path, bytes)
        }
    }

    func testCIFAR10BinaryLayout() throws {
        let root = makeTemporaryDirectory(self)
        writeCIFAR(root, recordsPerBatch: 3)
        let train = try CIFAR10.load(root: root, train: true)
        XCTAssertEqual(train.count, 15)
        XCTAssertEqual(train.sampleShape, [3, 32, 32])
        XCTAssertTrue(train.isRawPixels)
        XCTAssertEqual(train.labels, (0..<5).flatMap { b in (0..<3).map { (b + $0) % 10 } })
        // Record 2 of batch 4 (sample 11): pixel i is (302 + i) % 256, in CHW order.
        let (x, y) = try train.sample(11)
        XCTAssertEqual(y, 5)
        XCTAssertEqual(x.shape, [3, 32, 32])
        XCTAssertEqual(x.scalars, (0..<3072).map { Float((302 + $0) % 256) })
        let test = try CIFAR10.load(root: root, train: false)
        XCTAssertEqual(test.count, 3)
        XCTAssertEqual(try test.sample(0).0.scalars[0], Float(500 % 256))
    }

    func testCIFAR10TruncatedFileIsNamed() throws {
        let root = makeTemporaryDirectory(self)
        writeCIFAR(root, recordsPerBatch: 2)
        let path = CIFAR10.batchFiles(root: root, train: true)[2]
        writeFile(path, cifarRecord(label: 1, seed: 0) + [1, 2, 3])
        XCTAssertThrowsError(try CIFAR10.load(root: root, train: true)) { error in
            guard case SwiftNNError.io(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(path) && message.contains("truncated"), message)
        }
        writeFile(path, [])
        XCTAssertThrowsError(try CIFAR10.load(root: root, train: true)) { error in
            XCTAssertTrue("\(error)".contains("data_batch_3.bin"), "\(error)")
        }
    }

    func testCIFAR10BadLabelAndMissingFile() throws {
        let root = makeTemporaryDirectory(self)
        writeCIFAR(root, recordsPerBatch: 2)
        let path = CIFAR10.batchFiles(root: root, train: false)[0]
        writeFile(path, cifarRecord(label: 3, seed: 0) + cifarRecord(label: 200, seed: 1))
        XCTAssertThrowsError(try CIFAR10.load(root: root, train: false)) { error in
            XCTAssertEqual(error as? SwiftNNError,
                           .io("\(path): record 1 has label 200, expected 0...9 (corrupt file)"))
        }
        unlink(path)
        XCTAssertThrowsError(try CIFAR10.load(root: root, train: false)) { error in
            XCTAssertTrue("\(error)".contains("not found: \(path)"), "\(error)")
        }
    }

    func mnistBytes(n: Int, h: Int, w: Int) -> (images: [UInt8], labels: [UInt8]) {
        let images = bigEndian(0x803) + bigEndian(UInt32(n)) + bigEndian(UInt32(h)) + bigEndian(UInt32(w))
            + (0..<n * h * w).map { UInt8($0 % 251) }
        let labels = bigEndian(0x801) + bigEndian(UInt32(n)) + (0..<n).map { UInt8($0 % 10) }
        return (images, labels)
    }

    func testMNISTIdxFiles() throws {
        let root = makeTemporaryDirectory(self)
        let (images, labels) = mnistBytes(n: 4, h: 5, w: 3)
        writeFile(root + "/img", images)
        writeFile(root + "/lbl", labels)
        let d = try MNIST.load(imagesPath: root + "/img", labelsPath: root + "/lbl")
        XCTAssertEqual(d.count, 4)
        XCTAssertEqual(d.sampleShape, [1, 5, 3])
        XCTAssertEqual(d.labels, [0, 1, 2, 3])
        XCTAssertEqual(try d.sample(2).0.scalars, (30..<45).map { Float($0 % 251) })
    }

    func testMNISTCorruptFilesAreNamed() throws {
        let (images, labels) = mnistBytes(n: 4, h: 2, w: 2)
        func message(_ i: [UInt8], _ l: [UInt8]) -> String {
            do {
                _ = try MNIST.decode(images: i, imagesName: "imgs.idx", labels: l, labelsName: "lbls.idx")
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(message(Array(images.dropLast()), labels).contains("imgs.idx: 31 bytes"))
        XCTAssertTrue(message(images, Array(labels.prefix(6))).contains("lbls.idx: 6 bytes is too short"))
        XCTAssertTrue(message(bigEndian(0x801) + images.dropFirst(4), labels).contains("imgs.idx: bad idx magic"))
        let fewer = bigEndian(0x801) + bigEndian(3) + [0, 1, 2]
        XCTAssertTrue(message(images, fewer).contains("imgs.idx holds 4 images but lbls.idx holds 3 labels"))
        let huge = bigEndian(0x803) + bigEndian(0xFFFF_FFFF) + bigEndian(0xFFFF_FFFF) + bigEndian(0xFFFF_FFFF)
        XCTAssertTrue(message(huge, labels).contains("imgs.idx: implausible"))
        XCTAssertThrowsError(try MNIST.load(imagesPath: "/nonexistent/img", labelsPath: "/nonexistent/lbl")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/img"))
        }
    }

    func testArrayDatasetSubsetAndRandomSplit() throws {
        let values = (0..<24).map(Float.init)
        let d = try floatDataset(values, sampleShape: [2, 3], labels: [5, 6, 7, 8])
        XCTAssertFalse(d.isRawPixels)
        XCTAssertEqual(try d.sample(3).0.scalars, (18..<24).map(Float.init))
        XCTAssertThrowsError(try d.sample(4))
        let s = try Subset(d, indices: [3, 1])
        XCTAssertEqual(s.label(0), 8)
        XCTAssertEqual(try s.sample(1).0.scalars, (6..<12).map(Float.init))
        XCTAssertThrowsError(try Subset(d, indices: [4]))
        let parts = try randomSplit(d, lengths: [3, 1], seed: 9)
        XCTAssertEqual(parts.map(\.count), [3, 1])
        XCTAssertEqual(Set(parts.flatMap(\.indices)), [0, 1, 2, 3])
        XCTAssertEqual(try randomSplit(d, lengths: [3, 1], seed: 9).map(\.indices), parts.map(\.indices))
        XCTAssertThrowsError(try randomSplit(d, lengths: [3, 2], seed: 9))
    }
}

/// Test helpers: datasets from Swift arrays.
func floatDataset(_ values: [Float], sampleShape: [Int], labels: [Int]) throws -> ArrayDataset {
    try values.withUnsafeBufferPointer { try ArrayDataset(values: $0.baseAddress!, sampleShape: sampleShape, labels: labels) }
}

func pixelDataset(_ pixels: [UInt8], sampleShape: [Int], labels: [Int]) throws -> ArrayDataset {
    try pixels.withUnsafeBufferPointer { try ArrayDataset(pixels: $0.baseAddress!, sampleShape: sampleShape, labels: labels) }
}

final class TensorDatasetTests: XCTestCase {
    func testTensorDatasetFromTensor() throws {
        let x = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let d = try TensorDataset(x, labels: [2, 1, 0])
        XCTAssertEqual(d.sampleShape, [2])
        XCTAssertEqual(try d.sample(1).0.scalars, [3, 4])
        XCTAssertEqual(d.label(2), 0)
        XCTAssertThrowsError(try TensorDataset(x, labels: [1]))
    }
}

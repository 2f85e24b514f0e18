/// CIFAR-10 in its official binary layout (`cifar-10-batches-bin`): each batch
/// file is a sequence of 3073-byte records, one label byte (0...9) followed by
/// the 3×32×32 pixels in CHW order. Decoded into one uint8 [N, 3, 32, 32] dataset.
public enum CIFAR10 {
    public static let folder = "cifar-10-batches-bin"
    public static let classes = ["airplane", "automobile", "bird", "cat", "deer",
                                 "dog", "frog", "horse", "ship", "truck"]
    public static let imageShape = [3, 32, 32]
    static let recordSize = 1 + 3 * 32 * 32

    /// The batch files of the training (data_batch_1...5) or test split under `root`.
    public static func batchFiles(root: String, train: Bool) -> [String] {
        let dir = root.hasSuffix("/") ? root + folder : root + "/" + folder
        let names = train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        return names.map { dir + "/" + $0 }
    }

    /// Reads the training or test split from `root/cifar-10-batches-bin`.
    public static func load(root: String, train: Bool = true) throws -> ArrayDataset {
        try readBatches(batchFiles(root: root, train: train))
    }

    /// Reads and concatenates batch files, validating each one's size and labels.
    public static func readBatches(_ paths: [String]) throws -> ArrayDataset {
        var files: [[UInt8]] = []
        var labels: [Int] = []
        for path in paths {
            guard fileExists(path) else {
                throw SwiftNNError.io("CIFAR-10 batch file not found: \(path)")
            }
            let bytes = try readFileBytes(path)
            guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
                throw SwiftNNError.io(
                    "\(path): size \(bytes.count) bytes is not a positive multiple of the \(recordSize)-byte " +
                    "CIFAR-10 record (truncated or corrupt file)")
            }
            for r in 0..<bytes.count / recordSize {
                let label = Int(bytes[r * recordSize])
                guard label < classes.count else {
                    throw SwiftNNError.io("\(path): record \(r) has label \(label), expected 0...9 (corrupt file)")
                }
                labels.append(label)
            }
            files.append(bytes)
        }
        let pixels = recordSize - 1
        return try ArrayDataset.decoding(sampleShape: imageShape, labels: labels) { out in
            var dst = out
            for bytes in files {
                bytes.withUnsafeBufferPointer { src in
                    for r in 0..<bytes.count / recordSize {
                        dst.update(from: src.baseAddress! + r * recordSize + 1, count: pixels)
                        dst += pixels
                    }
                }
            }
        }
    }
}

/// MNIST-style idx files: an images file (magic 0x00000803, uint8, dims N, H, W)
/// and a labels file (magic 0x00000801, uint8, dim N), big-endian headers.
/// Decoded into one uint8 [N, 1, H, W] dataset. Gzipped files are inflated by
/// the caller (the Python package uses its `gzip` module) and passed as bytes.
public enum MNIST {
    public static let imageFiles = (train: "train-images-idx3-ubyte", test: "t10k-images-idx3-ubyte")
    public static let labelFiles = (train: "train-labels-idx1-ubyte", test: "t10k-labels-idx1-ubyte")

    /// Reads an uncompressed idx pair from disk.
    public static func load(imagesPath: String, labelsPath: String) throws -> ArrayDataset {
        try decode(images: readFileBytes(imagesPath), imagesName: imagesPath,
                   labels: readFileBytes(labelsPath), labelsName: labelsPath)
    }

    /// Parses idx bytes; `imagesName`/`labelsName` name the files in errors.
    public static func decode(images: [UInt8], imagesName: String,
                              labels: [UInt8], labelsName: String) throws -> ArrayDataset {
        let imageDims = try header(images, magic: 0x0803, rank: 3, name: imagesName)
        let labelDims = try header(labels, magic: 0x0801, rank: 1, name: labelsName)
        guard imageDims[0] == labelDims[0] else {
            throw SwiftNNError.io("\(imagesName) holds \(imageDims[0]) images but \(labelsName) holds \(labelDims[0]) labels")
        }
        let n = imageDims[0], h = imageDims[1], w = imageDims[2]
        let labelValues = labels[8...].map { Int($0) }
        return try ArrayDataset.decoding(sampleShape: [1, h, w], labels: labelValues) { out in
            images.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + 16, count: n * h * w) }
        }
    }

    /// Validates the idx header and that the payload size matches it exactly.
    static func header(_ bytes: [UInt8], magic: UInt32, rank: Int, name: String) throws -> [Int] {
        let headerSize = 4 + 4 * rank
        func word(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[at + $1]) }
        }
        guard bytes.count >= headerSize else {
            throw SwiftNNError.io("\(name): \(bytes.count) bytes is too short for an idx header (truncated file)")
        }
        guard word(0) == magic else {
            throw SwiftNNError.io("\(name): bad idx magic number 0x\(String(word(0), radix: 16)), " +
                                  "expected 0x\(String(magic, radix: 16)) (not an MNIST \(rank == 1 ? "labels" : "images") file?)")
        }
        let dims = (0..<rank).map { Int(word(4 + 4 * $0)) }
        // The payload size, checked for overflow before it is compared with the file size.
        var payload = 1
        for d in dims {
            let (p, overflow) = payload.multipliedReportingOverflow(by: d)
            guard !overflow, p < (1 << 40) else { throw SwiftNNError.io("\(name): implausible idx dimensions \(dims)") }
            payload = p
        }
        let expected = headerSize + payload
        guard bytes.count == expected else {
            throw SwiftNNError.io("\(name): \(bytes.count) bytes, but its header \(dims) needs \(expected) " +
                                  "(truncated or corrupt file)")
        }
        return dims
    }
}

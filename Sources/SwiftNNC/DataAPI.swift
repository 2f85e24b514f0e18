import SwiftNN
#if canImport(Glibc)
import Glibc
#endif

// Datasets, transforms and the batch loader: their handle classes and helpers for the
// exports of codegen/ops.toml (group "data"), and the calls the table cannot describe.

/// A dataset handle: any engine Dataset behind one class, so handles are uniform.
final class DatasetBox {
    let dataset: Dataset
    init(_ dataset: Dataset) { self.dataset = dataset }
}

/// A transform handle: a Compose chain built one transform at a time.
final class TransformBox {
    var compose = Compose()
}

/// A loader handle: the loader and its current epoch. Calls on one loader from
/// several threads take turns, so they cannot race on the epoch.
final class LoaderBox {
    let loader: DataLoader
    var epoch: Epoch?
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ loader: DataLoader) {
        self.loader = loader
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    convenience init(_ dataset: Dataset, _ transform: TransformBox?, batchSize: Int, shuffle: Bool, dropLast: Bool,
                     seed: UInt64, prefetch: Int) throws {
        guard batchSize > 0 && batchSize <= 1 << 30 else {
            throw SwiftNNError.invalidArgument("batch_size should be a positive integer value, but got batch_size=\(batchSize)")
        }
        self.init(try DataLoader(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast,
                                 transform: transform?.compose ?? Compose(), seed: seed, prefetch: prefetch))
    }

    /// Starts the next epoch (reshuffling), abandoning any unfinished one.
    func startEpoch() throws {
        try locked {
            epoch = nil  // stops the old prefetch thread before the new one starts
            epoch = try loader.epoch()
        }
    }
}

func datasetArg(_ handle: OpaquePointer?) throws -> Dataset { try borrowed(handle, as: DatasetBox.self, "dataset").dataset }
func transformArg(_ handle: OpaquePointer?) throws -> TransformBox { try borrowed(handle, as: TransformBox.self, "transform") }
func loaderArg(_ handle: OpaquePointer?) throws -> LoaderBox { try borrowed(handle, as: LoaderBox.self, "loader") }

func outArg<T>(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutablePointer<T> {
    guard let p else { throw SwiftNNError.invalidArgument("output pointer is null") }
    return p
}

/// A caller buffer that must hold `needed` items: nil when nothing is needed
/// (then the pointer may be null), else the checked pointer.
func bufferArg<P>(_ p: P?, capacity: Int64, needed: Int, _ what: String) throws -> P? {
    guard capacity >= needed else {
        throw SwiftNNError.invalidArgument("buffer holds \(capacity) \(what) but \(needed) are needed")
    }
    if needed == 0 { return nil }
    guard let p else { throw SwiftNNError.invalidArgument("output pointer is null") }
    return p
}

func pointerArg<T>(_ p: UnsafePointer<T>?, _ role: String) throws -> UnsafePointer<T> {
    guard let p else { throw SwiftNNError.invalidArgument("\(role) pointer is null") }
    return p
}

/// [N, ...] shape and N labels, validated.
func samplesArg(_ shape: UnsafePointer<Int64>?, _ ndim: Int32, _ labels: UnsafePointer<Int64>?) throws -> ([Int], [Int]) {
    let dims = try shapeArg(shape, ndim)
    guard let n = dims.first else { throw SwiftNNError.invalidArgument("dataset arrays need a leading sample dimension") }
    try validateShapeArg(dims)
    let values = n == 0 ? [] : try UnsafeBufferPointer(start: pointerArg(labels, "labels"), count: n).map { Int($0) }
    return (Array(dims.dropFirst()), values)
}

func validateShapeArg(_ dims: [Int]) throws {
    var total = 1
    for d in dims {
        let (p, overflow) = total.multipliedReportingOverflow(by: d)
        guard d >= 0, !overflow, p <= 1 << 40 else { throw SwiftNNError.invalidArgument("invalid dataset shape \(dims)") }
        total = p
    }
}

/// Builds an array dataset from [N, ...] samples of element type T and N labels.
func arrayDatasetCall<T>(_ samples: UnsafePointer<T>?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32,
                         _ labels: UnsafePointer<Int64>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                         _ make: (UnsafePointer<T>, [Int], [Int]) throws -> ArrayDataset) -> Int32 {
    returningHandle(out) {
        let (sampleShape, labelValues) = try samplesArg(shape, ndim, labels)
        // An empty dataset reads nothing, so a null data pointer is fine there.
        let data = labelValues.isEmpty ? UnsafePointer<T>(bitPattern: MemoryLayout<T>.alignment)! : try pointerArg(samples, "samples")
        return DatasetBox(try make(data, sampleShape, labelValues))
    }
}

@_cdecl("swiftnn_dataset_from_uint8")
public func swiftnn_dataset_from_uint8(_ pixels: UnsafePointer<UInt8>?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32,
                                       _ labels: UnsafePointer<Int64>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    arrayDatasetCall(pixels, shape, ndim, labels, out) { try ArrayDataset(pixels: $0, sampleShape: $1, labels: $2) }
}

@_cdecl("swiftnn_dataset_from_float")
public func swiftnn_dataset_from_float(_ values: UnsafePointer<Float>?, _ shape: UnsafePointer<Int64>?, _ ndim: Int32,
                                       _ labels: UnsafePointer<Int64>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    arrayDatasetCall(values, shape, ndim, labels, out) { try ArrayDataset(values: $0, sampleShape: $1, labels: $2) }
}

@_cdecl("swiftnn_dataset_sample_shape")
public func swiftnn_dataset_sample_shape(_ d: OpaquePointer?, _ shape: UnsafeMutablePointer<Int64>?, _ capacity: Int32,
                                         _ ndim: UnsafeMutablePointer<Int32>?, _ rawPixels: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded {
        let d = try datasetArg(d)
        let ndim = try outArg(ndim)
        let dims = d.sampleShape
        guard Int(capacity) >= dims.count else {
            throw SwiftNNError.invalidArgument("shape buffer holds \(capacity) dims but samples have \(dims.count)")
        }
        if !dims.isEmpty {
            guard let shape else { throw SwiftNNError.invalidArgument("shape pointer is null") }
            for (i, v) in dims.enumerated() { shape[i] = Int64(v) }
        }
        ndim.pointee = Int32(dims.count)
        rawPixels?.pointee = d.isRawPixels ? 1 : 0
    }
}

@_cdecl("swiftnn_dataset_get")
public func swiftnn_dataset_get(_ d: OpaquePointer?, _ index: Int64, _ sample: UnsafeMutablePointer<OpaquePointer?>?,
                                _ label: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let d = try datasetArg(d)
        let sample = try output(sample)
        let (t, y) = try d.sample(Int(index))
        sample.pointee = retained(t)
        label?.pointee = Int64(y)
    }
}

@_cdecl("swiftnn_dataset_labels")
public func swiftnn_dataset_labels(_ d: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int64) -> Int32 {
    guarded {
        let d = try datasetArg(d)
        guard let out = try bufferArg(out, capacity: capacity, needed: d.count, "labels") else { return }
        for i in 0..<d.count { out[i] = Int64(d.label(i)) }
    }
}

/// Copies the raw storage of a dataset read from files or arrays: bytes for pixel data, floats otherwise.
@_cdecl("swiftnn_dataset_copy_storage")
public func swiftnn_dataset_copy_storage(_ d: OpaquePointer?, _ out: UnsafeMutableRawPointer?, _ capacityBytes: Int64) -> Int32 {
    guarded {
        guard let d = try datasetArg(d) as? ArrayDataset else {
            throw SwiftNNError.wrongType("only datasets read from files or arrays have their own storage (not subsets)")
        }
        let bytes = d.count * d.sampleCount * (d.isRawPixels ? 1 : 4)
        guard let out = try bufferArg(out, capacity: capacityBytes, needed: bytes, "bytes") else { return }
        d.copyStorage(to: out)
    }
}

@_cdecl("swiftnn_dataset_free")
public func swiftnn_dataset_free(_ d: OpaquePointer?) -> Int32 {
    release(d, as: DatasetBox.self)
    return statusOK
}

// MARK: Transforms

extension TransformBox {
    /// Appends one transform after checking it on its own (shapes are checked against data later).
    func append(_ transform: Transform) throws {
        _ = try Compose([transform]).outputShape(for: [1, 1 << 15, 1 << 15], rawPixels: false)
        compose.transforms.append(transform)
    }
}

func sizeArg(_ v: Int, _ role: String) throws -> Int {
    guard v > 0 && v <= 1 << 15 else { throw SwiftNNError.invalidArgument("\(role) must be between 1 and 32768, got \(v)") }
    return v
}

func randomCrop(height: Int, width: Int, padding: Int) throws -> Transform {
    guard padding >= 0 && padding <= 1 << 15 else { throw SwiftNNError.invalidArgument("padding must be non-negative, got \(padding)") }
    return .randomCrop(height: try sizeArg(height, "crop height"), width: try sizeArg(width, "crop width"), padding: padding)
}

/// width <= 0: the shorter edge becomes `height`. mode: 0 nearest, 1 bilinear.
func resize(height: Int, width: Int, mode: Int) throws -> Transform {
    guard mode == 0 || mode == 1 else { throw SwiftNNError.invalidArgument("interpolation must be 0 (nearest) or 1 (bilinear), got \(mode)") }
    let m: Transform.ResizeMode = mode == 0 ? .nearest : .bilinear
    if width <= 0 { return .resizeShorter(size: try sizeArg(height, "size"), mode: m) }
    return .resize(height: try sizeArg(height, "height"), width: try sizeArg(width, "width"), mode: m)
}

@_cdecl("swiftnn_transform_normalize")
public func swiftnn_transform_normalize(_ t: OpaquePointer?, _ mean: UnsafePointer<Float>?, _ std: UnsafePointer<Float>?,
                                        _ count: Int64) -> Int32 {
    guarded {
        guard count > 0 && count <= 1 << 20 else { throw SwiftNNError.invalidArgument("Normalize needs at least one mean and std") }
        let m = Array(UnsafeBufferPointer(start: try pointerArg(mean, "mean"), count: Int(count)))
        let s = Array(UnsafeBufferPointer(start: try pointerArg(std, "std"), count: Int(count)))
        guard !s.contains(0) else { throw SwiftNNError.invalidArgument("std evaluated to zero, leading to division by zero") }
        try transformArg(t).compose.transforms.append(.normalize(mean: m, std: s))
    }
}

@_cdecl("swiftnn_transform_apply")
public func swiftnn_transform_apply(_ t: OpaquePointer?, _ sample: OpaquePointer?, _ rawPixels: Int32, _ seed: UInt64,
                                    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ rawAfter: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded {
        let compose = try transformArg(t).compose
        let x = try tensorArg(sample, "sample")
        let out = try output(out)
        let y = try compose(x, rawPixels: rawPixels != 0, seed: seed)
        rawAfter?.pointee = compose.keepsRawPixels(rawPixels != 0) ? 1 : 0
        out.pointee = retained(y)
    }
}

@_cdecl("swiftnn_transform_free")
public func swiftnn_transform_free(_ t: OpaquePointer?) -> Int32 {
    release(t, as: TransformBox.self)
    return statusOK
}

// MARK: Loader

/// The next batch of the current epoch: *images gets a new tensor and labels[0..<*count]
/// the labels; at the end of the epoch *images is set to NULL and *count to 0.
@_cdecl("swiftnn_loader_next")
public func swiftnn_loader_next(_ l: OpaquePointer?, _ images: UnsafeMutablePointer<OpaquePointer?>?,
                                _ labels: UnsafeMutablePointer<Int64>?, _ capacity: Int64,
                                _ count: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let box = try loaderArg(l)
        let images = try output(images)
        guard let count else { throw SwiftNNError.invalidArgument("count pointer is null") }
        guard capacity >= box.loader.batchSize else {
            throw SwiftNNError.invalidArgument("label buffer holds \(capacity) values but batches have up to \(box.loader.batchSize)")
        }
        guard let labels else { throw SwiftNNError.invalidArgument("labels pointer is null") }
        let next = try box.locked { () throws -> Batch?? in
            guard let epoch = box.epoch else { return .none }
            return .some(try epoch.next())
        }
        guard let next else { throw SwiftNNError.runtime("no epoch started: call swiftnn_loader_start_epoch first") }
        guard let batch = next else {
            images.pointee = nil
            count.pointee = 0
            return
        }
        for (i, y) in batch.labels.enumerated() { labels[i] = Int64(y) }
        count.pointee = Int64(batch.labels.count)
        images.pointee = retained(batch.images)
    }
}

@_cdecl("swiftnn_loader_free")
public func swiftnn_loader_free(_ l: OpaquePointer?) -> Int32 {
    release(l, as: LoaderBox.self)
    return statusOK
}

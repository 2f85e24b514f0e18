import SwiftNN

// Whole epochs in the engine: training and evaluation over a loader's current epoch.

/// `int callback(void* context, int64_t batch, int64_t batches, int64_t size, double loss, int64_t correct)`;
/// a non-zero return stops the run.
public typealias BatchCallback = @convention(c) (UnsafeMutableRawPointer?, Int64, Int64, Int64, Double, Int64) -> Int32

struct StoppedByCallback: Error, CustomStringConvertible {
    var description: String { "stopped by the batch callback" }
}

/// The batch callback as a Swift closure (nil without a callback).
private func reporter(_ callback: BatchCallback?, _ context: UnsafeMutableRawPointer?) -> ((BatchReport) throws -> Void)? {
    guard let callback else { return nil }
    return { r in
        guard callback(context, Int64(r.batch), Int64(r.batches), Int64(r.size), Double(r.loss), Int64(r.correct)) == 0
        else { throw StoppedByCallback() }
    }
}

/// The loader's current epoch: its batch source (taking the loader's lock per batch) and batch count.
private func currentEpoch(_ l: OpaquePointer?) throws -> (() throws -> Batch?, Int) {
    let box = try loaderArg(l)
    guard let epoch = box.locked({ box.epoch }) else {
        throw SwiftNNError.runtime("no epoch started: call swiftnn_loader_start_epoch first")
    }
    return ({ try box.locked { try epoch.next() } }, epoch.count)
}

private func criterionArg(_ labelSmoothing: Float) throws -> CrossEntropyLoss {
    guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
        throw SwiftNNError.invalidArgument("label_smoothing must be between 0 and 1, got \(labelSmoothing)")
    }
    return CrossEntropyLoss(labelSmoothing: labelSmoothing)
}

private func writeTotals(_ t: EpochTotals, _ loss: UnsafeMutablePointer<Double>?, _ correct: UnsafeMutablePointer<Int64>?,
                         _ total: UnsafeMutablePointer<Int64>?) {
    loss?.pointee = t.loss
    correct?.pointee = Int64(t.correct)
    total?.pointee = Int64(t.total)
}

@_cdecl("swiftnn_train_epoch")
public func swiftnn_train_epoch(_ m: OpaquePointer?, _ l: OpaquePointer?, _ optimizers: UnsafePointer<OpaquePointer?>?,
                                _ optimizerCount: Int64, _ maxGradNorm: Double, _ labelSmoothing: Float,
                                _ callback: BatchCallback?, _ context: UnsafeMutableRawPointer?,
                                _ loss: UnsafeMutablePointer<Double>?, _ correct: UnsafeMutablePointer<Int64>?,
                                _ total: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let model = try moduleArg(m)
        let optimizers = try handleList(optimizers, optimizerCount, as: Optimizer.self, "optimizer")
        guard !maxGradNorm.isNaN else { throw SwiftNNError.invalidArgument("max_grad_norm must be a number, got nan") }
        let criterion = try criterionArg(labelSmoothing)
        let (next, batches) = try currentEpoch(l)
        let totals = try trainEpoch(model, next: next, batches: batches, optimizers: optimizers, criterion: criterion,
                                    maxGradNorm: maxGradNorm > 0 ? maxGradNorm : nil, onBatch: reporter(callback, context))
        writeTotals(totals, loss, correct, total)
    }
}

@_cdecl("swiftnn_evaluate")
public func swiftnn_evaluate(_ m: OpaquePointer?, _ l: OpaquePointer?, _ labelSmoothing: Float, _ numClasses: Int64,
                             _ confusion: UnsafeMutablePointer<Int64>?, _ callback: BatchCallback?,
                             _ context: UnsafeMutableRawPointer?, _ loss: UnsafeMutablePointer<Double>?,
                             _ correct: UnsafeMutablePointer<Int64>?, _ total: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let model = try moduleArg(m)
        guard numClasses >= 0 && numClasses <= 1 << 16 else {
            throw SwiftNNError.invalidArgument("num_classes must be between 0 and 65536, got \(numClasses)")
        }
        guard confusion == nil || numClasses > 0 else {
            throw SwiftNNError.invalidArgument("a confusion matrix needs num_classes > 0")
        }
        let criterion = try criterionArg(labelSmoothing)
        let (next, batches) = try currentEpoch(l)
        let result = try evaluate(model, next: next, batches: batches, numClasses: Int(numClasses), criterion: criterion,
                                  onBatch: reporter(callback, context))
        writeTotals(result.totals, loss, correct, total)
        if let confusion {
            for (i, n) in result.confusion.counts.enumerated() { confusion[i] = Int64(n) }
        }
    }
}

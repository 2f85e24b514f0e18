import XCTest
@testable import SwiftNN

final class TrainTests: XCTestCase {
    /// n samples of 4 features in 3 classes: class c has feature c raised by 2, plus noise.
    func blobs(_ n: Int, seed: UInt64 = 1) throws -> ArrayDataset {
        var g = RandomGenerator(seed: seed)
        let labels = (0..<n).map { _ in g.nextInt(below: 3) }
        var values: [Float] = []
        for y in labels {
            for f in 0..<4 { values.append((f == y ? 2 : 0) + Float(g.nextInt(below: 1000)) / 1000 - 0.5) }
        }
        return try values.withUnsafeBufferPointer { try ArrayDataset(values: $0.baseAddress!, sampleShape: [4], labels: labels) }
    }

    func mlp() throws -> Module { Sequential(try Linear(4, 16), ReLU(), try Linear(16, 3)) }

    func run(seed: UInt64, epochs: Int, clip: Double? = nil) throws -> [Double] {
        manualSeed(seed)
        let data = try blobs(90)
        let model = try mlp()
        let optimizer = try Adam(parameters: model.parameters(), lr: 0.05)
        let loader = try DataLoader(data, batchSize: 16, shuffle: true)
        return try (0..<epochs).map { _ in
            try trainEpoch(model, loader: loader, optimizers: [optimizer], maxGradNorm: clip).loss
        }
    }

    func testTrainEpochLearnsAndReportsEveryBatch() throws {
        manualSeed(3)
        let data = try blobs(90)
        let model = try mlp()
        let optimizer = try SGD(parameters: model.parameters(), lr: 0.1, momentum: 0.9)
        let loader = try DataLoader(data, batchSize: 16, shuffle: true)
        var reports: [BatchReport] = []
        let first = try trainEpoch(model, loader: loader, optimizers: [optimizer], maxGradNorm: 1.0) { reports.append($0) }
        XCTAssertEqual(reports.map(\.batch), Array(0..<6))
        XCTAssertTrue(reports.allSatisfy { $0.batches == 6 })
        XCTAssertEqual(reports.map(\.size), [16, 16, 16, 16, 16, 10])
        XCTAssertEqual(first.total, 90)
        XCTAssertEqual(first.batches, 6)
        XCTAssertEqual(first.correct, reports.reduce(0) { $0 + $1.correct })
        XCTAssertEqual(first.loss, reports.reduce(0.0) { $0 + Double($1.loss) } / 6, accuracy: 1e-12)
        XCTAssertTrue(model.training)
        var last = first
        for _ in 0..<15 { last = try trainEpoch(model, loader: loader, optimizers: [optimizer]) }
        XCTAssertLessThan(last.loss, first.loss / 2)
        XCTAssertGreaterThan(last.accuracy, 90)
    }

    func testSameSeedSameLosses() throws {
        let a = try run(seed: 5, epochs: 3, clip: 1.0), b = try run(seed: 5, epochs: 3, clip: 1.0)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, try run(seed: 6, epochs: 3, clip: 1.0))
    }

    func testCallbackErrorStopsTheEpoch() throws {
        struct Stop: Error {}
        manualSeed(0)
        let model = try mlp()
        let optimizer = try SGD(parameters: model.parameters(), lr: 0.1)
        let loader = try DataLoader(try blobs(90), batchSize: 16)
        var calls = 0
        XCTAssertThrowsError(try trainEpoch(model, loader: loader, optimizers: [optimizer]) { r in
            calls += 1
            if r.batch == 2 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(calls, 3)
        // The loader is still usable.
        XCTAssertEqual(try trainEpoch(model, loader: loader, optimizers: [optimizer]).total, 90)
    }

    func testEvaluateCountsAConfusionMatrix() throws {
        manualSeed(2)
        let data = try blobs(50)
        let model = try mlp()
        let loader = try DataLoader(data, batchSize: 8)
        var seen = 0
        let result = try evaluate(model, loader: loader) { seen += $0.size }
        XCTAssertEqual(seen, 50)
        XCTAssertFalse(model.training)
        XCTAssertEqual(result.confusion.classes, 3)
        XCTAssertEqual(result.confusion.total, 50)
        XCTAssertEqual((0..<3).reduce(0) { $0 + result.confusion[$1, $1] }, result.totals.correct)
        XCTAssertEqual(result.confusion.support, (0..<3).map { c in data.labels.filter { $0 == c }.count })
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad == nil })
        let wide = try evaluate(model, loader: loader, numClasses: 5)
        XCTAssertEqual(wide.confusion.classes, 5)
        XCTAssertEqual(wide.confusion.perClassAccuracy[4], nil)
        XCTAssertThrowsError(try evaluate(model, loader: loader, numClasses: 2))
    }

    func testConfusionMatrixRejectsOutOfRange() {
        var m = ConfusionMatrix(classes: 2)
        XCTAssertNoThrow(try m.add(labels: [0, 1, 1], predicted: [0, 0, 1]))
        XCTAssertEqual(m.counts, [1, 0, 1, 1])
        XCTAssertEqual(m.perClassAccuracy, [100, 50])
        XCTAssertThrowsError(try m.add(labels: [2], predicted: [0]))
    }

    func testExperimentHistoriesAndTestEachEpoch() throws {
        manualSeed(4)
        let pixels: [UInt8] = (0..<(60 * 3 * 8 * 8)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let train = try pixelDataset(pixels, sampleShape: [3, 8, 8], labels: (0..<60).map { $0 % 10 })
        let test = try pixelDataset(Array(pixels[0..<(20 * 192)]), sampleShape: [3, 8, 8], labels: (0..<20).map { $0 % 10 })
        let partition = try Partition.split(trainSet: train, testSet: test, limit: 50, augment: true)
        XCTAssertEqual([partition.train.count, partition.val.count, partition.test.count], [40, 10, 20])
        let model = try Zoo.make("normal_CNN", config: #"{"kernal_list": [4, "p", 8]}"#)
        var recipe = Recipe.reference
        recipe.trainBatchSize = 16
        var epochsSeen: [Int] = []
        let result = try runExperiment(model: model, partition: partition, recipe: recipe, epochs: 2, testEachEpoch: true,
                                       onEpoch: { e, _ in epochsSeen.append(e) })
        XCTAssertEqual(epochsSeen, [0, 1])
        XCTAssertEqual(result.trainLosses.count, 2)
        XCTAssertEqual(result.valAccs.count, 2)
        XCTAssertEqual(result.testAccs, [result.testAccs[0], result.testAcc])
        XCTAssertEqual(result.confusion.total, 20)
        XCTAssertThrowsError(try Recipe.named("nope"))
    }
}

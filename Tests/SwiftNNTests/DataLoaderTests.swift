import XCTest
@testable import SwiftNN

final class DataLoaderTests: XCTestCase {
    /// n samples of shape [3, 4, 4] whose every pixel is the sample's index; label = index.
    func indexDataset(_ n: Int) throws -> ArrayDataset {
        try pixelDataset((0..<n * 48).map { UInt8($0 / 48 % 256) }, sampleShape: [3, 4, 4], labels: Array(0..<n))
    }

    func epochBatches(_ loader: DataLoader) throws -> [Batch] {
        let epoch = try loader.epoch()
        var out: [Batch] = []
        while let b = try epoch.next() { out.append(b) }
        return out
    }

    func testEveryIndexOncePerEpochAndReshuffle() throws {
        let loader = try DataLoader(try indexDataset(103), batchSize: 10, shuffle: true, seed: 7)
        XCTAssertEqual(loader.count, 11)
        var orders: [[Int]] = []
        for _ in 0..<3 {
            let batches = try epochBatches(loader)
            XCTAssertEqual(batches.map(\.labels.count), Array(repeating: 10, count: 10) + [3])
            let labels = batches.flatMap(\.labels)
            XCTAssertEqual(labels.sorted(), Array(0..<103))
            // Images travel with their labels.
            for b in batches {
                XCTAssertEqual(b.images.shape, [b.labels.count, 3, 4, 4])
                for (i, label) in b.labels.enumerated() { XCTAssertEqual(b.images.scalars[i * 48 + 47], Float(label)) }
            }
            orders.append(labels)
        }
        XCTAssertNotEqual(orders[0], orders[1])
        XCTAssertNotEqual(orders[1], orders[2])
        XCTAssertNotEqual(orders[0], Array(0..<103))
        // Same seed, same sequence of epochs.
        let again = try DataLoader(try indexDataset(103), batchSize: 10, shuffle: true, seed: 7)
        for k in 0..<3 { XCTAssertEqual(try epochBatches(again).flatMap(\.labels), orders[k]) }
        let other = try DataLoader(try indexDataset(103), batchSize: 10, shuffle: true, seed: 8)
        XCTAssertNotEqual(try epochBatches(other).flatMap(\.labels), orders[0])
    }

    func testSequentialOrderAndDropLast() throws {
        let loader = try DataLoader(try indexDataset(25), batchSize: 8, dropLast: true)
        XCTAssertEqual(loader.count, 3)
        let batches = try epochBatches(loader)
        XCTAssertEqual(batches.flatMap(\.labels), Array(0..<24))
        XCTAssertEqual(try DataLoader(try indexDataset(7), batchSize: 8, dropLast: true).count, 0)
        XCTAssertEqual(try epochBatches(try DataLoader(try indexDataset(7), batchSize: 8, dropLast: true)).count, 0)
        XCTAssertThrowsError(try DataLoader(try indexDataset(7), batchSize: 0))
    }

    func testPrefetchGivesIdenticalBatches() throws {
        manualSeed(11)
        let data: [UInt8] = (0..<(300 * 192)).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i &* 131) }
        let d = try pixelDataset(data, sampleShape: [3, 8, 8], labels: (0..<300).map { $0 % 10 })
        let t = Compose([.randomCrop(8, padding: 2), .randomHorizontalFlip(p: 0.5), .toTensor,
                         .normalize(mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.4])])
        let plain = try DataLoader(d, batchSize: 32, shuffle: true, transform: t, seed: 5, prefetch: 0)
        let ahead = try DataLoader(d, batchSize: 32, shuffle: true, transform: t, seed: 5, prefetch: 3)
        for _ in 0..<2 {
            let a = try epochBatches(plain), b = try epochBatches(ahead)
            XCTAssertEqual(a.count, 10)
            XCTAssertEqual(a.map { $0.labels }, b.map { $0.labels })
            XCTAssertEqual(a.map { $0.images.scalars }, b.map { $0.images.scalars })
            XCTAssertEqual(a[0].images.shape, [32, 3, 8, 8])
        }
        // Random transforms differ between epochs of one loader.
        let one = try DataLoader(d, batchSize: 300, transform: t, seed: 5, prefetch: 1)
        XCTAssertNotEqual(try epochBatches(one)[0].images.scalars, try epochBatches(one)[0].images.scalars)
    }

    func testAbandonedEpochStopsCleanly() throws {
        let loader = try DataLoader(try indexDataset(500), batchSize: 4, shuffle: true, seed: 1, prefetch: 4)
        for _ in 0..<20 {
            let epoch = try loader.epoch()
            _ = try epoch.next()
        }
        XCTAssertEqual(loader.epochsStarted, 20)
    }

    func testSeedFromDefaultGenerator() throws {
        manualSeed(3)
        let a = try epochBatches(try DataLoader(try indexDataset(50), batchSize: 50, shuffle: true))[0].labels
        manualSeed(3)
        let b = try epochBatches(try DataLoader(try indexDataset(50), batchSize: 50, shuffle: true))[0].labels
        XCTAssertEqual(a, b)
    }
}

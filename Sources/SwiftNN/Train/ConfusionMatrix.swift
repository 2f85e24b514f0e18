/// Counts of (true class, predicted class) pairs: row = true label, column = prediction.
public struct ConfusionMatrix: Equatable {
    public let classes: Int
    /// Row-major `classes` x `classes` counts.
    public private(set) var counts: [Int]

    public init(classes: Int) {
        self.classes = classes
        counts = Array(repeating: 0, count: classes * classes)
    }

    public subscript(label: Int, predicted: Int) -> Int { counts[label * classes + predicted] }

    public mutating func add(labels: [Int], predicted: [Int]) throws {
        for (y, p) in zip(labels, predicted) {
            guard y >= 0 && y < classes && p >= 0 && p < classes else {
                throw SwiftNNError.invalidArgument(
                    "label \(y) or prediction \(p) is out of range for a confusion matrix of \(classes) classes")
            }
            counts[y * classes + p] += 1
        }
    }

    /// Samples counted.
    public var total: Int { counts.reduce(0, +) }

    /// Samples of each true class.
    public var support: [Int] { (0..<classes).map { row in (0..<classes).reduce(0) { $0 + self[row, $1] } } }

    /// Percentage correct per true class (nil for a class with no samples).
    public var perClassAccuracy: [Double?] {
        zip(0..<classes, support).map { c, n in n == 0 ? nil : 100 * Double(self[c, c]) / Double(n) }
    }
}

public let swiftNNVersion = "0.1.0"

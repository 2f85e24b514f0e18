// swift-tools-version:5.9
// Target-CPU flags (AVX2/FMA) are passed on the command line by the Makefile and
// the Python build, never as unsafeFlags here, so the package stays usable as a
// dependency.
import PackageDescription

let package = Package(
    name: "swiftnn",
    products: [
        .library(name: "SwiftNN", targets: ["SwiftNN"]),
        // The C ABI; built with -static-stdlib so libswiftnn.so stands alone.
        .library(name: "swiftnn", type: .dynamic, targets: ["SwiftNNC"]),
        .executable(name: "swiftnn-cli", targets: ["swiftnn-cli"]),
    ],
    targets: [
        // Static inline C for what Swift cannot express (prefetch hints).
        .target(name: "CPUHints"),
        .target(name: "SwiftNN", dependencies: ["CPUHints"]),
        // include/swiftnn.h as a Clang module (its include/ is a link to the top-level include/).
        .target(name: "SwiftNNABI"),
        .target(name: "SwiftNNC", dependencies: ["SwiftNN", "SwiftNNABI"]),
        .executableTarget(name: "swiftnn-cli", dependencies: ["SwiftNN"]),
        .executableTarget(name: "swiftnn-bench", dependencies: ["SwiftNN"], path: "bench/swift"),
        .testTarget(name: "SwiftNNTests", dependencies: ["SwiftNN"]),
    ]
)

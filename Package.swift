// swift-tools-version:5.9
// No target-CPU flags anywhere: every build (this package as a dependency, the
// Makefile, pip) is the same baseline build, and the hot kernels pick the CPU's
// best instruction set at run time (SwiftNNMicroKernels). No unsafeFlags, so the
// package stays usable as a dependency.
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
        // Register tiles in C, one variant per instruction set, chosen at load.
        .target(name: "SwiftNNMicroKernels"),
        // Raw-pointer numeric routines and the thread pool; no Tensor, so the
        // compiler keeps the layering (Tensor code uses kernels, never the reverse).
        .target(name: "SwiftNNKernels", dependencies: ["SwiftNNMicroKernels"]),
        .target(name: "SwiftNN", dependencies: ["SwiftNNKernels"]),
        // include/swiftnn.h as a Clang module (its include/ is a link to the top-level include/).
        .target(name: "SwiftNNABI"),
        .target(name: "SwiftNNC", dependencies: ["SwiftNN", "SwiftNNKernels", "SwiftNNABI"]),
        .executableTarget(name: "swiftnn-cli", dependencies: ["SwiftNN"]),
        .executableTarget(name: "swiftnn-bench", dependencies: ["SwiftNN", "SwiftNNKernels"], path: "bench/swift"),
        .testTarget(name: "SwiftNNTests", dependencies: ["SwiftNN", "SwiftNNKernels", "SwiftNNMicroKernels"]),
    ]
)

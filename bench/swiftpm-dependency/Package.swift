// swift-tools-version:5.9
// A package that depends on swiftnn the way SwiftPM users do: by path, built with
// a plain `swift build -c release` (no target flags). run.sh compares its speed
// with the Makefile's build.
import PackageDescription

let package = Package(
    name: "swiftnn-dependency-bench",
    dependencies: [.package(name: "swiftnn", path: "../..")],
    targets: [
        .executableTarget(name: "swiftnn-dependency-bench",
                          dependencies: [.product(name: "SwiftNN", package: "swiftnn")]),
    ]
)

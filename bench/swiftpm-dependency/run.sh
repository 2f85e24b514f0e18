#!/bin/sh
# Builds swiftnn as a plain SwiftPM dependency (no flags) and reports GEMM 1024³ and
# normal_CNN training speed; with the Makefile's swiftnn-bench built (make bench),
# prints the same figures from that build next to them.
#
#   bench/swiftpm-dependency/run.sh [REPEATS]
set -e
here=$(cd "$(dirname "$0")" && pwd)
swift=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}
repeats=${1:-9}
"$swift" build -c release --package-path "$here" --scratch-path "$here/.build" >/dev/null
echo "== plain SwiftPM dependency build (swift build -c release)"
"$here/.build/release/swiftnn-dependency-bench" "$repeats"
makefile_bench="$here/../../.build-release/release/swiftnn-bench"
if [ -x "$makefile_bench" ]; then
    echo "== Makefile build (swiftnn-bench, best of runs)"
    echo "gemm 1024^3 GFLOP/s (best): $("$makefile_bench" gemm 1024 1024 1024)"
    echo "normal_CNN training images/s (mean), eval: $("$makefile_bench" train normal_CNN 128 "$repeats")"
fi

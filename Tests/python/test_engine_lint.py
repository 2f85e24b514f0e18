"""Lint: no trap that a caller of the C ABI could reach. Every `precondition`,
`fatalError`, `try!` and force unwrap (`x!`) in the engine (Sources/SwiftNN)
and the C ABI (Sources/SwiftNNC) must be on the allow-list below with the
reason it cannot fire on any input; a new one fails this test until it is
either removed (validate and throw instead) or justified here."""
import os
import re

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DIRECTORIES = ["Sources/SwiftNN", "Sources/SwiftNNKernels", "Sources/SwiftNNC"]

TRAP = re.compile(r"\b(precondition|preconditionFailure|fatalError|assertionFailure)\s*\(|\btry!|[\w)\]]!(?!=)")

# (file, text on the line) -> why it cannot fire from the C ABI.
ALLOWED = {
    ("Kernels/DirectConvWeightGradient.swift", "bytes.baseAddress!"):
        "the bytes of a local six-pointer tuple are never empty, so their base address is never nil",
    ("Tensor/Storage.swift", "precondition(offset >= 0 && count >= 0"):
        "windows are cut only by GradientBuckets, from a storage it sized to the sum of the counts",
    ("Kernels/Scratch.swift", "fatalError(\"swiftnn: cannot allocate"): "scratch sized from tensors already allocated; OOM only",
    ("Kernels/GEMM.swift", "precondition(m >= 0 && n >= 0 && k >= 0"): "internal kernel contract; callers pass tensor dims",
    ("Kernels/GEMM.swift", "precondition(ldc >= n"): "internal kernel contract; leading dims from tensor shapes",
    ("Kernels/GEMM.swift", "precondition(lda >= (transA"): "internal kernel contract",
    ("Kernels/GEMM.swift", "precondition(ldb >= (transB"): "internal kernel contract",
    ("Kernels/GEMM.swift", "precondition(width > 0 && width % GEMMBlocking.nr == 0"):
        "internal kernel contract: ConvKernel groups columns only when the output size is a multiple of NR",
    ("Kernels/GEMM.swift", "precondition(columnGroups == nil || (!transB"):
        "internal kernel contract: column groups come only from ConvKernel, with plain B and no column bias",
    ("Kernels/PackedMatrix.swift", "precondition(depth > 0 || (epilogue == nil"):
        "internal kernel contract: ConvKernel passes an epilogue or column groups only for K > 0",
    ("Tensor/Random.swift", "precondition(n > 0)"): "callers pass n > 0: randint checks high > low, crops validated sizes",
    ("Tensor/Tensor.swift", "try! TensorStorage(repeating: value, count: 1)"): "one-element allocation; OOM only",
    ("NN/Linear.swift", "parameter(\"weight\")!"): "registered in init, never removed",
    ("NN/Conv2d.swift", "parameter(\"weight\")!"): "registered in init, never removed",
    ("Models/DenseNet.swift", "fc.bias!"): "zoo model built with bias=true",
    ("Models/ClassicNets.swift", "conv.bias!"): "zoo model built with bias=true",
    ("Models/ClassicNets.swift", "linear.bias!"): "zoo model built with bias=true",
    ("Models/GoogLeNet.swift", "linear.bias!"): "zoo model built with bias=true",
    ("Optim/Optimizer.swift", "buffers[$0]!"): "key taken from the same dictionary's keys",
    ("Train/Checkpoint.swift", "tensors[entry.name]!"): "header built from the same entries",
    ("Train/Checkpoint.swift", "tensors[$0.name]!"): "tensors decoded from the same header",
    ("Train/Checkpoint.swift", "path.lastIndex(of: \"/\")!"): "guarded by path.contains(\"/\")",
    ("Train/SafeTensors.swift", "firstIndex(of: self)!"): "self is one of allCases",
    ("Train/EpochRunner.swift", "confusion!.add"): "observe is only passed when confusion was created",
    ("Kernels/Elementwise.swift", "a.last! =="): "stride arrays have the output's rank >= 1 here",
    ("Kernels/ThreadPool.swift", "fromOpaque(raw!)"): "pthread passes back the context it was given",
    ("Data/DataLoader.swift", "fromOpaque(raw!)"): "pthread passes back the context it was given",
    ("Data/DataLoader.swift", "ready.removeValue(forKey: b)!"): "loop waits until batch b is in `ready`",
    ("Data/CIFAR10.swift", "src.baseAddress! + r * recordSize"): "file size checked to hold whole records (> 0)",
    ("Data/Dataset.swift", "bytes!.update"): "storage kind fixed at init: uint8 datasets have bytes",
    ("Data/Dataset.swift", "floats!.update"): "storage kind fixed at init: float datasets have floats",
    ("Data/Dataset.swift", "fill(d.bytes!)"): "storage kind fixed at init",
    ("Data/Dataset.swift", "floats! + offset"): "storage kind fixed at init",
    ("Data/Dataset.swift", "copyMemory(from: floats!"): "storage kind fixed at init",
    ("Data/MNIST.swift", "$0.baseAddress! + 16"): "header (16 bytes) validated before",
    ("Tensor/Profiler.swift", "table[key]!.seconds"): "entry inserted just above",
    ("Tensor/Tensor.swift", "$0.baseAddress!, count: count"): "scalars.count == count > 0 checked",
    ("Tensor/Ops/PoolOps.swift", "idx.baseAddress!"): "argmax arrays: a native Swift array's buffer is never nil",
    ("Tensor/Ops/ReductionOps.swift", "$0.baseAddress!"): "a native Swift array's buffer is never nil",
    ("Tensor/Ops/ConvOps.swift", "bias!.shape"): "guarded by bias?.requiresGrad == true",
    ("CheckpointAPI.swift", "names![i]"): "nil checked above when count > 0",
    ("CheckpointAPI.swift", "tensors![i]"): "nil checked above when count > 0",
    ("DataAPI.swift", "UnsafePointer<T>(bitPattern: MemoryLayout<T>.alignment)!"): "non-zero constant",
    ("HandleRegistry.swift", "OpaquePointer(bitPattern: bits)!"): "low half of bits is at least 1",
    ("Library.swift", "strdup(swiftNNVersion)!"): "at library load; OOM only",
}


def _traps():
    for directory in DIRECTORIES:
        base = os.path.join(ROOT, directory)
        for folder, _, files in os.walk(base):
            for name in files:
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, os.path.join(ROOT, "Sources"))
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line.split("//")[0])
                        if TRAP.search(code):
                            yield rel, number, line.strip()


def test_no_unjustified_trap_in_engine_or_c_abi():
    unexplained, used = [], set()
    for rel, number, line in _traps():
        match = [key for key in ALLOWED if rel.endswith(key[0]) and key[1] in line]
        if match:
            used.update(match)
        else:
            unexplained.append(f"{rel}:{number}: {line}")
    assert not unexplained, "traps reachable from the C ABI? validate and throw instead, or justify in ALLOWED:\n" + \
        "\n".join(unexplained)
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"allow-list entries that match nothing any more (remove them): {stale}"

// The public kernel API (GEMM, ThreadPool, BufferCache, KernelISA) stays
// reachable with `import SwiftNN`, as before the kernels had their own target.
@_exported import SwiftNNKernels

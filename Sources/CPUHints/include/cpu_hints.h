// Processor hints Swift cannot spell: software prefetch.
//
// The GEMM micro-kernel prefetches the C tile it will update next, so the
// read-modify-write of C after each depth slice hits L1 instead of stalling on
// L3/DRAM. Static inline so the Swift compiler inlines them into the kernels.
#ifndef SWIFTNN_CPU_HINTS_H
#define SWIFTNN_CPU_HINTS_H

/// Brings the cache line holding `address` into L1 ahead of a write.
static inline void swiftnn_prefetch_for_write(const void *address) {
  __builtin_prefetch(address, 1, 3);
}

/// Brings the cache line holding `address` into L1 ahead of a read.
static inline void swiftnn_prefetch_for_read(const void *address) {
  __builtin_prefetch(address, 0, 3);
}

#endif

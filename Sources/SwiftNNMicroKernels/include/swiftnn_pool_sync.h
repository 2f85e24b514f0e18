// Sequentially consistent atomics, a spin-wait hint and a monotonic clock for the
// thread pool's spin-then-park hand-off (Swift's own atomics need the
// Synchronization module, which older deployment targets lack).
#ifndef SWIFTNN_POOL_SYNC_H
#define SWIFTNN_POOL_SYNC_H

#include <time.h>

static inline long swiftnn_atomic_load(const long *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void swiftnn_atomic_store(long *p, long value) { __atomic_store_n(p, value, __ATOMIC_SEQ_CST); }
/// Adds `delta` and returns the new value.
static inline long swiftnn_atomic_add(long *p, long delta) { return __atomic_add_fetch(p, delta, __ATOMIC_SEQ_CST); }

/// Tells the core this is a spin-wait (x86 `pause`), so the sibling hyperthread
/// and the power budget are not starved.
static inline void swiftnn_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static inline long swiftnn_monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

#endif

// What the CPU can run, from CPUID and XGETBV (no compiler runtime needed).
#include "cpu_features.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

void swiftnn_detect_cpu(struct swiftnn_cpu_features *features) {
  memset(features, 0, sizeof *features);
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return;
  int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
  // The OS must save the registers: XMM|YMM state for AVX, plus opmask and
  // upper ZMM state for AVX-512.
  unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
  int ymm_saved = (xcr0 & 0x6) == 0x6, zmm_saved = (xcr0 & 0xe6) == 0xe6;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    int avx2 = (ebx >> 5) & 1;
    int avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1, avx512bw = (ebx >> 30) & 1,
        avx512vl = (ebx >> 31) & 1;
    features->avx2_fma = avx && avx2 && fma && ymm_saved;
    features->avx512 = features->avx2_fma && avx512f && avx512dq && avx512bw && avx512vl && zmm_saved;
  }
  unsigned int brand[12];
  if (__get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx) && eax >= 0x80000004) {
    for (unsigned int leaf = 0; leaf < 3; leaf++)
      __get_cpuid(0x80000002 + leaf, &brand[4 * leaf], &brand[4 * leaf + 1], &brand[4 * leaf + 2],
                  &brand[4 * leaf + 3]);
    memcpy(features->model, brand, sizeof brand);
    features->model[sizeof brand] = 0;
  }
}
#else
void swiftnn_detect_cpu(struct swiftnn_cpu_features *features) { memset(features, 0, sizeof *features); }
#endif

// CPU feature detection for the dispatcher.
#ifndef SWIFTNN_CPU_FEATURES_H
#define SWIFTNN_CPU_FEATURES_H

struct swiftnn_cpu_features {
  int avx2_fma;     ///< AVX2 and FMA, with YMM state saved by the OS
  int avx512;       ///< AVX-512 F/DQ/BW/VL, with ZMM and opmask state saved by the OS
  char model[49];   ///< CPUID brand string, "" when unavailable
};

void swiftnn_detect_cpu(struct swiftnn_cpu_features *features);

#endif

// Picks one kernel variant per process: at load, from SWIFTNN_ISA or else the
// best the CPU runs; every public kernel entry point calls through it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_features.h"
#include "isa_kernels.h"

struct kernel_table {
  void (*gemm_packed)(const float *, const float *, long, long, long, float *, long, float, float);
  void (*direct_conv_strip)(const float *, long, long, const float *, const long *, float *, long, long, float);
  void (*direct_conv_weight_tile)(const float *const[6], long, long, long, long, const float *, float *, long);
};

#define TABLE(suffix) \
  {swiftnn_gemm_packed_##suffix, swiftnn_direct_conv_strip_##suffix, swiftnn_direct_conv_weight_tile_##suffix}

static const struct kernel_table tables[] = {
    TABLE(baseline),
#if defined(__x86_64__)
    TABLE(avx2),
    TABLE(avx512),
#endif
};
static const int table_count = (int)(sizeof tables / sizeof tables[0]);

static const char *const names[] = {"baseline", "avx2", "avx512"};

static struct swiftnn_cpu_features cpu;
static int active;              // index into tables
static char warning[160];
static const struct kernel_table *kernels = &tables[0];

int swiftnn_isa_supported(int isa) {
  switch (isa) {
    case SWIFTNN_ISA_BASELINE: return 1;
    case SWIFTNN_ISA_AVX2: return isa < table_count && cpu.avx2_fma;
    case SWIFTNN_ISA_AVX512: return isa < table_count && cpu.avx512;
    default: return 0;
  }
}

int swiftnn_isa_best(void) {
  for (int isa = SWIFTNN_ISA_AVX512; isa > SWIFTNN_ISA_BASELINE; isa--)
    if (swiftnn_isa_supported(isa)) return isa;
  return SWIFTNN_ISA_BASELINE;
}

int swiftnn_isa_active(void) { return active; }

int swiftnn_isa_select(int isa) {
  if (!swiftnn_isa_supported(isa)) return -1;
  active = isa;
  kernels = &tables[isa];
  return 0;
}

const char *swiftnn_isa_name(int isa) {
  return isa >= 0 && isa < (int)(sizeof names / sizeof names[0]) ? names[isa] : "unknown";
}

int swiftnn_isa_parse(const char *name) {
  for (int isa = 0; isa < (int)(sizeof names / sizeof names[0]); isa++)
    if (name && strcmp(name, names[isa]) == 0) return isa;
  return -1;
}

const char *swiftnn_isa_warning(void) { return warning; }

const char *swiftnn_cpu_model(void) { return cpu.model[0] ? cpu.model : "unknown"; }

// Runs when the library is loaded, before any kernel can be called.
__attribute__((constructor)) static void choose_at_load(void) {
  swiftnn_detect_cpu(&cpu);
  // Brand strings are padded with leading spaces on some CPUs.
  size_t lead = strspn(cpu.model, " ");
  memmove(cpu.model, cpu.model + lead, sizeof cpu.model - lead);
  const char *requested = getenv("SWIFTNN_ISA");
  int best = swiftnn_isa_best();
  int isa = best;
  if (requested && *requested && strcmp(requested, "auto") != 0) {
    int parsed = swiftnn_isa_parse(requested);
    if (parsed < 0) {
      snprintf(warning, sizeof warning, "SWIFTNN_ISA=%s names no path (baseline, avx2, avx512, auto); using %s",
               requested, names[best]);
    } else if (!swiftnn_isa_supported(parsed)) {
      snprintf(warning, sizeof warning, "SWIFTNN_ISA=%s: this CPU does not support it; using %s", requested,
               names[best]);
    } else {
      isa = parsed;
    }
    if (warning[0]) fprintf(stderr, "swiftnn: warning: %s\n", warning);
  }
  swiftnn_isa_select(isa);
}

void swiftnn_gemm_packed(const float *packA, const float *packB, long mc, long nc, long kc, float *c, long ldc,
                         float alpha, float beta) {
  kernels->gemm_packed(packA, packB, mc, nc, kc, c, ldc, alpha, beta);
}

void swiftnn_direct_conv_strip(const float *packA, long rows, long kc, const float *origin, const long *offsets,
                               float *c, long ldc, long width, float beta) {
  kernels->direct_conv_strip(packA, rows, kc, origin, offsets, c, ldc, width, beta);
}

void swiftnn_direct_conv_weight_tile(const float *const taps[6], long count, long outH, long outW, long rowStride,
                                     const float *gyPanel, float *c, long ldc) {
  kernels->direct_conv_weight_tile(taps, count, outH, outW, rowStride, gyPanel, c, ldc);
}

// ---- GEMM with A read in place and a bias epilogue; row-dot products (gemm_body.h) ----
// Own tables, indexed by the active path, so the table above keeps its rows.
typedef void (*gemm_strided_fn)(const float *, long, long, long, const float *, long, long, long, float *, long,
                                float, float, const float *, const swiftnn_gemm_epilogue *);
static const gemm_strided_fn gemm_strided_variants[] = {
    swiftnn_gemm_strided_baseline,
#if defined(__x86_64__)
    swiftnn_gemm_strided_avx2,
    swiftnn_gemm_strided_avx512,
#endif
};

void swiftnn_gemm_strided(const float *a, long rowStride, long depthStride, long panelStride, const float *packB,
                          long mc, long nc, long kc, float *c, long ldc, float alpha, float beta,
                          const float *bias, const swiftnn_gemm_epilogue *epilogue) {
  gemm_strided_variants[active](a, rowStride, depthStride, panelStride, packB, mc, nc, kc, c, ldc, alpha, beta,
                                bias, epilogue);
}

typedef void (*gemm_row_dot_fn)(const float *, long, long, const float *, long, long, long, float *, long, float,
                                float, const float *);
static const gemm_row_dot_fn gemm_row_dot_variants[] = {
    swiftnn_gemm_row_dot_baseline,
#if defined(__x86_64__)
    swiftnn_gemm_row_dot_avx2,
    swiftnn_gemm_row_dot_avx512,
#endif
};

void swiftnn_gemm_row_dot(const float *a, long lda, long m, const float *b, long ldb, long n, long k, float *c,
                          long ldc, float alpha, float beta, const float *bias) {
  gemm_row_dot_variants[active](a, lda, m, b, ldb, n, k, c, ldc, alpha, beta, bias);
}

typedef void (*gemm_pack_b_fn)(const float *, long, long, long, float *);
static const gemm_pack_b_fn gemm_pack_b_variants[] = {
    swiftnn_gemm_pack_b_baseline,
#if defined(__x86_64__)
    swiftnn_gemm_pack_b_avx2,
    swiftnn_gemm_pack_b_avx512,
#endif
};

void swiftnn_gemm_pack_b(const float *b, long ldb, long kc, long nc, float *dst) {
  gemm_pack_b_variants[active](b, ldb, kc, nc, dst);
}

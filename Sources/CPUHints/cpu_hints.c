// The hints are static inline functions in include/cpu_hints.h; SwiftPM needs
// one translation unit to build the target.
#include "cpu_hints.h"

/* Makes include/swiftnn.h a Clang module, so the Swift exports in SwiftNNC take
 * the ABI's C structs (swiftnn_optional_int64, ...) by value. Nothing to compile. */
#include "swiftnn.h"

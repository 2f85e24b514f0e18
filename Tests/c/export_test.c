/* The op-trace ABI behind ONNX export, from plain C: record, read the graph, look up
 * tensors, and every misuse returns a status instead of aborting. */
#include <string.h>
#include "check.h"

int main(void) {
    const float data[4] = {-1, 2, -3, 4};
    const int64_t shape[2] = {2, 2};
    swiftnn_tensor x = NULL, y = NULL, z = NULL, back = NULL;
    const char* json = NULL;
    int64_t id = -2;

    CHECK(swiftnn_op_trace_end(&json) == SWIFTNN_ERROR_RUNTIME, "end without begin must fail");
    CHECK(swiftnn_op_trace_value(0, &back) == SWIFTNN_ERROR_RUNTIME, "no trace yet");
    OK(swiftnn_tensor_from_data(data, shape, 2, &x));
    OK(swiftnn_op_trace_begin());
    OK(swiftnn_relu(x, &y));
    OK(swiftnn_add(y, x, &z));
    CHECK(swiftnn_op_trace_end(NULL) == SWIFTNN_ERROR_VALUE, "null json pointer must fail");
    OK(swiftnn_op_trace_end(&json));
    CHECK(json && strstr(json, "\"op\":\"Relu\",\"inputs\":[0],\"output\":1") != NULL, "relu node: %s", json);
    CHECK(json && strstr(json, "\"op\":\"Add\",\"inputs\":[1,0],\"output\":2") != NULL, "add node: %s", json);
    CHECK(json && strstr(json, "{\"id\":0,\"shape\":[2,2],\"leaf\":true}") != NULL, "input leaf: %s", json);
    OK(swiftnn_op_trace_id(z, &id));
    CHECK(id == 2, "id of z: %lld", (long long)id);
    OK(swiftnn_op_trace_value(0, &back));
    CHECK(back == x, "value 0 is the input handle");
    CHECK(swiftnn_op_trace_value(3, &back) == SWIFTNN_ERROR_INDEX, "out of range id must fail");
    CHECK(swiftnn_op_trace_value(-1, &back) == SWIFTNN_ERROR_INDEX, "negative id must fail");
    CHECK(swiftnn_op_trace_id(NULL, &id) == SWIFTNN_ERROR_VALUE, "null tensor must fail");
    OK(swiftnn_op_trace_clear());
    CHECK(swiftnn_op_trace_id(z, &id) == SWIFTNN_ERROR_RUNTIME, "cleared trace");
    OK(swiftnn_op_trace_begin());
    OK(swiftnn_op_trace_begin());   /* a second begin drops the unfinished trace and starts afresh */
    OK(swiftnn_op_trace_clear());

    swiftnn_tensor_free(back);
    swiftnn_tensor_free(z);
    swiftnn_tensor_free(y);
    swiftnn_tensor_free(x);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("export ABI test passed\n");
    return 0;
}

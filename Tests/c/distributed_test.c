/* The distributed ABI from plain C, with a host collective of our own: a world of 2 in which
 * this process plays rank 0 and the "other rank" contributes fixed values. Checks the calls
 * the engine makes (gradient bucket all-reduce, SyncBatchNorm all-gathers, broadcasts), the
 * flat gradient buffer, no_sync, the traffic counters, and that bad calls return statuses. */
#include <stdio.h>
#include <string.h>
#include "swiftnn.h"

static int failed = 0;

static void expect(int ok, const char* what) {
    if (!ok) {
        failed++;
        fprintf(stderr, "FAIL %s (last error: %s)\n", what, swiftnn_last_error());
    }
}

typedef struct { int calls[3], released, fail; } Host;

/* The other rank holds the same values as this one: sums double, gathers repeat, broadcasts keep. */
static int collective(void* context, int kind, const float* send, float* buffer, int64_t count, int64_t root) {
    Host* host = context;
    if (host->fail) return 42;
    host->calls[kind]++;
    if (kind == SWIFTNN_ALL_REDUCE_SUM) {
        for (int64_t i = 0; i < count; i++) buffer[i] *= 2;
    } else if (kind == SWIFTNN_ALL_GATHER) {
        memcpy(buffer, send, (size_t)count * sizeof(float));
        memcpy(buffer + count, send, (size_t)count * sizeof(float));
    }
    (void)root;
    return 0;
}

static void release(void* context) { ((Host*)context)->released++; }

int main(void) {
    Host host = {{0, 0, 0}, 0, 0};
    swiftnn_process_group g = NULL, bad = NULL;
    expect(swiftnn_process_group_new(2, 2, collective, &host, release, &bad) == SWIFTNN_ERROR_VALUE, "rank >= size");
    expect(swiftnn_process_group_new(0, 2, NULL, &host, release, &bad) == SWIFTNN_ERROR_VALUE, "null collective");
    expect(swiftnn_process_group_new(0, 2, collective, &host, release, &g) == SWIFTNN_OK, "group");

    /* Linear(3, 2) under DDP: rank-0 broadcast of weight and bias at wrap time. */
    swiftnn_module linear = NULL, ddp = NULL;
    expect(swiftnn_module_new("Linear", "{\"in_features\": 3, \"out_features\": 2}", &linear) == SWIFTNN_OK, "linear");
    expect(swiftnn_ddp_new(linear, g, 1 << 20, 1, &ddp) == SWIFTNN_OK, "ddp");
    expect(host.calls[SWIFTNN_BROADCAST] == 2, "parameters broadcast at wrap time");
    swiftnn_grad_buckets buckets = NULL;
    expect(swiftnn_ddp_grad_buckets(linear, &buckets) == SWIFTNN_ERROR_TYPE, "not a DDP module");
    expect(swiftnn_ddp_grad_buckets(ddp, &buckets) == SWIFTNN_OK, "buckets");
    float* flat = NULL;
    int64_t count = 0, n = 0, offset = -1, size = -1;
    expect(swiftnn_grad_buckets_data(buckets, &flat, &count) == SWIFTNN_OK && count == 8, "flat buffer of 8 floats");
    expect(swiftnn_grad_buckets_count(buckets, &n) == SWIFTNN_OK && n == 1, "one bucket");
    expect(swiftnn_grad_buckets_range(buckets, 0, &offset, &size) == SWIFTNN_OK && offset == 0 && size == 8, "range");
    expect(swiftnn_grad_buckets_range(buckets, 1, &offset, &size) == SWIFTNN_ERROR_INDEX, "bucket index checked");

    /* sum(ddp(x)) backward: the gradient is averaged (x2 then /2) and lands in the flat buffer. */
    int64_t shape[2] = {4, 3};
    swiftnn_tensor x = NULL, y = NULL, loss = NULL;
    expect(swiftnn_tensor_full(shape, 2, 1.0f, &x) == SWIFTNN_OK, "input");
    expect(swiftnn_module_forward(ddp, x, &y) == SWIFTNN_OK, "forward");
    expect(swiftnn_sum(y, NULL, 0, 0, &loss) == SWIFTNN_OK, "loss");
    expect(swiftnn_tensor_backward(loss, NULL) == SWIFTNN_OK, "backward");
    expect(host.calls[SWIFTNN_ALL_REDUCE_SUM] == 1, "one bucket all-reduce per backward");
    /* Reverse order: bias [2] first (d sum / d b = 4 rows), then weight [2, 3] (sum of x = 4). */
    for (int i = 0; i < 8; i++) expect(flat[i] == 4.0f, "averaged gradients in the flat buffer");
    swiftnn_tensor grad = NULL;
    swiftnn_tensor weight = NULL;
    expect(swiftnn_module_state_entry(linear, 0, NULL, 0, NULL, NULL, &weight) == SWIFTNN_OK, "weight");
    expect(swiftnn_tensor_grad(weight, &grad) == SWIFTNN_OK && grad != NULL, "weight.grad");
    float values[6] = {0};
    flat[2] = 7.0f;  /* the grad is a view of its slot */
    expect(swiftnn_tensor_copy_to(grad, values, 6) == SWIFTNN_OK && values[0] == 7.0f, "grad aliases the buffer");

    /* no_sync: accumulate without communication. */
    expect(swiftnn_grad_buckets_set_sync(buckets, 0) == SWIFTNN_OK, "no_sync");
    swiftnn_tensor y2 = NULL, loss2 = NULL;
    expect(swiftnn_module_forward(ddp, x, &y2) == SWIFTNN_OK && swiftnn_sum(y2, NULL, 0, 0, &loss2) == SWIFTNN_OK, "again");
    expect(swiftnn_tensor_backward(loss2, NULL) == SWIFTNN_OK, "backward without sync");
    expect(host.calls[SWIFTNN_ALL_REDUCE_SUM] == 1 && flat[0] == 8.0f, "accumulated locally");

    /* A failing collective becomes an error status, not a crash. */
    swiftnn_tensor t = NULL;
    expect(swiftnn_tensor_full(shape, 2, 1.0f, &t) == SWIFTNN_OK, "tensor");
    expect(swiftnn_process_group_all_reduce(g, t) == SWIFTNN_OK, "all-reduce");
    host.fail = 1;
    expect(swiftnn_process_group_all_reduce(g, t) == SWIFTNN_ERROR_RUNTIME, "collective failure reported");
    host.fail = 0;
    expect(swiftnn_process_group_broadcast(g, t, 5) == SWIFTNN_ERROR_VALUE, "root out of range");

    /* SyncBatchNorm inside a zoo model: two all-gathers per layer forward. */
    swiftnn_module cnn = NULL;
    int64_t converted = 0;
    expect(swiftnn_model_new("normal_CNN", "{\"kernal_list\": [4, \"p\", 8]}", &cnn) == SWIFTNN_OK, "normal_CNN");
    expect(swiftnn_module_sync_batchnorm(cnn, g, &converted) == SWIFTNN_OK && converted == 2, "two BatchNorms synced");
    int64_t image[4] = {2, 3, 8, 8};
    swiftnn_tensor images = NULL, out = NULL;
    int gathers = host.calls[SWIFTNN_ALL_GATHER];
    expect(swiftnn_tensor_randn(image, 4, &images) == SWIFTNN_OK, "images");
    expect(swiftnn_module_forward(cnn, images, &out) == SWIFTNN_OK, "synced forward");
    expect(host.calls[SWIFTNN_ALL_GATHER] == gathers + 2, "one statistics exchange per BatchNorm");
    double seconds = -1;
    int64_t calls = 0, floats = 0;
    expect(swiftnn_process_group_traffic(g, &seconds, &calls, &floats, 1) == SWIFTNN_OK && calls > 0 && floats > 0
               && seconds >= 0, "traffic counters");
    expect(swiftnn_process_group_traffic(g, NULL, &calls, NULL, 0) == SWIFTNN_OK && calls == 0, "reset");

    swiftnn_tensor_free(out);
    swiftnn_tensor_free(images);
    swiftnn_module_free(cnn);
    swiftnn_tensor_free(t);
    swiftnn_tensor_free(loss2);
    swiftnn_tensor_free(y2);
    swiftnn_tensor_free(grad);
    swiftnn_tensor_free(weight);
    swiftnn_tensor_free(loss);
    swiftnn_tensor_free(y);
    swiftnn_tensor_free(x);
    swiftnn_grad_buckets_free(buckets);
    swiftnn_module_free(ddp);
    swiftnn_module_free(linear);
    swiftnn_process_group_free(g);
    expect(host.released == 1, "the context is released with the last user of the group");
    if (failed) return 1;
    puts("distributed ABI: ok");
    return 0;
}

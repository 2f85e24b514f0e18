/* The training ABI from plain C: whole epochs with a per-batch callback, a callback
 * that stops the run, evaluation with a confusion matrix, and bad calls. */
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

typedef struct { int64_t calls, samples, stop_at; double loss_sum; } Seen;

static int on_batch(void* context, int64_t batch, int64_t batches, int64_t size, double loss, int64_t correct) {
    Seen* seen = context;
    seen->calls++;
    seen->samples += size;
    seen->loss_sum += loss;
    (void)batches;
    (void)correct;
    return batch == seen->stop_at;
}

int main(void) {
    enum { N = 20, F = 4, C = 3 };
    float x[N * F];
    int64_t y[N], shape[2] = {N, F};
    for (int i = 0; i < N; i++) {
        y[i] = i % C;
        for (int f = 0; f < F; f++) x[i * F + f] = (f == y[i]) ? 1.0f : 0.1f * (float)f;
    }
    swiftnn_dataset data = NULL;
    swiftnn_module model = NULL;
    swiftnn_loader loader = NULL;
    swiftnn_optimizer sgd = NULL;
    swiftnn_tensor params[2] = {NULL, NULL};
    char config[64];
    snprintf(config, sizeof config, "{\"in_features\": %d, \"out_features\": %d}", (int)F, (int)C);
    expect(swiftnn_dataset_from_float(x, shape, 2, y, &data) == SWIFTNN_OK, "dataset");
    expect(swiftnn_module_new("Linear", config, &model) == SWIFTNN_OK, "linear");
    for (int i = 0; i < 2; i++)
        expect(swiftnn_module_state_entry(model, i, NULL, 0, NULL, NULL, &params[i]) == SWIFTNN_OK, "parameter");
    expect(swiftnn_optimizer_new("SGD", params, 2, "{\"lr\": 0.5}", &sgd) == SWIFTNN_OK, "sgd");
    expect(swiftnn_loader_new(data, NULL, 8, 1, 0, 7, 2, &loader) == SWIFTNN_OK, "loader");

    double loss = 0, first = 0;
    int64_t correct = 0, total = 0;
    expect(swiftnn_train_epoch(model, loader, &sgd, 1, 1.0, 0.0f, NULL, NULL, &loss, &correct, &total)
               == SWIFTNN_ERROR_RUNTIME, "training before an epoch started fails");
    for (int epoch = 0; epoch < 5; epoch++) {
        Seen seen = {0, 0, -1, 0};
        expect(swiftnn_loader_start_epoch(loader) == SWIFTNN_OK, "start epoch");
        expect(swiftnn_train_epoch(model, loader, &sgd, 1, 1.0, 0.0f, on_batch, &seen, &loss, &correct, &total)
                   == SWIFTNN_OK, "train epoch");
        expect(seen.calls == 3 && seen.samples == N && total == N, "callback once per batch, every sample");
        expect(loss > 0 && loss == seen.loss_sum / 3, "epoch loss is the mean batch loss");
        if (epoch == 0) first = loss;
    }
    expect(loss < first, "the loss falls");

    Seen stop = {0, 0, 1, 0};
    expect(swiftnn_loader_start_epoch(loader) == SWIFTNN_OK, "start epoch");
    expect(swiftnn_train_epoch(model, loader, &sgd, 1, 0.0, 0.0f, on_batch, &stop, &loss, NULL, NULL)
               == SWIFTNN_ERROR_RUNTIME, "a non-zero callback return stops the epoch");
    expect(stop.calls == 2 && strstr(swiftnn_last_error(), "stopped by the batch callback") != NULL,
           "stopped after the second batch, with a message");

    int64_t confusion[C * C] = {0}, sum = 0, diagonal = 0;
    expect(swiftnn_loader_start_epoch(loader) == SWIFTNN_OK, "start epoch");
    expect(swiftnn_evaluate(model, loader, 0.0f, C, confusion, NULL, NULL, &loss, &correct, &total) == SWIFTNN_OK,
           "evaluate");
    for (int i = 0; i < C * C; i++) sum += confusion[i];
    for (int i = 0; i < C; i++) diagonal += confusion[i * C + i];
    expect(sum == N && total == N && diagonal == correct, "the confusion matrix adds up");
    expect(swiftnn_evaluate(model, loader, 0.0f, 0, confusion, NULL, NULL, NULL, NULL, NULL) == SWIFTNN_ERROR_VALUE,
           "a confusion matrix needs num_classes");
    expect(swiftnn_evaluate(model, loader, 2.0f, C, NULL, NULL, NULL, NULL, NULL, NULL) == SWIFTNN_ERROR_VALUE,
           "label smoothing above 1");
    expect(swiftnn_train_epoch(NULL, loader, &sgd, 1, 0.0, 0.0f, NULL, NULL, NULL, NULL, NULL) == SWIFTNN_ERROR_VALUE,
           "null model");

    swiftnn_loader_free(loader);
    swiftnn_optimizer_free(sgd);
    for (int i = 0; i < 2; i++) swiftnn_tensor_free(params[i]);
    swiftnn_module_free(model);
    swiftnn_dataset_free(data);
    if (failed) return 1;
    printf("C training ABI checks passed\n");
    return 0;
}

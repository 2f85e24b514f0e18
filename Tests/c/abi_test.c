/* Exercises the C ABI from plain C: compiles against include/swiftnn.h with
 * -Wall -Werror (so the header matches the exports), checks results, and
 * checks that bad input yields an error status and message instead of a crash. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "swiftnn.h"

#include "check.h"

static void test_matmul_and_grad(void) {
    const float a_data[6] = {1, 2, 3, 4, 5, 6};        /* 2x3 */
    const float b_data[6] = {1, 0, 0, 1, 1, 1};        /* 3x2 */
    const int64_t a_shape[2] = {2, 3}, b_shape[2] = {3, 2};
    swiftnn_tensor a = NULL, b = NULL, c = NULL, s = NULL, g = NULL;
    OK(swiftnn_tensor_from_data(a_data, a_shape, 2, &a));
    OK(swiftnn_tensor_from_data(b_data, b_shape, 2, &b));
    OK(swiftnn_tensor_set_requires_grad(a, 1));
    OK(swiftnn_matmul(a, b, &c));
    float out[4] = {0};
    OK(swiftnn_tensor_copy_to(c, out, 4));
    const float expected[4] = {4, 5, 10, 11};
    for (int i = 0; i < 4; i++) CHECK(out[i] == expected[i], "matmul[%d] = %g, want %g", i, out[i], expected[i]);

    OK(swiftnn_sum(c, NULL, 0, 0, &s));
    OK(swiftnn_tensor_backward(s, NULL));
    OK(swiftnn_tensor_grad(a, &g));
    float grad[6] = {0};
    OK(swiftnn_tensor_copy_to(g, grad, 6));
    /* d sum(A B) / dA = 1 * B^T row sums: [1, 1, 2] per row. */
    const float want[6] = {1, 1, 2, 1, 1, 2};
    for (int i = 0; i < 6; i++) CHECK(grad[i] == want[i], "grad[%d] = %g, want %g", i, grad[i], want[i]);

    swiftnn_tensor a2 = NULL;
    OK(swiftnn_tensor_detach(a, &a2));
    swiftnn_tensor_free(a2);
    swiftnn_tensor_free(g);
    swiftnn_tensor_free(s);
    swiftnn_tensor_free(c);
    swiftnn_tensor_free(b);
    swiftnn_tensor_free(a);
}

static void test_errors(void) {
    const int64_t shape[2] = {4, 5};
    swiftnn_tensor x = NULL, y = NULL;
    swiftnn_module lin = NULL;
    OK(swiftnn_tensor_full(shape, 2, 0.0f, &x));
    OK(swiftnn_module_new("Linear", "{\"in_features\": 3, \"out_features\": 2}", &lin));

    int status = swiftnn_module_forward(lin, x, &y);
    CHECK(status == SWIFTNN_ERROR_VALUE, "Linear(3,2) on [4,5] gave status %d", status);
    CHECK(y == NULL, "output written on error");
    const char* message = swiftnn_last_error();
    CHECK(message && strstr(message, "[4, 5]") && strstr(message, "[2, 3]"), "message lacks both shapes: %s",
          message ? message : "(null)");

    CHECK(swiftnn_add(NULL, x, &y) == SWIFTNN_ERROR_VALUE, "null handle accepted");
    CHECK(swiftnn_add(x, x, NULL) == SWIFTNN_ERROR_VALUE, "null out-pointer accepted");
    const int64_t negative[1] = {-3};
    CHECK(swiftnn_tensor_full(negative, 1, 0.0f, &y) == SWIFTNN_ERROR_VALUE, "negative dim accepted");
    const int64_t huge[3] = {1 << 20, 1 << 20, 1 << 20};
    CHECK(swiftnn_tensor_full(huge, 3, 0.0f, &y) == SWIFTNN_ERROR_VALUE, "huge shape accepted");
    CHECK(swiftnn_tensor_full(shape, 99, 0.0f, &y) == SWIFTNN_ERROR_VALUE, "ndim 99 accepted");
    CHECK(swiftnn_softmax(x, 5, &y) == SWIFTNN_ERROR_INDEX, "dim 5 of a 2-D tensor accepted");
    float small[3];
    CHECK(swiftnn_tensor_copy_to(x, small, 3) == SWIFTNN_ERROR_VALUE, "short buffer accepted");
    const int64_t bad_targets[4] = {0, 1, 7, 2};
    CHECK(swiftnn_cross_entropy(x, bad_targets, 4, SWIFTNN_REDUCTION_MEAN, 0.0f, -100, &y) == SWIFTNN_ERROR_INDEX,
          "target 7 of 5 classes accepted");
    CHECK(swiftnn_cross_entropy(x, bad_targets, 4, 9, 0.0f, -100, &y) == SWIFTNN_ERROR_VALUE, "reduction 9 accepted");
    CHECK(swiftnn_tensor_backward(x, NULL) == SWIFTNN_ERROR_RUNTIME, "backward without grad accepted");
    swiftnn_module model = NULL;
    CHECK(swiftnn_model_new("NoSuchNet", NULL, &model) == SWIFTNN_ERROR_VALUE, "unknown model accepted");
    CHECK(swiftnn_module_new("NoSuchLayer", NULL, &model) == SWIFTNN_ERROR_VALUE, "unknown layer accepted");
    CHECK(swiftnn_module_new("Linear", "{\"in_features\": 3}", &model) == SWIFTNN_ERROR_TYPE, "missing argument");
    CHECK(swiftnn_module_new("Linear", "{\"in_features\": 3, \"out_features\": 2, \"bais\": 1}", &model)
              == SWIFTNN_ERROR_VALUE, "misspelt argument accepted");
    CHECK(swiftnn_module_new("Linear", "{not json", &model) == SWIFTNN_ERROR_VALUE, "bad JSON accepted");
    CHECK(y == NULL && model == NULL, "outputs written on error");

    swiftnn_module_free(lin);
    swiftnn_tensor_free(x);
}

static void test_module_state_and_sgd(void) {
    swiftnn_module net = NULL;
    OK(swiftnn_model_new("MLPnet", NULL, &net));
    int64_t count = 0;
    OK(swiftnn_module_state_count(net, &count));
    CHECK(count == 6, "MLPnet has %lld state entries, want 6", (long long)count);
    swiftnn_tensor params[6] = {0};
    int64_t total = 0;
    for (int64_t i = 0; i < count && i < 6; i++) {
        char name[64];
        int64_t length = 0, numel = 0;
        int kind = -1;
        OK(swiftnn_module_state_entry(net, i, name, sizeof name, &length, &kind, &params[i]));
        OK(swiftnn_tensor_numel(params[i], &numel));
        total += numel;
        CHECK(kind == 0, "%s is not a parameter", name);
        if (i == 0) CHECK(strcmp(name, "fc1.weight") == 0, "first key %s", name);
    }
    CHECK(total == 402250, "MLPnet has %lld parameters, want 402250", (long long)total);

    swiftnn_optimizer sgd = NULL;
    OK(swiftnn_optimizer_new("SGD", params, 6, "{\"lr\": 0.1, \"momentum\": 0.9}", &sgd));
    char text[64];
    OK(swiftnn_optimizer_get_option(sgd, "lr", text, sizeof text, NULL));
    CHECK(strcmp(text, "0.1") == 0, "lr %s", text);
    CHECK(swiftnn_optimizer_set_option(sgd, "lr", "-1") == SWIFTNN_ERROR_VALUE, "negative lr accepted");
    CHECK(swiftnn_optimizer_set_option(sgd, "nesterov", "true") == SWIFTNN_ERROR_ATTRIBUTE, "nesterov changed");
    OK(swiftnn_optimizer_set_option(sgd, "lr", "0.25"));
    OK(swiftnn_optimizer_get_option(sgd, "lr", text, sizeof text, NULL));
    CHECK(strcmp(text, "0.25") == 0, "lr after set %s", text);
    OK(swiftnn_optimizer_step(sgd));  /* no grads yet: a no-op, not an error */
    swiftnn_optimizer_free(sgd);
    for (int i = 0; i < 6; i++) swiftnn_tensor_free(params[i]);
    swiftnn_module_free(net);
}

static void test_optimizers_schedulers_and_clipping(void) {
    const float one = 1.0f, half = 0.5f;
    const int64_t shape[1] = {1};
    swiftnn_tensor p = NULL, g = NULL, norm = NULL;
    OK(swiftnn_tensor_from_data(&one, shape, 1, &p));
    OK(swiftnn_tensor_set_requires_grad(p, 1));
    OK(swiftnn_tensor_from_data(&half, shape, 1, &g));
    OK(swiftnn_tensor_set_grad(p, g));

    swiftnn_optimizer adam = NULL;
    OK(swiftnn_optimizer_new("Adam", &p, 1, "{\"lr\": 0.1}", &adam));
    OK(swiftnn_optimizer_step(adam));  /* Adam's first step moves by lr·sign(g) */
    float value = 0;
    OK(swiftnn_tensor_copy_to(p, &value, 1));
    CHECK(fabsf(value - 0.9f) < 1e-6f, "Adam step gave %g, want 0.9", value);
    int64_t entries = 0;
    OK(swiftnn_optimizer_state_count(adam, &entries));
    CHECK(entries == 3, "Adam has %lld state entries, want 3", (long long)entries);
    char name[32];
    int64_t param_index = -1;
    OK(swiftnn_optimizer_state_entry(adam, 2, &param_index, name, sizeof name, NULL, NULL));
    CHECK(strcmp(name, "step") == 0 && param_index == 0, "state entry 2 is %s of %lld", name, (long long)param_index);
    CHECK(swiftnn_optimizer_set_option(adam, "betas", "[1.0, 0.9]") == SWIFTNN_ERROR_VALUE, "beta1 = 1 accepted");
    CHECK(swiftnn_optimizer_set_option(adam, NULL, "1") == SWIFTNN_ERROR_VALUE, "null name accepted");
    CHECK(swiftnn_optimizer_new("Adam", NULL, 1, NULL, &adam) == SWIFTNN_ERROR_VALUE, "null params");
    CHECK(swiftnn_optimizer_new("Adma", &p, 1, NULL, &adam) == SWIFTNN_ERROR_VALUE, "unknown optimizer");

    swiftnn_scheduler step_lr = NULL;
    OK(swiftnn_scheduler_new("StepLR", &adam, 1, "{\"step_size\": 1, \"gamma\": 0.5}", &step_lr));
    OK(swiftnn_scheduler_step(step_lr, 0, 0));
    char lrs[64];
    OK(swiftnn_scheduler_get_option(step_lr, "_last_lr", lrs, sizeof lrs, NULL));
    CHECK(strcmp(lrs, "[0.05]") == 0, "StepLR lr %s, want [0.05]", lrs);
    double lr = 0;
    CHECK(swiftnn_scheduler_get_lr(step_lr, 0, &lr) == SWIFTNN_ERROR_VALUE, "small buffer accepted");
    swiftnn_scheduler bad = NULL;
    CHECK(swiftnn_scheduler_new("StepLR", &adam, 1, "{\"step_size\": 0}", &bad) == SWIFTNN_ERROR_VALUE, "step_size 0");
    CHECK(swiftnn_scheduler_new("OneCycleLR", &adam, 1, "{\"total_steps\": 10}", &bad) == SWIFTNN_ERROR_TYPE,
          "missing max_lr accepted");
    CHECK(bad == NULL, "scheduler written on error");
    CHECK(swiftnn_scheduler_step(NULL, 0, 0) == SWIFTNN_ERROR_VALUE, "null scheduler accepted");
    swiftnn_scheduler_free(step_lr);

    const float big[2] = {3, 4};
    const int64_t shape2[1] = {2};
    swiftnn_tensor q = NULL, h = NULL;
    OK(swiftnn_tensor_from_data(big, shape2, 1, &q));
    OK(swiftnn_tensor_from_data(big, shape2, 1, &h));
    OK(swiftnn_tensor_set_grad(q, h));
    OK(swiftnn_clip_grad_norm(&q, 1, 1.0, 2.0, 0, &norm));
    OK(swiftnn_tensor_copy_to(norm, &value, 1));
    CHECK(fabsf(value - 5.0f) < 1e-6f, "total norm %g, want 5", value);
    CHECK(swiftnn_clip_grad_norm(&q, 1, 1.0, NAN, 0, &norm) == SWIFTNN_ERROR_VALUE, "nan norm_type accepted");

    swiftnn_optimizer_free(adam);
    swiftnn_tensor_free(norm);
    swiftnn_tensor_free(h);
    swiftnn_tensor_free(q);
    swiftnn_tensor_free(g);
    swiftnn_tensor_free(p);
}

static void test_module_trace(void) {
    swiftnn_module net = NULL;
    swiftnn_tensor x = NULL, out = NULL;
    const char* rows = NULL;
    static float zeros[2 * 12];
    const int64_t shape[2] = {2, 12};
    OK(swiftnn_model_new("normal_MLP", "{\"input_size\": 12, \"neural_list\": [5, 3]}", &net));
    OK(swiftnn_tensor_from_data(zeros, shape, 2, &x));
    OK(swiftnn_module_trace(net, x, &out, &rows));
    CHECK(rows && strstr(rows, "{\"name\":\"layers.0\",\"type\":\"Linear\",\"shape\":[2,5],\"params\":65}"),
          "trace rows %s", rows ? rows : "(null)");
    CHECK(swiftnn_module_trace(NULL, x, &out, &rows) == SWIFTNN_ERROR_VALUE, "null module traced");
    CHECK(swiftnn_module_trace(net, x, &out, NULL) == SWIFTNN_ERROR_VALUE, "null rows pointer accepted");
    swiftnn_tensor_free(out);
    swiftnn_tensor_free(x);
    swiftnn_module_free(net);
}

/* The children of a zoo model are its live engine modules: a weight written through
 * fc1's own handle is the weight the model's state dict holds. */
static void test_module_children(void) {
    swiftnn_module net = NULL, fc1 = NULL, again = NULL, none = NULL;
    OK(swiftnn_model_new("MLPnet", NULL, &net));
    int64_t count = 0, length = 0;
    OK(swiftnn_module_child_count(net, &count));
    CHECK(count == 4, "MLPnet has %lld children, want 4", (long long)count);
    char name[32], kind[32];
    OK(swiftnn_module_child(net, 0, name, sizeof name, &length, &fc1));
    CHECK(strcmp(name, "fc1") == 0 && length == 3, "first child %s", name);
    OK(swiftnn_module_type_name(fc1, kind, sizeof kind, NULL));
    CHECK(strcmp(kind, "Linear") == 0, "fc1 kind %s", kind);
    OK(swiftnn_module_child(net, 0, NULL, 0, NULL, &again));
    CHECK(again == fc1, "the same child gave two handles");
    swiftnn_tensor weight = NULL, root_weight = NULL;
    int param_kind = -1;
    OK(swiftnn_module_state_entry(fc1, 0, name, sizeof name, NULL, &param_kind, &weight));
    OK(swiftnn_module_state_entry(net, 0, name, sizeof name, NULL, &param_kind, &root_weight));
    CHECK(weight == root_weight, "fc1.weight is not the model's tensor");
    CHECK(swiftnn_module_child(net, 4, name, sizeof name, NULL, &none) == SWIFTNN_ERROR_INDEX, "index 4 accepted");
    CHECK(swiftnn_module_child(net, -1, name, sizeof name, NULL, &none) == SWIFTNN_ERROR_INDEX, "index -1 accepted");
    CHECK(swiftnn_module_child_count(NULL, &count) == SWIFTNN_ERROR_VALUE, "null module counted");
    CHECK(swiftnn_module_child_count(net, NULL) == SWIFTNN_ERROR_VALUE, "null output accepted");
    CHECK(none == NULL, "output written on error");
    OK(swiftnn_module_child_count(fc1, &count));
    CHECK(count == 0, "Linear has %lld children", (long long)count);
    swiftnn_tensor_free(root_weight);
    swiftnn_tensor_free(weight);
    swiftnn_module_free(again);
    swiftnn_module_free(fc1);
    swiftnn_module_free(net);
}

int main(void) {
    CHECK(swiftnn_abi_version() == SWIFTNN_ABI_VERSION, "ABI version mismatch");
    CHECK(strlen(swiftnn_version()) > 0, "empty version");
    test_matmul_and_grad();
    test_errors();
    test_module_state_and_sgd();
    test_optimizers_schedulers_and_clipping();
    test_module_trace();
    test_module_children();
    if (failures) {
        fprintf(stderr, "%d C ABI check(s) failed\n", failures);
        return 1;
    }
    printf("C ABI checks passed (swiftnn %s)\n", swiftnn_version());
    return 0;
}

/* The checkpoint C ABI from plain C: a module saved and read back entry by entry,
 * metadata, int64 entries, and error statuses (never a crash) for bad arguments
 * and damaged files. Run with the path of a scratch directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiftnn.h"

#include "check.h"

static char file[4096], damaged[4096];

static void test_module_round_trip(void) {
    swiftnn_module net = NULL, other = NULL;
    OK(swiftnn_model_new("MLPnet", NULL, &net));
    OK(swiftnn_model_new("MLPnet", NULL, &other));
    OK(swiftnn_module_save(net, file));
    OK(swiftnn_module_load(other, file, 1));
    swiftnn_checkpoint c = NULL;
    OK(swiftnn_checkpoint_load(file, &c));
    int64_t count = 0;
    OK(swiftnn_checkpoint_count(c, &count));
    CHECK(count == 6, "MLPnet checkpoint has %lld entries, want 6", (long long)count);
    char name[64];
    int64_t length = 0;
    const char* dtype = NULL;
    swiftnn_tensor t = NULL;
    OK(swiftnn_checkpoint_entry(c, 1, name, sizeof name, &length, &dtype, &t));
    CHECK(strcmp(name, "fc1.weight") == 0 && length == 10, "entry 1 is %s (%lld)", name, (long long)length);
    CHECK(dtype && strcmp(dtype, "F32") == 0, "dtype %s", dtype ? dtype : "(null)");
    int64_t numel = 0;
    OK(swiftnn_tensor_numel(t, &numel));
    CHECK(numel == 128 * 3072, "fc1.weight has %lld elements", (long long)numel);
    CHECK(swiftnn_checkpoint_entry(c, 6, name, sizeof name, &length, &dtype, NULL) == SWIFTNN_ERROR_INDEX,
          "entry 6 of 6 accepted");
    CHECK(swiftnn_checkpoint_entry(c, -1, NULL, 0, NULL, NULL, NULL) == SWIFTNN_ERROR_INDEX, "entry -1 accepted");
    char metadata[16];
    OK(swiftnn_checkpoint_metadata(c, metadata, sizeof metadata, &length));
    CHECK(strcmp(metadata, "{}") == 0, "metadata %s", metadata);
    swiftnn_tensor_free(t);
    swiftnn_checkpoint_free(c);
    swiftnn_module_free(net);
    swiftnn_module_free(other);
}

static void test_named_tensors_and_metadata(void) {
    int64_t shape[1] = {3};
    float counts[3] = {1, 2, 300};
    swiftnn_tensor tensors[2] = {NULL, NULL};
    OK(swiftnn_tensor_from_data(counts, shape, 1, &tensors[0]));
    OK(swiftnn_tensor_full(shape, 1, 0.5f, &tensors[1]));
    const char* names[2] = {"steps", "half"};
    int is_int64[2] = {1, 0};
    OK(swiftnn_checkpoint_save(file, names, tensors, is_int64, 2, "{\"format\":\"pt\"}"));
    swiftnn_checkpoint c = NULL;
    OK(swiftnn_checkpoint_load(file, &c));
    const char* dtype = NULL;
    char name[16];
    OK(swiftnn_checkpoint_entry(c, 0, name, sizeof name, NULL, &dtype, NULL));
    CHECK(strcmp(name, "steps") == 0 && strcmp(dtype, "I64") == 0, "entry 0 is %s %s", name, dtype);
    char metadata[64];
    OK(swiftnn_checkpoint_metadata(c, metadata, sizeof metadata, NULL));
    CHECK(strcmp(metadata, "{\"format\":\"pt\"}") == 0, "metadata %s", metadata);
    swiftnn_checkpoint_free(c);

    is_int64[1] = 1; /* 0.5 is not an int64 value */
    CHECK(swiftnn_checkpoint_save(file, names, tensors, is_int64, 2, NULL) == SWIFTNN_ERROR_VALUE, "0.5 as I64 accepted");
    CHECK(swiftnn_checkpoint_save(file, names, tensors, NULL, 2, "[1]") == SWIFTNN_ERROR_VALUE, "array metadata accepted");
    CHECK(swiftnn_checkpoint_save(file, names, tensors, NULL, 2, "{\"a\":1}") == SWIFTNN_ERROR_VALUE,
          "numeric metadata accepted");
    CHECK(swiftnn_checkpoint_save(NULL, names, tensors, NULL, 2, NULL) == SWIFTNN_ERROR_VALUE, "null path accepted");
    CHECK(swiftnn_checkpoint_save(file, NULL, tensors, NULL, 2, NULL) == SWIFTNN_ERROR_VALUE, "null names accepted");
    CHECK(swiftnn_checkpoint_save(file, names, tensors, NULL, -1, NULL) == SWIFTNN_ERROR_VALUE, "count -1 accepted");
    swiftnn_tensor with_null[2] = {tensors[0], NULL};
    CHECK(swiftnn_checkpoint_save(file, names, with_null, NULL, 2, NULL) == SWIFTNN_ERROR_VALUE, "null tensor accepted");
    /* The failed saves left the earlier file as it was. */
    OK(swiftnn_checkpoint_load(file, &c));
    int64_t count = 0;
    OK(swiftnn_checkpoint_count(c, &count));
    CHECK(count == 2, "file changed by failed saves: %lld entries", (long long)count);
    swiftnn_checkpoint_free(c);
    swiftnn_tensor_free(tensors[0]);
    swiftnn_tensor_free(tensors[1]);
}

static void test_damaged_files(void) {
    FILE* f = fopen(damaged, "wb");
    fwrite("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 1, 10, f); /* header length 2^63 - 1 */
    fclose(f);
    swiftnn_checkpoint c = NULL;
    CHECK(swiftnn_checkpoint_load(damaged, &c) == SWIFTNN_ERROR_IO, "oversized header accepted");
    CHECK(c == NULL, "output written on error");
    CHECK(strstr(swiftnn_last_error(), damaged) && strstr(swiftnn_last_error(), "exceeds the limit"),
          "message: %s", swiftnn_last_error());
    CHECK(swiftnn_checkpoint_load("/nonexistent/x.safetensors", &c) == SWIFTNN_ERROR_IO, "missing file accepted");
    CHECK(swiftnn_checkpoint_load(NULL, &c) == SWIFTNN_ERROR_VALUE, "null path accepted");
    CHECK(swiftnn_checkpoint_load(file, NULL) == SWIFTNN_ERROR_VALUE, "null out-pointer accepted");
    CHECK(swiftnn_checkpoint_count(NULL, NULL) == SWIFTNN_ERROR_VALUE, "null checkpoint accepted");
    swiftnn_module net = NULL;
    OK(swiftnn_model_new("MLPnet", NULL, &net));
    CHECK(swiftnn_module_load(net, damaged, 1) == SWIFTNN_ERROR_IO, "damaged file loaded into a module");
    CHECK(swiftnn_module_load(net, file, 1) == SWIFTNN_ERROR_VALUE, "wrong keys accepted with strict=1");
    CHECK(swiftnn_module_save(NULL, file) == SWIFTNN_ERROR_VALUE, "null module accepted");
    swiftnn_module_free(net);
    remove(damaged);
}

int main(int argc, char** argv) {
    const char* dir = argc > 1 ? argv[1] : ".";
    snprintf(file, sizeof file, "%s/checkpoint_test.safetensors", dir);
    snprintf(damaged, sizeof damaged, "%s/damaged.safetensors", dir);
    test_module_round_trip();
    test_named_tensors_and_metadata();
    test_damaged_files();
    remove(file);
    if (failures) {
        fprintf(stderr, "%d checkpoint C ABI check(s) failed\n", failures);
        return 1;
    }
    printf("checkpoint C ABI checks passed\n");
    return 0;
}

/*
 * swiftnn C ABI.
 *
 * Conventions
 * - Objects are opaque handles (tensor, module, optimizer). Every handle a call
 *   returns through an out-pointer is owned by the caller and released exactly
 *   once with the matching *_free. Handles returned for the same engine object
 *   compare equal as pointers (so identity can be tested with ==).
 * - Every call returns an int status: SWIFTNN_OK (0) or one of the error codes
 *   below. On error, out-pointers are left untouched and swiftnn_last_error()
 *   describes the problem. The message is thread-local and stays valid until
 *   the next failing call on the same thread.
 * - No call aborts, exits or traps on bad input: shapes, ranks, indices, sizes
 *   and file contents are validated first.
 * - Buffers cross as pointer + shape and are copied; the engine never keeps a
 *   caller's pointer.
 * - Shapes are int64_t arrays; ndim may be 0 (a scalar) up to SWIFTNN_MAX_DIMS.
 * - Functions that fill a caller buffer take its capacity and fail with
 *   SWIFTNN_ERROR_VALUE when it is too small.
 */
#ifndef SWIFTNN_H
#define SWIFTNN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWIFTNN_ABI_VERSION 1
#define SWIFTNN_MAX_DIMS 16

enum swiftnn_status {
    SWIFTNN_OK = 0,
    SWIFTNN_ERROR_VALUE = 1,   /* bad value or shape      -> ValueError   */
    SWIFTNN_ERROR_TYPE = 2,    /* wrong kind of object    -> TypeError    */
    SWIFTNN_ERROR_INDEX = 3,   /* index/dim out of range  -> IndexError   */
    SWIFTNN_ERROR_IO = 4,      /* file problem            -> OSError      */
    SWIFTNN_ERROR_RUNTIME = 5  /* invalid in this state   -> RuntimeError */
};

enum swiftnn_reduction { SWIFTNN_REDUCTION_NONE = 0, SWIFTNN_REDUCTION_MEAN = 1, SWIFTNN_REDUCTION_SUM = 2 };

typedef struct swiftnn_tensor_s* swiftnn_tensor;
typedef struct swiftnn_module_s* swiftnn_module;
typedef struct swiftnn_optimizer_s* swiftnn_optimizer;

/* ---- library ---------------------------------------------------------- */
const char* swiftnn_last_error(void);
/* "MAJOR.MINOR.PATCH"; static storage. */
const char* swiftnn_version(void);
int swiftnn_abi_version(void);
int swiftnn_manual_seed(uint64_t seed);
/* Per-thread autograd recording switch; *previous receives the old state (may be NULL). */
int swiftnn_set_grad_enabled(int enabled, int* previous);
int swiftnn_is_grad_enabled(int* out);

/* ---- tensors: creation and data --------------------------------------- */
int swiftnn_tensor_from_data(const float* data, const int64_t* shape, int ndim, swiftnn_tensor* out);
int swiftnn_tensor_full(const int64_t* shape, int ndim, float value, swiftnn_tensor* out);
int swiftnn_tensor_arange(float start, float end, float step, swiftnn_tensor* out);
int swiftnn_tensor_randn(const int64_t* shape, int ndim, swiftnn_tensor* out);
int swiftnn_tensor_rand(const int64_t* shape, int ndim, swiftnn_tensor* out);
/* count int64 values uniform in [low, high) from the default generator. */
int swiftnn_randint(int64_t low, int64_t high, int64_t count, int64_t* out);
int swiftnn_tensor_free(swiftnn_tensor t);

int swiftnn_tensor_ndim(swiftnn_tensor t, int* out);
int swiftnn_tensor_shape(swiftnn_tensor t, int64_t* shape, int capacity);
int swiftnn_tensor_numel(swiftnn_tensor t, int64_t* out);
/* Copies the elements out; capacity is in elements and must be >= numel. */
int swiftnn_tensor_copy_to(swiftnn_tensor t, float* dst, int64_t capacity);
/* Overwrites the elements in place (not recorded by autograd); count must equal numel. */
int swiftnn_tensor_copy_from(swiftnn_tensor t, const float* src, int64_t count);

/* ---- autograd --------------------------------------------------------- */
int swiftnn_tensor_requires_grad(swiftnn_tensor t, int* out);
int swiftnn_tensor_set_requires_grad(swiftnn_tensor t, int flag);
int swiftnn_tensor_is_leaf(swiftnn_tensor t, int* out);
/* *out is NULL when the tensor has no gradient. */
int swiftnn_tensor_grad(swiftnn_tensor t, swiftnn_tensor* out);
/* grad may be NULL to clear it. */
int swiftnn_tensor_set_grad(swiftnn_tensor t, swiftnn_tensor grad);
/* gradient may be NULL for a one-element tensor. */
int swiftnn_tensor_backward(swiftnn_tensor t, swiftnn_tensor gradient);
int swiftnn_tensor_detach(swiftnn_tensor t, swiftnn_tensor* out);
/* Name of the op that produced t ("AddBackward", ...); *out is "" for leaves. Valid until the next call on this thread. */
int swiftnn_tensor_grad_fn_name(swiftnn_tensor t, const char** out);

/* ---- ops (each records autograd when enabled) ------------------------- */
int swiftnn_add(swiftnn_tensor a, swiftnn_tensor b, swiftnn_tensor* out);
int swiftnn_sub(swiftnn_tensor a, swiftnn_tensor b, swiftnn_tensor* out);
int swiftnn_mul(swiftnn_tensor a, swiftnn_tensor b, swiftnn_tensor* out);
int swiftnn_div(swiftnn_tensor a, swiftnn_tensor b, swiftnn_tensor* out);
int swiftnn_matmul(swiftnn_tensor a, swiftnn_tensor b, swiftnn_tensor* out);
int swiftnn_neg(swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_relu(swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_sigmoid(swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_tanh(swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_exp(swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_log(swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_softmax(swiftnn_tensor x, int64_t dim, swiftnn_tensor* out);
int swiftnn_log_softmax(swiftnn_tensor x, int64_t dim, swiftnn_tensor* out);
/* Reductions over dims[0..ndims); dims == NULL reduces over every dimension. */
int swiftnn_sum(swiftnn_tensor x, const int64_t* dims, int ndims, int keepdim, swiftnn_tensor* out);
int swiftnn_mean(swiftnn_tensor x, const int64_t* dims, int ndims, int keepdim, swiftnn_tensor* out);
int swiftnn_amax(swiftnn_tensor x, const int64_t* dims, int ndims, int keepdim, swiftnn_tensor* out);
/* Max along one dim: values as a tensor, indices written to `indices` (capacity in elements). */
int swiftnn_max_dim(swiftnn_tensor x, int64_t dim, int keepdim, swiftnn_tensor* values,
                    int64_t* indices, int64_t capacity);
int swiftnn_reshape(swiftnn_tensor x, const int64_t* shape, int ndim, swiftnn_tensor* out);
int swiftnn_flatten(swiftnn_tensor x, int64_t start_dim, int64_t end_dim, swiftnn_tensor* out);
int swiftnn_transpose(swiftnn_tensor x, int64_t dim0, int64_t dim1, swiftnn_tensor* out);
int swiftnn_permute(swiftnn_tensor x, const int64_t* dims, int ndims, swiftnn_tensor* out);
int swiftnn_unsqueeze(swiftnn_tensor x, int64_t dim, swiftnn_tensor* out);
int swiftnn_squeeze(swiftnn_tensor x, int64_t dim, swiftnn_tensor* out);
/* bias may be NULL. */
int swiftnn_linear(swiftnn_tensor x, swiftnn_tensor weight, swiftnn_tensor bias, swiftnn_tensor* out);
int swiftnn_dropout(swiftnn_tensor x, float p, int training, swiftnn_tensor* out);

/* ---- losses (stateless: functional form, no handle) -------------------- */
/* targets: count class indices (N, or N*d1*... for [N, C, d1, ...] inputs). */
int swiftnn_cross_entropy(swiftnn_tensor input, const int64_t* targets, int64_t count, int reduction,
                          float label_smoothing, int64_t ignore_index, swiftnn_tensor* out);
/* Class-probability targets of the input's shape. */
int swiftnn_cross_entropy_probs(swiftnn_tensor input, swiftnn_tensor target, int reduction,
                                float label_smoothing, swiftnn_tensor* out);
int swiftnn_mse_loss(swiftnn_tensor input, swiftnn_tensor target, int reduction, swiftnn_tensor* out);

/* ---- modules ---------------------------------------------------------- */
int swiftnn_linear_new(int64_t in_features, int64_t out_features, int bias, swiftnn_module* out);
int swiftnn_relu_new(swiftnn_module* out);
int swiftnn_sigmoid_new(swiftnn_module* out);
int swiftnn_tanh_new(swiftnn_module* out);
int swiftnn_softmax_new(int64_t dim, swiftnn_module* out);
int swiftnn_log_softmax_new(int64_t dim, swiftnn_module* out);
int swiftnn_identity_new(swiftnn_module* out);
int swiftnn_dropout_new(float p, swiftnn_module* out);
int swiftnn_flatten_new(int64_t start_dim, int64_t end_dim, swiftnn_module* out);
/* A zoo model by name ("MLPnet"); see the README for the list. */
int swiftnn_model_new(const char* name, swiftnn_module* out);
int swiftnn_module_free(swiftnn_module m);

int swiftnn_module_forward(swiftnn_module m, swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_module_set_training(swiftnn_module m, int training);
int swiftnn_module_is_training(swiftnn_module m, int* out);
/* Writes a NUL-terminated string into buf (truncated to capacity); *length gets the full length (may be NULL). */
int swiftnn_module_type_name(swiftnn_module m, char* buf, int64_t capacity, int64_t* length);
int swiftnn_module_repr(swiftnn_module m, char* buf, int64_t capacity, int64_t* length);
/* State-dict entries (parameters then buffers per module, depth first). */
int swiftnn_module_state_count(swiftnn_module m, int64_t* out);
/* kind: 0 = parameter, 1 = buffer. name is written like swiftnn_module_type_name. */
int swiftnn_module_state_entry(swiftnn_module m, int64_t index, char* name, int64_t capacity,
                               int64_t* name_length, int* kind, swiftnn_tensor* tensor);
/* Replaces a module's own parameter (PyTorch's `layer.weight = Parameter(...)`). */
int swiftnn_module_set_parameter(swiftnn_module m, const char* name, swiftnn_tensor t);

/* ---- optimizers ------------------------------------------------------- */
int swiftnn_sgd_new(const swiftnn_tensor* params, int64_t count, float lr, float momentum, float dampening,
                    float weight_decay, int nesterov, swiftnn_optimizer* out);
int swiftnn_optimizer_step(swiftnn_optimizer o);
int swiftnn_optimizer_zero_grad(swiftnn_optimizer o);
int swiftnn_optimizer_set_lr(swiftnn_optimizer o, float lr);
int swiftnn_optimizer_get_lr(swiftnn_optimizer o, float* out);
int swiftnn_optimizer_free(swiftnn_optimizer o);

/* ---- convolution and pooling ------------------------------------------ */
/* Pairs are {h, w} as two int64 values. padding_mode: 0 = explicit (padding pair),
 * 1 = 'valid', 2 = 'same' (stride 1 only; padding may then be NULL). bias may be NULL. */
enum swiftnn_padding_mode { SWIFTNN_PADDING_EXPLICIT = 0, SWIFTNN_PADDING_VALID = 1, SWIFTNN_PADDING_SAME = 2 };
int swiftnn_conv2d(swiftnn_tensor x, swiftnn_tensor weight, swiftnn_tensor bias, const int64_t stride[2],
                   const int64_t padding[2], int padding_mode, const int64_t dilation[2], int64_t groups,
                   swiftnn_tensor* out);
/* indices may be NULL; otherwise it receives, per output element, the flat H*W position of
 * the maximum in its plane and must hold capacity >= numel(out) elements. */
int swiftnn_max_pool2d(swiftnn_tensor x, const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                       const int64_t dilation[2], int ceil_mode, swiftnn_tensor* out, int64_t* indices,
                       int64_t capacity);
/* divisor_override 0 means none. */
int swiftnn_avg_pool2d(swiftnn_tensor x, const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                       int ceil_mode, int count_include_pad, int64_t divisor_override, swiftnn_tensor* out);
/* output_size {h, w}; -1 keeps that input dimension (PyTorch's None). */
int swiftnn_adaptive_avg_pool2d(swiftnn_tensor x, const int64_t output_size[2], swiftnn_tensor* out);
int swiftnn_adaptive_max_pool2d(swiftnn_tensor x, const int64_t output_size[2], swiftnn_tensor* out);

int swiftnn_conv2d_new(int64_t in_channels, int64_t out_channels, const int64_t kernel[2], const int64_t stride[2],
                       const int64_t padding[2], int padding_mode, const int64_t dilation[2], int64_t groups,
                       int bias, swiftnn_module* out);
int swiftnn_max_pool2d_new(const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                           const int64_t dilation[2], int ceil_mode, swiftnn_module* out);
int swiftnn_avg_pool2d_new(const int64_t kernel[2], const int64_t stride[2], const int64_t padding[2],
                           int ceil_mode, int count_include_pad, int64_t divisor_override, swiftnn_module* out);
int swiftnn_adaptive_avg_pool2d_new(const int64_t output_size[2], swiftnn_module* out);
int swiftnn_adaptive_max_pool2d_new(const int64_t output_size[2], swiftnn_module* out);

/* ---- threads ---------------------------------------------------------- */
/* Worker threads of the engine's pool (default: CPUs available, or SWIFTNN_NUM_THREADS). */
int swiftnn_set_num_threads(int64_t threads);
int swiftnn_get_num_threads(int64_t* out);

/* ---- checkpoints (safetensors files) ----------------------------------- */
/* Files in the safetensors format, readable and writable by the `safetensors` package.
 * Saving is atomic: a temporary file in the target's directory is synced and renamed
 * over the target, so on any error the previous file is left intact. Loading checks
 * the header length against the file size (and a 100 MB cap), the JSON, every dtype,
 * shape and offset before reading data; file problems fail with SWIFTNN_ERROR_IO and a
 * message naming the path. */
typedef struct swiftnn_checkpoint_s* swiftnn_checkpoint;
/* Writes count named tensors; entries with is_int64[i] != 0 are stored as I64 (their
 * values must be whole numbers), the others as F32. is_int64 and metadata_json (a JSON
 * object of strings, e.g. {"format":"pt"}) may be NULL. Names must be unique. */
int swiftnn_checkpoint_save(const char* path, const char* const* names, const swiftnn_tensor* tensors,
                            const int* is_int64, int64_t count, const char* metadata_json);
/* Reads a whole file; every dtype (F32, F64, F16, BF16, I64, I32, I16, I8, U64, U32, U16,
 * U8, BOOL) becomes float32; integers float32 cannot hold exactly are an error. */
int swiftnn_checkpoint_load(const char* path, swiftnn_checkpoint* out);
int swiftnn_checkpoint_free(swiftnn_checkpoint c);
int swiftnn_checkpoint_count(swiftnn_checkpoint c, int64_t* out);
/* Entry index in file order. name is written like swiftnn_module_type_name; *dtype gets the
 * stored dtype ("F32", "I64", ...), valid until the next call on this thread; dtype and
 * tensor may be NULL. */
int swiftnn_checkpoint_entry(swiftnn_checkpoint c, int64_t index, char* name, int64_t capacity,
                             int64_t* name_length, const char** dtype, swiftnn_tensor* tensor);
/* The file's __metadata__ as a JSON object ("{}" when there is none). */
int swiftnn_checkpoint_metadata(swiftnn_checkpoint c, char* buf, int64_t capacity, int64_t* length);
/* A module's state dict to / from a file (num_batches_tracked stored as I64). Loading
 * changes nothing unless every key and shape matches (only shapes when strict == 0). */
int swiftnn_module_save(swiftnn_module m, const char* path);
int swiftnn_module_load(swiftnn_module m, const char* path, int strict);

#ifdef __cplusplus
}
#endif
#endif /* SWIFTNN_H */

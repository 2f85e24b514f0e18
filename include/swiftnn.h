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
/* A zoo model by name ("normal_CNN"; see the README for the list) and its keyword
 * arguments as a JSON object ('{"kernal_list": [16, "p", 32], "num_classes": 10}'); config may be NULL. */
int swiftnn_model_new(const char* name, const char* config, swiftnn_module* out);
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
/* ---- CPU and kernel path ------------------------------------------------ */
/* The kernels run with the best instruction set of the CPU (chosen at load; the
 * environment variable SWIFTNN_ISA=baseline|avx2|avx512 forces one). Strings are static. */
const char* swiftnn_cpu_model_name(void);        /* CPUID brand string, or "unknown" */
const char* swiftnn_kernel_isa(void);            /* "baseline", "avx2" or "avx512" */
const char* swiftnn_supported_kernel_isas(void); /* comma-separated, baseline first */
/* Switches every kernel to the named path; not while the engine runs work.
 * Value error if the name is unknown or the CPU does not support it. */
int swiftnn_set_kernel_isa(const char* name);
/* ---- normalization, activations, join/split/pad (each records autograd) -- */
/* Optional tensors (running stats, weight, bias) may be NULL. In training mode the
 * running stats, when given, are updated in place with `momentum` (PyTorch's
 * exponential_average_factor). */
int swiftnn_batch_norm(swiftnn_tensor x, swiftnn_tensor running_mean, swiftnn_tensor running_var,
                       swiftnn_tensor weight, swiftnn_tensor bias, int training, float momentum, float eps,
                       swiftnn_tensor* out);
int swiftnn_layer_norm(swiftnn_tensor x, const int64_t* normalized_shape, int ndim, swiftnn_tensor weight,
                       swiftnn_tensor bias, float eps, swiftnn_tensor* out);
int swiftnn_local_response_norm(swiftnn_tensor x, int64_t size, float alpha, float beta, float k, swiftnn_tensor* out);
int swiftnn_leaky_relu(swiftnn_tensor x, float negative_slope, swiftnn_tensor* out);
/* approximate_tanh: 0 = exact erf form, 1 = tanh approximation. */
int swiftnn_gelu(swiftnn_tensor x, int approximate_tanh, swiftnn_tensor* out);
int swiftnn_silu(swiftnn_tensor x, swiftnn_tensor* out);
int swiftnn_dropout2d(swiftnn_tensor x, float p, int training, swiftnn_tensor* out);
int swiftnn_cat(const swiftnn_tensor* tensors, int64_t count, int64_t dim, swiftnn_tensor* out);
int swiftnn_stack(const swiftnn_tensor* tensors, int64_t count, int64_t dim, swiftnn_tensor* out);
/* count pieces of sizes[i] along dim (sizes must add up to the dimension); outs holds count handles. */
int swiftnn_split(swiftnn_tensor x, const int64_t* sizes, int64_t count, int64_t dim, swiftnn_tensor* outs);
/* Constant padding; pad lists (before, after) pairs from the last dimension backwards. */
int swiftnn_pad(swiftnn_tensor x, const int64_t* pad, int npad, float value, swiftnn_tensor* out);
int swiftnn_amin(swiftnn_tensor x, const int64_t* dims, int ndims, int keepdim, swiftnn_tensor* out);
/* In place from the default generator, not recorded by autograd. */
int swiftnn_init_uniform(swiftnn_tensor t, float low, float high);
int swiftnn_init_normal(swiftnn_tensor t, float mean, float std);

/* dims: 1 (BatchNorm1d) or 2 (BatchNorm2d); has_momentum 0 means momentum=None (cumulative average). */
int swiftnn_batchnorm_new(int dims, int64_t num_features, float eps, float momentum, int has_momentum, int affine,
                          int track_running_stats, swiftnn_module* out);
int swiftnn_batchnorm_set_momentum(swiftnn_module m, float momentum, int has_momentum);
int swiftnn_layernorm_new(const int64_t* normalized_shape, int ndim, float eps, int elementwise_affine, int bias,
                          swiftnn_module* out);
int swiftnn_local_response_norm_new(int64_t size, float alpha, float beta, float k, swiftnn_module* out);
int swiftnn_leaky_relu_new(float negative_slope, swiftnn_module* out);
int swiftnn_gelu_new(int approximate_tanh, swiftnn_module* out);
int swiftnn_silu_new(swiftnn_module* out);
int swiftnn_dropout2d_new(float p, swiftnn_module* out);
/* ---- data: datasets, transforms, batch loader --------------------------- */
/* Datasets hold samples of one shape plus int labels. Pixel (uint8) datasets hand
 * samples out as their byte values; ToTensor scales them to [0, 1]. Errors about
 * dataset files are SWIFTNN_ERROR_IO and name the file. */
typedef struct swiftnn_dataset_s* swiftnn_dataset;
typedef struct swiftnn_transform_s* swiftnn_transform;
typedef struct swiftnn_loader_s* swiftnn_loader;

/* shape is [N, ...sample shape]; labels holds N values. The data is copied. */
int swiftnn_dataset_from_uint8(const uint8_t* pixels, const int64_t* shape, int ndim, const int64_t* labels,
                               swiftnn_dataset* out);
int swiftnn_dataset_from_float(const float* values, const int64_t* shape, int ndim, const int64_t* labels,
                               swiftnn_dataset* out);
/* CIFAR-10 binary layout: root/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin. */
int swiftnn_dataset_cifar10(const char* root, int train, swiftnn_dataset* out);
/* MNIST idx bytes (uncompressed); the names are used in error messages. */
int swiftnn_dataset_mnist(const uint8_t* images, int64_t images_size, const char* images_name,
                          const uint8_t* labels, int64_t labels_size, const char* labels_name, swiftnn_dataset* out);
int swiftnn_dataset_subset(swiftnn_dataset base, const int64_t* indices, int64_t count, swiftnn_dataset* out);
int swiftnn_dataset_len(swiftnn_dataset d, int64_t* out);
/* *raw_pixels (may be NULL) is 1 for uint8 pixel data. */
int swiftnn_dataset_sample_shape(swiftnn_dataset d, int64_t* shape, int capacity, int* ndim, int* raw_pixels);
/* Sample `index` (untransformed) as a new tensor; *label may be NULL. */
int swiftnn_dataset_get(swiftnn_dataset d, int64_t index, swiftnn_tensor* sample, int64_t* label);
int swiftnn_dataset_labels(swiftnn_dataset d, int64_t* out, int64_t capacity);
/* The stored samples of a file/array dataset: N*prod(shape) bytes (pixels) or floats. */
int swiftnn_dataset_copy_storage(swiftnn_dataset d, void* out, int64_t capacity_bytes);
int swiftnn_dataset_free(swiftnn_dataset d);

/* A seed drawn from the default generator (fixed by swiftnn_manual_seed). */
int swiftnn_random_seed(uint64_t* out);
/* A random permutation of 0..n-1 fixed by seed (the order random_split and shuffling use). */
int swiftnn_random_permutation(int64_t n, uint64_t seed, int64_t* out);

/* A transform is a chain (Compose), built empty and appended to in order. */
int swiftnn_transform_new(swiftnn_transform* out);
int swiftnn_transform_to_tensor(swiftnn_transform t);
/* count is 1 (all channels) or the channel count. */
int swiftnn_transform_normalize(swiftnn_transform t, const float* mean, const float* std, int64_t count);
int swiftnn_transform_random_crop(swiftnn_transform t, int64_t height, int64_t width, int64_t padding);
int swiftnn_transform_center_crop(swiftnn_transform t, int64_t height, int64_t width);
int swiftnn_transform_random_horizontal_flip(swiftnn_transform t, float p);
/* width <= 0 resizes the shorter edge to height. mode: 0 nearest, 1 bilinear (align_corners=False). */
int swiftnn_transform_resize(swiftnn_transform t, int64_t height, int64_t width, int mode);
/* Runs the chain on one [C, H, W] sample; *raw_after (may be NULL) is 1 if it is still raw pixels. */
int swiftnn_transform_apply(swiftnn_transform t, swiftnn_tensor sample, int raw_pixels, uint64_t seed,
                            swiftnn_tensor* out, int* raw_after);
int swiftnn_transform_free(swiftnn_transform t);

/* t may be NULL (no transform). The chain is copied. prefetch = batches made ahead on a
 * background thread (0: made on demand, in parallel on the thread pool). */
int swiftnn_loader_new(swiftnn_dataset d, swiftnn_transform t, int64_t batch_size, int shuffle, int drop_last,
                       uint64_t seed, int prefetch, swiftnn_loader* out);
int swiftnn_loader_len(swiftnn_loader l, int64_t* out);
/* Starts the next epoch (reshuffled from seed and epoch number), abandoning an unfinished one. */
int swiftnn_loader_start_epoch(swiftnn_loader l);
/* Next batch: *images a new [B, ...] tensor, labels[0..*count). At the end: *images = NULL, *count = 0.
 * capacity must be at least the batch size. */
int swiftnn_loader_next(swiftnn_loader l, swiftnn_tensor* images, int64_t* labels, int64_t capacity, int64_t* count);
int swiftnn_loader_free(swiftnn_loader l);

/* Hyperparameters are doubles (a PyTorch param group's floats). */
int swiftnn_adam_new(const swiftnn_tensor* params, int64_t count, double lr, double beta1, double beta2, double eps,
                     double weight_decay, int amsgrad, swiftnn_optimizer* out);
/* Decoupled weight decay (PyTorch's default 1e-2 is the caller's to pass). */
int swiftnn_adamw_new(const swiftnn_tensor* params, int64_t count, double lr, double beta1, double beta2, double eps,
                      double weight_decay, int amsgrad, swiftnn_optimizer* out);
int swiftnn_rmsprop_new(const swiftnn_tensor* params, int64_t count, double lr, double alpha, double eps,
                        double weight_decay, double momentum, int centered, swiftnn_optimizer* out);
int swiftnn_adagrad_new(const swiftnn_tensor* params, int64_t count, double lr, double lr_decay, double weight_decay,
                        double initial_accumulator_value, double eps, swiftnn_optimizer* out);
/* A hyperparameter by its PyTorch group key ("lr", "momentum", "weight_decay", "eps", ...; Adam's betas are
 * "beta1" and "beta2"; every optimizer has "maximize", 0 or 1). Setting validates as the constructor does. */
int swiftnn_optimizer_set_hyper(swiftnn_optimizer o, const char* name, double value);
int swiftnn_optimizer_get_hyper(swiftnn_optimizer o, const char* name, double* out);
/* Per-parameter state buffers ("step", "exp_avg", "momentum_buffer", ...), ordered by parameter index then
 * name. state_entry writes the name like swiftnn_module_type_name; *tensor is the live buffer (step is 0-d).
 * Any out-pointer may be NULL. load_state copies the tensor in; clear_state forgets all state. */
int swiftnn_optimizer_state_count(swiftnn_optimizer o, int64_t* out);
int swiftnn_optimizer_state_entry(swiftnn_optimizer o, int64_t index, int64_t* param_index, char* name,
                                  int64_t capacity, int64_t* name_length, swiftnn_tensor* tensor);
int swiftnn_optimizer_load_state(swiftnn_optimizer o, int64_t param_index, const char* name, swiftnn_tensor t);
int swiftnn_optimizer_clear_state(swiftnn_optimizer o);
/* torch.nn.utils.clip_grad_norm_: scales the gradients in place; *total_norm gets the norm before clipping
 * (a 0-d tensor). Parameters without a gradient are skipped. norm_type may be INFINITY. */
int swiftnn_clip_grad_norm(const swiftnn_tensor* params, int64_t count, double max_norm, double norm_type,
                           int error_if_nonfinite, swiftnn_tensor* total_norm);

/* ---- learning-rate schedulers ------------------------------------------ */
/* Each takes the optimizers of the param groups (one per group); construction performs the initial step
 * (epoch 0). base_lrs (count values, the groups' initial_lr) may be NULL for the current learning rates,
 * and is required when last_epoch >= 0 (resuming). */
typedef struct swiftnn_scheduler_s* swiftnn_scheduler;
int swiftnn_step_lr_new(const swiftnn_optimizer* groups, int64_t count, int64_t step_size, double gamma,
                        int64_t last_epoch, const double* base_lrs, swiftnn_scheduler* out);
int swiftnn_multistep_lr_new(const swiftnn_optimizer* groups, int64_t count, const int64_t* milestones,
                             int64_t milestone_count, double gamma, int64_t last_epoch, const double* base_lrs,
                             swiftnn_scheduler* out);
int swiftnn_exponential_lr_new(const swiftnn_optimizer* groups, int64_t count, double gamma, int64_t last_epoch,
                               const double* base_lrs, swiftnn_scheduler* out);
int swiftnn_cosine_annealing_lr_new(const swiftnn_optimizer* groups, int64_t count, int64_t t_max, double eta_min,
                                    int64_t last_epoch, const double* base_lrs, swiftnn_scheduler* out);
/* max_lrs, base_momentums, max_momentums: count values each. */
int swiftnn_one_cycle_lr_new(const swiftnn_optimizer* groups, int64_t count, const double* max_lrs,
                             int64_t total_steps, double pct_start, int anneal_linear, int cycle_momentum,
                             const double* base_momentums, const double* max_momentums, double div_factor,
                             double final_div_factor, int three_phase, int64_t last_epoch, swiftnn_scheduler* out);
/* has_epoch != 0: jump to epoch (closed form where there is one); else advance one epoch. */
int swiftnn_scheduler_step(swiftnn_scheduler s, int has_epoch, int64_t epoch);
int swiftnn_scheduler_last_epoch(swiftnn_scheduler s, int64_t* out);
/* One learning rate per group; capacity (in values) must be >= the number of groups. */
int swiftnn_scheduler_last_lr(swiftnn_scheduler s, double* out, int64_t capacity);
/* PyTorch's get_lr(): the chainable values at last_epoch from the current learning rates, not applied. */
int swiftnn_scheduler_get_lr(swiftnn_scheduler s, double* out, int64_t capacity);
int swiftnn_scheduler_set_state(swiftnn_scheduler s, int64_t last_epoch, int64_t step_count, const double* base_lrs,
                                const double* last_lrs, int64_t count);
int swiftnn_scheduler_free(swiftnn_scheduler s);

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

/* ---- profiler --------------------------------------------------------- */
/* Time and calls per op type (leaf layers forward, autograd nodes backward). */
int swiftnn_profiler_set_enabled(int enabled, int* previous);
int swiftnn_profiler_reset(void);
/* JSON array of {"name", "phase", "calls", "seconds"}, slowest first; written like swiftnn_module_repr. */
int swiftnn_profiler_entries(char* buf, int64_t capacity, int64_t* length);

/* ---- summary ---- */
/* Runs m(x) recording every leaf module call; *rows is a JSON array of
 * {"name", "type", "shape", "params"} objects, valid until the next trace call on this thread. */
int swiftnn_module_trace(swiftnn_module m, swiftnn_tensor x, swiftnn_tensor* out, const char** rows);

/* ---- train: whole epochs in the engine ----------------------------------- */
/* Called after each batch (on the calling thread); a non-zero return stops the run,
 * which then fails with SWIFTNN_ERROR_RUNTIME ("stopped by the batch callback"). */
typedef int (*swiftnn_batch_callback)(void* context, int64_t batch, int64_t batches, int64_t size, double loss,
                                      int64_t correct);
/* Trains on the rest of the loader's current epoch: per batch zero grads, forward, cross-entropy
 * (label_smoothing), backward, clip the model's gradient norm to max_grad_norm (<= 0: no clipping),
 * step every optimizer. *loss = mean batch loss, *correct / *total over the samples (each may be NULL). */
int swiftnn_train_epoch(swiftnn_module model, swiftnn_loader loader, const swiftnn_optimizer* optimizers,
                        int64_t optimizer_count, double max_grad_norm, float label_smoothing,
                        swiftnn_batch_callback callback, void* context, double* loss, int64_t* correct, int64_t* total);
/* Evaluates (eval mode, no grad) on the rest of the loader's current epoch. With num_classes > 0,
 * confusion (may be NULL) receives the num_classes x num_classes counts, row = label, column = prediction. */
int swiftnn_evaluate(swiftnn_module model, swiftnn_loader loader, float label_smoothing, int64_t num_classes,
                     int64_t* confusion, swiftnn_batch_callback callback, void* context, double* loss,
                     int64_t* correct, int64_t* total);

#ifdef __cplusplus
}
#endif
#endif /* SWIFTNN_H */

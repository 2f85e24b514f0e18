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

#ifdef __cplusplus
}
#endif
#endif /* SWIFTNN_H */

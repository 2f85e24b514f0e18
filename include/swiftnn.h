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
 * - Optional values are {value, has_value} structs (swiftnn_optional_int64,
 *   swiftnn_optional_double); an optional tensor is a NULL handle.
 * - The tensor ops and the object calls (swiftnn_ops.h) are generated from codegen/ops.toml.
 *
 * ABI version 3 (from 2):
 * - swiftnn_max_dim and swiftnn_max_pool2d return their indices in a buffer the engine
 *   allocates (int64_t** indices, int64_t* count; free it with swiftnn_buffer_free; a NULL
 *   indices skips them) instead of filling a caller buffer of a given capacity.
 * - swiftnn_split returns its pieces in an array the engine allocates (swiftnn_tensor** outs,
 *   int64_t* count; free the array with swiftnn_buffer_free, each handle with
 *   swiftnn_tensor_free); new: swiftnn_split_size, swiftnn_chunk.
 * - swiftnn_squeeze takes a dim list (NULL: every size-1 dimension).
 * - swiftnn_scheduler_get_lr(s, groups, out): the count comes before the buffer, which must
 *   hold exactly one value per param group (was (s, out, capacity)).
 * - swiftnn_max_pool2d and swiftnn_avg_pool2d: stride is swiftnn_optional_int64[2]; no
 *   value means the kernel size (PyTorch's stride=None).
 * - Assigning a read-only setting (swiftnn_{module,optimizer}_set_option) fails with the new
 *   SWIFTNN_ERROR_ATTRIBUTE (was SWIFTNN_ERROR_VALUE).
 * - The module, optimizer, scheduler, dataset, transform, loader, checkpoint-file and
 *   profiler-entries calls are declared in swiftnn_ops.h (generated), with the same
 *   signatures; swiftnn_scheduler, swiftnn_dataset, swiftnn_transform and swiftnn_loader are
 *   declared next to the other handle types.
 *
 * ABI version 2 (from 1):
 * - swiftnn_avg_pool2d: divisor_override is a swiftnn_optional_int64 (was 0 = none).
 * - swiftnn_adaptive_{avg,max}_pool2d: output_size is swiftnn_optional_int64[2] (was -1 = keep).
 * - swiftnn_gelu: the flag is an enum swiftnn_gelu_approximate (same values 0/1).
 * - enum swiftnn_padding_mode's constants are SWIFTNN_PADDING_MODE_* (were SWIFTNN_PADDING_*).
 * - New ops: swiftnn_abs, swiftnn_sqrt, swiftnn_clamp, swiftnn_pow.
 * - One constructor per object kind: swiftnn_module_new(kind, config JSON),
 *   swiftnn_optimizer_new, swiftnn_scheduler_new, with swiftnn_{module,optimizer,scheduler}_
 *   get_option/set_option and swiftnn_module_reset; the 22 per-layer constructors,
 *   swiftnn_batchnorm_set_momentum, the per-optimizer and per-scheduler constructors,
 *   swiftnn_optimizer_{set,get}_lr/_hyper and swiftnn_scheduler_last_{epoch,lr} are gone;
 *   swiftnn_scheduler_set_state takes JSON. SGD's hyperparameters are double.
 * - Handles are looked up in a registry: freed, forged and wrong-kind handles give
 *   SWIFTNN_ERROR_VALUE/TYPE instead of undefined behaviour.
 * - Added: distributed (process groups, SyncBatchNorm, DDP gradient buckets), the op
 *   trace for export, CPU and kernel-path reports (SWIFTNN_ISA), swiftnn_initial_seed,
 *   swiftnn_recipe and swiftnn_init_fans.
 */
#ifndef SWIFTNN_H
#define SWIFTNN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWIFTNN_ABI_VERSION 3
#define SWIFTNN_MAX_DIMS 16

enum swiftnn_status {
    SWIFTNN_OK = 0,
    SWIFTNN_ERROR_VALUE = 1,   /* bad value or shape      -> ValueError   */
    SWIFTNN_ERROR_TYPE = 2,    /* wrong kind of object    -> TypeError    */
    SWIFTNN_ERROR_INDEX = 3,   /* index/dim out of range  -> IndexError   */
    SWIFTNN_ERROR_IO = 4,      /* file problem            -> OSError      */
    SWIFTNN_ERROR_RUNTIME = 5, /* invalid in this state   -> RuntimeError */
    SWIFTNN_ERROR_ATTRIBUTE = 6 /* a read-only setting    -> AttributeError */
};

typedef struct swiftnn_tensor_s* swiftnn_tensor;
typedef struct swiftnn_module_s* swiftnn_module;
typedef struct swiftnn_optimizer_s* swiftnn_optimizer;
typedef struct swiftnn_scheduler_s* swiftnn_scheduler;
typedef struct swiftnn_dataset_s* swiftnn_dataset;
typedef struct swiftnn_transform_s* swiftnn_transform;
typedef struct swiftnn_loader_s* swiftnn_loader;

/* Optional values: has_value == 0 means None (value is then ignored). */
typedef struct { int64_t value; int has_value; } swiftnn_optional_int64;
typedef struct { double value; int has_value; } swiftnn_optional_double;

/* The calls generated from codegen/ops.toml: the tensor ops and their enums (reduction,
 * padding mode, ...), and the object calls: constructors by kind and config (modules,
 * optimizers, schedulers), settings by name as JSON text, datasets, transforms, loaders.
 * Text results are written NUL-terminated into buf (truncated to capacity) and their full
 * length into *length (may be NULL); buf NULL with capacity 0 asks for the length. */
#include "swiftnn_ops.h"

/* ---- library ---------------------------------------------------------- */
const char* swiftnn_last_error(void);
/* "MAJOR.MINOR.PATCH"; static storage. */
const char* swiftnn_version(void);
int swiftnn_abi_version(void);
/* Per-thread autograd recording switch; *previous receives the old state (may be NULL). */
int swiftnn_set_grad_enabled(int enabled, int* previous);

/* ---- tensors: creation and data --------------------------------------- */
int swiftnn_tensor_from_data(const float* data, const int64_t* shape, int ndim, swiftnn_tensor* out);
int swiftnn_tensor_free(swiftnn_tensor t);

int swiftnn_tensor_ndim(swiftnn_tensor t, int* out);
int swiftnn_tensor_shape(swiftnn_tensor t, int64_t* shape, int capacity);
/* Copies the elements out; capacity is in elements and must be >= numel. */
int swiftnn_tensor_copy_to(swiftnn_tensor t, float* dst, int64_t capacity);
/* Overwrites the elements in place (not recorded by autograd); count must equal numel. */
int swiftnn_tensor_copy_from(swiftnn_tensor t, const float* src, int64_t count);

/* Name of the op that produced t ("AddBackward", ...); *out is "" for leaves. Valid until the next call on this thread. */
int swiftnn_tensor_grad_fn_name(swiftnn_tensor t, const char** out);

/* Frees a buffer the engine allocated for the caller (the indices of swiftnn_max_dim and
 * swiftnn_max_pool2d, the handle array of swiftnn_split). NULL is ignored. */
int swiftnn_buffer_free(void* buffer);

/* ---- modules (constructor, settings, forward, save/load: swiftnn_ops.h) ---- */
/* The fan sizes of a weight shape (PyTorch's _calculate_fan_in_and_fan_out). */
int swiftnn_init_fans(const int64_t* shape, int ndim, int64_t* fan_in, int64_t* fan_out);
int swiftnn_module_free(swiftnn_module m);

/* kind: 0 = parameter, 1 = buffer. name is written like swiftnn_module_type_name. */
int swiftnn_module_state_entry(swiftnn_module m, int64_t index, char* name, int64_t capacity,
                               int64_t* name_length, int* kind, swiftnn_tensor* tensor);
/* A module's direct children in registration order (PyTorch's named_children; their number
 * is swiftnn_module_child_count, swiftnn_ops.h): writes child `index`'s attribute name
 * ("features", "0", "layer1") like swiftnn_module_type_name and a new handle to the live
 * child module (the engine's own object, not a copy); its kind is swiftnn_module_type_name. */
int swiftnn_module_child(swiftnn_module m, int64_t index, char* name, int64_t capacity, int64_t* name_length,
                         swiftnn_module* child);

/* ---- optimizers (constructor, settings, step: swiftnn_ops.h) ------------- */
int swiftnn_optimizer_free(swiftnn_optimizer o);

/* ---- CPU and kernel path ------------------------------------------------ */
/* The kernels run with the best instruction set of the CPU (chosen at load; the
 * environment variable SWIFTNN_ISA=baseline|avx2|avx512 forces one). Strings are static. */
const char* swiftnn_cpu_model_name(void);        /* CPUID brand string, or "unknown" */
const char* swiftnn_kernel_isa(void);            /* "baseline", "avx2" or "avx512" */
const char* swiftnn_supported_kernel_isas(void); /* comma-separated, baseline first */
/* Switches every kernel to the named path; not while the engine runs work.
 * Value error if the name is unknown or the CPU does not support it. */
int swiftnn_set_kernel_isa(const char* name);

/* ---- data: datasets, transforms, batch loader --------------------------- */
/* Datasets hold samples of one shape plus int labels. Pixel (uint8) datasets hand
 * samples out as their byte values; ToTensor scales them to [0, 1]. Errors about
 * dataset files are SWIFTNN_ERROR_IO and name the file. */
/* shape is [N, ...sample shape]; labels holds N values. The data is copied. */
int swiftnn_dataset_from_uint8(const uint8_t* pixels, const int64_t* shape, int ndim, const int64_t* labels,
                               swiftnn_dataset* out);
int swiftnn_dataset_from_float(const float* values, const int64_t* shape, int ndim, const int64_t* labels,
                               swiftnn_dataset* out);
/* *raw_pixels (may be NULL) is 1 for uint8 pixel data. */
int swiftnn_dataset_sample_shape(swiftnn_dataset d, int64_t* shape, int capacity, int* ndim, int* raw_pixels);
/* Sample `index` (untransformed) as a new tensor; *label may be NULL. */
int swiftnn_dataset_get(swiftnn_dataset d, int64_t index, swiftnn_tensor* sample, int64_t* label);
int swiftnn_dataset_labels(swiftnn_dataset d, int64_t* out, int64_t capacity);
/* The stored samples of a file/array dataset: N*prod(shape) bytes (pixels) or floats. */
int swiftnn_dataset_copy_storage(swiftnn_dataset d, void* out, int64_t capacity_bytes);
int swiftnn_dataset_free(swiftnn_dataset d);


/* count is 1 (all channels) or the channel count. */
int swiftnn_transform_normalize(swiftnn_transform t, const float* mean, const float* std, int64_t count);
/* Runs the chain on one [C, H, W] sample; *raw_after (may be NULL) is 1 if it is still raw pixels. */
int swiftnn_transform_apply(swiftnn_transform t, swiftnn_tensor sample, int raw_pixels, uint64_t seed,
                            swiftnn_tensor* out, int* raw_after);
int swiftnn_transform_free(swiftnn_transform t);

/* Next batch: *images a new [B, ...] tensor, labels[0..*count). At the end: *images = NULL, *count = 0.
 * capacity must be at least the batch size. */
int swiftnn_loader_next(swiftnn_loader l, swiftnn_tensor* images, int64_t* labels, int64_t capacity, int64_t* count);
int swiftnn_loader_free(swiftnn_loader l);

/* Per-parameter state buffers ("step", "exp_avg", "momentum_buffer", ...), ordered by parameter index then
 * name (count: swiftnn_optimizer_state_count). The name is written like text results; *tensor is the live
 * buffer (step is 0-d). Any out-pointer may be NULL. */
int swiftnn_optimizer_state_entry(swiftnn_optimizer o, int64_t index, int64_t* param_index, char* name,
                                  int64_t capacity, int64_t* name_length, swiftnn_tensor* tensor);

/* ---- learning-rate schedulers ------------------------------------------ */
/* (constructor, settings, restoring a position: swiftnn_ops.h) */
/* has_epoch != 0: jump to epoch (closed form where there is one); else advance one epoch. */
int swiftnn_scheduler_step(swiftnn_scheduler s, int has_epoch, int64_t epoch);
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

/* ---- distributed: process groups, SyncBatchNorm, DistributedDataParallel ---- */
/* The host's collectives over float32 values, called by the engine from inside forward and
 * backward on the thread that called into it. kind SWIFTNN_ALL_REDUCE_SUM: sum over ranks into
 * buffer in place (send NULL); SWIFTNN_ALL_GATHER: every rank's count values from send, rank after
 * rank, into buffer (size*count floats); SWIFTNN_BROADCAST: rank root's buffer to every rank.
 * Returns 0 on success. Every rank must make the same calls in the same order. */
#define SWIFTNN_ALL_REDUCE_SUM 0
#define SWIFTNN_ALL_GATHER 1
#define SWIFTNN_BROADCAST 2
typedef int (*swiftnn_collective_fn)(void* context, int kind, const float* send, float* buffer, int64_t count,
                                     int64_t root);
typedef struct swiftnn_process_group_s* swiftnn_process_group;
typedef struct swiftnn_grad_buckets_s* swiftnn_grad_buckets;
/* release (may be NULL) is called with context when the last user of the group is freed. */
int swiftnn_process_group_new(int64_t rank, int64_t size, swiftnn_collective_fn collective, void* context,
                              void (*release)(void*), swiftnn_process_group* out);
int swiftnn_process_group_free(swiftnn_process_group g);
int swiftnn_process_group_all_reduce(swiftnn_process_group g, swiftnn_tensor t); /* sum, in place */
int swiftnn_process_group_broadcast(swiftnn_process_group g, swiftnn_tensor t, int64_t root);
/* Time spent in the group's collectives, their number and the floats sent (each may be NULL);
 * reset != 0 zeroes the counters after reading. */
int swiftnn_process_group_traffic(swiftnn_process_group g, double* seconds, int64_t* calls, int64_t* floats, int reset);
/* Every BatchNorm inside m normalizes over the joint batch of g's ranks (SyncBatchNorm);
 * g NULL turns that off. *converted (may be NULL) = how many layers. */
int swiftnn_module_sync_batchnorm(swiftnn_module m, swiftnn_process_group g, int64_t* converted);
/* A module wrapping m: takes rank 0's parameters and buffers now and its buffers before each
 * training forward (broadcast_buffers), averages gradients across g in buckets during backward. */
int swiftnn_ddp_new(swiftnn_module m, swiftnn_process_group g, int64_t bucket_cap_bytes, int broadcast_buffers,
                    swiftnn_module* out);
int swiftnn_ddp_grad_buckets(swiftnn_module ddp, swiftnn_grad_buckets* out);
/* The gradients of params as one flat buffer of buckets, averaged across g during backward;
 * each parameter's grad becomes a view of its slot. */
int swiftnn_grad_buckets_new(const swiftnn_tensor* params, int64_t n, swiftnn_process_group g, int64_t bucket_cap_bytes,
                             swiftnn_grad_buckets* out);
int swiftnn_grad_buckets_free(swiftnn_grad_buckets b);
int swiftnn_grad_buckets_set_sync(swiftnn_grad_buckets b, int enabled); /* 0: no_sync(), accumulate locally */
/* The flat buffer, valid while b lives; written in place by backward. */
int swiftnn_grad_buckets_data(swiftnn_grad_buckets b, float** data, int64_t* count);
int swiftnn_grad_buckets_count(swiftnn_grad_buckets b, int64_t* out);
int swiftnn_grad_buckets_range(swiftnn_grad_buckets b, int64_t index, int64_t* offset, int64_t* count);
/* ---- end distributed ---- */

/* ---- export: op-level trace (begin) --------------------------------------- */
/* Records every op run on the calling thread between begin and end (a forward pass, in
 * one call or many). *json (valid until the next end on this thread) is
 * {"nodes": [{"op", "inputs": [id|null...], "output": id, "attrs": {...}}...],
 *  "values": [{"id", "shape", "leaf"}...]}; leaves are tensors no recorded op produced
 * (inputs, parameters, buffers, constants). The finished trace keeps its tensors until
 * the next begin or clear on this thread. */
int swiftnn_op_trace_begin(void);
int swiftnn_op_trace_end(const char** json);
/* The value id of x in the trace (-1 if the trace never met it). */
int swiftnn_op_trace_id(swiftnn_tensor x, int64_t* id);
/* A new handle to the tensor with value id `id`. */
int swiftnn_op_trace_value(int64_t id, swiftnn_tensor* out);
int swiftnn_op_trace_clear(void);
/* ---- export: op-level trace (end) ----------------------------------------- */

#ifdef __cplusplus
}
#endif
#endif /* SWIFTNN_H */

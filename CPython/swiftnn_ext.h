/*
 * Shared declarations of the swiftnn._C extension: handle types, the engine-call
 * macro, error mapping and argument conversion.
 */
#ifndef SWIFTNN_EXT_H
#define SWIFTNN_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
/* One NumPy C-API table for all files; module.c is the one that imports it. */
#define PY_ARRAY_UNIQUE_SYMBOL swiftnn_ARRAY_API
#ifndef SWIFTNN_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include "swiftnn.h"

/* Runs one engine call with the GIL released; the engine never touches Python. */
#define ENGINE(status, call)        \
    do {                            \
        Py_BEGIN_ALLOW_THREADS      \
        (status) = (call);          \
        Py_END_ALLOW_THREADS        \
    } while (0)

/* ---- handles.c ---- */
typedef struct { PyObject_HEAD swiftnn_tensor ptr; } TensorHandle;
typedef struct { PyObject_HEAD swiftnn_module ptr; } ModuleHandle;
typedef struct { PyObject_HEAD swiftnn_optimizer ptr; } OptimizerHandle;

extern PyTypeObject TensorHandle_Type;
extern PyTypeObject ModuleHandle_Type;
extern PyTypeObject OptimizerHandle_Type;

int handles_ready(PyObject* module);
/* Take ownership of an engine handle; on failure the handle is freed. */
PyObject* wrap_tensor(swiftnn_tensor t);
PyObject* wrap_module(swiftnn_module m);
PyObject* wrap_optimizer(swiftnn_optimizer o);
/* "O&" converters: a handle object of the right type (never NULL inside). */
int tensor_arg(PyObject* obj, void* out);
/* Like tensor_arg but None gives a NULL handle. */
int optional_tensor_arg(PyObject* obj, void* out);
int module_arg(PyObject* obj, void* out);
int optimizer_arg(PyObject* obj, void* out);

/* ---- convert.c ---- */
/* Sets the Python exception for a failed engine call; returns NULL. */
PyObject* raise_status(int status);
/* "O&" converter: a Python int to int64_t; overflow is a ValueError. */
int int64_arg(PyObject* obj, void* out);
/* A shape or dim list: a sequence of ints (at most SWIFTNN_MAX_DIMS). */
typedef struct { int64_t v[SWIFTNN_MAX_DIMS]; int n; int all; } DimList;
int dims_arg(PyObject* obj, void* out);
/* Array-like -> new C-contiguous float32 array; TypeError for non-numeric dtypes. */
PyArrayObject* float32_array(PyObject* obj);
/* Array-like of integer values -> new C-contiguous int64 array. */
PyArrayObject* int64_array(PyObject* obj);
/* A fresh float32 NumPy array holding a copy of the tensor's elements. */
PyObject* tensor_to_numpy(swiftnn_tensor t);

/* Converters of the generated wrappers: int f(PyObject*, const char* name, void* out). */
typedef struct { int64_t v[2]; } PairArg;
typedef struct { swiftnn_optional_int64 v[2]; } OptionalPairArg;
typedef struct { int64_t v[2]; int mode; } ConvPaddingArg;
typedef struct { PyObject* holder; void** v; int64_t n; } HandleList; /* also TensorList */
typedef HandleList TensorList;
typedef struct { PyObject* holder; const char* v; } PathArg;
typedef struct { PyArrayObject* arr; const int64_t* v; int64_t n; } Int64Array;
int tensor_from(PyObject* obj, const char* name, void* out);
int optional_tensor_from(PyObject* obj, const char* name, void* out);
int int64_from(PyObject* obj, const char* name, void* out);
int optional_int64_from(PyObject* obj, const char* name, void* out);
int float_from(PyObject* obj, const char* name, void* out);
int optional_double_from(PyObject* obj, const char* name, void* out);
int bool_from(PyObject* obj, const char* name, void* out);
int pair_from(PyObject* obj, const char* name, void* out);
int pair_arg(PyObject* obj, void* out); /* "O&" form */
int optional_pair_from(PyObject* obj, const char* name, void* out);
int conv_padding_from(PyObject* obj, const char* name, void* out);
int dims_from(PyObject* obj, const char* name, void* out);
int optional_dims_from(PyObject* obj, const char* name, void* out);
int dims_or_all_from(PyObject* obj, const char* name, void* out); /* None: all; (): none */
int tensor_list_from(PyObject* obj, const char* name, void* out);
int optimizer_list_from(PyObject* obj, const char* name, void* out);
int module_list_from(PyObject* obj, const char* name, void* out);
void handle_list_release(HandleList* list);
#define tensor_list_release handle_list_release
#define HANDLE_FROM_DECL(kind)                                   \
    int kind##_from(PyObject* obj, const char* name, void* out); \
    int optional_##kind##_from(PyObject* obj, const char* name, void* out);
HANDLE_FROM_DECL(module)
HANDLE_FROM_DECL(optimizer)
HANDLE_FROM_DECL(scheduler)
HANDLE_FROM_DECL(dataset)
HANDLE_FROM_DECL(transform)
HANDLE_FROM_DECL(loader)
int int32_from(PyObject* obj, const char* name, void* out);
int uint64_from(PyObject* obj, const char* name, void* out);
int double_from(PyObject* obj, const char* name, void* out);
int string_from(PyObject* obj, const char* name, void* out);
int optional_string_from(PyObject* obj, const char* name, void* out);
int path_from(PyObject* obj, const char* name, void* out);
int bytes_from(PyObject* obj, const char* name, void* out); /* a Py_buffer: PyBuffer_Release it */
int stride_from(PyObject* obj, const char* name, void* out);
int int64_array_from(PyObject* obj, const char* name, void* out);
void int64_array_release(Int64Array* array);
int enum_from(PyObject* obj, const char* name, const char* const* names, const char* expected, void* out);

/* ---- results.c: a call's result as a Python object, or its error ---- */
PyObject* tensor_result(int status, swiftnn_tensor out);
PyObject* optional_tensor_result(int status, swiftnn_tensor out); /* None for NULL */
PyObject* none_result(int status);
/* Text: a buffer for length bytes plus the NUL, and its str (freed there). */
char* text_buffer(int64_t length);
PyObject* text_result(int status, char* buf);
/* (TensorHandle, int64 indices shaped like it), a tuple of TensorHandles. */
PyObject* indexed_result(int status, swiftnn_tensor out, int64_t* indices, int64_t count);
PyObject* tensors_result(int status, swiftnn_tensor* outs, int64_t count);
/* NumPy out: a new array of n values of `type` for the engine to fill, and the result. */
PyArrayObject* new_array(int64_t n, int type);
PyObject* array_result(int status, PyArrayObject* out);

/* Function tables, merged into the module in module.c. */
extern PyMethodDef tensor_methods[];
extern PyMethodDef* const generated_method_tables[]; /* ops_generated.c: one table per group, NULL-terminated */
extern PyMethodDef nn_methods[];
extern PyMethodDef data_methods[]; /* data.c */

/* Dataset, transform and loader handles (handles.c). */
typedef struct { PyObject_HEAD swiftnn_dataset ptr; } DatasetHandle;
typedef struct { PyObject_HEAD swiftnn_transform ptr; } TransformHandle;
typedef struct { PyObject_HEAD swiftnn_loader ptr; } LoaderHandle;
extern PyTypeObject DatasetHandle_Type, TransformHandle_Type, LoaderHandle_Type;
PyObject* wrap_dataset(swiftnn_dataset d);
PyObject* wrap_transform(swiftnn_transform t);
PyObject* wrap_loader(swiftnn_loader l);
int dataset_arg(PyObject* obj, void* out);
int transform_arg(PyObject* obj, void* out);
int loader_arg(PyObject* obj, void* out);

/* ---- optim.c: optimizers beyond SGD, state, gradient clipping, LR schedulers ---- */
typedef struct { PyObject_HEAD swiftnn_scheduler ptr; } SchedulerHandle;
extern PyTypeObject SchedulerHandle_Type;
PyObject* wrap_scheduler(swiftnn_scheduler s);
int scheduler_arg(PyObject* obj, void* out);
extern PyMethodDef optim_methods[];
extern PyMethodDef checkpoint_methods[];
/* ---- summary.c: the traced forward of swiftnn.summary ---- */
extern PyMethodDef summary_methods[];
extern PyMethodDef export_methods[];
extern PyMethodDef train_methods[]; /* train.c: whole epochs in the engine */
/* distributed.c: process groups over MPI, SyncBatchNorm, DDP gradient buckets */
extern PyMethodDef distributed_methods[];
int distributed_ready(PyObject* module);
extern PyMethodDef kernel_path_methods[]; /* kernel_path.c: CPU and SWIFTNN_ISA path */

#endif

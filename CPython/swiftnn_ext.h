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
typedef struct { int64_t v[SWIFTNN_MAX_DIMS]; int n; } DimList;
int dims_arg(PyObject* obj, void* out);
/* Array-like -> new C-contiguous float32 array; TypeError for non-numeric dtypes. */
PyArrayObject* float32_array(PyObject* obj);
/* Array-like of integer values -> new C-contiguous int64 array. */
PyArrayObject* int64_array(PyObject* obj);
/* A fresh float32 NumPy array holding a copy of the tensor's elements. */
PyObject* tensor_to_numpy(swiftnn_tensor t);

/* Function tables, merged into the module in module.c. */
extern PyMethodDef tensor_methods[];
extern PyMethodDef ops_methods[];
extern PyMethodDef nn_methods[];
extern PyMethodDef conv_methods[];
extern PyMethodDef norm_methods[];
extern PyMethodDef data_methods[]; /* data.c */

/* ---- optim.c: optimizers beyond SGD, state, gradient clipping, LR schedulers ---- */
typedef struct { PyObject_HEAD swiftnn_scheduler ptr; } SchedulerHandle;
extern PyTypeObject SchedulerHandle_Type;
PyObject* wrap_scheduler(swiftnn_scheduler s);
int scheduler_arg(PyObject* obj, void* out);
extern PyMethodDef optim_methods[];
extern PyMethodDef checkpoint_methods[];
/* ---- summary.c: the traced forward of swiftnn.summary ---- */
extern PyMethodDef summary_methods[];
extern PyMethodDef train_methods[]; /* train.c: whole epochs in the engine */
extern PyMethodDef kernel_path_methods[]; /* kernel_path.c: CPU and SWIFTNN_ISA path */

#endif

/*
 * The extension's one handle system: TensorHandle, ModuleHandle, OptimizerHandle,
 * SchedulerHandle, DatasetHandle, TransformHandle, LoaderHandle. Each owns one engine handle and
 * frees it exactly once in dealloc. Two handle objects compare equal when they
 * point at the same engine object (the engine returns equal pointers for it).
 */
#include "swiftnn_ext.h"

/* All handle structs share this layout. */
typedef struct { PyObject_HEAD void* ptr; } AnyHandle;

static void* handle_ptr(PyObject* obj) { return ((AnyHandle*)obj)->ptr; }

static PyObject* handle_richcompare(PyObject* a, PyObject* b, int op) {
    if ((op != Py_EQ && op != Py_NE) || Py_TYPE(a) != Py_TYPE(b)) Py_RETURN_NOTIMPLEMENTED;
    int equal = handle_ptr(a) == handle_ptr(b);
    return PyBool_FromLong(op == Py_EQ ? equal : !equal);
}

static Py_hash_t handle_hash(PyObject* obj) {
    /* Rotate out the always-zero alignment bits, as CPython does for pointers. */
    size_t y = (size_t)handle_ptr(obj);
    y = (y >> 4) | (y << (8 * sizeof(void*) - 4));
    Py_hash_t h = (Py_hash_t)y;
    return h == -1 ? -2 : h;
}

static PyObject* handle_repr(PyObject* obj) {
    return PyUnicode_FromFormat("<%s %p>", Py_TYPE(obj)->tp_name, handle_ptr(obj));
}

#define HANDLE_TYPE(Name, kind, ctype, free_fn)                                               \
    static void Name##_dealloc(PyObject* obj) {                                           \
        ctype p = (ctype)handle_ptr(obj);                                                 \
        ((AnyHandle*)obj)->ptr = NULL;                                                    \
        if (p) {                                                                          \
            int status;                                                                   \
            ENGINE(status, free_fn(p));                                                   \
            (void)status;                                                                 \
        }                                                                                 \
        Py_TYPE(obj)->tp_free(obj);                                                       \
    }                                                                                     \
    PyTypeObject Name##_Type = {                                                          \
        PyVarObject_HEAD_INIT(NULL, 0)                                                    \
        .tp_name = "swiftnn._C." #Name,                                                   \
        .tp_basicsize = sizeof(Name),                                                     \
        .tp_dealloc = Name##_dealloc,                                                     \
        .tp_repr = handle_repr,                                                           \
        .tp_hash = handle_hash,                                                           \
        .tp_richcompare = handle_richcompare,                                             \
        .tp_flags = Py_TPFLAGS_DEFAULT,                                                   \
        .tp_doc = "An owned engine handle, freed when this object is collected.",         \
    };                                                                                    \
    static PyObject* wrap_##Name(ctype p) {                                               \
        Name* obj = PyObject_New(Name, &Name##_Type);                                     \
        if (!obj) {                                                                       \
            int status;                                                                   \
            ENGINE(status, free_fn(p));                                                   \
            (void)status;                                                                 \
            return NULL;                                                                  \
        }                                                                                 \
        obj->ptr = p;                                                                     \
        return (PyObject*)obj;                                                            \
    }                                                                                     \
    static int Name##_arg(PyObject* obj, void* out) {                                     \
        if (!PyObject_TypeCheck(obj, &Name##_Type)) {                                     \
            PyErr_Format(PyExc_TypeError, "expected a swiftnn.%s handle (%s), got %.200s", kind, \
                         Name##_Type.tp_name, Py_TYPE(obj)->tp_name);                     \
            return 0;                                                                     \
        }                                                                                 \
        if (!handle_ptr(obj)) {                                                           \
            PyErr_SetString(PyExc_ValueError, "the handle has been released");           \
            return 0;                                                                     \
        }                                                                                 \
        *(ctype*)out = (ctype)handle_ptr(obj);                                            \
        return 1;                                                                         \
    }

HANDLE_TYPE(TensorHandle, "tensor", swiftnn_tensor, swiftnn_tensor_free)
HANDLE_TYPE(ModuleHandle, "module", swiftnn_module, swiftnn_module_free)
HANDLE_TYPE(OptimizerHandle, "optimizer", swiftnn_optimizer, swiftnn_optimizer_free)
HANDLE_TYPE(SchedulerHandle, "scheduler", swiftnn_scheduler, swiftnn_scheduler_free)
HANDLE_TYPE(DatasetHandle, "dataset", swiftnn_dataset, swiftnn_dataset_free)
HANDLE_TYPE(TransformHandle, "transform", swiftnn_transform, swiftnn_transform_free)
/* Freeing a loader joins its prefetch thread: ENGINE releases the GIL meanwhile. */
HANDLE_TYPE(LoaderHandle, "loader", swiftnn_loader, swiftnn_loader_free)

PyObject* wrap_tensor(swiftnn_tensor t) { return wrap_TensorHandle(t); }
PyObject* wrap_module(swiftnn_module m) { return wrap_ModuleHandle(m); }
PyObject* wrap_optimizer(swiftnn_optimizer o) { return wrap_OptimizerHandle(o); }

int tensor_arg(PyObject* obj, void* out) { return TensorHandle_arg(obj, out); }
int module_arg(PyObject* obj, void* out) { return ModuleHandle_arg(obj, out); }
int optimizer_arg(PyObject* obj, void* out) { return OptimizerHandle_arg(obj, out); }
PyObject* wrap_scheduler(swiftnn_scheduler s) { return wrap_SchedulerHandle(s); }
int scheduler_arg(PyObject* obj, void* out) { return SchedulerHandle_arg(obj, out); }
PyObject* wrap_dataset(swiftnn_dataset d) { return wrap_DatasetHandle(d); }
PyObject* wrap_transform(swiftnn_transform t) { return wrap_TransformHandle(t); }
PyObject* wrap_loader(swiftnn_loader l) { return wrap_LoaderHandle(l); }
int dataset_arg(PyObject* obj, void* out) { return DatasetHandle_arg(obj, out); }
int transform_arg(PyObject* obj, void* out) { return TransformHandle_arg(obj, out); }
int loader_arg(PyObject* obj, void* out) { return LoaderHandle_arg(obj, out); }

int optional_tensor_arg(PyObject* obj, void* out) {
    if (obj == Py_None) {
        *(swiftnn_tensor*)out = NULL;
        return 1;
    }
    return TensorHandle_arg(obj, out);
}

int handles_ready(PyObject* module) {
    PyTypeObject* types[] = {&TensorHandle_Type, &ModuleHandle_Type, &OptimizerHandle_Type, &SchedulerHandle_Type,
                             &DatasetHandle_Type, &TransformHandle_Type, &LoaderHandle_Type};
    const char* names[] = {"TensorHandle", "ModuleHandle", "OptimizerHandle", "SchedulerHandle",
                           "DatasetHandle", "TransformHandle", "LoaderHandle"};
    for (int i = 0; i < (int)(sizeof types / sizeof types[0]); i++) {
        if (PyType_Ready(types[i]) < 0) return -1;
        Py_INCREF(types[i]);
        if (PyModule_AddObject(module, names[i], (PyObject*)types[i]) < 0) {
            Py_DECREF(types[i]);
            return -1;
        }
    }
    return 0;
}

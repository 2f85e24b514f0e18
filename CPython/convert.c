/*
 * Conversions between Python objects and engine arguments (the one converter
 * file of the extension), engine results to Python objects, and engine status
 * codes to Python exceptions. The `*_from(obj, name, out)` converters serve the
 * generated wrappers (CPython/ops_generated.c): they return 1, or 0 with a
 * Python exception naming the argument.
 */
#include "swiftnn_ext.h"

#include <math.h>

PyObject* raise_status(int status) {
    const char* message;
    ENGINE(message, swiftnn_last_error());
    PyObject* type;
    switch (status) {
        case SWIFTNN_ERROR_VALUE: type = PyExc_ValueError; break;
        case SWIFTNN_ERROR_TYPE: type = PyExc_TypeError; break;
        case SWIFTNN_ERROR_INDEX: type = PyExc_IndexError; break;
        case SWIFTNN_ERROR_IO: type = PyExc_OSError; break;
        case SWIFTNN_ERROR_ATTRIBUTE: type = PyExc_AttributeError; break;
        default: type = PyExc_RuntimeError; break;
    }
    PyErr_SetString(type, message && message[0] ? message : "swiftnn engine error (no message)");
    return NULL;
}

int int64_arg(PyObject* obj, void* out) {
    PyObject* index = PyNumber_Index(obj);
    if (!index) return 0;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (overflow) {
        PyErr_Format(PyExc_ValueError, "integer %R does not fit in 64 bits", obj);
        return 0;
    }
    if (v == -1 && PyErr_Occurred()) return 0;
    *(int64_t*)out = (int64_t)v;
    return 1;
}

int dims_arg(PyObject* obj, void* out) {
    DimList* dims = out;
    dims->all = 0;
    PyObject* seq = PySequence_Fast(obj, "expected a sequence of ints");
    if (!seq) return 0;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > SWIFTNN_MAX_DIMS) {
        PyErr_Format(PyExc_ValueError, "at most %d dimensions are supported, got %zd", SWIFTNN_MAX_DIMS, n);
        Py_DECREF(seq);
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!int64_arg(PySequence_Fast_GET_ITEM(seq, i), &dims->v[i])) {
            Py_DECREF(seq);
            return 0;
        }
    }
    dims->n = (int)n;
    Py_DECREF(seq);
    return 1;
}

/* The array with its own dtype, or a TypeError when that dtype is not one of `kinds`. */
static PyArrayObject* natural_array(PyObject* obj, const char* kinds, const char* wanted) {
    if (obj == Py_None) {
        PyErr_Format(PyExc_TypeError, "expected %s, got None", wanted);
        return NULL;
    }
    PyArrayObject* arr = (PyArrayObject*)PyArray_FromAny(obj, NULL, 0, SWIFTNN_MAX_DIMS, 0, NULL);
    if (!arr) return NULL;
    if (!strchr(kinds, PyArray_DESCR(arr)->kind)) {
        PyObject* name = PyObject_Str((PyObject*)PyArray_DESCR(arr));
        if (name) {
            PyErr_Format(PyExc_TypeError, "expected %s, got an array of dtype %U", wanted, name);
            Py_DECREF(name);
        }
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

PyArrayObject* float32_array(PyObject* obj) {
    PyArrayObject* arr = natural_array(obj, "biuf", "numeric (bool, int or float) data");
    if (!arr) return NULL;
    PyObject* out = PyArray_FROMANY((PyObject*)arr, NPY_FLOAT32, 0, SWIFTNN_MAX_DIMS,
                                    NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED | NPY_ARRAY_FORCECAST);
    Py_DECREF(arr);
    return (PyArrayObject*)out;
}

PyArrayObject* int64_array(PyObject* obj) {
    PyArrayObject* arr = natural_array(obj, "biuf", "integer class indices");
    if (!arr) return NULL;
    if (PyArray_ISFLOAT(arr)) {
        /* Float targets are accepted only when every value is a whole number. */
        PyArrayObject* f = (PyArrayObject*)PyArray_FROMANY((PyObject*)arr, NPY_FLOAT64, 0, SWIFTNN_MAX_DIMS,
                                                           NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED |
                                                               NPY_ARRAY_FORCECAST);
        Py_DECREF(arr);
        if (!f) return NULL;
        const double* v = PyArray_DATA(f);
        for (npy_intp i = 0, n = PyArray_SIZE(f); i < n; i++) {
            /* The range test comes first: it also rejects NaN before any cast. */
            if (!(v[i] > -9.2e18 && v[i] < 9.2e18) || v[i] != floor(v[i])) {
                PyObject* bad = PyFloat_FromDouble(v[i]);
                if (bad) {
                    PyErr_Format(PyExc_ValueError, "expected integer class indices, got the value %R", bad);
                    Py_DECREF(bad);
                }
                Py_DECREF(f);
                return NULL;
            }
        }
        arr = f;
    }
    PyObject* out = PyArray_FROMANY((PyObject*)arr, NPY_INT64, 0, SWIFTNN_MAX_DIMS,
                                    NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED | NPY_ARRAY_FORCECAST);
    Py_DECREF(arr);
    return (PyArrayObject*)out;
}

PyObject* tensor_to_numpy(swiftnn_tensor t) {
    int status, ndim;
    ENGINE(status, swiftnn_tensor_ndim(t, &ndim));
    if (status) return raise_status(status);
    if (ndim < 0 || ndim > SWIFTNN_MAX_DIMS) {
        PyErr_Format(PyExc_RuntimeError, "engine reported an invalid rank %d", ndim);
        return NULL;
    }
    int64_t shape[SWIFTNN_MAX_DIMS];
    ENGINE(status, swiftnn_tensor_shape(t, shape, SWIFTNN_MAX_DIMS));
    if (status) return raise_status(status);
    npy_intp dims[SWIFTNN_MAX_DIMS];
    for (int i = 0; i < ndim; i++) dims[i] = (npy_intp)shape[i];
    PyArrayObject* arr = (PyArrayObject*)PyArray_SimpleNew(ndim, dims, NPY_FLOAT32);
    if (!arr) return NULL;
    float* data = PyArray_DATA(arr);
    int64_t capacity = (int64_t)PyArray_SIZE(arr);
    ENGINE(status, swiftnn_tensor_copy_to(t, data, capacity));
    if (status) {
        Py_DECREF(arr);
        return raise_status(status);
    }
    return (PyObject*)arr;
}

/* ---- converters of the generated wrappers --------------------------------------- */

int tensor_from(PyObject* obj, const char* name, void* out) {
    (void)name;
    return tensor_arg(obj, out);
}

int optional_tensor_from(PyObject* obj, const char* name, void* out) {
    (void)name;
    return optional_tensor_arg(obj, out);
}

int int64_from(PyObject* obj, const char* name, void* out) {
    if (!PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, got %.100s", name, Py_TYPE(obj)->tp_name);
        return 0;
    }
    return int64_arg(obj, out);
}

int optional_int64_from(PyObject* obj, const char* name, void* out) {
    swiftnn_optional_int64* v = out;
    v->value = 0;
    v->has_value = obj != Py_None;
    return obj == Py_None || int64_from(obj, name, &v->value);
}

int float_from(PyObject* obj, const char* name, void* out) {
    double v;
    if (!double_from(obj, name, &v)) return 0;
    *(float*)out = (float)v;
    return 1;
}

int optional_double_from(PyObject* obj, const char* name, void* out) {
    swiftnn_optional_double* v = out;
    v->value = 0;
    v->has_value = obj != Py_None;
    if (obj == Py_None) return 1;
    v->value = PyFloat_AsDouble(obj);
    if (v->value == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s must be a number or None, got %.100s", name, Py_TYPE(obj)->tp_name);
        return 0;
    }
    return 1;
}

int bool_from(PyObject* obj, const char* name, void* out) {
    (void)name;
    int v = PyObject_IsTrue(obj);
    if (v < 0) return 0;
    *(int*)out = v;
    return 1;
}

/* An int (both entries) or a 2-sequence of ints, as torch.nn.modules.utils._pair. */
static int is_int(PyObject* obj) { return PyIndex_Check(obj) && !PyBool_Check(obj); }

int pair_from(PyObject* obj, const char* name, void* out) {
    PairArg* pair = out;
    if (is_int(obj)) {
        if (!int64_arg(obj, &pair->v[0])) return 0;
        pair->v[1] = pair->v[0];
        return 1;
    }
    PyObject* seq = PySequence_Check(obj) && !PyUnicode_Check(obj) ? PySequence_Fast(obj, "") : NULL;
    int ok = seq && PySequence_Fast_GET_SIZE(seq) == 2;
    for (Py_ssize_t i = 0; ok && i < 2; i++) {
        PyObject* item = PySequence_Fast_GET_ITEM(seq, i);
        ok = is_int(item) && int64_arg(item, &pair->v[i]);
    }
    Py_XDECREF(seq);
    if (!ok) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be an int or a pair of ints, got %R", name, obj);
    }
    return ok;
}

/* "O&" form of pair_from for the hand-written wrappers. */
int pair_arg(PyObject* obj, void* out) { return pair_from(obj, "window argument", out); }

/* An int or a pair whose entries may be None. */
int optional_pair_from(PyObject* obj, const char* name, void* out) {
    OptionalPairArg* pair = out;
    PyObject* items[2] = {obj, obj};
    PyObject* seq = NULL;
    if (!is_int(obj)) {
        seq = PySequence_Check(obj) && !PyUnicode_Check(obj) ? PySequence_Fast(obj, "") : NULL;
        if (!seq || PySequence_Fast_GET_SIZE(seq) != 2) {
            Py_XDECREF(seq);
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be an int or a pair, got %R", name, obj);
            return 0;
        }
        items[0] = PySequence_Fast_GET_ITEM(seq, 0);
        items[1] = PySequence_Fast_GET_ITEM(seq, 1);
    }
    int ok = optional_int64_from(items[0], name, &pair->v[0]) && optional_int64_from(items[1], name, &pair->v[1]);
    Py_XDECREF(seq);
    return ok;
}

/* An int, a pair, 'valid' or 'same'. */
int conv_padding_from(PyObject* obj, const char* name, void* out) {
    ConvPaddingArg* padding = out;
    padding->v[0] = padding->v[1] = 0;
    if (PyUnicode_Check(obj)) {
        if (PyUnicode_CompareWithASCIIString(obj, "valid") == 0) padding->mode = SWIFTNN_PADDING_MODE_VALID;
        else if (PyUnicode_CompareWithASCIIString(obj, "same") == 0) padding->mode = SWIFTNN_PADDING_MODE_SAME;
        else {
            PyErr_Format(PyExc_ValueError, "Invalid padding string %R, should be one of {'valid', 'same'}", obj);
            return 0;
        }
        return 1;
    }
    padding->mode = SWIFTNN_PADDING_MODE_EXPLICIT;
    PairArg pair;
    if (!pair_from(obj, name, &pair)) return 0;
    padding->v[0] = pair.v[0];
    padding->v[1] = pair.v[1];
    return 1;
}

/* A sequence of ints, or one int. */
int dims_from(PyObject* obj, const char* name, void* out) {
    DimList* dims = out;
    dims->all = 0;
    if (is_int(obj)) {
        dims->n = 1;
        return int64_arg(obj, &dims->v[0]);
    }
    if (!PySequence_Check(obj) || PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int or a sequence of ints, got %.100s", name, Py_TYPE(obj)->tp_name);
        return 0;
    }
    return dims_arg(obj, out);
}

/* Like dims_from; None or an empty sequence means every dimension. */
int dims_or_all_from(PyObject* obj, const char* name, void* out) {
    if (obj == Py_None) return optional_dims_from(obj, name, out);
    return dims_from(obj, name, out);
}

int optional_dims_from(PyObject* obj, const char* name, void* out) {
    DimList* dims = out;
    if (obj == Py_None) {
        dims->n = 0;
        dims->all = 1;
        return 1;
    }
    if (!dims_from(obj, name, out)) return 0;
    dims->all = dims->n == 0;
    return 1;
}

/* A sequence of handles of one kind, kept alive in list->holder while the GIL is released. */
static int handle_list_from(PyObject* obj, const char* name, void* out, PyTypeObject* single,
                            int (*convert)(PyObject*, void*), const char* kinds) {
    HandleList* list = out;
    PyObject* tuple = PyObject_TypeCheck(obj, single) ? NULL : PySequence_Tuple(obj);
    if (!tuple) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be a sequence of %s, got %.100s", name, kinds, Py_TYPE(obj)->tp_name);
        return 0;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    list->v = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(void*));
    list->holder = tuple;
    list->n = (int64_t)n;
    if (!list->v) {
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!convert(PyTuple_GET_ITEM(tuple, i), &list->v[i])) return 0;
    }
    return 1;
}

int tensor_list_from(PyObject* obj, const char* name, void* out) {
    return handle_list_from(obj, name, out, &TensorHandle_Type, tensor_arg, "tensors");
}

int optimizer_list_from(PyObject* obj, const char* name, void* out) {
    return handle_list_from(obj, name, out, &OptimizerHandle_Type, optimizer_arg, "optimizers");
}

int module_list_from(PyObject* obj, const char* name, void* out) {
    return handle_list_from(obj, name, out, &ModuleHandle_Type, module_arg, "modules");
}

void handle_list_release(HandleList* list) {
    PyMem_Free(list->v);
    Py_XDECREF(list->holder);
}

int int64_array_from(PyObject* obj, const char* name, void* out) {
    (void)name;
    Int64Array* array = out;
    array->arr = int64_array(obj);
    if (!array->arr) return 0;
    array->v = PyArray_DATA(array->arr);
    array->n = (int64_t)PyArray_SIZE(array->arr);
    return 1;
}

void int64_array_release(Int64Array* array) { Py_XDECREF(array->arr); }

/* An enum value by name (from codegen/ops.toml) or by its int code (the engine checks the range). */
int enum_from(PyObject* obj, const char* name, const char* const* names, const char* expected, void* out) {
    if (PyUnicode_Check(obj)) {
        for (int i = 0; names[i]; i++) {
            if (PyUnicode_CompareWithASCIIString(obj, names[i]) == 0) {
                *(int*)out = i;
                return 1;
            }
        }
        PyErr_Format(PyExc_ValueError, "%U is not a valid value for %s (expected %s)", obj, name, expected);
        return 0;
    }
    int64_t code;
    if (!int64_from(obj, name, &code)) return 0;
    *(int*)out = code >= 0 && code <= INT32_MAX ? (int)code : -1;
    return 1;
}

/* Handles of the other engine objects, plain and optional (None -> NULL). */
#define HANDLE_FROM(kind)                                                      \
    int kind##_from(PyObject* obj, const char* name, void* out) {             \
        (void)name;                                                            \
        return kind##_arg(obj, out);                                           \
    }                                                                          \
    int optional_##kind##_from(PyObject* obj, const char* name, void* out) {  \
        if (obj != Py_None) return kind##_from(obj, name, out);                \
        *(void**)out = NULL;                                                   \
        return 1;                                                              \
    }
HANDLE_FROM(module)
HANDLE_FROM(optimizer)
HANDLE_FROM(scheduler)
HANDLE_FROM(dataset)
HANDLE_FROM(transform)
HANDLE_FROM(loader)

int int32_from(PyObject* obj, const char* name, void* out) {
    int64_t v;
    if (!int64_from(obj, name, &v)) return 0;
    if (v < INT32_MIN || v > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%s is out of range: %lld", name, (long long)v);
        return 0;
    }
    *(int*)out = (int)v;
    return 1;
}

int uint64_from(PyObject* obj, const char* name, void* out) {
    if (!PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, got %.100s", name, Py_TYPE(obj)->tp_name);
        return 0;
    }
    PyObject* index = PyNumber_Index(obj);
    unsigned long long v = index ? PyLong_AsUnsignedLongLong(index) : (unsigned long long)-1;
    Py_XDECREF(index);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s must be an int in [0, 2**64), got %R", name, obj);
        return 0;
    }
    *(uint64_t*)out = (uint64_t)v;
    return 1;
}

int double_from(PyObject* obj, const char* name, void* out) {
    double v = PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s must be a number, got %.100s", name, Py_TYPE(obj)->tp_name);
        return 0;
    }
    *(double*)out = v;
    return 1;
}

/* UTF-8 of a str, valid while the argument lives (the caller's reference). */
int string_from(PyObject* obj, const char* name, void* out) {
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str, got %.100s", name, Py_TYPE(obj)->tp_name);
        return 0;
    }
    return (*(const char**)out = PyUnicode_AsUTF8(obj)) != NULL;
}

int optional_string_from(PyObject* obj, const char* name, void* out) {
    if (obj != Py_None) return string_from(obj, name, out);
    *(const char**)out = NULL;
    return 1;
}

int bytes_from(PyObject* obj, const char* name, void* out) {
    if (PyObject_GetBuffer(obj, out, PyBUF_SIMPLE) == 0) return 1;
    PyErr_Format(PyExc_TypeError, "%s must be bytes-like, got %.100s", name, Py_TYPE(obj)->tp_name);
    return 0;
}

int path_from(PyObject* obj, const char* name, void* out) {
    PathArg* path = out;
    if (!PyUnicode_FSConverter(obj, &path->holder)) return 0;
    path->v = PyBytes_AS_STRING(path->holder);
    return 1;
}

/* A pooling stride: None or [] (PyTorch's default) leaves both entries without a value. */
int stride_from(PyObject* obj, const char* name, void* out) {
    OptionalPairArg* pair = out;
    if (obj == Py_None || (PyList_Check(obj) && PyList_GET_SIZE(obj) == 0)) {
        pair->v[0] = pair->v[1] = (swiftnn_optional_int64){0, 0};
        return 1;
    }
    PairArg values;
    if (!pair_from(obj, name, &values)) return 0;
    pair->v[0] = (swiftnn_optional_int64){values.v[0], 1};
    pair->v[1] = (swiftnn_optional_int64){values.v[1], 1};
    return 1;
}

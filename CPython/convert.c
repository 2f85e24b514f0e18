/*
 * Conversions between Python objects and engine arguments, and engine
 * status codes to Python exceptions.
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

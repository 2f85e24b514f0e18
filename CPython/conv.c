/*
 * Convolution and pooling ops and the
 * engine's thread count. The Python layer normalises arguments (`_pair`,
 * padding strings) before calling in; pairs arrive as 2-tuples of ints.
 */
#include "swiftnn_ext.h"

typedef struct { int64_t v[2]; } Pair;

/* "O&" converter: a 2-tuple (or list) of Python ints. */
static int pair_arg(PyObject* obj, void* out) {
    Pair* pair = out;
    if (!PySequence_Check(obj) || PySequence_Size(obj) != 2) {
        PyErr_Format(PyExc_TypeError, "expected a pair of ints, got %.100s", Py_TYPE(obj)->tp_name);
        return 0;
    }
    for (Py_ssize_t i = 0; i < 2; i++) {
        PyObject* item = PySequence_GetItem(obj, i);
        if (!item) return 0;
        int ok = int64_arg(item, &pair->v[i]);
        Py_DECREF(item);
        if (!ok) return 0;
    }
    return 1;
}

static PyObject* tensor_or_raise(int status, swiftnn_tensor out) {
    if (status) return raise_status(status);
    return wrap_tensor(out);
}

static PyObject* py_conv2d(PyObject* self, PyObject* args) {
    swiftnn_tensor x, weight, bias, out = NULL;
    Pair stride, padding, dilation;
    int padding_mode, status;
    int64_t groups;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&iO&O&:conv2d", tensor_arg, &x, tensor_arg, &weight, optional_tensor_arg,
                          &bias, pair_arg, &stride, pair_arg, &padding, &padding_mode, pair_arg, &dilation,
                          int64_arg, &groups))
        return NULL;
    ENGINE(status, swiftnn_conv2d(x, weight, bias, stride.v, padding.v, padding_mode, dilation.v, groups, &out));
    return tensor_or_raise(status, out);
}

/* max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, indices_or_None) -> handle.
 * `indices` is a writable C-contiguous int64 array the caller sized to the output. */
static PyObject* py_max_pool2d(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    Pair kernel, stride, padding, dilation;
    int ceil_mode, status;
    PyObject* indices_obj;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&pO:max_pool2d", tensor_arg, &x, pair_arg, &kernel, pair_arg, &stride,
                          pair_arg, &padding, pair_arg, &dilation, &ceil_mode, &indices_obj))
        return NULL;
    int64_t* indices = NULL;
    int64_t capacity = 0;
    if (indices_obj != Py_None) {
        if (!PyArray_Check(indices_obj) || PyArray_TYPE((PyArrayObject*)indices_obj) != NPY_INT64 ||
            !PyArray_ISCARRAY((PyArrayObject*)indices_obj)) {
            PyErr_SetString(PyExc_TypeError, "max_pool2d: indices must be a writable C-contiguous int64 array");
            return NULL;
        }
        indices = PyArray_DATA((PyArrayObject*)indices_obj);
        capacity = (int64_t)PyArray_SIZE((PyArrayObject*)indices_obj);
    }
    ENGINE(status, swiftnn_max_pool2d(x, kernel.v, stride.v, padding.v, dilation.v, ceil_mode, &out, indices, capacity));
    return tensor_or_raise(status, out);
}

static PyObject* py_avg_pool2d(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    Pair kernel, stride, padding;
    int ceil_mode, count_include_pad, status;
    int64_t divisor_override;
    if (!PyArg_ParseTuple(args, "O&O&O&O&ppO&:avg_pool2d", tensor_arg, &x, pair_arg, &kernel, pair_arg, &stride,
                          pair_arg, &padding, &ceil_mode, &count_include_pad, int64_arg, &divisor_override))
        return NULL;
    ENGINE(status, swiftnn_avg_pool2d(x, kernel.v, stride.v, padding.v, ceil_mode, count_include_pad,
                                      divisor_override, &out));
    return tensor_or_raise(status, out);
}

static PyObject* adaptive(PyObject* args, const char* format,
                          int (*pool)(swiftnn_tensor, const int64_t*, swiftnn_tensor*)) {
    swiftnn_tensor x, out = NULL;
    Pair size;
    int status;
    if (!PyArg_ParseTuple(args, format, tensor_arg, &x, pair_arg, &size)) return NULL;
    ENGINE(status, pool(x, size.v, &out));
    return tensor_or_raise(status, out);
}

static PyObject* py_adaptive_avg_pool2d(PyObject* self, PyObject* args) {
    return adaptive(args, "O&O&:adaptive_avg_pool2d", swiftnn_adaptive_avg_pool2d);
}

static PyObject* py_adaptive_max_pool2d(PyObject* self, PyObject* args) {
    return adaptive(args, "O&O&:adaptive_max_pool2d", swiftnn_adaptive_max_pool2d);
}

static PyObject* py_set_num_threads(PyObject* self, PyObject* args) {
    int64_t threads;
    int status;
    if (!PyArg_ParseTuple(args, "O&:set_num_threads", int64_arg, &threads)) return NULL;
    ENGINE(status, swiftnn_set_num_threads(threads));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_get_num_threads(PyObject* self, PyObject* unused) {
    int64_t threads = 0;
    int status = swiftnn_get_num_threads(&threads);
    if (status) return raise_status(status);
    return PyLong_FromLongLong(threads);
}

static PyObject* py_profiler_set_enabled(PyObject* self, PyObject* args) {
    int enabled, previous = 0;
    if (!PyArg_ParseTuple(args, "p:profiler_set_enabled", &enabled)) return NULL;
    int status = swiftnn_profiler_set_enabled(enabled, &previous);
    if (status) return raise_status(status);
    return PyBool_FromLong(previous);
}

static PyObject* py_profiler_reset(PyObject* self, PyObject* unused) {
    int status = swiftnn_profiler_reset();
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_profiler_entries(PyObject* self, PyObject* unused) {
    int64_t length = 0;
    int status = swiftnn_profiler_entries(NULL, 0, &length);
    if (status) return raise_status(status);
    char* buffer = PyMem_Malloc((size_t)length + 1);
    if (!buffer) return PyErr_NoMemory();
    status = swiftnn_profiler_entries(buffer, length + 1, NULL);
    PyObject* text = status ? raise_status(status) : PyUnicode_FromString(buffer);
    PyMem_Free(buffer);
    return text;
}

PyMethodDef conv_methods[] = {
    {"conv2d", py_conv2d, METH_VARARGS, NULL},
    {"max_pool2d", py_max_pool2d, METH_VARARGS, NULL},
    {"avg_pool2d", py_avg_pool2d, METH_VARARGS, NULL},
    {"adaptive_avg_pool2d", py_adaptive_avg_pool2d, METH_VARARGS, NULL},
    {"adaptive_max_pool2d", py_adaptive_max_pool2d, METH_VARARGS, NULL},
    {"set_num_threads", py_set_num_threads, METH_VARARGS, NULL},
    {"get_num_threads", py_get_num_threads, METH_NOARGS, NULL},
    {"profiler_set_enabled", py_profiler_set_enabled, METH_VARARGS, NULL},
    {"profiler_reset", py_profiler_reset, METH_NOARGS, NULL},
    {"profiler_entries", py_profiler_entries, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/*
 * Ops whose results the op table cannot describe: an index buffer the caller
 * sizes (max over a dim, max pooling) and several tensors at once (split).
 */
#include "swiftnn_ext.h"

static PyObject* py_max_dim(PyObject* self, PyObject* args) {
    swiftnn_tensor x, values = NULL;
    int64_t dim;
    int keepdim, status, ndim;
    if (!PyArg_ParseTuple(args, "O&O&p:max_dim", tensor_arg, &x, int64_arg, &dim, &keepdim)) return NULL;
    /* Size the indices buffer: numel / shape[dim] (the engine rejects a bad dim itself). */
    int64_t shape[SWIFTNN_MAX_DIMS], numel = 0;
    ENGINE(status, swiftnn_tensor_ndim(x, &ndim));
    if (!status) ENGINE(status, swiftnn_tensor_shape(x, shape, SWIFTNN_MAX_DIMS));
    if (!status) ENGINE(status, swiftnn_tensor_numel(x, &numel));
    if (status) return raise_status(status);
    int64_t d = dim < 0 ? dim + ndim : dim;
    int64_t capacity = 1;
    if (ndim > 0 && d >= 0 && d < ndim && shape[d] > 0) capacity = numel / shape[d];
    npy_intp length = (npy_intp)capacity;
    PyArrayObject* indices = (PyArrayObject*)PyArray_SimpleNew(1, &length, NPY_INT64);
    if (!indices) return NULL;
    int64_t* index_data = PyArray_DATA(indices);
    ENGINE(status, swiftnn_max_dim(x, dim, keepdim, &values, index_data, capacity));
    if (status) {
        Py_DECREF(indices);
        return raise_status(status);
    }
    PyObject* handle = wrap_tensor(values);
    if (!handle) {
        Py_DECREF(indices);
        return NULL;
    }
    return Py_BuildValue("(NN)", handle, (PyObject*)indices);
}

/* max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, indices_or_None) -> handle.
 * `indices` is a writable C-contiguous int64 array the caller sized to the output. */
static PyObject* py_max_pool2d(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    PairArg kernel, stride, padding, dilation;
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
    return tensor_result(status, out);
}

static PyObject* py_split(PyObject* self, PyObject* args) {
    swiftnn_tensor x;
    PyObject* sizes_obj;
    int64_t dim;
    int status;
    if (!PyArg_ParseTuple(args, "O&OO&:split", tensor_arg, &x, &sizes_obj, int64_arg, &dim)) return NULL;
    PyArrayObject* sizes = int64_array(sizes_obj);
    if (!sizes) return NULL;
    int64_t n = (int64_t)PyArray_SIZE(sizes);
    swiftnn_tensor* outs = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(swiftnn_tensor));
    if (!outs) {
        Py_DECREF(sizes);
        return PyErr_NoMemory();
    }
    const int64_t* data = PyArray_DATA(sizes);
    ENGINE(status, swiftnn_split(x, data, n, dim, outs));
    Py_DECREF(sizes);
    if (status) {
        PyMem_Free(outs);
        return raise_status(status);
    }
    PyObject* list = PyList_New((Py_ssize_t)n);
    for (int64_t i = 0; i < n; i++) {
        /* wrap_tensor takes ownership (and frees on failure), so every handle is consumed. */
        PyObject* item = wrap_tensor(outs[i]);
        if (!item || !list) {
            Py_XDECREF(item);
            continue;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    PyMem_Free(outs);
    if (list && PyErr_Occurred()) Py_CLEAR(list);
    return list;
}

PyMethodDef indexed_ops_methods[] = {
    {"max_dim", py_max_dim, METH_VARARGS, "max_dim(x, dim, keepdim) -> (values TensorHandle, int64 indices ndarray)"},
    {"max_pool2d", py_max_pool2d, METH_VARARGS, "max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, indices or None)"},
    {"split", py_split, METH_VARARGS, "split(x, sizes, dim) -> [TensorHandle]"},
    {NULL, NULL, 0, NULL},
};

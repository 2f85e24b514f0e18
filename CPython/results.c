/*
 * Results of the calls into the engine as Python objects: tensors, None, text,
 * (tensor, indices), several tensors and NumPy arrays the engine fills. Each
 * raises the engine's error for a failed status and frees what the call handed out.
 */
#include "swiftnn_ext.h"

PyObject* tensor_result(int status, swiftnn_tensor out) {
    if (status) return raise_status(status);
    return wrap_tensor(out);
}

PyObject* optional_tensor_result(int status, swiftnn_tensor out) {
    if (status) return raise_status(status);
    if (!out) Py_RETURN_NONE;
    return wrap_tensor(out);
}

PyObject* none_result(int status) {
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

char* text_buffer(int64_t length) {
    char* buf = length >= 0 ? PyMem_Malloc((size_t)length + 1) : NULL;
    if (!buf) PyErr_NoMemory();
    return buf;
}

/* The text of a text_buffer the engine filled (freed here), or the error of a failed call. */
PyObject* text_result(int status, char* buf) {
    PyObject* text = status ? raise_status(status) : buf ? PyUnicode_DecodeUTF8(buf, (Py_ssize_t)strlen(buf), "replace") : NULL;
    PyMem_Free(buf);
    return text;
}

/* (TensorHandle, int64 array shaped like the tensor) from an engine-allocated index buffer (freed here). */
PyObject* indexed_result(int status, swiftnn_tensor out, int64_t* indices, int64_t count) {
    if (status) return raise_status(status); /* nothing was handed out */
    PyObject* handle = wrap_tensor(out);
    int ndim = 0;
    int64_t dims[SWIFTNN_MAX_DIMS];
    npy_intp shape[SWIFTNN_MAX_DIMS], numel = 1;
    if (handle) ENGINE(status, swiftnn_tensor_ndim(out, &ndim));
    if (handle && !status) ENGINE(status, swiftnn_tensor_shape(out, dims, SWIFTNN_MAX_DIMS));
    for (int i = 0; handle && !status && i < ndim; i++) numel *= (shape[i] = (npy_intp)dims[i]);
    PyArrayObject* array = NULL;
    if (status)
        raise_status(status);
    else if (handle && numel != (npy_intp)count)
        PyErr_Format(PyExc_RuntimeError, "the engine gave %lld indices for %lld values", (long long)count, (long long)numel);
    else if (handle && (array = (PyArrayObject*)PyArray_SimpleNew(ndim, shape, NPY_INT64)))
        memcpy(PyArray_DATA(array), indices, (size_t)count * sizeof(int64_t));
    ENGINE(status, swiftnn_buffer_free(indices));
    PyObject* result = array ? PyTuple_Pack(2, handle, (PyObject*)array) : NULL;
    Py_XDECREF(array);
    Py_XDECREF(handle);
    return result;
}

/* A tuple of TensorHandles taking ownership of every handle of an engine-allocated array
 * (freed here), or the error of a failed call. */
PyObject* tensors_result(int status, swiftnn_tensor* outs, int64_t count) {
    PyObject* tuple = status ? raise_status(status) : PyTuple_New((Py_ssize_t)count);
    for (int64_t i = 0; !status && i < count; i++) {
        PyObject* item = wrap_tensor(outs[i]); /* frees the handle when it fails */
        if (item && tuple) PyTuple_SET_ITEM(tuple, (Py_ssize_t)i, item);
        else Py_XDECREF(item);
    }
    if (tuple && PyErr_Occurred()) Py_CLEAR(tuple);
    ENGINE(status, swiftnn_buffer_free(outs));
    return tuple;
}

/* A new 1-d NumPy array of n values for the engine to fill (NumPy-out results). */
PyArrayObject* new_array(int64_t n, int type) {
    if (n < 0 || n > ((int64_t)1 << 40)) {
        PyErr_Format(PyExc_ValueError, "invalid number of values %lld", (long long)n);
        return NULL;
    }
    npy_intp length = (npy_intp)n;
    return (PyArrayObject*)PyArray_SimpleNew(1, &length, type);
}

PyObject* array_result(int status, PyArrayObject* out) {
    if (!status) return (PyObject*)out;
    Py_XDECREF(out);
    return raise_status(status);
}

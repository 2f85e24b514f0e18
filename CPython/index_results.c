/*
 * Results of ops that give values plus the int64 index each value came from
 * (sort, topk): the generated wrapper sizes an index buffer to the numel of
 * the op's first tensor argument (an upper bound for all of them), the engine
 * fills it, and the tail returns (values handle, int64 array of the values'
 * numel).
 */
#include "swiftnn_ext.h"

int index_buffer_for(IndexBuffer* buffer, swiftnn_tensor sizing) {
    int64_t numel = 0;
    int status;
    ENGINE(status, swiftnn_tensor_numel(sizing, &numel));
    if (status) {
        raise_status(status);
        return 0;
    }
    npy_intp length = (npy_intp)numel;
    buffer->arr = (PyArrayObject*)PyArray_SimpleNew(1, &length, NPY_INT64);
    if (!buffer->arr) return 0;
    buffer->v = PyArray_DATA(buffer->arr);
    buffer->n = numel;
    return 1;
}

PyObject* indexed_result(int status, swiftnn_tensor out, IndexBuffer* buffer) {
    if (status) {
        Py_CLEAR(buffer->arr);
        return raise_status(status);
    }
    int64_t count = 0;
    ENGINE(status, swiftnn_tensor_numel(out, &count));
    PyObject* handle = wrap_tensor(out); /* owns `out` from here, also on failure */
    if (!handle || status || count > buffer->n) {
        Py_CLEAR(buffer->arr);
        if (!handle) return NULL;
        Py_DECREF(handle);
        if (status) return raise_status(status);
        PyErr_SetString(PyExc_RuntimeError, "index result larger than its buffer");
        return NULL;
    }
    PyObject* indices = (PyObject*)buffer->arr;
    if (count < buffer->n) { /* a copy of the used part, so the larger buffer is freed */
        npy_intp length = (npy_intp)count;
        indices = PyArray_SimpleNew(1, &length, NPY_INT64);
        if (indices) memcpy(PyArray_DATA((PyArrayObject*)indices), buffer->v, (size_t)count * sizeof(int64_t));
        Py_CLEAR(buffer->arr);
    }
    buffer->arr = NULL;
    if (!indices) {
        Py_DECREF(handle);
        return NULL;
    }
    return Py_BuildValue("(NN)", handle, indices);
}

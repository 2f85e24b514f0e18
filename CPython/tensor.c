/*
 * Version strings, tensors from and to NumPy data, shapes, grad_fn names and
 * set_grad_enabled: the calls whose buffers or results the op table does not
 * describe (the rest: ops_tensors.c, ops_runtime.c).
 */
#include "swiftnn_ext.h"

static PyObject* py_version(PyObject* self, PyObject* unused) {
    const char* v;
    ENGINE(v, swiftnn_version());
    return PyUnicode_FromString(v ? v : "");
}

static PyObject* py_abi_version(PyObject* self, PyObject* unused) {
    int v;
    ENGINE(v, swiftnn_abi_version());
    return PyLong_FromLong(v);
}

static PyObject* py_set_grad_enabled(PyObject* self, PyObject* args) {
    int enabled, previous = 1, status;
    if (!PyArg_ParseTuple(args, "p:set_grad_enabled", &enabled)) return NULL;
    ENGINE(status, swiftnn_set_grad_enabled(enabled, &previous));
    if (status) return raise_status(status);
    return PyBool_FromLong(previous);
}

/* ---- creation ---------------------------------------------------------- */

static PyObject* py_from_array(PyObject* self, PyObject* obj) {
    PyArrayObject* arr = float32_array(obj);
    if (!arr) return NULL;
    int ndim = PyArray_NDIM(arr), status;
    int64_t shape[SWIFTNN_MAX_DIMS];
    for (int i = 0; i < ndim; i++) shape[i] = (int64_t)PyArray_DIM(arr, i);
    const float* data = PyArray_DATA(arr);
    swiftnn_tensor out = NULL;
    ENGINE(status, swiftnn_tensor_from_data(data, shape, ndim, &out));
    Py_DECREF(arr);
    return tensor_result(status, out);
}

/* ---- data ---------------------------------------------------------------- */

static PyObject* py_shape(PyObject* self, PyObject* args) {
    swiftnn_tensor t;
    if (!PyArg_ParseTuple(args, "O&:shape", tensor_arg, &t)) return NULL;
    int status, ndim;
    int64_t shape[SWIFTNN_MAX_DIMS];
    ENGINE(status, swiftnn_tensor_ndim(t, &ndim));
    if (status) return raise_status(status);
    if (ndim < 0 || ndim > SWIFTNN_MAX_DIMS) {
        PyErr_Format(PyExc_RuntimeError, "engine reported an invalid rank %d", ndim);
        return NULL;
    }
    ENGINE(status, swiftnn_tensor_shape(t, shape, SWIFTNN_MAX_DIMS));
    if (status) return raise_status(status);
    PyObject* tuple = PyTuple_New(ndim);
    if (!tuple) return NULL;
    for (int i = 0; i < ndim; i++) {
        PyObject* d = PyLong_FromLongLong(shape[i]);
        if (!d) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, d);
    }
    return tuple;
}

static PyObject* py_to_numpy(PyObject* self, PyObject* args) {
    swiftnn_tensor t;
    if (!PyArg_ParseTuple(args, "O&:to_numpy", tensor_arg, &t)) return NULL;
    return tensor_to_numpy(t);
}

static PyObject* py_copy_from(PyObject* self, PyObject* args) {
    swiftnn_tensor t;
    PyObject* obj;
    if (!PyArg_ParseTuple(args, "O&O:copy_from", tensor_arg, &t, &obj)) return NULL;
    PyArrayObject* arr = float32_array(obj);
    if (!arr) return NULL;
    const float* data = PyArray_DATA(arr);
    int64_t count = (int64_t)PyArray_SIZE(arr);
    int status;
    ENGINE(status, swiftnn_tensor_copy_from(t, data, count));
    Py_DECREF(arr);
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

/* ---- autograd ------------------------------------------------------------ */

static PyObject* py_grad_fn_name(PyObject* self, PyObject* args) {
    swiftnn_tensor t;
    if (!PyArg_ParseTuple(args, "O&:grad_fn_name", tensor_arg, &t)) return NULL;
    const char* name = NULL;
    int status;
    /* The name lives in a per-thread slot until this thread's next engine call: copy it at once. */
    ENGINE(status, swiftnn_tensor_grad_fn_name(t, &name));
    if (status) return raise_status(status);
    if (!name || !name[0]) Py_RETURN_NONE;
    return PyUnicode_FromString(name);
}

PyMethodDef tensor_methods[] = {
    {"version", py_version, METH_NOARGS, "The engine version string."},
    {"abi_version", py_abi_version, METH_NOARGS, "The C ABI version."},
    {"set_grad_enabled", py_set_grad_enabled, METH_VARARGS, "set_grad_enabled(flag) -> previous flag (this thread)"},
    {"from_array", py_from_array, METH_O, "from_array(array_like) -> TensorHandle (copied as float32)"},
    {"shape", py_shape, METH_VARARGS, "shape(t) -> tuple"},
    {"to_numpy", py_to_numpy, METH_VARARGS, "to_numpy(t) -> fresh float32 ndarray"},
    {"copy_from", py_copy_from, METH_VARARGS, "copy_from(t, array_like): overwrite t's elements in place"},
    {"grad_fn_name", py_grad_fn_name, METH_VARARGS, "grad_fn_name(t) -> str or None"},
    {NULL, NULL, 0, NULL},
};

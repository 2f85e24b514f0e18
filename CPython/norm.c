/*
 * Normalization ops, activations, cat/stack/split/pad/amin and the
 * in-place initialisers.
 */
#include "swiftnn_ext.h"

static PyObject* tensor_or_error(int status, swiftnn_tensor out) {
    if (status) return raise_status(status);
    return wrap_tensor(out);
}

static PyObject* none_or_error(int status) {
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

/* A sequence of tensor handles, kept alive in `*holder` (a new tuple) while the GIL is released. */
static swiftnn_tensor* tensor_sequence(PyObject* obj, PyObject** holder, Py_ssize_t* count) {
    PyObject* tuple = PySequence_Tuple(obj);
    if (!tuple) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    swiftnn_tensor* handles = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(swiftnn_tensor));
    if (!handles) {
        Py_DECREF(tuple);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!tensor_arg(PyTuple_GET_ITEM(tuple, i), &handles[i])) {
            PyMem_Free(handles);
            Py_DECREF(tuple);
            return NULL;
        }
    }
    *holder = tuple;
    *count = n;
    return handles;
}

/* ---- ops ------------------------------------------------------------------ */

static PyObject* py_batch_norm(PyObject* self, PyObject* args) {
    swiftnn_tensor x, rm, rv, w, b, out = NULL;
    int training, status;
    float momentum, eps;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&pff:batch_norm", tensor_arg, &x, optional_tensor_arg, &rm,
                          optional_tensor_arg, &rv, optional_tensor_arg, &w, optional_tensor_arg, &b, &training,
                          &momentum, &eps))
        return NULL;
    ENGINE(status, swiftnn_batch_norm(x, rm, rv, w, b, training, momentum, eps, &out));
    return tensor_or_error(status, out);
}

static PyObject* py_layer_norm(PyObject* self, PyObject* args) {
    swiftnn_tensor x, w, b, out = NULL;
    DimList shape;
    float eps;
    int status;
    if (!PyArg_ParseTuple(args, "O&O&O&O&f:layer_norm", tensor_arg, &x, dims_arg, &shape, optional_tensor_arg, &w,
                          optional_tensor_arg, &b, &eps))
        return NULL;
    ENGINE(status, swiftnn_layer_norm(x, shape.v, shape.n, w, b, eps, &out));
    return tensor_or_error(status, out);
}

static PyObject* py_local_response_norm(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    int64_t size;
    float alpha, beta, k;
    int status;
    if (!PyArg_ParseTuple(args, "O&O&fff:local_response_norm", tensor_arg, &x, int64_arg, &size, &alpha, &beta, &k))
        return NULL;
    ENGINE(status, swiftnn_local_response_norm(x, size, alpha, beta, k, &out));
    return tensor_or_error(status, out);
}

static PyObject* py_leaky_relu(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    float slope;
    int status;
    if (!PyArg_ParseTuple(args, "O&f:leaky_relu", tensor_arg, &x, &slope)) return NULL;
    ENGINE(status, swiftnn_leaky_relu(x, slope, &out));
    return tensor_or_error(status, out);
}

static PyObject* py_gelu(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    int tanh_form, status;
    if (!PyArg_ParseTuple(args, "O&p:gelu", tensor_arg, &x, &tanh_form)) return NULL;
    ENGINE(status, swiftnn_gelu(x, tanh_form, &out));
    return tensor_or_error(status, out);
}

static PyObject* py_silu(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    int status;
    if (!PyArg_ParseTuple(args, "O&:silu", tensor_arg, &x)) return NULL;
    ENGINE(status, swiftnn_silu(x, &out));
    return tensor_or_error(status, out);
}

static PyObject* py_dropout2d(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    float p;
    int training, status;
    if (!PyArg_ParseTuple(args, "O&fp:dropout2d", tensor_arg, &x, &p, &training)) return NULL;
    ENGINE(status, swiftnn_dropout2d(x, p, training, &out));
    return tensor_or_error(status, out);
}

typedef int (*join_fn)(const swiftnn_tensor*, int64_t, int64_t, swiftnn_tensor*);

static PyObject* join(PyObject* args, const char* format, join_fn fn) {
    PyObject* seq;
    int64_t dim;
    if (!PyArg_ParseTuple(args, format, &seq, int64_arg, &dim)) return NULL;
    PyObject* holder = NULL;
    Py_ssize_t n = 0;
    swiftnn_tensor* handles = tensor_sequence(seq, &holder, &n);
    if (!handles) return NULL;
    swiftnn_tensor out = NULL;
    int status;
    ENGINE(status, fn(handles, (int64_t)n, dim, &out));
    PyMem_Free(handles);
    Py_DECREF(holder);
    return tensor_or_error(status, out);
}

static PyObject* py_cat(PyObject* self, PyObject* args) { return join(args, "OO&:cat", swiftnn_cat); }
static PyObject* py_stack(PyObject* self, PyObject* args) { return join(args, "OO&:stack", swiftnn_stack); }

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

static PyObject* py_pad(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    DimList pad;
    float value;
    int status;
    if (!PyArg_ParseTuple(args, "O&O&f:pad", tensor_arg, &x, dims_arg, &pad, &value)) return NULL;
    ENGINE(status, swiftnn_pad(x, pad.v, pad.n, value, &out));
    return tensor_or_error(status, out);
}

static PyObject* py_amin(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    PyObject* dims_obj;
    int keepdim, status;
    if (!PyArg_ParseTuple(args, "O&Op:amin", tensor_arg, &x, &dims_obj, &keepdim)) return NULL;
    DimList dims;
    if (dims_obj != Py_None && !dims_arg(dims_obj, &dims)) return NULL;
    int none = dims_obj == Py_None;
    ENGINE(status, swiftnn_amin(x, none ? NULL : dims.v, none ? 0 : dims.n, keepdim, &out));
    return tensor_or_error(status, out);
}

static PyObject* init_call(PyObject* args, const char* format, int (*fn)(swiftnn_tensor, float, float)) {
    swiftnn_tensor t;
    float a, b;
    int status;
    if (!PyArg_ParseTuple(args, format, tensor_arg, &t, &a, &b)) return NULL;
    ENGINE(status, fn(t, a, b));
    return none_or_error(status);
}

static PyObject* py_init_uniform(PyObject* self, PyObject* args) {
    return init_call(args, "O&ff:init_uniform", swiftnn_init_uniform);
}

static PyObject* py_init_normal(PyObject* self, PyObject* args) {
    return init_call(args, "O&ff:init_normal", swiftnn_init_normal);
}

/* ---- layers ----------------------------------------------------------------- */

PyMethodDef norm_methods[] = {
    {"batch_norm", py_batch_norm, METH_VARARGS, "batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)"},
    {"layer_norm", py_layer_norm, METH_VARARGS, "layer_norm(x, normalized_shape, weight, bias, eps)"},
    {"local_response_norm", py_local_response_norm, METH_VARARGS, "local_response_norm(x, size, alpha, beta, k)"},
    {"leaky_relu", py_leaky_relu, METH_VARARGS, "leaky_relu(x, negative_slope)"},
    {"gelu", py_gelu, METH_VARARGS, "gelu(x, tanh_approximation)"},
    {"silu", py_silu, METH_VARARGS, "silu(x)"},
    {"dropout2d", py_dropout2d, METH_VARARGS, "dropout2d(x, p, training)"},
    {"cat", py_cat, METH_VARARGS, "cat([TensorHandle], dim)"},
    {"stack", py_stack, METH_VARARGS, "stack([TensorHandle], dim)"},
    {"split", py_split, METH_VARARGS, "split(x, sizes, dim) -> [TensorHandle]"},
    {"pad", py_pad, METH_VARARGS, "pad(x, pad, value)"},
    {"amin", py_amin, METH_VARARGS, "amin(x, dims or None, keepdim)"},
    {"init_uniform", py_init_uniform, METH_VARARGS, "init_uniform(t, low, high): in place"},
    {"init_normal", py_init_normal, METH_VARARGS, "init_normal(t, mean, std): in place"},
    {NULL, NULL, 0, NULL},
};

/*
 * Tensor ops and losses: each parses handles and plain arguments, calls the
 * engine with the GIL released and wraps the resulting handle.
 */
#include "swiftnn_ext.h"

static PyObject* tensor_result(int status, swiftnn_tensor out) {
    if (status) return raise_status(status);
    return wrap_tensor(out);
}

typedef int (*binary_fn)(swiftnn_tensor, swiftnn_tensor, swiftnn_tensor*);
typedef int (*unary_fn)(swiftnn_tensor, swiftnn_tensor*);
typedef int (*dim_fn)(swiftnn_tensor, int64_t, swiftnn_tensor*);
typedef int (*reduce_fn)(swiftnn_tensor, const int64_t*, int, int, swiftnn_tensor*);

static PyObject* binary(PyObject* args, const char* format, binary_fn fn) {
    swiftnn_tensor a, b, out = NULL;
    if (!PyArg_ParseTuple(args, format, tensor_arg, &a, tensor_arg, &b)) return NULL;
    int status;
    ENGINE(status, fn(a, b, &out));
    return tensor_result(status, out);
}

static PyObject* unary(PyObject* args, const char* format, unary_fn fn) {
    swiftnn_tensor x, out = NULL;
    if (!PyArg_ParseTuple(args, format, tensor_arg, &x)) return NULL;
    int status;
    ENGINE(status, fn(x, &out));
    return tensor_result(status, out);
}

static PyObject* with_dim(PyObject* args, const char* format, dim_fn fn) {
    swiftnn_tensor x, out = NULL;
    int64_t dim;
    if (!PyArg_ParseTuple(args, format, tensor_arg, &x, int64_arg, &dim)) return NULL;
    int status;
    ENGINE(status, fn(x, dim, &out));
    return tensor_result(status, out);
}

/* dims is None (every dimension) or a sequence of ints. */
static PyObject* reduction(PyObject* args, const char* format, reduce_fn fn) {
    swiftnn_tensor x, out = NULL;
    PyObject* dims_obj;
    int keepdim, status;
    if (!PyArg_ParseTuple(args, format, tensor_arg, &x, &dims_obj, &keepdim)) return NULL;
    DimList dims;
    if (dims_obj != Py_None && !dims_arg(dims_obj, &dims)) return NULL;
    const int64_t* dims_ptr = dims_obj == Py_None ? NULL : dims.v;
    int ndims = dims_obj == Py_None ? 0 : dims.n;
    ENGINE(status, fn(x, dims_ptr, ndims, keepdim, &out));
    return tensor_result(status, out);
}

#define BINARY(name) \
    static PyObject* py_##name(PyObject* self, PyObject* args) { return binary(args, "O&O&:" #name, swiftnn_##name); }
#define UNARY(name) \
    static PyObject* py_##name(PyObject* self, PyObject* args) { return unary(args, "O&:" #name, swiftnn_##name); }
#define WITH_DIM(name) \
    static PyObject* py_##name(PyObject* self, PyObject* args) { return with_dim(args, "O&O&:" #name, swiftnn_##name); }
#define REDUCTION(name) \
    static PyObject* py_##name(PyObject* self, PyObject* args) { return reduction(args, "O&Op:" #name, swiftnn_##name); }

BINARY(add)
BINARY(sub)
BINARY(mul)
BINARY(div)
BINARY(matmul)
UNARY(neg)
UNARY(relu)
UNARY(sigmoid)
UNARY(tanh)
UNARY(exp)
UNARY(log)
WITH_DIM(softmax)
WITH_DIM(log_softmax)
WITH_DIM(unsqueeze)
WITH_DIM(squeeze)
REDUCTION(sum)
REDUCTION(mean)
REDUCTION(amax)

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

static PyObject* py_reshape(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    DimList shape;
    if (!PyArg_ParseTuple(args, "O&O&:reshape", tensor_arg, &x, dims_arg, &shape)) return NULL;
    /* The engine multiplies the given sizes before comparing with numel; keep that product in range. */
    int64_t product = 1;
    for (int i = 0; i < shape.n; i++) {
        if (shape.v[i] >= 0 && __builtin_mul_overflow(product, shape.v[i], &product)) {
            PyErr_SetString(PyExc_ValueError, "reshape: the requested shape is too large");
            return NULL;
        }
    }
    int status;
    ENGINE(status, swiftnn_reshape(x, shape.v, shape.n, &out));
    return tensor_result(status, out);
}

static PyObject* py_permute(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    DimList dims;
    if (!PyArg_ParseTuple(args, "O&O&:permute", tensor_arg, &x, dims_arg, &dims)) return NULL;
    int status;
    ENGINE(status, swiftnn_permute(x, dims.v, dims.n, &out));
    return tensor_result(status, out);
}

static PyObject* py_two_dims(PyObject* args, const char* format,
                             int (*fn)(swiftnn_tensor, int64_t, int64_t, swiftnn_tensor*)) {
    swiftnn_tensor x, out = NULL;
    int64_t a, b;
    if (!PyArg_ParseTuple(args, format, tensor_arg, &x, int64_arg, &a, int64_arg, &b)) return NULL;
    int status;
    ENGINE(status, fn(x, a, b, &out));
    return tensor_result(status, out);
}

static PyObject* py_flatten(PyObject* self, PyObject* args) {
    return py_two_dims(args, "O&O&O&:flatten", swiftnn_flatten);
}

static PyObject* py_transpose(PyObject* self, PyObject* args) {
    return py_two_dims(args, "O&O&O&:transpose", swiftnn_transpose);
}

static PyObject* py_linear(PyObject* self, PyObject* args) {
    swiftnn_tensor x, w, b, out = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&:linear", tensor_arg, &x, tensor_arg, &w, optional_tensor_arg, &b)) return NULL;
    int status;
    ENGINE(status, swiftnn_linear(x, w, b, &out));
    return tensor_result(status, out);
}

static PyObject* py_dropout(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    float p;
    int training, status;
    if (!PyArg_ParseTuple(args, "O&fp:dropout", tensor_arg, &x, &p, &training)) return NULL;
    ENGINE(status, swiftnn_dropout(x, p, training, &out));
    return tensor_result(status, out);
}

/* ---- losses -------------------------------------------------------------- */

static PyObject* py_cross_entropy(PyObject* self, PyObject* args) {
    swiftnn_tensor x, out = NULL;
    PyObject* targets_obj;
    int reduction, status;
    float smoothing;
    int64_t ignore_index;
    if (!PyArg_ParseTuple(args, "O&OifO&:cross_entropy", tensor_arg, &x, &targets_obj, &reduction, &smoothing,
                          int64_arg, &ignore_index))
        return NULL;
    PyArrayObject* targets = int64_array(targets_obj);
    if (!targets) return NULL;
    const int64_t* data = PyArray_DATA(targets);
    int64_t count = (int64_t)PyArray_SIZE(targets);
    ENGINE(status, swiftnn_cross_entropy(x, data, count, reduction, smoothing, ignore_index, &out));
    Py_DECREF(targets);
    return tensor_result(status, out);
}

static PyObject* py_cross_entropy_probs(PyObject* self, PyObject* args) {
    swiftnn_tensor x, target, out = NULL;
    int reduction, status;
    float smoothing;
    if (!PyArg_ParseTuple(args, "O&O&if:cross_entropy_probs", tensor_arg, &x, tensor_arg, &target, &reduction,
                          &smoothing))
        return NULL;
    ENGINE(status, swiftnn_cross_entropy_probs(x, target, reduction, smoothing, &out));
    return tensor_result(status, out);
}

static PyObject* py_mse_loss(PyObject* self, PyObject* args) {
    swiftnn_tensor x, target, out = NULL;
    int reduction, status;
    if (!PyArg_ParseTuple(args, "O&O&i:mse_loss", tensor_arg, &x, tensor_arg, &target, &reduction)) return NULL;
    ENGINE(status, swiftnn_mse_loss(x, target, reduction, &out));
    return tensor_result(status, out);
}

#define ENTRY(name, doc) {#name, py_##name, METH_VARARGS, doc}

PyMethodDef ops_methods[] = {
    ENTRY(add, "add(a, b) -> TensorHandle (broadcasting)"),
    ENTRY(sub, "sub(a, b) -> TensorHandle (broadcasting)"),
    ENTRY(mul, "mul(a, b) -> TensorHandle (broadcasting)"),
    ENTRY(div, "div(a, b) -> TensorHandle (broadcasting)"),
    ENTRY(matmul, "matmul(a, b) -> TensorHandle"),
    ENTRY(neg, "neg(x) -> TensorHandle"),
    ENTRY(relu, "relu(x) -> TensorHandle"),
    ENTRY(sigmoid, "sigmoid(x) -> TensorHandle"),
    ENTRY(tanh, "tanh(x) -> TensorHandle"),
    ENTRY(exp, "exp(x) -> TensorHandle"),
    ENTRY(log, "log(x) -> TensorHandle"),
    ENTRY(softmax, "softmax(x, dim) -> TensorHandle"),
    ENTRY(log_softmax, "log_softmax(x, dim) -> TensorHandle"),
    ENTRY(sum, "sum(x, dims or None, keepdim) -> TensorHandle"),
    ENTRY(mean, "mean(x, dims or None, keepdim) -> TensorHandle"),
    ENTRY(amax, "amax(x, dims or None, keepdim) -> TensorHandle"),
    ENTRY(max_dim, "max_dim(x, dim, keepdim) -> (values TensorHandle, int64 indices ndarray)"),
    ENTRY(reshape, "reshape(x, shape) -> TensorHandle (a view)"),
    ENTRY(flatten, "flatten(x, start_dim, end_dim) -> TensorHandle"),
    ENTRY(transpose, "transpose(x, dim0, dim1) -> TensorHandle"),
    ENTRY(permute, "permute(x, dims) -> TensorHandle"),
    ENTRY(unsqueeze, "unsqueeze(x, dim) -> TensorHandle"),
    ENTRY(squeeze, "squeeze(x, dim) -> TensorHandle"),
    ENTRY(linear, "linear(x, weight, bias or None) -> TensorHandle"),
    ENTRY(dropout, "dropout(x, p, training) -> TensorHandle"),
    ENTRY(cross_entropy, "cross_entropy(input, int targets, reduction, label_smoothing, ignore_index)"),
    ENTRY(cross_entropy_probs, "cross_entropy_probs(input, target, reduction, label_smoothing)"),
    ENTRY(mse_loss, "mse_loss(input, target, reduction)"),
    {NULL, NULL, 0, NULL},
};

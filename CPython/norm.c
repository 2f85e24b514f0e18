/*
 * Normalization and activation layer constructors (their functional forms are
 * generated from codegen/ops.toml).
 */
#include "swiftnn_ext.h"

static PyObject* module_or_error(int status, swiftnn_module out) {
    if (status) return raise_status(status);
    return wrap_module(out);
}

/* None -> has = 0; a number -> its float value and has = 1. */
typedef struct { float value; int has; } OptionalFloat;

static int optional_float_arg(PyObject* obj, void* out) {
    OptionalFloat* f = out;
    f->has = obj != Py_None;
    f->value = 0;
    if (!f->has) return 1;
    double v = PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred()) return 0;
    f->value = (float)v;
    return 1;
}

/* ---- layers ----------------------------------------------------------------- */

static PyObject* py_batchnorm_new(PyObject* self, PyObject* args) {
    int dims, affine, track, status;
    int64_t n;
    float eps;
    OptionalFloat momentum;
    if (!PyArg_ParseTuple(args, "iO&fO&pp:batchnorm_new", &dims, int64_arg, &n, &eps, optional_float_arg, &momentum,
                          &affine, &track))
        return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_batchnorm_new(dims, n, eps, momentum.value, momentum.has, affine, track, &out));
    return module_or_error(status, out);
}

static PyObject* py_batchnorm_set_momentum(PyObject* self, PyObject* args) {
    swiftnn_module m;
    OptionalFloat momentum;
    int status;
    if (!PyArg_ParseTuple(args, "O&O&:batchnorm_set_momentum", module_arg, &m, optional_float_arg, &momentum)) return NULL;
    ENGINE(status, swiftnn_batchnorm_set_momentum(m, momentum.value, momentum.has));
    return none_result(status);
}

static PyObject* py_layernorm_new(PyObject* self, PyObject* args) {
    DimList shape;
    float eps;
    int affine, bias, status;
    if (!PyArg_ParseTuple(args, "O&fpp:layernorm_new", dims_arg, &shape, &eps, &affine, &bias)) return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_layernorm_new(shape.v, shape.n, eps, affine, bias, &out));
    return module_or_error(status, out);
}

static PyObject* py_local_response_norm_new(PyObject* self, PyObject* args) {
    int64_t size;
    float alpha, beta, k;
    int status;
    if (!PyArg_ParseTuple(args, "O&fff:local_response_norm_new", int64_arg, &size, &alpha, &beta, &k)) return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_local_response_norm_new(size, alpha, beta, k, &out));
    return module_or_error(status, out);
}

/* Layers built from one float (negative slope, dropout probability). */
static PyObject* float_layer(PyObject* args, const char* format, int (*make)(float, swiftnn_module*)) {
    float value;
    int status;
    if (!PyArg_ParseTuple(args, format, &value)) return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, make(value, &out));
    return module_or_error(status, out);
}

static PyObject* py_leaky_relu_new(PyObject* self, PyObject* args) {
    return float_layer(args, "f:leaky_relu_new", swiftnn_leaky_relu_new);
}

static PyObject* py_gelu_new(PyObject* self, PyObject* args) {
    int tanh_form, status;
    if (!PyArg_ParseTuple(args, "p:gelu_new", &tanh_form)) return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_gelu_new(tanh_form, &out));
    return module_or_error(status, out);
}

static PyObject* py_silu_new(PyObject* self, PyObject* unused) {
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, swiftnn_silu_new(&out));
    return module_or_error(status, out);
}

static PyObject* py_dropout2d_new(PyObject* self, PyObject* args) {
    return float_layer(args, "f:dropout2d_new", swiftnn_dropout2d_new);
}

PyMethodDef norm_methods[] = {
    {"batchnorm_new", py_batchnorm_new, METH_VARARGS, "batchnorm_new(dims, num_features, eps, momentum, affine, track)"},
    {"batchnorm_set_momentum", py_batchnorm_set_momentum, METH_VARARGS, "batchnorm_set_momentum(m, momentum or None)"},
    {"layernorm_new", py_layernorm_new, METH_VARARGS, "layernorm_new(normalized_shape, eps, affine, bias)"},
    {"local_response_norm_new", py_local_response_norm_new, METH_VARARGS, "local_response_norm_new(size, alpha, beta, k)"},
    {"leaky_relu_new", py_leaky_relu_new, METH_VARARGS, "leaky_relu_new(negative_slope)"},
    {"gelu_new", py_gelu_new, METH_VARARGS, "gelu_new(tanh_approximation)"},
    {"silu_new", py_silu_new, METH_NOARGS, "silu_new()"},
    {"dropout2d_new", py_dropout2d_new, METH_VARARGS, "dropout2d_new(p)"},
    {NULL, NULL, 0, NULL},
};

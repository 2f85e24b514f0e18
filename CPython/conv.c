/*
 * Convolution and pooling layer constructors (their functional forms are
 * generated from codegen/ops.toml). Pairs arrive as ints or 2-tuples of ints.
 */
#include "swiftnn_ext.h"

static PyObject* module_or_raise(int status, swiftnn_module out) {
    if (status) return raise_status(status);
    return wrap_module(out);
}

static PyObject* py_conv2d_new(PyObject* self, PyObject* args) {
    int64_t in_channels, out_channels, groups;
    PairArg kernel, stride, padding, dilation;
    int padding_mode, bias, status;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&iO&O&p:conv2d_new", int64_arg, &in_channels, int64_arg, &out_channels,
                          pair_arg, &kernel, pair_arg, &stride, pair_arg, &padding, &padding_mode, pair_arg, &dilation,
                          int64_arg, &groups, &bias))
        return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_conv2d_new(in_channels, out_channels, kernel.v, stride.v, padding.v, padding_mode,
                                      dilation.v, groups, bias, &out));
    return module_or_raise(status, out);
}

static PyObject* py_max_pool2d_new(PyObject* self, PyObject* args) {
    PairArg kernel, stride, padding, dilation;
    int ceil_mode, status;
    if (!PyArg_ParseTuple(args, "O&O&O&O&p:max_pool2d_new", pair_arg, &kernel, pair_arg, &stride, pair_arg, &padding,
                          pair_arg, &dilation, &ceil_mode))
        return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_max_pool2d_new(kernel.v, stride.v, padding.v, dilation.v, ceil_mode, &out));
    return module_or_raise(status, out);
}

static PyObject* py_avg_pool2d_new(PyObject* self, PyObject* args) {
    PairArg kernel, stride, padding;
    int ceil_mode, count_include_pad, status;
    int64_t divisor_override;
    if (!PyArg_ParseTuple(args, "O&O&O&ppO&:avg_pool2d_new", pair_arg, &kernel, pair_arg, &stride, pair_arg, &padding,
                          &ceil_mode, &count_include_pad, int64_arg, &divisor_override))
        return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_avg_pool2d_new(kernel.v, stride.v, padding.v, ceil_mode, count_include_pad,
                                          divisor_override, &out));
    return module_or_raise(status, out);
}

static PyObject* adaptive_new(PyObject* args, const char* format, int (*make)(const int64_t*, swiftnn_module*)) {
    PairArg size;
    int status;
    if (!PyArg_ParseTuple(args, format, pair_arg, &size)) return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, make(size.v, &out));
    return module_or_raise(status, out);
}

static PyObject* py_adaptive_avg_pool2d_new(PyObject* self, PyObject* args) {
    return adaptive_new(args, "O&:adaptive_avg_pool2d_new", swiftnn_adaptive_avg_pool2d_new);
}

static PyObject* py_adaptive_max_pool2d_new(PyObject* self, PyObject* args) {
    return adaptive_new(args, "O&:adaptive_max_pool2d_new", swiftnn_adaptive_max_pool2d_new);
}

PyMethodDef conv_methods[] = {
    {"conv2d_new", py_conv2d_new, METH_VARARGS, NULL},
    {"max_pool2d_new", py_max_pool2d_new, METH_VARARGS, NULL},
    {"avg_pool2d_new", py_avg_pool2d_new, METH_VARARGS, NULL},
    {"adaptive_avg_pool2d_new", py_adaptive_avg_pool2d_new, METH_VARARGS, NULL},
    {"adaptive_max_pool2d_new", py_adaptive_max_pool2d_new, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/*
 * Engine modules (layers) and optimizers.
 */
#include "swiftnn_ext.h"

static PyObject* module_result(int status, swiftnn_module out) {
    if (status) return raise_status(status);
    return wrap_module(out);
}

/* Layers without constructor arguments. */
#define PLAIN_LAYER(name)                                                   \
    static PyObject* py_##name##_new(PyObject* self, PyObject* unused) {    \
        swiftnn_module out = NULL;                                          \
        int status;                                                         \
        ENGINE(status, swiftnn_##name##_new(&out));                         \
        return module_result(status, out);                                  \
    }

PLAIN_LAYER(relu)
PLAIN_LAYER(sigmoid)
PLAIN_LAYER(tanh)
PLAIN_LAYER(identity)

static PyObject* dim_layer(PyObject* args, const char* format, int (*make)(int64_t, swiftnn_module*)) {
    int64_t dim;
    if (!PyArg_ParseTuple(args, format, int64_arg, &dim)) return NULL;
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, make(dim, &out));
    return module_result(status, out);
}

static PyObject* py_softmax_new(PyObject* self, PyObject* args) {
    return dim_layer(args, "O&:softmax_new", swiftnn_softmax_new);
}

static PyObject* py_log_softmax_new(PyObject* self, PyObject* args) {
    return dim_layer(args, "O&:log_softmax_new", swiftnn_log_softmax_new);
}

static PyObject* py_linear_new(PyObject* self, PyObject* args) {
    int64_t in_features, out_features;
    int bias, status;
    if (!PyArg_ParseTuple(args, "O&O&p:linear_new", int64_arg, &in_features, int64_arg, &out_features, &bias))
        return NULL;
    swiftnn_module out = NULL;
    ENGINE(status, swiftnn_linear_new(in_features, out_features, bias, &out));
    return module_result(status, out);
}

static PyObject* py_dropout_new(PyObject* self, PyObject* args) {
    float p;
    if (!PyArg_ParseTuple(args, "f:dropout_new", &p)) return NULL;
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, swiftnn_dropout_new(p, &out));
    return module_result(status, out);
}

static PyObject* py_flatten_new(PyObject* self, PyObject* args) {
    int64_t start, end;
    if (!PyArg_ParseTuple(args, "O&O&:flatten_new", int64_arg, &start, int64_arg, &end)) return NULL;
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, swiftnn_flatten_new(start, end, &out));
    return module_result(status, out);
}

static PyObject* py_module_forward(PyObject* self, PyObject* args) {
    swiftnn_module m;
    swiftnn_tensor x, out = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:module_forward", module_arg, &m, tensor_arg, &x)) return NULL;
    int status;
    ENGINE(status, swiftnn_module_forward(m, x, &out));
    if (status) return raise_status(status);
    return wrap_tensor(out);
}

static PyObject* py_module_set_training(PyObject* self, PyObject* args) {
    swiftnn_module m;
    int training, status;
    if (!PyArg_ParseTuple(args, "O&p:module_set_training", module_arg, &m, &training)) return NULL;
    ENGINE(status, swiftnn_module_set_training(m, training));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_module_is_training(PyObject* self, PyObject* args) {
    swiftnn_module m;
    int training = 0, status;
    if (!PyArg_ParseTuple(args, "O&:module_is_training", module_arg, &m)) return NULL;
    ENGINE(status, swiftnn_module_is_training(m, &training));
    if (status) return raise_status(status);
    return PyBool_FromLong(training);
}

/* One state entry as (name, kind, TensorHandle); kind 0 = parameter, 1 = buffer. */
static PyObject* state_entry(swiftnn_module m, int64_t index) {
    char small[256];
    int64_t length = 0;
    int kind = 0, status;
    swiftnn_tensor t = NULL;
    ENGINE(status, swiftnn_module_state_entry(m, index, small, sizeof small, &length, &kind, &t));
    if (status) return raise_status(status);
    PyObject* handle = wrap_tensor(t);
    if (!handle) return NULL;
    PyObject* name;
    if (length < (int64_t)sizeof small) {
        name = PyUnicode_FromStringAndSize(small, (Py_ssize_t)length);
    } else {
        /* Long dotted names: ask again with a buffer of the reported length. */
        char* big = PyMem_Malloc((size_t)length + 1);
        if (!big) {
            Py_DECREF(handle);
            return PyErr_NoMemory();
        }
        ENGINE(status, swiftnn_module_state_entry(m, index, big, length + 1, NULL, NULL, NULL));
        name = status ? raise_status(status) : PyUnicode_FromStringAndSize(big, (Py_ssize_t)length);
        PyMem_Free(big);
    }
    if (!name) {
        Py_DECREF(handle);
        return NULL;
    }
    return Py_BuildValue("(NiN)", name, kind, handle);
}

static PyObject* py_module_state(PyObject* self, PyObject* args) {
    swiftnn_module m;
    if (!PyArg_ParseTuple(args, "O&:module_state", module_arg, &m)) return NULL;
    int64_t count = 0;
    int status;
    ENGINE(status, swiftnn_module_state_count(m, &count));
    if (status) return raise_status(status);
    PyObject* list = PyList_New(0);
    if (!list) return NULL;
    for (int64_t i = 0; i < count; i++) {
        PyObject* entry = state_entry(m, i);
        if (!entry || PyList_Append(list, entry) < 0) {
            Py_XDECREF(entry);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(entry);
    }
    return list;
}

static PyObject* py_module_set_parameter(PyObject* self, PyObject* args) {
    swiftnn_module m;
    swiftnn_tensor t;
    const char* name;
    if (!PyArg_ParseTuple(args, "O&sO&:module_set_parameter", module_arg, &m, &name, tensor_arg, &t)) return NULL;
    int status;
    ENGINE(status, swiftnn_module_set_parameter(m, name, t));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

/* ---- optimizers ---------------------------------------------------------- */

static PyObject* py_sgd_new(PyObject* self, PyObject* args) {
    PyObject* params_obj;
    float lr, momentum, dampening, weight_decay;
    int nesterov, status;
    if (!PyArg_ParseTuple(args, "Offffp:sgd_new", &params_obj, &lr, &momentum, &dampening, &weight_decay, &nesterov))
        return NULL;
    /* A private tuple keeps the handle objects (and their engine tensors) alive while the GIL is released. */
    PyObject* params = PySequence_Tuple(params_obj);
    if (!params) return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(params);
    swiftnn_tensor* handles = PyMem_Calloc(count > 0 ? (size_t)count : 1, sizeof(swiftnn_tensor));
    if (!handles) {
        Py_DECREF(params);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!tensor_arg(PyTuple_GET_ITEM(params, i), &handles[i])) {
            PyMem_Free(handles);
            Py_DECREF(params);
            return NULL;
        }
    }
    swiftnn_optimizer out = NULL;
    ENGINE(status, swiftnn_sgd_new(handles, (int64_t)count, lr, momentum, dampening, weight_decay, nesterov, &out));
    PyMem_Free(handles);
    Py_DECREF(params);
    if (status) return raise_status(status);
    return wrap_optimizer(out);
}

static PyObject* optimizer_call(PyObject* args, const char* format, int (*fn)(swiftnn_optimizer)) {
    swiftnn_optimizer o;
    if (!PyArg_ParseTuple(args, format, optimizer_arg, &o)) return NULL;
    int status;
    ENGINE(status, fn(o));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_optimizer_step(PyObject* self, PyObject* args) {
    return optimizer_call(args, "O&:optimizer_step", swiftnn_optimizer_step);
}

static PyObject* py_optimizer_zero_grad(PyObject* self, PyObject* args) {
    return optimizer_call(args, "O&:optimizer_zero_grad", swiftnn_optimizer_zero_grad);
}

static PyObject* py_optimizer_set_lr(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    float lr;
    if (!PyArg_ParseTuple(args, "O&f:optimizer_set_lr", optimizer_arg, &o, &lr)) return NULL;
    int status;
    ENGINE(status, swiftnn_optimizer_set_lr(o, lr));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_optimizer_get_lr(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    if (!PyArg_ParseTuple(args, "O&:optimizer_get_lr", optimizer_arg, &o)) return NULL;
    float lr = 0;
    int status;
    ENGINE(status, swiftnn_optimizer_get_lr(o, &lr));
    if (status) return raise_status(status);
    return PyFloat_FromDouble(lr);
}

/* model_new(name, config_json) -> ModuleHandle: a zoo model with its keyword arguments. */
static PyObject* py_model_new(PyObject* self, PyObject* args) {
    const char *name, *config;
    if (!PyArg_ParseTuple(args, "ss:model_new", &name, &config)) return NULL;
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, swiftnn_model_new(name, config, &out));
    return module_result(status, out);
}

/* module_repr(m) -> str: the engine's nested, PyTorch-style description. */
static PyObject* py_module_repr(PyObject* self, PyObject* args) {
    swiftnn_module m;
    if (!PyArg_ParseTuple(args, "O&:module_repr", module_arg, &m)) return NULL;
    int64_t length = 0;
    int status = swiftnn_module_repr(m, NULL, 0, &length);
    if (status) return raise_status(status);
    char* buffer = PyMem_Malloc((size_t)length + 1);
    if (!buffer) return PyErr_NoMemory();
    status = swiftnn_module_repr(m, buffer, length + 1, NULL);
    PyObject* text = status ? raise_status(status) : PyUnicode_DecodeUTF8(buffer, (Py_ssize_t)strlen(buffer), "replace");
    PyMem_Free(buffer);
    return text;
}

PyMethodDef nn_methods[] = {
    {"relu_new", py_relu_new, METH_NOARGS, "relu_new() -> ModuleHandle"},
    {"sigmoid_new", py_sigmoid_new, METH_NOARGS, "sigmoid_new() -> ModuleHandle"},
    {"tanh_new", py_tanh_new, METH_NOARGS, "tanh_new() -> ModuleHandle"},
    {"identity_new", py_identity_new, METH_NOARGS, "identity_new() -> ModuleHandle"},
    {"softmax_new", py_softmax_new, METH_VARARGS, "softmax_new(dim) -> ModuleHandle"},
    {"log_softmax_new", py_log_softmax_new, METH_VARARGS, "log_softmax_new(dim) -> ModuleHandle"},
    {"linear_new", py_linear_new, METH_VARARGS, "linear_new(in_features, out_features, bias) -> ModuleHandle"},
    {"dropout_new", py_dropout_new, METH_VARARGS, "dropout_new(p) -> ModuleHandle"},
    {"flatten_new", py_flatten_new, METH_VARARGS, "flatten_new(start_dim, end_dim) -> ModuleHandle"},
    {"model_new", py_model_new, METH_VARARGS, "model_new(name, config_json) -> ModuleHandle"},
    {"module_repr", py_module_repr, METH_VARARGS, "module_repr(m) -> str"},
    {"module_forward", py_module_forward, METH_VARARGS, "module_forward(m, x) -> TensorHandle"},
    {"module_set_training", py_module_set_training, METH_VARARGS, "module_set_training(m, flag)"},
    {"module_is_training", py_module_is_training, METH_VARARGS, "module_is_training(m) -> bool"},
    {"module_state", py_module_state, METH_VARARGS, "module_state(m) -> [(name, kind, TensorHandle)]"},
    {"module_set_parameter", py_module_set_parameter, METH_VARARGS, "module_set_parameter(m, name, t)"},
    {"sgd_new", py_sgd_new, METH_VARARGS, "sgd_new([TensorHandle], lr, momentum, dampening, weight_decay, nesterov)"},
    {"optimizer_step", py_optimizer_step, METH_VARARGS, "optimizer_step(o)"},
    {"optimizer_zero_grad", py_optimizer_zero_grad, METH_VARARGS, "optimizer_zero_grad(o)"},
    {"optimizer_set_lr", py_optimizer_set_lr, METH_VARARGS, "optimizer_set_lr(o, lr)"},
    {"optimizer_get_lr", py_optimizer_get_lr, METH_VARARGS, "optimizer_get_lr(o) -> float"},
    {NULL, NULL, 0, NULL},
};

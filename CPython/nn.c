/*
 * Engine modules: one constructor for every layer kind, settings by name, forward, modes, state;
 * and the engine defaults Python reads (training recipes, fan sizes).
 */
#include "swiftnn_ext.h"

static PyObject* module_result(int status, swiftnn_module out) {
    if (status) return raise_status(status);
    return wrap_module(out);
}

/* module_new(kind, config_json) -> ModuleHandle: a layer by PyTorch class name and constructor arguments. */
static PyObject* py_module_new(PyObject* self, PyObject* args) {
    const char *kind, *config;
    if (!PyArg_ParseTuple(args, "ss:module_new", &kind, &config)) return NULL;
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, swiftnn_module_new(kind, config, &out));
    return module_result(status, out);
}

/* A string the engine writes like swiftnn_module_repr: asks for the length, then the text. */
PyObject* engine_text(void* handle, const char* name, engine_text_fn fn) {
    int64_t length = 0;
    int status;
    ENGINE(status, fn(handle, name, NULL, 0, &length));
    if (status) return raise_status(status);
    char* buffer = PyMem_Malloc((size_t)length + 1);
    if (!buffer) return PyErr_NoMemory();
    ENGINE(status, fn(handle, name, buffer, length + 1, NULL));
    PyObject* text = status ? raise_status(status) : PyUnicode_DecodeUTF8(buffer, (Py_ssize_t)strlen(buffer), "replace");
    PyMem_Free(buffer);
    return text;
}

static int module_option_text(void* m, const char* name, char* buf, int64_t capacity, int64_t* length) {
    return swiftnn_module_get_option(m, name, buf, capacity, length);
}

/* (handle, name or None) -> JSON text of one setting (or of all), for modules, optimizers and schedulers. */
PyObject* get_option(PyObject* args, const char* format, int (*convert)(PyObject*, void*), engine_text_fn fn) {
    void* handle;
    const char* name;
    if (!PyArg_ParseTuple(args, format, convert, &handle, &name)) return NULL;
    return engine_text(handle, name, fn);
}

static PyObject* py_module_get_option(PyObject* self, PyObject* args) {
    return get_option(args, "O&z:module_get_option", module_arg, module_option_text);
}

static int module_repr_text(void* m, const char* unused, char* buf, int64_t capacity, int64_t* length) {
    (void)unused;
    return swiftnn_module_repr(m, buf, capacity, length);
}

/* module_repr(m) -> str: the engine's nested, PyTorch-style description. */
static PyObject* py_module_repr(PyObject* self, PyObject* args) {
    swiftnn_module m;
    if (!PyArg_ParseTuple(args, "O&:module_repr", module_arg, &m)) return NULL;
    return engine_text(m, NULL, module_repr_text);
}

static PyObject* py_module_set_option(PyObject* self, PyObject* args) {
    swiftnn_module m;
    const char *name, *value;
    if (!PyArg_ParseTuple(args, "O&ss:module_set_option", module_arg, &m, &name, &value)) return NULL;
    int status;
    ENGINE(status, swiftnn_module_set_option(m, name, value));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_module_reset(PyObject* self, PyObject* args) {
    swiftnn_module m;
    const char* what;
    if (!PyArg_ParseTuple(args, "O&s:module_reset", module_arg, &m, &what)) return NULL;
    int status;
    ENGINE(status, swiftnn_module_reset(m, what));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
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

/* model_new(name, config_json) -> ModuleHandle: a zoo model with its keyword arguments. */
static PyObject* py_model_new(PyObject* self, PyObject* args) {
    const char *name, *config;
    if (!PyArg_ParseTuple(args, "ss:model_new", &name, &config)) return NULL;
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, swiftnn_model_new(name, config, &out));
    return module_result(status, out);
}

static int recipe_text(void* name, const char* unused, char* buf, int64_t capacity, int64_t* length) {
    (void)unused;
    return swiftnn_recipe(name, buf, capacity, length);
}

/* recipe(name) -> JSON text of a training recipe. */
static PyObject* py_recipe(PyObject* self, PyObject* args) {
    const char* name;
    if (!PyArg_ParseTuple(args, "s:recipe", &name)) return NULL;
    return engine_text((void*)name, NULL, recipe_text);
}

/* init_fans(shape) -> (fan_in, fan_out). */
static PyObject* py_init_fans(PyObject* self, PyObject* args) {
    DimList shape;
    if (!PyArg_ParseTuple(args, "O&:init_fans", dims_arg, &shape)) return NULL;
    int64_t fan_in = 0, fan_out = 0;
    int status;
    ENGINE(status, swiftnn_init_fans(shape.v, shape.n, &fan_in, &fan_out));
    if (status) return raise_status(status);
    return Py_BuildValue("(LL)", (long long)fan_in, (long long)fan_out);
}

PyMethodDef nn_methods[] = {
    {"recipe", py_recipe, METH_VARARGS, "recipe(name) -> JSON text"},
    {"init_fans", py_init_fans, METH_VARARGS, "init_fans(shape) -> (fan_in, fan_out)"},
    {"module_new", py_module_new, METH_VARARGS, "module_new(kind, config_json) -> ModuleHandle"},
    {"module_get_option", py_module_get_option, METH_VARARGS, "module_get_option(m, name or None) -> JSON text"},
    {"module_set_option", py_module_set_option, METH_VARARGS, "module_set_option(m, name, value_json)"},
    {"module_reset", py_module_reset, METH_VARARGS, "module_reset(m, 'parameters' or 'running_stats')"},
    {"model_new", py_model_new, METH_VARARGS, "model_new(name, config_json) -> ModuleHandle"},
    {"module_repr", py_module_repr, METH_VARARGS, "module_repr(m) -> str"},
    {"module_forward", py_module_forward, METH_VARARGS, "module_forward(m, x) -> TensorHandle"},
    {"module_set_training", py_module_set_training, METH_VARARGS, "module_set_training(m, flag)"},
    {"module_is_training", py_module_is_training, METH_VARARGS, "module_is_training(m) -> bool"},
    {"module_state", py_module_state, METH_VARARGS, "module_state(m) -> [(name, kind, TensorHandle)]"},
    {"module_set_parameter", py_module_set_parameter, METH_VARARGS, "module_set_parameter(m, name, t)"},
    {NULL, NULL, 0, NULL},
};

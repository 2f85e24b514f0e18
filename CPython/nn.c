/*
 * Module calls the op table (group "modules") cannot describe: the state-dict
 * entries, the child modules (a zoo model's tree, wrapped by swiftnn/nn/engine_tree.py)
 * and the fan sizes of a weight shape.
 */
#include "swiftnn_ext.h"

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

/* Child `index`'s attribute name ("features", "0", "layer1"): its length first, then the text. */
static PyObject* child_name(swiftnn_module m, int64_t index) {
    int64_t length = 0;
    char* buf = NULL;
    int status;
    ENGINE(status, swiftnn_module_child(m, index, NULL, 0, &length, NULL));
    if (!status && (buf = text_buffer(length))) ENGINE(status, swiftnn_module_child(m, index, buf, length + 1, NULL, NULL));
    return text_result(status, buf);
}

/* One child as (name, ModuleHandle): the engine's own module, not a copy. */
static PyObject* child_entry(swiftnn_module m, int64_t index) {
    swiftnn_module child = NULL;
    int status;
    ENGINE(status, swiftnn_module_child(m, index, NULL, 0, NULL, &child));
    if (status) return raise_status(status);
    PyObject* handle = wrap_module(child);
    if (!handle) return NULL;
    PyObject* name = child_name(m, index);
    if (!name) {
        Py_DECREF(handle);
        return NULL;
    }
    return Py_BuildValue("(NN)", name, handle);
}

/* [entry(m, 0), ..., entry(m, count - 1)] for the module argument of `args`. */
static PyObject* module_entries(PyObject* args, const char* format, int (*count_of)(swiftnn_module, int64_t*),
                                PyObject* (*entry)(swiftnn_module, int64_t)) {
    swiftnn_module m;
    if (!PyArg_ParseTuple(args, format, module_arg, &m)) return NULL;
    int64_t count = 0;
    int status;
    ENGINE(status, count_of(m, &count));
    if (status) return raise_status(status);
    PyObject* list = PyList_New(0);
    if (!list) return NULL;
    for (int64_t i = 0; i < count; i++) {
        PyObject* item = entry(m, i);
        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

static PyObject* py_module_state(PyObject* self, PyObject* args) {
    return module_entries(args, "O&:module_state", swiftnn_module_state_count, state_entry);
}

static PyObject* py_module_children(PyObject* self, PyObject* args) {
    return module_entries(args, "O&:module_children", swiftnn_module_child_count, child_entry);
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
    {"init_fans", py_init_fans, METH_VARARGS, "init_fans(shape) -> (fan_in, fan_out)"},
    {"module_state", py_module_state, METH_VARARGS, "module_state(m) -> [(name, kind, TensorHandle)]"},
    {"module_children", py_module_children, METH_VARARGS, "module_children(m) -> [(name, ModuleHandle)]"},
    {NULL, NULL, 0, NULL},
};

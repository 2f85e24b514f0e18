/*
 * Module calls the op table (group "modules") cannot describe: the state-dict
 * entries and the fan sizes of a weight shape.
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
    {NULL, NULL, 0, NULL},
};

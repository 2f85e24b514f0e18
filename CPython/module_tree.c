/*
 * A module's direct children as (name, ModuleHandle): the live engine modules
 * inside a zoo model or an engine Sequential, which the Python package wraps in the
 * nn classes of their kinds (swiftnn/nn/engine_tree.py).
 */
#include "swiftnn_ext.h"

/* Child `index`'s attribute name: its length first, then the text. */
static PyObject* child_name(swiftnn_module m, int64_t index) {
    int64_t length = 0;
    char* buf = NULL;
    int status;
    ENGINE(status, swiftnn_module_child(m, index, NULL, 0, &length, NULL));
    if (!status && (buf = text_buffer(length))) ENGINE(status, swiftnn_module_child(m, index, buf, length + 1, NULL, NULL));
    return text_result(status, buf);
}

/* One child as (name, ModuleHandle). */
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

static PyObject* py_module_children(PyObject* self, PyObject* args) {
    swiftnn_module m;
    if (!PyArg_ParseTuple(args, "O&:module_children", module_arg, &m)) return NULL;
    int64_t count = 0;
    int status;
    ENGINE(status, swiftnn_module_child_count(m, &count));
    if (status) return raise_status(status);
    PyObject* list = PyList_New(0);
    if (!list) return NULL;
    for (int64_t i = 0; i < count; i++) {
        PyObject* entry = child_entry(m, i);
        if (!entry || PyList_Append(list, entry) < 0) {
            Py_XDECREF(entry);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(entry);
    }
    return list;
}

PyMethodDef module_tree_methods[] = {
    {"module_children", py_module_children, METH_VARARGS, "module_children(m) -> [(name, ModuleHandle)]"},
    {NULL, NULL, 0, NULL},
};

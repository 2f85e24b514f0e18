/*
 * A module's direct children as (name, kind, ModuleHandle): the live engine modules
 * inside a zoo model or an engine Sequential, which the Python package wraps in the
 * nn classes of their kinds (swiftnn/nn/engine_tree.py).
 */
#include "swiftnn_ext.h"

/* Which child's name engine_text should fetch. */
typedef struct { swiftnn_module parent; int64_t index; } ChildRef;

static int child_name_text(void* ref, const char* unused, char* buf, int64_t capacity, int64_t* length) {
    (void)unused;
    const ChildRef* child = ref;
    return swiftnn_module_child(child->parent, child->index, buf, capacity, length, NULL);
}

static int type_name_text(void* m, const char* unused, char* buf, int64_t capacity, int64_t* length) {
    (void)unused;
    return swiftnn_module_type_name(m, buf, capacity, length);
}

/* One child as (name, kind, ModuleHandle). */
static PyObject* child_entry(swiftnn_module m, int64_t index) {
    swiftnn_module child = NULL;
    int status;
    ENGINE(status, swiftnn_module_child(m, index, NULL, 0, NULL, &child));
    if (status) return raise_status(status);
    PyObject* handle = wrap_module(child);
    if (!handle) return NULL;
    ChildRef ref = {m, index};
    PyObject* name = engine_text(&ref, NULL, child_name_text);
    PyObject* kind = name ? engine_text(child, NULL, type_name_text) : NULL;
    if (!kind) {
        Py_XDECREF(name);
        Py_DECREF(handle);
        return NULL;
    }
    return Py_BuildValue("(NNN)", name, kind, handle);
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
    {"module_children", py_module_children, METH_VARARGS, "module_children(m) -> [(name, kind, ModuleHandle)]"},
    {NULL, NULL, 0, NULL},
};

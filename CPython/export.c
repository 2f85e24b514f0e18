/*
 * swiftnn._C: the op-level trace behind swiftnn.onnx (see swiftnn_op_trace_* in swiftnn.h).
 */
#include "swiftnn_ext.h"

static PyObject* py_op_trace_begin(PyObject* self, PyObject* noargs) {
    int status;
    ENGINE(status, swiftnn_op_trace_begin());
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

/* op_trace_end() -> json */
static PyObject* py_op_trace_end(PyObject* self, PyObject* noargs) {
    const char* json = NULL;
    int status;
    ENGINE(status, swiftnn_op_trace_end(&json));
    if (status) return raise_status(status);
    return PyUnicode_DecodeUTF8(json, (Py_ssize_t)strlen(json), "replace");
}

/* op_trace_id(tensor) -> int (-1 when the trace never met it) */
static PyObject* py_op_trace_id(PyObject* self, PyObject* args) {
    swiftnn_tensor x;
    if (!PyArg_ParseTuple(args, "O&:op_trace_id", tensor_arg, &x)) return NULL;
    int64_t id = -1;
    int status;
    ENGINE(status, swiftnn_op_trace_id(x, &id));
    if (status) return raise_status(status);
    return PyLong_FromLongLong((long long)id);
}

/* op_trace_value(id) -> TensorHandle */
static PyObject* py_op_trace_value(PyObject* self, PyObject* args) {
    long long id;
    if (!PyArg_ParseTuple(args, "L:op_trace_value", &id)) return NULL;
    swiftnn_tensor out = NULL;
    int status;
    ENGINE(status, swiftnn_op_trace_value((int64_t)id, &out));
    if (status) return raise_status(status);
    return wrap_tensor(out);
}

static PyObject* py_op_trace_clear(PyObject* self, PyObject* noargs) {
    int status;
    ENGINE(status, swiftnn_op_trace_clear());
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

PyMethodDef export_methods[] = {
    {"op_trace_begin", py_op_trace_begin, METH_NOARGS, "op_trace_begin(): record ops on this thread"},
    {"op_trace_end", py_op_trace_end, METH_NOARGS, "op_trace_end() -> json"},
    {"op_trace_id", py_op_trace_id, METH_VARARGS, "op_trace_id(tensor) -> int"},
    {"op_trace_value", py_op_trace_value, METH_VARARGS, "op_trace_value(id) -> TensorHandle"},
    {"op_trace_clear", py_op_trace_clear, METH_NOARGS, "op_trace_clear(): drop the finished trace"},
    {NULL, NULL, 0, NULL},
};

/*
 * swiftnn._C: the traced forward behind swiftnn.summary.
 */
#include "swiftnn_ext.h"

/* module_trace(m, x) -> (TensorHandle, rows_json): m(x) and one row per leaf module call. */
static PyObject* py_module_trace(PyObject* self, PyObject* args) {
    swiftnn_module m;
    swiftnn_tensor x, out = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:module_trace", module_arg, &m, tensor_arg, &x)) return NULL;
    const char* rows = NULL;
    int status;
    ENGINE(status, swiftnn_module_trace(m, x, &out, &rows));
    if (status) return raise_status(status);
    /* rows lives in this thread's slot, which only the next trace call on this thread rewrites. */
    PyObject* text = PyUnicode_DecodeUTF8(rows, (Py_ssize_t)strlen(rows), "replace");
    PyObject* tensor = wrap_tensor(out);
    if (!text || !tensor) {
        Py_XDECREF(text);
        Py_XDECREF(tensor);
        return NULL;
    }
    return Py_BuildValue("(NN)", tensor, text);
}

PyMethodDef summary_methods[] = {
    {"module_trace", py_module_trace, METH_VARARGS, "module_trace(m, x) -> (TensorHandle, rows_json)"},
    {NULL, NULL, 0, NULL},
};

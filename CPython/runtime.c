/*
 * The profiler's entries (a string result, which the op table does not
 * describe); turning it on and off, and the thread count, are generated.
 */
#include "swiftnn_ext.h"

static PyObject* py_profiler_entries(PyObject* self, PyObject* unused) {
    int64_t length = 0;
    int status;
    ENGINE(status, swiftnn_profiler_entries(NULL, 0, &length));
    if (status) return raise_status(status);
    char* buffer = PyMem_Malloc((size_t)length + 1);
    if (!buffer) return PyErr_NoMemory();
    ENGINE(status, swiftnn_profiler_entries(buffer, length + 1, NULL));
    PyObject* text = status ? raise_status(status) : PyUnicode_FromString(buffer);
    PyMem_Free(buffer);
    return text;
}

PyMethodDef runtime_methods[] = {
    {"profiler_entries", py_profiler_entries, METH_NOARGS, "profiler_entries() -> JSON text"},
    {NULL, NULL, 0, NULL},
};

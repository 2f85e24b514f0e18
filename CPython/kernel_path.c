/*
 * The CPU and the kernel instruction-set path, for swiftnn.config().
 */
#include "swiftnn_ext.h"

static PyObject* py_kernel_path_info(PyObject* self, PyObject* unused) {
    return Py_BuildValue("{s:s,s:s,s:s}", "cpu", swiftnn_cpu_model_name(), "isa", swiftnn_kernel_isa(),
                         "supported_isas", swiftnn_supported_kernel_isas());
}

static PyObject* py_set_kernel_isa(PyObject* self, PyObject* args) {
    const char* name;
    int status;
    if (!PyArg_ParseTuple(args, "s:set_kernel_isa", &name)) return NULL;
    ENGINE(status, swiftnn_set_kernel_isa(name));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

PyMethodDef kernel_path_methods[] = {
    {"kernel_path_info", py_kernel_path_info, METH_NOARGS, NULL},
    {"set_kernel_isa", py_set_kernel_isa, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

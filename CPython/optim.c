/*
 * Optimizer and scheduler calls the op table (group "optim") cannot describe:
 * the list of state entries, and scheduler_step's (has_epoch, epoch) pair.
 */
#include "swiftnn_ext.h"

static PyObject* py_optimizer_state(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    if (!PyArg_ParseTuple(args, "O&:optimizer_state", optimizer_arg, &o)) return NULL;
    int64_t count = 0;
    int status;
    ENGINE(status, swiftnn_optimizer_state_count(o, &count));
    if (status) return raise_status(status);
    PyObject* list = PyList_New(0);
    for (int64_t i = 0; list && i < count; i++) {
        char name[64];
        int64_t index = 0, length = 0;
        swiftnn_tensor t = NULL;
        ENGINE(status, swiftnn_optimizer_state_entry(o, i, &index, name, sizeof name, &length, &t));
        PyObject* entry = status ? raise_status(status) : Py_BuildValue("(LsN)", (long long)index, name,
                                                                           wrap_tensor(t));
        if (!entry || PyList_Append(list, entry) < 0) Py_CLEAR(list);
        Py_XDECREF(entry);
    }
    return list;
}

static PyObject* py_scheduler_step(PyObject* self, PyObject* args) {
    swiftnn_scheduler s;
    PyObject* epoch_obj = Py_None;
    int64_t epoch = 0;
    int status;
    if (!PyArg_ParseTuple(args, "O&|O:scheduler_step", scheduler_arg, &s, &epoch_obj)) return NULL;
    if (epoch_obj != Py_None && !int64_arg(epoch_obj, &epoch)) return NULL;
    ENGINE(status, swiftnn_scheduler_step(s, epoch_obj != Py_None, epoch));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

PyMethodDef optim_methods[] = {
    {"optimizer_state", py_optimizer_state, METH_VARARGS, "optimizer_state(o) -> [(index, name, TensorHandle)]"},
    {"scheduler_step", py_scheduler_step, METH_VARARGS, "scheduler_step(s, epoch=None)"},
    {NULL, NULL, 0, NULL},
};

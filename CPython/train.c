/*
 * Whole training and evaluation epochs in the engine, with the GIL released.
 * After each batch the engine calls batch_hook, which takes the GIL back to call
 * the Python callback (if any) and to check for Ctrl-C; an exception there stops
 * the epoch and is re-raised once the engine has returned.
 */
#include "swiftnn_ext.h"

typedef struct {
    PyObject* fn; /* callable(batch, batches, size, loss, correct) or NULL */
    PyObject *type, *value, *traceback; /* the exception that stopped the run */
} Hook;

static int batch_hook(void* context, int64_t batch, int64_t batches, int64_t size, double loss, int64_t correct) {
    Hook* hook = context;
    PyGILState_STATE gil = PyGILState_Ensure();
    int stop = 0;
    if (hook->fn) {
        PyObject* r = PyObject_CallFunction(hook->fn, "LLLdL", (long long)batch, (long long)batches, (long long)size,
                                            loss, (long long)correct);
        if (r) Py_DECREF(r);
        else stop = 1;
    }
    if (!stop && PyErr_CheckSignals() < 0) stop = 1;
    if (stop) PyErr_Fetch(&hook->type, &hook->value, &hook->traceback);
    PyGILState_Release(gil);
    return stop;
}

/* After an engine run: the callback's exception first, then the engine's status. */
static int finish(Hook* hook, int status) {
    if (hook->type) {
        PyErr_Restore(hook->type, hook->value, hook->traceback);
        return -1;
    }
    if (status) {
        raise_status(status);
        return -1;
    }
    return 0;
}

static int hook_arg(PyObject* obj, Hook* hook) {
    memset(hook, 0, sizeof *hook);
    if (obj == Py_None) return 1;
    if (!PyCallable_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
        return 0;
    }
    hook->fn = obj;
    return 1;
}

static swiftnn_loader loader_handle(PyObject* obj) {
    swiftnn_loader l = NULL;
    return loader_arg(obj, &l) ? l : NULL;
}

/* train_epoch(module, loader, [optimizers], max_grad_norm, label_smoothing, callback) -> (loss, correct, total) */
static PyObject* py_train_epoch(PyObject* self, PyObject* args) {
    swiftnn_module model;
    PyObject *loader_obj, *optimizer_list, *callback;
    double max_norm;
    float smoothing;
    if (!PyArg_ParseTuple(args, "O&OO!dfO:train_epoch", module_arg, &model, &loader_obj, &PyList_Type, &optimizer_list,
                          &max_norm, &smoothing, &callback))
        return NULL;
    swiftnn_loader loader = loader_handle(loader_obj);
    Hook hook;
    if (!loader || !hook_arg(callback, &hook)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(optimizer_list);
    swiftnn_optimizer* optimizers = PyMem_Calloc(n ? n : 1, sizeof *optimizers);
    if (!optimizers) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!optimizer_arg(PyList_GET_ITEM(optimizer_list, i), &optimizers[i])) {
            PyMem_Free(optimizers);
            return NULL;
        }
    }
    /* The list and its handles must outlive the run: hold them while the GIL is released. */
    Py_INCREF(optimizer_list);
    double loss = 0;
    int64_t correct = 0, total = 0;
    int status;
    ENGINE(status, swiftnn_train_epoch(model, loader, optimizers, n, max_norm, smoothing, batch_hook, &hook, &loss,
                                       &correct, &total));
    Py_DECREF(optimizer_list);
    PyMem_Free(optimizers);
    if (finish(&hook, status) < 0) return NULL;
    return Py_BuildValue("dLL", loss, (long long)correct, (long long)total);
}

/* evaluate(module, loader, label_smoothing, num_classes, callback) -> (loss, correct, total, confusion or None) */
static PyObject* py_evaluate(PyObject* self, PyObject* args) {
    swiftnn_module model;
    PyObject *loader_obj, *callback;
    float smoothing;
    long long classes;
    if (!PyArg_ParseTuple(args, "O&OfLO:evaluate", module_arg, &model, &loader_obj, &smoothing, &classes, &callback))
        return NULL;
    swiftnn_loader loader = loader_handle(loader_obj);
    Hook hook;
    if (!loader || !hook_arg(callback, &hook)) return NULL;
    if (classes < 0 || classes > 65536) {
        PyErr_Format(PyExc_ValueError, "num_classes must be between 0 and 65536, got %lld", classes);
        return NULL;
    }
    PyArrayObject* confusion = NULL;
    if (classes > 0) {
        npy_intp dims[2] = {(npy_intp)classes, (npy_intp)classes};
        confusion = (PyArrayObject*)PyArray_ZEROS(2, dims, NPY_INT64, 0);
        if (!confusion) return NULL;
    }
    double loss = 0;
    int64_t correct = 0, total = 0;
    int64_t* counts = confusion ? PyArray_DATA(confusion) : NULL;
    int status;
    ENGINE(status, swiftnn_evaluate(model, loader, smoothing, classes, counts, batch_hook, &hook, &loss, &correct, &total));
    if (finish(&hook, status) < 0) {
        Py_XDECREF(confusion);
        return NULL;
    }
    if (!confusion) {
        Py_INCREF(Py_None);
        confusion = (PyArrayObject*)Py_None;
    }
    return Py_BuildValue("dLLN", loss, (long long)correct, (long long)total, (PyObject*)confusion);
}

PyMethodDef train_methods[] = {
    {"train_epoch", py_train_epoch, METH_VARARGS,
     "train_epoch(module, loader, optimizers, max_grad_norm, label_smoothing, callback) -> (loss, correct, total)"},
    {"evaluate", py_evaluate, METH_VARARGS,
     "evaluate(module, loader, label_smoothing, num_classes, callback) -> (loss, correct, total, confusion)"},
    {NULL, NULL, 0, NULL},
};

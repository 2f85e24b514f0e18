/*
 * Optimizers and learning-rate schedulers (one constructor per kind, settings by
 * name), optimizer state and clip_grad_norm.
 */
#include "swiftnn_ext.h"

/* A sequence of handle objects as a C array. *keep (a tuple) holds the Python
 * objects, and so their engine objects, alive while the GIL is released. */
typedef struct {
    PyObject* keep;
    void** items;
    Py_ssize_t count;
} HandleArray;

static void handle_array_free(HandleArray* array) {
    PyMem_Free(array->items);
    Py_XDECREF(array->keep);
}

/* "O&" converter; with a NULL object it releases what an earlier call took (Py_CLEANUP_SUPPORTED). */
static int handle_array(PyObject* obj, void* out, int (*convert)(PyObject*, void*)) {
    HandleArray* array = out;
    if (!obj) {
        handle_array_free(array);
        return 1;
    }
    array->keep = PySequence_Tuple(obj);
    if (!array->keep) return 0;
    array->count = PyTuple_GET_SIZE(array->keep);
    array->items = PyMem_Calloc(array->count > 0 ? (size_t)array->count : 1, sizeof(void*));
    if (!array->items) {
        Py_CLEAR(array->keep);
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < array->count; i++) {
        if (!convert(PyTuple_GET_ITEM(array->keep, i), &array->items[i])) {
            handle_array_free(array);
            return 0;
        }
    }
    return Py_CLEANUP_SUPPORTED;
}

static int tensor_array(PyObject* obj, void* out) { return handle_array(obj, out, tensor_arg); }
static int optimizer_array(PyObject* obj, void* out) { return handle_array(obj, out, optimizer_arg); }

#define HANDLE_RESULT(status, wrap, out) ((status) ? raise_status(status) : wrap(out))

/* ---- optimizers ------------------------------------------------------------ */

/* optimizer_new(kind, [TensorHandle], config_json) -> OptimizerHandle. */
static PyObject* py_optimizer_new(PyObject* self, PyObject* args) {
    const char *kind, *config;
    HandleArray params = {0};
    if (!PyArg_ParseTuple(args, "sO&s:optimizer_new", &kind, tensor_array, &params, &config)) return NULL;
    swiftnn_optimizer out = NULL;
    int status;
    ENGINE(status, swiftnn_optimizer_new(kind, (const swiftnn_tensor*)params.items, params.count, config, &out));
    handle_array_free(&params);
    return HANDLE_RESULT(status, wrap_optimizer, out);
}

static int optimizer_option_text(void* o, const char* name, char* buf, int64_t capacity, int64_t* length) {
    return swiftnn_optimizer_get_option(o, name, buf, capacity, length);
}

static PyObject* py_optimizer_get_option(PyObject* self, PyObject* args) {
    return get_option(args, "O&z:optimizer_get_option", optimizer_arg, optimizer_option_text);
}

static PyObject* py_optimizer_set_option(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    const char *name, *value;
    if (!PyArg_ParseTuple(args, "O&ss:optimizer_set_option", optimizer_arg, &o, &name, &value)) return NULL;
    int status;
    ENGINE(status, swiftnn_optimizer_set_option(o, name, value));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* optimizer_call(PyObject* args, const char* format, int (*fn)(swiftnn_optimizer)) {
    swiftnn_optimizer o;
    if (!PyArg_ParseTuple(args, format, optimizer_arg, &o)) return NULL;
    int status;
    ENGINE(status, fn(o));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_optimizer_step(PyObject* self, PyObject* args) {
    return optimizer_call(args, "O&:optimizer_step", swiftnn_optimizer_step);
}

static PyObject* py_optimizer_zero_grad(PyObject* self, PyObject* args) {
    return optimizer_call(args, "O&:optimizer_zero_grad", swiftnn_optimizer_zero_grad);
}

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

static PyObject* py_optimizer_load_state(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    int64_t index;
    const char* name;
    swiftnn_tensor t;
    int status;
    if (!PyArg_ParseTuple(args, "O&O&sO&:optimizer_load_state", optimizer_arg, &o, int64_arg, &index, &name,
                          tensor_arg, &t))
        return NULL;
    ENGINE(status, swiftnn_optimizer_load_state(o, index, name, t));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_optimizer_clear_state(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    int status;
    if (!PyArg_ParseTuple(args, "O&:optimizer_clear_state", optimizer_arg, &o)) return NULL;
    ENGINE(status, swiftnn_optimizer_clear_state(o));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_clip_grad_norm(PyObject* self, PyObject* args) {
    HandleArray params = {0};
    double max_norm, norm_type;
    int error_if_nonfinite, status;
    if (!PyArg_ParseTuple(args, "O&ddp:clip_grad_norm", tensor_array, &params, &max_norm, &norm_type,
                          &error_if_nonfinite))
        return NULL;
    swiftnn_tensor out = NULL;
    ENGINE(status, swiftnn_clip_grad_norm((const swiftnn_tensor*)params.items, params.count, max_norm, norm_type,
                                          error_if_nonfinite, &out));
    handle_array_free(&params);
    return HANDLE_RESULT(status, wrap_tensor, out);
}

/* ---- schedulers ------------------------------------------------------------- */

/* scheduler_new(kind, [OptimizerHandle], config_json) -> SchedulerHandle. */
static PyObject* py_scheduler_new(PyObject* self, PyObject* args) {
    const char *kind, *config;
    HandleArray groups = {0};
    if (!PyArg_ParseTuple(args, "sO&s:scheduler_new", &kind, optimizer_array, &groups, &config)) return NULL;
    swiftnn_scheduler out = NULL;
    int status;
    ENGINE(status, swiftnn_scheduler_new(kind, (const swiftnn_optimizer*)groups.items, groups.count, config, &out));
    handle_array_free(&groups);
    return HANDLE_RESULT(status, wrap_scheduler, out);
}

static int scheduler_option_text(void* s, const char* name, char* buf, int64_t capacity, int64_t* length) {
    return swiftnn_scheduler_get_option(s, name, buf, capacity, length);
}

static PyObject* py_scheduler_get_option(PyObject* self, PyObject* args) {
    return get_option(args, "O&z:scheduler_get_option", scheduler_arg, scheduler_option_text);
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

static PyObject* scheduler_lrs(PyObject* args, const char* format, int (*fn)(swiftnn_scheduler, double*, int64_t)) {
    swiftnn_scheduler s;
    Py_ssize_t groups;
    int status;
    if (!PyArg_ParseTuple(args, format, scheduler_arg, &s, &groups)) return NULL;
    if (groups < 0) return PyErr_Format(PyExc_ValueError, "invalid group count %zd", groups);
    double* values = PyMem_Calloc(groups > 0 ? (size_t)groups : 1, sizeof(double));
    if (!values) return PyErr_NoMemory();
    ENGINE(status, fn(s, values, groups));
    PyObject* list = status ? raise_status(status) : PyList_New(groups);
    for (Py_ssize_t i = 0; !status && list && i < groups; i++) {
        PyObject* value = PyFloat_FromDouble(values[i]);
        if (!value) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, value);
    }
    PyMem_Free(values);
    return list;
}

static PyObject* py_scheduler_get_lr(PyObject* self, PyObject* args) {
    return scheduler_lrs(args, "O&n:scheduler_get_lr", swiftnn_scheduler_get_lr);
}

static PyObject* py_scheduler_set_state(PyObject* self, PyObject* args) {
    swiftnn_scheduler s;
    const char* state;
    if (!PyArg_ParseTuple(args, "O&s:scheduler_set_state", scheduler_arg, &s, &state)) return NULL;
    int status;
    ENGINE(status, swiftnn_scheduler_set_state(s, state));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

PyMethodDef optim_methods[] = {
    {"optimizer_new", py_optimizer_new, METH_VARARGS, "optimizer_new(kind, [TensorHandle], config_json) -> OptimizerHandle"},
    {"optimizer_get_option", py_optimizer_get_option, METH_VARARGS, "optimizer_get_option(o, name or None) -> JSON text"},
    {"optimizer_set_option", py_optimizer_set_option, METH_VARARGS, "optimizer_set_option(o, name, value_json)"},
    {"optimizer_step", py_optimizer_step, METH_VARARGS, "optimizer_step(o)"},
    {"optimizer_zero_grad", py_optimizer_zero_grad, METH_VARARGS, "optimizer_zero_grad(o)"},
    {"scheduler_new", py_scheduler_new, METH_VARARGS, "scheduler_new(kind, [OptimizerHandle], config_json) -> SchedulerHandle"},
    {"optimizer_state", py_optimizer_state, METH_VARARGS, "optimizer_state(o) -> [(index, name, TensorHandle)]"},
    {"optimizer_load_state", py_optimizer_load_state, METH_VARARGS, "optimizer_load_state(o, index, name, t)"},
    {"optimizer_clear_state", py_optimizer_clear_state, METH_VARARGS, "optimizer_clear_state(o)"},
    {"clip_grad_norm", py_clip_grad_norm, METH_VARARGS,
     "clip_grad_norm([TensorHandle], max_norm, norm_type, error_if_nonfinite) -> TensorHandle"},
    {"scheduler_get_option", py_scheduler_get_option, METH_VARARGS, "scheduler_get_option(s, name or None) -> JSON text"},
    {"scheduler_step", py_scheduler_step, METH_VARARGS, "scheduler_step(s, epoch=None)"},
    {"scheduler_get_lr", py_scheduler_get_lr, METH_VARARGS, "scheduler_get_lr(s, groups) -> [float]"},
    {"scheduler_set_state", py_scheduler_set_state, METH_VARARGS,
     "scheduler_set_state(s, state_json)"},
    {NULL, NULL, 0, NULL},
};

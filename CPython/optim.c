/*
 * Optimizers beyond SGD (Adam, AdamW, RMSprop, Adagrad), named hyperparameters,
 * optimizer state, clip_grad_norm, and the learning-rate schedulers.
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

/* A sequence of floats as a C array (None gives a NULL array). */
typedef struct {
    double* values;
    Py_ssize_t count;
} DoubleArray;

static int double_array(PyObject* obj, void* out) {
    DoubleArray* array = out;
    if (!obj) {
        PyMem_Free(array->values);
        return 1;
    }
    array->values = NULL;
    array->count = 0;
    if (obj == Py_None) return Py_CLEANUP_SUPPORTED;
    PyObject* seq = PySequence_Fast(obj, "expected a sequence of floats");
    if (!seq) return 0;
    array->count = PySequence_Fast_GET_SIZE(seq);
    array->values = PyMem_Calloc(array->count > 0 ? (size_t)array->count : 1, sizeof(double));
    if (!array->values) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < array->count; i++) {
        array->values[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
        if (array->values[i] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(seq);
            PyMem_Free(array->values);
            array->values = NULL;
            return 0;
        }
    }
    Py_DECREF(seq);
    return Py_CLEANUP_SUPPORTED;
}

/* Fails unless the per-group list has one value per group. */
static int check_count(const DoubleArray* values, Py_ssize_t groups, const char* name) {
    if (values->values && values->count != groups) {
        PyErr_Format(PyExc_ValueError, "expected %zd values for %s, got %zd", groups, name, values->count);
        return 0;
    }
    return 1;
}

#define HANDLE_RESULT(status, wrap, out) ((status) ? raise_status(status) : wrap(out))

/* ---- optimizers ------------------------------------------------------------ */

static PyObject* adam_like(PyObject* args, const char* format,
                           int (*make)(const swiftnn_tensor*, int64_t, double, double, double, double, double, int,
                                       swiftnn_optimizer*)) {
    HandleArray params = {0};
    double lr, beta1, beta2, eps, weight_decay;
    int amsgrad, status;
    if (!PyArg_ParseTuple(args, format, tensor_array, &params, &lr, &beta1, &beta2, &eps, &weight_decay, &amsgrad))
        return NULL;
    swiftnn_optimizer out = NULL;
    ENGINE(status, make((const swiftnn_tensor*)params.items, params.count, lr, beta1, beta2, eps, weight_decay,
                        amsgrad, &out));
    handle_array_free(&params);
    return HANDLE_RESULT(status, wrap_optimizer, out);
}

static PyObject* py_adam_new(PyObject* self, PyObject* args) {
    return adam_like(args, "O&dddddp:adam_new", swiftnn_adam_new);
}

static PyObject* py_adamw_new(PyObject* self, PyObject* args) {
    return adam_like(args, "O&dddddp:adamw_new", swiftnn_adamw_new);
}

static PyObject* py_rmsprop_new(PyObject* self, PyObject* args) {
    HandleArray params = {0};
    double lr, alpha, eps, weight_decay, momentum;
    int centered, status;
    if (!PyArg_ParseTuple(args, "O&dddddp:rmsprop_new", tensor_array, &params, &lr, &alpha, &eps, &weight_decay,
                          &momentum, &centered))
        return NULL;
    swiftnn_optimizer out = NULL;
    ENGINE(status, swiftnn_rmsprop_new((const swiftnn_tensor*)params.items, params.count, lr, alpha, eps,
                                       weight_decay, momentum, centered, &out));
    handle_array_free(&params);
    return HANDLE_RESULT(status, wrap_optimizer, out);
}

static PyObject* py_adagrad_new(PyObject* self, PyObject* args) {
    HandleArray params = {0};
    double lr, lr_decay, weight_decay, initial, eps;
    int status;
    if (!PyArg_ParseTuple(args, "O&ddddd:adagrad_new", tensor_array, &params, &lr, &lr_decay, &weight_decay,
                          &initial, &eps))
        return NULL;
    swiftnn_optimizer out = NULL;
    ENGINE(status, swiftnn_adagrad_new((const swiftnn_tensor*)params.items, params.count, lr, lr_decay,
                                       weight_decay, initial, eps, &out));
    handle_array_free(&params);
    return HANDLE_RESULT(status, wrap_optimizer, out);
}

static PyObject* py_optimizer_set_hyper(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    const char* name;
    double value;
    int status;
    if (!PyArg_ParseTuple(args, "O&sd:optimizer_set_hyper", optimizer_arg, &o, &name, &value)) return NULL;
    ENGINE(status, swiftnn_optimizer_set_hyper(o, name, value));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_optimizer_get_hyper(PyObject* self, PyObject* args) {
    swiftnn_optimizer o;
    const char* name;
    double value = 0;
    int status;
    if (!PyArg_ParseTuple(args, "O&s:optimizer_get_hyper", optimizer_arg, &o, &name)) return NULL;
    ENGINE(status, swiftnn_optimizer_get_hyper(o, name, &value));
    if (status) return raise_status(status);
    return PyFloat_FromDouble(value);
}

/* [(param_index, name, TensorHandle)] in the engine's order. */
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

/* Checks that base_lrs (if given) has one value per group; on failure frees both arrays. */
static int base_ok(HandleArray* groups, DoubleArray* base) {
    if (check_count(base, groups->count, "base_lrs")) return 1;
    handle_array_free(groups);
    PyMem_Free(base->values);
    return 0;
}

/* The common tail of every scheduler constructor: frees the arrays, wraps the result. */
static PyObject* scheduler_result(int status, swiftnn_scheduler out, HandleArray* groups, DoubleArray* base) {
    handle_array_free(groups);
    PyMem_Free(base->values);
    return HANDLE_RESULT(status, wrap_scheduler, out);
}

/* StepLR(step_size, gamma) and CosineAnnealingLR(T_max, eta_min) take an int and a float. */
static PyObject* int_float_scheduler(PyObject* args, const char* format,
                                     int (*make)(const swiftnn_optimizer*, int64_t, int64_t, double, int64_t,
                                                 const double*, swiftnn_scheduler*)) {
    HandleArray groups = {0};
    DoubleArray base = {0};
    int64_t count_arg, last_epoch;
    double value;
    int status;
    swiftnn_scheduler out = NULL;
    if (!PyArg_ParseTuple(args, format, optimizer_array, &groups, int64_arg, &count_arg, &value, int64_arg,
                          &last_epoch, double_array, &base))
        return NULL;
    if (!base_ok(&groups, &base)) return NULL;
    ENGINE(status, make((const swiftnn_optimizer*)groups.items, groups.count, count_arg, value, last_epoch,
                        base.values, &out));
    return scheduler_result(status, out, &groups, &base);
}

static PyObject* py_step_lr_new(PyObject* self, PyObject* args) {
    return int_float_scheduler(args, "O&O&dO&O&:step_lr_new", swiftnn_step_lr_new);
}

static PyObject* py_multistep_lr_new(PyObject* self, PyObject* args) {
    HandleArray groups = {0};
    DoubleArray base = {0};
    PyObject* milestones_obj;
    int64_t last_epoch;
    double gamma;
    int status;
    swiftnn_scheduler out = NULL;
    if (!PyArg_ParseTuple(args, "O&OdO&O&:multistep_lr_new", optimizer_array, &groups, &milestones_obj, &gamma,
                          int64_arg, &last_epoch, double_array, &base))
        return NULL;
    if (!base_ok(&groups, &base)) return NULL;
    PyArrayObject* milestones = int64_array(milestones_obj);
    if (!milestones) {
        handle_array_free(&groups);
        PyMem_Free(base.values);
        return NULL;
    }
    ENGINE(status, swiftnn_multistep_lr_new((const swiftnn_optimizer*)groups.items, groups.count,
                                            PyArray_DATA(milestones), PyArray_SIZE(milestones), gamma, last_epoch,
                                            base.values, &out));
    Py_DECREF(milestones);
    return scheduler_result(status, out, &groups, &base);
}

static PyObject* py_exponential_lr_new(PyObject* self, PyObject* args) {
    HandleArray groups = {0};
    DoubleArray base = {0};
    int64_t last_epoch;
    double gamma;
    int status;
    swiftnn_scheduler out = NULL;
    if (!PyArg_ParseTuple(args, "O&dO&O&:exponential_lr_new", optimizer_array, &groups, &gamma, int64_arg,
                          &last_epoch, double_array, &base))
        return NULL;
    if (!base_ok(&groups, &base)) return NULL;
    ENGINE(status, swiftnn_exponential_lr_new((const swiftnn_optimizer*)groups.items, groups.count, gamma,
                                              last_epoch, base.values, &out));
    return scheduler_result(status, out, &groups, &base);
}

static PyObject* py_cosine_annealing_lr_new(PyObject* self, PyObject* args) {
    return int_float_scheduler(args, "O&O&dO&O&:cosine_annealing_lr_new", swiftnn_cosine_annealing_lr_new);
}

static PyObject* py_one_cycle_lr_new(PyObject* self, PyObject* args) {
    HandleArray groups = {0};
    DoubleArray max_lrs = {0}, base_momentums = {0}, max_momentums = {0};
    int64_t total_steps, last_epoch;
    double pct_start, div_factor, final_div_factor;
    int linear, cycle_momentum, three_phase, status = -1;
    if (!PyArg_ParseTuple(args, "O&O&O&dppO&O&ddpO&:one_cycle_lr_new", optimizer_array, &groups, double_array,
                          &max_lrs, int64_arg, &total_steps, &pct_start, &linear, &cycle_momentum, double_array,
                          &base_momentums, double_array, &max_momentums, &div_factor, &final_div_factor,
                          &three_phase, int64_arg, &last_epoch))
        return NULL;
    swiftnn_scheduler out = NULL;
    if (check_count(&max_lrs, groups.count, "max_lr") && check_count(&base_momentums, groups.count, "base_momentum")
        && check_count(&max_momentums, groups.count, "max_momentum")) {
        ENGINE(status, swiftnn_one_cycle_lr_new((const swiftnn_optimizer*)groups.items, groups.count, max_lrs.values,
                                                total_steps, pct_start, linear, cycle_momentum,
                                                base_momentums.values, max_momentums.values, div_factor,
                                                final_div_factor, three_phase, last_epoch, &out));
    }
    handle_array_free(&groups);
    PyMem_Free(max_lrs.values);
    PyMem_Free(base_momentums.values);
    PyMem_Free(max_momentums.values);
    if (status == -1) return NULL;
    return HANDLE_RESULT(status, wrap_scheduler, out);
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

static PyObject* py_scheduler_last_epoch(PyObject* self, PyObject* args) {
    swiftnn_scheduler s;
    int64_t epoch = 0;
    int status;
    if (!PyArg_ParseTuple(args, "O&:scheduler_last_epoch", scheduler_arg, &s)) return NULL;
    ENGINE(status, swiftnn_scheduler_last_epoch(s, &epoch));
    if (status) return raise_status(status);
    return PyLong_FromLongLong((long long)epoch);
}

/* One float per group from `fn` (last_lr or get_lr). */
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

static PyObject* py_scheduler_last_lr(PyObject* self, PyObject* args) {
    return scheduler_lrs(args, "O&n:scheduler_last_lr", swiftnn_scheduler_last_lr);
}

static PyObject* py_scheduler_get_lr(PyObject* self, PyObject* args) {
    return scheduler_lrs(args, "O&n:scheduler_get_lr", swiftnn_scheduler_get_lr);
}

static PyObject* py_scheduler_set_state(PyObject* self, PyObject* args) {
    swiftnn_scheduler s;
    int64_t last_epoch, step_count;
    DoubleArray base = {0}, last = {0};
    int status;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:scheduler_set_state", scheduler_arg, &s, int64_arg, &last_epoch,
                          int64_arg, &step_count, double_array, &base, double_array, &last))
        return NULL;
    PyObject* result = NULL;
    if (!base.values || !last.values || base.count != last.count) {
        PyErr_SetString(PyExc_ValueError, "base_lrs and last_lr must be lists of the same length");
    } else {
        ENGINE(status, swiftnn_scheduler_set_state(s, last_epoch, step_count, base.values, last.values, base.count));
        result = status ? raise_status(status) : Py_NewRef(Py_None);
    }
    PyMem_Free(base.values);
    PyMem_Free(last.values);
    return result;
}

PyMethodDef optim_methods[] = {
    {"adam_new", py_adam_new, METH_VARARGS, "adam_new([TensorHandle], lr, beta1, beta2, eps, weight_decay, amsgrad)"},
    {"adamw_new", py_adamw_new, METH_VARARGS, "adamw_new([TensorHandle], lr, beta1, beta2, eps, weight_decay, amsgrad)"},
    {"rmsprop_new", py_rmsprop_new, METH_VARARGS,
     "rmsprop_new([TensorHandle], lr, alpha, eps, weight_decay, momentum, centered)"},
    {"adagrad_new", py_adagrad_new, METH_VARARGS,
     "adagrad_new([TensorHandle], lr, lr_decay, weight_decay, initial_accumulator_value, eps)"},
    {"optimizer_set_hyper", py_optimizer_set_hyper, METH_VARARGS, "optimizer_set_hyper(o, name, value)"},
    {"optimizer_get_hyper", py_optimizer_get_hyper, METH_VARARGS, "optimizer_get_hyper(o, name) -> float"},
    {"optimizer_state", py_optimizer_state, METH_VARARGS, "optimizer_state(o) -> [(index, name, TensorHandle)]"},
    {"optimizer_load_state", py_optimizer_load_state, METH_VARARGS, "optimizer_load_state(o, index, name, t)"},
    {"optimizer_clear_state", py_optimizer_clear_state, METH_VARARGS, "optimizer_clear_state(o)"},
    {"clip_grad_norm", py_clip_grad_norm, METH_VARARGS,
     "clip_grad_norm([TensorHandle], max_norm, norm_type, error_if_nonfinite) -> TensorHandle"},
    {"step_lr_new", py_step_lr_new, METH_VARARGS, "step_lr_new([OptimizerHandle], step_size, gamma, last_epoch, base_lrs)"},
    {"multistep_lr_new", py_multistep_lr_new, METH_VARARGS,
     "multistep_lr_new([OptimizerHandle], milestones, gamma, last_epoch, base_lrs)"},
    {"exponential_lr_new", py_exponential_lr_new, METH_VARARGS,
     "exponential_lr_new([OptimizerHandle], gamma, last_epoch, base_lrs)"},
    {"cosine_annealing_lr_new", py_cosine_annealing_lr_new, METH_VARARGS,
     "cosine_annealing_lr_new([OptimizerHandle], T_max, eta_min, last_epoch, base_lrs)"},
    {"one_cycle_lr_new", py_one_cycle_lr_new, METH_VARARGS,
     "one_cycle_lr_new([OptimizerHandle], max_lrs, total_steps, pct_start, linear, cycle_momentum, "
     "base_momentums, max_momentums, div_factor, final_div_factor, three_phase, last_epoch)"},
    {"scheduler_step", py_scheduler_step, METH_VARARGS, "scheduler_step(s, epoch=None)"},
    {"scheduler_last_epoch", py_scheduler_last_epoch, METH_VARARGS, "scheduler_last_epoch(s) -> int"},
    {"scheduler_last_lr", py_scheduler_last_lr, METH_VARARGS, "scheduler_last_lr(s, groups) -> [float]"},
    {"scheduler_get_lr", py_scheduler_get_lr, METH_VARARGS, "scheduler_get_lr(s, groups) -> [float]"},
    {"scheduler_set_state", py_scheduler_set_state, METH_VARARGS,
     "scheduler_set_state(s, last_epoch, step_count, base_lrs, last_lrs)"},
    {NULL, NULL, 0, NULL},
};

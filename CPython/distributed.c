/*
 * swiftnn.distributed in the extension: process groups whose collectives call MPI directly
 * (through function pointers the Python side takes from the MPI library mpi4py loaded), so
 * the engine runs SyncBatchNorm and gradient all-reduces inside forward and backward with
 * the GIL released; and the flat gradient buffer of DistributedDataParallel as a NumPy array
 * that aliases engine memory.
 */
#include "swiftnn_ext.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- MPI through function pointers ------------------------------------------------- */

/* Handles travel as pointer-sized values: Open MPI's handles are pointers; MPICH's are ints,
 * which the x86-64 and AArch64 calling conventions pass in the same registers. */
typedef int (*MPIAllreduce)(const void*, void*, int, void*, void*, void*);
typedef int (*MPIAllgather)(const void*, int, void*, void*, int, void*, void*);
typedef int (*MPIBcast)(void*, int, void*, int, void*);

typedef struct {
    MPIAllreduce allreduce;
    MPIAllgather allgather;
    MPIBcast bcast;
    void* comm;
    void* float_type;
    void* sum_op;
    void* in_place;
} MPIContext;

/* Called by the engine, without the GIL; never touches Python. Messages longer than INT_MAX
 * floats go in pieces (MPI counts are ints). */
static int mpi_collective(void* context, int kind, const float* send, float* buffer, int64_t count, int64_t root) {
    MPIContext* mpi = context;
    int64_t done = 0;
    switch (kind) {
        case SWIFTNN_ALL_REDUCE_SUM:
        case SWIFTNN_BROADCAST:
            while (done < count) {
                int piece = count - done > INT_MAX ? INT_MAX : (int)(count - done);
                int status = kind == SWIFTNN_ALL_REDUCE_SUM
                                 ? mpi->allreduce(mpi->in_place, buffer + done, piece, mpi->float_type, mpi->sum_op, mpi->comm)
                                 : mpi->bcast(buffer + done, piece, mpi->float_type, (int)root, mpi->comm);
                if (status != 0) return status;
                done += piece;
            }
            return 0;
        case SWIFTNN_ALL_GATHER:
            if (count > INT_MAX) return -1;
            return mpi->allgather(send, (int)count, mpi->float_type, buffer, (int)count, mpi->float_type, mpi->comm);
        default:
            return -1;
    }
}

static void release_context(void* context) { free(context); }

/* ---- handle types ------------------------------------------------------------------ */

typedef struct { PyObject_HEAD swiftnn_process_group ptr; } ProcessGroupHandle;
typedef struct { PyObject_HEAD swiftnn_grad_buckets ptr; } GradBucketsHandle;

static void ProcessGroupHandle_dealloc(PyObject* obj) {
    swiftnn_process_group g = ((ProcessGroupHandle*)obj)->ptr;
    if (g) swiftnn_process_group_free(g);
    Py_TYPE(obj)->tp_free(obj);
}

static void GradBucketsHandle_dealloc(PyObject* obj) {
    swiftnn_grad_buckets b = ((GradBucketsHandle*)obj)->ptr;
    if (b) swiftnn_grad_buckets_free(b);
    Py_TYPE(obj)->tp_free(obj);
}

static PyTypeObject ProcessGroupHandle_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "swiftnn._C.ProcessGroupHandle",
    .tp_basicsize = sizeof(ProcessGroupHandle),
    .tp_dealloc = ProcessGroupHandle_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An engine process group, freed when this object is collected.",
};

static PyTypeObject GradBucketsHandle_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "swiftnn._C.GradBucketsHandle",
    .tp_basicsize = sizeof(GradBucketsHandle),
    .tp_dealloc = GradBucketsHandle_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The flat gradient buffer of a DistributedDataParallel, freed when this object is collected.",
};

static int group_arg(PyObject* obj, void* out) {
    if (!PyObject_TypeCheck(obj, &ProcessGroupHandle_Type)) {
        PyErr_Format(PyExc_TypeError, "expected a process group handle, got %.200s", Py_TYPE(obj)->tp_name);
        return 0;
    }
    *(swiftnn_process_group*)out = ((ProcessGroupHandle*)obj)->ptr;
    return 1;
}

static int optional_group_arg(PyObject* obj, void* out) {
    if (obj == Py_None) {
        *(swiftnn_process_group*)out = NULL;
        return 1;
    }
    return group_arg(obj, out);
}

static int buckets_arg(PyObject* obj, void* out) {
    if (!PyObject_TypeCheck(obj, &GradBucketsHandle_Type)) {
        PyErr_Format(PyExc_TypeError, "expected a gradient buckets handle, got %.200s", Py_TYPE(obj)->tp_name);
        return 0;
    }
    *(swiftnn_grad_buckets*)out = ((GradBucketsHandle*)obj)->ptr;
    return 1;
}

static PyObject* wrap_buckets(swiftnn_grad_buckets b) {
    GradBucketsHandle* obj = PyObject_New(GradBucketsHandle, &GradBucketsHandle_Type);
    if (!obj) {
        swiftnn_grad_buckets_free(b);
        return NULL;
    }
    obj->ptr = b;
    return (PyObject*)obj;
}

/* An address or MPI handle from Python (an int that fits a pointer). */
static int address_arg(PyObject* obj, void* out) {
    void* p = PyLong_AsVoidPtr(obj);
    if (!p && PyErr_Occurred()) return 0;
    *(void**)out = p;
    return 1;
}

/* ---- functions --------------------------------------------------------------------- */

static PyObject* py_mpi_process_group(PyObject* self, PyObject* args) {
    int64_t rank, size;
    MPIContext c;
    void *allreduce, *allgather, *bcast;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&O&O&O&O&", int64_arg, &rank, int64_arg, &size, address_arg, &allreduce,
                          address_arg, &allgather, address_arg, &bcast, address_arg, &c.comm, address_arg,
                          &c.float_type, address_arg, &c.sum_op, address_arg, &c.in_place))
        return NULL;
    if (!allreduce || !allgather || !bcast) {
        PyErr_SetString(PyExc_ValueError, "the MPI function addresses must not be null");
        return NULL;
    }
    MPIContext* context = malloc(sizeof *context);
    if (!context) return PyErr_NoMemory();
    *context = c;
    context->allreduce = (MPIAllreduce)(uintptr_t)allreduce;
    context->allgather = (MPIAllgather)(uintptr_t)allgather;
    context->bcast = (MPIBcast)(uintptr_t)bcast;
    swiftnn_process_group g = NULL;
    /* On failure the engine has not taken the context. */
    int status = swiftnn_process_group_new(rank, size, mpi_collective, context, release_context, &g);
    if (status) {
        free(context);
        return raise_status(status);
    }
    ProcessGroupHandle* obj = PyObject_New(ProcessGroupHandle, &ProcessGroupHandle_Type);
    if (!obj) {
        swiftnn_process_group_free(g);
        return NULL;
    }
    obj->ptr = g;
    return (PyObject*)obj;
}

static PyObject* py_process_group_all_reduce(PyObject* self, PyObject* args) {
    swiftnn_process_group g;
    swiftnn_tensor t;
    if (!PyArg_ParseTuple(args, "O&O&", group_arg, &g, tensor_arg, &t)) return NULL;
    int status;
    ENGINE(status, swiftnn_process_group_all_reduce(g, t));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_process_group_broadcast(PyObject* self, PyObject* args) {
    swiftnn_process_group g;
    swiftnn_tensor t;
    int64_t root;
    if (!PyArg_ParseTuple(args, "O&O&O&", group_arg, &g, tensor_arg, &t, int64_arg, &root)) return NULL;
    int status;
    ENGINE(status, swiftnn_process_group_broadcast(g, t, root));
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_process_group_traffic(PyObject* self, PyObject* args) {
    swiftnn_process_group g;
    int reset = 0;
    if (!PyArg_ParseTuple(args, "O&|p", group_arg, &g, &reset)) return NULL;
    double seconds = 0;
    int64_t calls = 0, floats = 0;
    int status = swiftnn_process_group_traffic(g, &seconds, &calls, &floats, reset);
    if (status) return raise_status(status);
    return Py_BuildValue("(dLL)", seconds, (long long)calls, (long long)floats);
}

static PyObject* py_module_sync_batchnorm(PyObject* self, PyObject* args) {
    swiftnn_module m;
    swiftnn_process_group g;
    if (!PyArg_ParseTuple(args, "O&O&", module_arg, &m, optional_group_arg, &g)) return NULL;
    int64_t converted = 0;
    int status;
    ENGINE(status, swiftnn_module_sync_batchnorm(m, g, &converted));
    if (status) return raise_status(status);
    return PyLong_FromLongLong(converted);
}

static PyObject* py_ddp_new(PyObject* self, PyObject* args) {
    swiftnn_module m;
    swiftnn_process_group g;
    int64_t cap;
    int broadcast_buffers;
    if (!PyArg_ParseTuple(args, "O&O&O&p", module_arg, &m, group_arg, &g, int64_arg, &cap, &broadcast_buffers))
        return NULL;
    swiftnn_module out = NULL;
    int status;
    ENGINE(status, swiftnn_ddp_new(m, g, cap, broadcast_buffers, &out));
    if (status) return raise_status(status);
    return wrap_module(out);
}

static PyObject* py_ddp_grad_buckets(PyObject* self, PyObject* args) {
    swiftnn_module m;
    if (!PyArg_ParseTuple(args, "O&", module_arg, &m)) return NULL;
    swiftnn_grad_buckets out = NULL;
    int status = swiftnn_ddp_grad_buckets(m, &out);
    if (status) return raise_status(status);
    return wrap_buckets(out);
}

static PyObject* py_grad_buckets_new(PyObject* self, PyObject* args) {
    PyObject* list;
    swiftnn_process_group g;
    int64_t cap;
    if (!PyArg_ParseTuple(args, "OO&O&", &list, group_arg, &g, int64_arg, &cap)) return NULL;
    PyObject* seq = PySequence_Fast(list, "parameters must be a sequence of tensor handles");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    swiftnn_tensor* handles = PyMem_Calloc(n ? (size_t)n : 1, sizeof *handles);
    if (!handles) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!tensor_arg(PySequence_Fast_GET_ITEM(seq, i), &handles[i])) {
            PyMem_Free(handles);
            Py_DECREF(seq);
            return NULL;
        }
    }
    swiftnn_grad_buckets out = NULL;
    int status;
    ENGINE(status, swiftnn_grad_buckets_new(handles, n, g, cap, &out));
    PyMem_Free(handles);
    Py_DECREF(seq);
    if (status) return raise_status(status);
    return wrap_buckets(out);
}

static PyObject* py_grad_buckets_set_sync(PyObject* self, PyObject* args) {
    swiftnn_grad_buckets b;
    int enabled;
    if (!PyArg_ParseTuple(args, "O&p", buckets_arg, &b, &enabled)) return NULL;
    int status = swiftnn_grad_buckets_set_sync(b, enabled);
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

/* A float32 array over the flat buffer (no copy); it keeps the handle object, and so the
 * engine buffer, alive. */
static PyObject* py_grad_buckets_array(PyObject* self, PyObject* args) {
    PyObject* owner;
    swiftnn_grad_buckets b;
    if (!PyArg_ParseTuple(args, "O", &owner) || !buckets_arg(owner, &b)) return NULL;
    float* data = NULL;
    int64_t count = 0;
    int status = swiftnn_grad_buckets_data(b, &data, &count);
    if (status) return raise_status(status);
    npy_intp dims[1] = {(npy_intp)count};
    PyObject* array = PyArray_SimpleNewFromData(1, dims, NPY_FLOAT32, data);
    if (!array) return NULL;
    Py_INCREF(owner);
    if (PyArray_SetBaseObject((PyArrayObject*)array, owner) < 0) {
        Py_DECREF(array);
        return NULL;
    }
    return array;
}

static PyObject* py_grad_buckets_ranges(PyObject* self, PyObject* args) {
    swiftnn_grad_buckets b;
    if (!PyArg_ParseTuple(args, "O&", buckets_arg, &b)) return NULL;
    int64_t n = 0;
    int status = swiftnn_grad_buckets_count(b, &n);
    if (status) return raise_status(status);
    PyObject* list = PyList_New((Py_ssize_t)n);
    if (!list) return NULL;
    for (int64_t i = 0; i < n; i++) {
        int64_t offset = 0, count = 0;
        status = swiftnn_grad_buckets_range(b, i, &offset, &count);
        if (status) {
            Py_DECREF(list);
            return raise_status(status);
        }
        PyObject* item = Py_BuildValue("(LL)", (long long)offset, (long long)count);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

PyMethodDef distributed_methods[] = {
    {"mpi_process_group", py_mpi_process_group, METH_VARARGS,
     "mpi_process_group(rank, size, allreduce, allgather, bcast, comm, float, sum, in_place): addresses of "
     "MPI_Allreduce/Allgather/Bcast and MPI handles."},
    {"process_group_all_reduce", py_process_group_all_reduce, METH_VARARGS, "Sum a tensor over the ranks in place."},
    {"process_group_broadcast", py_process_group_broadcast, METH_VARARGS, "Rank root's tensor to every rank."},
    {"process_group_traffic", py_process_group_traffic, METH_VARARGS,
     "(seconds, calls, floats) spent in the group's collectives; reset=True zeroes them."},
    {"module_sync_batchnorm", py_module_sync_batchnorm, METH_VARARGS,
     "Every BatchNorm inside the module syncs over the group (None: off); returns how many."},
    {"ddp_new", py_ddp_new, METH_VARARGS, "ddp_new(module, group, bucket_cap_bytes, broadcast_buffers)."},
    {"ddp_grad_buckets", py_ddp_grad_buckets, METH_VARARGS, "The gradient buckets of an engine DDP module."},
    {"grad_buckets_new", py_grad_buckets_new, METH_VARARGS, "grad_buckets_new(params, group, bucket_cap_bytes)."},
    {"grad_buckets_set_sync", py_grad_buckets_set_sync, METH_VARARGS, "False inside no_sync()."},
    {"grad_buckets_array", py_grad_buckets_array, METH_VARARGS, "The flat gradient buffer as a NumPy array (no copy)."},
    {"grad_buckets_ranges", py_grad_buckets_ranges, METH_VARARGS, "[(offset, count)] of each bucket."},
    {NULL, NULL, 0, NULL},
};

int distributed_ready(PyObject* module) {
    if (PyType_Ready(&ProcessGroupHandle_Type) < 0 || PyType_Ready(&GradBucketsHandle_Type) < 0) return -1;
    return 0;
}

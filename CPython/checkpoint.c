/*
 * Checkpoints: safetensors files of named tensors (swiftnn.save / swiftnn.load).
 */
#include "swiftnn_ext.h"

/* checkpoint_save(path, [(name, TensorHandle, is_int64), ...], metadata_json or None) */
static PyObject* py_checkpoint_save(PyObject* self, PyObject* args) {
    PyObject *path, *items, *metadata_obj;
    if (!PyArg_ParseTuple(args, "O&OO:checkpoint_save", PyUnicode_FSConverter, &path, &items, &metadata_obj))
        return NULL;
    PyObject* seq = PySequence_Fast(items, "expected a sequence of (name, tensor, is_int64) tuples");
    const char** names = NULL;
    swiftnn_tensor* tensors = NULL;
    int* is_int64 = NULL;
    PyObject* result = NULL;
    if (!seq) goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    names = PyMem_Calloc((size_t)n + 1, sizeof *names);
    tensors = PyMem_Calloc((size_t)n + 1, sizeof *tensors);
    is_int64 = PyMem_Calloc((size_t)n + 1, sizeof *is_int64);
    if (!names || !tensors || !is_int64) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject* item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            PyErr_SetString(PyExc_TypeError, "expected (name, tensor, is_int64) tuples");
            goto done;
        }
        /* The UTF-8 text lives as long as the name object, which `seq` keeps alive. */
        names[i] = PyUnicode_AsUTF8(PyTuple_GET_ITEM(item, 0));
        if (!names[i] || !tensor_arg(PyTuple_GET_ITEM(item, 1), &tensors[i])) goto done;
        is_int64[i] = PyObject_IsTrue(PyTuple_GET_ITEM(item, 2));
        if (is_int64[i] < 0) goto done;
    }
    const char* metadata = NULL;
    if (metadata_obj != Py_None && !(metadata = PyUnicode_AsUTF8(metadata_obj))) goto done;
    const char* file = PyBytes_AS_STRING(path);
    int status;
    ENGINE(status, swiftnn_checkpoint_save(file, names, tensors, is_int64, (int64_t)n, metadata));
    if (status) {
        raise_status(status);
        goto done;
    }
    Py_INCREF(Py_None);
    result = Py_None;
done:
    PyMem_Free(names);
    PyMem_Free(tensors);
    PyMem_Free(is_int64);
    Py_XDECREF(seq);
    Py_DECREF(path);
    return result;
}

/* One entry as (name, dtype, TensorHandle). */
static PyObject* checkpoint_entry(swiftnn_checkpoint c, int64_t index) {
    int64_t length = 0;
    const char* dtype = NULL;
    swiftnn_tensor tensor = NULL;
    int status;
    ENGINE(status, swiftnn_checkpoint_entry(c, index, NULL, 0, &length, NULL, NULL));
    if (status) return raise_status(status);
    char* name = PyMem_Malloc((size_t)length + 1);
    if (!name) return PyErr_NoMemory();
    ENGINE(status, swiftnn_checkpoint_entry(c, index, name, length + 1, &length, &dtype, &tensor));
    if (status) {
        PyMem_Free(name);
        return raise_status(status);
    }
    PyObject* handle = wrap_tensor(tensor);
    PyObject* entry = handle ? Py_BuildValue("(s#sN)", name, (Py_ssize_t)length, dtype, handle) : NULL;
    PyMem_Free(name);
    return entry;
}

static PyObject* checkpoint_metadata(swiftnn_checkpoint c) {
    int64_t length = 0;
    int status;
    ENGINE(status, swiftnn_checkpoint_metadata(c, NULL, 0, &length));
    if (status) return raise_status(status);
    PyObject* text = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length + 1);
    if (!text) return NULL;
    ENGINE(status, swiftnn_checkpoint_metadata(c, PyBytes_AS_STRING(text), length + 1, &length));
    PyObject* result = status ? raise_status(status)
                              : PyUnicode_DecodeUTF8(PyBytes_AS_STRING(text), (Py_ssize_t)length, "strict");
    Py_DECREF(text);
    return result;
}

/* checkpoint_load(path) -> ([(name, dtype, TensorHandle), ...], metadata_json) */
static PyObject* py_checkpoint_load(PyObject* self, PyObject* args) {
    PyObject* path;
    if (!PyArg_ParseTuple(args, "O&:checkpoint_load", PyUnicode_FSConverter, &path)) return NULL;
    swiftnn_checkpoint c = NULL;
    int64_t count = 0;
    int status;
    ENGINE(status, swiftnn_checkpoint_load(PyBytes_AS_STRING(path), &c));
    Py_DECREF(path);
    if (status) return raise_status(status);
    PyObject *entries = NULL, *metadata = NULL, *result = NULL;
    ENGINE(status, swiftnn_checkpoint_count(c, &count));
    if (status) {
        raise_status(status);
        goto done;
    }
    if (!(entries = PyList_New((Py_ssize_t)count))) goto done;
    for (int64_t i = 0; i < count; i++) {
        PyObject* entry = checkpoint_entry(c, i);
        if (!entry) goto done;
        PyList_SET_ITEM(entries, (Py_ssize_t)i, entry);
    }
    if (!(metadata = checkpoint_metadata(c))) goto done;
    result = PyTuple_Pack(2, entries, metadata);
done:
    Py_XDECREF(entries);
    Py_XDECREF(metadata);
    ENGINE(status, swiftnn_checkpoint_free(c));
    return result;
}

static PyObject* py_module_save(PyObject* self, PyObject* args) {
    swiftnn_module m;
    PyObject* path;
    if (!PyArg_ParseTuple(args, "O&O&:module_save", module_arg, &m, PyUnicode_FSConverter, &path)) return NULL;
    int status;
    ENGINE(status, swiftnn_module_save(m, PyBytes_AS_STRING(path)));
    Py_DECREF(path);
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

static PyObject* py_module_load(PyObject* self, PyObject* args) {
    swiftnn_module m;
    PyObject* path;
    int strict = 1;
    if (!PyArg_ParseTuple(args, "O&O&|p:module_load", module_arg, &m, PyUnicode_FSConverter, &path, &strict))
        return NULL;
    int status;
    ENGINE(status, swiftnn_module_load(m, PyBytes_AS_STRING(path), strict));
    Py_DECREF(path);
    if (status) return raise_status(status);
    Py_RETURN_NONE;
}

PyMethodDef checkpoint_methods[] = {
    {"checkpoint_save", py_checkpoint_save, METH_VARARGS,
     "checkpoint_save(path, [(name, TensorHandle, is_int64)], metadata_json or None)"},
    {"checkpoint_load", py_checkpoint_load, METH_VARARGS,
     "checkpoint_load(path) -> ([(name, dtype, TensorHandle)], metadata_json)"},
    {"module_save", py_module_save, METH_VARARGS, "module_save(m, path): the engine module's state dict to a file"},
    {"module_load", py_module_load, METH_VARARGS, "module_load(m, path, strict=True)"},
    {NULL, NULL, 0, NULL},
};

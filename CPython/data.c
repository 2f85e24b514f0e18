/*
 * Data calls the op table (group "data") cannot describe: datasets from NumPy
 * arrays of either dtype, several results at once (sample shape and pixel flag,
 * sample and label, batch and labels), arrays sized by engine state (labels,
 * storage), Normalize's two arrays of one length.
 */
#include "swiftnn_ext.h"

static PyObject* dataset_result(int status, swiftnn_dataset d) {
    if (status) return raise_status(status);
    return wrap_dataset(d);
}

/* ---- datasets ------------------------------------------------------------ */

/* dataset_from_array(samples, labels): uint8 samples stay pixels; others become float32. */
static PyObject* py_dataset_from_array(PyObject* self, PyObject* args) {
    PyObject *samples_obj, *labels_obj;
    if (!PyArg_ParseTuple(args, "OO:dataset_from_array", &samples_obj, &labels_obj)) return NULL;
    PyArrayObject* labels = int64_array(labels_obj);
    if (!labels) return NULL;
    PyArrayObject* samples = NULL;
    PyArrayObject* probe = (PyArrayObject*)PyArray_FROM_O(samples_obj);
    int pixels = probe && PyArray_TYPE(probe) == NPY_UINT8;
    Py_XDECREF(probe);
    if (!probe) goto fail;
    samples = pixels ? (PyArrayObject*)PyArray_FROMANY(samples_obj, NPY_UINT8, 1, SWIFTNN_MAX_DIMS,
                                                       NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED)
                     : float32_array(samples_obj);
    if (!samples) goto fail;
    if (PyArray_NDIM(samples) < 1 || PyArray_NDIM(labels) != 1 || PyArray_DIM(labels, 0) != PyArray_DIM(samples, 0)) {
        PyErr_Format(PyExc_ValueError, "need samples [N, ...] and N labels, got %d-d samples and labels of %zd values",
                     PyArray_NDIM(samples), (Py_ssize_t)PyArray_SIZE(labels));
        goto fail;
    }
    int64_t shape[SWIFTNN_MAX_DIMS];
    int ndim = PyArray_NDIM(samples), status;
    for (int i = 0; i < ndim; i++) shape[i] = (int64_t)PyArray_DIM(samples, i);
    const void* data = PyArray_DATA(samples);
    const int64_t* y = PyArray_DATA(labels);
    swiftnn_dataset out = NULL;
    if (pixels)
        ENGINE(status, swiftnn_dataset_from_uint8(data, shape, ndim, y, &out));
    else
        ENGINE(status, swiftnn_dataset_from_float(data, shape, ndim, y, &out));
    Py_DECREF(samples);
    Py_DECREF(labels);
    return dataset_result(status, out);
fail:
    Py_XDECREF(samples);
    Py_DECREF(labels);
    return NULL;
}

/* (sample shape tuple, raw_pixels bool) */
static PyObject* py_dataset_info(PyObject* self, PyObject* args) {
    swiftnn_dataset d;
    if (!PyArg_ParseTuple(args, "O&:dataset_info", dataset_arg, &d)) return NULL;
    int64_t shape[SWIFTNN_MAX_DIMS];
    int ndim = 0, raw = 0, status;
    ENGINE(status, swiftnn_dataset_sample_shape(d, shape, SWIFTNN_MAX_DIMS, &ndim, &raw));
    if (status) return raise_status(status);
    PyObject* dims = PyTuple_New(ndim);
    if (!dims) return NULL;
    for (int i = 0; i < ndim; i++) PyTuple_SET_ITEM(dims, i, PyLong_FromLongLong(shape[i]));
    return Py_BuildValue("(NO)", dims, raw ? Py_True : Py_False);
}

static PyObject* py_dataset_get(PyObject* self, PyObject* args) {
    swiftnn_dataset d;
    int64_t index, label = 0;
    if (!PyArg_ParseTuple(args, "O&O&:dataset_get", dataset_arg, &d, int64_arg, &index)) return NULL;
    swiftnn_tensor sample = NULL;
    int status;
    ENGINE(status, swiftnn_dataset_get(d, index, &sample, &label));
    if (status) return raise_status(status);
    return Py_BuildValue("(NL)", wrap_tensor(sample), (long long)label);
}

static PyObject* py_dataset_labels(PyObject* self, PyObject* args) {
    swiftnn_dataset d;
    if (!PyArg_ParseTuple(args, "O&:dataset_labels", dataset_arg, &d)) return NULL;
    int64_t n = 0;
    int status;
    ENGINE(status, swiftnn_dataset_len(d, &n));
    if (status) return raise_status(status);
    npy_intp dims[1] = {(npy_intp)n};
    PyArrayObject* out = (PyArrayObject*)PyArray_SimpleNew(1, dims, NPY_INT64);
    if (!out) return NULL;
    ENGINE(status, swiftnn_dataset_labels(d, PyArray_DATA(out), n));
    if (status) {
        Py_DECREF(out);
        return raise_status(status);
    }
    return (PyObject*)out;
}

/* The stored samples as a fresh [N, ...] uint8 or float32 array. */
static PyObject* py_dataset_storage(PyObject* self, PyObject* args) {
    PyObject* d_obj;
    swiftnn_dataset d;
    if (!PyArg_ParseTuple(args, "O:dataset_storage", &d_obj) || !dataset_arg(d_obj, &d)) return NULL;
    PyObject* info = py_dataset_info(self, args);
    if (!info) return NULL;
    PyObject* shape = PyTuple_GET_ITEM(info, 0);
    int raw = PyTuple_GET_ITEM(info, 1) == Py_True;
    int64_t n = 0;
    int status;
    ENGINE(status, swiftnn_dataset_len(d, &n));
    if (status) {
        Py_DECREF(info);
        return raise_status(status);
    }
    npy_intp dims[SWIFTNN_MAX_DIMS + 1];
    int ndim = (int)PyTuple_GET_SIZE(shape) + 1;
    dims[0] = (npy_intp)n;
    for (int i = 1; i < ndim; i++) dims[i] = (npy_intp)PyLong_AsLongLong(PyTuple_GET_ITEM(shape, i - 1));
    Py_DECREF(info);
    PyArrayObject* out = (PyArrayObject*)PyArray_SimpleNew(ndim, dims, raw ? NPY_UINT8 : NPY_FLOAT32);
    if (!out) return NULL;
    ENGINE(status, swiftnn_dataset_copy_storage(d, PyArray_DATA(out), (int64_t)PyArray_NBYTES(out)));
    if (status) {
        Py_DECREF(out);
        return raise_status(status);
    }
    return (PyObject*)out;
}

/* ---- transforms ------------------------------------------------------------ */

/* transform_normalize(t, mean, std): two arrays of one length (the table has no such type). */
static PyObject* py_transform_normalize(PyObject* self, PyObject* args) {
    swiftnn_transform t;
    PyObject *mean_obj, *std_obj;
    if (!PyArg_ParseTuple(args, "O&OO:transform_normalize", transform_arg, &t, &mean_obj, &std_obj)) return NULL;
    PyArrayObject* mean = float32_array(mean_obj);
    PyArrayObject* std = mean ? float32_array(std_obj) : NULL;
    int status = 0;
    if (std && PyArray_SIZE(mean) != PyArray_SIZE(std))
        PyErr_SetString(PyExc_ValueError, "Normalize: mean and std must have the same length");
    else if (std)
        ENGINE(status, swiftnn_transform_normalize(t, PyArray_DATA(mean), PyArray_DATA(std), PyArray_SIZE(mean)));
    PyObject* result = !std || PyErr_Occurred() ? NULL : none_result(status);
    Py_XDECREF(mean);
    Py_XDECREF(std);
    return result;
}

static PyObject* py_transform_apply(PyObject* self, PyObject* args) {
    swiftnn_transform t;
    swiftnn_tensor x;
    int raw;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "O&O&pK:transform_apply", transform_arg, &t, tensor_arg, &x, &raw, &seed)) return NULL;
    swiftnn_tensor out = NULL;
    int raw_after = 0, status;
    ENGINE(status, swiftnn_transform_apply(t, x, raw, (uint64_t)seed, &out, &raw_after));
    if (status) return raise_status(status);
    return Py_BuildValue("(NO)", wrap_tensor(out), raw_after ? Py_True : Py_False);
}

/* (images TensorHandle, labels int64 array) or None at the end of the epoch. */
static PyObject* py_loader_next(PyObject* self, PyObject* args) {
    swiftnn_loader l;
    int64_t batch;
    if (!PyArg_ParseTuple(args, "O&O&:loader_next", loader_arg, &l, int64_arg, &batch)) return NULL;
    if (batch < 1) return PyErr_Format(PyExc_ValueError, "batch size must be positive");
    npy_intp dims[1] = {(npy_intp)batch};
    PyArrayObject* labels = (PyArrayObject*)PyArray_SimpleNew(1, dims, NPY_INT64);
    if (!labels) return NULL;
    swiftnn_tensor images = NULL;
    int64_t count = 0;
    int status;
    ENGINE(status, swiftnn_loader_next(l, &images, PyArray_DATA(labels), batch, &count));
    if (status || !images) {
        Py_DECREF(labels);
        if (status) return raise_status(status);
        Py_RETURN_NONE;
    }
    PyObject* result = NULL;
    PyObject* sliced = PySequence_GetSlice((PyObject*)labels, 0, (Py_ssize_t)count);
    Py_DECREF(labels);
    PyObject* handle = wrap_tensor(images);
    if (sliced && handle) result = PyTuple_Pack(2, handle, sliced);
    Py_XDECREF(sliced);
    Py_XDECREF(handle);
    return result;
}

PyMethodDef data_methods[] = {
    {"dataset_from_array", py_dataset_from_array, METH_VARARGS, "dataset_from_array(samples, labels) -> dataset"},
    {"dataset_info", py_dataset_info, METH_VARARGS, "dataset_info(dataset) -> (sample shape, raw pixels)"},
    {"dataset_get", py_dataset_get, METH_VARARGS, "dataset_get(dataset, index) -> (tensor handle, label)"},
    {"dataset_labels", py_dataset_labels, METH_VARARGS, "dataset_labels(dataset) -> int64 array"},
    {"dataset_storage", py_dataset_storage, METH_VARARGS, "dataset_storage(dataset) -> uint8/float32 array"},
    {"transform_normalize", py_transform_normalize, METH_VARARGS, "transform_normalize(t, mean, std)"},
    {"transform_apply", py_transform_apply, METH_VARARGS, "transform_apply(t, tensor, raw, seed) -> (tensor, raw)"},
    {"loader_next", py_loader_next, METH_VARARGS, "loader_next(loader, batch_size) -> (images, labels) | None"},
    {NULL, NULL, 0, NULL},
};

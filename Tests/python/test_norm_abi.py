"""The C ABI of the norm/activation/join functions, called through ctypes: bad
handles, null pointers and bad sizes give error statuses and messages, never a crash."""
import ctypes
import os

import numpy as np
import pytest

import swiftnn

OK, VALUE, TYPE, INDEX, ATTRIBUTE = 0, 1, 2, 3, 6
P = ctypes.c_void_p


@pytest.fixture(scope="module")
def lib():
    lib = ctypes.CDLL(os.path.join(os.path.dirname(swiftnn.__file__), "libswiftnn.so"))
    lib.swiftnn_last_error.restype = ctypes.c_char_p
    return lib


def tensor(lib, array):
    array = np.ascontiguousarray(array, dtype=np.float32)
    shape = (ctypes.c_int64 * max(1, array.ndim))(*array.shape)
    out = P()
    assert lib.swiftnn_tensor_from_data(array.ctypes.data_as(P), shape, array.ndim, ctypes.byref(out)) == OK
    return out


def values(lib, t):
    n = ctypes.c_int64()
    lib.swiftnn_tensor_numel(t, ctypes.byref(n))
    buf = (ctypes.c_float * max(1, n.value))()
    assert lib.swiftnn_tensor_copy_to(t, buf, ctypes.c_int64(n.value)) == OK
    return list(buf)[:n.value]


def error(lib):
    return lib.swiftnn_last_error().decode()


def test_null_handles_and_out_pointers(lib):
    out = P()
    assert lib.swiftnn_silu(None, ctypes.byref(out)) == VALUE and "null" in error(lib)
    x = tensor(lib, np.ones((2, 3)))
    assert lib.swiftnn_silu(x, None) == VALUE and "output pointer" in error(lib)
    assert lib.swiftnn_batch_norm(None, None, None, None, None, 1, ctypes.c_float(0.1), ctypes.c_float(1e-5),
                                  ctypes.byref(out)) == VALUE
    assert lib.swiftnn_cat(None, ctypes.c_int64(2), ctypes.c_int64(0), ctypes.byref(out)) == VALUE
    assert lib.swiftnn_cat(None, ctypes.c_int64(-1), ctypes.c_int64(0), ctypes.byref(out)) == VALUE
    assert lib.swiftnn_split(x, None, ctypes.c_int64(1), ctypes.c_int64(0), None, None) == VALUE
    assert lib.swiftnn_init_normal(None, ctypes.c_float(0), ctypes.c_float(1)) == VALUE
    assert lib.swiftnn_module_new(None, None, ctypes.byref(out)) == VALUE
    assert lib.swiftnn_module_new(b"LayerNorm", b"{}", None) == VALUE and "output pointer" in error(lib)
    assert lib.swiftnn_tensor_free(x) == OK


def test_ops_and_bad_arguments(lib):
    x = tensor(lib, np.arange(6).reshape(2, 3))
    handles = (P * 2)(x, x)
    out = P()
    assert lib.swiftnn_cat(handles, ctypes.c_int64(2), ctypes.c_int64(1), ctypes.byref(out)) == OK
    assert values(lib, out) == [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]
    lib.swiftnn_tensor_free(out)
    assert lib.swiftnn_stack(handles, ctypes.c_int64(2), ctypes.c_int64(5), ctypes.byref(out)) == INDEX
    sizes = (ctypes.c_int64 * 2)(1, 2)
    outs, count = ctypes.POINTER(P)(), ctypes.c_int64()
    assert lib.swiftnn_split(x, sizes, ctypes.c_int64(2), ctypes.c_int64(1), ctypes.byref(outs), ctypes.byref(count)) == OK
    # Array elements come back as Python ints: re-wrap them, or ctypes would pass 32 bits.
    assert count.value == 2 and values(lib, P(outs[1])) == [1, 2, 4, 5]
    for i in range(count.value):
        lib.swiftnn_tensor_free(P(outs[i]))
    assert lib.swiftnn_buffer_free(outs) == OK
    assert lib.swiftnn_split(x, sizes, ctypes.c_int64(2), ctypes.c_int64(0), ctypes.byref(outs),
                             ctypes.byref(count)) == VALUE
    pads = (ctypes.c_int64 * 2)(2 ** 62, 2 ** 62)
    assert lib.swiftnn_pad(x, pads, 2, ctypes.c_float(0), ctypes.byref(out)) == VALUE
    assert lib.swiftnn_pad(x, pads, 99, ctypes.c_float(0), ctypes.byref(out)) == VALUE
    assert lib.swiftnn_local_response_norm(x, ctypes.c_int64(0), ctypes.c_float(1e-4), ctypes.c_float(0.75),
                                           ctypes.c_float(1), ctypes.byref(out)) == VALUE
    assert lib.swiftnn_batch_norm(x, x, None, None, None, 1, ctypes.c_float(0.1), ctypes.c_float(1e-5),
                                  ctypes.byref(out)) == VALUE
    assert lib.swiftnn_init_uniform(x, ctypes.c_float(1), ctypes.c_float(0)) == VALUE
    lib.swiftnn_tensor_free(x)


def test_layer_constructors(lib):
    """One constructor for every layer kind, from a JSON configuration, and settings by name."""
    out = P()
    assert lib.swiftnn_module_new(b"BatchNorm3d", b'{"num_features": 4}', ctypes.byref(out)) == VALUE
    assert "unknown module kind" in error(lib)
    assert lib.swiftnn_module_new(b"BatchNorm2d", b'{"num_features": -4}', ctypes.byref(out)) == VALUE
    assert lib.swiftnn_module_new(b"BatchNorm2d", b'{"num_features": 1099511627776}', ctypes.byref(out)) == VALUE
    assert lib.swiftnn_module_new(b"BatchNorm2d", b'{"num_features": 4, "epsilon": 1}', ctypes.byref(out)) == VALUE
    assert "epsilon" in error(lib) and "accepted" in error(lib)
    assert lib.swiftnn_module_new(b"SiLU", None, ctypes.byref(out)) == OK
    assert lib.swiftnn_module_set_option(out, b"momentum", b"0.5") == VALUE and "SiLU has no option" in error(lib)
    assert lib.swiftnn_module_reset(out, b"running_stats") == TYPE
    assert lib.swiftnn_module_free(out) == OK
    assert lib.swiftnn_module_new(b"Dropout2d", b'{"p": 2.0}', ctypes.byref(out)) == VALUE
    assert lib.swiftnn_module_new(b"BatchNorm2d", b'{"num_features": 2, "momentum": null}', ctypes.byref(out)) == OK
    text = ctypes.create_string_buffer(256)
    length = ctypes.c_int64()
    assert lib.swiftnn_module_get_option(out, b"momentum", text, ctypes.c_int64(256), ctypes.byref(length)) == OK
    assert text.value == b"null" and length.value == 4
    assert lib.swiftnn_module_set_option(out, b"eps", b"-1") == VALUE
    assert lib.swiftnn_module_set_option(out, b"eps", b"{") == VALUE
    assert lib.swiftnn_module_set_option(out, b"num_features", b"3") == ATTRIBUTE and "cannot be changed" in error(lib)
    assert lib.swiftnn_module_get_option(out, None, text, ctypes.c_int64(256), None) == OK
    assert text.value.startswith(b'{"num_features":2,"eps":1e-05,"momentum":null')
    assert lib.swiftnn_module_free(out) == OK

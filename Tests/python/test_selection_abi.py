"""The C ABI of the (values, indices) ops, swiftnn_sort and swiftnn_topk, through
ctypes in a child process: a correct call hands out an engine-allocated index
buffer (freed with swiftnn_buffer_free); NULL handles, a NULL output pointer, bad
dims and bad k return an error status with a message, never a crash."""
import os
import subprocess
import sys
import textwrap

import swiftnn

LIB = os.path.join(os.path.dirname(swiftnn.__file__), "libswiftnn.so")

CHILD = textwrap.dedent(r"""
    import ctypes, sys
    lib = ctypes.CDLL(sys.argv[1])
    P, I64 = ctypes.c_void_p, ctypes.c_int64
    lib.swiftnn_last_error.restype = ctypes.c_char_p

    def tensor(values):
        out = P()
        data = (ctypes.c_float * len(values))(*values)
        assert lib.swiftnn_tensor_from_data(data, (I64 * 1)(len(values)), 1, ctypes.byref(out)) == 0
        return out

    def fails(status, what):
        assert status != 0, f"{what}: accepted"
        assert lib.swiftnn_last_error(), f"{what}: no message"

    x = tensor([3.0, 1.0, 2.0])
    out, indices, count = P(), ctypes.POINTER(I64)(), I64()

    def sort(t, dim, descending=0, out_p=ctypes.byref(out), indices_p=ctypes.byref(indices)):
        return lib.swiftnn_sort(t, I64(dim), descending, out_p, indices_p, ctypes.byref(count))

    def topk(t, k, dim, largest=1):
        return lib.swiftnn_topk(t, I64(k), I64(dim), largest, ctypes.byref(out), ctypes.byref(indices),
                                ctypes.byref(count))

    # The engine allocates the index buffer; the caller frees it with swiftnn_buffer_free.
    assert sort(x, -1) == 0 and count.value == 3
    assert indices[:3] == [1, 2, 0], indices[:3]
    lib.swiftnn_buffer_free(indices)
    assert topk(x, 2, 0) == 0 and count.value == 2
    assert indices[:2] == [0, 2], indices[:2]
    lib.swiftnn_buffer_free(indices)
    assert sort(x, 0, indices_p=None) == 0  # values only
    fails(sort(None, 0), "NULL input")
    fails(sort(x, 0, out_p=None), "NULL out")
    fails(sort(x, 1), "bad dim")
    fails(sort(x, -2**63), "huge dim")
    fails(topk(x, 4, 0), "k too large")
    fails(topk(x, -1, 0), "negative k")
    fails(topk(x, 2**62, 0), "huge k")
    print("selection abi ok")
""")


def test_sort_and_topk_abi_reject_bad_calls_without_crashing():
    result = subprocess.run([sys.executable, "-c", CHILD, LIB], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "selection abi ok" in result.stdout, \
        f"status {result.returncode}\n{result.stdout}\n{result.stderr[-3000:]}"

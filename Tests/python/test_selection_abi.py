"""The C ABI of the (values, indices) ops, swiftnn_sort and swiftnn_topk, through
ctypes in a child process: a correct call fills the caller's index buffer; NULL
handles, NULL or too small index buffers, bad dims and bad k return an error
status with a message, never a crash."""
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
    out, indices = P(), (I64 * 3)()
    assert lib.swiftnn_sort(x, I64(-1), 0, ctypes.byref(out), indices, I64(3)) == 0
    assert list(indices) == [1, 2, 0], list(indices)
    assert lib.swiftnn_topk(x, I64(2), I64(0), 1, ctypes.byref(out), indices, I64(3)) == 0
    assert list(indices)[:2] == [0, 2]
    fails(lib.swiftnn_sort(None, I64(0), 0, ctypes.byref(out), indices, I64(3)), "NULL input")
    fails(lib.swiftnn_sort(x, I64(0), 0, None, indices, I64(3)), "NULL out")
    fails(lib.swiftnn_sort(x, I64(0), 0, ctypes.byref(out), None, I64(3)), "NULL indices")
    fails(lib.swiftnn_sort(x, I64(0), 0, ctypes.byref(out), indices, I64(2)), "small buffer")
    fails(lib.swiftnn_sort(x, I64(1), 0, ctypes.byref(out), indices, I64(3)), "bad dim")
    fails(lib.swiftnn_sort(x, I64(-2**63), 0, ctypes.byref(out), indices, I64(3)), "huge dim")
    fails(lib.swiftnn_topk(x, I64(4), I64(0), 1, ctypes.byref(out), indices, I64(3)), "k too large")
    fails(lib.swiftnn_topk(x, I64(-1), I64(0), 1, ctypes.byref(out), indices, I64(3)), "negative k")
    fails(lib.swiftnn_topk(x, I64(2**62), I64(0), 1, ctypes.byref(out), indices, I64(3)), "huge k")
    print("selection abi ok")
""")


def test_sort_and_topk_abi_reject_bad_calls_without_crashing():
    result = subprocess.run([sys.executable, "-c", CHILD, LIB], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "selection abi ok" in result.stdout, \
        f"status {result.returncode}\n{result.stdout}\n{result.stderr[-3000:]}"

"""The C ABI (libswiftnn.so through ctypes) given NULLs, freed handles, forged
handles, handles of the wrong kind and bad lengths: every call returns an error
status with a message; nothing crashes, and a use after free is caught.
The calls run in a child process, so a crash fails the test with its output."""
import os
import subprocess
import sys
import textwrap

import swiftnn

LIB = os.path.join(os.path.dirname(swiftnn.__file__), "libswiftnn.so")

CHILD = textwrap.dedent(r"""
    import ctypes, random, sys
    lib = ctypes.CDLL(sys.argv[1])
    P, I64 = ctypes.c_void_p, ctypes.c_int64
    lib.swiftnn_last_error.restype = ctypes.c_char_p
    OK, VALUE, TYPE = 0, 1, 2

    def call(name, *args):
        fn = getattr(lib, name)
        return fn(*args)

    def expect_error(status, *codes, what=""):
        assert status != OK, f"{what}: accepted"
        assert not codes or status in codes, f"{what}: status {status}, expected {codes}"
        message = lib.swiftnn_last_error()
        assert message, f"{what}: no message"
        return message.decode()

    def tensor(values):
        data = (ctypes.c_float * len(values))(*values)
        shape = (I64 * 1)(len(values))
        out = P()
        assert call("swiftnn_tensor_from_data", data, shape, 1, ctypes.byref(out)) == OK
        return out

    def numel(h):
        n = I64(-1)
        return call("swiftnn_tensor_numel", h, ctypes.byref(n)), n.value

    # NULL handles and NULL out-pointers.
    out = P()
    expect_error(call("swiftnn_tensor_numel", None, ctypes.byref(I64())), VALUE, what="numel(NULL)")
    expect_error(call("swiftnn_relu", None, ctypes.byref(out)), VALUE, what="relu(NULL)")
    t = tensor([1.0, -2.0, 3.0])
    expect_error(call("swiftnn_relu", t, None), VALUE, what="relu(out=NULL)")
    expect_error(call("swiftnn_tensor_from_data", None, (I64 * 1)(3), 1, ctypes.byref(out)), what="from_data(NULL data)")
    assert call("swiftnn_tensor_free", None) == OK  # free(NULL) is a no-op, as free()

    # Use after free and double free: caught, never a crash.
    assert numel(t) == (OK, 3)
    assert call("swiftnn_tensor_free", t) == OK
    message = expect_error(numel(t)[0], VALUE, what="numel after free")
    assert "not a live handle" in message, message
    expect_error(call("swiftnn_relu", t, ctypes.byref(out)), VALUE, what="relu after free")
    call("swiftnn_tensor_free", t)  # double free: ignored with a message
    # A stale handle stays invalid after its slot is reused by a new tensor.
    fresh = [tensor([float(i)]) for i in range(4)]
    expect_error(numel(t)[0], VALUE, what="stale handle after slot reuse")
    for h in fresh:
        assert numel(h) == (OK, 1)
        assert call("swiftnn_tensor_free", h) == OK

    # Wrong kinds: a module where a tensor belongs, and the reverse.
    module = P()
    assert call("swiftnn_module_new", b"ReLU", None, ctypes.byref(module)) == OK
    expect_error(numel(module)[0], TYPE, what="module as tensor")
    x = tensor([1.0, 2.0])
    expect_error(call("swiftnn_module_forward", x, x, ctypes.byref(out)),
                 TYPE, what="tensor as module")
    call("swiftnn_tensor_free", module)  # the wrong free: refused, the module stays alive
    y = P()
    assert call("swiftnn_module_forward", module, x, ctypes.byref(y)) == OK
    assert call("swiftnn_tensor_free", y) == OK
    assert call("swiftnn_module_free", module) == OK
    assert call("swiftnn_tensor_free", x) == OK

    # Forged handles: random bit patterns are looked up, never dereferenced.
    rng = random.Random(15)
    for _ in range(2000):
        bits = rng.choice([rng.getrandbits(64), rng.getrandbits(32), rng.randrange(1, 4096), (1 << 64) - 1])
        expect_error(numel(P(bits))[0], VALUE, what=f"forged handle {bits:#x}")
        call("swiftnn_tensor_free", P(bits))

    # Bad lengths and shapes.
    shape = (I64 * 2)(-1, 3)
    expect_error(call("swiftnn_tensor_from_data", (ctypes.c_float * 3)(), shape, 2, ctypes.byref(out)), what="negative dim")
    shape = (I64 * 2)(1 << 62, 1 << 62)
    expect_error(call("swiftnn_tensor_from_data", (ctypes.c_float * 3)(), shape, 2, ctypes.byref(out)), what="overflowing dims")
    for ndim in (-1, 17, 1 << 30, -(1 << 31)):
        expect_error(call("swiftnn_tensor_from_data", (ctypes.c_float * 3)(), (I64 * 1)(3), ndim, ctypes.byref(out)),
                     what=f"ndim {ndim}")
    for count in (-1, -(1 << 63)):
        expect_error(call("swiftnn_optimizer_new", b"SGD", None, I64(count), b'{"lr": 0.1}', ctypes.byref(out)),
                     what=f"sgd count {count}")
    extremes = [-(1 << 63), (1 << 63) - 1, -1, 0, 1 << 31]
    for a in extremes:
        for b in extremes:
            config = f'{{"kernel_size": [{a}, {b}], "stride": [{a}, {b}]}}'.encode()
            status = call("swiftnn_module_new", b"MaxPool2d", config, ctypes.byref(out))
            if status == OK:
                call("swiftnn_module_free", out)
    print("abi fuzz ok")
""")


def test_c_abi_survives_nulls_stale_forged_and_wrong_kind_handles():
    result = subprocess.run([sys.executable, "-c", CHILD, LIB], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "abi fuzz ok" in result.stdout, \
        f"status {result.returncode}\n{result.stdout}\n{result.stderr[-3000:]}"

"""swiftnn.save / swiftnn.load: safetensors files, checked against the `safetensors`
package byte for byte, validated on read, and written atomically."""
import json
import os
import pathlib
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import safetensors
import safetensors.numpy as st

import swiftnn
import swiftnn.nn as nn
from swiftnn import _C


def mlp():
    return nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3))


def values(state):
    return {k: (v.numpy() if isinstance(v, swiftnn.Tensor) else np.asarray(v)) for k, v in state.items()}


# ---- round trips ------------------------------------------------------------------------------

def test_round_trip_of_every_kind_of_value(tmp_path, rng):
    weight = nn.Parameter(rng.standard_normal((3, 4)).astype(np.float32))
    state = {
        "w": weight,
        "t": swiftnn.tensor([[1.5, -2.0]]),
        "arr": rng.standard_normal((2, 3, 4)).astype(np.float32),
        "f64": np.array([0.1, 0.2]),
        "scalar": 2.5,
        "count": 7,
        "ints": np.arange(-3, 3),
        "empty": np.zeros((0, 5), np.float32),
        "zero_dim": np.float32(4),
    }
    swiftnn.save(state, tmp_path / "all.safetensors")
    loaded = swiftnn.load(tmp_path / "all.safetensors")
    # The file order is the safetensors package's: int64 first, then by name.
    assert list(loaded) == ["count", "ints", "arr", "empty", "f64", "scalar", "t", "w", "zero_dim"]
    for name, value in values(state).items():
        assert isinstance(loaded[name], swiftnn.Tensor)
        assert loaded[name].numpy().dtype == np.float32
        np.testing.assert_array_equal(loaded[name].numpy(), value.astype(np.float32), err_msg=name)


def test_model_round_trip_gives_identical_logits(tmp_path):
    swiftnn.manual_seed(1)
    model = mlp()
    optimizer = swiftnn.optim.SGD(model.parameters(), lr=0.1)
    x, y = swiftnn.randn(10, 12), swiftnn.randint(0, 3, (10,))
    for _ in range(3):  # trained weights, not just the seeded initialisation
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(x), y).backward()
        optimizer.step()
    swiftnn.save(model.state_dict(), str(tmp_path / "mlp.safetensors"))
    swiftnn.manual_seed(2)
    fresh = mlp()
    assert not np.array_equal(fresh(x).numpy(), model(x).numpy())
    result = fresh.load_state_dict(swiftnn.load(tmp_path / "mlp.safetensors"))
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())
    # keep_vars=True hands over the Parameters themselves.
    swiftnn.save(model.state_dict(keep_vars=True), tmp_path / "vars.safetensors")
    assert (tmp_path / "vars.safetensors").read_bytes() == (tmp_path / "mlp.safetensors").read_bytes()


def test_engine_module_save_and_load(tmp_path):
    source, target = nn.Linear(5, 4), nn.Linear(5, 4)
    _C.module_save(source._handle, os.fsencode(tmp_path / "linear.safetensors"))
    np.testing.assert_array_equal(swiftnn.load(tmp_path / "linear.safetensors")["weight"].numpy(), source.weight.numpy())
    _C.module_load(target._handle, tmp_path / "linear.safetensors")
    np.testing.assert_array_equal(target.bias.numpy(), source.bias.numpy())
    swiftnn.save({"weight": np.zeros((4, 5))}, tmp_path / "partial.safetensors")
    with pytest.raises(ValueError, match="missing keys: bias"):
        _C.module_load(target._handle, tmp_path / "partial.safetensors")
    _C.module_load(target._handle, tmp_path / "partial.safetensors", False)
    assert not target.weight.numpy().any()


# ---- the safetensors package ------------------------------------------------------------------

def test_bytes_identical_to_the_safetensors_package(tmp_path, rng):
    arrays = {
        "layer.weight": rng.standard_normal((4, 3)).astype(np.float32),
        "layer.bias": rng.standard_normal(4).astype(np.float32),
        "bn.num_batches_tracked": np.array(12, np.int64),
        "Zeta": np.zeros((0,), np.float32),
        "ünïcode \"name\"\n": np.array(1.0, np.float32),
    }
    # One metadata key: the package keeps metadata in a hash map, so the order of several varies.
    st.save_file(arrays, tmp_path / "theirs.safetensors", metadata={"format": "pt"})
    swiftnn.save(arrays, tmp_path / "ours.safetensors", metadata={"format": "pt"})
    assert (tmp_path / "ours.safetensors").read_bytes() == (tmp_path / "theirs.safetensors").read_bytes()
    metadata = {"format": "pt", "note": "tab\there é \"quoted\" \\ \x01"}
    st.save_file(arrays, tmp_path / "theirs.safetensors", metadata=metadata)
    swiftnn.save(arrays, tmp_path / "ours.safetensors", metadata=metadata)
    assert swiftnn.serialization.load_metadata(tmp_path / "theirs.safetensors") == metadata
    with safetensors.safe_open(tmp_path / "ours.safetensors", framework="numpy") as f:
        assert f.metadata() == metadata


def test_safetensors_reads_our_files_with_torch_dtypes(tmp_path):
    model = mlp()
    state = model.state_dict()
    state["bn.num_batches_tracked"] = np.float32(5)  # as a float32 array, still int64 on disk as in PyTorch
    swiftnn.save(state, tmp_path / "model.safetensors", metadata={"format": "pt"})
    theirs = st.load_file(tmp_path / "model.safetensors")
    assert theirs["bn.num_batches_tracked"].dtype == np.int64 and theirs["bn.num_batches_tracked"] == 5
    for name, value in model.state_dict().items():
        assert theirs[name].dtype == np.float32
        np.testing.assert_array_equal(theirs[name], value)
    with safetensors.safe_open(tmp_path / "model.safetensors", framework="numpy") as f:
        assert f.metadata() == {"format": "pt"}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.uint8, np.int16, np.uint16,
                                   np.int32, np.uint32, np.int64, np.uint64, np.bool_])
def test_reads_every_numpy_dtype_the_package_writes(tmp_path, dtype):
    data = np.array([[0, 1, 2], [3, 4, 5]]).astype(dtype)
    if np.dtype(dtype).kind == "f":
        data = data / 4 - 0.5
    elif np.dtype(dtype).kind == "b":
        data = np.array([True, False, True])
    st.save_file({"x": data}, tmp_path / "typed.safetensors")
    np.testing.assert_array_equal(swiftnn.load(tmp_path / "typed.safetensors")["x"].numpy(), data.astype(np.float32))


def test_integers_float32_cannot_hold_are_refused(tmp_path):
    st.save_file({"n": np.array([2 ** 24 + 1], np.int64)}, tmp_path / "big.safetensors")
    with pytest.raises(OSError, match="16777217, which float32 cannot represent exactly"):
        swiftnn.load(tmp_path / "big.safetensors")
    with pytest.raises(ValueError, match="do not all fit float32"):
        swiftnn.save({"n": np.array([2 ** 40 + 1])}, tmp_path / "n.safetensors")
    with pytest.raises(ValueError, match="not an int64 value"):
        swiftnn.save({"bn.num_batches_tracked": np.float32(1.5)}, tmp_path / "n.safetensors")
    assert os.listdir(tmp_path) == ["big.safetensors"]


# ---- arguments --------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", [[("w", np.ones(2))], np.ones(2), None, "w"])
def test_save_needs_a_mapping(tmp_path, obj):
    with pytest.raises(TypeError, match="dict"):
        swiftnn.save(obj, tmp_path / "x.safetensors")


@pytest.mark.parametrize("value", ["text", None, object(), [1, 2], np.array(["a"]), np.array([1 + 2j])])
def test_save_rejects_non_numeric_values(tmp_path, value):
    with pytest.raises(TypeError):
        swiftnn.save({"w": value}, tmp_path / "x.safetensors")
    assert not os.listdir(tmp_path)


def test_other_type_errors(tmp_path):
    with pytest.raises(TypeError, match="keys must be str"):
        swiftnn.save({1: np.ones(2)}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="file path"):
        swiftnn.save({}, 12)
    with pytest.raises(TypeError, match="file path"):
        swiftnn.load(None)
    with pytest.raises(TypeError, match="metadata"):
        swiftnn.save({}, tmp_path / "x.safetensors", metadata={"a": 1})
    with pytest.raises(ValueError, match="reserved"):
        swiftnn.save({"__metadata__": np.ones(1)}, tmp_path / "x.safetensors")


def test_missing_file_is_file_not_found_naming_the_path(tmp_path):
    path = tmp_path / "absent.safetensors"
    with pytest.raises(FileNotFoundError) as info:
        swiftnn.load(path)
    assert str(path) in str(info.value) and info.value.filename == str(path)
    with pytest.raises(OSError, match="No such file or directory"):
        swiftnn.save({"w": np.ones(2)}, tmp_path / "no" / "dir.safetensors")
    with pytest.raises(OSError, match="not a regular file"):
        swiftnn.load(tmp_path)


def test_failed_save_leaves_the_previous_file_intact(tmp_path):
    target = tmp_path / "model.safetensors"
    swiftnn.save({"w": np.ones(3)}, target)
    before = target.read_bytes()
    with pytest.raises(TypeError):
        swiftnn.save({"w": np.zeros(3), "bad": "x"}, target)
    with pytest.raises(ValueError):
        swiftnn.save({"w": np.zeros(3), "x.num_batches_tracked": np.float32(0.5)}, target)
    (tmp_path / "dir.safetensors").mkdir()
    with pytest.raises(OSError, match="cannot replace the file"):
        swiftnn.save({"w": np.zeros(3)}, tmp_path / "dir.safetensors")
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["dir.safetensors", "model.safetensors"]  # no temporary files left


# ---- damaged files ----------------------------------------------------------------------------

def write_raw(path, header, data=b"", length=None):
    header = header.encode() if isinstance(header, str) else header
    path.write_bytes(struct.pack("<Q", len(header) if length is None else length) + header + data)
    return path


@pytest.mark.parametrize("header, data, length, message", [
    ("{}", b"", 2 ** 63, "exceeds the limit of 100000000 bytes"),
    ("{}", b"", 200_000_000, "exceeds the limit"),
    ("{}", b"", 50, "runs past the end of the file"),
    ('{"a": ', b"", None, "not valid JSON"),
    ("[]", b"", None, "does not start with '{'"),
    (b'{"\xff": 1}', b"", None, "not valid JSON"),
    ('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', b"\0", None, "unsupported dtype 'F8_E4M3'"),
    ('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', b"\0" * 8, None, "non-negative integers"),
    ('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', b"\0" * 8, None, "needs 12"),
    ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}', b"\0" * 8, None, "run past the end"),
    ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
     b"\0" * 8, None, "overlap"),
    ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
     b"\0" * 8, None, "duplicate key 'a'"),
    ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 9, None, "holds 9 bytes but the tensors cover 4"),
])
def test_damaged_files_raise_oserror_naming_the_problem(tmp_path, header, data, length, message):
    path = write_raw(tmp_path / "bad.safetensors", header, data, length)
    with pytest.raises(OSError, match=message) as info:
        swiftnn.load(path)
    assert str(path) in str(info.value)


def test_truncated_files_at_every_length_raise(tmp_path):
    swiftnn.save({"w": np.ones((3, 2)), "b": np.zeros(2)}, tmp_path / "whole.safetensors")
    whole = (tmp_path / "whole.safetensors").read_bytes()
    cut = tmp_path / "cut.safetensors"
    for length in range(len(whole)):
        cut.write_bytes(whole[:length])
        with pytest.raises(OSError):
            swiftnn.load(cut)


def test_corrupted_files_never_crash_the_interpreter(tmp_path):
    """Every single-byte corruption and a few thousand random ones of a real checkpoint,
    in a fresh interpreter: each either loads or raises OSError."""
    swiftnn.save({"fc.weight": np.ones((4, 3)), "fc.bias": np.zeros(4), "bn.num_batches_tracked": 3},
                 tmp_path / "model.safetensors")
    program = textwrap.dedent(f"""
        import numpy as np, swiftnn
        whole = open({str(tmp_path / "model.safetensors")!r}, "rb").read()
        path = {str(tmp_path / "fuzz.safetensors")!r}
        rng = np.random.default_rng(0)
        variants = [whole[:i] + bytes([b]) + whole[i + 1:] for i in range(len(whole)) for b in (0, 0x7B, 0xFF)]
        for _ in range(2000):
            data = bytearray(whole)
            for i in rng.integers(0, len(data), rng.integers(1, 6)):
                data[i] = rng.integers(0, 256)
            variants.append(bytes(data))
        loaded = raised = 0
        for data in variants:
            open(path, "wb").write(data)
            try:
                swiftnn.load(path)
                loaded += 1
            except OSError:
                raised += 1
        print("loaded", loaded, "raised", raised)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"interpreter died (status {done.returncode}): {done.stderr[-800:]}"
    loaded, raised = (int(n) for n in done.stdout.split()[1::2])
    assert raised > 1000 and loaded > 0


def test_save_failing_mid_write_leaves_the_previous_file_intact(tmp_path):
    """A file-size limit makes the disk refuse the data half way through (EFBIG), as a
    full disk would: the error is an OSError, the old file is untouched, nothing is left over."""
    target = tmp_path / "model.safetensors"
    swiftnn.save({"w": np.ones(4)}, target)
    before = target.read_bytes()
    program = textwrap.dedent(f"""
        import resource, signal
        import numpy as np, swiftnn
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))
        try:
            swiftnn.save({{"w": np.zeros((100, 1000))}}, {str(target)!r})
        except OSError as error:
            print("OSError:", error)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-800:]
    assert done.stdout.startswith("OSError:") and str(target) in done.stdout and "too large" in done.stdout
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.safetensors"]

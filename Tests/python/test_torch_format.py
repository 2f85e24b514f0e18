"""swiftnn.load / swiftnn.save with PyTorch checkpoint files (.pt/.pth), no PyTorch needed:
files written from the format's specification (torch_checkpoint_writer.py) are read,
ours are checked against the same specification, and hostile files are refused."""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import swiftnn
from swiftnn import models
from swiftnn.nn.utils import consume_prefix_in_state_dict_if_present
from torch_checkpoint_writer import Storage, TensorRef, fake_torch, write_legacy, write_zip


def _state(rng):
    w = rng.standard_normal(12).astype(np.float32)
    return w, collections.OrderedDict([
        ("fc.weight", TensorRef(Storage("0", w), (3, 4))),
        ("fc.bias", TensorRef(Storage("1", [1.5, -2.0, 0.25]), (3,), parameter=True)),
        ("bn.num_batches_tracked", TensorRef(Storage("2", [7], "int64"), ())),
    ])


@pytest.mark.parametrize("layout", ["zip", "legacy"])
def test_reads_state_dict(tmp_path, rng, layout):
    w, state = _state(rng)
    path = tmp_path / "model.pth"
    (write_zip if layout == "zip" else write_legacy)(path, state)
    loaded = swiftnn.load(path)
    assert list(loaded) == ["fc.weight", "fc.bias", "bn.num_batches_tracked"]
    np.testing.assert_array_equal(loaded["fc.weight"].numpy(), w.reshape(3, 4))
    np.testing.assert_array_equal(loaded["fc.bias"].numpy(), [1.5, -2.0, 0.25])
    assert loaded["bn.num_batches_tracked"].shape == () and loaded["bn.num_batches_tracked"].item() == 7


def test_dtypes_are_converted_exactly(tmp_path, rng):
    values = rng.standard_normal(6).astype(np.float32)
    bf16 = (values.view(np.uint32) & 0xFFFF0000).view(np.float32)   # exactly representable in bfloat16
    obj = {"half": TensorRef(Storage("0", values.astype(np.float16), "float16"), (2, 3)),
           "bf16": TensorRef(Storage("1", bf16, "bfloat16"), (6,)),
           "double": TensorRef(Storage("2", values.astype(np.float64), "float64"), (6,)),
           "long": TensorRef(Storage("3", [-3, 0, 2 ** 24], "int64"), (3,)),
           "mask": TensorRef(Storage("4", [True, False], "bool"), (2,))}
    write_zip(tmp_path / "d.pt", obj)
    loaded = swiftnn.load(tmp_path / "d.pt")
    np.testing.assert_array_equal(loaded["half"].numpy(), values.astype(np.float16).astype(np.float32).reshape(2, 3))
    np.testing.assert_array_equal(loaded["bf16"].numpy(), bf16)
    np.testing.assert_array_equal(loaded["double"].numpy(), values)
    np.testing.assert_array_equal(loaded["long"].numpy(), [-3, 0, 2 ** 24])
    np.testing.assert_array_equal(loaded["mask"].numpy(), [1, 0])


def test_strided_offset_and_shared_storages(tmp_path):
    base = np.arange(24, dtype=np.float32)
    shared = Storage("0", base)
    obj = {"t": TensorRef(shared, (4, 3), stride=(1, 4)),            # a transposed [3, 4] view
           "tail": TensorRef(shared, (2, 5), offset=14),             # same storage, offset
           "step": TensorRef(shared, (3,), stride=(7,), offset=2),
           "empty": TensorRef(Storage("1", []), (0, 5))}
    write_zip(tmp_path / "s.pt", obj)
    loaded = swiftnn.load(tmp_path / "s.pt")
    np.testing.assert_array_equal(loaded["t"].numpy(), base[:12].reshape(3, 4).T)
    np.testing.assert_array_equal(loaded["tail"].numpy(), base[14:24].reshape(2, 5))
    np.testing.assert_array_equal(loaded["step"].numpy(), [2, 9, 16])
    assert loaded["empty"].shape == (0, 5)


def test_big_endian_and_missing_byteorder(tmp_path):
    values = np.array([1.25, -3.5, 1e-3], np.float32)
    write_zip(tmp_path / "be.pt", {"w": TensorRef(Storage("0", values, big_endian=True), (3,))}, byteorder="big")
    np.testing.assert_array_equal(swiftnn.load(tmp_path / "be.pt")["w"].numpy(), values)
    write_zip(tmp_path / "old.pt", {"w": TensorRef(Storage("0", values), (3,))}, byteorder=None, prefix="old")
    np.testing.assert_array_equal(swiftnn.load(tmp_path / "old.pt")["w"].numpy(), values)


def test_zoo_model_loads_a_pytorch_state_dict(tmp_path, rng):
    model = models.ResNet18()
    expected = model.state_dict()
    state = collections.OrderedDict()
    for i, (key, array) in enumerate(expected.items()):
        dtype = "int64" if key.endswith("num_batches_tracked") else "float32"
        array = np.full(array.shape, 5, np.int64) if dtype == "int64" else rng.standard_normal(array.shape)
        if key.endswith("running_var"):
            array = np.abs(array) + 0.5
        state[key] = TensorRef(Storage(str(i), np.asarray(array).ravel(), dtype), array.shape,
                               parameter=not key.startswith("running"))
        expected[key] = array
    write_zip(tmp_path / "resnet18.pth", state)
    fresh = models.ResNet18()
    fresh.load_state_dict(swiftnn.load(tmp_path / "resnet18.pth"))
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, np.asarray(expected[key], np.float32), err_msg=key)


def test_save_writes_what_torch_load_expects(tmp_path, rng):
    model = swiftnn.nn.Sequential(swiftnn.nn.Linear(4, 3), swiftnn.nn.BatchNorm1d(3))
    path = tmp_path / "seq.pt"
    swiftnn.save(model.state_dict(), path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0] == "seq/data.pkl" and "seq/byteorder" in names and "seq/version" in names
        assert archive.read("seq/byteorder") == b"little" and archive.read("seq/version") == b"3\n"
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        for info in archive.infolist():
            if info.filename.startswith("seq/data/"):
                assert (info.header_offset + 30 + len(info.filename) + len(info.extra)) % 64 == 0
        data_pkl = archive.read("seq/data.pkl")
        storages = {n.rsplit("/", 1)[1]: archive.read(n) for n in names if n.startswith("seq/data/")}
    assert data_pkl[:2] == b"\x80\x02"   # pickle protocol 2
    # An independent reader: the standard unpickler, resolving only the globals torch's weights-only loader allows.
    allowed = {("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2"),
               ("torch", "FloatStorage"), ("torch", "LongStorage")}

    class Reader(pickle.Unpickler):
        def find_class(self, module, name):
            assert (module, name) in allowed, (module, name)
            if module == "collections":
                return collections.OrderedDict
            if module == "torch":
                return name
            return lambda storage, offset, size, stride, grad, hooks: (storage, offset, size, stride)

        def persistent_load(self, pid):
            kind, storage_type, key, location, count = pid
            assert kind == "storage" and location == "cpu"
            dtype = np.float32 if storage_type == "FloatStorage" else np.int64
            return np.frombuffer(storages[key], dtype="<" + np.dtype(dtype).str[1:], count=count)

    state = Reader(io.BytesIO(data_pkl)).load()
    assert isinstance(state, collections.OrderedDict) and list(state) == list(model.state_dict())
    for key, expected in model.state_dict().items():
        storage, offset, size, stride = state[key]
        assert offset == 0 and size == expected.shape
        np.testing.assert_array_equal(storage.reshape(size), expected)
    assert state["1.num_batches_tracked"][0].dtype == np.int64


def test_save_load_round_trip_of_nested_objects(tmp_path):
    shared = swiftnn.tensor([[1.0, 2.0], [3.0, 4.0]])
    obj = {"epoch": 3, "lr": 0.1, "name": "résumé", "flags": [True, None], "big": 2 ** 40, "neg": -5,
           "nested": (1, [shared, shared]), "ints": np.arange(3, dtype=np.int64)}
    swiftnn.save(obj, tmp_path / "ckpt.pth")
    with zipfile.ZipFile(tmp_path / "ckpt.pth") as archive:
        assert sum(n.startswith("ckpt/data/") for n in archive.namelist()) == 2   # one storage per object
    back = swiftnn.load(tmp_path / "ckpt.pth")
    assert {k: back[k] for k in ("epoch", "lr", "name", "flags", "big", "neg")} == \
        {"epoch": 3, "lr": 0.1, "name": "résumé", "flags": [True, None], "big": 2 ** 40, "neg": -5}
    assert back["nested"][0] == 1
    np.testing.assert_array_equal(back["nested"][1][1].numpy(), shared.numpy())
    np.testing.assert_array_equal(back["ints"].numpy(), [0, 1, 2])


def test_save_is_atomic_and_rejects_unsupported_values(tmp_path):
    target = tmp_path / "keep.pt"
    swiftnn.save({"w": np.ones(2, np.float32)}, target)
    before = target.read_bytes()
    with pytest.raises(TypeError, match="set"):
        swiftnn.save({"w": np.zeros(2, np.float32), "bad": {1, 2}}, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.pt"]
    with pytest.raises(TypeError, match="metadata"):
        swiftnn.save({}, tmp_path / "m.pt", metadata={"a": "b"})


class _RunsCode:
    def __reduce__(self):
        return os.system, ("touch pwned",)


def test_code_running_pickles_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_zip(tmp_path / "evil.pt", None, data_pkl=pickle.dumps({"w": _RunsCode()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"evil\.pt.*(posix|os)\.system"):
        swiftnn.load(tmp_path / "evil.pt")
    assert not (tmp_path / "pwned").exists()
    with fake_torch():
        unknown = pickle.dumps(collections.Counter(a=1), protocol=2)
    write_zip(tmp_path / "counter.pt", None, data_pkl=unknown)
    with pytest.raises(pickle.UnpicklingError, match=r"counter\.pt.*collections\.Counter"):
        swiftnn.load(tmp_path / "counter.pt")


def test_damaged_files_raise_oserror_naming_them(tmp_path):
    values = np.arange(6, dtype=np.float32)
    write_zip(tmp_path / "ok.pt", {"w": TensorRef(Storage("0", values), (2, 3))})
    data = (tmp_path / "ok.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(OSError, match=r"cut\.pt"):
        swiftnn.load(tmp_path / "cut.pt")
    write_zip(tmp_path / "far.pt", {"w": TensorRef(Storage("0", values), (2, 3), stride=(3, 2))})
    with pytest.raises(OSError, match=r"far\.pt.*reaches past"):
        swiftnn.load(tmp_path / "far.pt")
    with zipfile.ZipFile(tmp_path / "nostorage.pt", "w") as archive:
        archive.writestr("a/data.pkl", zipfile.ZipFile(tmp_path / "ok.pt").read("archive/data.pkl"))
    with pytest.raises(OSError, match=r"nostorage\.pt.*missing"):
        swiftnn.load(tmp_path / "nostorage.pt")
    write_zip(tmp_path / "short.pt", {"w": TensorRef(Storage("0", values), (2, 3))})
    with zipfile.ZipFile(tmp_path / "short2.pt", "w") as out, zipfile.ZipFile(tmp_path / "short.pt") as src:
        for name in src.namelist():
            out.writestr(name, src.read(name)[:-4] if name.endswith("data/0") else src.read(name))
    with pytest.raises(OSError, match=r"short2\.pt.*bytes"):
        swiftnn.load(tmp_path / "short2.pt")
    with pytest.raises(FileNotFoundError):
        swiftnn.load(tmp_path / "absent.pt")


def test_dataparallel_prefix_is_explained_and_strippable(tmp_path):
    model = swiftnn.nn.Sequential(swiftnn.nn.Linear(2, 2))
    state = collections.OrderedDict(("module." + k, v) for k, v in model.state_dict().items())
    swiftnn.save(state, tmp_path / "dp.pth")
    loaded = swiftnn.load(tmp_path / "dp.pth")
    with pytest.raises(RuntimeError, match="DataParallel.*consume_prefix_in_state_dict_if_present"):
        model.load_state_dict(loaded)
    consume_prefix_in_state_dict_if_present(loaded, "module.")
    assert list(loaded) == ["0.weight", "0.bias"]
    model.load_state_dict(loaded)


def test_mutated_files_raise_only_oserror_or_unpicklingerror(tmp_path):
    """Random byte changes in data.pkl and in the whole file never crash or raise anything else."""
    rng = np.random.default_rng(7)
    values = np.arange(12, dtype=np.float32)
    state = collections.OrderedDict([("a.weight", TensorRef(Storage("0", values), (3, 4), parameter=True)),
                                     ("a.n", TensorRef(Storage("1", [3], "int64"), ())), ("meta", [1, "x", 2.5])])
    write_zip(tmp_path / "base.pt", state)
    with zipfile.ZipFile(tmp_path / "base.pt") as archive:
        records = {n: archive.read(n) for n in archive.namelist()}
    whole = (tmp_path / "base.pt").read_bytes()
    outcomes = collections.Counter()
    for trial in range(300):
        path = tmp_path / f"m{trial}.pt"
        if trial % 2:
            data = bytearray(records["archive/data.pkl"])
            for _ in range(rng.integers(1, 4)):
                data[rng.integers(len(data))] = rng.integers(256)
            write_zip(path, None, data_pkl=bytes(data))
            with zipfile.ZipFile(path, "a") as archive:
                for name in ("archive/data/0", "archive/data/1"):
                    archive.writestr(name, records[name])
        else:
            data = bytearray(whole)
            data[rng.integers(len(data))] ^= 1 << rng.integers(8)
            path.write_bytes(bytes(data))
        try:
            swiftnn.load(path)
            outcomes["loaded"] += 1
        except (OSError, pickle.UnpicklingError) as error:
            assert path.name in str(error), error
            outcomes[type(error).__name__] += 1
    assert outcomes["OSError"] + outcomes["UnpicklingError"] > 50, outcomes

"""Argument types of the op table and how each crosses every binding layer.

One class per table type. Each knows its C parameters, the Swift parameters
and the Swift expression that turns them into an engine value, the CPython
local, converter and cleanup, and the Python annotation and forwarder
expression. The Swift helpers named here live in Sources/SwiftNNC/Arguments.swift,
the C converters in CPython/convert.c.
"""


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class ArgType:
    c_params = ["{ctype} {name}"]      # C parameters (format fields: name)
    ctype = ""
    swift_params = ["_ {raw}: {stype}"]
    stype = ""
    swift_value = "{raw}"               # Swift expression for the engine value
    c_local = "{ctype} {name}"          # CPython local holding the converted value
    c_init = ""                         # its initialiser (types that need cleanup)
    converter = ""                      # int converter(PyObject*, const char* name, void* out)
    c_call = ["{name}"]                 # arguments passed to the engine call
    cleanup = ""                        # C statement releasing what the converter holds
    py_annotation = "object"
    py_value = "{name}"                 # forwarder expression passed to _C
    py_self_value = "{name}"            # the same for the method's self

    def __init__(self, enum=None):
        self.enum = enum

    def fields(self, name):
        return {"name": name, "raw": camel(name) + "Raw", "camel": camel(name), "ctype": self.ctype,
                "stype": self.stype, "enum": self.enum or "", "enum_camel": camel(self.enum or "")}

    def fmt(self, text, name):
        return text.format(**self.fields(name))

    def fmt_list(self, texts, name):
        return [self.fmt(t, name) for t in texts]


class Tensor(ArgType):
    ctype, stype = "swiftnn_tensor", "OpaquePointer?"
    swift_value = 'try tensorArg({raw}, "{name}")'
    converter = "tensor_from"
    py_annotation, py_value, py_self_value = "TensorLike", "_h({name})", "self._h"


class OptionalTensor(Tensor):
    swift_value = 'try optionalTensorArg({raw}, "{name}")'
    converter = "optional_tensor_from"
    py_annotation, py_value = "Optional[TensorLike]", "_optional_h({name})"


class TensorList(ArgType):
    c_params = ["const swiftnn_tensor* {name}", "int64_t {name}_count"]
    swift_params = ["_ {raw}: UnsafePointer<OpaquePointer?>?", "_ {raw}Count: Int64"]
    swift_value = 'try tensorListArg({raw}, {raw}Count, "{name}")'
    c_local, c_init = "TensorList {name}", " = {{0}}"
    converter, cleanup = "tensor_list_from", "tensor_list_release(&{name});"
    c_call = ["(const swiftnn_tensor*){name}.v", "{name}.n"]
    py_annotation, py_value = "Sequence[TensorLike]", '_handles({name}, "{name}")'


class Int(ArgType):
    ctype, stype = "int64_t", "Int64"
    swift_value = 'try intArg({raw}, "{name}")'
    converter = "int64_from"
    py_annotation = "int"


class OptionalInt(ArgType):
    ctype = stype = "swiftnn_optional_int64"
    swift_value = 'try optionalIntArg({raw}, "{name}")'
    converter = "optional_int64_from"
    py_annotation = "Optional[int]"


class Float(ArgType):
    ctype, stype = "float", "Float"
    converter = "float_from"
    py_annotation = "float"


class OptionalFloat(ArgType):
    ctype = stype = "swiftnn_optional_double"
    swift_value = "optionalFloatArg({raw})"
    converter = "optional_double_from"
    py_annotation = "Optional[float]"


class Bool(ArgType):
    ctype, stype = "int", "Int32"
    swift_value = "{raw} != 0"
    converter = "bool_from"
    py_annotation = "bool"


class Pair(ArgType):
    """An int or an (h, w) pair; C sees two int64 values."""
    c_params = ["const int64_t {name}[2]"]
    stype = "UnsafePointer<Int64>?"
    swift_value = 'try pairArg({raw}, "{name}")'
    c_local, converter, c_call = "PairArg {name}", "pair_from", ["{name}.v"]
    py_annotation = "IntPair"


class OptionalPair(ArgType):
    """An int or a pair whose entries may be None (keep that input size)."""
    c_params = ["const swiftnn_optional_int64 {name}[2]"]
    stype = "UnsafePointer<swiftnn_optional_int64>?"
    swift_value = 'try optionalPairArg({raw}, "{name}")'
    c_local, converter, c_call = "OptionalPairArg {name}", "optional_pair_from", ["{name}.v"]
    py_annotation = "Union[int, None, Tuple[Optional[int], Optional[int]]]"


class Stride(OptionalPair):
    """A pooling stride: an int or a pair, or None (or []) for the kernel size."""
    swift_value = 'try strideArg({raw}, "{name}")'
    converter = "stride_from"
    py_annotation = "Optional[IntPair]"


class ConvPadding(ArgType):
    """An int, a pair, 'valid' or 'same': a pair plus a padding_mode in C."""
    c_params = ["const int64_t {name}[2]", "int {name}_mode"]
    swift_params = ["_ {raw}: UnsafePointer<Int64>?", "_ {raw}Mode: Int32"]
    swift_value = 'try convPaddingArg({raw}, {raw}Mode, "{name}")'
    c_local, converter, c_call = "ConvPaddingArg {name}", "conv_padding_from", ["{name}.v", "{name}.mode"]
    py_annotation = "Union[str, IntPair]"


class Dims(ArgType):
    """A shape or dim list (an int is a list of one)."""
    c_params = ["const int64_t* {name}", "int {name}_ndim"]
    swift_params = ["_ {raw}: UnsafePointer<Int64>?", "_ {raw}Count: Int32"]
    swift_value = 'try shapeArg({raw}, {raw}Count)'
    c_local, converter, c_call = "DimList {name}", "dims_from", ["{name}.v", "{name}.n"]
    py_annotation = "Union[int, Sequence[int]]"


class OptionalDims(Dims):
    """None or () means every dimension: a NULL pointer in C."""
    swift_value = 'try dimsArg({raw}, {raw}Count)'
    converter, c_call = "optional_dims_from", ["{name}.all ? NULL : {name}.v", "{name}.n"]
    c_local = "DimList {name}"
    py_annotation = "Union[None, int, Sequence[int]]"


class DimsOrAll(OptionalDims):
    """None means every dimension, () none of them (squeeze's dim)."""
    converter = "dims_or_all_from"


class Int64Array(ArgType):
    """Integer values (class indices) of any array-like; whole-number floats are accepted."""
    c_params = ["const int64_t* {name}", "int64_t {name}_count"]
    swift_params = ["_ {raw}: UnsafePointer<Int64>?", "_ {raw}Count: Int64"]
    swift_value = 'try int64ArrayArg({raw}, {raw}Count, "{name}")'
    c_local, c_init = "Int64Array {name}", " = {{0}}"
    converter, cleanup = "int64_array_from", "int64_array_release(&{name});"
    c_call = ["{name}.v", "{name}.n"]
    py_annotation = "ArrayLike"


class Enum(ArgType):
    """A name from the table's enum (Python passes the string; C an int code)."""
    ctype, stype = "int", "Int32"
    swift_value = 'try {enum_camel}Arg({raw}, "{name}")'
    converter = "enum_{enum}_from"
    py_annotation = "str"


class Int32(Int):
    """A small count the C ABI passes as an int (prefetch depth, a mode)."""
    ctype, stype = "int", "Int32"
    swift_value = "Int({raw})"
    converter = "int32_from"


class UInt64(ArgType):
    """A seed: any non-negative int below 2**64."""
    ctype, stype = "uint64_t", "UInt64"
    converter = "uint64_from"
    py_annotation = "int"


class Double(Float):
    ctype, stype = "double", "Double"
    converter = "double_from"


class String(ArgType):
    """Text (a kind, a name, JSON): UTF-8, NUL-terminated."""
    ctype, stype = "const char*", "UnsafePointer<CChar>?"
    swift_value = 'try stringArg({raw}, "{name}")'
    converter = "string_from"
    py_annotation = "str"


class OptionalString(String):
    """Text or None (a NULL pointer)."""
    swift_value = "{raw}.map {{ String(cString: $0) }}"
    converter = "optional_string_from"
    py_annotation = "Optional[str]"


class Path(String):
    """A file-system path (str or os.PathLike), passed as bytes in the file-system encoding."""
    c_local, c_init, c_call = "PathArg {name}", " = {{0}}", ["{name}.v"]
    converter, cleanup = "path_from", "Py_XDECREF({name}.holder);"
    py_annotation = "str"


class Bytes(ArgType):
    """A bytes-like object (bytes, bytearray, memoryview): pointer + size in C."""
    c_params = ["const uint8_t* {name}", "int64_t {name}_size"]
    swift_params = ["_ {raw}: UnsafePointer<UInt8>?", "_ {raw}Size: Int64"]
    swift_value = 'try bytesArg({raw}, {raw}Size, "{name}")'
    c_local, c_init = "Py_buffer {name}", " = {{0}}"
    converter, cleanup = "bytes_from", "if ({name}.obj) PyBuffer_Release(&{name});"
    c_call = ["(const uint8_t*){name}.buf", "(int64_t){name}.len"]
    py_annotation = "bytes"


class Handle(ArgType):
    """An engine object other than a tensor; the kind names its C handle type and the
    Swift lookup ({kind}Arg in Sources/SwiftNNC) and CPython converter ({kind}_from)."""
    stype = "OpaquePointer?"
    py_annotation = "object"

    def __init__(self, kind, optional=False):
        super().__init__()
        self.ctype = f"swiftnn_{kind}"
        self.swift_value = f"try {{raw}}.map {{{{ try {kind}Arg($0) }}}}" if optional else f"try {kind}Arg({{raw}})"
        self.converter = f"{'optional_' if optional else ''}{kind}_from"


class HandleList(ArgType):
    """A sequence of engine objects of one kind: pointer + count in C."""
    swift_params = ["_ {raw}: UnsafePointer<OpaquePointer?>?", "_ {raw}Count: Int64"]
    c_local, c_init = "HandleList {name}", " = {{0}}"
    cleanup = "handle_list_release(&{name});"
    py_annotation = "Sequence[object]"

    def __init__(self, kind, swift_class):
        super().__init__()
        self.c_params = [f"const swiftnn_{kind}* {{name}}", "int64_t {name}_count"]
        self.swift_value = f'try handleList({{raw}}, {{raw}}Count, as: {swift_class}.self, "{{name}}")'
        self.converter = f"{kind}_list_from"
        self.c_call = [f"(const swiftnn_{kind}*){{name}}.v", "{name}.n"]


# Engine objects a table row may take or return, with their Swift classes.
HANDLE_KINDS = {"module": "Module", "optimizer": "Optimizer", "scheduler": "LRScheduler",
                "dataset": "DatasetBox", "transform": "TransformBox", "loader": "LoaderBox"}

TYPES = {
    "int32": Int32, "uint64": UInt64, "double": Double, "str": String, "str?": OptionalString, "path": Path, "bytes": Bytes,
    "optimizers": lambda: HandleList("optimizer", "Optimizer"), "stride": Stride,
    "tensor": Tensor, "tensor?": OptionalTensor, "tensors": TensorList, "int": Int, "int?": OptionalInt,
    "float": Float, "float?": OptionalFloat, "bool": Bool, "pair": Pair, "pair?": OptionalPair,
    "conv_padding": ConvPadding, "dims": Dims, "dims?": OptionalDims, "dims_or_all": DimsOrAll, "int64s": Int64Array,
    "modules": lambda: HandleList("module", "Module"),
}


def arg_type(spec):
    if spec.startswith("enum:"):
        return Enum(spec[len("enum:"):])
    if spec.rstrip("?") in HANDLE_KINDS:
        return Handle(spec.rstrip("?"), optional=spec.endswith("?"))
    if spec not in TYPES:
        raise SystemExit(f"codegen: unknown argument type {spec!r} (known: {', '.join(TYPES)}, {', '.join(HANDLE_KINDS)}, enum:NAME)")
    return TYPES[spec]()


def array_result(ctype, stype, numpy_type):
    """NumPy out: a new array of `result_size` values (an int argument) that the extension
    allocates and the engine fills (C: the caller's buffer of that many values)."""
    return {"c_out": f"{ctype}* out", "swift_out": f"_ out: UnsafeMutablePointer<{stype}>?",
            "swift_call": "returningArray(out, {size})", "c_local": "PyArrayObject* out = NULL;",
            "c_alloc": f"(out = new_array({{size}}, {numpy_type}))", "c_args": ["PyArray_DATA(out)"],
            "c_return": "array_result(status, out)", "py": "ArrayLike", "py_wrap": "{}"}


def handle_result(kind):
    return {"c_out": f"swiftnn_{kind}* out", "swift_out": "_ out: UnsafeMutablePointer<OpaquePointer?>?",
            "swift_call": "returningHandle(out)", "c_local": f"swiftnn_{kind} out = NULL;",
            "c_return": f"status ? raise_status(status) : wrap_{kind}(out)", "py": "object", "py_wrap": "{}"}


# Results: the C out-parameter, the Swift helper that writes it, the CPython tail.
RESULTS = {
    "tensor": {"c_out": "swiftnn_tensor* out", "swift_out": "_ out: UnsafeMutablePointer<OpaquePointer?>?",
               "swift_call": "returningHandle(out)", "c_local": "swiftnn_tensor out = NULL;",
               "c_return": "tensor_result(status, out)", "py": "Tensor", "py_wrap": "_wrap({})"},
    "tensor?": {"c_out": "swiftnn_tensor* out", "swift_out": "_ out: UnsafeMutablePointer<OpaquePointer?>?",
                "swift_call": "returningHandle(out)", "c_local": "swiftnn_tensor out = NULL;",
                "c_return": "optional_tensor_result(status, out)", "py": "Optional[Tensor]", "py_wrap": "_optional_wrap({})"},
    "int": {"c_out": "int64_t* out", "swift_out": "_ out: UnsafeMutablePointer<Int64>?",
            "swift_call": "returningValue(out)", "c_local": "int64_t out = 0;",
            "c_return": "status ? raise_status(status) : PyLong_FromLongLong(out)", "py": "int", "py_wrap": "{}"},
    "bool": {"c_out": "int* out", "swift_out": "_ out: UnsafeMutablePointer<Int32>?",
             "swift_call": "returningFlag(out)", "c_local": "int out = 0;",
             "c_return": "status ? raise_status(status) : PyBool_FromLong(out)", "py": "bool", "py_wrap": "{}"},
    "uint64": {"c_out": "uint64_t* out", "swift_out": "_ out: UnsafeMutablePointer<UInt64>?",
               "swift_call": "returningValue(out)", "c_local": "uint64_t out = 0;",
               "c_return": "status ? raise_status(status) : PyLong_FromUnsignedLongLong(out)", "py": "int", "py_wrap": "{}"},
    "double": {"c_out": "double* out", "swift_out": "_ out: UnsafeMutablePointer<Double>?",
               "swift_call": "returningValue(out)", "c_local": "double out = 0;",
               "c_return": "status ? raise_status(status) : PyFloat_FromDouble(out)", "py": "float", "py_wrap": "{}"},
    # Text the engine writes like swiftnn_module_repr: the wrapper asks for the length, then the text.
    "text": {"c_out": "char* buf, int64_t capacity, int64_t* length",
             "swift_out": "_ buf: UnsafeMutablePointer<CChar>?, _ capacity: Int64, _ length: UnsafeMutablePointer<Int64>?",
             "swift_call": "returningText(buf, capacity, length)", "c_local": "char* buf = NULL;\n    int64_t length = 0;",
             "c_return": "text_result(status, buf)", "py": "str", "py_wrap": "{}"},
    # A tensor and int64 indices (max over a dim, max pooling): the engine allocates the indices
    # (free them with swiftnn_buffer_free); Python gets (Tensor, int64 array shaped like the tensor).
    "tensor_and_indices": {
        "c_out": "swiftnn_tensor* out, int64_t** indices, int64_t* count",
        "swift_out": "_ out: UnsafeMutablePointer<OpaquePointer?>?, "
                     "_ indices: UnsafeMutablePointer<UnsafeMutablePointer<Int64>?>?, _ count: UnsafeMutablePointer<Int64>?",
        "swift_call": "returningIndexed(out, indices, count)",
        "c_local": "swiftnn_tensor out = NULL;\n    int64_t* indices = NULL;\n    int64_t count = 0;",
        "c_args": ["&out", "&indices", "&count"],
        "c_return": "indexed_result(status, out, indices, count)", "py": "Tuple[_tensor.Tensor, ArrayLike]",
        "py_wrap": "_wrap_indexed({})"},
    # Several tensors (split, chunk): the engine allocates the array of new handles (free the
    # array, not the handles, with swiftnn_buffer_free); Python gets a tuple.
    "tensors": {"c_out": "swiftnn_tensor** outs, int64_t* count",
                "swift_out": "_ outs: UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>?, "
                             "_ count: UnsafeMutablePointer<Int64>?",
                "swift_call": "returningHandles(outs, count)", "c_local": "swiftnn_tensor* outs = NULL;\n    int64_t count = 0;",
                "c_args": ["&outs", "&count"], "c_return": "tensors_result(status, outs, count)",
                "py": "Tuple[Tensor, ...]", "py_wrap": "tuple(_wrap(h) for h in {})"},
    "none": {"c_out": None, "swift_out": None, "swift_call": "guarded", "c_local": "",
             "c_return": "none_result(status)", "py": "None", "py_wrap": "{}"},
}
RESULTS.update({kind: handle_result(kind) for kind in HANDLE_KINDS})
RESULTS["int64_array"] = array_result("int64_t", "Int64", "NPY_INT64")
RESULTS["float64_array"] = array_result("double", "Double", "NPY_FLOAT64")

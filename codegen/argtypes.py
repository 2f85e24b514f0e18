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
    c_call = ["{name}.v", "{name}.n"]
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


TYPES = {
    "tensor": Tensor, "tensor?": OptionalTensor, "tensors": TensorList, "int": Int, "int?": OptionalInt,
    "float": Float, "float?": OptionalFloat, "bool": Bool, "pair": Pair, "pair?": OptionalPair,
    "conv_padding": ConvPadding, "dims": Dims, "dims?": OptionalDims, "int64s": Int64Array,
}


def arg_type(spec):
    if spec.startswith("enum:"):
        return Enum(spec[len("enum:"):])
    if spec not in TYPES:
        raise SystemExit(f"codegen: unknown argument type {spec!r} (known: {', '.join(TYPES)}, enum:NAME)")
    return TYPES[spec]()


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
    # Values plus the int64 index each came from (sort, topk): the caller sizes the index buffer
    # to the first tensor argument's numel, which bounds every such result; the tail trims it.
    "tensor_indices": {"c_out": "swiftnn_tensor* out, int64_t* indices, int64_t capacity",
                       "swift_out": "_ out: UnsafeMutablePointer<OpaquePointer?>?, "
                                    "_ indices: UnsafeMutablePointer<Int64>?, _ capacity: Int64",
                       "swift_call": "returningIndexed(out, indices, capacity)",
                       "c_local": "swiftnn_tensor out = NULL;\n    IndexBuffer indices = {0};",
                       "c_prepare": "index_buffer_for(&indices, {first_tensor})",
                       "c_call_out": ["&out", "indices.v", "indices.n"],
                       "c_return": "indexed_result(status, out, &indices)", "py": "Tuple[Tensor, Tensor]",
                       "py_wrap": "_wrap_indexed({})"},
    "none": {"c_out": None, "swift_out": None, "swift_call": "guarded", "c_local": "",
             "c_return": "none_result(status)", "py": "None", "py_wrap": "{}"},
}

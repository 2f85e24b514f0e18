"""Reads codegen/ops.toml into Op and Enum records (Python 3.11's tomllib, no other dependency)."""
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from argtypes import RESULTS, arg_type, camel

SURFACES = {"swiftnn", "tensor", "tensor_property", "functional"}


@dataclass
class Enum:
    name: str
    values: list
    doc: str
    swift: str = ""

    @property
    def c_name(self):
        return f"swiftnn_{self.name}"

    def c_value(self, value):
        return f"SWIFTNN_{self.name.upper()}_{value.upper()}"


@dataclass
class Arg:
    name: str
    type_name: str
    default: str = None        # Python source text, or None when required
    keyword_only: bool = False

    def __post_init__(self):
        self.type = arg_type(self.type_name)

    @property
    def camel(self):
        return camel(self.name)


@dataclass
class Op:
    name: str
    args: list
    swift: str
    doc: str
    result: str = "tensor"
    python: list = field(default_factory=list)
    dunder: list = field(default_factory=list)
    rdunder: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    c_symbol: str = ""
    group: str = ""
    inplace: bool = False      # writes into its first argument; Python rebinds it to the result
    inplace_variant: str = ""  # the in-place op nn.functional calls when given inplace=True
    setter: str = ""           # tensor_property: the op whose call assigns the property
    result_size: str = ""      # int64_array / float64_array: the int argument counting the values

    @property
    def size_arg(self):
        return next(a for a in self.args if a.name == self.result_size)

    @property
    def c_name(self):
        return self.c_symbol or f"swiftnn_{self.name}"

    @property
    def result_info(self):
        return RESULTS[self.result]


def parse_arg(spec, keyword_only):
    head, _, default = spec.partition("=")
    name, _, type_name = head.partition(":")
    if not type_name:
        raise SystemExit(f"codegen: argument {spec!r} needs 'name: type'")
    return Arg(name.strip(), type_name.strip(), default.strip() or None, keyword_only)


def parse_op(row, group):
    unknown = set(row) - {"name", "args", "swift", "doc", "result", "python", "dunder", "rdunder", "ignored", "c_name", "inplace",
                       "inplace_variant", "setter", "result_size"}
    if unknown:
        raise SystemExit(f"codegen: op {row.get('name')!r} has unknown fields {sorted(unknown)}")
    args, keyword_only = [], False
    for spec in row["args"]:
        if spec.strip() == "*":
            keyword_only = True
            continue
        args.append(parse_arg(spec, keyword_only))
    op = Op(name=row["name"], args=args, swift=row["swift"], doc=row["doc"].strip(),
            result=row.get("result", "tensor"), python=row.get("python", []), dunder=row.get("dunder", []),
            rdunder=row.get("rdunder", []), ignored=row.get("ignored", []), c_symbol=row.get("c_name", ""), group=group,
            inplace=row.get("inplace", False), inplace_variant=row.get("inplace_variant", ""),
            setter=row.get("setter", ""), result_size=row.get("result_size", ""))
    if op.result not in RESULTS:
        raise SystemExit(f"codegen: op {op.name!r}: unknown result {op.result!r}")
    if ("c_alloc" in op.result_info) != bool(op.result_size) or \
            (op.result_size and op.result_size not in [a.name for a in op.args if a.type_name == "int"]):
        raise SystemExit(f"codegen: op {op.name!r}: array results need result_size naming an int argument")
    if set(op.python) - SURFACES:
        raise SystemExit(f"codegen: op {op.name!r}: unknown Python surfaces {sorted(set(op.python) - SURFACES)}")
    if op.inplace and (op.result != "tensor" or not op.args or op.args[0].type_name != "tensor" or op.rdunder):
        raise SystemExit(f"codegen: op {op.name!r}: an in-place op takes a tensor first and returns a tensor")
    if (op.dunder or op.rdunder) and "tensor" not in op.python:
        raise SystemExit(f"codegen: op {op.name!r}: operators need the 'tensor' surface")
    return op


def load(path):
    data = tomllib.loads(Path(path).read_text())
    enums = [Enum(name, e["values"], e["doc"], e.get("swift", "")) for name, e in data.get("enum", {}).items()]
    if "op" in data:
        raise SystemExit("codegen: put ops in a group: [[ops.GROUP]], not [[op]]")
    ops = [parse_op(row, group) for group, rows in data.get("ops", {}).items() for row in rows]
    names = [op.name for op in ops]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"codegen: ops declared twice: {sorted(duplicates)}")
    by_name = {op.name: op for op in ops}
    for op in ops:
        if op.setter and (op.setter not in by_name or len(by_name[op.setter].args) != 2):
            raise SystemExit(f"codegen: op {op.name!r}: setter {op.setter!r} must be an op of (tensor, value)")
    known = {e.name for e in enums}
    for op in ops:
        for arg in op.args:
            if arg.type.enum and arg.type.enum not in known:
                raise SystemExit(f"codegen: op {op.name!r}: unknown enum {arg.type.enum!r}")
    by_name = {op.name: op for op in ops}
    for op in ops:
        if not op.inplace_variant:
            continue
        variant = by_name.get(op.inplace_variant)
        if (variant is None or not variant.inplace or [a.name for a in variant.args] != [a.name for a in op.args]
                or not any(e.partition("=")[0] == "inplace" for e in op.ignored)):
            raise SystemExit(f"codegen: op {op.name!r}: inplace_variant must name an in-place op with the same "
                             "arguments, and 'inplace=False' must be among the ignored parameters")
    return enums, ops

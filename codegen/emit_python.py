"""Writes the Python side: forwarders for swiftnn.*, Tensor methods and
nn.functional, and the stub of the extension module (_C.pyi)."""
import re
from types import SimpleNamespace

HEADER = '''from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from {dots} import _C
from {dots}_op_args import (ArrayLike, IntPair, TensorLike, _h, _handles, _optional_h, _optional_wrap,  # noqa: F401
                        _tensor, _wrap, _wrap_indexed)
'''


def param(arg, with_default=True):
    text = f"{arg.name}: {arg.type.py_annotation}"
    return text + (f" = {arg.default}" if with_default and arg.default is not None else "")


def signature(op, args, leading=(), extra=()):
    parts, star = list(leading), False
    for arg in args:
        if arg.keyword_only and not star:
            parts.append("*")
            star = True
        parts.append(param(arg))
    parts += [f"{name}: object = {default}" for name, _, default in (e.partition("=") for e in extra)]
    return ", ".join(parts)


def call(op, values):
    inner = f"_C.{op.name}({', '.join(values)})"
    return op.result_info["py_wrap"].format(inner)


def docstring(op, indent):
    lines = op.doc.splitlines()
    body = lines[0] + "".join(f"\n{indent}{line}" for line in lines[1:])
    return f'{indent}"""{body}"""'


def rebinding(op, target, values, indent):
    """An in-place op's body: the engine returns the tensor to use from now on (same
    storage, new autograd node), which the Python object takes over."""
    return (f"{indent}{target}._h = _C.{op.name}({', '.join(values)})\n"
            f"{indent}return {target}")


def function(op, extra=()):
    values = [a.type.fmt(a.type.py_value, a.name) for a in op.args]
    if op.inplace:
        values[0] = f"{op.args[0].name}._h"
        body = rebinding(op, op.args[0].name, values, "    ")
    else:
        body = f"    return {call(op, values)}"
    if op.inplace_variant and any(e.partition("=")[0] == "inplace" for e in extra):  # same arguments (table.load)
        variant = SimpleNamespace(name=op.inplace_variant)
        inplace_values = [f"{op.args[0].name}._h"] + values[1:]
        body = f"    if inplace:\n{rebinding(variant, op.args[0].name, inplace_values, '        ')}\n{body}"
    return (f"def {op.name}({signature(op, op.args, extra=extra)}) -> {result_annotation(op)}:\n"
            f"{docstring(op, '    ')}\n{body}\n")


def method(op):
    first, rest = op.args[0], op.args[1:]
    values = [first.type.fmt(first.type.py_self_value, first.name)] + [a.type.fmt(a.type.py_value, a.name) for a in rest]
    result = '"_tensor.Tensor"' if op.result_info["py"] == "Tensor" else result_annotation(op)
    lines = [f"    def {op.name}({signature(op, rest, leading=['self'])}) -> {result}:",
             docstring(op, "        "),
             rebinding(op, "self", values, "        ") if op.inplace else f"        return {call(op, values)}", ""]
    for name in op.dunder:
        lines += [f"    {name} = {op.name}", ""]
    for name in op.rdunder:
        swapped = [f"_h({rest[0].name})", "self._h"] + values[2:]
        lines += [f"    def {name}(self, {rest[0].name}: TensorLike) -> \"_tensor.Tensor\":",
                  f"        return {call(op, swapped)}", ""]
    return "\n".join(lines)


def result_annotation(op):
    return re.sub(r"(?<![.\w])Tensor\b", "_tensor.Tensor", op.result_info["py"])


def tensor_property(op, ops):
    """A Tensor property read by op (and assigned by its setter op)."""
    lines = ["    @property", f"    def {op.name}(self) -> {result_annotation(op)}:",
             docstring(op, "        "), f"        return {call(op, ['self._h'])}", ""]
    if op.setter:
        setter = next(o for o in ops if o.name == op.setter)
        value = setter.args[1]
        lines += [f"    @{op.name}.setter", f"    def {op.name}(self, {param(value)}) -> None:",
                  f"        {call(setter, ['self._h', value.type.fmt(value.type.py_value, value.name)])}", ""]
    return "\n".join(lines)


def enum_table(enums):
    rows = "".join(f"\n    {e.name!r}: {tuple(e.values)!r}," for e in enums)
    return f"# The names of each enum of the op table, in code order.\nENUMS = {{{rows}\n}}\n"


def ops_module(enums, ops, banner):
    top = [op for op in ops if "swiftnn" in op.python]
    methods = [op for op in ops if "tensor" in op.python]
    out = [f'"""{banner}\n\nswiftnn.* functions and the Tensor methods of the op table."""',
           HEADER.format(dots="."), enum_table(enums)]
    out.append("__all__ = [" + ", ".join(f'"{op.name}"' for op in top) + "]\n")
    out += ["\n" + function(op) for op in top]
    out.append("\nclass TensorOps:\n    \"\"\"Tensor methods of the op table (Tensor derives from this).\"\"\"\n\n    __slots__ = ()\n")
    out += [method(op) for op in methods]
    out += [tensor_property(op, ops) for op in ops if "tensor_property" in op.python]
    return "\n".join(out).rstrip() + "\n"


def functional_module(enums, ops, banner):
    chosen = [op for op in ops if "functional" in op.python]
    out = [f'"""{banner}\n\nnn.functional forms of the op table."""', HEADER.format(dots=".."), enum_table(enums)]
    out.append("__all__ = [" + ", ".join(f'"{op.name}"' for op in chosen) + "]\n")
    out += ["\n" + function(op, extra=op.ignored) for op in chosen]
    return "\n".join(out).rstrip() + "\n"


def stub(enums, ops, banner):
    out = [f"# {banner}", "# The generated functions of swiftnn._C; the hand-written ones are declared by __getattr__.",
           "from typing import Any, Optional, Sequence, Tuple, Union", "",
           "class TensorHandle: ...", "",
           "Pair = Union[int, Tuple[int, int]]", ""]
    for enum in enums:
        out.append(f"# {enum.name}: {', '.join(repr(v) for v in enum.values)}")
    out.append("")
    stub_types = {"Tensor": "TensorHandle", "Optional[Tensor]": "Optional[TensorHandle]",
                  "Tuple[Tensor, Tensor]": "Tuple[TensorHandle, Any]"}
    for op in ops:
        params = []
        for a in op.args:
            annotation = a.type.py_annotation
            annotation = {"TensorLike": "TensorHandle", "Optional[TensorLike]": "Optional[TensorHandle]",
                          "Sequence[TensorLike]": "Sequence[TensorHandle]", "IntPair": "Pair",
                          "ArrayLike": "Any", "Union[str, IntPair]": "Union[str, Pair]"}.get(annotation, annotation)
            if a.type.enum:
                annotation = "Union[str, int]"  # a name or a code
            params.append(f"{a.name}: {annotation}")
        result = stub_types.get(op.result_info["py"], op.result_info["py"])
        out.append(f"def {op.name}({', '.join(params)}) -> {result}: ...")
    out += ["", "def __getattr__(name: str) -> Any: ...", ""]
    return "\n".join(out)

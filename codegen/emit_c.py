"""Writes the C side: the ops header and the CPython wrappers with their method table."""
import textwrap


def c_signature(op):
    params = [p for arg in op.args for p in arg.type.fmt_list(arg.type.c_params, arg.name)]
    if op.result_info["c_out"]:
        params.append(op.result_info["c_out"])
    return f"int {op.c_name}({', '.join(params) or 'void'});"


def comment(text, indent=""):
    lines = textwrap.wrap(text, 100 - len(indent) - 3)
    return "\n".join(f"{indent}/* {line} */" if len(lines) == 1 else f"{indent} * {line}" for line in lines) \
        if len(lines) == 1 else f"{indent}/*\n" + "\n".join(f"{indent} * {l}" for l in lines) + f"\n{indent} */"


def header(enums, ops, banner):
    out = [f"/* {banner} */", "#ifndef SWIFTNN_OPS_H", "#define SWIFTNN_OPS_H", ""]
    for enum in enums:
        out.append(comment(enum.doc))
        values = ", ".join(f"{enum.c_value(v)} = {i}" for i, v in enumerate(enum.values))
        out += [f"enum {enum.c_name} {{ {values} }};", ""]
    for op in ops:
        out += [comment(op.doc), c_signature(op)]
    out += ["", "#endif /* SWIFTNN_OPS_H */", ""]
    return "\n".join(out)


def enum_converter(enum):
    names = ", ".join(f'"{v}"' for v in enum.values)
    expected = ", ".join(enum.values[:-1]) + " or " + enum.values[-1]
    return f"""static inline int enum_{enum.name}_from(PyObject* obj, const char* name, void* out) {{
    static const char* const names[] = {{{names}, NULL}};
    return enum_from(obj, name, names, "{expected}", out);
}}
"""


# Python defaults the CPython wrappers apply too (trailing arguments only, as PyArg_Parse allows).
C_DEFAULTS = {"None": "Py_None", "True": "Py_True", "False": "Py_False"}


def optional_tail(op):
    tail = []
    for a in reversed(op.args):
        if a.default not in C_DEFAULTS:
            break
        tail.insert(0, a)
    return tail


def wrapper(op):
    info = op.result_info
    kwlist = ", ".join(f'"{a.name}"' for a in op.args)
    lines = [f"static PyObject* py_{op.name}(PyObject* self, PyObject* args, PyObject* kwargs) {{",
             f"    static char* kwlist[] = {{{kwlist + ', ' if kwlist else ''}NULL}};"]
    optional = optional_tail(op)
    if op.args:
        lines.append("    PyObject " + ", ".join(f"*o_{a.name}" + (f" = {C_DEFAULTS[a.default]}" if a in optional else "")
                                               for a in op.args) + ";")
    refs = "".join(f", &o_{a.name}" for a in op.args)
    spec = "O" * (len(op.args) - len(optional)) + ("|" + "O" * len(optional) if optional else "")
    lines.append(f'    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "{spec}:{op.name}", kwlist{refs}))')
    lines.append("        return NULL;")
    for a in op.args:
        lines.append(f"    {a.type.fmt(a.type.c_local, a.name)}{a.type.fmt(a.type.c_init, a.name)};")
    checks = " &&\n             ".join(f'{a.type.fmt(a.type.converter, a.name)}(o_{a.name}, "{a.name}", &{a.name})' for a in op.args)
    if info["c_local"]:
        lines.append(f"    {info['c_local']}")
    call_args = [c for a in op.args for c in a.type.fmt_list(a.type.c_call, a.name)]
    if info["c_out"]:
        call_args += info.get("c_args", ["&out"])
    lines.append("    int status = -1;")
    if "c_alloc" in info:  # the NumPy array the engine fills, sized by an argument
        checks += " &&\n             " + info["c_alloc"].format(size=op.size_arg.name)
    lines.append(f"    int ok = {checks};" if op.args else "    int ok = 1;")
    if op.result == "text":  # first the length, then the text into a buffer of that size
        ask = ", ".join(call_args[:-1] + ["NULL", "0", "&length"])
        fetch = ", ".join(call_args[:-1] + ["buf", "length + 1", "NULL"])
        lines.append(f"    if (ok) ENGINE(status, {op.c_name}({ask}));")
        lines.append(f"    if (ok && !status && (buf = text_buffer(length))) ENGINE(status, {op.c_name}({fetch}));")
    else:
        lines.append(f"    if (ok) ENGINE(status, {op.c_name}({', '.join(call_args)}));")
    for a in op.args:
        if a.type.cleanup:
            lines.append(f"    {a.type.fmt(a.type.cleanup, a.name)}")
    lines.append("    if (!ok) return NULL;")
    lines.append(f"    return {info['c_return']};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def groups(ops):
    names = []
    for op in ops:
        if op.group not in names:
            names.append(op.group)
    return {name: [op for op in ops if op.group == name] for name in names}


def cpython_header(enums, ops, banner):
    """Enum converters and the per-group method tables (CPython/ops_generated.h)."""
    out = [f"/* {banner} */", "#ifndef SWIFTNN_OPS_GENERATED_H", "#define SWIFTNN_OPS_GENERATED_H", "",
           '#include "swiftnn_ext.h"', ""]
    out += [enum_converter(e) for e in enums]
    out += [f"extern PyMethodDef ops_{group}_methods[];" for group in groups(ops)]
    out += ["", "#endif", ""]
    return "\n".join(out)


def cpython_tables(ops, banner):
    """The NULL-terminated list of method tables module.c adds (CPython/ops_generated.c)."""
    rows = "".join(f"    ops_{group}_methods,\n" for group in groups(ops))
    return (f'/* {banner} */\n#include "ops_generated.h"\n\n'
            f"PyMethodDef* const generated_method_tables[] = {{\n{rows}    NULL,\n}};\n")


def cpython_group(group, ops, banner):
    out = [f"/* {banner} */", '#include "ops_generated.h"', ""]
    out += [wrapper(op) for op in ops]
    out.append(f"PyMethodDef ops_{group}_methods[] = {{")
    for op in ops:
        doc = op.doc.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        out.append(f'    {{"{op.name}", (PyCFunction)(void (*)(void))py_{op.name}, METH_VARARGS | METH_KEYWORDS, "{doc}"}},')
    out += ["    {NULL, NULL, 0, NULL},", "};", ""]
    return "\n".join(out)

"""Writes the Swift side: one @_cdecl export per op and a converter per enum."""
import re


def enum_converter(enum):
    cases = "\n".join(f'    case {i}: name = "{v}"' for i, v in enumerate(enum.values))
    listing = ", ".join(f"{i} ({v})" for i, v in enumerate(enum.values))
    func = "".join(p.capitalize() if i else p for i, p in enumerate(enum.name.split("_")))
    result = enum.swift or "String"
    # The table lists the engine enum's raw values, so the lookup cannot fail; throwing keeps
    # the ABI free of traps should the two ever drift apart.
    tail = (f"    guard let value = {enum.swift}(rawValue: name) else {{\n"
            f"        throw SwiftNNError.runtime(\"\\(role): the engine has no {enum.swift} '\\(name)'\")\n"
            f"    }}\n    return value") if enum.swift else "    return name"
    return f"""/// {enum.doc}
func {func}Arg(_ code: Int32, _ role: String) throws -> {result} {{
    let name: String
    switch code {{
{cases}
    default: throw SwiftNNError.invalidArgument("\\(role) code must be one of {listing}, got \\(code)")
    }}
{tail}
}}
"""


def export(op):
    info = op.result_info
    params = [p for a in op.args for p in a.type.fmt_list(a.type.swift_params, a.name)]
    if info["swift_out"]:
        params.append(info["swift_out"])
    lines = [f'@_cdecl("{op.c_name}")',
             f"public func {op.c_name}({', '.join(params)}) -> Int32 {{",
             f"    {info['swift_call'].format(size=op.size_arg.camel + 'Raw') if op.result_size else info['swift_call']} {{"]
    for a in op.args:  # converted (so checked) even when the call does not use it, e.g. a result's size
        used = re.search(rf"\b{a.name}\b", op.swift)
        lines.append(f"        {'let ' + a.name if used else '_'} = {a.type.fmt(a.type.swift_value, a.name)}")
    body = op.swift if op.result == "none" else f"return {op.swift}"
    lines += [f"        {body}", "    }", "}"]
    return "\n".join(lines) + "\n"


def file_stem(group):
    return "".join(part.capitalize() for part in group.split("_"))


def swift_enums(enums, banner):
    out = [f"// {banner}", "import SwiftNN", ""]
    out += [enum_converter(e) for e in enums]
    return "\n".join(out)


def swift_group(ops, banner):
    out = [f"// {banner}", "import SwiftNN", "import SwiftNNABI", ""]
    out += [export(op) for op in ops]
    return "\n".join(out)

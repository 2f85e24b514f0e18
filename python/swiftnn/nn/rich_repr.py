"""How a Module shows itself in Jupyter/IPython: its layer tree (the repr) under a
short summary (the type and the parameter counts of each child), as HTML in a
notebook and as text in IPython's pretty printer."""
import html

__all__ = ["module_summary_rows", "module_summary_text", "module_summary_html"]


def _count(module):
    total = trainable = 0
    for param in module.parameters():
        n = param.numel()
        total += n
        trainable += n if param.requires_grad else 0
    return total, trainable


def module_summary_rows(module):
    """[(child name, child type, parameters)] for the direct children, and (total, trainable)."""
    rows = [(name, child._get_name(), _count(child)[0]) for name, child in module.named_children()]
    return rows, _count(module)


def module_summary_text(module):
    rows, (total, trainable) = module_summary_rows(module)
    lines = [repr(module), "-" * 48]
    lines += [f"{name:<20} {kind:<16} {params:>10,}" for name, kind, params in rows]
    lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    return "\n".join(lines)


def module_summary_html(module):
    rows, (total, trainable) = module_summary_rows(module)
    body = "".join(f"<tr><td>{html.escape(name)}</td><td>{html.escape(kind)}</td>"
                   f"<td style='text-align:right'>{params:,}</td></tr>" for name, kind, params in rows)
    table = (f"<table><thead><tr><th>child</th><th>type</th><th>parameters</th></tr></thead><tbody>{body}"
             f"</tbody></table>") if rows else ""
    return (f"<div><b>{html.escape(module._get_name())}</b>: {total:,} parameters ({trainable:,} trainable)"
            f"{table}<details><summary>layers</summary><pre>{html.escape(repr(module))}</pre></details></div>")

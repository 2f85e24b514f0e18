"""The case study's plots, drawn with matplotlib (an optional dependency):
train vs val loss, train vs val accuracy with the test accuracy, and the
confusion matrix. Each returns the matplotlib Figure and, given `path`, saves
it there (PNG by the file name)."""

__all__ = ["plot_loss_variation", "plot_acc_variation", "plot_confusion_matrix"]


def _pyplot():
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError("swiftnn.train plots need matplotlib: pip install matplotlib "
                          "(or pip install 'swiftnn[plots]')") from e
    if matplotlib.get_backend().lower() not in ("module://matplotlib_inline.backend_inline", "inline"):
        import os
        if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _finish(fig, path):
    from ..distributed.metrics import is_main_process
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    if path is not None and is_main_process():  # in an MPI job, rank 0 writes the file
        fig.savefig(path, dpi=100)
    return fig


# seaborn.FacetGrid arguments that only style a grid of facets; one axes has nothing to apply them to.
_FACET_LAYOUT = {"legend_out", "despine", "margin_titles", "sharex", "sharey", "dropna", "col_wrap", "subplot_kws",
                 "gridspec_kws"}


def _facet_options(kwargs, figsize):
    """(figsize, palette, xlim, ylim) from the case study's seaborn.FacetGrid keyword arguments:
    `height` (or its old name `size`) and `aspect` give the figure size as FacetGrid does
    (height x height*aspect inches); `figsize` may be given directly."""
    kwargs = dict(kwargs)
    height = kwargs.pop("height", kwargs.pop("size", None))
    aspect = kwargs.pop("aspect", 1)
    if height is not None:
        figsize = (float(height) * float(aspect), float(height))
    figsize = kwargs.pop("figsize", figsize)
    palette, xlim, ylim = kwargs.pop("palette", None), kwargs.pop("xlim", None), kwargs.pop("ylim", None)
    hue_order = kwargs.pop("hue_order", None)
    unknown = set(kwargs) - _FACET_LAYOUT
    if unknown:
        raise TypeError(f"unexpected keyword argument {sorted(unknown)[0]!r} (accepted: height/size, aspect, "
                        f"figsize, palette, hue_order, xlim, ylim and FacetGrid's layout options)")
    return figsize, palette, hue_order, xlim, ylim


def _variation(result, key, label, title, path, figsize, test_acc=None, **kwargs):
    plt = _pyplot()
    figsize, palette, hue_order, xlim, ylim = _facet_options(kwargs, figsize)
    fig, ax = plt.subplots(figsize=figsize)
    kinds = [k for k in (hue_order or ("train", "val")) if k in ("train", "val")]
    colors = dict(zip(kinds, palette)) if isinstance(palette, (list, tuple)) else {}
    for kind in kinds:
        values = result[f"{kind}_{key}"]
        ax.plot(range(len(values)), values, marker=".", label=kind, color=colors.get(kind))
    if xlim is not None:
        ax.set_xlim(xlim)
    if ylim is not None:
        ax.set_ylim(ylim)
    if test_acc is not None:
        ax.text(0.05, 0.95, "Test Acc: {:1.3f}".format(test_acc), transform=ax.transAxes, ha="left", va="center",
                bbox=dict(facecolor="yellow", alpha=0.5, boxstyle="round,pad=0.1"))
    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.legend(title="type")
    fig.suptitle(title)
    return _finish(fig, path)


def plot_loss_variation(result, path=None, figsize=(5, 4), **kwargs):
    """Train loss vs val loss per epoch (the reference's figure). Keyword arguments are the case
    study's seaborn.FacetGrid ones (`height`/`size`, `aspect`, `palette`, `xlim`, ...). Returns the Figure."""
    return _variation(result, "losses", "loss", "Train loss vs Val loss", path, figsize, **kwargs)


def plot_acc_variation(result, path=None, figsize=(5, 4), **kwargs):
    """Train vs val accuracy per epoch with the test accuracy in a box (the reference's figure);
    keyword arguments as plot_loss_variation. Returns the Figure."""
    return _variation(result, "accs", "Acc", "Train Accuracy vs Val Accuracy", path, figsize,
                      test_acc=result.get("test_acc"), **kwargs)


def plot_confusion_matrix(confusion, classes=None, path=None, figsize=(6, 5)):
    """The confusion matrix (rows: true class, columns: prediction) with its counts."""
    import numpy as np
    plt = _pyplot()
    confusion = np.asarray(confusion)
    classes = classes if classes is not None else [str(i) for i in range(len(confusion))]
    fig, ax = plt.subplots(figsize=figsize)
    image = ax.imshow(confusion, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ticks = range(len(classes))
    ax.set_xticks(ticks, labels=classes, rotation=45, ha="right")
    ax.set_yticks(ticks, labels=classes)
    threshold = confusion.max() / 2 if confusion.size else 0
    for i in ticks:
        for j in ticks:
            ax.text(j, i, int(confusion[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if confusion[i, j] > threshold else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.suptitle("Confusion matrix")
    return _finish(fig, path)

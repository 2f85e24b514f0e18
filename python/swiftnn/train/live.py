"""`LivePlot`: loss and accuracy curves that redraw while `fit` or `experiment` trains.

Pass it as the callback (`fit(..., callback=LivePlot())`, or `args.callback` for
`experiment`). In Jupyter the figure is one output that updates in place;
elsewhere it is drawn only when `path=` names a PNG file to rewrite. matplotlib
is needed to draw (an optional dependency)."""
import os
import tempfile

from .plots import _pyplot

__all__ = ["LivePlot"]


def _notebook_display():
    """IPython's display() when running in a Jupyter kernel, else None."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or "IPKernelApp" not in getattr(shell, "config", {}):
        return None
    return display


class LivePlot:
    """LivePlot(every=20, path=None, figsize=(10, 4), display=None): records each batch's loss
    and each epoch's train/val loss and accuracy, and redraws every `every` batches and at the
    end of each epoch. `display` is IPython's display function (found automatically in a notebook);
    `history` holds what was recorded; `figure` is the last drawing."""

    def __init__(self, every=20, path=None, figsize=(10, 4), display=None):
        if not isinstance(every, int) or every <= 0:
            raise ValueError(f"LivePlot: every must be a positive int, got {every!r}")
        self.every, self.path, self.figsize = every, path, figsize
        self._display = display if display is not None else _notebook_display()
        self._handle = None
        self.figure = None
        self.history = {"batch_epochs": [], "batch_losses": [], "train_losses": [], "train_accs": [],
                        "val_losses": [], "val_accs": []}
        self._batches_seen = 0

    def __call__(self, info):
        """The per-batch callback (a train.BatchInfo)."""
        self.history["batch_epochs"].append(info.epoch + (info.batch + 1) / max(info.batches, 1))
        self.history["batch_losses"].append(float(info.loss))
        self._batches_seen += 1
        if self._batches_seen % self.every == 0:
            self.draw()

    def epoch_end(self, train_loss=None, train_acc=None, val_loss=None, val_acc=None):
        """Records one epoch's metrics (fit and experiment call this) and redraws."""
        for key, value in (("train_losses", train_loss), ("train_accs", train_acc), ("val_losses", val_loss),
                           ("val_accs", val_acc)):
            if value is not None:
                self.history[key].append(float(value))
        self.draw()

    def _wanted(self):
        return self._display is not None or self.path is not None

    def draw(self):
        """Redraws the figure (a no-op when there is neither a notebook nor a path)."""
        if not self._wanted():
            return None
        plt = _pyplot()
        fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=self.figsize)
        h = self.history
        if h["batch_losses"]:
            loss_ax.plot(h["batch_epochs"], h["batch_losses"], color="0.75", linewidth=0.8, label="batch")
        for key, label in (("train_losses", "train"), ("val_losses", "val")):
            if h[key]:
                loss_ax.plot(range(1, len(h[key]) + 1), h[key], marker=".", label=label)
        for key, label in (("train_accs", "train"), ("val_accs", "val")):
            if h[key]:
                acc_ax.plot(range(1, len(h[key]) + 1), h[key], marker=".", label=label)
        loss_ax.set(xlabel="epoch", ylabel="loss", title="Loss")
        acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
        for ax in (loss_ax, acc_ax):
            if ax.lines:
                ax.legend()
        fig.tight_layout()
        plt.close(fig)  # shown through the display handle only, not again when the cell ends
        if self.path is not None:  # rewritten atomically: a viewer never sees half a PNG
            folder, name = os.path.split(os.path.abspath(self.path))
            fd, partial = tempfile.mkstemp(dir=folder, prefix="." + name + ".", suffix=".png")
            os.close(fd)
            try:
                fig.savefig(partial, dpi=80, format="png")
                os.replace(partial, self.path)
            finally:
                if os.path.exists(partial):
                    os.remove(partial)
        if self._display is not None:
            if self._handle is None:
                self._handle = self._display(fig, display_id=True)
            else:
                self._handle.update(fig)
        self.figure = fig
        return fig

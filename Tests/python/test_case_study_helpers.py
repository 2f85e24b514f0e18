"""The case study's helpers as it wrote them (issue 11, item 8) and the notebook niceties
(issue 12, item 3): no clipping unless args.clip, its CIFAR-10 class names, seaborn-style
plot keywords, LivePlot, and models' rich display."""
import argparse
import importlib
import pickle

import numpy as np
import pytest

import swiftnn as torch
import swiftnn.nn as nn
import swiftnn.transforms as transforms
from swiftnn import datasets, models, train
from swiftnn.train import experiment, make_partition, plot_acc_variation, plot_loss_variation
from swiftnn.utils.data import DataLoader, TensorDataset


@pytest.fixture
def tiny_cifar(tmp_path):
    """A CIFAR-10 in the python layout: 60 training and 20 test images of every class."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name, n in [(f"data_batch_{i}", 12) for i in range(1, 6)] + [("test_batch", 20)]:
        batch = {b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8), b"labels": [i % 10 for i in range(n)]}
        (folder / name).write_bytes(pickle.dumps(batch))
    normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)])
    return make_partition(datasets.CIFAR10(tmp_path, train=True, transform=normalize),
                          datasets.CIFAR10(tmp_path, train=False, transform=normalize), seed=0)


def args_for(**extra):
    args = argparse.Namespace(model=lambda: models.normal_CNN(kernal_list=[4, "p"]), optim="Adam", lr=1e-3, l2=1e-5,
                              epoch=1, train_batch_size=16, test_batch_size=16, progress=False)
    vars(args).update(extra)
    return args


def test_experiment_clips_only_when_args_clip_is_set(tiny_cifar, monkeypatch, capsys):
    module = importlib.import_module("swiftnn.train.experiment")  # train.experiment is the function
    seen = []
    real = module.train_epoch

    def spy(model, loader, optimizer, criterion=None, max_grad_norm=None, *args, **kwargs):
        seen.append(max_grad_norm)
        return real(model, loader, optimizer, criterion, max_grad_norm, *args, **kwargs)

    monkeypatch.setattr(module, "train_epoch", spy)
    assert train.DEFAULTS["clip"] is None
    experiment(tiny_cifar, args_for())
    experiment(tiny_cifar, args_for(clip=0.5))
    assert seen == [None, 0.5]


def test_per_class_accuracy_uses_the_case_study_names(tiny_cifar, capsys):
    _, result = experiment(tiny_cifar, args_for())
    assert list(result["class_accs"]) == ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship',
                                          'truck']
    out = capsys.readouterr().out
    assert "Accuracy of plane : " in out and "Accuracy of truck : " in out and "airplane" not in out
    train.print_acc_class(result, tiny_cifar, classes=list("abcdefghij"))
    assert "Accuracy of     a : " in capsys.readouterr().out


def test_plots_take_the_case_study_keywords_and_return_the_figure():
    pytest.importorskip("matplotlib")
    result = {"train_losses": [2.0, 1.5, 1.2], "val_losses": [2.1, 1.7, 1.6], "train_accs": [30, 45, 55],
              "val_accs": [28, 40, 47], "test_acc": 46.5}
    fig = plot_loss_variation(result, size=5)
    assert tuple(fig.get_size_inches()) == (5, 5)
    fig = plot_acc_variation(result, height=3, aspect=1.5, palette=["red", "blue"], ylim=(0, 100))
    assert tuple(fig.get_size_inches()) == (4.5, 3) and fig.axes[0].get_ylim() == (0, 100)
    assert [line.get_color() for line in fig.axes[0].lines] == ["red", "blue"]
    assert "Test Acc: 46.500" in [t.get_text() for t in fig.axes[0].texts]
    assert plot_loss_variation(result, despine=False).axes  # layout-only FacetGrid options are accepted
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        plot_loss_variation(result, colour="red")


class FakeDisplay:
    """Stands in for IPython's display(fig, display_id=True) and its handle's update(fig)."""

    def __init__(self):
        self.shown, self.updates = [], 0

    def __call__(self, fig, display_id=False):
        assert display_id is True
        self.shown.append(fig)
        return self

    def update(self, fig):
        self.updates += 1


def test_live_plot_follows_fit(tmp_path):
    pytest.importorskip("matplotlib")
    torch.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 1, 8, 8)).astype(np.float32)
    data = TensorDataset(x, np.arange(64) % 4)
    display = FakeDisplay()
    live = train.LivePlot(every=2, path=tmp_path / "live.png", display=display)
    model = models.normal_CNN(input_size=(1, 8, 8), kernal_list=[4], num_classes=4)
    history = train.fit(model, DataLoader(data, batch_size=16, shuffle=True), torch.optim.Adam(model.parameters()),
                        epochs=3, callback=live, val_loader=DataLoader(data, batch_size=32), progress=False)
    assert live.history["train_losses"] == pytest.approx(history["train_losses"])
    assert live.history["val_accs"] == pytest.approx(history["val_accs"])
    assert len(live.history["batch_losses"]) == 12 and live.history["batch_epochs"][-1] == pytest.approx(3.0)
    # One display output, updated in place: 12 batches / 2 plus 3 epoch ends, minus the first showing.
    assert len(display.shown) == 1 and display.updates == 6 + 3 - 1
    assert (tmp_path / "live.png").read_bytes()[:4] == b"\x89PNG"
    assert [ax.get_title() for ax in live.figure.axes] == ["Loss", "Accuracy"]


def test_live_plot_in_experiment_and_quietly_outside_notebooks(tiny_cifar):
    live = train.LivePlot()  # not in a notebook and no path: records, draws nothing
    _, result = experiment(tiny_cifar, args_for(epoch=2, callback=live, quiet=True))
    assert live.history["val_accs"] == pytest.approx(result["val_accs"]) and live.figure is None
    with pytest.raises(ValueError):
        train.LivePlot(every=0)


def test_models_show_their_summary_in_notebooks():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    model[2].weight.requires_grad_(False)
    page = model._repr_html_()
    assert "Sequential</b>: 67 parameters (43 trainable)" in page and "<td>Linear</td>" in page
    assert "Linear(in_features=4, out_features=8, bias=True)" in page
    pretty = pytest.importorskip("IPython.lib.pretty").pretty
    text = pretty(model)
    assert text.startswith(repr(model)) and "Total params: 67" in text and "Trainable params: 43" in text
    assert "Total params: 402,250" in models.MLPnet()._repr_html_().replace("<b>MLPnet</b>: ", "Total params: ")

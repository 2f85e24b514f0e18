"""An eval-mode Linear multiplies by its weight packed once (kept between calls): through
the Python API its output must equal NumPy's x·Wᵀ + b on the layer's current weight,
before and after every way of changing that weight."""
import numpy as np
import pytest

import swiftnn
import swiftnn.models as models
import swiftnn.nn as nn

X = np.random.default_rng(31).standard_normal((33, 3, 32, 32), dtype=np.float32)


def numpy_mlp(model, x):
    """MLPnet's eval forward in NumPy (dropout is the identity in eval)."""
    state = {k: np.asarray(v, np.float64) for k, v in model.state_dict().items()}
    h = x.reshape(len(x), -1).astype(np.float64)
    h = np.maximum(h @ state["fc1.weight"].T + state["fc1.bias"], 0)
    h = np.maximum(h @ state["fc2.weight"].T + state["fc2.bias"], 0)
    return h @ state["fc3.weight"].T + state["fc3.bias"]


def eval_output(model):
    model.eval()
    with swiftnn.no_grad():
        return model(swiftnn.tensor(X)).numpy()


def changes():
    def load_state(model):
        model.load_state_dict({k: np.asarray(v) * 1.5 for k, v in model.state_dict().items()})

    def in_place(model):
        with swiftnn.no_grad():
            model.fc1.weight.mul_(-0.5)

    def init(model):
        nn.init.normal_(model.fc2.weight, std=0.2)

    def optimizer_step(model):
        model.train()
        optimizer = swiftnn.optim.SGD(model.parameters(), lr=0.5)
        model(swiftnn.tensor(X)).sum().backward()
        optimizer.step()

    def new_parameter(model):
        model.fc3.weight = nn.Parameter(np.ones((10, 64), np.float32))

    return [load_state, in_place, init, optimizer_step, new_parameter]


@pytest.mark.parametrize("change", changes(), ids=lambda f: f.__name__)
def test_packed_weights_follow_every_change(change):
    swiftnn.manual_seed(32)
    model = models.MLPnet()
    before = eval_output(model)
    np.testing.assert_allclose(before, numpy_mlp(model, X), rtol=1e-4, atol=1e-4)
    change(model)
    after = eval_output(model)
    expected = numpy_mlp(model, X)
    assert not np.allclose(before, expected, atol=1e-3), "the change should change the outputs"
    np.testing.assert_allclose(after, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("rows", [1, 4, 5, 200])
def test_eval_linear_matches_numpy_at_every_batch_size(rows):
    swiftnn.manual_seed(33)
    layer = nn.Linear(300, 17).eval()
    x = np.random.default_rng(rows).standard_normal((rows, 300), dtype=np.float32)
    with swiftnn.no_grad():
        got = layer(swiftnn.tensor(x)).numpy()
    w, b = (np.asarray(t.detach().numpy(), np.float64) for t in (layer.weight, layer.bias))
    np.testing.assert_allclose(got, x @ w.T + b, rtol=1e-4, atol=1e-4)

"""Run by `make test-wheel` inside a fresh virtualenv holding only the built wheel (and
NumPy), with the Swift toolchain off PATH: the package imports, reports the version the
wheel carries, and runs a forward pass and a backward pass."""
import shutil
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

import swiftnn

assert shutil.which("swift") is None, "the Swift toolchain is still on PATH"
package = Path(swiftnn.__file__).resolve()
assert "site-packages" in package.parts, f"imported the source tree ({package}), not the installed wheel"
assert swiftnn.__version__ == metadata.version("swiftnn"), (swiftnn.__version__, metadata.version("swiftnn"))

swiftnn.manual_seed(0)
model = swiftnn.models.normal_CNN()
model.eval()
x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
logits = model(x)
assert logits.shape == (2, 10) and np.isfinite(logits.numpy()).all()
loss = swiftnn.nn.CrossEntropyLoss()(model(x), np.array([1, 2]))
loss.backward()
print(f"swiftnn {swiftnn.__version__} from {package.parent}: logits {logits.shape}, loss {loss.item():.4f}", file=sys.stderr)

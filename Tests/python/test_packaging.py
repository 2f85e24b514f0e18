"""The installed package stands alone: it imports from any directory without
LD_LIBRARY_PATH, and neither the extension nor libswiftnn.so needs the Swift toolchain."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import swiftnn
from swiftnn import _C

PACKAGE_DIR = Path(swiftnn.__file__).resolve().parent


def test_import_from_elsewhere_without_library_path(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PYTHONPATH")}
    done = subprocess.run([sys.executable, "-c", "import swiftnn; print(swiftnn.ones(2).sum().item())"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2.0"


@pytest.mark.skipif(shutil.which("ldd") is None, reason="ldd is not available")
@pytest.mark.parametrize("binary", [Path(_C.__file__), PACKAGE_DIR / "libswiftnn.so"])
def test_shared_objects_resolve_without_the_toolchain(binary):
    assert binary.is_file()
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    listing = subprocess.run(["ldd", str(binary)], env=env, capture_output=True, text=True, check=True).stdout
    assert "not found" not in listing
    assert "/opt/swift" not in listing and "swiftCore" not in listing and "Foundation" not in listing

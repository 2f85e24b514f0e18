"""Builds the swiftnn Python package: first the Swift engine (libswiftnn.so, with
the Swift runtime linked in statically), then the CPython extension
`swiftnn._C` over its C ABI. The library is placed next to the extension,
which finds it through an rpath of $ORIGIN, so no LD_LIBRARY_PATH is needed.

The build takes no target-CPU flags: the kernels pick AVX-512, AVX2 or a
baseline path at run time, so a wheel built on one machine runs well on another.

Environment:
    SWIFT               path of the swift driver (else PATH, else /opt/swift).
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
SCRATCH = ROOT / ".build-release"
LIBRARY = "libswiftnn.so"


def swift_executable():
    for candidate in (os.environ.get("SWIFT"), shutil.which("swift"), "/opt/swift/usr/bin/swift"):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("the Swift toolchain was not found: put `swift` on PATH, set SWIFT, or install it in /opt/swift")


def build_swift_library():
    """Runs the release build of the `swiftnn` product and returns the directory holding the library."""
    swift = swift_executable()
    command = [swift, "build", "-c", "release", "--product", "swiftnn", "--scratch-path", str(SCRATCH),
               "-Xswiftc", "-static-stdlib"]
    print(" ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    bin_path = subprocess.run(command + ["--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
    library = Path(bin_path) / LIBRARY
    if not library.is_file():
        raise RuntimeError(f"the Swift build did not produce {library}")
    return library.parent


def place_library(source_dir, package_dir):
    """Copies the library via a temporary name and a rename, so processes that
    have the old file mapped keep a valid (unlinked) copy."""
    package_dir.mkdir(parents=True, exist_ok=True)
    temporary = package_dir / (LIBRARY + ".tmp")
    shutil.copy2(source_dir / LIBRARY, temporary)
    os.replace(temporary, package_dir / LIBRARY)


class BuildSwiftExtension(build_ext):
    def run(self):
        self._library_dir = build_swift_library()
        for ext in self.extensions:
            ext.library_dirs.append(str(self._library_dir))
        super().run()

    def build_extension(self, ext):
        super().build_extension(ext)
        place_library(self._library_dir, Path(self.get_ext_fullpath(ext.name)).parent)

    def copy_extensions_to_source(self):
        # In-place and editable builds: the library goes next to the extension in python/swiftnn/.
        super().copy_extensions_to_source()
        package_dir = Path(self.get_finalized_command("build_py").get_package_dir("swiftnn"))
        place_library(self._library_dir, package_dir)

    def get_outputs(self):
        return super().get_outputs() + [str(Path(self.build_lib) / "swiftnn" / LIBRARY)]


def engine_version():
    text = (ROOT / "Sources" / "SwiftNN" / "Version.swift").read_text()
    return re.search(r'swiftNNVersion\s*=\s*"([^"]+)"', text).group(1)


setup(
    version=engine_version(),
    ext_modules=[
        Extension(
            "swiftnn._C",
            sources=sorted(str(p.relative_to(ROOT)) for p in (ROOT / "CPython").glob("*.c")),
            depends=[str((ROOT / "CPython" / "swiftnn_ext.h").relative_to(ROOT)), "include/swiftnn.h"],
            include_dirs=["include", numpy.get_include()],
            libraries=["swiftnn"],
            extra_compile_args=["-O2"],
            extra_link_args=["-Wl,-rpath,$ORIGIN"],
        )
    ],
    cmdclass={"build_ext": BuildSwiftExtension},
)

# swiftnn: `make demo` runs the main job, `make test` runs every test suite.
# Both set everything up on a fresh machine (a virtualenv in .venv).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
# No target-CPU flags: the kernels choose AVX-512 / AVX2 / baseline at run time
# (SWIFTNN_ISA forces one), so this build equals a plain SwiftPM dependency build.
SOURCES := $(shell find Sources CPython python include -type f -not -name '*.so' -not -path '*/__pycache__/*')

.PHONY: install demo test test-swift test-c test-python cli bench bench-compare bench-swiftpm bench-torch-setup clean

install: $(VENV)/.installed

# pip builds libswiftnn.so (release, static Swift runtime) and the extension.
$(VENV)/.installed: pyproject.toml setup.py $(SOURCES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q '.[test]'
	touch $@

# The CIFAR-10 case study, short (DEMO_ARGS="--epochs 10" for the full run); digits when offline without data.
demo: install
	$(PY) examples/cifar10_experiment.py $(DEMO_ARGS)

# Same scratch path and flags as setup.py's library build, so the engine is compiled once.
cli:
	$(SWIFT) build -c release --product swiftnn-cli --scratch-path .build-release -Xswiftc -static-stdlib

# Kernel speed on this machine next to NumPy's BLAS (bench/run.py).
BENCH := .build-release/release/swiftnn-bench
bench: install
	$(SWIFT) build -c release --product swiftnn-bench --scratch-path .build-release -Xswiftc -static-stdlib
	$(PY) bench/run.py --bench $(BENCH) $(BENCH_ARGS)

# Models end to end next to PyTorch (bench/compare.py); PyTorch lives in its own
# virtualenv, made on request because it is large.
bench-compare: install
	$(PY) bench/compare.py $(COMPARE_ARGS)

# swiftnn as a plain SwiftPM dependency (no flags) next to this build.
bench-swiftpm:
	$(SWIFT) build -c release --product swiftnn-bench --scratch-path .build-release -Xswiftc -static-stdlib
	SWIFT=$(SWIFT) bench/swiftpm-dependency/run.sh $(SWIFTPM_BENCH_ARGS)

bench-torch-setup:
	test -x .venv-torch/bin/python || $(PYTHON) -m venv .venv-torch
	.venv-torch/bin/python -m pip install -q torch numpy

test: test-swift test-c test-python

# The kernel tests once more per forced path, so every variant of the register
# tiles meets the naive references (a path the CPU lacks falls back, with a warning).
KERNEL_TESTS := KernelISATests|GEMMTests|SplitKGEMMTests|DirectConvTests|ConvTests|MatMulOpTests
test-swift:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	for isa in baseline avx2 avx512; do SWIFTNN_ISA=$$isa $(SWIFT) test --skip-build --filter '$(KERNEL_TESTS)' || exit 1; done

# The C ABI from plain C, linked against the installed libswiftnn.so.
test-c: install
	$(eval PKG := $(shell $(PY) -c "import os, swiftnn; print(os.path.dirname(swiftnn.__file__))"))
	gcc -std=c11 -Wall -Wextra -Werror -Iinclude Tests/c/abi_test.c -L$(PKG) -lswiftnn -Wl,-rpath,$(PKG) -lm -o $(VENV)/abi_test
	$(VENV)/abi_test
	gcc -std=c11 -Wall -Wextra -Werror -Iinclude Tests/c/checkpoint_test.c -L$(PKG) -lswiftnn -Wl,-rpath,$(PKG) -o $(VENV)/checkpoint_test
	$(VENV)/checkpoint_test $(VENV)
	gcc -std=c11 -Wall -Wextra -Werror -Iinclude Tests/c/train_test.c -L$(PKG) -lswiftnn -Wl,-rpath,$(PKG) -o $(VENV)/train_test
	$(VENV)/train_test

# pytest from the repo root imports the installed package (python/ is not on sys.path).
test-python: install
	$(PY) -m pytest Tests/python -q

clean:
	rm -rf .build .build-release $(VENV) build *.egg-info python/swiftnn/*.so

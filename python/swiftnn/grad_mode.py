"""Gradient-recording switches. The flag lives in the engine, per thread, as in
PyTorch: `no_grad()` on one thread does not affect another."""
import functools

from . import _C


def is_grad_enabled():
    return _C.is_grad_enabled()


class _GradMode:
    """A context manager that also works as a function decorator."""

    _enabled = True

    def __init__(self):
        self._previous = []

    def __enter__(self):
        self._previous.append(_C.set_grad_enabled(self._enabled))

    def __exit__(self, *exc_info):
        _C.set_grad_enabled(self._previous.pop())
        return False

    def __call__(self, func):
        enabled = self._enabled

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            previous = _C.set_grad_enabled(enabled)
            try:
                return func(*args, **kwargs)
            finally:
                _C.set_grad_enabled(previous)

        return wrapper


class _BareDecoratorGradMode(_GradMode):
    """Also usable as a bare decorator: `@no_grad` as well as `@no_grad()`."""

    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        return cls()(func)


class no_grad(_BareDecoratorGradMode):
    """Turns autograd recording off inside a `with` block or a decorated function."""

    _enabled = False


class enable_grad(_BareDecoratorGradMode):
    """Turns autograd recording on inside a `with` block or a decorated function."""

    _enabled = True


class set_grad_enabled(_GradMode):
    """Sets recording on or off now (as a call) and restores it when used in `with`."""

    def __init__(self, mode):
        super().__init__()
        self._enabled = bool(mode)
        self._previous.append(_C.set_grad_enabled(self._enabled))

    def __enter__(self):
        pass

    def __call__(self, func):
        # As a decorator the mode applies per call, not from construction on.
        _C.set_grad_enabled(self._previous[-1])
        return super().__call__(func)

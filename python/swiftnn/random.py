"""Seeds (`torch.random` / `torch.initial_seed`, `torch.seed`) and `Generator`.

The engine owns the default generator (weights, randn, dropout, shuffling);
`manual_seed` seeds it, `initial_seed` reads back the seed it was last given,
`seed` reseeds it from the operating system. A `Generator` is an independent
stream of seeds for the samplers, `random_split` and `DataLoader(generator=)`."""
import numbers
import os

from . import _C
from .creation import manual_seed

__all__ = ["Generator", "initial_seed", "manual_seed", "seed"]

_MASK = 2**64 - 1


def initial_seed():
    """The seed of the default generator: the last `manual_seed` (or `seed`), else the engine's fixed
    start-up seed (so runs are repeatable by default)."""
    return _C.initial_seed()


def seed():
    """Seeds the default generator with a non-deterministic number from the operating system and returns it."""
    value = int.from_bytes(os.urandom(8), "little") & (2**63 - 1)
    manual_seed(value)
    return value


def mix_seed(*words):
    """The engine's seed mixing (Data/Dataset.swift `mixSeed`: splitmix64 finalisers)."""
    h = 0x243F6A8885A308D3
    for w in words:
        h = ((h ^ w) + 0x9E3779B97F4A7C15) & _MASK
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK
        h ^= h >> 31
    return h


class Generator:
    """Generator(device='cpu'): a seeded source of randomness for data sampling (`RandomSampler(...,
    generator=g)`, `random_split(..., generator=g)`, `DataLoader(..., generator=g)`), with PyTorch's
    `manual_seed`, `initial_seed` and `seed`. Tensor ops (randn, dropout) use the default generator."""

    def __init__(self, device="cpu"):
        from ._device import device as _device_type
        if _device_type(device).type != "cpu":
            raise RuntimeError("swiftnn.Generator: only the CPU device exists")
        self.device = _device_type(device)
        self.manual_seed(67280421310721)  # PyTorch's default seed of a new Generator

    def manual_seed(self, seed):
        if not isinstance(seed, numbers.Integral) or not -(1 << 63) <= seed < (1 << 64):
            raise ValueError(f"Generator.manual_seed expected an int in [-2**63, 2**64), got {seed!r}")
        self._seed, self._draws = int(seed) & _MASK, 0
        return self

    def initial_seed(self):
        return self._seed

    def seed(self):
        value = int.from_bytes(os.urandom(8), "little") & (2**63 - 1)
        self.manual_seed(value)
        return value

    def next_seed(self):
        """A new 64-bit seed from this stream (each call advances it)."""
        self._draws += 1
        return mix_seed(self._seed, self._draws)


def next_seed(generator=None):
    """A 64-bit seed from `generator` (a Generator or an int seed), else from the default generator."""
    if generator is None:
        return _C.random_seed()
    if isinstance(generator, Generator):
        return generator.next_seed()
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        return int(generator) & _MASK
    raise TypeError(f"generator must be a swiftnn.Generator or an int seed, got {type(generator).__name__}")

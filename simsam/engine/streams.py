"""Counter-based random numbers: every number is a function of (seed, stream, draw, counter).

A draw's numbers therefore do not depend on the thread count, the chunking of the
draws, or the machine: draw ``i`` is the same whether it runs alone or inside a
run of a million draws. The generator is SplitMix64 (Steele, Lea & Flood 2014):
a stream is ``mix64(key + n * GAMMA)`` for ``n = 1, 2, ...``, and keys are
themselves mixed from the seed and a stream name.

The numba twin of :func:`mix64` and :func:`to_unit` lives in
:mod:`simsam.kernels.rng`; a test checks that both give the same bits.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["GAMMA", "mix64", "to_unit", "stream_key", "name_key", "draw_keys", "uniforms"]

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


def mix64(z):
    """SplitMix64's finaliser, on a Python int or a ``uint64`` array."""
    if isinstance(z, np.ndarray):
        with np.errstate(over="ignore"):
            z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
            return z ^ (z >> np.uint64(31))
    z &= MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


def to_unit(bits: np.ndarray) -> np.ndarray:
    """``uint64`` bits → float64 in the open interval (0, 1): 52 random bits, centred.

    The result lies in ``[2⁻⁵³, 1 − 2⁻⁵³]``, both ends exactly representable, so
    no inverse CDF is ever asked for its 0 or 1 quantile (53 bits would round
    the largest value up to exactly 1).
    """
    return ((bits >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52


def name_key(name: str) -> int:
    """A stable 64-bit key for a text (Python's ``hash`` changes between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


def stream_key(seed: int, stream: str) -> int:
    """The key of one named stream of a run (``"cohort"``, or a parameter's path)."""
    return mix64(mix64((seed + GAMMA) & MASK) ^ mix64(name_key(stream)))


def draw_keys(seed: int, stream: str, draws: np.ndarray) -> np.ndarray:
    """Per-draw keys of a stream, shape ``(draw,)`` ``uint64``.

    ``draws`` are global draw indices, so a chunk of draws gets the keys the same
    draws get in a whole run.
    """
    d = np.asarray(draws, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return mix64(np.uint64(stream_key(seed, stream)) + (d + np.uint64(1)) * np.uint64(GAMMA))


def uniforms(seed: int, stream: str, draws: np.ndarray) -> np.ndarray:
    """One uniform number in (0, 1) per draw for a named stream, shape ``(draw,)``."""
    return to_unit(draw_keys(seed, stream, draws))

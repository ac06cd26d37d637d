"""SplitMix64 in numba: the twin of :func:`simsam.engine.streams.mix64` and ``to_unit``."""

from __future__ import annotations

import numpy as np

from ._jit import jit

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S12 = np.uint64(12)
_ONE = np.uint64(1)


@jit
def mix64(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@jit
def uniform(key, counter):
    """The ``counter``-th (from 0) uniform number in (0, 1) of the stream ``key``."""
    bits = mix64(key + (np.uint64(counter) + _ONE) * GAMMA)
    return (np.float64(bits >> _S12) + 0.5) * 2.220446049250313e-16  # as simsam.engine.streams.to_unit


@jit
def substream(key, index):
    """Key of the ``index``-th substream (a participant's) of a stream."""
    return mix64(key + (np.uint64(index) + _ONE) * GAMMA)


@jit
def keyed_uniforms(keys, draws, out):
    """``out[d, j]``: the uniform number of draw ``draws[d]`` in the stream ``keys[j]``, in (0, 1).

    What :func:`simsam.engine.streams.uniforms` gives column by column (``to_unit(mix64(key + (draw + 1) · GAMMA))``,
    its NumPy twin), in one pass instead of a dozen array passes per column. Shapes: ``keys (parameter,)`` uint64,
    ``draws (draw,)`` int64, ``out (draw, parameter)`` float64.
    """
    for d in range(draws.shape[0]):
        for j in range(keys.shape[0]):
            out[d, j] = uniform(keys[j], draws[d])

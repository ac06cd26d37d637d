"""Whole counts in a small integer type, checked in one pass: the twin of ``astype`` and ``array_equal``.

A run of ``--store states`` keeps each draw's occupancy (participants per state and month, float64 from the
kernel) as the file's unsigned type while its chunk waits to be written. NumPy takes a pass to cast and two
more (a float64 copy of the cast, then the comparison) to check that nothing was lost; this kernel casts and
checks in one.
"""

from __future__ import annotations

import math

from ._jit import jit

__all__ = ["as_counts"]


@jit
def as_counts(values, out, top):
    """Write ``values`` into ``out`` and return whether every value was a whole number in ``[0, top]``.

    Parameters
    ----------
    values : ndarray, float64, C-ordered, any shape
    out : ndarray, unsigned integers, C-ordered, the shape of ``values``
    top : float
        The largest value of ``out``'s type.

    Returns
    -------
    bool
        True when ``out`` holds ``values`` exactly (NumPy's twin: ``values.astype(out.dtype)`` and
        ``np.array_equal`` of it with ``values``); when False, ``out`` is not to be used (a value that
        is not a count is written as 0).
    """
    flat, kept = values.reshape(-1), out.reshape(-1)
    whole = True
    for i in range(flat.shape[0]):
        x = flat[i]
        if 0.0 <= x <= top and math.floor(x) == x:  # NaN fails every comparison
            kept[i] = x
        else:
            kept[i] = 0
            whole = False
    return whole

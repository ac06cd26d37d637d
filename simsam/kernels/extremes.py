"""Each column's largest ``|value|`` in one pass: the twin of NumPy's ``fmax``/``fmin`` reductions.

The results writer records, per actor, the largest ``|value|`` of every amount it writes (tables
leave out actors without flows without reading every draw). NumPy takes a pass for the maximum and
one for the minimum of every column; this kernel takes one, leaving NaN out as ``np.fmax`` does.
Maxima and minima are exact, so the values are NumPy's (tested on random columns with NaN, ±inf
and zeros of both signs); a largest ``|value|`` of 0 is +0.0.
"""

from __future__ import annotations

import numpy as np

from ._jit import jit

__all__ = ["column_peaks"]


@jit
def column_peaks(v):
    """``max(max v, −min v, 0)`` of each column of ``v (row, column)``, NaN left out (0 for none), as +0.0 for zero.

    Parameters
    ----------
    v : ndarray, shape ``(row, column)``, float64

    Returns
    -------
    ndarray, shape ``(column,)``
    """
    n, m = v.shape
    hi = np.full(m, -np.inf)
    lo = np.full(m, np.inf)
    for i in range(n):
        for j in range(m):
            x = v[i, j]
            if x > hi[j]:  # NaN compares false: left out
                hi[j] = x
            if x < lo[j]:
                lo[j] = x
    out = np.empty(m)
    for j in range(m):  # no number: max(−inf, −inf, 0) = 0; + 0.0 makes a zero +0.0
        out[j] = max(hi[j], -lo[j], 0.0) + 0.0
    return out

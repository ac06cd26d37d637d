"""Order statistics of a column without sorting it: the twin of ``np.sort(x)[ranks]``.

The summary takes nine quantiles (and their Monte Carlo errors) of every column: a sort of 10⁷
numbers is ~75 ms, and a 10⁷-draw summary has ~90 columns. This kernel finds the few order
statistics asked for in two passes: one for the range and the count of infinities, one for a
histogram of 4 096 equal-width buckets (monotone in the value, so bucket order is value order)
with each bucket's least and largest number; then only the buckets that hold an asked-for rank
are gathered and sorted (a bucket whose numbers are all equal is not even gathered). The
numbers are those of the sorted column (tested against ``np.sort`` with ties, infinities and
zeros of both signs; which of −0.0 and +0.0 is returned where both occur at a rank may differ,
as between any two sorts).
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit

__all__ = ["order_statistics", "BUCKETS"]

#: Histogram buckets between the least and the largest finite number.
BUCKETS = 4096


@jit
def order_statistics(x, ranks, nan_as_inf):
    """The numbers at 0-based positions ``ranks`` of ``x`` sorted ascending.

    Parameters
    ----------
    x : ndarray, shape ``(n,)``, float64
    ranks : ndarray of int64, shape ``(k,)``, each in ``[0, n)``
    nan_as_inf : bool
        Count NaN as +inf (the summary's "not reached" payback months); else any NaN makes ``has_nan``.

    Returns
    -------
    values : ndarray, shape ``(k,)``
    has_nan : bool
        ``x`` holds NaN and ``nan_as_inf`` is false (``values`` are then not computed: NumPy's quantiles are NaN).
    """
    n = x.shape[0]
    k = ranks.shape[0]
    values = np.empty(k)
    below = 0  # −inf
    above = 0  # +inf (and NaN when nan_as_inf)
    lo = math.inf
    hi = -math.inf
    for i in range(n):
        v = x[i]
        if v != v:
            if not nan_as_inf:
                return values, True
            above += 1
        elif v == math.inf:
            above += 1
        elif v == -math.inf:
            below += 1
        else:
            if v < lo:
                lo = v
            if v > hi:
                hi = v
    finite = n - below - above
    if finite == 0 or lo == hi:  # at most one finite number (and infinities): the ranks say which
        for j in range(k):
            r = ranks[j]
            values[j] = -math.inf if r < below else lo if r < below + finite else math.inf
        return values, False
    scale = (BUCKETS - 1) / (hi - lo)
    counts = np.zeros(BUCKETS, np.int64)
    least = np.full(BUCKETS, math.inf)
    largest = np.full(BUCKETS, -math.inf)
    for i in range(n):
        v = x[i]
        if v - v == 0.0:  # finite (NaN and ±inf give NaN)
            b = min(int((v - lo) * scale), BUCKETS - 1)
            counts[b] += 1
            if v < least[b]:
                least[b] = v
            if v > largest[b]:
                largest[b] = v
    # Each rank's bucket, and where in it; the buckets to gather (not all one number) get a slot each.
    bucket = np.empty(k, np.int64)
    within = np.empty(k, np.int64)
    slot = np.full(BUCKETS, -1)
    size = np.zeros(k, np.int64)
    slots = 0
    for j in range(k):
        r = ranks[j]
        if r < below:
            values[j], bucket[j] = -math.inf, -1
            continue
        if r >= below + finite:
            values[j], bucket[j] = math.inf, -1
            continue
        left = r - below
        b = 0
        while left >= counts[b]:
            left -= counts[b]
            b += 1
        bucket[j], within[j] = b, left
        if least[b] == largest[b]:
            values[j] = least[b]
        elif slot[b] < 0:
            slot[b] = slots
            size[slots] = counts[b]
            slots += 1
    if slots:
        start = np.zeros(slots + 1, np.int64)
        for s in range(slots):
            start[s + 1] = start[s] + size[s]
        gathered = np.empty(start[slots])
        fill = start[:slots].copy()
        for i in range(n):
            v = x[i]
            if v - v == 0.0:
                s = slot[min(int((v - lo) * scale), BUCKETS - 1)]
                if s >= 0:
                    gathered[fill[s]] = v
                    fill[s] += 1
        for s in range(slots):
            gathered[start[s] : start[s + 1]].sort()
        for j in range(k):
            b = bucket[j]
            if b >= 0 and slot[b] >= 0:
                values[j] = gathered[start[slot[b]] + within[j]]
    return values, False

"""Inverse-CDF tables evaluated in compiled code: the twin of ``InverseCdfTable.__call__``.

:class:`simsam.distributions.InverseCdfTable` evaluates its spline with NumPy
(about twenty array passes and three gathers per number, ~55 ns); sampling a
large run calls it for 25 to 30 columns per draw, which made the inverse CDFs a
quarter of a run's time. This kernel does the same arithmetic, operation for
operation and in the same order (Wichura's AS 241 for ``z = Φ⁻¹(u)``, then the
cubic Hermite spline in ``z``), so the values are the NumPy ones to the bit (tested on
random tables and numbers, the ends included). Three passes: AS 241's central region for every
number, without a branch (85 % of the numbers; the compiler vectorises it), the tails' numbers
listed and done after, then the spline: ~10 ns a number, against ~19 for one pass whose branch
the processor mispredicts at every tail.
The logarithm of the tails is the caller's, computed by NumPy, so that no
compiled ``log`` that might round differently from NumPy's enters the values.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit

__all__ = ["spline_quantiles"]


@jit
def _horner(r, c):
    """Horner's scheme, highest power first (``c`` one row of AS 241's coefficients)."""
    v = c[0]
    for k in range(1, c.shape[0]):
        v = v * r + c[k]
    return v


@jit
def spline_quantiles(u, log_tail, x, slope, step, z_max, coefficients, out):
    """Quantiles of a tabulated distribution at the uniform numbers ``u``.

    Parameters
    ----------
    u : ndarray, shape ``(n,)``
        Uniform numbers in [0, 1].
    log_tail : ndarray, shape ``(n,)``
        ``log(min(u, 1 − u))`` (NumPy's; −inf at 0 and 1), used where ``|u − ½| > 0.425``.
    x, slope : ndarray, shape ``(nodes,)``
        The table's quantiles and ``dx/dz`` at its nodes, in the distribution's units.
    step : float
        Node spacing in ``z``.
    z_max : float
        The nodes span ``[−z_max, z_max]``; ``z`` beyond is clipped.
    coefficients : ndarray, shape ``(6, 8)``
        AS 241's numerators and denominators: central region, then the tails with
        ``r ≤ 5`` and ``r > 5`` (``simsam.distributions.tables.AS241``).
    out : ndarray, shape ``(n,)``
        Receives the quantiles, in the distribution's units.
    """
    if coefficients.shape[1] != 8:
        raise ValueError("AS 241's rows have 8 coefficients")
    n = u.shape[0]
    # Pass 1, every number: the central region's z (a loop without branches, which the compiler
    # vectorises); the tails' numbers are listed, without a branch, and done in pass 2.
    c = coefficients
    a0, a1, a2, a3, a4, a5, a6, a7 = c[0, 0], c[0, 1], c[0, 2], c[0, 3], c[0, 4], c[0, 5], c[0, 6], c[0, 7]
    b0, b1, b2, b3, b4, b5, b6, b7 = c[1, 0], c[1, 1], c[1, 2], c[1, 3], c[1, 4], c[1, 5], c[1, 6], c[1, 7]
    tails = np.empty(n, dtype=np.int64)
    m = 0
    for j in range(n):
        q = u[j] - 0.5
        r = 0.180625 - q * q
        num = ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * r + a7  # _horner, written out
        den = ((((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + b5) * r + b6) * r + b7
        out[j] = q * num / den
        tails[m] = j
        m += not abs(q) <= 0.425
    for k in range(m):
        j = tails[k]
        r = math.sqrt(-log_tail[j])
        if r <= 5.0:
            z = _horner(r - 1.6, coefficients[2]) / _horner(r - 1.6, coefficients[3])
        else:
            z = _horner(r - 5.0, coefficients[4]) / _horner(r - 5.0, coefficients[5])
        if math.isinf(r):
            z = math.inf
        if u[j] - 0.5 < 0.0:
            z = -z
        out[j] = z
    # Pass 3: the cubic Hermite spline in z.
    last = x.shape[0] - 2
    h = step
    for j in range(n):
        z = out[j]
        w = (min(max(z, -z_max), z_max) + z_max) / step
        i = min(np.int64(w), last)
        t = w - i
        t2 = t * t
        t3 = t2 * t
        out[j] = (
            (2 * t3 - 3 * t2 + 1) * x[i] + (t3 - 2 * t2 + t) * h * slope[i] + (3 * t2 - 2 * t3) * x[i + 1] + (t3 - t2) * h * slope[i + 1]
        )

"""Binomial variates from a counter-based stream, for the aggregate cohort path.

The algorithms are NumPy's (``numpy/random/src/distributions/distributions.c``):
inversion by sequential search when ``n·p ≤ 30``, and BTPE (Kachitvichyanukul &
Schmeiser 1988, *Binomial random variate generation*, CACM 31:216–222)
otherwise, so the expected cost is bounded whatever ``n``. Uniform numbers come
from :func:`.rng.uniform` with an explicit counter, which each function returns
advanced, so a draw's numbers depend only on its key.
"""

from __future__ import annotations

import math

from ._jit import jit
from .rng import uniform

__all__ = ["binomial"]

INVERSION_MAX_MEAN = 30.0


@jit
def _inversion(key, counter, n, p):
    q = 1.0 - p
    qn = math.exp(n * math.log(q))
    np_ = n * p
    bound = min(float(n), np_ + 10.0 * math.sqrt(np_ * q + 1.0))
    x = 0
    px = qn
    u = uniform(key, counter)
    counter += 1
    while u > px:
        x += 1
        if x > bound:
            x = 0
            px = qn
            u = uniform(key, counter)
            counter += 1
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x, counter


@jit
def _stirling_tail(x, x2):
    return (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / x2) / x2) / x2) / x2) / x / 166320.0


@jit
def _btpe(key, counter, n, p):
    r = min(p, 1.0 - p)
    q = 1.0 - r
    fm = n * r + r
    m = int(math.floor(fm))
    p1 = math.floor(2.195 * math.sqrt(n * r * q) - 4.6 * q) + 0.5
    xm = m + 0.5
    xl = xm - p1
    xr = xm + p1
    c = 0.134 + 20.5 / (15.3 + m)
    a = (fm - xl) / (fm - xl * r)
    laml = a * (1.0 + a / 2.0)
    a = (xr - fm) / (xr * q)
    lamr = a * (1.0 + a / 2.0)
    p2 = p1 * (1.0 + 2.0 * c)
    p3 = p2 + c / laml
    p4 = p3 + c / lamr
    nrq = n * r * q
    while True:
        u = uniform(key, counter) * p4
        v = uniform(key, counter + 1)
        counter += 2
        if u <= p1:  # triangular region: accept at once
            y = int(math.floor(xm - p1 * v + u))
            break
        if u <= p2:  # parallelograms
            x = xl + (u - p1) / c
            v = v * c + 1.0 - abs(m - x + 0.5) / p1
            if v > 1.0:
                continue
            y = int(math.floor(x))
        elif u <= p3:  # left exponential tail
            y = int(math.floor(xl + math.log(v) / laml))
            if y < 0:
                continue
            v = v * (u - p2) * laml
        else:  # right exponential tail
            y = int(math.floor(xr - math.log(v) / lamr))
            if y > n:
                continue
            v = v * (u - p3) * lamr
        k = abs(y - m)
        if k <= 20 or k >= nrq / 2.0 - 1:
            # Explicit evaluation of f(y) / f(m).
            s = r / q
            aa = s * (n + 1)
            f = 1.0
            if m < y:
                for i in range(m + 1, y + 1):
                    f *= aa / i - s
            elif m > y:
                for i in range(y + 1, m + 1):
                    f /= aa / i - s
            if v > f:
                continue
            break
        # Squeeze, then the final test with Stirling's approximation.
        rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5)
        t = -k * k / (2.0 * nrq)
        big_a = math.log(v)
        if big_a < t - rho:
            break
        if big_a > t + rho:
            continue
        x1 = y + 1.0
        f1 = m + 1.0
        z = n + 1.0 - m
        w = n - y + 1.0
        bound = (
            xm * math.log(f1 / x1)
            + (n - m + 0.5) * math.log(z / w)
            + (y - m) * math.log(w * r / (x1 * q))
            + _stirling_tail(f1, f1 * f1)
            + _stirling_tail(z, z * z)
            + _stirling_tail(x1, x1 * x1)
            + _stirling_tail(w, w * w)
        )
        if big_a > bound:
            continue
        break
    if p > 0.5:
        y = n - y
    return y, counter


@jit
def binomial(key, counter, n, p):
    """A Binomial(n, p) variate from the stream ``key`` starting at ``counter``.

    Returns
    -------
    (int, int)
        The variate and the next unused counter.
    """
    if n <= 0 or p <= 0.0:
        return 0, counter
    if p >= 1.0:
        return n, counter
    if p <= 0.5:
        if n * p <= INVERSION_MAX_MEAN:
            return _inversion(key, counter, n, p)
        return _btpe(key, counter, n, p)
    if n * (1.0 - p) <= INVERSION_MAX_MEAN:
        x, counter = _inversion(key, counter, n, 1.0 - p)
        return n - x, counter
    x, counter = _btpe(key, counter, n, 1.0 - p)
    return n - x, counter

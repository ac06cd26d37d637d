"""Binomial variates from a counter-based stream, for the aggregate cohort path.

Two exact algorithms, chosen by the mean of the smaller tail, ``μ = n·min(p, 1 − p)``
(the larger is drawn as ``n`` minus its complement):

* ``μ < 10``: inversion by sequential search from 0, as in NumPy
  (``numpy/random/src/distributions/distributions.c``); its cost grows with ``μ``.
* ``μ ≥ 10``: BTRS, the transformed rejection with squeeze of W. Hörmann (1993),
  *The generation of binomial random variates*, J. Statist. Comput. Simul.
  46:101–110 (the algorithm of TensorFlow's and JAX's binomial samplers), whose
  expected cost is bounded whatever ``n``. For large means it takes about 1.15 pairs
  of uniforms per variate, and three quarters of the pairs are accepted by the box
  squeeze at the price of one division (at ``μ = 10``: 1.35 pairs, 40 %). The others
  go through the paper's exact test of ``f(k)/f(m)`` (``m`` the mode): by recursion
  when ``|k − m| ≤ 15``; otherwise first the squeeze of Kachitvichyanukul &
  Schmeiser (1988, *Binomial random variate generation*, CACM 31:216–222; BTPE's,
  also in Hörmann's BTRD) and, if that does not decide, ``log f(k)/f(m)`` from
  log-factorials (a table below 10, Stirling's series above; TensorFlow's and JAX's
  only test), grouped so that its rounding error scales with ``|k − m|`` rather
  than with ``n``.

Uniform numbers come from :func:`.rng.uniform` with an explicit counter, which each
function returns advanced, so a draw's numbers depend only on its key.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit
from .rng import uniform

__all__ = ["binomial"]

# Hörmann's constants hold for n·p ≥ 10 (p ≤ 0.5); from there BTRS is also faster
# than inversion, whose cost grows with the mean (measured: equal near n·p = 5).
BTRS_MIN_MEAN = 10.0
RECURSION_MAX_DISTANCE = 15  # up to it f(k)/f(m) by recursion is cheaper than logs (Hörmann)

# log k! − [(k + ½)·log(k + 1) − (k + 1) + ½·log 2π] for k < 10, where Stirling's
# series is not yet accurate to double precision (values from mpmath at 40 digits).
_LOG_FACTORIAL_CORRECTION = np.array([
    0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
    0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
    0.009255462182712733, 0.00833056343336287,
])


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
def _log_factorial_correction(k):
    """``log k!`` minus its Stirling approximation at ``k + 1``, for ``k ≥ 0``."""
    if k < 10:
        return _LOG_FACTORIAL_CORRECTION[k]
    # Stirling's series to 1/x⁷: the next term is below 4e-13 at k = 10.
    y = 1.0 / (k + 1.0)
    y2 = y * y
    return y * (1.0 / 12.0 - y2 * (1.0 / 360.0 - y2 * (1.0 / 1260.0 - y2 * (1.0 / 1680.0))))


@jit
def _log_pmf_ratio(n, k, m, r):
    """``log f(k)/f(m)`` for the Binomial(n, p) probabilities ``f``, ``r = p/(1 − p)``.

    ``log m!(n−m)!/(k!(n−k)!) + (k − m)·log r`` with each ``log j!`` written as
    ``(j + ½)·log(j + 1) − (j + 1) + ½·log 2π`` plus its correction; the linear
    terms cancel and the rest is grouped so that every rounding error is of the
    order of ``|k − m|·ε`` rather than ``n·ε``.
    """
    d = k - m
    nk = n - k + 1.0
    return (
        d * math.log(r * nk / (k + 1.0))
        - (m + 0.5) * math.log1p(d / (m + 1.0))
        + (n - m + 0.5) * math.log1p(d / nk)
        + _log_factorial_correction(m)
        + _log_factorial_correction(n - m)
        - _log_factorial_correction(k)
        - _log_factorial_correction(n - k)
    )


@jit
def _btrs(key, counter, n, p):
    """Hörmann's BTRS for ``p ≤ 0.5`` and ``n·p ≥ 10``; see the module docstring."""
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    # Needed only once the box squeeze has failed: set up lazily.
    ready = False
    alpha = 0.0
    r = 0.0
    nr = 0.0
    npq = 0.0
    m = 0
    while True:
        u = uniform(key, counter) - 0.5
        v = uniform(key, counter + 1)
        counter += 2
        us = 0.5 - abs(u)
        x = (2.0 * a / us + b) * u + c
        if us >= 0.07 and v <= v_r:  # inside the box: within [0, n] by construction
            return int(math.floor(x)), counter
        # Checked before flooring: as us → 0, x can exceed the int64 range.
        if x < 0.0 or x >= n + 1.0:
            continue
        k = int(math.floor(x))
        if not ready:
            alpha = (2.83 + 5.1 / b) * spq
            r = p / q
            nr = (n + 1) * r
            npq = n * p * q
            m = int(math.floor((n + 1) * p))
            ready = True
        # Accept when v·α / (dk/du) ≤ f(k)/f(m).
        v = v * alpha / (a / (us * us) + b)
        d = k - m
        km = abs(d)
        if km <= RECURSION_MAX_DISTANCE:
            # f(i)/f(i − 1) = (n + 1 − i)·r / i
            f = 1.0
            if d > 0:
                for i in range(m + 1, k + 1):
                    f *= nr / i - r
            else:
                for i in range(k + 1, m + 1):
                    v *= nr / i - r
            if v <= f:
                return k, counter
            continue
        log_v = math.log(v)
        kmf = float(km)  # km² overflows int64 beyond 3·10⁹
        # As BTPE, trust the squeeze's bounds on log f(k)/f(m) only this close to the
        # mode; farther out (rare) the exact test decides alone.
        if kmf < npq / 2.0 - 1.0:
            rho = (kmf / npq) * (((kmf / 3.0 + 0.625) * kmf + 1.0 / 6.0) / npq + 0.5)
            t = -kmf * kmf / (2.0 * npq)
            if log_v < t - rho:
                return k, counter
            if log_v > t + rho:
                continue
        if log_v <= _log_pmf_ratio(n, k, m, r):
            return k, counter


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
        if n * p < BTRS_MIN_MEAN:
            return _inversion(key, counter, n, p)
        return _btrs(key, counter, n, p)
    if n * (1.0 - p) < BTRS_MIN_MEAN:
        x, counter = _inversion(key, counter, n, 1.0 - p)
        return n - x, counter
    x, counter = _btrs(key, counter, n, 1.0 - p)
    return n - x, counter

"""scipy.stats' quantiles, densities and means computed on scipy.special, without importing scipy.stats.

``import scipy.stats`` takes ~1 s (it builds docstrings), more than loading and
sampling a config. The families simsam uses are a few lines each in scipy.stats
on top of scipy.special; they are repeated here with the same expressions, so
the values are bit-identical to scipy.stats' (tests/test_distributions_fast.py).
A truncated normal is the exception: it is scipy.stats' own, imported when a
config has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np


@dataclass(frozen=True)
class _Family:
    """A scipy.stats family in standard form (loc 0, scale 1): ``ppf(q, *shape)``,
    ``isf(q, *shape)`` and ``pdf(x, *shape)`` are its ``_ppf``, ``_isf`` and ``_pdf``."""

    ppf: Any
    isf: Any
    pdf: Any


#: Per family, without scipy (a config's checks need no more): the standard
#: form's mean as a function of the shape parameters (the first of scipy's
#: ``_stats``), its support, and whether its pdf is 0 at the support's ends
#: (scipy's ``_open_support_mask``).
_STANDARD = {
    "uniform": (lambda: 0.5, 0.0, 1.0, False),
    "triang": (lambda c: (c + 1.0) / 3.0, 0.0, 1.0, False),
    "beta": (lambda a, b: a / (a + b), 0.0, 1.0, False),
    "norm": (lambda: 0.0, -math.inf, math.inf, False),
    "lognorm": (lambda s: np.sqrt(np.exp(s * s)), 0.0, math.inf, True),
    "gamma": (lambda a: a, 0.0, math.inf, False),
}


def _unit_isf(ppf):
    # rv_continuous's default _isf.
    return lambda q, *shape: ppf(1.0 - q, *shape)


def _uniform_ppf(q):
    return q


def _triang_ppf(q, c):
    return np.where(q < c, np.sqrt(c * q), 1 - np.sqrt((1 - c) * (1 - q)))


def _triang_pdf(x, c):
    # scipy's _lazyselect: c == 0, x < c, x >= c (c != 1), c == 1.
    if c == 0:
        return 2 - 2 * x
    if c == 1:
        return 2 * x
    return np.where(x < c, 2 * x / c, 2 * (1 - x) / (1 - c))


#: The families that need nothing from scipy.special.
_PLAIN = {
    "uniform": _Family(_uniform_ppf, _unit_isf(_uniform_ppf), lambda x: 1.0 * (x == x)),
    "triang": _Family(_triang_ppf, _unit_isf(_triang_ppf), _triang_pdf),
}


@cache
def _families() -> dict[str, _Family]:
    """The families by scipy.stats name (imports scipy.special, ~0.3 s)."""
    import scipy.special as sc  # ~0.3 s: only when a table is built or a closed form needs it
    from scipy.special import _ufuncs as scu  # scipy.stats/special, 0.3-1 s: only here

    def lognorm_pdf(x, s):
        return np.exp(np.where(x != 0, -np.log(x) ** 2 / (2 * s**2) - np.log(s * x * np.sqrt(2 * np.pi)), -np.inf))

    norm_pdf_c = np.sqrt(2 * np.pi)
    # Older scipy (before its Boost beta ufuncs): the functions scipy.stats used then.
    beta_ppf = getattr(scu, "_beta_ppf", lambda q, a, b: sc.betaincinv(a, b, q))
    beta_pdf = getattr(scu, "_beta_pdf", lambda x, a, b: np.exp(sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -x) - sc.betaln(a, b)))
    return {
        **_PLAIN,
        "beta": _Family(beta_ppf, lambda q, a, b: sc.betainccinv(a, b, q), beta_pdf),
        "norm": _Family(sc.ndtri, lambda q: -sc.ndtri(q), lambda x: np.exp(-(x**2) / 2.0) / norm_pdf_c),
        "lognorm": _Family(lambda q, s: np.exp(s * sc.ndtri(q)), lambda q, s: np.exp(s * -sc.ndtri(q)), lognorm_pdf),
        "gamma": _Family(
            lambda q, a: sc.gammaincinv(a, q),
            lambda q, a: sc.gammainccinv(a, q),
            lambda x, a: np.exp(sc.xlogy(a - 1.0, x) - x - sc.gammaln(a)),
        ),
    }


class _Law:
    """A distribution ``loc + scale · X``, ``X`` of a :class:`_Family`, with
    scipy.stats' frozen-distribution methods and edge cases (``ppf(0)`` and
    ``ppf(1)`` are the support's ends, NaN outside [0, 1]; the pdf is 0
    outside the support).

    Parameters
    ----------
    family : str
        scipy.stats' name: ``"uniform"``, ``"triang"``, ``"beta"``, ``"norm"``,
        ``"lognorm"`` or ``"gamma"``.
    shape : tuple of float
        Its shape parameters, e.g. ``(a, b)`` for beta.
    loc, scale : float
        In the distribution's units.
    """

    __slots__ = ("name", "shape", "loc", "scale")

    def __init__(self, family: str, shape: tuple[float, ...], loc: float, scale: float):
        self.name = family
        # numpy scalars, as scipy computes with them (their ufuncs match scipy's to the bit).
        self.shape = tuple(np.float64(s) for s in shape)
        self.loc, self.scale = np.float64(loc), np.float64(scale)

    def __repr__(self) -> str:
        return f"_Law({self.name!r}, {tuple(map(float, self.shape))}, loc={float(self.loc)}, scale={float(self.scale)})"

    def _inverse(self, f, q, at0, at1):
        q = np.asarray(q, dtype=np.float64)
        with np.errstate(all="ignore"):
            x = f(q, *self.shape) * self.scale + self.loc
        x = np.where((0 < q) & (q < 1), x, np.where(q == 0, at0, np.where(q == 1, at1, np.nan)))
        return x[()] if x.ndim == 0 else x

    @property
    def family(self) -> _Family:
        return _PLAIN.get(self.name) or _families()[self.name]

    def ppf(self, q):
        """Quantile at the lower-tail probability ``q``, same shape as ``q``."""
        lo, hi = self.support()
        return self._inverse(self.family.ppf, q, lo, hi)

    def isf(self, q):
        """Quantile at the upper-tail probability ``q``, same shape as ``q``."""
        lo, hi = self.support()
        return self._inverse(self.family.isf, q, hi, lo)

    def pdf(self, x):
        """Density at ``x`` (per unit of ``x``), same shape as ``x``."""
        y = np.asarray((np.asarray(x, dtype=np.float64) - self.loc) / self.scale, dtype=np.float64)
        _, lo, hi, open_ends = _STANDARD[self.name]
        with np.errstate(all="ignore"):
            inside = ((lo < y) & (y < hi)) if open_ends else ((lo <= y) & (y <= hi))
            out = np.where(inside, self.family.pdf(y, *self.shape) / self.scale, 0.0)
        out = np.where(np.isnan(y), np.nan, out)
        return out[()] if out.ndim == 0 else out

    def support(self) -> tuple[float, float]:
        _, lo, hi, _ = _STANDARD[self.name]
        return lo * self.scale + self.loc, hi * self.scale + self.loc

    def mean(self) -> float:
        return _STANDARD[self.name][0](*self.shape) * self.scale + self.loc


def _scipy_frozen(family: str, shape: tuple[float, ...], loc: float, scale: float):
    from scipy import stats  # ~1 s: only for a truncated normal, the one family without a formula here

    return getattr(stats, family)(*shape, loc=loc, scale=scale)

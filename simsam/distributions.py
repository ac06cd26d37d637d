"""Distribution specs of the config, checked and turned into quantile functions.

Every uncertain number of a config is one of the distributions below. Sampling
is by inverse CDF (``ppf``) of uniform numbers, so that Monte Carlo draws, Latin
hypercube and Sobol designs, and rank correlations all share one code path.

A plain number is a :class:`Fixed` value. Dirichlet shares are not here but in
:mod:`simsam.config.schema` (they are a group of numbers, not one).

Quantiles, densities and means are scipy.stats' values, but computed from
:mod:`scipy.special` (:class:`_Law`): importing ``scipy.stats`` takes ~1 s, longer
than loading and sampling a config. :attr:`Distribution.frozen` still gives the
``scipy.stats`` object, for anything else (cdf, rvs, ...).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .errors import ConfigError, type_name, unknown_key_error

__all__ = ["Domain", "Distribution", "Quantity", "DISTRIBUTIONS", "parse_distribution"]


@dataclass(frozen=True)
class Domain:
    """The values a quantity may take, e.g. ``[0, 1]`` for a probability.

    ``lo_open`` excludes the lower bound (a discount rate must exceed −1).
    """

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False

    def contains(self, x: float) -> bool:
        above = x > self.lo if self.lo_open else x >= self.lo
        return above and x <= self.hi

    def covers(self, a: float, b: float) -> bool:
        """Whether the interval ``[a, b]`` (a support) lies inside the domain."""
        above = a > self.lo if self.lo_open else a >= self.lo
        # A support's open end at the bound is fine: beta on (0, 1) is a probability.
        return (above or a == self.lo) and b <= self.hi

    def text(self) -> str:
        if self.lo == 0 and self.hi == 1:
            return "between 0 and 1"
        if self.hi == math.inf:
            return f"{'>' if self.lo_open else '≥'} {self.lo:g}"
        return f"between {self.lo:g} and {self.hi:g}"


ANY = Domain()


def _num(raw: Mapping[str, Any], key: str, path: str) -> float:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{path}.{key}", f"must be a number, not {type_name(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"{path}.{key}", f"must be finite, not {value}")
    return value


@dataclass(frozen=True)
class Distribution:
    """One named distribution with its parameters as written in the config.

    Parameters
    ----------
    kind : str
        ``"uniform"``, ``"triangular"``, ``"pert"``, ``"normal"``,
        ``"lognormal"``, ``"beta"`` or ``"gamma"``.
    params : tuple of (str, float)
        The config's keys and values, e.g. ``(("mean", 0.75), ("sd", 0.08))``.
    """

    kind: str
    params: tuple[tuple[str, float], ...]

    @property
    def p(self) -> dict[str, float]:
        return dict(self.params)

    @cached_property
    def law(self):
        """The distribution as an object with scipy.stats' ``ppf``, ``isf``,
        ``pdf``, ``support()`` and ``mean()``, computed by :class:`_Law`
        without importing ``scipy.stats`` (a truncated normal excepted)."""
        family, shape, loc, scale = DISTRIBUTIONS[self.kind].scipy_args(self.p)
        if family not in _STANDARD:
            return _scipy_frozen(family, shape, loc, scale)
        return _Law(family, shape, loc, scale)

    @cached_property
    def frozen(self):
        """The ``scipy.stats`` frozen distribution (imports ``scipy.stats``, ~1 s)."""
        return _scipy_frozen(*DISTRIBUTIONS[self.kind].scipy_args(self.p))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF at the uniform numbers ``u`` in (0, 1).

        Beta, PERT and gamma quantiles cost 1–5 µs each in scipy (an iterative
        inversion); they come from a validated table instead
        (:class:`InverseCdfTable`), within ``TABLE_TOLERANCE`` of the exact
        value. The other kinds have closed forms and use :attr:`law` directly.
        """
        table = self.table
        if table is not None:
            return table(np.asarray(u, dtype=np.float64))
        return np.asarray(self.law.ppf(u), dtype=np.float64)

    def exact_ppf(self, u: np.ndarray) -> np.ndarray:
        """The exact inverse CDF (scipy.stats' value), without the table."""
        return np.asarray(self.law.ppf(u), dtype=np.float64)

    @cached_property
    def table(self) -> "InverseCdfTable | None":
        """The interpolation table, or None (closed-form kind, or the table missed its tolerance)."""
        if self.kind not in TABULATED:
            return None
        return _table(self)

    @property
    def support(self) -> tuple[float, float]:
        a, b = self.law.support()
        return float(a), float(b)

    @property
    def mean(self) -> float:
        return float(self.law.mean())

    @property
    def median(self) -> float:
        return float(self.law.ppf(0.5))

    def describe(self) -> str:
        """Short English text, e.g. ``beta(mean 0.75, sd 0.08)``."""
        args = ", ".join(f"{k} {v:g}" for k, v in self.params)
        return f"{self.kind}({args})"


@dataclass(frozen=True, eq=False)
class Quantity:
    """A number of the config: fixed, or uncertain with a distribution.

    Identity (not value) equality, so that a quantity can key the sampled values
    of a run (:class:`simsam.sampling.Sample`).

    Parameters
    ----------
    path : str
        Dotted config path, e.g. ``"economy.wage"``; the parameter's name in the
        result's ``inputs``.
    value : float or None
        The fixed value, or None when uncertain.
    dist : Distribution or None
        The distribution when uncertain.
    """

    path: str
    value: float | None = None
    dist: Distribution | None = field(default=None)

    @property
    def fixed(self) -> bool:
        return self.dist is None

    @property
    def base(self) -> float:
        """The fixed value, or the distribution's median (the tornado's base)."""
        return self.value if self.dist is None else self.dist.median

    @property
    def mean(self) -> float:
        return self.value if self.dist is None else self.dist.mean

    def describe(self) -> str:
        return f"{self.value:g}" if self.dist is None else self.dist.describe()


# --- fast inverse CDFs ------------------------------------------------------------------

#: Kinds whose scipy inverse CDF is iterative and slow.
TABULATED = ("beta", "pert", "gamma")
#: Most intervals of a table; :meth:`InverseCdfTable.build` starts at ``TABLE_START`` and doubles.
TABLE_NODES = 1024
TABLE_START = 64
#: Largest accepted error of the table, relative to the range it spans.
TABLE_TOLERANCE = 1e-9
#: Φ⁻¹ of the smallest and largest uniform numbers simsam draws (2⁻⁵³, 1 − 2⁻⁵³) is ±8.2.
Z_MAX = 8.3


@dataclass(frozen=True)
class InverseCdfTable:
    """A distribution's inverse CDF as a cubic Hermite spline in ``z = Φ⁻¹(u)``.

    Nodes are equally spaced in ``z`` on ``[−8.3, 8.3]`` (so the tails get as
    many nodes as the middle); values are the exact quantiles (the upper half
    through the survival function, which keeps its precision near 1) and
    slopes are exact, ``dx/dz = φ(z) / f(x)``. :meth:`build` checks the spline
    against the exact quantiles at every midpoint and refines until the error
    is below ``TABLE_TOLERANCE`` times the range, or gives up (None), so a
    table is either accurate to ~1e-9 or not used. Evaluation costs ~50 ns per
    number instead of 1–5 µs.

    Attributes
    ----------
    x, slope : ndarray, shape ``(n + 1,)``
        Quantiles and ``dx/dz`` at the nodes, in the distribution's units.
    step : float
        Node spacing in ``z``, ``2 · Z_MAX / n``.
    """

    x: np.ndarray
    slope: np.ndarray
    step: float

    @classmethod
    def build(cls, law, nodes: int = TABLE_NODES, start: int = TABLE_START) -> "InverseCdfTable | None":
        """Tabulate ``law``, or None when even ``nodes`` intervals miss the tolerance.

        Parameters
        ----------
        law : object
            Anything with vectorised ``ppf``, ``isf`` and ``pdf``: a
            :attr:`Distribution.law` or a ``scipy.stats`` frozen distribution.
        nodes : int
            Most intervals: ``start``, ``2 · start``, ... intervals are tried
            while not above ``nodes``.
        start : int
            Intervals of the first try. Each failed try's midpoints are the
            next one's new nodes, so no exact quantile is computed twice and a
            table of ``n`` intervals costs ``2n + 1`` of them, as a build of
            ``n`` intervals straight away. (The shipped configs' PERTs need 512.)
        """
        from scipy.special import ndtr

        def exact(z):
            lower = z < 0
            x = np.empty_like(z)
            with np.errstate(all="ignore"):
                x[lower] = law.ppf(ndtr(z[lower]))
                x[~lower] = law.isf(ndtr(-z[~lower]))
                return x, np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) / law.pdf(x)

        def interleave(even, odd):
            out = np.empty(even.size + odd.size)
            out[::2], out[1::2] = even, odd
            return out

        n = min(start, nodes)
        x, slope = exact(np.linspace(-Z_MAX, Z_MAX, n + 1))
        while True:
            z_mid = np.linspace(-Z_MAX, Z_MAX, 2 * n + 1)[1::2]
            x_mid, slope_mid = exact(z_mid)
            x_all, slope_all = interleave(x, x_mid), interleave(slope, slope_mid)
            # NaN, infinite or zero density, or a non-monotone ppf: not a table's job.
            if not (np.all(np.isfinite(x_all)) and np.all(np.isfinite(slope_all)) and np.all(np.diff(x_all) >= 0)):
                return None
            table = cls(x, slope, 2 * Z_MAX / n)
            span = x[-1] - x[0]
            if not span > 0:
                return None
            if np.max(np.abs(table._at(z_mid) - x_mid)) <= TABLE_TOLERANCE * span:
                return table
            if 2 * n > nodes:
                return None
            x, slope, n = x_all, slope_all, 2 * n

    def _at(self, z: np.ndarray) -> np.ndarray:
        w = (np.clip(z, -Z_MAX, Z_MAX) + Z_MAX) / self.step
        i = np.minimum(w.astype(np.int64), self.x.size - 2)
        t = w - i
        t2 = t * t
        t3 = t2 * t
        h = self.step
        x0, x1 = self.x[i], self.x[i + 1]
        return (2 * t3 - 3 * t2 + 1) * x0 + (t3 - 2 * t2 + t) * h * self.slope[i] + (3 * t2 - 2 * t3) * x1 + (t3 - t2) * h * self.slope[i + 1]

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return self._at(ndtri(u))


@lru_cache(maxsize=512)
def _table(dist: Distribution) -> InverseCdfTable | None:
    # Keyed by value: sampling makes a fresh gamma Distribution per Dirichlet
    # share on every call, and those must not rebuild their tables.
    law = dist.law
    key = (law.name, tuple(map(float, law.shape)), float(law.loc), float(law.scale))
    return _stored_table(key, lambda: InverseCdfTable.build(law))


# --- tables kept on disk ---------------------------------------------------------------
#
# Building a table takes exact quantiles from scipy.special (importing it costs
# ~0.3 s, building ~3 ms a table); a run's tables are therefore stored, like
# numba's compiled kernels, and the next process with the same inputs reads them
# (~0.1 ms each) without importing scipy.special at all.


#: Most tables kept on disk (≤ 16 kB each).
TABLE_CACHE_FILES = 10_000


def table_cache_dir() -> Path | None:
    """Where tables are stored: ``$SIMSAM_CACHE_DIR``, else ``simsam/__pycache__/tables``
    if writable, else ``~/.cache/simsam/tables``; None (no storing) if ``SIMSAM_CACHE_DIR``
    is empty."""
    env = os.environ.get("SIMSAM_CACHE_DIR")
    if env is not None:
        return Path(env) / "tables" if env else None
    beside = Path(__file__).parent / "__pycache__"
    if os.access(beside if beside.exists() else beside.parent, os.W_OK):
        return beside / "tables"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "simsam" / "tables"


def _table_file(key) -> Path | None:
    import hashlib

    folder = table_cache_dir()
    if folder is None:
        return None
    import scipy  # its version: quantiles may change between releases (scipy itself is cheap to import)

    spec = repr((key, TABLE_NODES, TABLE_START, TABLE_TOLERANCE, Z_MAX, scipy.__version__))
    return folder / (hashlib.sha256(spec.encode()).hexdigest()[:32] + ".npy")


def _stored_table(key, build) -> "InverseCdfTable | None":
    """The table of ``key`` from disk, or ``build()`` it and store it (an empty file: no table)."""
    path = _table_file(key)
    if path is not None:
        try:
            data = np.load(path, allow_pickle=False)
            if data.shape == (0,):
                return None
            if data.ndim == 2 and data.shape[0] == 2 and data.shape[1] >= 2 and np.all(np.isfinite(data)):
                return InverseCdfTable(data[0].copy(), data[1].copy(), 2 * Z_MAX / (data.shape[1] - 1))
        except (OSError, ValueError, EOFError):
            pass  # missing or unreadable: build it
    table = build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if len(os.listdir(path.parent)) >= TABLE_CACHE_FILES:
                return table  # full (e.g. a study sweeping a parameter): keep what is there
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                np.save(f, np.empty(0) if table is None else np.stack([table.x, table.slope]))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only place: tables are rebuilt next time
    return table


# --- Φ⁻¹ without scipy -------------------------------------------------------------------


def ndtri(u) -> np.ndarray:
    """The standard normal quantile Φ⁻¹(u), elementwise, same shape as ``u``.

    Wichura's AS 241 (PPND16; Applied Statistics 37:477–484, 1988), accurate to
    about 1e-16 relative, with the coefficients of CPython's
    ``statistics.NormalDist.inv_cdf``; it agrees with ``scipy.special.ndtri``
    within a few ulps (tested), and spares a run importing scipy.special.
    ``u`` in [0, 1]; 0 and 1 give ∓inf.
    """
    u = np.asarray(u, dtype=np.float64)
    q = u - 0.5
    out = np.empty_like(q)
    mid = np.abs(q) <= 0.425
    qm = q[mid]
    r = 0.180625 - qm * qm
    out[mid] = qm * _poly(r, _AS241[0]) / _poly(r, _AS241[1])
    tail = ~mid
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.sqrt(-np.log(np.where(q[tail] <= 0.0, u[tail], 1.0 - u[tail])))
        near = r <= 5.0
        x = np.where(near, _poly(r - 1.6, _AS241[2]) / _poly(r - 1.6, _AS241[3]), _poly(r - 5.0, _AS241[4]) / _poly(r - 5.0, _AS241[5]))
    x[np.isinf(r)] = np.inf
    out[tail] = np.where(q[tail] < 0.0, -x, x)
    return out[()] if out.ndim == 0 else out


def _poly(r, coefficients):
    """Horner's scheme, highest power first (as AS 241 writes it)."""
    value = np.full_like(r, coefficients[0])
    for c in coefficients[1:]:
        value = value * r + c
    return value


# Numerator and denominator of the central region (|u − ½| ≤ 0.425), then of the
# tails with r = √(−log min(u, 1 − u)) ≤ 5 and > 5; highest power first.
_AS241 = (
    (2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4, 4.5921953931549871457e4,
     1.3731693765509461125e4, 1.9715909503065514427e3, 1.3314166789178437745e2, 3.3871328727963666080e0),
    (5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4, 2.1213794301586595867e4,
     5.3941960214247511077e3, 6.8718700749205790830e2, 4.2313330701600911252e1, 1.0),
    (7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1, 1.27045825245236838258e0,
     3.64784832476320460504e0, 5.76949722146069140550e0, 4.63033784615654529590e0, 1.42343711074968357734e0),
    (1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2, 1.48103976427480074590e-1,
     6.89767334985100004550e-1, 1.67638483018380384940e0, 2.05319162663775882187e0, 1.0),
    (2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3, 2.65321895265761230930e-2,
     2.96560571828504891230e-1, 1.78482653991729133580e0, 5.46378491116411436990e0, 6.65790464350110377720e0),
    (2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5, 7.86869131145613259100e-4,
     1.48753612908506148525e-2, 1.36929880922735805310e-1, 5.99832206555887937690e-1, 1.0),
)


# --- scipy.stats' formulas on scipy.special -------------------------------------------
#
# ``import scipy.stats`` takes ~1 s (it builds docstrings), more than loading and
# sampling a config. The families simsam uses are a few lines each in scipy.stats
# on top of scipy.special; they are repeated here with the same expressions, so
# the values are bit-identical to scipy.stats' (tests/test_distributions_fast.py).


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
    import scipy.special as sc
    from scipy.special import _ufuncs as scu

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
    from scipy import stats

    return getattr(stats, family)(*shape, loc=loc, scale=scale)


# --- the distributions: allowed keys, checks, scipy parameters -----------------------


def _check_uniform(p, path):
    if not p["low"] < p["high"]:
        raise ConfigError(path, f"uniform low {p['low']:g} must be below high {p['high']:g}")


def _check_triangular(p, path):
    low, mode, high = p["low"], p["mode"], p["high"]
    if not low < high:
        raise ConfigError(path, f"triangular low {low:g} must be below high {high:g}")
    if not low <= mode <= high:
        raise ConfigError(path, f"triangular mode {mode:g} must lie between low {low:g} and high {high:g}")


def _check_pert(p, path):
    lo, mode, hi = p["min"], p["mode"], p["max"]
    if not lo < hi:
        raise ConfigError(path, f"pert min {lo:g} must be below max {hi:g}")
    if not lo <= mode <= hi:
        raise ConfigError(path, f"pert mode {mode:g} must lie between min {lo:g} and max {hi:g}")
    if p.get("lambda", 4.0) <= 0:
        raise ConfigError(path, f"pert lambda {p['lambda']:g} must be positive")


def _check_normal(p, path):
    if not p["sd"] > 0:
        raise ConfigError(path, f"normal sd {p['sd']:g} must be positive")
    low, high = p.get("low", -math.inf), p.get("high", math.inf)
    if not low < high:
        raise ConfigError(path, f"normal truncation low {low:g} must be below high {high:g}")
    # Truncation far in a tail leaves no mass a float can represent.
    from scipy.special import ndtr

    z_lo, z_hi = (low - p["mean"]) / p["sd"], (high - p["mean"]) / p["sd"]
    if ndtr(z_hi) - ndtr(z_lo) < 1e-12 and ndtr(-z_lo) - ndtr(-z_hi) < 1e-12:
        raise ConfigError(path, f"normal truncated to [{low:g}, {high:g}] has no mass left (mean {p['mean']:g}, sd {p['sd']:g})")


def _check_positive_mean_sd(kind):
    def check(p, path):
        if not p["mean"] > 0:
            raise ConfigError(path, f"{kind} mean {p['mean']:g} must be positive")
        if not p["sd"] > 0:
            raise ConfigError(path, f"{kind} sd {p['sd']:g} must be positive")

    return check


def _check_beta(p, path):
    if "a" in p or "b" in p:
        if "a" not in p or "b" not in p or "mean" in p or "sd" in p:
            raise ConfigError(path, "beta takes either mean and sd, or a and b")
        if not (p["a"] > 0 and p["b"] > 0):
            raise ConfigError(path, f"beta a {p['a']:g} and b {p['b']:g} must be positive")
        return
    if "mean" not in p or "sd" not in p:
        raise ConfigError(path, "beta takes either mean and sd, or a and b")
    mean, sd = p["mean"], p["sd"]
    if not 0 < mean < 1:
        raise ConfigError(path, f"beta mean {mean:g} must lie strictly between 0 and 1")
    if not sd > 0:
        raise ConfigError(path, f"beta sd {sd:g} must be positive")
    if sd * sd >= mean * (1 - mean):
        raise ConfigError(path, f"beta sd {sd:g} too large for mean {mean:g} (must be below {math.sqrt(mean * (1 - mean)):.3g})")


def beta_ab(mean: float, sd: float) -> tuple[float, float]:
    """Beta shape parameters from mean and standard deviation (method of moments)."""
    k = mean * (1 - mean) / (sd * sd) - 1
    return mean * k, (1 - mean) * k


# Each kind as scipy.stats parametrises it: (family, shape parameters, loc, scale).


def _scipy_uniform(p):
    return "uniform", (), p["low"], p["high"] - p["low"]


def _scipy_triangular(p):
    width = p["high"] - p["low"]
    return "triang", ((p["mode"] - p["low"]) / width,), p["low"], width


def _scipy_pert(p):
    lam = p.get("lambda", 4.0)
    width = p["max"] - p["min"]
    a = 1 + lam * (p["mode"] - p["min"]) / width
    b = 1 + lam * (p["max"] - p["mode"]) / width
    return "beta", (a, b), p["min"], width


def _scipy_normal(p):
    low, high = p.get("low", -math.inf), p.get("high", math.inf)
    if math.isinf(low) and math.isinf(high):
        return "norm", (), p["mean"], p["sd"]
    return "truncnorm", ((low - p["mean"]) / p["sd"], (high - p["mean"]) / p["sd"]), p["mean"], p["sd"]


def _scipy_lognormal(p):
    # mean and sd are of the value itself, not of its logarithm.
    sigma2 = math.log1p((p["sd"] / p["mean"]) ** 2)
    return "lognorm", (math.sqrt(sigma2),), 0.0, p["mean"] * math.exp(-sigma2 / 2)


def _scipy_beta(p):
    a, b = (p["a"], p["b"]) if "a" in p else beta_ab(p["mean"], p["sd"])
    return "beta", (a, b), 0.0, 1.0


def _scipy_gamma(p):
    return "gamma", ((p["mean"] / p["sd"]) ** 2,), 0.0, p["sd"] ** 2 / p["mean"]


@dataclass(frozen=True)
class _Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    check: Any
    scipy_args: Any


DISTRIBUTIONS: dict[str, _Kind] = {
    "uniform": _Kind(("low", "high"), (), _check_uniform, _scipy_uniform),
    "triangular": _Kind(("low", "mode", "high"), (), _check_triangular, _scipy_triangular),
    "pert": _Kind(("min", "mode", "max"), ("lambda",), _check_pert, _scipy_pert),
    "normal": _Kind(("mean", "sd"), ("low", "high"), _check_normal, _scipy_normal),
    "lognormal": _Kind(("mean", "sd"), (), _check_positive_mean_sd("lognormal"), _scipy_lognormal),
    "beta": _Kind((), ("mean", "sd", "a", "b"), _check_beta, _scipy_beta),
    "gamma": _Kind(("mean", "sd"), (), _check_positive_mean_sd("gamma"), _scipy_gamma),
}


def parse_distribution(raw: Mapping[str, Any], path: str) -> Distribution:
    """Check an inline table such as ``{ dist = "beta", mean = 0.75, sd = 0.08 }``.

    Raises
    ------
    ConfigError
        Unknown distribution or key, a missing or non-numeric parameter, or
        parameters no distribution can have (``low > high``, ``sd <= 0``, beta sd
        too large for its mean, ...).
    """

    name = raw.get("dist")
    if not isinstance(name, str):
        raise ConfigError(f"{path}.dist", f"must be the name of a distribution, not {type_name(name)}")
    if name not in DISTRIBUTIONS:
        choices = list(DISTRIBUTIONS) + ["dirichlet"]
        raise unknown_key_error(f"{path}.dist", name, choices, what="distribution")
    kind = DISTRIBUTIONS[name]
    allowed = ("dist",) + kind.required + kind.optional
    for key in raw:
        if key not in allowed:
            raise unknown_key_error(f"{path}.{key}", key, allowed[1:], what=f"{name} parameter")
    for key in kind.required:
        if key not in raw:
            raise ConfigError(path, f"{name} needs '{key}'")
    params = tuple((key, _num(raw, key, path)) for key in allowed[1:] if key in raw)
    dist = Distribution(name, params)
    kind.check(dist.p, path)
    return dist

"""Distribution specs of the config, checked and turned into quantile functions.

Every uncertain number of a config is one of the distributions below. Sampling
is by inverse CDF (``ppf``) of uniform numbers, so that Monte Carlo draws, Latin
hypercube and Sobol designs, and rank correlations all share one code path.

A plain number is a :class:`Quantity` with a value. Dirichlet shares are not here
but in :mod:`simsam.config.build` (they are a group of numbers, not one).

Quantiles, densities and means are scipy.stats' values computed by
:mod:`simsam.distributions.laws`; beta, PERT and gamma quantiles come from the
tables of :mod:`simsam.distributions.tables`. :attr:`Distribution.frozen` still
gives the ``scipy.stats`` object, for anything else (cdf, rvs, ...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..errors import ConfigError, type_name, unknown_key_error
from .laws import _STANDARD, _Law, _scipy_frozen
from .tables import TABULATED, InverseCdfTable, _table

__all__ = [
    "Domain",
    "ANY",
    "Distribution",
    "Quantity",
    "DISTRIBUTIONS",
    "parse_distribution",
    "beta_ab",
    "EVIDENCE_GRADES",
    "UNGRADED",
    "EVIDENCE_KEYS",
    "split_evidence",
]

#: Evidence grades an input may carry (``evidence = "low"``), strongest first.
EVIDENCE_GRADES = ("high", "medium", "low")
#: The grade of an input that states none (a grade of its own in analyses by grade).
UNGRADED = "ungraded"
#: Keys beside a distribution's parameters that describe its evidence, not its shape.
EVIDENCE_KEYS = ("evidence", "source")


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
    def table(self) -> InverseCdfTable | None:
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
    of a run (:class:`simsam.engine.sampling.Sample`).

    Parameters
    ----------
    path : str
        Dotted config path, e.g. ``"economy.wage"``; the parameter's name in the
        result's ``inputs``.
    value : float or None
        The fixed value, or None when uncertain.
    dist : Distribution or None
        The distribution when uncertain.
    evidence : {"high", "medium", "low"} or None
        How strong the support for the distribution is (``evidence = "..."``
        beside it in the config); None: not graded.
    source : str or None
        Where the figure comes from (``source = "..."``), as written.
    """

    path: str
    value: float | None = None
    dist: Distribution | None = field(default=None)
    evidence: str | None = None
    source: str | None = None

    @property
    def grade(self) -> str:
        """The evidence grade, or :data:`UNGRADED`."""
        return self.evidence or UNGRADED

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
    from scipy.special import ndtr  # ~0.3 s: only for a truncated normal

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
    """Beta shape parameters from mean and standard deviation (method of moments).

    ``a + b = mean·(1 − mean)/sd² − 1``, split in the ratio ``mean : 1 − mean``:

    >>> beta_ab(0.75, 0.08)          # 0.1875 / 0.0064 − 1 = 28.296875
    (21.22265625, 7.07421875)
    """
    k = mean * (1 - mean) / (sd * sd) - 1
    return mean * k, (1 - mean) * k


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

    Examples
    --------
    >>> d = parse_distribution({"dist": "pert", "min": 5.5e6, "mode": 6.0e6, "max": 7.0e6}, "project.cost")
    >>> d.describe(), d.support
    ('pert(min 5.5e+06, mode 6e+06, max 7e+06)', (5500000.0, 7000000.0))
    >>> round(d.mean)                  # (min + 4·mode + max) / 6
    6083333
    >>> parse_distribution({"dist": "beta", "mean": 0.75, "sd": 0.6}, "outcomes.states.work.employment_rate")
    Traceback (most recent call last):
    simsam.errors.ConfigError: outcomes.states.work.employment_rate: beta sd 0.6 too large for mean 0.75 (must be below 0.433)
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


def split_evidence(raw: Mapping[str, Any], path: str, source: str | None = None) -> tuple[dict, str | None, str | None]:
    """A distribution table without its ``evidence`` and ``source`` keys, and those two.

    Raises
    ------
    ConfigError
        ``PATH.evidence`` not one of :data:`EVIDENCE_GRADES`, or ``PATH.source``
        not a string.

    Examples
    --------
    >>> split_evidence({"dist": "uniform", "low": 0, "high": 1, "evidence": "low", "source": "a guess"}, "x")
    ({'dist': 'uniform', 'low': 0, 'high': 1}, 'low', 'a guess')
    >>> split_evidence({"dist": "uniform", "low": 0, "high": 1, "evidence": "weak"}, "x")
    Traceback (most recent call last):
    simsam.errors.ConfigError: x.evidence: unknown grade 'weak' (choose from high, medium, low)
    """
    rest = {k: v for k, v in raw.items() if k not in EVIDENCE_KEYS}
    grade = raw.get("evidence")
    if grade is not None and not isinstance(grade, str):
        raise ConfigError(f"{path}.evidence", f"must be one of {', '.join(EVIDENCE_GRADES)}, not {type_name(grade)}", source)
    if grade is not None and grade not in EVIDENCE_GRADES:
        raise ConfigError(f"{path}.evidence", f"unknown grade {grade!r} (choose from {', '.join(EVIDENCE_GRADES)})", source)
    text = raw.get("source")
    if text is not None and not isinstance(text, str):
        raise ConfigError(f"{path}.source", f"must be a string naming where the figure comes from, not {type_name(text)}", source)
    return rest, grade, text

"""Distribution specs of the config, checked and turned into ``scipy.stats`` objects.

Every uncertain number of a config is one of the distributions below. Sampling
is by inverse CDF (``ppf``) of uniform numbers, so that Monte Carlo draws, Latin
hypercube and Sobol designs, and rank correlations all share one code path.

A plain number is a :class:`Fixed` value. Dirichlet shares are not here but in
:mod:`simsam.config.schema` (they are a group of numbers, not one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

import numpy as np

from .errors import ConfigError, type_name

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
    def frozen(self):
        """The ``scipy.stats`` frozen distribution."""
        return _FROZEN[self.kind](self.p)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF at the uniform numbers ``u`` in (0, 1).

        Beta, PERT and gamma quantiles cost 1–5 µs each in scipy (an iterative
        inversion); they come from a validated table instead
        (:class:`InverseCdfTable`), within ``TABLE_TOLERANCE`` of the exact
        value. The other kinds have closed forms and use scipy directly.
        """
        table = self.table
        if table is not None:
            return table(np.asarray(u, dtype=np.float64))
        return np.asarray(self.frozen.ppf(u), dtype=np.float64)

    def exact_ppf(self, u: np.ndarray) -> np.ndarray:
        """scipy's inverse CDF, without the table."""
        return np.asarray(self.frozen.ppf(u), dtype=np.float64)

    @cached_property
    def table(self) -> "InverseCdfTable | None":
        """The interpolation table, or None (closed-form kind, or the table missed its tolerance)."""
        if self.kind not in TABULATED:
            return None
        return InverseCdfTable.build(self.frozen)

    @property
    def support(self) -> tuple[float, float]:
        a, b = self.frozen.support()
        return float(a), float(b)

    @property
    def mean(self) -> float:
        return float(self.frozen.mean())

    @property
    def median(self) -> float:
        return float(self.frozen.ppf(0.5))

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
TABLE_NODES = 1024
#: Largest accepted error of the table, relative to the range it spans.
TABLE_TOLERANCE = 1e-9
#: Φ⁻¹ of the smallest and largest uniform numbers simsam draws (2⁻⁵³, 1 − 2⁻⁵³) is ±8.2.
Z_MAX = 8.3


@dataclass(frozen=True)
class InverseCdfTable:
    """A distribution's inverse CDF as a cubic Hermite spline in ``z = Φ⁻¹(u)``.

    Nodes are equally spaced in ``z`` on ``[−8.3, 8.3]`` (so the tails get as
    many nodes as the middle); values are scipy's exact quantiles (the upper
    half through the survival function, which keeps its precision near 1) and
    slopes are exact, ``dx/dz = φ(z) / f(x)``. :meth:`build` checks the spline
    against the exact quantiles at every midpoint and gives up (None) unless
    the error is below ``TABLE_TOLERANCE`` times the range, so a table is either
    accurate to ~1e-9 or not used. Evaluation costs ~50 ns per number instead
    of 1–5 µs.
    """

    x: np.ndarray
    slope: np.ndarray
    step: float

    @classmethod
    def build(cls, frozen, nodes: int = TABLE_NODES) -> "InverseCdfTable | None":
        from scipy import special

        z = np.linspace(-Z_MAX, Z_MAX, 2 * nodes + 1)
        with np.errstate(all="ignore"):
            x = np.where(z < 0, frozen.ppf(special.ndtr(z)), frozen.isf(special.ndtr(-z)))
            slope = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) / frozen.pdf(x)
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(slope)) and np.all(np.diff(x) >= 0)):
            return None
        table = cls(x[::2].copy(), slope[::2].copy(), 2 * Z_MAX / nodes)
        span = x[-1] - x[0]
        error = np.max(np.abs(table._at(z[1::2]) - x[1::2]))
        return table if span > 0 and error <= TABLE_TOLERANCE * span else None

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
        from scipy import special

        return self._at(special.ndtri(u))


# --- the distributions: allowed keys, checks, scipy objects -----------------------


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


def _frozen_uniform(p):
    from scipy import stats

    return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])


def _frozen_triangular(p):
    from scipy import stats

    width = p["high"] - p["low"]
    return stats.triang(c=(p["mode"] - p["low"]) / width, loc=p["low"], scale=width)


def _frozen_pert(p):
    from scipy import stats

    lam = p.get("lambda", 4.0)
    width = p["max"] - p["min"]
    a = 1 + lam * (p["mode"] - p["min"]) / width
    b = 1 + lam * (p["max"] - p["mode"]) / width
    return stats.beta(a, b, loc=p["min"], scale=width)


def _frozen_normal(p):
    from scipy import stats

    low, high = p.get("low", -math.inf), p.get("high", math.inf)
    if math.isinf(low) and math.isinf(high):
        return stats.norm(loc=p["mean"], scale=p["sd"])
    return stats.truncnorm((low - p["mean"]) / p["sd"], (high - p["mean"]) / p["sd"], loc=p["mean"], scale=p["sd"])


def _frozen_lognormal(p):
    from scipy import stats

    # mean and sd are of the value itself, not of its logarithm.
    sigma2 = math.log1p((p["sd"] / p["mean"]) ** 2)
    return stats.lognorm(s=math.sqrt(sigma2), scale=p["mean"] * math.exp(-sigma2 / 2))


def _frozen_beta(p):
    from scipy import stats

    a, b = (p["a"], p["b"]) if "a" in p else beta_ab(p["mean"], p["sd"])
    return stats.beta(a, b)


def _frozen_gamma(p):
    from scipy import stats

    shape = (p["mean"] / p["sd"]) ** 2
    return stats.gamma(a=shape, scale=p["sd"] ** 2 / p["mean"])


@dataclass(frozen=True)
class _Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    check: Any
    frozen: Any


DISTRIBUTIONS: dict[str, _Kind] = {
    "uniform": _Kind(("low", "high"), (), _check_uniform, _frozen_uniform),
    "triangular": _Kind(("low", "mode", "high"), (), _check_triangular, _frozen_triangular),
    "pert": _Kind(("min", "mode", "max"), ("lambda",), _check_pert, _frozen_pert),
    "normal": _Kind(("mean", "sd"), ("low", "high"), _check_normal, _frozen_normal),
    "lognormal": _Kind(("mean", "sd"), (), _check_positive_mean_sd("lognormal"), _frozen_lognormal),
    "beta": _Kind((), ("mean", "sd", "a", "b"), _check_beta, _frozen_beta),
    "gamma": _Kind(("mean", "sd"), (), _check_positive_mean_sd("gamma"), _frozen_gamma),
}
_FROZEN = {name: kind.frozen for name, kind in DISTRIBUTIONS.items()}


def parse_distribution(raw: Mapping[str, Any], path: str) -> Distribution:
    """Check an inline table such as ``{ dist = "beta", mean = 0.75, sd = 0.08 }``.

    Raises
    ------
    ConfigError
        Unknown distribution or key, a missing or non-numeric parameter, or
        parameters no distribution can have (``low > high``, ``sd <= 0``, beta sd
        too large for its mean, ...).
    """
    from .config.nodes import unknown_key_error  # the config layer owns suggestions

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

"""Break-even (switching) values: the value of one input at which payback is reached.

Two answers, as an evaluator needs both:

* **probabilistic break-even**: the value ``x*`` of one input at which
  ``P(payback ≤ month)`` for an actor reaches a target probability, the input
  being fixed at ``x`` in every draw and every other input (and every
  cohort's chance events) kept as sampled: common random numbers, so that the
  probability changes only because ``x`` does;
* **deterministic switching value** (the UK Green Book's): the value at which
  the actor's payback month equals ``month`` on the expected cohort with every
  other input at its median (Dirichlet shares at their mean), i.e. where the
  net benefit after ``month`` months crosses zero.

How the probabilistic value is found. For each draw ``i``, bisection on ``x``
(all draws at once, each with its own bracket) finds the draw's own switching
value ``t_i``, where ``payback_i ≤ month`` starts (or stops) to hold. Then
``P(payback ≤ month | x) = #{i : t_i ≤ x} / n`` (for an input that helps;
``≥`` for one that hurts), so ``x*`` is an order statistic of the ``t_i``,
and its Monte Carlo error follows from the order statistics around it (as the
quantile errors of :mod:`simsam.analysis.summary`): the draws are independent, so the
``t_i`` are too. This assumes each draw's payback responds monotonically to the
input, exact on an expected cohort and nearly so on a sampled one (a
participant's exit state moves towards the states that gain share); the result
reports ``p_at_value``, the probability measured directly by one more run with
the input fixed at ``x*``, as a check.

Setting an input:

* an uncertain scalar: its column of the ``(draw, parameter)`` inputs is set;
* an item of a table of shares (``outcomes.shares.work``): the item is set and
  the other items are rescaled proportionally so that the table still sums to
  1 (``work`` 0.25 → 0.35 takes ``improved`` 0.43 → 0.37 and ``not_improved``
  0.32 → 0.28 in that draw);
* a fixed input (a plain number in the config) is first made a column of its
  own, which leaves every other column unchanged (uniform numbers are keyed by
  the input's name).

Search range (``--range LOW HIGH`` overrides it): an uncertain input's support
(its 0.01 % and 99.99 % quantiles where the support is unbounded); ``[0, 1]``
for a share; for a fixed input its natural range (``[0, 1]`` for shares,
rates and probabilities, ``[-1, 1]`` for a resource change, ``[0, 2 × value]``
otherwise).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from ..config import override
from ..config.loading import _whole
from ..config.model import SOCIETY, Config, Shares
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, evaluate
from ..engine.sampling import ParameterSpace
from ..errors import ConfigError, unknown_key_error
from ..results.netcdf import write_netcdf

__all__ = ["write_breakeven_files", "InputSetter", "input_setter", "BreakEven", "breakeven", "switching_value"]

#: Inputs whose natural range is [0, 1] (a fixed one's default search range).
UNIT_INPUTS = (
    "economy.income_tax.*",
    "economy.payroll_tax",
    "outcomes.states.*.employment_rate",
    "outcomes.states.*.wage_subsidy",
    "outcomes.states.*.income.*",
    "before.income.*",
    "transitions.*.*",
    "benefits.*.take_up",
    "benefits.*.upper_secondary",
)
#: Quantiles standing in for an unbounded end of a support.
TAIL = 1e-4
#: Concentration given to a fixed table of shares made a Dirichlet column group
#: (its sampled values are overwritten by the fixed shares, so any value works).
_CONCENTRATION = 100.0


@dataclass(frozen=True)
class InputSetter:
    """One input of a config, ready to be set to chosen values in every draw.

    Attributes
    ----------
    path : str
        The input's dotted config path.
    config : Config
        A config in which the input is a column of the inputs (the given config,
        or one in which a fixed input was made uncertain).
    space : ParameterSpace
        Of ``config``.
    column : int
        The input's column in ``space``.
    group : tuple of int
        The columns of its table of shares (rescaled with it), empty for a scalar.
    fixed_shares : ndarray or None
        A fixed table's shares, shape ``(len(group),)``, written before setting.
    base : float
        The value in the config: fixed value, median, or mean share.
    support : tuple of float
        The default search range.
    fixed : bool
        Whether the input is a plain number in the config.
    """

    path: str
    config: Config
    space: ParameterSpace
    column: int
    group: tuple[int, ...]
    fixed_shares: np.ndarray | None
    base: float
    support: tuple[float, float]
    fixed: bool

    def set(self, values: np.ndarray, x) -> np.ndarray:
        """A copy of ``values``, shape ``(draw, parameter)``, with the input set to ``x``.

        ``x`` is a number or one value per draw, shape ``(draw,)``. The other
        items of a table of shares are rescaled to keep its sum at 1.
        """
        v = np.array(values, dtype=np.float64, copy=True)
        x = np.broadcast_to(np.asarray(x, dtype=np.float64), (v.shape[0],))
        if self.group:
            cols = list(self.group)
            if self.fixed_shares is not None:
                v[:, cols] = self.fixed_shares
            others = [c for c in cols if c != self.column]
            rest = v[:, others].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                scale = np.where(rest > 1e-300, (1.0 - x) / rest, 0.0)
            v[:, others] *= scale[:, None]
            flat = rest <= 1e-300  # every other item was 0: share the rest equally
            if flat.any():
                v[np.ix_(flat, others)] = ((1.0 - x[flat]) / len(others))[:, None]
        v[:, self.column] = x
        return v


def _nested(path: str, value) -> dict:
    out = value
    for key in reversed(path.split(".")):
        out = {key: out}
    return out


def _override_table(config: Config, path: str, value) -> dict:
    """An override table setting ``path`` to ``value``; a table that merges whole is copied entire."""
    parts = path.split(".")
    for i in range(1, len(parts)):
        if _whole(tuple(parts[:i])):
            table = config.raw.data
            for k in parts[:i]:
                table = table[k]
            table = copy.deepcopy(table)
            inner = table
            for k in parts[i:-1]:
                inner = inner.setdefault(k, {})
            inner[parts[-1]] = value
            return _nested(".".join(parts[:i]), table)
    return _nested(path, value)


def _share_tables(config: Config) -> list[Shares]:
    return [config.before.income, config.outcomes.shares, *(s.income for s in config.outcomes.states.values())]


def _support(q) -> tuple[float, float]:
    lo, hi = q.dist.support
    if not math.isfinite(lo):
        lo = float(q.dist.ppf(np.array([TAIL]))[0])
    if not math.isfinite(hi):
        hi = float(q.dist.ppf(np.array([1 - TAIL]))[0])
    return lo, hi


def _fixed_default_range(path: str, value: float) -> tuple[float, float] | None:
    if any(fnmatch.fnmatchcase(path, p) for p in UNIT_INPUTS):
        return 0.0, 1.0
    if fnmatch.fnmatchcase(path, "outcomes.states.*.resource_change*"):
        return -1.0, 1.0
    if value > 0:
        return 0.0, 2.0 * value
    return None


def _with_column(config: Config, path: str, table: dict) -> Config:
    try:
        return override(config, table, label="--param")
    except ConfigError as exc:
        raise ConfigError("--range", f"not a valid range for {path}: {exc.path}: {exc.problem}") from None


def input_setter(config: Config, path: str, search_range: tuple[float, float] | None = None) -> InputSetter:
    """Resolve ``path`` (``outcomes.shares.work``, ``project.cost``, ...) to an :class:`InputSetter`.

    Raises
    ------
    ConfigError
        ``--param``: not an input of the model (with the nearest name);
        ``--range``: a range the input cannot take.
    """

    if search_range is not None:
        lo, hi = (float(v) for v in search_range)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ConfigError("--range", f"LOW must be below HIGH, not {lo:g} and {hi:g}")
    space = ParameterSpace.from_config(config)
    scalars = {q.path: q for q in config.quantities()}
    tables = {f"{s.path}.{k}": (s, k) for s in _share_tables(config) for k in s.keys}
    if path in space.names:
        j = space.names.index(path)
        if j < len(space.scalars):
            q = space.scalars[j]
            setter = InputSetter(path, config, space, j, (), None, q.base, _support(q), False)
            if search_range is not None:  # check the range against the input's domain
                _with_column(config, path, _override_table(config, path, {"dist": "uniform", "low": lo, "high": hi}))
        else:
            g_start = len(space.scalars)
            for g in space.groups:
                if path in g.names:
                    group = tuple(range(g_start, g_start + len(g.keys)))
                    base = dict(zip(g.names, g.items))[path].value
                    break
                g_start += len(g.keys)
            setter = InputSetter(path, config, space, j, group, None, base, (0.0, 1.0), False)
    elif path in scalars:
        q = scalars[path]
        rng = search_range or _fixed_default_range(path, q.value)
        if rng is None:
            raise ConfigError("--range", f"{path} is fixed at {q.value:g} in the config: give the values to search with --range LOW HIGH")
        made = _with_column(config, path, _override_table(config, path, {"dist": "uniform", "low": rng[0], "high": rng[1]}))
        sp = ParameterSpace.from_config(made)
        setter = InputSetter(path, made, sp, sp.names.index(path), (), None, q.value, tuple(rng), True)
    elif path in tables and tables[path][0].total == "one":
        s, _ = tables[path]
        shares = np.array([q.value for q in s.items], dtype=np.float64)
        mean = np.where(shares > 0, shares, 1e-9)
        mean /= mean.sum()
        table = {"dist": "dirichlet", "mean": dict(zip(s.keys, mean.tolist())), "concentration": _CONCENTRATION}
        made = override(config, _nested(s.path, table), label="--param")
        sp = ParameterSpace.from_config(made)
        j0 = sp.names.index(s.names[0])
        group = tuple(range(j0, j0 + len(s.keys)))
        base = float(shares[s.names.index(path)])
        setter = InputSetter(path, made, sp, sp.names.index(path), group, shares, base, (0.0, 1.0), True)
    elif path in tables:
        s, k = tables[path]
        rng = search_range or (0.0, 1.0)
        made = _with_column(config, path, _override_table(config, path, {"dist": "uniform", "low": rng[0], "high": rng[1]}))
        sp = ParameterSpace.from_config(made)
        setter = InputSetter(path, made, sp, sp.names.index(path), (), None, dict(zip(s.keys, s.items))[k].value, tuple(rng), True)
    else:
        groups = {g.path for g in config.share_groups()} | {s.path for s in _share_tables(config) if s.keys}
        if path in groups:
            raise ConfigError("--param", f"{path} is a table of shares: name one of its items, e.g. {path}.{_first_item(tables, path)}")
        raise unknown_key_error("--param", path, list(dict.fromkeys([*space.names, *scalars, *tables])), what="input")
    if search_range is not None:
        if setter.group and not (0.0 <= lo and hi <= 1.0):
            raise ConfigError("--range", f"{path} is a share: the range must lie within [0, 1], not [{lo:g}, {hi:g}]")
        setter = InputSetter(**{**setter.__dict__, "support": (lo, hi)})
    return setter


def _first_item(tables: dict, path: str) -> str:
    return next(k for s, k in tables.values() if s.path == path)


@dataclass(frozen=True, kw_only=True)
class BreakEven:
    """A break-even analysis of one input for one actor.

    Attributes
    ----------
    parameter, actor : str
    month : int
        Target payback month.
    probability : float
        Target probability of payback within ``month``.
    base_value : float
        The input's value in the config (fixed value, median, or mean share).
    low, high : float
        The search range.
    value : float
        Probabilistic break-even value; NaN when not reached within the range.
    mcse : float
        Its Monte Carlo standard error (order statistics of the per-draw
        switching values).
    ci_low, ci_high : float
        95 % Monte Carlo interval of ``value``.
    direction : {"increasing", "decreasing"}
        Whether ``P(payback ≤ month)`` rises or falls with the input.
    p_low, p_high : float
        ``P(payback ≤ month)`` with the input at ``low`` and at ``high``.
    p_run : float
        ``P(payback ≤ month)`` in a plain run (the input as the config has it).
    p_at_value : float
        ``P(payback ≤ month)`` measured with the input fixed at ``value``.
    switching_value : float
        Deterministic switching value (expected cohort, other inputs at
        their medians); NaN when not within the range.
    base_payback : float
        Deterministic payback month at the base value (NaN: not reached).
    draws, seed : int
    nonmonotone_draws : int
        Draws whose payback is within ``month`` at one end of the range whose
        direction is the opposite of the overall one.
    message : str
        What an evaluator reads when a value is not found.
    thresholds : ndarray, shape ``(draw,)``
        Each draw's own switching value (±inf: never / always reached).
    """

    parameter: str
    actor: str
    month: int
    probability: float
    base_value: float
    low: float
    high: float
    value: float
    mcse: float
    ci_low: float
    ci_high: float
    direction: Literal["increasing", "decreasing"]
    p_low: float
    p_high: float
    p_run: float
    p_at_value: float
    switching_value: float
    base_payback: float
    draws: int
    seed: int
    nonmonotone_draws: int
    message: str
    thresholds: np.ndarray = field(repr=False)

    @property
    def switching_change(self) -> float:
        """The switching value relative to the base value (Green Book "% change"), NaN at base 0."""
        return (self.switching_value - self.base_value) / self.base_value if self.base_value else math.nan

    def curve(self, points: int = 101):
        """``P(payback ≤ month)`` against the input's value, from the per-draw switching values.

        Returns
        -------
        xarray.DataArray
            Dims ``value``, shape ``(points,)``.
        """
        import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

        grid = np.linspace(self.low, self.high, points)
        t = np.sort(self.thresholds)
        if self.direction == "increasing":
            p = np.searchsorted(t, grid, side="right") / t.size
        else:
            p = 1.0 - np.searchsorted(t, grid, side="left") / t.size
        return xr.DataArray(
            p,
            dims=("value",),
            coords={"value": grid},
            name="p_payback",
            attrs={"units": "1", "long_name": f"P(payback ≤ {self.month}) with {self.parameter} fixed at value"},
        )

    def to_dataset(self):
        """The per-draw switching values and the curve, with every figure as an attribute."""
        import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

        attrs = {k: v for k, v in self.row().items()}
        ds = xr.Dataset(
            {
                "threshold": (
                    ("draw",),
                    self.thresholds,
                    {"long_name": f"the draw's own switching value of {self.parameter} (±inf: never/always)"},
                ),
                "p_payback": self.curve(),
            },
            coords={"draw": np.arange(self.thresholds.size)},
            attrs={k: (v if not isinstance(v, float) or math.isfinite(v) else str(v)) for k, v in attrs.items()},
        )
        return ds

    def row(self) -> dict:
        """The figures as one flat record (for CSV and JSON)."""
        out = {k: v for k, v in self.__dict__.items() if k != "thresholds"}
        out["switching_change"] = self.switching_change
        return out


def actor_index(config: Config, actor: str) -> int:

    actors = list(config.actors) + [SOCIETY]
    if actor not in actors:
        raise unknown_key_error("--actor", actor, actors, what="actor")
    return actors.index(actor)


def check_targets(config: Config, month: int, probability: float | None) -> None:
    horizon = config.simulation.horizon_months
    if not 1 <= month <= horizon:
        raise ConfigError("--month", f"must be between 1 and the horizon ({horizon}), not {month}")
    if probability is not None and not 0.0 < probability < 1.0:
        raise ConfigError("--prob", f"must be a probability strictly between 0 and 1, not {probability:g}")


def _indicator(setter: InputSetter, values, draws, seed, actor: int, month: int, engine=None, threads=None) -> Callable:
    """``f(x, rows)`` → bool array: payback within ``month`` with the input at ``x`` in draws ``rows``."""

    def f(x, rows=slice(None)):
        v = setter.set(values[rows], x)
        out = evaluate(setter.config, setter.space, v, draws[rows], seed, engine=engine, threads=threads)
        return out.payback[:, actor] <= month  # NaN (not reached) is False

    return f


def _bisect(f, a: np.ndarray, b: np.ndarray, tol: float):
    """Per-row bisection: ``f`` is False at ``a`` and True at ``b``; returns the True-side ends."""
    rows = np.arange(a.size)
    while rows.size:
        mid = 0.5 * (a[rows] + b[rows])
        hit = f(mid, rows)
        b[rows] = np.where(hit, mid, b[rows])
        a[rows] = np.where(hit, a[rows], mid)
        rows = rows[np.abs(b[rows] - a[rows]) > tol]
    return b


def switching_value(
    config: Config,
    parameter: str,
    month: int,
    *,
    actor: str = SOCIETY,
    search_range=None,
    setter: InputSetter | None = None,
    rtol: float = 1e-10,
):
    """Deterministic switching value: expected cohort, other inputs at their medians.

    Returns
    -------
    (value, base_payback) : tuple of float
        The value at which the actor's payback month becomes (or stops being)
        at most ``month``, NaN when it does not change within the search range;
        and the payback month at the base value (NaN: not reached).
    """
    check_targets(config, month, None)
    setter = setter or input_setter(config, parameter, search_range)
    a_idx = actor_index(config, actor)
    values = setter.space.base_values()[None, :]
    draws = np.zeros(1, dtype=np.int64)

    base = setter.set(values, setter.base)
    base_payback = float(evaluate(setter.config, setter.space, base, draws, 0, engine="expected").payback[0, a_idx])
    f = _indicator(setter, values, draws, 0, a_idx, month, engine="expected")
    lo, hi = setter.support
    at_lo, at_hi = bool(f(lo)[0]), bool(f(hi)[0])
    if at_lo == at_hi:
        return math.nan, base_payback
    tol = rtol * max(1.0, abs(lo), abs(hi))
    false_end, true_end = (lo, hi) if at_hi else (hi, lo)
    a, b = np.array([false_end]), np.array([true_end])
    return float(_bisect(lambda x, rows: f(x, rows), a, b, tol)[0]), base_payback


def breakeven(
    config: Config,
    parameter: str,
    month: int,
    probability: float,
    *,
    actor: str = SOCIETY,
    draws: int | None = None,
    seed: int | None = None,
    search_range: tuple[float, float] | None = None,
    rtol: float = 1e-5,
    chunk_draws: int | None = None,
    threads: int | None = None,
) -> BreakEven:
    """The value of ``parameter`` at which ``P(payback ≤ month)`` for ``actor`` reaches ``probability``.

    Parameters
    ----------
    config : Config
    parameter : str
        Dotted config path of one input, e.g. ``"outcomes.shares.work"``.
    month : int
        Target payback month, 1 to the horizon.
    probability : float
        Target probability, strictly between 0 and 1.
    actor : str
        An actor of the config or ``"society"``.
    draws, seed : int, optional
        Default: the config's ``[simulation]`` values.
    search_range : (float, float), optional
        Values to search; default: see the module docstring.
    rtol : float
        Bisection tolerance relative to the width of the search range.
    chunk_draws, threads : int, optional
        Memory bound and numba threads (results do not depend on them).

    Returns
    -------
    BreakEven

    Raises
    ------
    ConfigError
        An unknown input or actor, a month outside the horizon, a probability
        outside (0, 1), or a range the input cannot take.
    """

    check_targets(config, month, probability)
    a_idx = actor_index(config, actor)
    setter = input_setter(config, parameter, search_range)
    n = config.simulation.draws if draws is None else int(draws)
    seed = config.simulation.seed if seed is None else int(seed)
    idx = np.arange(n, dtype=np.int64)
    chunk = max(1, int(chunk_draws or DEFAULT_CHUNK_DRAWS))
    lo, hi = setter.support
    tol = rtol * (hi - lo)
    t = np.empty(n)
    p_lo = p_hi = p_run = 0.0
    n_anti = 0
    parts = []
    space0 = ParameterSpace.from_config(config)
    # Both ends first (they give the direction), then each chunk's bisection.
    for start in range(0, n, chunk):
        rows = idx[start : start + chunk]
        values = setter.space.sample(seed, rows)
        f = _indicator(setter, values, rows, seed, a_idx, month, threads=threads)
        parts.append((rows, values, f, f(lo), f(hi)))
        out = evaluate(config, space0, space0.sample(seed, rows), rows, seed, threads=threads)
        p_run += float(np.sum(out.payback[:, a_idx] <= month))
    p_lo = sum(float(p[3].sum()) for p in parts) / n
    p_hi = sum(float(p[4].sum()) for p in parts) / n
    direction = "increasing" if p_hi >= p_lo else "decreasing"
    for rows, _values, f, at_lo, at_hi in parts:
        tt = np.empty(rows.size)
        if direction == "increasing":
            tt[at_lo] = lo
            tt[~at_hi & ~at_lo] = np.inf
            anti = at_lo & ~at_hi
            tt[anti] = np.inf
            active = np.flatnonzero(~at_lo & at_hi)
            if active.size:
                tt[active] = _bisect(
                    lambda x, r, f=f, active=active: f(x, active[r]), np.full(active.size, lo), np.full(active.size, hi), tol
                )
        else:
            tt[at_hi] = hi
            tt[~at_lo & ~at_hi] = -np.inf
            anti = at_hi & ~at_lo
            tt[anti] = -np.inf
            active = np.flatnonzero(at_lo & ~at_hi)
            if active.size:
                tt[active] = _bisect(
                    lambda x, r, f=f, active=active: f(x, active[r]), np.full(active.size, hi), np.full(active.size, lo), tol
                )
        n_anti += int(anti.sum())
        t[rows] = tt
    p_run /= n
    value, mcse, ci_low, ci_high = _order_statistic(t, probability, direction)
    label = f"P(payback ≤ {month}) for {actor}"
    message = ""
    if direction == "increasing" and p_lo >= probability:
        value = mcse = ci_low = ci_high = math.nan
        message = (
            f"{label} is already {p_lo:.3f} ≥ {probability:g} with {parameter} at the low end {lo:g}: the break-even lies below the range"
        )
    elif direction == "decreasing" and p_hi >= probability:
        value = mcse = ci_low = ci_high = math.nan
        message = (
            f"{label} is still {p_hi:.3f} ≥ {probability:g} with {parameter} at the high end {hi:g}: the break-even lies above the range"
        )
    elif not math.isfinite(value):
        value = mcse = ci_low = ci_high = math.nan
        message = (
            f"{label} stays between {min(p_lo, p_hi):.3f} and {max(p_lo, p_hi):.3f} for {parameter} in [{lo:g}, {hi:g}], "
            f"below {probability:g}: no break-even within the range"
        )
    p_at_value = math.nan
    if math.isfinite(value):
        p_at_value = sum(float(f(value).sum()) for _, _, f, _, _ in parts) / n
    switch, base_payback = switching_value(config, parameter, month, actor=actor, setter=setter)
    if not math.isfinite(switch):
        det = (
            f"the deterministic payback (expected cohort, other inputs at medians) does not cross {month} months for "
            f"{parameter} in [{lo:g}, {hi:g}]"
        )
        message = f"{message}; {det}" if message else det
    return BreakEven(
        parameter=parameter,
        actor=actor,
        month=int(month),
        probability=float(probability),
        base_value=float(setter.base),
        low=float(lo),
        high=float(hi),
        value=value,
        mcse=mcse,
        ci_low=ci_low,
        ci_high=ci_high,
        direction=direction,
        p_low=p_lo,
        p_high=p_hi,
        p_run=p_run,
        p_at_value=p_at_value,
        switching_value=switch,
        base_payback=base_payback,
        draws=n,
        seed=seed,
        nonmonotone_draws=n_anti,
        message=message,
        thresholds=t,
    )


def _order_statistic(t: np.ndarray, p: float, direction: str) -> tuple[float, float, float, float]:
    """The break-even order statistic of the switching values, its MC s.e. and 95 % interval.

    Increasing: the smallest ``x`` with ``#{t ≤ x} ≥ p n``, i.e. the
    ``ceil(p n)``-th smallest; decreasing: the ``ceil(p n)``-th largest. The
    error comes from the order statistics ``± √(n p (1 − p))`` (±1 s.e.) and
    ``± 1.96`` of that (95 %).
    """
    n = t.size
    s = np.sort(t) if direction == "increasing" else np.sort(t)[::-1]
    k = max(1, math.ceil(p * n - 1e-9))
    h = math.sqrt(n * p * (1 - p))

    def at(i):
        return float(s[min(max(int(round(i)), 1), n) - 1])

    value = at(k)
    lo1, hi1 = at(k - h), at(k + h)
    lo2, hi2 = at(k - 1.96 * h), at(k + 1.96 * h)
    mcse = abs(hi1 - lo1) / 2 if math.isfinite(lo1) and math.isfinite(hi1) else math.inf
    return value, mcse, min(lo2, hi2), max(lo2, hi2)


def write_breakeven_files(result, folder: Path) -> list[str]:
    """``breakeven.json``, ``breakeven.csv`` (one row) and ``breakeven.nc`` (per-draw values, curve)."""
    import pandas as pd  # pandas, ~0.3 s: only for this table

    row = result.row()
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
    (folder / "breakeven.json").write_text(json.dumps(clean, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    pd.DataFrame([row]).to_csv(folder / "breakeven.csv", index=False, float_format="%.8g")
    write_netcdf(result.to_dataset(), folder / "breakeven.nc")
    return ["breakeven.json", "breakeven.csv", "breakeven.nc"]

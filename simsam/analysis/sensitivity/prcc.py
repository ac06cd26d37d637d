"""Partial rank correlation coefficients (PRCC) from the draws of a Monte Carlo run.

For input ``j``: rank-transform every input and the target, regress the
ranks of input ``j`` and of the target on the ranks of the other inputs
(least squares with an intercept), and correlate the two residuals. PRCC
measures a monotone association adjusted for the other inputs, in [-1, 1].

Confidence intervals use Fisher's z: ``atanh(r) ± z_{1−α/2} / √(n − 3 − k)``,
``k`` the number of inputs adjusted for (the rank of their design); the p-value
is the two-sided t-test of zero partial correlation with ``n − 2 − k`` degrees
of freedom (for ``k = 0`` this is scipy's Spearman test).

Dirichlet items: given its siblings an item is fixed (the shares sum to 1), so
an item is adjusted for every input outside its table but not for its
siblings, which move in compensation — on average in proportion to their
means, as the tornado moves them. Correlated inputs (``[correlations]``) are
adjusted for each other, which is what separates their effects.

By default the run is the config's own (``simsam run`` with the same draws and
seed gives the same draws), sampled cohort included: its noise enters the
residuals and widens the intervals but does not bias the sign.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ...config.model import Config
from ...engine.sampling import ParameterSpace
from ...results import simulate
from .model import check_space
from .output import _LONG_NAMES, sensitivity_dataset
from .over_time import actor_coords, time_targets, time_variables
from .targets import Target

__all__ = ["PartialRankCorrelation", "partial_rank_correlation", "prcc_of_columns", "prcc_of_dataset", "run_prcc"]


@dataclass(frozen=True)
class PartialRankCorrelation:
    """PRCC of each input with one target.

    Attributes
    ----------
    prcc, prcc_low, prcc_high, p_value : ndarray, shape ``(parameter,)``
        The coefficient, its confidence interval and the p-value of zero.
    controls : ndarray of int, shape ``(parameter,)``
        How many independent inputs each coefficient is adjusted for.
    n : int
        Draws used.
    conf_level : float
    """

    prcc: np.ndarray
    prcc_low: np.ndarray
    prcc_high: np.ndarray
    p_value: np.ndarray
    controls: np.ndarray
    n: int
    conf_level: float


def partial_rank_correlation(x: np.ndarray, y: np.ndarray, *, groups=None, conf_level: float = 0.95) -> PartialRankCorrelation:
    """PRCC of every column of ``x`` with ``y``.

    Parameters
    ----------
    x : ndarray, shape ``(draw, parameter)``
        Input values.
    y : ndarray, shape ``(draw,)``
        Target values (finite).
    groups : sequence of str, optional
        A label per column: a column is not adjusted for other columns with the
        same label (the items of one Dirichlet table). Default: all distinct.
    conf_level : float

    Returns
    -------
    PartialRankCorrelation
        NaN where a residual has no variance (a constant input or target).
    """
    from scipy import stats  # scipy.stats/special, 0.3-1 s: only here

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = x.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), not {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite (map payback 'not reached' first, see simsam.analysis.sensitivity.targets)")
    labels = list(groups) if groups is not None else list(range(p))
    rx = stats.rankdata(x, axis=0)
    ry = stats.rankdata(y)
    ones = np.ones((n, 1))
    r = np.full(p, np.nan)
    controls = np.zeros(p, dtype=np.int64)
    for j in range(p):
        others = [k for k in range(p) if k != j and labels[k] != labels[j]]
        design = np.hstack([ones, rx[:, others]])
        coef, _, rank, _ = np.linalg.lstsq(design, np.column_stack([rx[:, j], ry]), rcond=None)
        resid = np.column_stack([rx[:, j], ry]) - design @ coef
        controls[j] = rank - 1
        ss = np.sum(resid**2, axis=0)
        if ss[0] > 1e-9 * n**3 and ss[1] > 1e-9 * n**3:  # ranks are O(n); below this the residual is rounding
            r[j] = np.clip(np.dot(resid[:, 0], resid[:, 1]) / np.sqrt(ss[0] * ss[1]), -1.0, 1.0)
    low, high, p_value = _intervals(r, n, controls, conf_level)
    return PartialRankCorrelation(r, low, high, p_value, controls, n, conf_level)


def _intervals(r: np.ndarray, n: int, controls: np.ndarray, conf_level: float):
    """Fisher-z interval ends and the t-test p-value of coefficients ``r`` (any shape ending in ``parameter``)."""
    from scipy import stats  # scipy.stats/special, 0.3-1 s: only here

    df = n - 2 - controls
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(df / (1.0 - r * r))
        p_value = np.where(df > 0, 2 * stats.t.sf(np.abs(t), np.maximum(df, 1)), np.nan)
        half = stats.norm.ppf(0.5 + conf_level / 2) / np.sqrt(np.where(n - 3 - controls > 0, n - 3 - controls, np.nan))
        z = np.arctanh(r)
        low, high = np.tanh(z - half), np.tanh(z + half)
    return low, high, np.where(np.isnan(r), np.nan, p_value)


def prcc_of_columns(x: np.ndarray, y: np.ndarray, *, groups=None, conf_level: float = 0.95) -> dict[str, np.ndarray]:
    """PRCC of every column of ``x`` with every column of ``y`` (many targets of one sample).

    The same estimator as :func:`partial_rank_correlation`, with one least-squares
    fit per input for all targets together (equal to it up to rounding).

    Parameters
    ----------
    x : ndarray, shape ``(draw, parameter)``
    y : ndarray, shape ``(draw, target)``
        Finite.
    groups : sequence of str, optional
    conf_level : float

    Returns
    -------
    dict
        ``prcc``, ``prcc_low``, ``prcc_high``, ``p_value``, each shape ``(target, parameter)``.
    """
    from scipy import stats  # scipy.stats/special, 0.3-1 s: only here

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = x.shape
    k = y.shape[1]
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite")
    labels = list(groups) if groups is not None else list(range(p))
    rx = stats.rankdata(x, axis=0)
    ry = stats.rankdata(y, axis=0)
    ones = np.ones((n, 1))
    r = np.full((k, p), np.nan)
    controls = np.zeros(p, dtype=np.int64)
    for j in range(p):
        others = [i for i in range(p) if i != j and labels[i] != labels[j]]
        design = np.hstack([ones, rx[:, others]])
        rhs = np.column_stack([rx[:, j], ry])
        coef, _, rank, _ = np.linalg.lstsq(design, rhs, rcond=None)
        resid = rhs - design @ coef
        controls[j] = rank - 1
        ss = np.sum(resid**2, axis=0)
        ok = (ss[1:] > 1e-9 * n**3) & (ss[0] > 1e-9 * n**3)  # ranks are O(n); below this the residual is rounding
        with np.errstate(divide="ignore", invalid="ignore"):
            rj = (resid[:, 1:].T @ resid[:, 0]) / np.sqrt(ss[0] * ss[1:])
        r[:, j] = np.where(ok, np.clip(rj, -1.0, 1.0), np.nan)
    low, high, p_value = _intervals(r, n, controls, conf_level)
    return {"prcc": r, "prcc_low": low, "prcc_high": high, "p_value": p_value}


def prcc_of_dataset(ds, target: Target, *, config: Config, conf_level: float = 0.95, over_time: bool = False):
    """PRCC of a result Dataset's inputs with ``target`` (``simsam.simulate``'s output, or a saved ``results.nc``).

    ``over_time``: also the PRCC of every actor's net benefit at each year's
    end and of P(payback ≤ 12·year) (:mod:`.over_time`), ``net_benefit_prcc``
    ... ``(actor, year, parameter)``, from the same draws.

    Returns
    -------
    xarray.Dataset
        One row per sampled input, sorted by ``|prcc|``: ``prcc``,
        ``prcc_low``, ``prcc_high``, ``p_value``.
    """
    x = ds["inputs"].values
    y = target.check_finite(target.of_dataset(ds))
    names = [str(n) for n in ds["parameter"].values]
    groups = [str(g) for g in ds["parameter_group"].values] if "parameter_group" in ds.coords else names
    res = partial_rank_correlation(x, y, groups=groups, conf_level=conf_level)
    attrs = {
        "sample_size": res.n,
        "evaluations": res.n,
        "seed": int(ds.attrs.get("seed", config.simulation.seed)),
        "first_draw": int(ds.attrs.get("first_draw", 0)),
        "cohort": str(ds.attrs.get("cohort", config.simulation.cohort)),
        "engine": str(ds.attrs.get("engine", "")),
        "conf_level": conf_level,
        "payback_not_reached": target.not_reached(y),
        "dirichlet": "each item adjusted for every input outside its table, not for its siblings",
    }
    if np.ptp(y) == 0:
        attrs["note"] = "the target is the same in every draw: no input can explain it (PRCC undefined)"
    extra, extra_coords = {}, {}
    if over_time:
        targets = time_targets(config)
        yt = np.column_stack([t.of_dataset(ds) for t in targets])
        cols = prcc_of_columns(x, yt, groups=groups, conf_level=conf_level)
        extra = time_variables(config, cols, names, _LONG_NAMES, measure="prcc")
        extra_coords = actor_coords(config)
        attrs["over_time"] = "net_benefit, p_payback (1..horizon years, every actor)"
    return sensitivity_dataset(
        "prcc",
        names,
        {"prcc": res.prcc, "prcc_low": res.prcc_low, "prcc_high": res.prcc_high, "p_value": res.p_value},
        config=config,
        target=target,
        attrs=attrs,
        extra=extra,
        extra_coords=extra_coords,
    )


def run_prcc(
    config: Config,
    *,
    target: Target,
    draws: int | None = None,
    seed: int | None = None,
    cohort: str | None = None,
    threads: int | None = None,
    conf_level: float = 0.95,
    over_time: bool = False,
):
    """PRCC of a config's target from a Monte Carlo run (:func:`simsam.simulate`).

    Parameters
    ----------
    config : Config
    target : Target
    draws, seed : int, optional
        Default: the config's ``[simulation]`` values.
    cohort : {"expected", "sampled"}, optional
        Default: the config's ``[simulation] cohort``.
    threads : int, optional
    conf_level : float

    Returns
    -------
    xarray.Dataset
        See :func:`prcc_of_dataset`.
    """

    check_space(ParameterSpace.from_config(config))
    run_config = config
    if cohort is not None and cohort != config.simulation.cohort:
        run_config = dataclasses.replace(config, simulation=dataclasses.replace(config.simulation, cohort=cohort))
    ds = simulate(run_config, draws=draws, seed=seed, threads=threads)
    return prcc_of_dataset(ds, target, config=config, conf_level=conf_level, over_time=over_time)

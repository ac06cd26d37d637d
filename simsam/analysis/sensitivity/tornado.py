"""One-way sensitivity (tornado): each uncertain input at a low and a high percentile, the rest at base.

Base values are each scalar's median and each Dirichlet table's mean shares
(:meth:`ParameterSpace.base_values`). Runs use the expected cohort, so a bar is
the model's response to that one input and carries no cohort noise.

Dirichlet shares get **one bar per item**: item ``k`` moves to the low/high
percentile of its marginal Beta(α_k, α₀ − α_k) distribution and the other items
are rescaled in proportion to their means so that the shares still sum to 1
(``x_i = m_i·(1 − x_k)/(1 − m_k)``). This is also what a Dirichlet implies on
average: given ``x_k``, the other shares are Dirichlet on the remaining mass,
with means proportional to ``m_i``.

Correlations between inputs (``[correlations]``) are not applied: a one-way
analysis moves one input alone by definition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...config.model import Config
from ...engine.sampling import ParameterSpace
from .model import ConfigModel
from .output import sensitivity_dataset
from .targets import Target

__all__ = ["OneWayDesign", "one_way_design", "proportional_shares", "tornado_bars", "run_tornado"]


@dataclass(frozen=True)
class OneWayDesign:
    """Input values of a tornado's runs.

    Attributes
    ----------
    names : tuple of str
        One per bar: a scalar's path, or a Dirichlet item's (``outcomes.shares.work``).
    values : ndarray, shape ``(1 + 2 * bar, parameter)``
        Row 0 is the base; rows ``1 + 2b`` and ``2 + 2b`` have bar ``b``'s
        input at its low and high percentile.
    low_value, high_value : ndarray, shape ``(bar,)``
        The moved input's value in those rows.
    """

    names: tuple[str, ...]
    values: np.ndarray
    low_value: np.ndarray
    high_value: np.ndarray


def proportional_shares(mean: np.ndarray, k: int, x: float) -> np.ndarray:
    """Shares with item ``k`` at ``x`` and the others rescaled in proportion to ``mean``, shape ``(item,)``."""
    mean = np.asarray(mean, dtype=np.float64)
    out = mean * (1.0 - x) / (1.0 - mean[k])
    out[k] = x
    return out


def one_way_design(space: ParameterSpace, low: float = 5.0, high: float = 95.0) -> OneWayDesign:
    """The tornado's design: every bar's input at percentiles ``low`` and ``high``.

    Parameters
    ----------
    space : ParameterSpace
    low, high : float
        Percentiles, ``0 < low < high < 100``.

    Returns
    -------
    OneWayDesign
    """
    from scipy import stats  # scipy.stats/special, 0.3-1 s: only here

    if not 0 < low < high < 100:
        raise ValueError(f"percentiles must satisfy 0 < low < high < 100, not {low}, {high}")
    q = np.array([low, high]) / 100.0
    base = space.base_values()
    names, rows, lows, highs = [], [base], [], []
    for j, quantity in enumerate(space.scalars):
        lo, hi = quantity.dist.ppf(q)
        for x in (lo, hi):
            row = base.copy()
            row[j] = x
            rows.append(row)
        names.append(quantity.path)
        lows.append(lo)
        highs.append(hi)
    start = len(space.scalars)
    for group in space.groups:
        alpha = np.asarray(group.alpha, dtype=np.float64)
        cols = slice(start, start + alpha.size)
        mean = base[cols]
        for k, name in enumerate(group.names):
            lo, hi = stats.beta(alpha[k], alpha.sum() - alpha[k]).ppf(q)
            for x in (lo, hi):
                row = base.copy()
                row[cols] = proportional_shares(mean, k, x)
                rows.append(row)
            names.append(name)
            lows.append(lo)
            highs.append(hi)
        start += alpha.size
    return OneWayDesign(tuple(names), np.array(rows), np.array(lows), np.array(highs))


def tornado_bars(y: np.ndarray) -> dict[str, np.ndarray]:
    """Bars from the target at a :class:`OneWayDesign`'s rows.

    Parameters
    ----------
    y : ndarray, shape ``(1 + 2 * bar,)``

    Returns
    -------
    dict
        ``low``, ``high`` (the target with the input at its low / high
        percentile), ``base`` and ``swing = |high − low|``, each shape ``(bar,)``.
    """
    y = np.asarray(y, dtype=np.float64)
    low, high = y[1::2], y[2::2]
    return {"low": low, "high": high, "base": np.full(low.shape, y[0]), "swing": np.abs(high - low)}


def run_tornado(config: Config, *, target: Target, low: float = 5.0, high: float = 95.0, threads: int | None = None):
    """One-way sensitivity of a config's target on the expected cohort.

    Parameters
    ----------
    config : Config
    target : Target
        From :func:`simsam.analysis.sensitivity.parse_target`.
    low, high : float
        Percentiles of each input's distribution (default 5 and 95).
    threads : int, optional
        numba threads.

    Returns
    -------
    xarray.Dataset
        One row per bar, sorted by swing: ``low_value``, ``high_value``,
        ``low``, ``high``, ``base``, ``swing``.
    """
    model = ConfigModel.create(config, target, cohort="expected", threads=threads)
    design = one_way_design(model.space, low, high)
    y = model.run(design.values, np.arange(design.values.shape[0]))
    bars = tornado_bars(y)
    attrs = {
        "sample_size": len(design.names),
        "evaluations": int(y.size),
        "cohort": "expected",
        "low_percentile": float(low),
        "high_percentile": float(high),
        "base": float(y[0]),
        "payback_not_reached": target.not_reached(y),
        "dirichlet": "one bar per item: the item at its marginal Beta percentile, the others rescaled in proportion to their means",
    }
    return sensitivity_dataset(
        "tornado",
        design.names,
        {"low_value": design.low_value, "high_value": design.high_value, **bars},
        config=config,
        target=target,
        attrs=attrs,
    )

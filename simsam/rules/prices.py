"""Restating amounts between price levels: KPI for prices and benefits, a wage index for wages."""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import ConfigError
from ._data import parameter

__all__ = ["INDICES", "index_value", "index_years", "restate"]

#: Index name → data parameter: ``kpi`` for prices and benefits not set by rule, ``wage`` for
#: wages and staff-cost unit costs.
INDICES = {"kpi": "kpi", "wage": "average_wage"}


def _series(index: str):
    if index not in INDICES:
        raise ValueError(f"index must be one of {sorted(INDICES)}, not {index!r}")
    return parameter(INDICES[index])


def index_years(index: str = "kpi") -> tuple[int, ...]:
    """Years with a value of the index."""
    return _series(index).years()


def index_value(year, index: str = "kpi", path: str = "meta.price_level") -> float:
    """The index value for ``year``; a ConfigError at ``path`` when there is none."""
    series = _series(index)
    whole = not isinstance(year, bool) and isinstance(year, numbers.Real) and int(year) == year
    value = series.value(int(year)) if whole else None
    if value is None:
        years = series.years()
        raise ConfigError(path, f"no {index} index value for {year!r}; it covers {years[0]}-{years[-1]}")
    return float(value)


def restate(amount, from_year, to_year, index: str = "kpi", path: str = "meta.price_level"):
    """Restate an amount from ``from_year``'s kronor to ``to_year``'s.

    Parameters
    ----------
    amount : array_like
        Kronor at the price level of ``from_year`` (any unit of time; any shape).
    from_year, to_year : int
        Price-level years.
    index : {"kpi", "wage"}
        KPI (annual average) for prices and benefits; the average monthly wage for wages and
        staff costs.
    path : str
        Key path named in the error when a year has no index value.

    Returns
    -------
    ndarray
        ``amount × I(to_year) / I(from_year)``; the amount itself when the years are equal (no
        index value is needed then).
    """
    if from_year == to_year:
        return np.asarray(amount, dtype=float)
    return np.asarray(amount, dtype=float) * (index_value(to_year, index, path) / index_value(from_year, index, path))

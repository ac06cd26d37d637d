"""Sensitivity over time and across actors: many targets of one design.

A Sobol design (or a PRCC sample) gives every actor's result in every year at
once: the engine returns each run's net benefit at every year's end and each
actor's payback month. This module names those targets and turns a matrix of
them, shape ``(run, target)``, into index arrays:

``net_benefit``
    each actor's cumulative net benefit at the end of year ``y = 1 .. Y`` (kr);
``p_payback``
    the indicator ``1{payback ≤ m}`` at ``m = 12·y`` months. Its mean over the
    runs is P(payback ≤ m); its Sobol indices apportion the variance of that
    indicator, ``p (1 − p)``, among the inputs: S1 of input ``i`` is
    ``Var(E[1{payback ≤ m} | X_i]) / p(1 − p)``, how much knowing ``X_i`` alone
    would sharpen the answer to "paid back by month m?" (zero where every run
    agrees: indices are undefined there and written as NaN).

Results are ``(actor, year, parameter)`` arrays in the sensitivity Dataset
(:func:`time_variables`), next to the ordinary rows of the command's own target.
"""

from __future__ import annotations

import numpy as np

from ...config.model import SOCIETY, Config, actor_labels
from .targets import Target

__all__ = ["TIME_VARIABLES", "time_targets", "actor_targets", "actor_coords", "time_variables", "actor_variables"]

#: The targets over time, in the Dataset's variable prefixes.
TIME_VARIABLES = ("net_benefit", "p_payback")


def _actors(config: Config) -> list[str]:
    return list(config.actors) + [SOCIETY]


def time_targets(config: Config) -> list[Target]:
    """Every actor's ``net_benefit`` at each year's end and ``p_payback`` at ``12·year`` months.

    Order: variable, then actor (the config's actors, then society), then year.
    """
    horizon = config.simulation.horizon_months
    years = horizon // 12
    out = []
    for variable in TIME_VARIABLES:
        for a, actor in enumerate(_actors(config)):
            for y in range(1, years + 1):
                if variable == "net_benefit":
                    out.append(Target("net_benefit", actor, a, horizon, year=y))
                else:
                    out.append(Target("p_payback", actor, a, horizon, month=12 * y))
    return out


def actor_targets(target: Target, config: Config) -> list[Target]:
    """``target``'s variable (and month or year) for every actor; none for ``utilised_potential`` (society's only)."""
    if target.variable == "utilised_potential":
        return []
    return [Target(target.variable, actor, a, target.horizon_months, target.month, target.year) for a, actor in enumerate(_actors(config))]


def actor_coords(config: Config, over_time: bool = True) -> dict:
    """The ``actor`` coordinates of the per-actor variables, and ``year`` (with ``payback_month``) of the over-time ones."""
    actors = _actors(config)
    coords = {
        "actor": (("actor",), np.array(actors)),
        "actor_label": (("actor",), np.array([actor_labels(config)[a] for a in actors])),
    }
    if over_time:
        years = np.arange(1, config.simulation.horizon_months // 12 + 1)
        coords.update({"year": (("year",), years), "payback_month": (("year",), 12 * years)})
    return coords


def time_variables(config: Config, columns: dict[str, np.ndarray], parameters, long_names: dict[str, str], *, measure: str) -> dict:
    """Dataset variables ``{variable}_{column}`` of dims ``(actor, year, parameter)``.

    Parameters
    ----------
    config : Config
    columns : dict of str to ndarray, each shape ``(target, parameter)``
        One row per target of :func:`time_targets`, in its order (e.g. ``S1``,
        ``ST`` or ``prcc``).
    parameters : sequence of str
        The rows' parameter names (the Dataset's order).
    long_names : dict
        Column → its long name.
    measure : str
        ``"sobol"`` or ``"prcc"``, for the attributes.
    """
    actors = _actors(config)
    years = config.simulation.horizon_months // 12
    shape = (len(TIME_VARIABLES), len(actors), years, len(parameters))
    out = {}
    for name, values in columns.items():
        a = np.asarray(values, dtype=np.float64).reshape(shape)
        for v, variable in enumerate(TIME_VARIABLES):
            what = "net benefit at the end of the year" if variable == "net_benefit" else "payback within 12·year months (indicator)"
            out[f"{variable}_{name}"] = (
                ("actor", "year", "parameter"),
                a[v],
                {"long_name": f"{long_names[name]} of each actor's {what}", "units": "1", "measure": measure},
            )
    return out


def actor_variables(targets: list[Target], columns: dict[str, np.ndarray], long_names: dict[str, str]) -> dict:
    """Dataset variables ``actor_{column}`` of dims ``(actor, parameter)``: the target's variable for every actor.

    ``columns``: column → ndarray of shape ``(target, parameter)`` in the order of ``targets``.
    """
    out = {
        f"actor_{name}": (
            ("actor", "parameter"),
            np.asarray(values, dtype=np.float64),
            {"long_name": f"{long_names[name]}, per actor", "units": "1"},
        )
        for name, values in columns.items()
    }
    out["actor_target"] = (("actor",), np.array([t.name for t in targets]), {"long_name": "the target of each actor's row"})
    return out

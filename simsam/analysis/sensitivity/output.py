"""Sensitivity results: one xarray Dataset per analysis, ``sensitivity.nc`` + ``sensitivity.csv``.

Every Dataset has one dimension, ``parameter`` (a dotted input path, a
Dirichlet table's path such as ``outcomes.shares``, a correlated group
``"a ~ b"``, or ``cohort``), sorted by importance, most important first, and a
coordinate ``members`` listing the sampled columns each row stands for. Its
variables are the columns of :data:`COLUMNS` for the method; its attributes
name the method, target, actor, sample size and how the runs were made.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..._version import __version__
from ...config.model import Config
from ...results import read_netcdf
from ...results.netcdf import write_netcdf
from ...util import atomic_folder

__all__ = ["COLUMNS", "EXTRA_COLUMNS", "sensitivity_dataset", "write_sensitivity", "read_sensitivity"]

#: The columns per method (README, Outputs), in CSV order.
COLUMNS = {
    "tornado": ("low_value", "high_value", "low", "high", "base", "swing"),
    "prcc": ("prcc", "prcc_low", "prcc_high", "p_value"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}
#: Further columns a method writes after the contract's.
EXTRA_COLUMNS = {"tornado": (), "prcc": (), "sobol": (), "morris": ("mu",)}
#: The variable each method ranks by (absolute value, descending).
RANK_BY = {"tornado": "swing", "prcc": "prcc", "sobol": "ST", "morris": "mu_star"}

_LONG_NAMES = {
    "low_value": "input at its low percentile",
    "high_value": "input at its high percentile",
    "low": "target with the input at its low percentile",
    "high": "target with the input at its high percentile",
    "base": "target with every input at its base value",
    "swing": "|high - low|",
    "prcc": "partial rank correlation coefficient",
    "prcc_low": "lower end of its confidence interval (Fisher z)",
    "prcc_high": "upper end of its confidence interval (Fisher z)",
    "p_value": "two-sided p-value of prcc = 0",
    "S1": "first-order Sobol index",
    "S1_conf": "half-width of the S1 confidence interval (bootstrap)",
    "ST": "total-order Sobol index",
    "ST_conf": "half-width of the ST confidence interval (bootstrap)",
    "mu_star": "mean absolute elementary effect",
    "mu_star_conf": "half-width of the mu_star confidence interval (bootstrap)",
    "sigma": "standard deviation of the elementary effects (NaN for a group)",
    "mu": "mean elementary effect (signed)",
}


def _units(method: str, column: str, target_units: str) -> str | None:
    if method == "tornado":
        return None if column.endswith("_value") else target_units
    if method == "morris":
        return target_units
    return "1"


def sensitivity_dataset(
    method: str,
    parameters,
    columns: dict[str, np.ndarray],
    *,
    config: Config,
    target,
    attrs: dict,
    members=None,
    extra: dict | None = None,
    extra_coords: dict | None = None,
):
    """Assemble a sensitivity Dataset, rows sorted by importance.

    Parameters
    ----------
    method : {"tornado", "prcc", "sobol", "morris"}
    parameters : sequence of str, length ``P``
        Row names.
    columns : dict of str to ndarray, each shape ``(P,)``
        :data:`COLUMNS` (and :data:`EXTRA_COLUMNS`) of the method.
    config : Config
    target : Target
    attrs : dict
        Method-specific attributes; ``sample_size`` and ``evaluations`` at least.
    members : sequence of str, optional
        For each row, the sampled columns it stands for (default: itself).
    extra : dict, optional
        Further variables ``{name: (dims, values, attrs)}`` whose last dimension,
        if ``parameter``, is in the order of ``parameters`` (reordered with the rows):
        the per-actor and over-time indices of :mod:`.over_time`.
    extra_coords : dict, optional
        Their other coordinates, ``{name: (dims, values)}`` (``actor``, ``year``).

    Returns
    -------
    xarray.Dataset
        Dimension ``parameter``; attributes ``method``, ``target``, ``actor``,
        ``sample_size``, ... (None values are left out: NetCDF cannot hold them).
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    parameters = [str(p) for p in parameters]
    members = [str(m) for m in members] if members is not None else parameters
    key = np.abs(np.asarray(columns[RANK_BY[method]], dtype=np.float64))
    order = np.argsort(np.where(np.isnan(key), -np.inf, -key), kind="stable")
    data = {}
    for name in COLUMNS[method] + EXTRA_COLUMNS[method]:
        var_attrs = {"long_name": _LONG_NAMES[name]}
        units = _units(method, name, target.units)
        if units is not None:
            var_attrs["units"] = units
        data[name] = (("parameter",), np.asarray(columns[name], dtype=np.float64)[order], var_attrs)
    base = {
        "title": f"simsam {method} sensitivity: {config.name}",
        "method": method,
        "target": target.name,
        "target_description": target.description,
        "target_units": target.units,
        "actor": target.actor,
        "name": config.name,
        "config": config.resolved_json(),
        "config_file": str(config.raw.path) if config.raw.path else "",
        "horizon_months": int(config.simulation.horizon_months),
        "participants": int(config.project.participants),
        "simsam_version": __version__,
    }
    base.update(attrs)
    clean = {k: (int(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in base.items() if v is not None}
    for name, (dims, values, var_attrs) in (extra or {}).items():
        values = np.asarray(values)
        data[name] = (dims, values[..., order] if dims and dims[-1] == "parameter" else values, var_attrs)
    coords = {"parameter": [parameters[i] for i in order], "members": ("parameter", [members[i] for i in order])}
    coords.update(extra_coords or {})
    return xr.Dataset(data, coords=coords, attrs=clean)


def actor_table(ds):
    """The per-actor rows (``--by evidence``) as a long table: actor, parameter (grade), target, S1 ... ST_conf, members."""
    names = [n for n in ("S1", "S1_conf", "ST", "ST_conf") if f"actor_{n}" in ds]
    table = ds[[f"actor_{n}" for n in names]].to_dataframe().rename(columns={f"actor_{n}": n for n in names})
    table = table.reset_index()
    table["target"] = table["actor"].map(dict(zip(ds["actor"].values.tolist(), ds["actor_target"].values.tolist())))
    table["members"] = table["parameter"].map(dict(zip(ds["parameter"].values.tolist(), ds["members"].values.tolist())))
    return table[["actor", "parameter", "target", *names, "members"]].set_index(["actor", "parameter"])


#: The over-time variables' prefixes (:mod:`.over_time`).
_TIME_PREFIXES = ("net_benefit_", "p_payback_")


def time_table(ds):
    """The over-time variables as a long table indexed by actor, year and parameter, with ``payback_month``."""
    names = [str(v) for v in ds.data_vars if str(v).startswith(_TIME_PREFIXES) and ds[v].dims == ("actor", "year", "parameter")]
    table = ds[names].to_dataframe().reset_index()
    table["payback_month"] = 12 * table["year"]
    return table[["actor", "year", "payback_month", "parameter", *names]].set_index(["actor", "year", "parameter"])


def write_sensitivity(ds, folder: str | os.PathLike) -> Path:
    """Write ``sensitivity.nc`` and ``sensitivity.csv`` into ``folder`` atomically (all or nothing).

    With per-actor rows (``--by evidence``) also ``sensitivity_evidence.csv``; with
    indices over time (``--over-time``) also ``sensitivity_time.csv``.
    """

    folder = Path(folder)
    method = ds.attrs["method"]
    names = list(COLUMNS[method] + EXTRA_COLUMNS[method])
    table = ds[names].to_dataframe()[names]
    with atomic_folder(folder) as tmp:
        write_netcdf(ds, tmp / "sensitivity.nc")
        table.to_csv(tmp / "sensitivity.csv", float_format="%.6g")
        if "actor_ST" in ds:
            actor_table(ds).to_csv(tmp / "sensitivity_evidence.csv", float_format="%.6g")
        if any(str(v).startswith(_TIME_PREFIXES) for v in ds.data_vars):
            time_table(ds).to_csv(tmp / "sensitivity_time.csv", float_format="%.6g")
    return folder


def read_sensitivity(path: str | os.PathLike):
    """Open ``sensitivity.nc`` (a folder or the file itself) into memory."""

    return read_netcdf(path, "sensitivity.nc")



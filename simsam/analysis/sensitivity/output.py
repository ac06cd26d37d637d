"""Sensitivity results: one xarray Dataset per analysis, ``sensitivity.nc`` + ``sensitivity.csv``.

Every Dataset has one dimension, ``parameter`` (a dotted input path, a
Dirichlet table's path such as ``outcomes.shares``, a correlated group
``"a ~ b"``, or ``cohort``), sorted by importance, most important first, and a
coordinate ``members`` listing the sampled columns each row stands for. Its
variables are the columns of :data:`COLUMNS` for the method; its attributes
name the method, target, actor, sample size and how the runs were made.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from ..._version import __version__
from ...config.model import Config

__all__ = ["COLUMNS", "EXTRA_COLUMNS", "sensitivity_dataset", "write_sensitivity", "read_sensitivity", "ranking_text"]

#: The contract's columns per method (CONTRACT.md), in CSV order.
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

    Returns
    -------
    xarray.Dataset
        Dimension ``parameter``; attributes ``method``, ``target``, ``actor``,
        ``sample_size``, ... (None values are left out: NetCDF cannot hold them).
    """
    import xarray as xr


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
    return xr.Dataset(
        data,
        coords={"parameter": [parameters[i] for i in order], "members": ("parameter", [members[i] for i in order])},
        attrs=clean,
    )


def write_sensitivity(ds, folder: str | os.PathLike) -> Path:
    """Write ``sensitivity.nc`` and ``sensitivity.csv`` into ``folder`` atomically (all or nothing)."""
    from ...util import atomic_folder

    folder = Path(folder)
    method = ds.attrs["method"]
    names = list(COLUMNS[method] + EXTRA_COLUMNS[method])
    table = ds[names].to_dataframe()[names]
    with atomic_folder(folder) as tmp:
        ds.to_netcdf(tmp / "sensitivity.nc", engine="h5netcdf")
        table.to_csv(tmp / "sensitivity.csv", float_format="%.6g")
    return folder


def read_sensitivity(path: str | os.PathLike):
    """Open ``sensitivity.nc`` (a folder or the file itself) into memory."""
    from ...results import read_netcdf

    return read_netcdf(path, "sensitivity.nc")


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.3e}"
    return f"{x:.4g}"


def ranking_text(ds, top: int | None = None) -> str:
    """The ranking as an aligned text table, most important first.

    ``top`` limits the rows shown (all by default).
    """
    a = ds.attrs
    method = a["method"]
    size = f"{a['sample_size']:,}".replace(",", " ")
    runs = f"{a['evaluations']:,}".replace(",", " ")
    what = {"tornado": "one-way (tornado)", "prcc": "PRCC", "sobol": "Sobol indices", "morris": "Morris screening"}[method]
    design = {
        "tornado": f"inputs at p{a.get('low_percentile', 5):g}/p{a.get('high_percentile', 95):g}, the rest at base",
        "prcc": f"{size} draws",
        "sobol": f"N = {size}",
        "morris": f"{size} trajectories, {a.get('levels', 4)} levels",
    }[method]
    last = f"base {_num(float(a['base']))}" if method == "tornado" else f"seed {a.get('seed', '–')}"
    lines = [f"{what} of {a['target_description']}", f"{a['name']}: {a['cohort']} cohort, {design}, {runs} model runs, {last}"]
    if "payback_not_reached" in a and float(a["payback_not_reached"]) > 0:
        share = 100 * float(a["payback_not_reached"])
        lines.append(f"payback not reached within the horizon in {share:.1f} % of runs (counted as month {a['horizon_months'] + 1})")
    if a.get("note"):
        lines.append(str(a["note"]))
    header = ["rank", "parameter"]
    rows = []
    n = ds.sizes["parameter"] if top is None else min(top, ds.sizes["parameter"])
    for i in range(n):
        row = ds.isel(parameter=i)
        v = {k: float(row[k]) for k in COLUMNS[method] + EXTRA_COLUMNS[method]}
        if method == "tornado":
            cells = [_num(v["low_value"]), _num(v["high_value"]), _num(v["low"]), _num(v["high"]), _num(v["swing"])]
        elif method == "prcc" and math.isnan(v["prcc"]):
            cells = ["–", "–", "–"]
        elif method == "prcc":
            cells = [f"{v['prcc']:+.3f}", f"[{v['prcc_low']:+.3f}, {v['prcc_high']:+.3f}]", f"{v['p_value']:.2g}"]
        elif method == "sobol" and math.isnan(v["ST"]):
            cells = ["–", "–"]
        elif method == "sobol":
            cells = [f"{v['S1']:.3f} ± {v['S1_conf']:.3f}", f"{v['ST']:.3f} ± {v['ST_conf']:.3f}"]
        else:
            cells = [f"{_num(v['mu_star'])} ± {_num(v['mu_star_conf'])}", _num(v["mu"]), _num(v["sigma"])]
        rows.append([str(i + 1), str(row["parameter"].values)] + cells)
    header += {
        "tornado": ["input low", "input high", "target low", "target high", "swing"],
        "prcc": ["PRCC", "95% interval", "p-value"],
        "sobol": ["S1 ± 95%", "ST ± 95%"],
        "morris": ["mu* ± 95%", "mu", "sigma"],
    }[method]
    table = [header] + rows
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]
    for k, r in enumerate(table):
        lines.append("  ".join(c.ljust(w) if j == 1 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    if n < ds.sizes["parameter"]:
        lines.append(f"... {ds.sizes['parameter'] - n} more in sensitivity.csv")
    return "\n".join(lines)


"""Paths and helpers shared by the test modules (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

DATA = Path(__file__).parent / "data"
CONFIGS = Path(__file__).parents[1] / "configs"


def fixed_sample(cfg, n: int = 1):
    """A Sample of ``n`` identical draws, every input at its base value (median, Dirichlet mean)."""
    from simsam.engine.sampling import ParameterSpace, Sample

    space = ParameterSpace.from_config(cfg)
    return Sample(space, np.tile(space.base_values(), (n, 1)))


def make_sensitivity(ds, method: str, *, target: str = "net_benefit_5y", actor: str = "society", nan: bool = False) -> xr.Dataset:
    """A sensitivity Dataset in the format of ``simsam sensitivity`` (CONTRACT.md), with made-up indices.

    One row per input of ``ds`` (a Dirichlet group as one row), the first input
    the most influential; ``nan`` puts a NaN in the second row.
    """
    groups = list(dict.fromkeys(str(g) for g in ds["parameter_group"].values))
    n = len(groups)
    w = np.linspace(1.0, 0.1, n)
    inputs = {str(g): ds["inputs"].values[:, list(map(str, ds["parameter_group"].values)).index(str(g))] for g in groups}
    base = float(np.median(ds["net_benefit"].sel(actor=actor).values[:, -1]))
    columns = {
        "sobol": {"S1": 0.5 * w, "S1_conf": 0.05 * w + 0.01, "ST": 0.6 * w + 0.02, "ST_conf": 0.06 * w + 0.01},
        "prcc": {
            "prcc": 0.9 * w * np.where(np.arange(n) % 3 == 1, -1, 1),
            "prcc_low": 0.9 * w - 0.05,
            "prcc_high": 0.9 * w + 0.05,
            "p_value": np.exp(-20 * w),
        },
        "tornado": {
            "low_value": [np.quantile(inputs[g], 0.05) for g in groups],
            "high_value": [np.quantile(inputs[g], 0.95) for g in groups],
            "low": base - 4e6 * w,
            "high": base + 5e6 * w,
            "base": np.full(n, base),
            "swing": 9e6 * w,
        },
        "morris": {"mu_star": 3e6 * w, "mu_star_conf": 3e5 * w, "sigma": 1e6 * w},
    }[method]
    if method == "prcc":
        columns["prcc_low"] = columns["prcc"] - 0.05
        columns["prcc_high"] = columns["prcc"] + 0.05
    data = {k: ("parameter", np.asarray(v, dtype=float)) for k, v in columns.items()}
    if nan and n > 1:
        for k in data:
            data[k][1][1] = np.nan
    return xr.Dataset(data, coords={"parameter": groups}, attrs={"method": method, "target": target, "actor": actor, "n": 256})

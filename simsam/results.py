"""The result Dataset and writing a run folder atomically.

=====================  =======================  ===========================================
variable               dims                     meaning
=====================  =======================  ===========================================
``payback_months``     draw, actor              first month with net benefit ≥ 0; NaN when
                                                not reached within the horizon
``annual_revenue``     draw, actor              first-year revenue, kr
``cost``               draw, actor              share of the uplifted project cost, kr
``net_benefit``        draw, actor, year        cumulative net benefit at each year's end, kr
``revenue``            draw, actor, year        revenue within each year, kr (undiscounted)
``utilised_potential`` draw                     society's first-year revenue / potential
``inputs``             draw, parameter          sampled value of every uncertain input
=====================  =======================  ===========================================

``actor`` holds the config's actors and then ``society`` (their sum).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .config.schema import SOCIETY, Config
from .sampling import ParameterSpace

__all__ = ["build_dataset", "write_run", "read_results", "atomic_folder"]


def build_dataset(config: Config, space: ParameterSpace, out, inputs: np.ndarray, draws: np.ndarray, seed: int, engine: str):
    """Assemble the result Dataset (see the module docstring); ``engine`` is the cohort path used."""
    import xarray as xr

    from . import __version__

    actors = list(config.actors) + [SOCIETY]
    years = np.arange(1, config.simulation.horizon_months // 12 + 1)
    kr = {"units": "kr"}
    ds = xr.Dataset(
        {
            "payback_months": (("draw", "actor"), out.payback, {"units": "months", "long_name": "payback time (NaN: not within the horizon)"}),
            "annual_revenue": (("draw", "actor"), out.revenue[:, :, 0], {**kr, "long_name": "first-year revenue (relative flows)"}),
            "cost": (("draw", "actor"), out.cost, {**kr, "long_name": "share of the uplifted project cost"}),
            "net_benefit": (("draw", "actor", "year"), out.net_benefit, {**kr, "long_name": "cumulative net benefit at the end of the year"}),
            "revenue": (("draw", "actor", "year"), out.revenue, {**kr, "long_name": "revenue within the year (undiscounted)"}),
            "utilised_potential": (("draw",), out.utilised_potential, {"units": "1", "long_name": "society's revenue / potential"}),
            "inputs": (("draw", "parameter"), inputs, {"long_name": "sampled value of each uncertain input"}),
        },
        coords={
            "draw": draws,
            "actor": actors,
            "actor_label": ("actor", [config.actors.get(a, "Samhället") for a in actors]),
            "year": years,
            "parameter": list(space.names),
            "parameter_group": ("parameter", list(space.group_of)),
        },
        attrs={
            "title": f"simsam results: {config.name}",
            "name": config.name,
            "config": config.resolved_json(),
            "config_text": config.raw.text,
            "config_file": str(config.raw.path) if config.raw.path else "",
            "seed": int(seed),
            "draws": int(len(draws)),
            "first_draw": int(draws[0]) if len(draws) else 0,
            "cohort": config.simulation.cohort,
            "engine": engine,
            "participants": int(config.project.participants),
            "horizon_months": int(config.simulation.horizon_months),
            "simsam_version": __version__,
        },
    )
    return ds


def atomic_folder(final: Path):
    """Context manager yielding a temporary folder that becomes ``final`` on success.

    On any error (or Ctrl-C) the temporary folder is removed and ``final`` is
    left as it was; on success an existing ``final`` is replaced.
    """
    import contextlib

    @contextlib.contextmanager
    def manager():
        final_path = Path(final)
        final_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final_path.name}.tmp-", dir=final_path.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would outlive the rename
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = None
        if final_path.exists():
            old = final_path.parent / f".{final_path.name}.old-{os.getpid()}"
            os.rename(final_path, old)
        os.rename(tmp, final_path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    return manager()


def write_run(ds, folder: str | os.PathLike, summary=None) -> Path:
    """Write ``results.nc``, ``summary.csv`` and ``summary.json`` into ``folder`` atomically."""
    from .summary import summarize, summary_json

    folder = Path(folder)
    summary = summarize(ds) if summary is None else summary
    with atomic_folder(folder) as tmp:
        ds.to_netcdf(tmp / "results.nc", engine="h5netcdf")
        summary.to_csv(tmp / "summary.csv", float_format="%.6g")
        (tmp / "summary.json").write_text(json.dumps(summary_json(ds, summary), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def read_results(path: str | os.PathLike):
    """Open a run's ``results.nc`` (a folder or the file itself) into memory."""
    import xarray as xr

    path = Path(path)
    if path.is_dir():
        path = path / "results.nc"
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()

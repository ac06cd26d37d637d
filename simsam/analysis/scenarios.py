"""Scenarios on common random numbers, and their paired differences.

A *variant* is a config to run: a config's base, one of its ``[scenarios.NAME]``,
or another config file. :func:`compare` runs every variant on the same seed and
the same draw indices. Because each input's uniform number is keyed by
``(seed, input name, draw)`` and each cohort's random numbers by
``(seed, draw)`` (:mod:`simsam.engine.streams`), draw ``i`` of two variants differs
only where the variants differ: an input a scenario leaves alone has the same
value in every draw, and participants meet the same chance events as far as
the changed inputs allow. Differences are therefore *paired* per draw, and
their Monte Carlo error is far smaller than that of two independent runs.

Payback differences need a number for "not reached within the horizon": it is
counted as ``horizon + 1`` months, so a variant that pays back in month 58
where the reference never does is "at least 3 months earlier" (reported as 3),
and two variants that both never pay back are tied (difference 0).

The result Dataset of :func:`compare`:

=============================  ==========================  ==========================================
variable                       dims                        meaning
=============================  ==========================  ==========================================
``payback_months``             variant, draw, actor        payback month, NaN: not within the horizon
``annual_revenue``             variant, draw, actor        first-year revenue, kr
``cost``                       variant, draw, actor        uplifted project cost, kr
``net_benefit``                variant, draw, actor, year  cumulative net benefit at each year's end, kr
``payback_difference``         contrast, draw, actor       variant − reference, months (not reached
                                                           counted as horizon + 1)
``net_benefit_difference``     contrast, draw, actor, year variant − reference, kr
``annual_revenue_difference``  contrast, draw, actor       variant − reference, kr
=============================  ==========================  ==========================================

``variant`` holds the reference first; ``contrast`` holds the other variants
(each compared with the reference). ``actor`` holds the actors every variant
has, then ``society`` (each variant's own sum over all its actors).

Every amount is in the kronor of one price level (attribute ``price_level``): variants at
another level are restated to it by KPI before the differences are taken
(:mod:`simsam.analysis.prices`; attributes ``variant_price_levels`` and ``restatement``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._version import __version__
from ..config.model import SOCIETY, Config, actor_labels
from ..errors import ConfigError, unknown_key_error
from ..results import simulate
from ..results.netcdf import write_netcdf
from ..util import atomic_folder
from .prices import common_price_level, price_attrs
from .summary import PAYBACK_MONTHS

__all__ = [
    "Variant",
    "variants_of",
    "config_variants",
    "compare",
    "compare_summary",
    "write_compare",
    "write_compare_files",
    "REFERENCE",
]

#: The name of a config's own (unchanged) variant.
REFERENCE = "base"

#: The variables in kronor, restated when a variant is at another price level.
KR_VARIABLES = ("annual_revenue", "cost", "net_benefit", "revenue")


@dataclass(frozen=True)
class Variant:
    """One config to run in a comparison.

    Attributes
    ----------
    name : str
        Short id: ``"base"``, a scenario's ``NAME``, or a config file's stem.
    label : str
        For tables and reports.
    config : Config
    description : str
    """

    name: str
    label: str
    config: Config
    description: str = ""


def variants_of(config: Config, names: Sequence[str] | None = None) -> list[Variant]:
    """The config's base and its scenarios (all, or those named), base first.

    Raises
    ------
    ConfigError
        ``--scenario``: an unknown scenario name, or a config without scenarios.
    """

    if not config.scenarios:
        raise ConfigError("scenarios", f"{config.name} has no [scenarios.NAME] tables to compare; add some, or compare two configs")
    names = list(config.scenarios) if not names else list(names)
    for n in names:
        if n not in config.scenarios:
            raise unknown_key_error("--scenario", n, config.scenarios, what="scenario")
    if len(set(names)) != len(names):
        raise ConfigError("--scenario", "names a scenario twice")
    base = Variant(REFERENCE, f"{config.name} (base)", config)
    return [base] + [Variant(n, config.scenarios[n].label, config.scenarios[n].config, config.scenarios[n].description) for n in names]


def config_variants(configs: Sequence[Config], paths: Sequence[Path]) -> list[Variant]:
    """Configs compared with the first, named by their file stems (made unique)."""
    out, seen = [], set()
    for cfg, path in zip(configs, paths):
        name = Path(path).stem
        k = 2
        while name in seen:
            name = f"{Path(path).stem}-{k}"
            k += 1
        seen.add(name)
        out.append(Variant(name, cfg.name, cfg, str(path)))
    return out


def _common_actors(variants: Sequence[Variant]) -> tuple[list[str], dict[str, list[str]]]:
    """Actors of the reference that every variant has (then society), and what each variant drops."""
    ref = list(variants[0].config.actors)
    common = [a for a in ref if all(a in v.config.actors for v in variants)]
    dropped = {v.name: [a for a in v.config.actors if a not in common] for v in variants}
    return common + [SOCIETY], {k: d for k, d in dropped.items() if d}


def compare(
    variants: Sequence[Variant],
    draws: int | None = None,
    seed: int | None = None,
    *,
    threads: int | None = None,
    chunk_draws: int | None = None,
    client=None,
    price_level: int | None = None,
):
    """Run every variant on the same seed and draws; paired differences against the first.

    Variants at different price levels (configs of different rules years, or a scenario that
    changes the rules year) are first restated to one (:mod:`simsam.analysis.prices`): the
    latest of their levels, or ``price_level``; the attributes say which.

    Parameters
    ----------
    variants : sequence of Variant
        At least two; the first is the reference.
    draws, seed : int, optional
        Default: the reference config's ``[simulation]`` values.
    threads, chunk_draws, client
        As for :func:`simsam.simulate` (results do not depend on them).
    price_level : int, optional
        The year whose kronor the comparison is in (``--price-level``); default the latest
        price level of the variants.

    Returns
    -------
    xarray.Dataset
        See the module docstring.

    Raises
    ------
    ConfigError
        Variants with different horizons, fewer than two variants, or price levels that cannot
        be restated to one (:func:`simsam.analysis.prices.common_price_level`).
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    if len(variants) < 2:
        raise ConfigError("compare", "needs at least two variants (a config with scenarios, or two configs)")
    ref = variants[0].config
    horizon = ref.simulation.horizon_months
    for v in variants[1:]:
        h = v.config.simulation.horizon_months
        if h != horizon:
            raise ConfigError(
                "simulation.horizon_months",
                f"{variants[0].name} has {horizon} months and {v.name} has {h}: compare configs with the same horizon",
            )
    draws = ref.simulation.draws if draws is None else int(draws)
    seed = ref.simulation.seed if seed is None else int(seed)
    actors, dropped = _common_actors(variants)
    prices = common_price_level({v.name: v.config.prices.level for v in variants}, price_level, what="variant")
    options = {"threads": threads, "chunk_draws": chunk_draws, **({"client": client} if client is not None else {})}
    runs = [simulate(v.config, draws=draws, seed=seed, **options).sel(actor=actors) for v in variants]
    names = [v.name for v in variants]
    for i, name in enumerate(names):
        if prices.factors[name] != 1.0:
            runs[i] = runs[i].assign({var: runs[i][var] * prices.factors[name] for var in KR_VARIABLES})

    def stack(var):
        return xr.concat([r[var] for r in runs], dim=pd.Index(names, name="variant"), coords="minimal", compat="override")

    payback = stack("payback_months")
    ds = xr.Dataset(
        {
            "payback_months": payback,
            "annual_revenue": stack("annual_revenue"),
            "cost": stack("cost"),
            "net_benefit": stack("net_benefit"),
        }
    )
    ds = ds.drop_vars([c for c in ds.coords if c not in ("variant", "draw", "actor", "year")])
    late = payback.fillna(horizon + 1)
    ref_name, others = names[0], names[1:]
    contrast = pd.Index(others, name="contrast")

    def diff(var):
        x = late if var == "payback_months" else ds[var]
        d = x.sel(variant=others).rename(variant="contrast") - x.sel(variant=ref_name)
        return d.assign_coords(contrast=contrast)

    ds["payback_difference"] = diff("payback_months").assign_attrs(
        units="months", long_name=f"payback, variant − reference (not reached counted as {horizon + 1})"
    )
    ds["net_benefit_difference"] = diff("net_benefit").assign_attrs(
        units="kr", long_name="net benefit at the year's end, variant − reference"
    )
    ds["annual_revenue_difference"] = diff("annual_revenue").assign_attrs(units="kr", long_name="first-year revenue, variant − reference")
    ds["payback_months"].attrs.update(units="months", long_name="payback time (NaN: not within the horizon)")
    for var in ("annual_revenue", "cost", "net_benefit"):
        ds[var].attrs.update(units="kr")
    labels = {v.name: v.label for v in variants}
    ds = ds.assign_coords(
        variant=np.array(names, dtype=str),
        contrast=np.array(others, dtype=str),
        variant_label=("variant", [labels[n] for n in names]),
        contrast_label=("contrast", [labels[n] for n in others]),
        actor_label=("actor", [actor_labels(ref)[a] for a in actors]),
    )
    ds.attrs.update(
        title=f"simsam comparison: {', '.join(names[1:])} against {ref_name}",
        name=ref.name,
        reference=ref_name,
        seed=int(seed),
        draws=int(draws),
        horizon_months=int(horizon),
        participants=int(ref.project.participants),
        payback_not_reached_as=int(horizon + 1),
        actors_left_out="; ".join(f"{k}: {', '.join(v)}" for k, v in dropped.items()),
        variant_descriptions="\n".join(f"{v.name}: {v.description}" for v in variants if v.description),
        simsam_version=__version__,
        **price_attrs(prices, "variant"),
    )
    return ds


def _paired(diff: np.ndarray, better: np.ndarray, worse: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Summary of one paired difference (over draws)."""
    n = diff.size
    sd = float(np.std(diff, ddof=1)) if n > 1 else 0.0
    p05, med, p95 = np.quantile(diff, [0.05, 0.5, 0.95])
    return {
        "mean": float(diff.mean()),
        "mcse": sd / math.sqrt(n),
        "median": float(med),
        "p05": float(p05),
        "p95": float(p95),
        "reference_mean": float(np.mean(a)),
        "variant_mean": float(np.mean(b)),
        "p_better": float(better.mean()),
        "p_worse": float(worse.mean()),
        "p_better_mcse": math.sqrt(float(better.mean()) * (1 - float(better.mean())) / n),
    }


SUMMARY_COLUMNS = ["mean", "mcse", "median", "p05", "p95", "reference_mean", "variant_mean", "p_better", "p_worse", "p_better_mcse"]


def compare_summary(ds) -> pd.DataFrame:
    """Per contrast, actor and metric: the paired difference and P(variant better).

    Metrics: ``payback_months`` (better = earlier; not reached counted as
    horizon + 1), ``p_payback_{m}`` for m = 12, 36 and the horizon (the
    difference of the two probabilities, with its paired standard error; better
    = only the variant pays back by m), ``annual_revenue`` and
    ``net_benefit_{y}y`` (better = higher).

    Returns
    -------
    pandas.DataFrame
        Index ``(contrast, actor, metric)``; columns ``mean, mcse, median, p05,
        p95`` (of the difference, variant − reference), ``reference_mean``,
        ``variant_mean``, ``p_better``, ``p_worse``, ``p_better_mcse``.
    """

    horizon = int(ds.attrs["horizon_months"])
    ref = ds.attrs["reference"]
    months = [m for m in PAYBACK_MONTHS if m < horizon] + [horizon]
    rows = {}
    for c in ds["contrast"].values.tolist():
        for actor in ds["actor"].values.tolist():
            a = ds.sel(variant=ref, actor=actor)
            b = ds.sel(variant=c, actor=actor)
            pa = np.nan_to_num(a["payback_months"].values, nan=horizon + 1)
            pb = np.nan_to_num(b["payback_months"].values, nan=horizon + 1)
            rows[(c, actor, "payback_months")] = _paired(pb - pa, pb < pa, pb > pa, pa, pb)
            for m in months:
                ia, ib = (pa <= m).astype(float), (pb <= m).astype(float)
                rows[(c, actor, f"p_payback_{m}")] = _paired(ib - ia, ib > ia, ib < ia, ia, ib)
            ra, rb = a["annual_revenue"].values, b["annual_revenue"].values
            rows[(c, actor, "annual_revenue")] = _paired(rb - ra, rb > ra, rb < ra, ra, rb)
            for i, y in enumerate(ds["year"].values.tolist()):
                na, nb = a["net_benefit"].values[:, i], b["net_benefit"].values[:, i]
                rows[(c, actor, f"net_benefit_{y}y")] = _paired(nb - na, nb > na, nb < na, na, nb)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=SUMMARY_COLUMNS)
    table.index = pd.MultiIndex.from_tuples(table.index, names=["contrast", "actor", "metric"])
    return table


def write_compare(ds, table: pd.DataFrame, folder) -> Path:
    """Write ``compare.nc`` and ``compare.csv`` into ``folder`` atomically."""

    folder = Path(folder)
    with atomic_folder(folder) as tmp:
        write_compare_files(ds, table, tmp)
    return folder


def write_compare_files(ds, table: pd.DataFrame, folder: Path) -> list[str]:
    """Write the files of a comparison into an existing folder; return their names."""
    write_netcdf(ds, folder / "compare.nc")
    table.to_csv(folder / "compare.csv", float_format="%.6g")
    return ["compare.nc", "compare.csv"]

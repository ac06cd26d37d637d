"""The result Dataset: its variables, and building it in memory (:func:`simulate`).

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

``parameter`` carries two coordinates: ``parameter_group`` (a Dirichlet
table's items share one) and ``parameter_evidence``, each input's evidence
grade (``high``, ``medium``, ``low``, or ``ungraded`` where the config states
none; a grade of its own in the analyses by grade).

``actor`` holds the config's actors and then ``society`` (their sum). Writing
and reading ``results.nc`` is :mod:`simsam.results.netcdf`.

A config with ``[groups]`` adds, without changing the variables above, the same
results per group (:data:`GROUP_VARIABLES`): ``group_payback_months``,
``group_annual_revenue`` and ``group_cost`` ``(draw, group, actor)``,
``group_net_benefit`` and ``group_revenue`` ``(draw, group, actor, year)`` and
``group_utilised_potential`` ``(draw, group)``, with the coordinates
``group_label``, ``group_participants`` and ``group_cost_share`` on ``group``.
Each group's cost is its share of the project cost (per participant, weighted
by ``cost_weight``); the groups' revenue, cost and net benefit sum to the
cohort's in every draw.
"""

from __future__ import annotations

import json

import numpy as np

from .._version import __version__
from ..config.build import build_config
from ..config.loading import RawConfig
from ..config.model import SOCIETY, Config, actor_labels
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, ModelOutput, engine_of, evaluate
from ..engine.run import run_chunks
from ..engine.sampling import ParameterSpace
from ..engine.inputs import group_cost_shares, group_sizes

__all__ = ["VARIABLES", "GROUP_VARIABLES", "variables_of", "NO_FLOW_KR", "actors_with_flows", "build_dataset", "simulate", "config_of_results",
           "empty_output", "fill_output", "output_from_states"]

_KR = {"units": "kr"}


#: The data variables: name → (dims, attributes, values from a ModelOutput and the inputs).
VARIABLES = {
    "payback_months": (
        ("draw", "actor"),
        {"units": "months", "long_name": "payback time (NaN: not within the horizon)"},
        lambda o, x: o.payback,
    ),
    "annual_revenue": (("draw", "actor"), {**_KR, "long_name": "first-year revenue (relative flows)"}, lambda o, x: o.revenue[:, :, 0]),
    "cost": (("draw", "actor"), {**_KR, "long_name": "share of the uplifted project cost"}, lambda o, x: o.cost),
    "net_benefit": (
        ("draw", "actor", "year"),
        {**_KR, "long_name": "cumulative net benefit at the end of the year"},
        lambda o, x: o.net_benefit,
    ),
    "revenue": (("draw", "actor", "year"), {**_KR, "long_name": "revenue within the year (undiscounted)"}, lambda o, x: o.revenue),
    "utilised_potential": (("draw",), {"units": "1", "long_name": "society's revenue / potential"}, lambda o, x: o.utilised_potential),
    "inputs": (("draw", "parameter"), {"long_name": "sampled value of each uncertain input"}, lambda o, x: x),
}

_PER_GROUP = " of each group (its share of the cost per participant)"

#: The per-group variables of a config with ``[groups]`` (module docstring).
GROUP_VARIABLES = {
    "group_payback_months": (
        ("draw", "group", "actor"),
        {"units": "months", "long_name": "payback time" + _PER_GROUP + " (NaN: not within the horizon)"},
        lambda o, x: o.group_payback,
    ),
    "group_annual_revenue": (
        ("draw", "group", "actor"),
        {**_KR, "long_name": "first-year revenue of each group"},
        lambda o, x: o.group_revenue[:, :, :, 0],
    ),
    "group_cost": (("draw", "group", "actor"), {**_KR, "long_name": "share of the uplifted project cost" + _PER_GROUP},
                   lambda o, x: o.group_cost),
    "group_net_benefit": (
        ("draw", "group", "actor", "year"),
        {**_KR, "long_name": "cumulative net benefit at the end of the year" + _PER_GROUP},
        lambda o, x: o.group_net_benefit,
    ),
    "group_revenue": (
        ("draw", "group", "actor", "year"),
        {**_KR, "long_name": "revenue of each group within the year (undiscounted)"},
        lambda o, x: o.group_revenue,
    ),
    "group_utilised_potential": (
        ("draw", "group"),
        {"units": "1", "long_name": "each group's society revenue / its potential"},
        lambda o, x: o.group_utilised_potential,
    ),
}


def variables_of(config: Config) -> dict:
    """The data variables a run of ``config`` has: :data:`VARIABLES`, and :data:`GROUP_VARIABLES` with ``[groups]``."""
    return {**VARIABLES, **GROUP_VARIABLES} if config.groups else dict(VARIABLES)


def _skeleton(config: Config, space: ParameterSpace, draws: np.ndarray, seed: int, engine: str):
    """The Dataset's coordinates ``{name: (dims, values)}`` and attributes, without xarray."""

    actors = list(config.actors) + [SOCIETY]
    coords = {
        "draw": (("draw",), np.asarray(draws)),
        "actor": (("actor",), np.array(actors)),
        "actor_label": (("actor",), np.array([actor_labels(config)[a] for a in actors])),
        "year": (("year",), np.arange(1, config.simulation.horizon_months // 12 + 1)),
        "parameter": (("parameter",), np.array(list(space.names), dtype=str)),
        "parameter_group": (("parameter",), np.array(list(space.group_of), dtype=str)),
        "parameter_evidence": (("parameter",), np.array(list(space.evidence_of), dtype=str)),
    }
    if config.groups:
        coords["group"] = (("group",), np.array(list(config.groups)))
        coords["group_label"] = (("group",), np.array([g.label for g in config.groups.values()]))
        coords["group_participants"] = (("group",), group_sizes(config).astype(np.int64))
        coords["group_cost_share"] = (("group",), group_cost_shares(config))
    attrs = {
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
        **price_attributes(config),
    }
    return coords, attrs


def price_attributes(config: Config) -> dict:
    """The rules and price levels behind a result, as Dataset attributes.

    ``tax_rules``; ``rules_year`` and ``price_level`` (the year whose kronor every amount of
    the results is in) when the config has them; ``price_levels``, JSON of each file's price
    level (the top file as ``""``); ``price_restatement``, JSON of every restated input: path →
    ``{"from", "to", "index", "factor"}``; ``top_up``, the means-tested benefit ("" for none);
    and ``config_origins`` / ``config_price_levels``, what :func:`config_of_results` needs to
    rebuild the config with the same restatements.
    """
    p, e = config.prices, config.economy
    attrs = {
        "tax_rules": e.tax_rules,
        "price_levels": json.dumps({("" if k is None else k): v for k, v in p.files.items()}, ensure_ascii=False),
        "price_restatement": json.dumps(
            {r.path: {"from": r.from_year, "to": r.to_year, "index": r.index, "factor": r.factor} for r in p.restated.values()}
        ),
        "top_up": config.top_up.id if config.top_up is not None else "",
        "config_origins": json.dumps(config.raw.origins, ensure_ascii=False),
        "config_price_levels": json.dumps(
            [[k, v] for k, v in config.raw.price_levels.items()] + [["own", k, v] for k, v in config.raw.own_price_levels.items()],
            ensure_ascii=False,
        ),
    }
    if e.rules_year is not None:
        attrs["rules_year"] = int(e.rules_year)
    if p.level is not None:
        attrs["price_level"] = int(p.level)
    return attrs


def build_dataset(config: Config, space: ParameterSpace, out, inputs: np.ndarray, draws: np.ndarray, seed: int, engine: str):
    """Assemble the result Dataset in memory (see the module docstring); ``engine`` is the cohort path used."""
    import xarray as xr  # ~0.5 s: simsam run never builds a Dataset in memory

    coords, attrs = _skeleton(config, space, draws, seed, engine)
    ds = xr.Dataset(coords=coords, attrs=attrs)
    for name, (dims, attrs, get) in variables_of(config).items():
        ds[name] = (dims, get(out, inputs), attrs)
    return ds


def simulate(
    config: Config,
    draws: int | None = None,
    seed: int | None = None,
    *,
    threads: int | None = None,
    chunk_draws: int | None = None,
    first_draw: int = 0,
    progress=None,
    client=None,
):
    """Monte Carlo simulation of a config: the result Dataset (README, Outputs), in memory.

    Parameters
    ----------
    config : Config
        From :func:`simsam.load_config`.
    draws : int, optional
        Number of draws (default: ``[simulation] draws``).
    seed : int, optional
        Default: ``[simulation] seed``.
    threads : int, optional
        numba threads (default: all cores). Results do not depend on it.
    chunk_draws : int, optional
        Draws per chunk, to bound memory. Results do not depend on it.
    first_draw : int
        Global index of the first draw: draws ``first_draw ...`` of a larger run
        get exactly the numbers they get in that run.
    progress : callable, optional
        Called with the number of draws done after each chunk.
    client : dask.distributed.Client, optional
        Run the chunks as tasks on a Dask cluster (bit-identical results).

    Returns
    -------
    xarray.Dataset
        ``payback_months``, ``annual_revenue``, ``cost``, ``net_benefit``,
        ``revenue``, ``utilised_potential`` and ``inputs``; see
        :mod:`simsam.results`. For runs too large for memory, see
        :func:`simsam.workflows.run_folder.run_to_folder`, which streams to NetCDF.
    """

    draws = config.simulation.draws if draws is None else int(draws)
    seed = config.simulation.seed if seed is None else int(seed)
    if draws < 1:
        raise ValueError("draws must be at least 1")
    chunk = max(1, int(chunk_draws or DEFAULT_CHUNK_DRAWS))
    space = ParameterSpace.from_config(config)
    index = np.arange(first_draw, first_draw + draws, dtype=np.int64)
    out = empty_output(config, draws)
    inputs = np.empty((draws, space.size))
    for part in run_chunks(config, draws, seed, chunk, first_draw=first_draw, threads=threads, client=client):
        fill_output(out, part.start, part.output)
        inputs[part.start : part.stop] = part.inputs
        if progress is not None:
            progress(part.stop - part.start)
    return build_dataset(config, space, out, inputs, index, seed, engine_of(config))


def empty_output(config: Config, draws: int) -> ModelOutput:
    """A :class:`ModelOutput` of ``draws`` draws to fill chunk by chunk (:func:`fill_output`); the group variables with ``[groups]``."""
    n_actors = len(config.actors) + 1
    years = config.simulation.horizon_months // 12
    g = len(config.groups)
    return ModelOutput(
        np.empty((draws, n_actors)),
        np.empty((draws, n_actors, years)),
        np.empty((draws, n_actors, years)),
        np.empty((draws, n_actors)),
        np.empty(draws),
        **(
            dict(
                group_payback=np.empty((draws, g, n_actors)),
                group_net_benefit=np.empty((draws, g, n_actors, years)),
                group_revenue=np.empty((draws, g, n_actors, years)),
                group_cost=np.empty((draws, g, n_actors)),
                group_utilised_potential=np.empty((draws, g)),
            )
            if g
            else {}
        ),
    )


def fill_output(out: ModelOutput, start: int, part: ModelOutput) -> None:
    """Copy the chunk ``part`` into ``out`` from draw position ``start`` on (the variables ``out`` has)."""
    for name in ModelOutput.__dataclass_fields__:
        if getattr(out, name) is not None and getattr(part, name) is not None:
            getattr(out, name)[start : start + len(part.payback)] = getattr(part, name)


def output_from_states(config: Config, space: ParameterSpace, inputs: np.ndarray, draws: np.ndarray, seed: int,
                       occupancy, step: int, threads: int | None = None) -> ModelOutput:
    """Every draw's results computed again from its inputs and its occupancy (a results file of ``--store states``).

    Chunk by chunk (``step`` draws, the run's chunks), :func:`simsam.engine.evaluate.evaluate` computes the
    results of the occupancy given instead of simulating one: what the run computed, bit for bit.

    Parameters
    ----------
    inputs : ndarray, shape ``(draw, parameter)``
    draws : ndarray of int, shape ``(draw,)``
        Global draw indices.
    occupancy : array-like, shape ``(draw, state, month)``
        Participants per kernel state and month (any integer type; sliced one chunk at a time).
    step : int
        Draws per chunk.
    """
    out = empty_output(config, len(draws))
    for lo in range(0, len(draws), max(1, int(step))):
        hi = min(lo + max(1, int(step)), len(draws))
        given = np.asarray(occupancy[lo:hi], dtype=np.float64)
        fill_output(out, lo, evaluate(config, space, inputs[lo:hi], draws[lo:hi], seed, threads=threads, given=given))
    return out



def config_of_results(ds) -> Config:
    """Rebuild the config a result Dataset was made from (its ``config`` attribute, and the files'
    price levels and the keys' origins, so that every amount is restated as in the run)."""
    levels, own = {}, {}
    for row in json.loads(ds.attrs.get("config_price_levels", "[]")):
        if row[0] == "own":
            own[row[1]] = row[2]
        else:
            levels[row[0]] = row[1]
    origins = json.loads(ds.attrs.get("config_origins", "{}"))
    raw = RawConfig(json.loads(ds.attrs["config"]), origins, ds.attrs.get("config_text", ""), None, (), levels, own)
    return build_config(raw)


#: kr: an actor whose flows and cost stay below this in every draw has none
#: (the employer's exactly offsetting items leave ±1e-10 kr of rounding).
NO_FLOW_KR = 1e-3


def actors_with_flows(ds, variables=("revenue", "cost")) -> list[str]:
    """The actors of ``ds`` with a flow or a cost in some draw, then society (always).

    An actor without any (the employer under NyttoSam's reading, an actor of the
    base config the project never touches) "pays back in month 1" by
    definition; tables and figures leave it out and say so.

    Parameters
    ----------
    ds : xarray.Dataset or ResultsFile
        Anything with an ``actor`` coordinate whose ``ds.sel(actor=a)[v].values``
        are the actor's values (a result, compare or decision Dataset).
    variables : sequence of str
        The variables that count (kr); those ``ds`` does not have are skipped.

    Returns
    -------
    list of str
        Actor ids in the Dataset's order, society last.
    """
    present = [v for v in variables if v in ds]
    recorded = getattr(ds, "max_abs", None)  # a ResultsFile knows each actor's largest |value| without reading the draws

    def peak(actor: str, v: str) -> float:
        known = recorded(v, actor) if recorded is not None else None
        return known if known is not None else np.nanmax(np.abs(np.asarray(ds.sel(actor=actor)[v].values, dtype=float)), initial=0.0)

    out = []
    for actor in [str(a) for a in ds["actor"].values]:
        if actor == SOCIETY:
            continue
        if any(peak(actor, v) >= NO_FLOW_KR for v in present):
            out.append(actor)
    return out + [SOCIETY]

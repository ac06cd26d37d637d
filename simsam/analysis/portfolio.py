"""Portfolios: the projects a coordination association funds, on shared economic inputs.

A portfolio file (TOML) lists project configs::

    [portfolio]
    name = "Samordningsförbundet: four projects"      # optional
    draws = 10000                                      # optional (default 10 000)
    seed = 1                                           # optional (default 1)
    shared = ["economy.*", "benefits.*", "resources.*", "simulation.discount_rate"]   # the default
    restated = "coupled"                               # or "independent"; see below
    k = [1, 2, 3, 4]                                   # optional (default 1 .. number of projects)

    [[project]]
    config = "../configs/spaaret.toml"                 # relative to the portfolio file
    name = "spaaret"                                   # optional (default: the config's file stem)
    seed = 7                                           # optional (default: see "Seeds")

``shared`` may also be one comma-separated string (``"economy.*, benefits.*"``).
Patterns are shell-style (:mod:`fnmatch`) and match an input's dotted config
path (``economy.wage``, ``benefits.social_assistance.monthly``,
``resources.case_handling_kommun.unit_cost``).

Shared, coupled and project-specific inputs
-------------------------------------------
An uncertain input whose path matches ``shared`` is one quantity of the world
(the wage of the jobs participants get, a benefit level, a unit cost): its
uniform number in draw ``i`` is keyed by ``(portfolio seed, path, i)`` in every
project (:mod:`simsam.engine.streams`). So:

* **shared**: projects that give the input the *same* distribution get the
  *identical* value in every draw (status ``shared``);
* **coupled**: a project that restates it differently (samverkansteamet and BAS
  state wages, benefits and unit costs at their own 2016/2017 price level) gets
  the *same quantile* of its own distribution (status ``coupled``): when the
  2024 wage is high, the 2016 wage is high too, and each project keeps its own
  marginal. With ``restated = "independent"``, an input on which the projects
  disagree is instead drawn independently in every project (status
  ``independent``), and only inputs all projects define alike are shared;
* **specific**: every other input (project cost, outcome shares, the BEFORE
  basket, states' parameters, transitions) is drawn independently per
  project, keyed by the project's own seed.

A shared input that a project also correlates (``[correlations]``) passes that
project's copula, so it is at most coupled there. Fixed numbers are simply each
project's own. The ``input_status`` variable records, per project and input,
which of ``shared``, ``coupled``, ``specific``, ``independent`` applied.

Seeds
-----
Project ``p`` has its own seed ``S_p``: the first project's is the portfolio
seed ``S`` itself, every other one is derived from ``(S, project name)`` (or
given as ``seed`` in its ``[[project]]`` table). ``S_p`` keys the project's
specific inputs and its cohort (``(S_p, "cohort", draw)``), so cohorts are
independent across projects, and the first project is draw for draw its
stand-alone run ``simsam run CONFIG --seed S`` (a one-project portfolio *is*
that run). Any other project equals ``simsam run CONFIG --seed S_p`` in its
specific inputs and its cohort; its shared inputs come from ``S``. The seeds
are stored in the results (``project_seed``). Renaming a project changes its
derived seed, and reordering changes which project uses ``S``.

The association's budget
------------------------
All projects start at the same time and must have the same horizon: month
``m`` of the portfolio is month ``m`` of every project, on each project's own
time axis (``[simulation] timing``: with the NyttoSam convention the cost falls
at month 0 and month 1 is the cohort's first month after exit; with
``"project"`` month 1 is the project's first month, exits staggered). The
timing of each project is recorded (``project_timing``). The portfolio's cost and cumulative net benefit per actor are the
sums over projects. Its payback month is exact: the kernel returns each
project's cumulative net benefit after every month (``evaluate(...,
monthly=True)``), and the portfolio adds them up.

The result Dataset of :func:`run_portfolio` (``portfolio.nc``):

================================  ===========================  ===============================================
variable                          dims                         meaning
================================  ===========================  ===============================================
``payback_months``                project, draw, actor         each project's payback month (NaN: not reached)
``annual_revenue``                project, draw, actor         first-year revenue, kr
``cost``                          project, draw, actor         uplifted project cost, kr
``net_benefit``                   project, draw, actor, year   cumulative net benefit at each year's end, kr
``inputs``                        project, draw, parameter     sampled inputs (NaN: the project has none)
``input_status``                  project, parameter           shared / coupled / specific / "" (absent)
``portfolio_cost``                draw, actor                  Σ projects
``portfolio_net_benefit``         draw, actor, year            Σ projects
``portfolio_payback_months``      draw, actor                  first month Σ net benefit ≥ 0 (NaN: not reached)
``projects_paid_back``            draw, month                  projects with society payback ≤ month
``p_at_least``                    k, month                     P(at least k projects pay back within month)
``correlation_net_benefit``       actor, project, project_b    Spearman correlation of the net benefit at the
                                                               horizon between projects (NaN: constant)
================================  ===========================  ===============================================

An actor a project does not have has no flows and no cost there (so it "pays
back" in month 1, as any actor without cost and flows does).

Price levels: each project's results are in the kronor of its own price level (its rules
year); before they are added, every project's revenue, cost and net benefit are restated by
KPI to one level, the latest of the projects' (or ``--price-level``), so that kronor of 2016
and 2024 are never summed (:mod:`simsam.analysis.prices`). A project's payback month is
unchanged by this; the budget's is computed on the restated sums. The attributes
``price_level``, ``project_price_levels`` and ``restatement`` and the coordinate
``project_price_level`` (−1: none stated) say what was done.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._version import __version__
from ..config import load_config
from ..config.loading import decode_toml
from ..config.model import SOCIETY, SOCIETY_LABEL, Config
from ..engine import streams as rnd
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, evaluate
from ..engine.sampling import ParameterSpace
from ..errors import ConfigError, type_name, unknown_key_error
from ..kernels.types import PAYBACK_ATOL, PAYBACK_RTOL
from ..results.netcdf import write_netcdf
from ..util import atomic_folder
from .prices import common_price_level, price_attrs
from .summary import COLUMNS, continuous_stats, payback_stats, probability_stats

__all__ = [
    "Project",
    "Portfolio",
    "load_portfolio",
    "run_portfolio",
    "portfolio_summary",
    "write_portfolio",
    "DEFAULT_SHARED",
]

#: Inputs shared by default: wages, tax rates, benefit levels, unit costs, the discount rate.
DEFAULT_SHARED = ("economy.*", "benefits.*", "resources.*", "simulation.discount_rate")
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 1
RESTATED = ("coupled", "independent")
PORTFOLIO_KEYS = ("name", "draws", "seed", "shared", "restated", "k")
PROJECT_KEYS = ("config", "name", "seed")
#: Payback months at which P(at least k projects pay back) is reported (plus the horizon).
MONTHS = (12, 36)
SHARED, COUPLED, SPECIFIC, INDEPENDENT = "shared", "coupled", "specific", "independent"


@dataclass(frozen=True)
class Project:
    """One project of a portfolio.

    Attributes
    ----------
    name : str
        Unique within the portfolio (default: the config's file stem).
    config : Config
    path : Path
        The config file.
    seed : int or None
        Given in the portfolio file; None means derived (see the module docstring).
    """

    name: str
    config: Config
    path: Path
    seed: int | None = None


@dataclass(frozen=True)
class Portfolio:
    """A validated portfolio file. Build it with :func:`load_portfolio`."""

    name: str
    projects: tuple[Project, ...]
    shared: tuple[str, ...] = DEFAULT_SHARED
    restated: str = "coupled"
    k: tuple[int, ...] = ()
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    path: Path | None = None
    text: str = ""

    @property
    def horizon_months(self) -> int:
        return self.projects[0].config.simulation.horizon_months

    def project_seeds(self, seed: int | None = None) -> list[int]:
        """Each project's seed ``S_p`` for portfolio seed ``seed`` (default: the file's)."""
        seed = self.seed if seed is None else int(seed)
        out = []
        for i, p in enumerate(self.projects):
            if p.seed is not None:
                out.append(int(p.seed))
            elif i == 0:
                out.append(seed)
            else:
                out.append(rnd.stream_key(seed, f"portfolio project {p.name}") & (2**63 - 1))
        return out

    def is_shared(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.shared)


# --- reading -------------------------------------------------------------------------------


def _int(value, path: str, low: int, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(path, f"must be a whole number, not {type_name(value)}", source)
    if value < low:
        raise ConfigError(path, f"must be at least {low}, not {value}", source)
    return value


def _check_keys(table: dict, valid: Sequence[str], path: str, source: str) -> None:

    for key in table:
        if key not in valid:
            raise unknown_key_error(f"{path}.{key}", key, valid, source=source)


def load_portfolio(path) -> Portfolio:
    """Read and validate a portfolio file (and every project config it names).

    Raises
    ------
    ConfigError
        Missing or unreadable file, unknown key, no projects, a project config
        that is missing or invalid, duplicate names, differing horizons, ``k``
        outside 1 .. number of projects.
    """

    path = Path(path)
    source = str(path)
    try:
        text = decode_toml(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise ConfigError("", f"portfolio file '{path}' not found") from None
    except OSError as exc:
        raise ConfigError("", f"cannot read portfolio file '{path}': {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"'{path}' is not valid TOML: {exc}") from None
    _check_keys(data, ("portfolio", "project"), "", source)
    head = data.get("portfolio", {})
    if not isinstance(head, dict):
        raise ConfigError("portfolio", f"must be a table, not {type_name(head)}", source)
    _check_keys(head, PORTFOLIO_KEYS, "portfolio", source)
    rows = data.get("project", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ConfigError("project", "must be [[project]] tables, each with config = \"FILE.toml\"", source)
    if not rows:
        raise ConfigError("project", "the portfolio lists no projects: add [[project]] tables, each with config = \"FILE.toml\"", source)
    projects: list[Project] = []
    for i, row in enumerate(rows):
        where = f"project[{i}]"
        _check_keys(row, PROJECT_KEYS, where, source)
        if "config" not in row:
            raise ConfigError(f"{where}.config", "is missing: name the project's config file", source)
        if not isinstance(row["config"], str):
            raise ConfigError(f"{where}.config", f"must be a file name, not {type_name(row['config'])}", source)
        file = (path.parent / row["config"]).resolve() if not Path(row["config"]).is_absolute() else Path(row["config"])
        if not file.is_file():
            raise ConfigError(f"{where}.config", f"file '{row['config']}' not found (relative to {path.parent})", source)
        name = row.get("name", file.stem)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}.name", "must be a non-empty string", source)
        if any(p.name == name for p in projects):
            raise ConfigError(f"{where}.name", f"'{name}' names two projects; give each a unique name", source)
        seed = _int(row["seed"], f"{where}.seed", 0, source) if "seed" in row else None
        try:
            cfg = load_config(file)
        except ConfigError as exc:
            raise ConfigError(f"{where} ({file.name})", str(exc)) from None
        projects.append(Project(name, cfg, file, seed))
    horizon = projects[0].config.simulation.horizon_months
    for p in projects[1:]:
        h = p.config.simulation.horizon_months
        if h != horizon:
            raise ConfigError(
                "simulation.horizon_months",
                f"{projects[0].name} has {horizon} months and {p.name} has {h}: a portfolio needs one horizon",
                source,
            )
    shared = head.get("shared", list(DEFAULT_SHARED))
    if isinstance(shared, str):
        shared = [s.strip() for s in shared.split(",") if s.strip()]
    if not isinstance(shared, list) or not all(isinstance(s, str) for s in shared):
        raise ConfigError("portfolio.shared", 'must be a list of path patterns such as "economy.*", or one comma-separated string', source)
    restated = head.get("restated", "coupled")
    if restated not in RESTATED:
        raise ConfigError("portfolio.restated", f"must be one of {', '.join(RESTATED)}, not {restated!r}", source)
    n = len(projects)
    ks = head.get("k", list(range(1, n + 1)))
    if not isinstance(ks, list) or not ks:
        raise ConfigError("portfolio.k", f"must be a list of whole numbers between 1 and {n}, not {type_name(ks)}", source)
    ks = [_int(k, "portfolio.k", 1, source) for k in ks]
    if max(ks) > n:
        raise ConfigError("portfolio.k", f"{max(ks)} is more than the {n} projects of the portfolio", source)
    name = head.get("name", path.stem)
    if not isinstance(name, str):
        raise ConfigError("portfolio.name", f"must be a string, not {type_name(name)}", source)
    draws = _int(head.get("draws", DEFAULT_DRAWS), "portfolio.draws", 1, source)
    seed = _int(head.get("seed", DEFAULT_SEED), "portfolio.seed", 0, source)
    return Portfolio(name, tuple(projects), tuple(shared), restated, tuple(sorted(set(ks))), draws, seed, path, text)


# --- inputs --------------------------------------------------------------------------------


def _specs(space) -> dict[str, object]:
    """Each column's distribution as written (a Dirichlet column: its whole table), for comparison."""
    out = {q.path: ("scalar", q.dist) for q in space.scalars}
    for g in space.groups:
        for n in g.names:
            out[n] = ("dirichlet", g.keys, g.alpha)
    return out


def _group_path(space) -> dict[str, str]:
    return dict(zip(space.names, space.group_of))


def input_status(portfolio: Portfolio, spaces: Sequence) -> list[dict[str, str]]:
    """Per project, each uncertain input's status: ``shared``, ``coupled``, ``specific`` or ``independent``.

    ``independent``: matches ``shared`` but the projects define it differently
    and ``restated = "independent"``, so it is drawn per project.

    A Dirichlet table is shared when its table path matches ``shared`` (all its
    items share one status).
    """
    specs = [_specs(s) for s in spaces]
    groups = [_group_path(s) for s in spaces]
    out = []
    for i, (p, space) in enumerate(zip(portfolio.projects, spaces)):
        correlated = set(p.config.correlations.names) if p.config.correlations is not None else set()
        status = {}
        for name in space.names:
            if not (portfolio.is_shared(name) or portfolio.is_shared(groups[i][name])):
                status[name] = SPECIFIC
                continue
            others = [s[name] for s in specs if name in s]
            alike = all(o == specs[i][name] for o in others)
            if portfolio.restated == "independent" and not all(o == others[0] for o in others):
                status[name] = INDEPENDENT
            elif alike and name not in correlated:
                status[name] = SHARED
            else:
                status[name] = COUPLED
        out.append(status)
    return out


def project_uniforms(space, status: dict[str, str], seed: int, project_seed: int, project: str, draws: np.ndarray) -> np.ndarray:
    """Uniform numbers of one project, shape ``(draw, parameter)``.

    Shared and coupled inputs: stream ``(seed, path)``; specific inputs:
    ``(project_seed, path)``; ``independent`` ones ``(project_seed,
    "path@project")``, so that they never meet the shared stream of the same
    path (the first project's seed is the portfolio seed).
    """
    draws = np.asarray(draws)
    u = np.empty((draws.size, space.size))
    for j, name in enumerate(space.names):
        st = status[name]
        if st in (SHARED, COUPLED):
            u[:, j] = rnd.uniforms(seed, name, draws)
        elif st == INDEPENDENT:
            u[:, j] = rnd.uniforms(project_seed, f"{name}@{project}", draws)
        else:
            u[:, j] = rnd.uniforms(project_seed, name, draws)
    return u


# --- monthly net benefit -------------------------------------------------------------------


def monthly_net_benefit(config: Config, space, values: np.ndarray, draws: np.ndarray, seed: int, engine: str) -> np.ndarray:
    """Cumulative (discounted) net benefit after every month, shape ``(draw, actor + society, month)``.

    The kernel's own monthly series (:func:`simsam.engine.evaluate.evaluate` with
    ``monthly=True``): the same cohorts, discounting, drop-off and cost
    schedule as the project's results.
    """

    return evaluate(config, space, values, draws, seed, engine=engine, monthly=True).monthly_net_benefit


def payback_month(cumulative: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """First month (1-based) with cumulative net benefit ≥ 0, NaN when none; the kernel's tolerance.

    ``cumulative`` has shape ``(..., month)``, ``cost`` the leading shape.
    """

    tol = PAYBACK_RTOL * np.abs(cost) + PAYBACK_ATOL
    paid = cumulative >= -tol[..., None]
    first = np.argmax(paid, axis=-1).astype(np.float64) + 1
    return np.where(paid.any(axis=-1), first, np.nan)


# --- running -------------------------------------------------------------------------------


def _actor_union(projects: Sequence[Project]) -> list[str]:
    return list(dict.fromkeys(a for p in projects for a in p.config.actors))


def run_portfolio(
    portfolio: Portfolio,
    draws: int | None = None,
    seed: int | None = None,
    *,
    chunk_draws: int | None = None,
    price_level: int | None = None,
):
    """Simulate every project of a portfolio on shared inputs; per-project and budget results.

    Every project's kronor are restated by KPI to one price level before anything is added
    (:mod:`simsam.analysis.prices`): ``price_level``, or the latest of the projects' levels.

    Parameters
    ----------
    portfolio : Portfolio
        From :func:`load_portfolio`.
    draws, seed : int, optional
        Default: the portfolio file's (10 000 and 1 if it names none).
    chunk_draws : int, optional
        Draws per chunk (default as for a run), to bound memory (results do not depend on it).
    price_level : int, optional
        The year whose kronor the results are in (``--price-level``).

    Returns
    -------
    xarray.Dataset
        See the module docstring.
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    draws = portfolio.draws if draws is None else int(draws)
    seed = portfolio.seed if seed is None else int(seed)
    if draws < 1:
        raise ValueError("draws must be at least 1")
    projects = portfolio.projects
    names = [p.name for p in projects]
    prices = common_price_level({p.name: p.config.prices.level for p in projects}, price_level, what="project")
    seeds = portfolio.project_seeds(seed)
    spaces = [ParameterSpace.from_config(p.config) for p in projects]
    status = input_status(portfolio, spaces)
    actors = _actor_union(projects) + [SOCIETY]
    columns = [[actors.index(a) for a in p.config.actors] + [len(actors) - 1] for p in projects]
    parameters = list(dict.fromkeys(n for s in spaces for n in s.names))
    horizon = portfolio.horizon_months
    years = horizon // 12
    n_p, n_a = len(projects), len(actors)

    payback = np.ones((n_p, draws, n_a))  # an actor a project lacks: no cost, no flows
    revenue = np.zeros((n_p, draws, n_a, years))
    cost = np.zeros((n_p, draws, n_a))
    net_benefit = np.zeros((n_p, draws, n_a, years))
    inputs = np.full((n_p, draws, len(parameters)), np.nan)
    budget_payback = np.empty((draws, n_a))
    chunk_draws = max(1, int(chunk_draws or DEFAULT_CHUNK_DRAWS))
    for start in range(0, draws, chunk_draws):
        idx = np.arange(start, min(start + chunk_draws, draws), dtype=np.int64)
        rows = slice(start, start + idx.size)
        cumulative = np.zeros((idx.size, n_a, horizon))
        for i, (p, space) in enumerate(zip(projects, spaces)):
            values = space.transform(project_uniforms(space, status[i], seed, seeds[i], p.name, idx))
            out = evaluate(p.config, space, values, idx, seeds[i], monthly=True)
            k = prices.factors[p.name]  # to the common price level (1.0: already there)
            cols = columns[i]
            payback[i, rows][:, cols] = out.payback
            revenue[i, rows][:, cols] = out.revenue * k
            cost[i, rows][:, cols] = out.cost * k
            net_benefit[i, rows][:, cols] = out.net_benefit * k
            inputs[i, rows][:, [parameters.index(n) for n in space.names]] = values
            cumulative[:, cols] += out.monthly_net_benefit * k
        budget_payback[rows] = payback_month(cumulative, cost[:, rows].sum(axis=0))
    total_cost = cost.sum(axis=0)
    total_nb = net_benefit.sum(axis=0)

    months = [m for m in MONTHS if m < horizon] + [horizon]
    society = payback[:, :, -1]
    paid = np.stack([(society <= m).sum(axis=0) for m in months], axis=1)  # (draw, month)
    ks = list(portfolio.k)
    p_at_least = np.array([[(paid[:, j] >= k).mean() for j in range(len(months))] for k in ks])
    # (actor, project, project_b): Spearman correlation of the net benefit at the horizon.
    corr = np.stack([_spearman(net_benefit[:, :, a, -1]) for a in range(n_a)])

    draw_index = np.arange(draws, dtype=np.int64)
    status_table = np.array([[status[i].get(n, "") for n in parameters] for i in range(n_p)], dtype=object)
    labels = {a: label for p in projects for a, label in p.config.actors.items()}
    ds = xr.Dataset(
        {
            "payback_months": (
                ("project", "draw", "actor"),
                np.where(np.isfinite(payback), payback, np.nan),
                {"units": "months", "long_name": "payback month (NaN: not within the horizon)"},
            ),
            "annual_revenue": (("project", "draw", "actor"), revenue[..., 0], {"units": "kr", "long_name": "first-year revenue"}),
            "revenue": (
                ("project", "draw", "actor", "year"),
                revenue,
                {"units": "kr", "long_name": "revenue within each year (undiscounted)"},
            ),
            "cost": (("project", "draw", "actor"), cost, {"units": "kr", "long_name": "uplifted project cost"}),
            "net_benefit": (
                ("project", "draw", "actor", "year"),
                net_benefit,
                {"units": "kr", "long_name": "cumulative net benefit at the year's end"},
            ),
            "inputs": (
                ("project", "draw", "parameter"),
                inputs,
                {"long_name": "sampled input (NaN: not an uncertain input of the project)"},
            ),
            "input_status": (
                ("project", "parameter"),
                status_table.astype(str),
                {"long_name": "shared / coupled / specific / independent ('' = absent)"},
            ),
            "portfolio_cost": (("draw", "actor"), total_cost, {"units": "kr", "long_name": "sum of the projects' costs"}),
            "portfolio_net_benefit": (
                ("draw", "actor", "year"),
                total_nb,
                {"units": "kr", "long_name": "sum of the projects' cumulative net benefits"},
            ),
            "portfolio_payback_months": (
                ("draw", "actor"),
                budget_payback,
                {"units": "months", "long_name": "first month the summed net benefit is ≥ 0 (NaN: not within the horizon)"},
            ),
            "projects_paid_back": (
                ("draw", "month"),
                paid.astype(np.int64),
                {"long_name": "projects whose society payback is within the month"},
            ),
            "p_at_least": (("k", "month"), p_at_least, {"long_name": "P(at least k projects pay back for society within the month)"}),
            "correlation_net_benefit": (
                ("actor", "project", "project_b"),
                corr,
                {"long_name": f"Spearman correlation of the net benefit after {years} years between projects"},
            ),
        },
        coords={
            "project": np.array(names, dtype=str),
            "project_b": np.array(names, dtype=str),
            "draw": draw_index,
            "actor": np.array(actors, dtype=str),
            "actor_label": ("actor", [labels.get(a, SOCIETY_LABEL) for a in actors]),
            "year": np.arange(1, years + 1),
            "month": np.array(months),
            "k": np.array(ks),
            "parameter": np.array(parameters, dtype=str),
            "project_seed": ("project", np.array(seeds, dtype=np.int64)),
            "project_label": ("project", [p.config.name for p in projects]),
            "project_config": ("project", [str(p.path) for p in projects]),
            "participants": ("project", [int(p.config.project.participants) for p in projects]),
            "project_timing": ("project", [p.config.simulation.timing for p in projects]),
            "project_price_level": ("project", [-1 if prices.levels[n] is None else int(prices.levels[n]) for n in names]),
            "project_tax_rules": ("project", [p.config.economy.tax_rules for p in projects]),
        },
        attrs={
            "title": f"simsam portfolio: {portfolio.name}",
            "name": portfolio.name,
            "portfolio_file": str(portfolio.path or ""),
            "portfolio_text": portfolio.text,
            "seed": int(seed),
            "draws": int(draws),
            "horizon_months": int(horizon),
            "shared_patterns": ", ".join(portfolio.shared),
            "restated": portfolio.restated,
            "portfolio_payback_resolution": "month",
            "timing": "all projects start together: every cost at month 0, every cohort's month 1 the first month after exit",
            "simsam_version": __version__,
            **price_attrs(prices, "project"),
        },
    )
    return ds


def _spearman(x: np.ndarray) -> np.ndarray:
    """Spearman correlation between the rows of ``x`` (shape ``(project, draw)``); NaN for a constant row."""
    import scipy.stats  # scipy.stats/special, 0.3-1 s: only here

    n = x.shape[0]
    ranks = np.array([scipy.stats.rankdata(row) for row in x])
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(ranks) if x.shape[1] > 1 else np.full((n, n), np.nan)
    return np.atleast_2d(corr)


# --- summaries and files -------------------------------------------------------------------

PORTFOLIO = "portfolio"


def portfolio_summary(ds):
    """Per project (and ``portfolio``), actor and metric: mean, quantiles, probabilities, MC errors.

    Metrics as in :func:`simsam.summarize` (``payback_months``,
    ``p_payback_{m}``, ``p_payback_not_reached``, ``annual_revenue``, ``cost``,
    ``net_benefit_{y}y``, ``p_net_benefit_positive_{y}y``), and for the
    portfolio's society ``p_at_least_{k}_within_{m}``: the probability that at
    least ``k`` projects pay back for society within ``m`` months.

    Returns
    -------
    pandas.DataFrame
        Index ``(entity, actor, metric)``; the columns of :func:`simsam.summarize`.
    """
    import pandas as pd  # pandas, ~0.3 s: only for this table

    horizon = int(ds.attrs["horizon_months"])
    months = ds["month"].values.tolist()
    years = ds["year"].values.tolist()
    rows = {}

    def block(entity, payback, revenue, cost, nb):
        for j, actor in enumerate(ds["actor"].values.tolist()):
            pb = payback[:, j]
            rows[(entity, actor, "payback_months")] = payback_stats(pb, horizon)
            for m in months:
                rows[(entity, actor, f"p_payback_{m}")] = probability_stats(pb <= m)
            rows[(entity, actor, "p_payback_not_reached")] = probability_stats(~np.isfinite(pb))
            rows[(entity, actor, "annual_revenue")] = continuous_stats(revenue[:, j])
            rows[(entity, actor, "cost")] = continuous_stats(cost[:, j])
            for i, y in enumerate(years):
                rows[(entity, actor, f"net_benefit_{y}y")] = continuous_stats(nb[:, j, i])
            for i, y in enumerate(years):
                rows[(entity, actor, f"p_net_benefit_positive_{y}y")] = probability_stats(nb[:, j, i] > 0)

    for name in ds["project"].values.tolist():
        p = ds.sel(project=name)
        block(name, p["payback_months"].values, p["annual_revenue"].values, p["cost"].values, p["net_benefit"].values)
    block(
        PORTFOLIO,
        ds["portfolio_payback_months"].values,
        ds["annual_revenue"].values.sum(axis=0),
        ds["portfolio_cost"].values,
        ds["portfolio_net_benefit"].values,
    )
    paid = ds["projects_paid_back"].values
    for k in ds["k"].values.tolist():
        for j, m in enumerate(months):
            rows[(PORTFOLIO, SOCIETY, f"p_at_least_{k}_within_{m}")] = probability_stats(paid[:, j] >= k)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    table.index = pd.MultiIndex.from_tuples(table.index, names=["entity", "actor", "metric"])
    return table


def write_portfolio(ds, table, folder) -> Path:
    """Write ``portfolio.nc`` and ``portfolio.csv`` into ``folder`` atomically."""

    folder = Path(folder)
    with atomic_folder(folder) as tmp:
        encoding = {v: {"zlib": True, "complevel": 4} for v in ds.data_vars if ds[v].dtype.kind == "f"}
        write_netcdf(ds, tmp / "portfolio.nc", encoding=encoding)
        table.to_csv(tmp / "portfolio.csv", float_format="%.6g")
    return folder

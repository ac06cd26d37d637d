"""Variance-based (Sobol) sensitivity: first- and total-order indices on a Saltelli design.

The design is SALib's Sobol'-sequence Saltelli design without second-order
rows (``SALib.sample.sobol``, ``N·(G + 2)`` runs for ``G`` groups) and the
estimators are SALib's (``SALib.analyze.sobol``: Saltelli 2010 for S1, Jansen
for ST, bootstrap confidence intervals). Nothing here estimates an index by
hand: :func:`sobol_analysis` runs any model on the design and hands its output
to SALib, and the config's analysis (:func:`run_sobol`) and the analytic test
models (:mod:`simsam.testing`) go through that same function.

Design points live in the independent unit hypercube; the config's model maps
them through each input's inverse CDF (:meth:`ParameterSpace.transform`).
Groups (grouped Sobol indices, one row each):

* a Dirichlet table's items are one group (``outcomes.shares``), since they
  are not independent of each other;
* inputs linked by ``[correlations]`` are one group (``"a ~ b"``), since
  Sobol indices of dependent inputs are not defined by this design.

Cohort
------
``expected`` (default): the Markov cohort trace; indices apportion the
variance that parameter uncertainty alone causes.

``sampled``: each run also draws its cohort. That randomness is then one more
input of the design, named ``cohort`` (a group of its own), whose design value
keys the run's cohort random stream. The Saltelli design then does the right
thing: rows of matrix A and every A_B^(i) built from the same base row share
their cohort (unless the cohort is the group moved), matrix B has its own.
So S1 and ST of every input are unbiased estimates of its share of the
*total* variance of the Monte Carlo output (parameters and cohort), and the
``cohort`` row gives the cohort's own share (its ST is the expected
within-cohort variance E[Var(Y | inputs)] / Var(Y)). Keying the cohort
independently per run instead would add the cohort variance to every ST.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...config.model import Config
from .model import ConfigModel, design_columns, group_names, unit_problem
from .output import _LONG_NAMES, sensitivity_dataset
from .over_time import actor_coords, actor_targets, actor_variables, time_targets, time_variables
from .targets import Target

__all__ = ["SobolIndices", "design_values", "sobol_design", "sobol_indices", "sobol_of_columns", "sobol_analysis", "run_sobol"]

#: Bootstrap resamples for the confidence intervals (SALib's default).
RESAMPLES = 100
#: Integer keys of design-value cohorts: ``floor(u · 2**53)``.
_COHORT_KEYS = 2.0**53


@dataclass(frozen=True)
class SobolIndices:
    """First- and total-order Sobol indices of each group.

    Attributes
    ----------
    names : tuple of str
        Group names, in the order of their first column.
    members : tuple of tuple of str
        The columns (inputs) of each group.
    S1, S1_conf, ST, ST_conf : ndarray, shape ``(group,)``
        Indices and the half-widths of their confidence intervals.
    n : int
        Base sample size N.
    evaluations : int
        Model runs, ``N·(G + 2)``.
    conf_level : float
    """

    names: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    n: int
    evaluations: int
    conf_level: float

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"S1": self.S1, "S1_conf": self.S1_conf, "ST": self.ST, "ST_conf": self.ST_conf}


def sobol_design(problem: dict, n: int, *, seed: int) -> np.ndarray:
    """Saltelli design points, shape ``(n·(G + 2), num_vars)``, in the unit hypercube.

    ``n`` must be a power of 2 (the Sobol' sequence's balance needs it).
    """
    from SALib.sample import sobol as sample  # SALib, ~0.5 s: only for this method

    n = int(n)
    if n < 2 or n & (n - 1):
        raise ValueError(f"n must be a power of 2 (the Sobol' sequence's balance needs it), not {n}")
    rng = np.random.default_rng([int(seed), 0x5A17])
    return sample.sample(dict(problem), n, calc_second_order=False, scramble=True, seed=rng)


def sobol_indices(problem: dict, y: np.ndarray, *, seed: int, conf_level: float = 0.95, resamples: int = RESAMPLES) -> SobolIndices:
    """SALib's first- and total-order estimators on the model output of :func:`sobol_design`.

    Parameters
    ----------
    problem : dict
    y : ndarray, shape ``(n·(G + 2),)``
        The model at the design points, in the design's order; finite.
    seed : int
        Seeds the bootstrap.

    Returns
    -------
    SobolIndices
        All NaN when ``y`` does not vary (no index is defined).
    """
    from SALib.analyze import sobol as analyze  # SALib, ~0.5 s: only for this method

    y = np.asarray(y, dtype=np.float64)
    names, members = group_names(problem)
    g = len(names)
    if y.size % (g + 2):
        raise ValueError(f"y has {y.size} values, not a multiple of {g + 2} (groups + 2)")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite")
    n = y.size // (g + 2)
    if np.ptp(y) == 0:
        nan = np.full(g, np.nan)
        return SobolIndices(tuple(names), tuple(members), nan, nan, nan, nan, n, y.size, conf_level)
    rng = np.random.default_rng([int(seed), 0xB007])
    res = analyze.analyze(dict(problem), y, calc_second_order=False, num_resamples=resamples, conf_level=conf_level, seed=rng)
    return SobolIndices(
        tuple(names),
        tuple(members),
        np.asarray(res["S1"], dtype=np.float64),
        np.asarray(res["S1_conf"], dtype=np.float64),
        np.asarray(res["ST"], dtype=np.float64),
        np.asarray(res["ST_conf"], dtype=np.float64),
        n,
        y.size,
        conf_level,
    )


def sobol_of_columns(
    problem: dict, y: np.ndarray, *, seed: int, conf_level: float = 0.95, resamples: int = RESAMPLES
) -> dict[str, np.ndarray]:
    """:func:`sobol_indices` of every column of ``y`` (several targets of one design).

    Parameters
    ----------
    y : ndarray, shape ``(n·(G + 2), target)``

    Returns
    -------
    dict
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, each shape ``(target, group)``
        (NaN rows for a target that does not vary).
    """
    rows = [sobol_indices(problem, y[:, k], seed=seed, conf_level=conf_level, resamples=resamples).as_dict() for k in range(y.shape[1])]
    return {name: np.array([r[name] for r in rows]).reshape(y.shape[1], -1) for name in ("S1", "S1_conf", "ST", "ST_conf")}


def sobol_analysis(
    model: Callable[[np.ndarray], np.ndarray],
    problem: dict,
    *,
    n: int,
    seed: int,
    conf_level: float = 0.95,
    resamples: int = RESAMPLES,
) -> SobolIndices:
    """Sobol indices of ``model`` on the unit hypercube: design, runs, SALib's estimators.

    Parameters
    ----------
    model : callable
        Maps design points, shape ``(run, num_vars)`` in [0, 1], to outputs,
        shape ``(run,)``. Rows of one call are the whole design, in order.
    problem : dict
        From :func:`simsam.analysis.sensitivity.model.unit_problem`.
    n : int
        Base sample size N, a power of 2.
    seed : int
    """
    x = sobol_design(problem, n, seed=seed)
    return sobol_indices(problem, model(x), seed=seed, conf_level=conf_level, resamples=resamples)


def design_values(model: ConfigModel, x: np.ndarray, groups) -> np.ndarray:
    """Input values of a Saltelli design, shape ``(run, parameter)``; equal to ``model.values(x[:, :parameter])``.

    Only the rows of matrices A and B go through the inverse CDFs (``2N`` of
    ``N·(G + 2)`` rows): row ``A_B^(g)`` is row A with group ``g``'s columns
    from row B, and the transform acts on each group alone (inverse CDFs per
    column, Dirichlet normalisation within a table, the copula within a
    correlated group), so its values are assembled from those of A and B.
    Falls back to transforming every row if ``x`` is not laid out that way.

    Parameters
    ----------
    model : ConfigModel
    x : ndarray, shape ``(N·(G + 2), column)``
        Rows in SALib's order: per base row, A, then ``A_B^(g)`` for each
        group, then B. Columns beyond the model's inputs (``cohort``) are
        design columns with no value to compute.
    groups : sequence of str
        The design group of each column of ``x``.
    """
    p = model.space.size
    labels = list(dict.fromkeys(groups))
    step = len(labels) + 2
    if x.shape[0] % step:
        return model.values(x[:, :p])
    a, b = x[0::step], x[step - 1 :: step]
    columns = [np.array([j for j, g in enumerate(groups) if g == label]) for label in labels]
    layout = np.repeat(a, step, axis=0)
    layout[step - 1 :: step] = b
    for k, cols in enumerate(columns):
        layout[k + 1 :: step, cols] = b[:, cols]
    if not np.array_equal(layout, x):
        return model.values(x[:, :p])
    va, vb = model.values(a[:, :p]), model.values(b[:, :p])
    values = np.repeat(va, step, axis=0)
    values[step - 1 :: step] = vb
    for k, cols in enumerate(columns):
        cols = cols[cols < p]
        values[k + 1 :: step, cols] = vb[:, cols]
    return values


def run_sobol(
    config: Config,
    *,
    target: Target,
    n: int = 1024,
    seed: int | None = None,
    cohort: str = "expected",
    threads: int | None = None,
    conf_level: float = 0.95,
    resamples: int = RESAMPLES,
    client=None,
    by: str = "input",
    over_time: bool = False,
):
    """Sobol indices of a config's target.

    Parameters
    ----------
    config : Config
    target : Target
    n : int
        Base sample size N (a power of 2); ``N·(G + 2)`` runs.
    seed : int, optional
        Default: ``[simulation] seed``. Seeds the design, the cohorts and the bootstrap.
    cohort : {"expected", "sampled"}
        See the module docstring.
    threads : int, optional
    client : dask.distributed.Client, optional
        Evaluate the ``N·(G + 2)`` runs on that cluster, in chunks of 20 000
        (identical results; the design and the estimators stay here).
    by : {"input", "evidence"}
        ``"evidence"``: one group per evidence grade (``high``, ``medium``,
        ``low``, ``ungraded``; :func:`~.model.evidence_groups`), so that the
        rows are each grade's share of the target's variance, and the same for
        every actor (``actor_S1`` ... of dims ``(actor, parameter)``).
    over_time : bool
        Also every actor's net benefit at each year's end and P(payback ≤ 12·year)
        from the same runs (:mod:`.over_time`): ``net_benefit_S1`` ... and
        ``p_payback_S1`` ... of dims ``(actor, year, parameter)``.

    Returns
    -------
    xarray.Dataset
        One row per group, sorted by ST: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
    """
    model = ConfigModel.create(config, target, cohort=cohort, seed=seed, client=client, threads=threads)
    space = model.space
    names, groups = design_columns(space, cohort, by)
    problem = unit_problem(names, groups)
    per_actor = actor_targets(target, config) if by == "evidence" else []
    over = time_targets(config) if over_time else []
    targets = (target, *per_actor, *over)
    runs = []

    def f(x: np.ndarray) -> np.ndarray:
        draws = (x[:, -1] * _COHORT_KEYS).astype(np.int64) if cohort == "sampled" else np.arange(x.shape[0])
        y = model.run_targets(design_values(model, x, groups), draws, targets)
        runs.append(y)
        return y[:, 0]

    res = sobol_analysis(f, problem, n=n, seed=model.seed, conf_level=conf_level, resamples=resamples)
    y = runs[0][:, 0]
    extra, extra_coords = {}, {}
    if per_actor or over:
        extra_coords = actor_coords(config, over_time=bool(over))
    if per_actor:
        cols = sobol_of_columns(problem, runs[0][:, 1 : 1 + len(per_actor)], seed=model.seed, conf_level=conf_level, resamples=resamples)
        extra.update(actor_variables(per_actor, cols, _LONG_NAMES))
    if over:
        cols = sobol_of_columns(problem, runs[0][:, 1 + len(per_actor) :], seed=model.seed, conf_level=conf_level, resamples=resamples)
        extra.update(time_variables(config, cols, res.names, _LONG_NAMES, measure="sobol"))
    attrs = {
        "sample_size": res.n,
        "evaluations": res.evaluations,
        "seed": model.seed,
        "cohort": cohort,
        "engine": model.engine,
        "conf_level": conf_level,
        "resamples": resamples,
        "design": "SALib.sample.sobol (Saltelli, scrambled Sobol' sequence, no second order)",
        "estimator": "SALib.analyze.sobol (Saltelli 2010 S1, Jansen ST, bootstrap intervals)",
        "payback_not_reached": target.not_reached(y),
        "target_variance": float(np.var(y)),
        "by": by if by != "input" else None,
        "over_time": "net_benefit, p_payback (1..horizon years, every actor)" if over_time else None,
    }
    if np.ptp(y) == 0:
        attrs["note"] = "the target is the same in every run: no input can explain it (indices undefined)"
    return sensitivity_dataset(
        "sobol",
        res.names,
        res.as_dict(),
        config=config,
        target=target,
        attrs=attrs,
        members=[", ".join(m) for m in res.members],
        extra=extra,
        extra_coords=extra_coords,
    )

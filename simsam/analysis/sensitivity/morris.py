"""Morris elementary effects: screening many inputs with few runs.

SALib's trajectory design (``SALib.sample.morris``) and estimators
(``SALib.analyze.morris``: ``mu_star``, its bootstrap interval, ``sigma``, ``mu``),
``r·(G + 1)`` runs for ``r`` trajectories and ``G`` groups. Groups are those of
the Sobol analysis: a Dirichlet table's items move together, and so do inputs
linked by ``[correlations]``; SALib reports ``sigma`` as NaN for a group of
more than one input.

Levels and units
----------------
SALib's design moves on the grid ``{0, 1/(p−1), …, 1}`` of ``p`` levels. The
config's model maps grid value ``x`` to the probability level
``(x·(p − 1) + 0.5)/p`` — the midpoints of ``p`` equally likely slices, e.g.
12.5 %, 37.5 %, 62.5 %, 87.5 % for ``p = 4`` — and then through each input's
inverse CDF, so that unbounded distributions never reach an infinite end.
Elementary effects are differences of the target divided by the grid step, so
``mu_star`` is in the target's units per unit of the grid: roughly the change
in the target when the input moves across its central ``(p − 1)/p`` probability
range (75 % for ``p = 4``).

Cohort: as for Sobol (:mod:`simsam.analysis.sensitivity.sobol`). With the sampled
cohort, the cohort is one more input whose level, within a trajectory, keys the
runs' cohort stream, so steps that move another input compare equal cohorts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...config.model import Config
from .model import ConfigModel, design_columns, group_names, unit_problem
from .output import sensitivity_dataset
from .targets import Target

__all__ = ["MorrisEffects", "morris_design", "morris_effects", "morris_analysis", "level_probabilities", "run_morris"]

RESAMPLES = 1000


@dataclass(frozen=True)
class MorrisEffects:
    """Elementary-effect statistics of each group.

    Attributes
    ----------
    names : tuple of str
    members : tuple of tuple of str
    mu_star, mu_star_conf, sigma, mu : ndarray, shape ``(group,)``
        Mean absolute effect, the half-width of its bootstrap interval, the
        effects' standard deviation (NaN for a group) and their signed mean.
    trajectories : int
    levels : int
    evaluations : int
    """

    names: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]
    mu_star: np.ndarray
    mu_star_conf: np.ndarray
    sigma: np.ndarray
    mu: np.ndarray
    trajectories: int
    levels: int
    evaluations: int

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"mu_star": self.mu_star, "mu_star_conf": self.mu_star_conf, "sigma": self.sigma, "mu": self.mu}


def level_probabilities(x: np.ndarray, levels: int) -> np.ndarray:
    """Grid values in [0, 1] → the midpoints of ``levels`` equally likely slices."""
    return (np.asarray(x, dtype=np.float64) * (levels - 1) + 0.5) / levels


def morris_design(problem: dict, trajectories: int, *, levels: int = 4, seed: int) -> np.ndarray:
    """Morris trajectories, shape ``(trajectories·(G + 1), num_vars)``, on the grid of ``levels`` levels in [0, 1]."""
    from SALib.sample import morris as sample  # SALib, ~0.5 s: only for this method

    if levels < 2 or levels % 2:
        raise ValueError(f"levels must be an even number of at least 2, not {levels}")
    rng = np.random.default_rng([int(seed), 0x303215])
    return sample.sample(dict(problem), int(trajectories), num_levels=levels, seed=rng)


def morris_effects(
    problem: dict, x: np.ndarray, y: np.ndarray, *, levels: int = 4, seed: int, conf_level: float = 0.95, resamples: int = RESAMPLES
) -> MorrisEffects:
    """SALib's Morris estimators on the output ``y`` of the design ``x`` (:func:`morris_design`)."""
    from SALib.analyze import morris as analyze  # SALib, ~0.5 s: only for this method

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite")
    names, members = group_names(problem)
    rng = np.random.default_rng([int(seed), 0xEE])
    res = analyze.analyze(dict(problem), x, y, num_resamples=resamples, conf_level=conf_level, num_levels=levels, seed=rng)
    trajectories = y.size // (len(names) + 1)
    return MorrisEffects(
        tuple(names),
        tuple(members),
        np.asarray(res["mu_star"], dtype=np.float64),
        np.asarray(res["mu_star_conf"], dtype=np.float64),
        np.asarray(res["sigma"], dtype=np.float64),
        np.asarray(res["mu"], dtype=np.float64),
        trajectories,
        levels,
        y.size,
    )


def morris_analysis(
    model: Callable[[np.ndarray], np.ndarray],
    problem: dict,
    *,
    trajectories: int,
    levels: int = 4,
    seed: int,
    conf_level: float = 0.95,
    resamples: int = RESAMPLES,
) -> MorrisEffects:
    """Morris screening of ``model``, which maps grid points ``(run, num_vars)`` in [0, 1] to outputs ``(run,)``."""
    x = morris_design(problem, trajectories, levels=levels, seed=seed)
    return morris_effects(problem, x, model(x), levels=levels, seed=seed, conf_level=conf_level, resamples=resamples)


def run_morris(
    config: Config,
    *,
    target: Target,
    trajectories: int = 100,
    levels: int = 4,
    seed: int | None = None,
    cohort: str = "expected",
    threads: int | None = None,
    conf_level: float = 0.95,
    client=None,
):
    """Morris screening of a config's target.

    Parameters
    ----------
    config : Config
    target : Target
    trajectories : int
        ``r``; ``r·(G + 1)`` runs.
    levels : int
        Even number of grid levels ``p``.
    seed : int, optional
    cohort : {"expected", "sampled"}
    threads : int, optional
    client : dask.distributed.Client, optional
        Evaluate the runs on that cluster (identical results).

    Returns
    -------
    xarray.Dataset
        One row per group, sorted by ``mu_star``: ``mu_star``,
        ``mu_star_conf``, ``sigma`` and ``mu`` (target units per unit of the grid).
    """
    model = ConfigModel.create(config, target, cohort=cohort, seed=seed, client=client, threads=threads)
    space = model.space
    names, groups = design_columns(space, cohort)
    problem = unit_problem(names, groups)
    steps = len(dict.fromkeys(groups)) + 1
    runs = []

    def f(x: np.ndarray) -> np.ndarray:
        u = level_probabilities(x[:, : space.size], levels)
        if cohort == "sampled":
            trajectory = np.arange(x.shape[0]) // steps
            draws = trajectory * levels + np.rint(x[:, -1] * (levels - 1)).astype(np.int64)
        else:
            draws = np.arange(x.shape[0])
        y = model.run_unit(u, draws)
        runs.append(y)
        return y

    res = morris_analysis(f, problem, trajectories=trajectories, levels=levels, seed=model.seed, conf_level=conf_level)
    y = runs[0]
    attrs = {
        "sample_size": res.trajectories,
        "evaluations": res.evaluations,
        "seed": model.seed,
        "cohort": cohort,
        "engine": model.engine,
        "levels": levels,
        "conf_level": conf_level,
        "design": "SALib.sample.morris; grid level x -> probability (x (p - 1) + 0.5) / p",
        "estimator": "SALib.analyze.morris (bootstrap interval for mu_star)",
        "payback_not_reached": target.not_reached(y),
    }
    if np.ptp(y) == 0:
        attrs["note"] = "the target is the same in every run: every effect is 0"
    return sensitivity_dataset(
        "morris",
        res.names,
        res.as_dict(),
        config=config,
        target=target,
        attrs=attrs,
        members=[", ".join(m) for m in res.members],
    )

"""The model as the analyses see it: input values, or points of the unit hypercube, → one target per run.

Every method evaluates the engine through :class:`ConfigModel`, on either cohort:

``expected``
    The Markov cohort trace: each run is a deterministic function of its
    inputs, so indices and bars describe the parameter uncertainty alone.
    The default for Sobol, Morris and the tornado.
``sampled``
    The sampled cohort (person or aggregate path, as ``simsam run`` would
    choose): each run also carries the randomness of which participants reach
    which state. Sobol and Morris then treat that randomness as one more
    input, named :data:`COHORT`, whose value keys the run's cohort random
    stream (see :mod:`simsam.analysis.sensitivity.sobol`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...config.correlations import PAIR_SEPARATOR
from ...config.model import Config
from ...engine.copula import U_MAX, U_MIN
from ...engine.evaluate import DEFAULT_CHUNK_DRAWS, engine_of, evaluate
from ...engine.run import config_of_raw, in_flight
from ...engine.sampling import ParameterSpace
from ...errors import ConfigError
from .targets import Target

__all__ = [
    "ConfigModel",
    "COHORTS",
    "COHORT",
    "BY",
    "design_groups",
    "evidence_groups",
    "cohort_engine",
    "check_space",
    "unit_problem",
    "group_names",
]

COHORTS = ("expected", "sampled")
#: Name of the cohort's own randomness when a design treats it as an input.
COHORT = "cohort"
#: What a grouped design's rows are: each input (a Dirichlet table, a correlated set) or each evidence grade.
BY = ("input", "evidence")


def cohort_engine(config: Config, cohort: str) -> str:
    """The engine path for ``cohort``: ``"expected"``, or the config's sampled path (person or aggregate)."""
    if cohort == "expected":
        return "expected"
    if cohort != "sampled":
        raise ValueError(f"cohort must be one of {COHORTS}, not {cohort!r}")
    sampled = dataclasses.replace(config, simulation=dataclasses.replace(config.simulation, cohort="sampled"))
    return engine_of(sampled)


def design_groups(space: ParameterSpace) -> list[str]:
    """The group of each column for a grouped design (Sobol, Morris).

    A Dirichlet table's items form one group named by the table's path
    (``outcomes.shares``); inputs linked by ``[correlations]`` form one group
    named ``"a ~ b"`` (variance-based indices need independent groups); any
    other input is a group of its own, named by its path.
    """
    groups = list(space.group_of)
    if space.correlations is not None:
        for component in space.correlations.components():
            if len(component) > 1:
                label = f" {PAIR_SEPARATOR} ".join(component)
                for name in component:
                    groups[space.names.index(name)] = label
    return groups


def evidence_groups(space: ParameterSpace) -> list[str]:
    """The evidence grade of each column as its group (grouped Sobol by grade).

    ``high``, ``medium``, ``low`` or ``ungraded`` (an input without a grade). A
    Dirichlet table's items share their table's grade. Inputs linked by
    ``[correlations]`` must move together; if they have different grades, the
    group is named by all of them, weakest last (``"medium + low"``), so that no
    share of variance is credited to a grade it does not belong to alone.
    """
    order = ("high", "medium", "low", "ungraded")
    grades = list(space.evidence_of)
    by_input = design_groups(space)
    for label in dict.fromkeys(by_input):
        cols = [j for j, g in enumerate(by_input) if g == label]
        mixed = sorted({grades[j] for j in cols}, key=order.index)
        if len(mixed) > 1:
            for j in cols:
                grades[j] = " + ".join(mixed)
    return grades


def design_columns(space: ParameterSpace, cohort: str, by: str = "input") -> tuple[list[str], list[str]]:
    """Column names and groups of a Sobol or Morris design.

    With the sampled cohort, the cohort's randomness is one more column,
    :data:`COHORT`, a group of its own (its design value keys the run's cohort stream).
    ``by = "evidence"`` groups the columns by evidence grade (:func:`evidence_groups`).
    """
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    names, groups = list(space.names), (design_groups(space) if by == "input" else evidence_groups(space))
    if cohort == "sampled":
        names.append(COHORT)
        groups.append(COHORT)
    return names, groups


def unit_problem(names, groups=None) -> dict:
    """A SALib problem on the unit hypercube (Sobol and Morris designs).

    Parameters
    ----------
    names : sequence of str
        One per column.
    groups : sequence of str, optional
        One label per column; columns with equal labels move together.
    """
    names = [str(n) for n in names]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    if groups is not None:
        groups = [str(g) for g in groups]
        if len(groups) != len(names):
            raise ValueError("groups must give one label per name")
        problem["groups"] = groups
    return problem


def group_names(problem: dict) -> tuple[list[str], list[tuple[str, ...]]]:
    """The problem's group names (in order of their first column) and each group's columns."""
    labels = problem.get("groups") or problem["names"]
    names = list(dict.fromkeys(labels))
    members = [tuple(n for n, g in zip(problem["names"], labels) if g == name) for name in names]
    return names, members


def check_space(space: ParameterSpace) -> None:
    """A sensitivity analysis needs at least one uncertain input."""
    if space.size == 0:
        raise ConfigError("", "the config has no uncertain inputs: give some input a distribution to analyse its sensitivity")


@dataclass(frozen=True)
class ConfigModel:
    """A config's target as a function of input values.

    Attributes
    ----------
    config : Config
    space : ParameterSpace
    target : Target
    seed : int
        Keys the cohort randomness of the sampled cohort.
    engine : {"expected", "person", "aggregate"}
    chunk_runs : int
        Runs per call of the engine, to bound memory (and per task on a cluster).
    threads : int or None
        Kernel threads in this process (default: every core).
    client : dask.distributed.Client or None
        Run the chunks as tasks there (see :func:`target_chunk`); the values
        are the same as in this process, to the bit.
    """

    config: Config
    space: ParameterSpace
    target: Target
    seed: int
    engine: str
    chunk_runs: int = DEFAULT_CHUNK_DRAWS
    client: Any = None
    threads: int | None = None

    @classmethod
    def create(
        cls, config: Config, target: Target, *, cohort: str = "expected", seed: int | None = None, client=None, threads: int | None = None
    ) -> ConfigModel:
        space = ParameterSpace.from_config(config)
        check_space(space)
        seed = config.simulation.seed if seed is None else int(seed)
        return cls(config, space, target, seed, cohort_engine(config, cohort), client=client, threads=threads)

    def run(self, values: np.ndarray, draws: np.ndarray) -> np.ndarray:
        """The target at given input values.

        Parameters
        ----------
        values : ndarray, shape ``(run, parameter)``
            Input values in :attr:`ParameterSpace.names` order.
        draws : ndarray of int, shape ``(run,)``
            Global draw indices keying each run's cohort randomness (unused
            by the expected cohort). Equal indices give equal cohorts.

        Returns
        -------
        ndarray, shape ``(run,)``
        """
        return self.run_targets(values, draws, (self.target,))[:, 0]

    def run_targets(self, values: np.ndarray, draws: np.ndarray, targets) -> np.ndarray:
        """Several targets of the same runs (every actor, every year), shape ``(run, target)``.

        Parameters
        ----------
        values : ndarray, shape ``(run, parameter)``
        draws : ndarray of int, shape ``(run,)``
        targets : sequence of Target
        """
        targets = tuple(targets)
        values = np.asarray(values, dtype=np.float64)
        draws = np.asarray(draws, dtype=np.int64)
        y = np.empty((values.shape[0], len(targets)))
        parts = [slice(start, start + self.chunk_runs) for start in range(0, values.shape[0], self.chunk_runs)]
        if self.client is None:
            for part in parts:
                out = evaluate(self.config, self.space, values[part], draws[part], self.seed, engine=self.engine, threads=self.threads)
                y[part] = np.column_stack([t.of_output(out) for t in targets])
        else:
            self._run_on_cluster(values, draws, parts, y, targets)
        for k, t in enumerate(targets):
            t.check_finite(y[:, k])
        return y

    def _run_on_cluster(self, values, draws, parts, y, targets) -> None:

        def submit(part):
            return self.client.submit(
                target_chunk, self.config.raw, values[part], draws[part], self.seed, self.engine, targets, pure=False
            )

        for part, result in in_flight(self.client, submit, parts):
            y[part] = result

    def values(self, u: np.ndarray) -> np.ndarray:
        """Input values of independent unit-hypercube points, shape ``(run, parameter)``.

        Points are kept inside ``[2**-54, 1 - 2**-53]`` (the range of simsam's
        own uniform numbers) so that a design's 0 or 1 never meets the
        infinite end of an unbounded distribution; correlated inputs are
        coupled as in a Monte Carlo run.
        """
        return self.space.transform(np.clip(np.asarray(u, dtype=np.float64), U_MIN, U_MAX))

    def run_unit(self, u: np.ndarray, draws: np.ndarray) -> np.ndarray:
        """The target at unit-hypercube points, shape ``(run,)``."""
        return self.run(self.values(u), draws)


def target_chunk(raw, values: np.ndarray, draws: np.ndarray, seed: int, engine: str, target) -> np.ndarray:
    """A cluster task: the target at ``values`` (shape ``(run, parameter)``) of the config ``raw``.

    ``raw`` is the config's merged tables (plain data, rebuilt and validated on
    the worker once, see :func:`simsam.engine.run.compute_chunk`); returns shape ``(run,)``,
    or ``(run, target)`` when ``target`` is a tuple of targets.
    """

    config = config_of_raw(raw)
    # One thread per task: a cluster's workers each run one task per core.
    out = evaluate(config, ParameterSpace.from_config(config), values, draws, seed, engine=engine, threads=1)
    if isinstance(target, tuple):
        return np.column_stack([t.of_output(out) for t in target])
    return target.of_output(out)

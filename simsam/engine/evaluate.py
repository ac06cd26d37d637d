"""Evaluating the model on given input values: inputs → kernel → results per draw (:func:`evaluate`).

Running many draws in chunks (here or on a cluster) is :mod:`simsam.engine.run`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.model import Config
from .accounting import potential
from .inputs import group_sizes, kernel_arguments
from .kernel_cache import ensure_kernel_cache
from .sampling import ParameterSpace, Sample, check_rows

__all__ = ["evaluate", "engine_of", "default_threads", "ModelOutput", "DEFAULT_CHUNK_DRAWS", "AUTO_PERSON_MAX"]

DEFAULT_CHUNK_DRAWS = 20_000


#: ``engine = "auto"`` simulates participants one by one up to this cohort size
#: and state counts above it (benchmarks/kernel_speed.py measures the crossover).
AUTO_PERSON_MAX = 150


def engine_of(config: Config) -> str:
    """The cohort path a config runs on: ``"person"``, ``"aggregate"`` or ``"expected"``."""
    sim = config.simulation
    if sim.cohort == "expected":
        return "expected"
    if sim.engine == "auto":
        return "person" if config.project.participants <= AUTO_PERSON_MAX else "aggregate"
    return sim.engine


@dataclass(frozen=True)
class ModelOutput:
    """Results of a set of draws; the last actor column is society.

    Attributes
    ----------
    payback : ndarray, shape ``(draw, actor)``
        Months; NaN when not reached within the horizon.
    net_benefit : ndarray, shape ``(draw, actor, year)``
        Cumulative (discounted) net benefit at the end of each year, kr.
    revenue : ndarray, shape ``(draw, actor, year)``
        Cohort revenue (relative flows) within each year, kr, undiscounted.
    cost : ndarray, shape ``(draw, actor)``
        Uplifted project cost, kr.
    utilised_potential : ndarray, shape ``(draw,)``
        Society's first-year revenue / the cohort's potential.
    monthly_net_benefit : ndarray, shape ``(draw, actor, month)``, or None
        Cumulative net benefit after every month, kr; only from ``evaluate(..., monthly=True)``
        (portfolios add it up).
    group_payback, group_cost : ndarray, shape ``(draw, group, actor)``, or None
        With ``[groups]``: each group's payback month and its share of the cost (kr), the
        cost attributed per participant (:func:`simsam.engine.inputs.group_cost_shares`).
    group_net_benefit, group_revenue : ndarray, shape ``(draw, group, actor, year)``, or None
        Each group's net benefit and revenue, kr; summed over groups they are the
        cohort's (up to rounding).
    group_utilised_potential : ndarray, shape ``(draw, group)``, or None
        Each group's first-year society revenue / its potential (NaN for a group without participants).
    occupancy : ndarray, shape ``(draw, state, month)``, or None
        Participants (float64; a run's chunks hold whole counts as unsigned integers,
        :func:`simsam.engine.run.compute_chunk`) in each of the kernel's states (with ``[groups]`` one block of states per
        group) in every month; only from ``evaluate(..., occupancy=True)``. Given back to
        :func:`evaluate` (``given``) with the same inputs, it gives every other result again, bit for bit.
    """

    payback: np.ndarray
    net_benefit: np.ndarray
    revenue: np.ndarray
    cost: np.ndarray
    utilised_potential: np.ndarray
    monthly_net_benefit: np.ndarray | None = None
    group_payback: np.ndarray | None = None
    group_net_benefit: np.ndarray | None = None
    group_revenue: np.ndarray | None = None
    group_cost: np.ndarray | None = None
    group_utilised_potential: np.ndarray | None = None
    occupancy: np.ndarray | None = None


def evaluate(
    config: Config,
    space: ParameterSpace,
    values: np.ndarray,
    draws: np.ndarray,
    seed: int,
    *,
    engine: str | None = None,
    threads: int | None = None,
    blocks: int | None = None,
    monthly: bool = False,
    exit_states: np.ndarray | None = None,
    occupancy: bool = False,
    given: np.ndarray | None = None,
) -> ModelOutput:
    """Run the model on given input values (a Monte Carlo sample or any design).

    Parameters
    ----------
    config : Config
    space : ParameterSpace
        Names the columns of ``values``.
    values : ndarray, shape ``(draw, parameter)``
    draws : ndarray of int, shape ``(draw,)``
        Global draw indices: they key each cohort's random numbers.
    seed : int
    engine : {"person", "aggregate", "expected"}, optional
        Override the config's cohort path, e.g. ``"expected"`` for a tornado
        whose bars should not carry cohort noise.
    threads : int, optional
        Kernel threads (default :func:`default_threads`); results do not depend on it.
    blocks : int, optional
        Kernel work blocks (default ``8 · threads``); results do not depend on it.
    monthly : bool
        Also keep the cumulative net benefit after every month.
    exit_states : ndarray of int, shape ``(participants,)``, optional
        Known exit states (index in ``config.states``, −1 drawn), fixed in every draw.
    occupancy : bool
        Also keep each draw's occupancy (``ModelOutput.occupancy``).
    given : ndarray, shape ``(draw, state, month)``, optional
        The occupancy these draws were simulated with (a run's ``occupancy``): the results are
        computed from it, nothing is simulated (a results file of ``--store states`` is read so).

    Returns
    -------
    ModelOutput
    """
    ensure_kernel_cache()
    from ..kernels.cohort import AGGREGATE, EXPECTED, PERSON, simulate_cohorts  # numba and the compiled kernel, ~0.5 s

    draws = np.asarray(draws, dtype=np.int64)
    sample = Sample(space, values)
    check_rows(config, sample, draws)
    inputs = kernel_arguments(config, sample, draws, seed, exit_states=exit_states)
    path = {"person": PERSON, "aggregate": AGGREGATE, "expected": EXPECTED}[engine or engine_of(config)]
    threads = default_threads() if threads is None else threads
    res = simulate_cohorts(inputs, path, threads=threads, blocks=blocks, monthly=monthly, occupancy=occupancy, given=given)
    cohort_potential = potential(config, sample) * 12 * config.project.participants
    with np.errstate(divide="ignore", invalid="ignore"):
        utilised = res.revenue[:, -1, 0] / cohort_potential
    if not config.groups:
        return ModelOutput(res.payback, res.net_benefit, res.revenue, inputs.cost, utilised, res.cumulative, occupancy=res.occupancy)
    return _with_groups(config, sample, res, inputs.cost, utilised)


def _with_groups(config: Config, sample: Sample, res, cost: np.ndarray, utilised: np.ndarray) -> ModelOutput:
    """Split the kernel's columns (the cohort's actors, then each group's; :mod:`simsam.engine.inputs`)."""
    a = len(config.actors) + 1
    n, n_groups = cost.shape[0], len(config.groups)

    def groups_of(x):  # (draw, A·(1 + G), ...) → (draw, G, A, ...)
        return np.ascontiguousarray(x[:, a:].reshape(n, n_groups, a, *x.shape[2:]))

    sizes = group_sizes(config)
    group_potential = np.stack(
        [potential(config.for_group(g.id) if g.own else config, sample) * 12 * m for g, m in zip(config.groups.values(), sizes)], axis=1
    )
    revenue = groups_of(res.revenue)
    with np.errstate(divide="ignore", invalid="ignore"):
        group_utilised = np.where(sizes[None, :] > 0, revenue[:, :, -1, 0] / group_potential, np.nan)
    monthly = None if res.cumulative is None else res.cumulative[:, :a]
    return ModelOutput(
        res.payback[:, :a], res.net_benefit[:, :a], res.revenue[:, :a], cost[:, :a], utilised, monthly,
        group_payback=groups_of(res.payback), group_net_benefit=groups_of(res.net_benefit), group_revenue=revenue,
        group_cost=groups_of(cost), group_utilised_potential=group_utilised, occupancy=res.occupancy,
    )


def default_threads() -> int:
    """Threads the kernel uses when a caller does not say: every core numba may use
    (``NUMBA_NUM_THREADS``, which the environment may set; else the CPU count)."""
    import numba  # ~0.3 s: only when a caller gives no thread count

    return int(numba.config.NUMBA_NUM_THREADS)

"""Evaluating the model on given input values: config and inputs → flows → kernel → results per draw.

Running many draws in chunks (here or on a cluster) is :mod:`simsam.runner`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from . import random as rnd
from .accounting import attributable, flow_table, potential, project_cost
from .config.schema import Config
from .sampling import ParameterSpace, Sample, check_rows

__all__ = ["evaluate", "kernel_arguments", "engine_of", "ModelOutput", "DEFAULT_CHUNK_DRAWS"]

DEFAULT_CHUNK_DRAWS = 20_000
COHORT_STREAM = "cohort"
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
    """

    payback: np.ndarray
    net_benefit: np.ndarray
    revenue: np.ndarray
    cost: np.ndarray
    utilised_potential: np.ndarray
    #: ``(draw, actor, month)`` cumulative net benefit after every month, kr;
    #: only from ``evaluate(..., monthly=True)`` (portfolios add it up).
    monthly_net_benefit: np.ndarray | None = None


@dataclass(frozen=True)
class Timing:
    """When participants exit and the cost falls, as kernel arrays.

    Attributes
    ----------
    exit_months : ndarray of int, shape ``(participants,)`` or None
        Month index of each participant's exit (None: all at 0).
    cost_months : ndarray, shape ``(horizon + 1,)`` or None
        Share of the cost in each month (None: all at month 0).
    drop_from : int
        Month after which drop-off years count.
    """

    exit_months: np.ndarray | None
    cost_months: np.ndarray | None
    drop_from: int


def project_timing(config: Config) -> Timing:
    """The config's timing (``[simulation] timing``).

    ``"nyttosam"``: every participant's month 1 is their first month after exit
    and the cost falls once at month 0, whatever ``exits`` and
    ``cost_schedule`` say (the seeds' convention). ``"project"``: month 1 is the
    project's first month; participant ``i`` contributes from month
    ``exit_months[i] + 1`` on, the horizon counts from the project start (flows
    after it are not counted), the cost falls per ``cost_schedule``, and
    drop-off years count from the mean exit month (rounded down).
    """
    p = config.project
    if config.simulation.timing != "project":
        return Timing(None, None, 0)
    exits = None if p.exit_months is None else np.asarray(p.exit_months, dtype=np.int64)
    cost = None if p.cost_months is None else np.asarray(p.cost_months, dtype=float)
    return Timing(exits, cost, int(np.floor(np.mean(exits))) if exits is not None else 0)


def participant_groups(config: Config) -> np.ndarray | None:
    """Each participant's group index, shape ``(participants,)`` (None without ``[groups]``).

    Group ``g`` gets ``n_g`` participants, ``N · share_g`` rounded by largest
    remainders (ties to the earlier group). Members are interleaved over the
    participant index, so that no group is bunched at the start or end of a
    staggered intake: member ``j`` of group ``g`` sits at position
    ``(j + 0.5) / n_g`` and participants are these positions in order (ties
    by group order).
    """
    if not config.groups:
        return None
    n = config.project.participants
    share = np.array([g.share for g in config.groups.values()])
    exact = n * share
    size = np.floor(exact).astype(np.int64)
    order = sorted(range(len(share)), key=lambda g: (-(exact[g] - size[g]), g))
    for g in order[: n - int(size.sum())]:
        size[g] += 1
    pos = np.concatenate([(np.arange(m) + 0.5) / m for m in size if m])
    who = np.concatenate([np.full(m, g) for g, m in enumerate(size) if m])
    return who[np.lexsort((who, pos))].astype(np.int64)


def group_shares(config: Config, sample: Sample, shares: np.ndarray) -> np.ndarray:
    """Exit shares per group, shape ``(draw, group, state)``: multinomial-logit shifts.

    ``shares_g,k ∝ shares_k · exp(shift_g,k)`` normalised over states; a group
    with no shifts has the shares themselves (bit for bit).
    """
    states = list(config.outcomes.states)
    out = np.repeat(shares[:, None, :], len(config.groups), axis=1)
    for g, group in enumerate(config.groups.values()):
        if not group.shift:
            continue
        logit = np.zeros_like(shares)
        for k, q in group.shift.items():
            logit[:, states.index(k)] = sample[q]
        w = shares * np.exp(logit)
        out[:, g] = w / w.sum(axis=1, keepdims=True)
    return out


def transition_matrix(config: Config, sample: Sample) -> np.ndarray:
    """Monthly transition probabilities, shape ``(draw, state, state)``, zero diagonal."""
    states = list(config.outcomes.states)
    trans = np.zeros((sample.n, len(states), len(states)))
    for origin, row in config.transitions.items():
        for dest, q in row.items():
            trans[:, states.index(origin), states.index(dest)] = sample[q]
    return trans


def with_society(per_actor: np.ndarray, axis: int) -> np.ndarray:
    """Append society (the sum over actors) along ``axis``."""
    return np.concatenate([per_actor, per_actor.sum(axis=axis, keepdims=True)], axis=axis)


def kernel_arguments(config: Config, sample: Sample, draws: np.ndarray, seed: int) -> tuple[tuple, dict]:
    """The cohort kernel's inputs for a sample of draws.

    Returns
    -------
    arrays : tuple
        ``(shares, trans, rel, cost, rate, keys)`` as
        :func:`simsam.kernels.cohort.simulate_cohorts` takes them positionally;
        ``rel`` and ``cost`` have society as their last actor.
    options : dict
        Its timing, counterfactual and group keywords.
    """
    flows = flow_table(config, sample)
    rel = with_society(attributable(config, sample, flows), axis=2)
    cost = with_society(project_cost(config, sample), axis=1)
    shares = sample.shares(config.outcomes.shares)
    # States without a share (reached only by transitions) get share 0.
    exit_shares = np.zeros((sample.n, len(config.outcomes.states)))
    states = list(config.outcomes.states)
    for j, k in enumerate(config.outcomes.shares.keys):
        exit_shares[:, states.index(k)] = shares[:, j]
    timing = project_timing(config)
    groups = participant_groups(config)
    arrays = (
        exit_shares if groups is None else group_shares(config, sample, exit_shares),
        transition_matrix(config, sample),
        rel,
        cost,
        sample[config.simulation.discount_rate],
        rnd.draw_keys(seed, COHORT_STREAM, np.asarray(draws, dtype=np.int64)),
    )
    options = dict(
        exit_months=timing.exit_months,
        cost_months=timing.cost_months,
        drop_off=sample[config.counterfactual.drop_off] if config.counterfactual is not None else None,
        drop_from=timing.drop_from,
        groups=groups,
    )
    return arrays, options


def evaluate(
    config: Config,
    space: ParameterSpace,
    values: np.ndarray,
    draws: np.ndarray,
    seed: int,
    *,
    engine: str | None = None,
    blocks: int | None = None,
    monthly: bool = False,
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
    monthly : bool
        Also keep the cumulative net benefit after every month.

    Returns
    -------
    ModelOutput
    """
    from .kernels.cohort import AGGREGATE, EXPECTED, PERSON, simulate_cohorts

    draws = np.asarray(draws, dtype=np.int64)
    sample = Sample(space, values)
    check_rows(config, sample, draws)
    arrays, options = kernel_arguments(config, sample, draws, seed)
    sim = config.simulation
    payback, net_benefit, revenue, *cumulative = simulate_cohorts(
        *arrays,
        config.project.participants,
        sim.horizon_months,
        {"person": PERSON, "aggregate": AGGREGATE, "expected": EXPECTED}[engine or engine_of(config)],
        blocks=blocks,
        monthly=monthly,
        **options,
    )
    cost = arrays[3]
    cohort_potential = potential(config, sample) * 12 * config.project.participants
    with np.errstate(divide="ignore", invalid="ignore"):
        utilised = revenue[:, -1, 0] / cohort_potential
    return ModelOutput(payback, net_benefit, revenue, cost, utilised, cumulative[0] if monthly else None)


@contextlib.contextmanager
def numba_threads(threads: int | None):
    """Run the kernels on ``threads`` threads, restoring the previous count after.

    The count is kept as numba's setting (``numba.set_num_threads``), which
    :func:`simsam.kernels.cohort.simulate_cohorts` reads for its thread pool.
    """
    if threads is None:
        yield
        return
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(old)

"""The cohort kernel's inputs for a sample of draws: flows, shares, transitions, costs, timing, groups.

Everything here is NumPy on ``(draw, ...)`` arrays, computed outside the kernel:
the relative flows of each state (with society as the last actor), each group's
exit shares, the monthly transition matrix, the cost per actor, and when
participants exit and the cost falls.

With ``[groups]`` the kernel is given one state per group and outcome state
(group ``g``'s state ``k`` is ``g·K + k``): group ``g``'s exit shares are
positive only in its own block of states, its transitions move only within it
(the matrix is block-diagonal, each block the group's own transitions), and its
relative flows are its own. The relative flows have ``A·(1 + G)`` columns
(``A`` actors with society): the cohort's (every block), then each group's
(its own block only, zero elsewhere), so one kernel run gives the cohort's
results and every group's, on the same participants and random numbers; the
group columns sum to the cohort's exactly up to rounding. Each group bears the
project cost in proportion to its participants, weighted by ``cost_weight``
(:func:`group_cost_shares`). Nothing changes for a config without groups.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..config.model import Config
from ..kernels.types import CohortInputs
from ..util.threads import map_threads
from . import booking
from . import streams as rnd
from .accounting import project_cost
from .sampling import Sample

__all__ = [
    "kernel_arguments",
    "project_timing",
    "participant_groups",
    "group_shares",
    "group_cost_shares",
    "group_sizes",
    "transition_matrix",
    "with_society",
    "Timing",
    "COHORT_STREAM",
]

COHORT_STREAM = "cohort"


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


def group_sizes(config: Config) -> np.ndarray:
    """Participants in each group, shape ``(group,)`` (empty without ``[groups]``)."""
    groups = participant_groups(config)
    return np.zeros(0, dtype=np.int64) if groups is None else np.bincount(groups, minlength=len(config.groups))


def group_cost_shares(config: Config) -> np.ndarray:
    """Each group's share of every actor's project cost, shape ``(group,)``, summing to 1.

    Per participant: group ``g`` with ``n_g`` participants and ``cost_weight`` ``w_g`` bears
    ``n_g · w_g / Σ_h n_h · w_h`` (with every weight 1, ``n_g / N``: the cost per participant is
    the same in every group).
    """
    weighted = group_sizes(config) * np.array([g.cost_weight for g in config.groups.values()])
    return weighted / weighted.sum()


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


#: From this many draws on, the accounting of a sample is shared by the cores, a slice of draws per thread.
PARALLEL_MIN_DRAWS = 4096


def relative_flows(config: Config, sample: Sample) -> np.ndarray:
    """Relative flows owed to the project, kr per month, shape ``(draw, state, actor)``, society last.

    A draw's flows depend on its own inputs only, so a large sample is booked in slices of draws on
    every core (NumPy releases the GIL) and the slices put together: the same numbers, bit for bit.
    """
    n = sample.n
    parts = min(os.cpu_count() or 1, n // (PARALLEL_MIN_DRAWS // 2)) if n >= PARALLEL_MIN_DRAWS else 1
    if parts < 2:
        return _relative_flows(config, sample)
    bounds = [n * i // parts for i in range(parts + 1)]
    slices = [Sample(sample.space, sample.values[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
    return np.concatenate(map_threads(lambda part: _relative_flows(config, part), slices), axis=0)


def _relative_flows(config: Config, sample: Sample) -> np.ndarray:
    # Booked in compiled code (simsam.engine.booking), the twin of attributable(flow_table(...)) to the bit.
    return with_society(booking.relative_flows(config, sample), axis=2)


def _by_group(config: Config, sample: Sample, shares: np.ndarray, trans: np.ndarray, rel: np.ndarray, cost: np.ndarray):
    """The kernel's shares, transitions, flows and cost with one block of states per group (module docstring).

    Shapes in: ``shares (draw, group, state)``, ``trans (draw, state, state)``, ``rel (draw, state, actor)``,
    ``cost (draw, actor)``; out: ``(draw, group, G·K)``, ``(draw, G·K, G·K)``, ``(draw, G·K, A·(1 + G))``,
    ``(draw, A·(1 + G))``.
    """
    n, n_groups, k = shares.shape
    a = rel.shape[2]
    shares_x = np.zeros((n, n_groups, n_groups * k))
    trans_x = np.zeros((n, n_groups * k, n_groups * k))
    rel_x = np.zeros((n, n_groups * k, a * (1 + n_groups)))
    for g, group in enumerate(config.groups.values()):
        block = slice(g * k, (g + 1) * k)
        own = config.for_group(group.id) if group.own else None
        shares_x[:, g, block] = shares[:, g]
        trans_x[:, block, block] = trans if own is None else transition_matrix(own, sample)
        rel_g = rel if own is None else relative_flows(own, sample)
        rel_x[:, block, :a] = rel_g
        rel_x[:, block, a * (1 + g) : a * (2 + g)] = rel_g
    cost_x = np.concatenate([cost] + [cost * w for w in group_cost_shares(config)], axis=1)
    return shares_x, trans_x, rel_x, cost_x


def kernel_arguments(
    config: Config, sample: Sample, draws: np.ndarray, seed: int, *, exit_states: np.ndarray | None = None
) -> CohortInputs:
    """The cohort kernel's inputs for a sample of draws.

    Parameters
    ----------
    exit_states : ndarray of int, shape ``(participants,)``, optional
        Participants' known exit states (index in ``config.states``; −1 drawn), e.g. those
        already out of a running project (``simsam monitor``). Not with ``[groups]``.

    Returns
    -------
    CohortInputs
        What :func:`simsam.kernels.cohort.simulate_cohorts` takes; ``rel`` and
        ``cost`` have society as their last actor. With ``[groups]``, one block of
        states per group and the groups' actor columns after the cohort's (module docstring).
    """
    rel = relative_flows(config, sample)
    cost = with_society(project_cost(config, sample), axis=1)
    shares = sample.shares(config.outcomes.shares)
    # States without a share (reached only by transitions) get share 0.
    exit_shares = np.zeros((sample.n, len(config.outcomes.states)))
    states = list(config.outcomes.states)
    for j, k in enumerate(config.outcomes.shares.keys):
        exit_shares[:, states.index(k)] = shares[:, j]
    timing = project_timing(config)
    groups = participant_groups(config)
    trans = transition_matrix(config, sample)
    if groups is not None:
        if exit_states is not None:
            raise ValueError("known exit states are not placed in groups")
        exit_shares, trans, rel, cost = _by_group(config, sample, group_shares(config, sample, exit_shares), trans, rel, cost)
    return CohortInputs(
        shares=exit_shares,
        trans=trans,
        rel=rel,
        cost=cost,
        rate=sample[config.simulation.discount_rate],
        keys=rnd.draw_keys(seed, COHORT_STREAM, np.asarray(draws, dtype=np.int64)),
        participants=config.project.participants,
        horizon=config.simulation.horizon_months,
        exit_months=timing.exit_months,
        cost_months=timing.cost_months,
        drop_off=sample[config.counterfactual.drop_off] if config.counterfactual is not None else None,
        drop_from=timing.drop_from,
        groups=groups,
        exit_states=exit_states,
    )

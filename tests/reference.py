"""Plain NumPy references of the numba kernels (same algorithm, same random numbers).

Not used by simsam itself: the tests compare the kernels against these, and the
benchmarks time them as "the NumPy reference".
"""

from __future__ import annotations

import numpy as np

from simsam import random as rnd
from simsam.kernels.cohort import PAYBACK_ATOL, PAYBACK_RTOL

GAMMA = np.uint64(rnd.GAMMA)


def _stream(keys: np.ndarray, counter) -> np.ndarray:
    """Uniform number ``counter`` of each stream, like ``kernels.rng.uniform``."""
    with np.errstate(over="ignore"):
        return rnd.to_unit(rnd.mix64(keys + (np.asarray(counter, dtype=np.uint64) + np.uint64(1)) * GAMMA))


def person_occupancy(shares, trans, keys, participants, horizon):
    """Sampled cohorts, vectorised over draws and participants.

    Returns counts, shape ``(draw, state, month)``.
    """
    shares = np.asarray(shares, float)
    trans = np.asarray(trans, float)
    n_draws, n_states = shares.shape
    with np.errstate(over="ignore"):
        pkeys = rnd.mix64(keys[:, None] + (np.arange(participants, dtype=np.uint64)[None, :] + np.uint64(1)) * GAMMA)
    diff = np.zeros((n_draws, n_states, horizon + 1))
    d_idx = np.repeat(np.arange(n_draws), participants).reshape(n_draws, participants)

    def categorical(p, u):
        # Same rule as the kernel: first k with u < cumsum over positive p; else last positive.
        acc = np.cumsum(np.where(p > 0, p, 0.0), axis=-1)
        hit = (u[..., None] < acc) & (p > 0)
        last = p.shape[-1] - 1 - np.argmax((p > 0)[..., ::-1], axis=-1)
        return np.where(hit.any(-1), np.argmax(hit, axis=-1), last)

    state = categorical(shares[d_idx], _stream(pkeys, 0))
    t = np.zeros_like(state)
    active = np.ones(state.shape, bool)
    counter = 1
    while active.any():
        d, i = np.nonzero(active)
        k = state[d, i]
        row = trans[d, k]
        q = row.sum(axis=1)
        stays_forever = q <= 0
        u = _stream(pkeys[d, i], counter)
        movable = (q > 0) & (q < 1)
        x = np.zeros_like(q)
        x[movable] = np.log(u[movable]) / np.log1p(-q[movable])
        stay = np.where(q >= 1, 1, np.where(x < horizon, 1 + np.floor(np.minimum(x, horizon)).astype(np.int64), horizon + 1))
        # The kernel's shortcut for a first sojourn: u ≤ (1 − q)^(horizon − 1) stays to the end.
        with np.errstate(divide="ignore"):
            survive = np.where(movable, np.exp((horizon - 1) * np.log1p(-np.where(movable, q, 0.0))), 0.0)
        stay = np.where(movable & (t[d, i] == 0) & (u <= survive), horizon, stay)
        end = t[d, i] + stay
        finished = stays_forever | (end >= horizon)
        np.add.at(diff, (d, k, t[d, i]), 1.0)
        np.add.at(diff, (d[finished], k[finished], horizon), -1.0)
        moving = ~finished
        np.add.at(diff, (d[moving], k[moving], end[moving]), -1.0)
        dm, im = d[moving], i[moving]
        if dm.size:
            target = _stream(pkeys[dm, im], counter + 1) * q[moving]
            state[dm, im] = categorical(row[moving], target)
            t[dm, im] = end[moving]
        active[d[finished], i[finished]] = False
        counter += 2
    return np.cumsum(diff, axis=2)[:, :, :horizon]


def expected_occupancy(shares, trans, participants, horizon):
    """Markov cohort trace ``N · x(t)``, shape ``(draw, state, month)``."""
    shares = np.asarray(shares, float)
    trans = np.asarray(trans, float)
    n_states = shares.shape[1]
    p = trans.copy()
    idx = np.arange(n_states)
    p[:, idx, idx] = 1 - trans.sum(axis=2)
    x = participants * shares
    occ = np.empty(shares.shape + (horizon,))
    for t in range(horizon):
        occ[:, :, t] = x
        x = np.einsum("dk,dkj->dj", x, p)
    return occ


def results(occ, rel, cost, rate, horizon):
    """Payback, net benefit per year and revenue per year from occupancy.

    Shapes: ``occ (draw, state, month)``, ``rel (draw, state, actor)``,
    ``cost (draw, actor)``, ``rate (draw,)``.
    """
    flow = np.einsum("dkt,dka->dat", occ, rel)  # (draw, actor, month)
    months = np.arange(1, horizon + 1)
    weight = (1.0 + rate[:, None]) ** (-months[None, :] / 12.0)
    cum = np.cumsum(flow * weight[:, None, :], axis=2) - cost[:, :, None]
    tol = PAYBACK_RTOL * np.abs(cost) + PAYBACK_ATOL
    ok = cum >= -tol[:, :, None]
    payback = np.where(ok.any(axis=2), np.argmax(ok, axis=2) + 1.0, np.nan)
    years = horizon // 12
    net_benefit = cum[:, :, 11::12]
    revenue = flow.reshape(flow.shape[0], flow.shape[1], years, 12).sum(axis=3)
    return payback, net_benefit, revenue


def simulate_cohorts(shares, trans, rel, cost, rate, keys, participants, horizon, expected):
    """The reference of :func:`simsam.kernels.cohort.simulate_cohorts`."""
    keys = np.asarray(keys, dtype=np.uint64)
    if expected:
        occ = expected_occupancy(shares, trans, participants, horizon)
    else:
        occ = person_occupancy(shares, trans, keys, participants, horizon)
    return results(occ, np.asarray(rel, float), np.asarray(cost, float), np.asarray(rate, float), horizon)


def monthly_markov_cohort(shares, trans, participants, horizon, rng):
    """An independent check: each participant moves month by month (numpy Generator).

    Fixed shares ``(state,)`` and transitions ``(state, state)``; returns counts
    ``(state, month)``. Uses different random numbers from the kernel, so it can
    only be compared in distribution.
    """
    n_states = len(shares)
    p = np.array(trans, float)
    p[np.arange(n_states), np.arange(n_states)] = 1 - p.sum(axis=1)
    cum = np.cumsum(p, axis=1)
    state = rng.choice(n_states, size=participants, p=shares)
    occ = np.zeros((n_states, horizon))
    for t in range(horizon):
        occ[:, t] = np.bincount(state, minlength=n_states)
        u = rng.random(participants)
        state = np.minimum((u[:, None] >= cum[state]).sum(axis=1), n_states - 1)
    return occ

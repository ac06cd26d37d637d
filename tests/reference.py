"""Plain NumPy references of the numba kernels (same algorithm, same random numbers).

Not used by simsam itself: the tests compare the kernels against these, and the
benchmarks time them as "the NumPy reference".
"""

from __future__ import annotations

import math

import numpy as np

from simsam.engine import streams as rnd
from simsam.kernels.cohort import AGGREGATE, EXPECTED, PAYBACK_ATOL, PAYBACK_RTOL

GAMMA = np.uint64(rnd.GAMMA)


def _stream(keys: np.ndarray, counter) -> np.ndarray:
    """Uniform number ``counter`` of each stream, like ``kernels.rng.uniform``."""
    with np.errstate(over="ignore"):
        return rnd.to_unit(rnd.mix64(keys + (np.asarray(counter, dtype=np.uint64) + np.uint64(1)) * GAMMA))


def _grouped(shares):
    shares = np.asarray(shares, float)
    return shares[:, None, :] if shares.ndim == 2 else shares


def _known(participants, exit_states):
    return np.full(participants, -1, np.int64) if exit_states is None else np.asarray(exit_states, np.int64)


def person_occupancy(shares, trans, keys, participants, horizon, exit_months=None, groups=None, exit_states=None):
    """Sampled cohorts, vectorised over draws and participants.

    Participant ``i`` enters its exit state in month index ``exit_months[i]``
    (default 0), with the shares of its group ``groups[i]`` (``shares`` of shape
    ``(draw, group, state)``; 2-D means one group), or in ``exit_states[i]`` in
    every draw where that is ≥ 0 (a known state). Returns counts, shape
    ``(draw, state, month)``.
    """
    shares = _grouped(shares)
    groups = np.zeros(participants, np.int64) if groups is None else np.asarray(groups, np.int64)
    trans = np.asarray(trans, float)
    n_draws, _, n_states = shares.shape
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

    state = categorical(shares[d_idx, groups[None, :]], _stream(pkeys, 0))
    known = _known(participants, exit_states)
    state = np.where(known[None, :] >= 0, known[None, :], state)
    t0 = np.zeros(participants, np.int64) if exit_months is None else np.asarray(exit_months, np.int64)
    t = np.broadcast_to(t0, state.shape).copy()
    active = np.ones(state.shape, bool)
    counter = 1
    # (1 − q)^m for m = 0 … horizon − 1, per draw and state, by repeated products as the kernel.
    q_all = trans.sum(axis=2)
    survive = np.cumprod(
        np.concatenate([np.ones(q_all.shape + (1,)), np.repeat((1.0 - q_all)[..., None], horizon - 1, axis=2)], axis=2), axis=2
    )
    while active.any():
        d, i = np.nonzero(active)
        k = state[d, i]
        row = trans[d, k]
        q = row.sum(axis=1)
        u = _stream(pkeys[d, i], counter)
        # A sojourn lasts past the horizon when u ≤ (1 − q)^(horizon − 1 − t), else
        # 1 + floor(log u / log(1 − q)) months (1 if q = 1).
        past = u <= survive[d, k, horizon - 1 - t[d, i]]
        movable = (q > 0) & (q < 1)
        x = np.zeros_like(q)
        x[movable] = np.log(u[movable]) * (1.0 / np.log1p(-q[movable]))
        stay = np.where(q >= 1, 1, np.where(x < horizon, 1 + np.floor(np.minimum(x, horizon)).astype(np.int64), horizon + 1))
        end = t[d, i] + stay
        finished = past | (end >= horizon)
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


def expected_occupancy(shares, trans, participants, horizon, exit_months=None, groups=None, exit_states=None):
    """Sum over exit cohorts and groups of ``e_mg · x_g(t − m)``, ``x_g(s+1) = x_g(s) P``, and over the
    known exits (month m, state k) of ``u_k P^(t − m)``.

    Shape ``(draw, state, month)``; an explicit convolution (the kernel uses the recursion).
    """
    shares = _grouped(shares)
    trans = np.asarray(trans, float)
    n_groups, n_states = shares.shape[1:]
    p = trans.copy()
    idx = np.arange(n_states)
    p[:, idx, idx] = 1 - trans.sum(axis=2)
    x = shares.copy()
    trace = np.empty(shares.shape + (horizon,))  # one participant of each group exiting at month 0
    for t in range(horizon):
        trace[..., t] = x
        x = np.einsum("dgk,dkj->dgj", x, p)
    counts = exit_counts(participants, horizon, exit_months, groups, n_groups, exit_states)
    occ = np.zeros((shares.shape[0], n_states, horizon))
    for m, g in zip(*np.nonzero(counts)):
        occ[:, :, m:] += counts[m, g] * trace[:, g, :, : horizon - m]
    known = known_counts(participants, horizon, n_states, exit_months, exit_states)
    for m, k in zip(*np.nonzero(known)):
        x = np.zeros((shares.shape[0], n_states))
        x[:, k] = 1.0
        for t in range(m, horizon):
            occ[:, :, t] += known[m, k] * x
            x = np.einsum("dk,dkj->dj", x, p)
    return occ


def exit_counts(participants, horizon, exit_months=None, groups=None, n_groups=1, exit_states=None):
    """Exits whose state is drawn, per month and group, shape ``(horizon, group)``."""
    exit_months = np.zeros(participants, np.int64) if exit_months is None else np.asarray(exit_months, np.int64)
    groups = np.zeros(participants, np.int64) if groups is None else np.asarray(groups, np.int64)
    drawn = _known(participants, exit_states) < 0
    out = np.zeros((horizon, n_groups))
    np.add.at(out, (exit_months[drawn], groups[drawn]), 1.0)
    return out


def known_counts(participants, horizon, n_states, exit_months=None, exit_states=None):
    """Exits to known states per month and state, shape ``(horizon, state)``."""
    exit_months = np.zeros(participants, np.int64) if exit_months is None else np.asarray(exit_months, np.int64)
    known = _known(participants, exit_states)
    out = np.zeros((horizon, n_states))
    np.add.at(out, (exit_months[known >= 0], known[known >= 0]), 1.0)
    return out


def results(occ, rel, cost, rate, horizon, cost_months=None, drop_off=None, drop_from=0):
    """Payback, net benefit per year and revenue per year from occupancy.

    Shapes: ``occ (draw, state, month)``, ``rel (draw, state, actor)``,
    ``cost (draw, actor)``, ``rate (draw,)``, ``cost_months (horizon + 1,)``,
    ``drop_off (draw,)``.
    """
    n_draws = occ.shape[0]
    if cost_months is None:
        cost_months = np.r_[1.0, np.zeros(horizon)]
    drop_off = np.zeros(n_draws) if drop_off is None else np.asarray(drop_off, float)
    months = np.arange(1, horizon + 1)
    years_since = np.where(months > drop_from, (months - 1 - drop_from) // 12, 0)
    decay = (1.0 - drop_off[:, None]) ** years_since[None, :]  # (draw, month)
    flow = np.einsum("dkt,dka->dat", occ, rel) * decay[:, None, :]  # (draw, actor, month)
    weight = (1.0 + rate[:, None]) ** (-months[None, :] / 12.0)
    spent = cost[:, :, None] * cost_months[None, None, 1:]
    cum = np.cumsum((flow - spent) * weight[:, None, :], axis=2) - cost[:, :, None] * cost_months[0]
    tol = PAYBACK_RTOL * np.abs(cost) + PAYBACK_ATOL
    ok = cum >= -tol[:, :, None]
    payback = np.where(ok.any(axis=2), np.argmax(ok, axis=2) + 1.0, np.nan)
    years = horizon // 12
    net_benefit = cum[:, :, 11::12]
    revenue = flow.reshape(flow.shape[0], flow.shape[1], years, 12).sum(axis=3)
    return payback, net_benefit, revenue, cum


def simulate_cohorts(inputs, engine, *, monthly=False, occupancy=False):
    """The reference of :func:`simsam.kernels.cohort.simulate_cohorts`: a ``CohortInputs`` in, a ``CohortResults`` out
    (with ``monthly``, also the cumulative net benefit per month; with ``occupancy``, the occupancy)."""
    from simsam.kernels.types import CohortResults

    x = inputs
    keys = np.asarray(x.keys, dtype=np.uint64)
    args = (x.participants, x.horizon, x.exit_months, x.groups, x.exit_states)
    if engine == EXPECTED:
        occ = expected_occupancy(x.shares, x.trans, *args)
    elif engine == AGGREGATE:
        occ = np.array([aggregate_occupancy(s, tr, k, *args) for s, tr, k in zip(_grouped(x.shares), x.trans, keys)])
    else:
        occ = person_occupancy(x.shares, x.trans, keys, *args)
    out = results(
        occ,
        np.asarray(x.rel, float),
        np.asarray(x.cost, float),
        np.asarray(x.rate, float),
        x.horizon,
        x.cost_months,
        x.drop_off,
        x.drop_from,
    )
    return CohortResults(*out[:3], out[3] if monthly else None, occ if occupancy else None)


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


def monthly_markov_cohorts(shares, trans, participants, horizon, rng):
    """The model as MODEL.md states it, in NumPy: every participant of every draw
    moves month by month (numpy Generator), vectorised over draws and participants.

    ``shares (draw, state)``, ``trans (draw, state, state)``; counts ``(draw, state,
    month)``. The benchmarks time it as the straightforward NumPy implementation;
    its random numbers differ from the kernel's, so it agrees only in distribution.
    """
    shares, trans = np.asarray(shares, float), np.asarray(trans, float)
    n_draws, n_states = shares.shape
    states = np.arange(n_states)
    p = trans.copy()
    p[:, states, states] = 1 - trans.sum(axis=2)
    cum = np.cumsum(p, axis=2)
    state = np.minimum((rng.random((n_draws, participants))[:, :, None] >= np.cumsum(shares, axis=1)[:, None, :]).sum(axis=2), n_states - 1)
    occ = np.zeros((n_draws, n_states, horizon))
    draw = np.arange(n_draws)[:, None]
    for t in range(horizon):
        occ[:, :, t] = (state[:, :, None] == states).sum(axis=1)
        u = rng.random((n_draws, participants))
        state = np.minimum((u[:, :, None] >= cum[draw, state]).sum(axis=2), n_states - 1)
    return occ


# --- the aggregate path: binomials from the same stream, in plain Python --------------


def uniform(key, counter) -> float:
    return float(_stream(np.array([key], dtype=np.uint64), counter)[0])


def _inversion(key, c, n, p):
    q = 1.0 - p
    qn = math.exp(n * math.log(q))
    bound = min(float(n), n * p + 10.0 * math.sqrt(n * p * q + 1.0))
    x, px = 0, qn
    u = uniform(key, c)
    c += 1
    while u > px:
        x += 1
        if x > bound:
            x, px = 0, qn
            u = uniform(key, c)
            c += 1
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x, c


_LOG_FACTORIAL_CORRECTION = (
    0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
    0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
    0.009255462182712733, 0.00833056343336287,
)


def _log_factorial_correction(k):
    if k < 10:
        return _LOG_FACTORIAL_CORRECTION[k]
    y = 1.0 / (k + 1.0)
    y2 = y * y
    return y * (1.0 / 12.0 - y2 * (1.0 / 360.0 - y2 * (1.0 / 1260.0 - y2 * (1.0 / 1680.0))))


def _log_pmf_ratio(n, k, m, r):
    d = k - m
    nk = n - k + 1.0
    return (
        d * math.log(r * nk / (k + 1.0)) - (m + 0.5) * math.log1p(d / (m + 1.0)) + (n - m + 0.5) * math.log1p(d / nk)
        + _log_factorial_correction(m) + _log_factorial_correction(n - m)
        - _log_factorial_correction(k) - _log_factorial_correction(n - k)
    )


def _btrs(key, c, n, p):
    """Hörmann's BTRS with the exact test of his paper, as the kernel (p ≤ 0.5, n p ≥ 10)."""
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    cc = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    r = p / q
    nr = (n + 1) * r
    npq = n * p * q
    m = math.floor((n + 1) * p)
    while True:
        u = uniform(key, c) - 0.5
        v = uniform(key, c + 1)
        c += 2
        us = 0.5 - abs(u)
        x = (2.0 * a / us + b) * u + cc
        if us >= 0.07 and v <= v_r:
            return math.floor(x), c
        if x < 0.0 or x >= n + 1.0:
            continue
        k = math.floor(x)
        v = v * alpha / (a / (us * us) + b)
        d = k - m
        km = abs(d)
        if km <= 15:
            f = 1.0
            for i in range(m + 1, k + 1):
                f *= nr / i - r
            for i in range(k + 1, m + 1):
                v *= nr / i - r
            if v <= f:
                return k, c
            continue
        log_v = math.log(v)
        kmf = float(km)
        if kmf < npq / 2.0 - 1.0:
            rho = (kmf / npq) * (((kmf / 3.0 + 0.625) * kmf + 1.0 / 6.0) / npq + 0.5)
            t = -kmf * kmf / (2.0 * npq)
            if log_v < t - rho:
                return k, c
            if log_v > t + rho:
                continue
        if log_v <= _log_pmf_ratio(n, k, m, r):
            return k, c


def binomial(key, c, n, p):
    if n <= 0 or p <= 0.0:
        return 0, c
    if p >= 1.0:
        return n, c
    if p <= 0.5:
        return _inversion(key, c, n, p) if n * p < 10.0 else _btrs(key, c, n, p)
    x, c = _inversion(key, c, n, 1.0 - p) if n * (1.0 - p) < 10.0 else _btrs(key, c, n, 1.0 - p)
    return n - x, c


def _add_exits(occ, t, shares, key, c, participants):
    n_states = len(shares)
    positive = [k for k in range(n_states) if shares[k] > 0]
    last = positive[-1] if positive else -1
    remaining, rest = participants, 1.0
    for k in range(n_states):
        if k == last:
            count = remaining
        elif shares[k] <= 0 or remaining == 0:
            count = 0
        else:
            count, c = binomial(key, c, remaining, min(shares[k] / rest, 1.0))
        occ[k, t] += count
        remaining -= count
        rest -= shares[k]
    return c


def aggregate_occupancy(shares, trans, key, participants, horizon, exit_months=None, groups=None, exit_states=None):
    """One draw's counts by sequential binomials, shape ``(state, month)``; ``shares`` ``(group, state)``.

    Known exit states (``exit_states[i] ≥ 0``) are added as counts after each month's drawn exits.
    """
    shares = np.atleast_2d(shares)
    n_groups, n_states = shares.shape
    occ = np.zeros((n_states, horizon))
    counts = exit_counts(participants, horizon, exit_months, groups, n_groups, exit_states).astype(int)
    known = known_counts(participants, horizon, n_states, exit_months, exit_states)
    c = 0
    for g in range(n_groups):
        c = _add_exits(occ, 0, shares[g], key, c, counts[0, g])
    occ[:, 0] += known[0]
    for t in range(1, horizon):
        for k in range(n_states):
            n = int(occ[k, t - 1])
            if n == 0:
                continue
            q = float(np.sum(trans[k]))
            if q <= 0:
                occ[k, t] += n
                continue
            leave, c = binomial(key, c, n, min(q, 1.0))
            occ[k, t] += n - leave
            dests = [j for j in range(n_states) if trans[k, j] > 0]
            rest = q
            for j in dests:
                if leave == 0:
                    break
                if j == dests[-1]:
                    moved = leave
                else:
                    moved, c = binomial(key, c, leave, min(trans[k, j] / rest, 1.0))
                occ[j, t] += moved
                leave -= moved
                rest -= trans[k, j]
        for g in range(n_groups):
            if counts[t, g]:
                c = _add_exits(occ, t, shares[g], key, c, counts[t, g])
        occ[:, t] += known[t]
    return occ

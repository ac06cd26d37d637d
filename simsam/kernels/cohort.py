"""The cohort kernel: state occupancy month by month, then each actor's results.

Pure functions on arrays; numpy and numba only. One draw is:

1. **occupancy** ``n[k, t]``: participants in state ``k`` in month ``t+1``.
   *Sampled* cohort, person path: each participant's exit state is drawn from
   the draw's shares, then the participant stays in a state for a geometric
   number of months and moves to another state with the row's probabilities.
   This is the same Markov chain as "each month each participant moves with
   the monthly transition probabilities" (the time to leave a state with
   monthly exit probability ``q`` is geometric with parameter ``q``), but it
   costs random numbers per *move*, not per person-month. *Sampled* cohort,
   aggregate path: participants are exchangeable, so only the counts are
   drawn: exit counts ~ Multinomial(N, shares), and each month the leavers of
   state ``k`` ~ Binomial(n_k, q_k), split over destinations by sequential
   binomials; the cost does not grow with ``N``. *Expected* cohort: the Markov
   cohort trace ``x(t+1) = x(t) P`` times ``N``.
2. **results** per actor (and society as the last column): the monthly cohort
   flow ``F(t) = Σ_k n[k, t] · rel[k, a]``, discounted cumulative net benefit,
   the payback month, and revenue and net benefit per year (discounted per
   state, then combined per actor: the flows are linear in the occupancy).

Draws are independent: :func:`simulate_cohorts` splits them into blocks, run on
a pool of threads; results do not depend on the blocks or threads.

Staggered intake (``exit_months``): participant ``i`` enters its exit state in
month index ``exit_months[i]`` instead of 0. On the person path that only moves
its first +1 in the difference array (and it uses the same random numbers); on
the aggregate path the exits of month ``t`` are drawn (multinomial) after that
month's transitions of those already out; the expected cohort adds
``e(t) · shares`` each month, the convolution of the Markov trace with the exit
counts ``e``. A cost schedule (``cost_months``) books a share of the cost in
each month, discounted with that month's flows; drop-off weights month ``t``'s
flow by ``(1 − d)^floor((t − 1 − drop_from) / 12)``. The defaults (all exits
and all cost at month 0, no drop-off) give bit-identical results to a kernel
without these arguments.

Known exit states (``exit_states``, observed follow-up data): participant ``i``
with ``exit_states[i] = k ≥ 0`` exits to state ``k`` in every draw. The compiled
code does not know of them: :func:`simulate_cohorts` gives each known state a
group of its own whose shares are 1 for ``k`` and 0 elsewhere, and puts the
participant in it. A categorical draw from such a row is ``k`` whatever its
number (person path: the exit-state number is drawn and not used, so every
other number is the one it would have been; aggregate path: the sequential
binomials of a one-hot row draw none; expected path: ``count · 1``). With no
known state (the default) nothing changes, to the bit.

Random numbers are SplitMix64 streams keyed by the draw (:mod:`.rng`):
participant ``i`` of draw ``d`` uses the substream ``i`` of the draw's key, its
exit state number 0, and its moves numbers 1, 2, ... in order.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._jit import jit
from .binomial import binomial
from .rng import substream, uniform
from .types import PAYBACK_ATOL, PAYBACK_RTOL, CohortInputs, CohortResults

__all__ = ["simulate_cohorts", "CohortInputs", "CohortResults", "PERSON", "AGGREGATE", "EXPECTED", "PAYBACK_RTOL", "PAYBACK_ATOL"]

#: How a draw's cohort is simulated (the ``engine`` argument).
PERSON, AGGREGATE, EXPECTED = 0, 1, 2


#: Participants whose exit states are drawn in one vectorised loop (the size of the person path's scratch).
BATCH = 256


class _Arrays(NamedTuple):
    """The inputs as the compiled drivers read them: contiguous, defaults filled in."""

    shares: np.ndarray  # (draw, group, state)
    trans: np.ndarray  # (draw, state, state)
    keys: np.ndarray  # (draw,) uint64
    rel: np.ndarray  # (draw, state, actor)
    cost: np.ndarray  # (draw, actor)
    rate: np.ndarray  # (draw,)
    exit_months: np.ndarray  # (participant,) int
    exit_counts: np.ndarray  # (month, group): exits per month and group
    groups: np.ndarray  # (participant,) int
    cost_months: np.ndarray  # (horizon + 1,)
    drop_off: np.ndarray  # (draw,)
    participants: int
    horizon: int
    drop_from: int
    given: np.ndarray  # (draw, state, horizon): the occupancy to start from (``given``), or (0, state, horizon)


class _Out(NamedTuple):
    """Preallocated results the drivers write into (see :class:`CohortResults`)."""

    payback: np.ndarray
    net_benefit: np.ndarray
    revenue: np.ndarray
    cumulative: np.ndarray  # (draw, actor, month), or month 0 when not asked for
    occupancy: np.ndarray  # (draw, state, month), or month 0 when not asked for


# The kernels index the draw's rows (``table[d, i, j]``) rather than take views
# of them (``table[d]``): a view of an array passed in from Python updates its
# reference count atomically, and threads sharing that count slow each other.


@jit
def _last_positive(table, d, i):
    """The last ``j`` with ``table[d, i, j] > 0`` (−1 if none)."""
    last = -1
    for j in range(table.shape[2]):
        if table[d, i, j] > 0.0:
            last = j
    return last


@jit
def _thresholds(table, d, i, out, row):
    """``out[row, j]`` = ``cumsum(p)[j]`` below the last positive ``p``, ``+inf`` from there (``p = table[d, i]``).

    With them, :func:`_pick` is the categorical draw "first ``k`` with
    ``p[k] > 0`` and ``u < cumsum(p)[k]``, rounding falling to the last positive
    ``p``" without a branch per state (random branches mispredict half the
    time). Adding a zero ``p`` leaves the sum bit-identical, so zero-probability
    states need no test either.
    """
    last = _last_positive(table, d, i)
    acc = 0.0
    for j in range(table.shape[2] - 1):
        acc += table[d, i, j]
        out[row, j] = acc if j < last else np.inf


@jit
def _pick(thresholds, row, u):
    k = 0
    for j in range(thresholds.shape[1] - 1):
        k += u >= thresholds[row, j]
    return k


@jit
def _walk(occ, rows, survive, pkey, k, t, u, horizon, n_groups):
    """One participant's moves after entering state ``k`` in month index ``t``.

    ``u`` is the first sojourn's number (counter 1 of the participant's stream
    ``pkey``). Each sojourn is geometric: it lasts past the horizon when
    ``u ≤ (1 − q)^(horizon − 1 − t)`` (``survive[k, horizon − 1 − t]``, no
    logarithm: most sojourns end so), else ``1 + floor(log u / log(1 − q))``
    months; then the next state is drawn from the row's thresholds. A stay
    past the horizon writes nothing: its ``-1`` would fall past the horizon.
    """
    c = 2
    while u > survive[k, horizon - 1 - t]:
        q = rows[0, k]
        if q >= 1.0:
            stay = 1
        else:
            x = math.log(u) * rows[1, k]
            stay = 1 + int(x) if x < horizon else horizon + 1
        end = t + stay
        if end >= horizon:
            return
        occ[k, end] -= 1.0
        k = _pick(rows, 2 + n_groups + k, uniform(pkey, c) * q)
        t = end
        occ[k, t] += 1.0
        u = uniform(pkey, c + 1)
        c += 2


@jit
def _person_occupancy(occ, rows, survive, batch, movers, shares, trans, d, key, participants, horizon, exit_months, groups):
    """Sampled cohort: fill ``occ[k, t]`` (counts) for ``t < horizon``.

    ``occ`` has ``horizon`` columns (a difference array before the prefix sum;
    a stay past the horizon writes no ``-1``); scratch: ``rows`` of shape
    ``(2 + group + state, state)``, ``survive`` ``(state, horizon)``, ``batch``
    ``(3, BATCH)`` and ``movers`` ``(BATCH,)`` (int).
    Participant ``i`` enters its exit state in month index ``exit_months[i]``
    (staggered intake: only where its first +1 goes); its random numbers do not
    depend on it. Draw ``d``'s shares are ``shares[d]``, of shape ``(group, state)``:
    participant ``i`` exits by the row ``groups[i]``; its transitions ``trans[d]``.
    """
    n_groups, n_states = shares.shape[1], shares.shape[2]
    for k in range(n_states):
        for t in range(horizon):
            occ[k, t] = 0.0
    # Per state: exit probability q, 1 / log(1 − q), and the probabilities of
    # staying m more months, (1 − q)^m (by repeated products, as the reference's
    # cumprod: 1 for q = 0, never leaves; 0 from m = 1 for q = 1, leaves after a
    # month). Most participants are done after one uniform number and no logarithm.
    for k in range(n_states):
        q = 0.0
        for j in range(n_states):
            q += trans[d, k, j]
        rows[0, k] = q
        rows[1, k] = 1.0 / math.log1p(-q) if q < 1.0 else 0.0
        survive[k, 0] = 1.0
        _thresholds(trans, d, k, rows, 2 + n_groups + k)
    for m in range(1, horizon):
        for k in range(n_states):
            survive[k, m] = survive[k, m - 1] * (1.0 - rows[0, k])
    for g in range(n_groups):
        _thresholds(shares, d, g, rows, 2 + g)
    # batch[0]: each participant's first sojourn number, batch[1]: its exit
    # state, batch[2]: scratch for counting thresholds below its number.
    for start in range(0, participants, BATCH):
        size = min(BATCH, participants - start)
        # Each participant's two first numbers, then its exit state: loops without
        # branches or stores to shared cells, which the compiler vectorises.
        for i in range(size):
            pkey = substream(key, start + i)
            batch[1, i] = uniform(pkey, 0)
            batch[0, i] = uniform(pkey, 1)
        if n_groups == 1:
            for i in range(size):
                batch[2, i] = 0.0
            for j in range(n_states - 1):
                threshold = rows[2, j]
                for i in range(size):
                    batch[2, i] += batch[1, i] >= threshold
            for i in range(size):
                batch[1, i] = batch[2, i]
        else:
            for i in range(size):
                batch[1, i] = _pick(rows, 2 + groups[start + i], batch[1, i])
        # Enter the exit states; most stay past the horizon, and the others are
        # listed without a branch (which would mispredict).
        moving = 0
        for i in range(size):
            k = int(batch[1, i])
            t = exit_months[start + i]
            occ[k, t] += 1.0
            movers[moving] = i
            moving += batch[0, i] > survive[k, horizon - 1 - t]
        for m in range(moving):
            i = movers[m]
            _walk(occ, rows, survive, substream(key, start + i), int(batch[1, i]), exit_months[start + i], batch[0, i], horizon, n_groups)
    for k in range(n_states):
        run = 0.0
        for t in range(horizon):
            run += occ[k, t]
            occ[k, t] = run


@jit
def _add_exits(occ, t, shares, d, g, key, c, participants):
    """Add ``participants`` exits in month index ``t``: counts ~ Multinomial(N, shares[d, g]).

    Sequential binomials; the last state with a positive share takes the rest,
    so rounding never puts anyone in a state without a share. Returns ``c``.
    """
    n_states = shares.shape[2]
    last = _last_positive(shares, d, g)
    remaining = participants
    rest = 1.0
    for k in range(n_states):
        share = shares[d, g, k]
        if k == last:
            count = remaining
        elif share <= 0.0 or remaining == 0:
            count = 0
        else:
            count, c = binomial(key, c, remaining, min(share / rest, 1.0))
        occ[k, t] += count
        remaining -= count
        rest -= share
    return c


@jit
def _aggregate_occupancy(occ, shares, trans, d, key, exit_counts, horizon):
    """Sampled cohort by counts: fill ``occ[k, t]`` for ``t < horizon``.

    ``exit_counts[t, g]`` participants of group ``g`` exit in month index ``t``
    with the shares ``shares[d, g]``. Random numbers: one counter-based stream per
    draw (the draw's key), used in order: month 0's exit counts (group by
    group), then for each month the leavers and their destinations, then that
    month's exit counts.
    """
    n_groups, n_states = shares.shape[1], shares.shape[2]
    for k in range(n_states):
        occ[k, 0] = 0.0
    c = 0
    for g in range(n_groups):
        c = _add_exits(occ, 0, shares, d, g, key, c, int(exit_counts[0, g]))
    for t in range(1, horizon):
        for j in range(n_states):
            occ[j, t] = 0.0
        for k in range(n_states):
            n = int(occ[k, t - 1])
            if n == 0:
                continue
            q = 0.0
            for j in range(n_states):
                q += trans[d, k, j]
            if q <= 0.0:
                occ[k, t] += n
                continue
            leave, c = binomial(key, c, n, min(q, 1.0))
            occ[k, t] += n - leave
            dest_last = _last_positive(trans, d, k)
            rest = q
            for j in range(n_states):
                if leave == 0:
                    break
                pj = trans[d, k, j]
                if pj <= 0.0:
                    continue
                if j == dest_last:
                    moved = leave
                else:
                    moved, c = binomial(key, c, leave, min(pj / rest, 1.0))
                occ[j, t] += moved
                leave -= moved
                rest -= pj
        for g in range(n_groups):
            if exit_counts[t, g] > 0.0:
                c = _add_exits(occ, t, shares, d, g, key, c, int(exit_counts[t, g]))


@jit
def _expected_occupancy(occ, shares, trans, d, exit_counts, horizon):
    """Expected cohort: ``occ[:, t] = occ[:, t−1] P + e(t) · shares``.

    ``e(t)`` = ``exit_counts[t]``, the exits in month index ``t``: the sum over
    exit cohorts of each one's Markov trace (with all exits at month 0 it is
    ``N · x(t)``, ``x(t+1) = x(t) P``). With groups, ``e(t) · shares`` is
    ``Σ_g exit_counts[t, g] · shares[d, g]``; ``P`` is ``trans[d]`` with its diagonal.
    """
    n_groups, n_states = shares.shape[1], shares.shape[2]
    for k in range(n_states):
        occ[k, 0] = 0.0
        for g in range(n_groups):
            occ[k, 0] += exit_counts[0, g] * shares[d, g, k]
    for t in range(1, horizon):
        for j in range(n_states):
            occ[j, t] = 0.0
        for k in range(n_states):
            stay = occ[k, t - 1]
            for j in range(n_states):
                moved = occ[k, t - 1] * trans[d, k, j]
                occ[j, t] += moved
                stay -= moved
            occ[k, t] += stay
        for g in range(n_groups):
            if exit_counts[t, g] > 0.0:
                for k in range(n_states):
                    occ[k, t] += exit_counts[t, g] * shares[d, g, k]


@jit
def _results(occ, curves, yearly, cum, d, x, out):
    """Draw ``d``'s results per actor: payback month (NaN if none), net benefit and revenue per year.

    Flows are linear in the occupancy, so the discounting is done once per
    state rather than once per actor: ``curves[k, t]`` is state ``k``'s
    discounted cumulative occupancy up to month ``t + 1`` and ``curves[state, t]``
    the discounted cumulative share of the cost; then actor ``a``'s cumulative
    net benefit is ``cum[a, t] = Σ_k rel[d, k, a] · curves[k, t] − cost[d, a] · curves[state, t]``,
    a loop over months that the compiler vectorises. ``yearly[k, y]`` is the
    (undiscounted) occupancy of year ``y``. Scratch shapes: ``curves (state + 3,
    horizon)`` (the states', the cost's, then each month's discount weight and drop-off factor),
    ``yearly (state, year)``, ``cum (actor, horizon)``; ``cum`` is
    copied to ``monthly[d]`` when that has months (shape ``(draw, actor, 0)``:
    not kept).

    ``cost_months[t]`` is the share of ``cost`` falling in month ``t`` (0: the
    undiscounted lump; ``t ≥ 1`` discounted like month ``t``'s flows). The flow
    of month ``t`` (1-based) is weighted ``(1 − drop_off)^floor((t − 1 − drop_from) / 12)``
    from month ``drop_from + 1`` on (1 before).
    """
    rel, cost, horizon, cost_months, drop_from = x.rel, x.cost, x.horizon, x.cost_months, x.drop_from
    payback, net_benefit, revenue, monthly = out.payback, out.net_benefit, out.revenue, out.cumulative
    n_states, n_actors = rel.shape[1], rel.shape[2]
    years = horizon // 12
    step = (1.0 + x.rate[d]) ** (-1.0 / 12.0)
    keep = 1.0 - x.drop_off[d]
    weight = 1.0
    decay = 1.0
    spent = cost_months[0]
    weights, decays = curves[n_states + 1], curves[n_states + 2]
    for t in range(horizon):
        weight *= step
        if t > drop_from and (t - drop_from) % 12 == 0:
            decay *= keep
        spent += cost_months[t + 1] * weight
        curves[n_states, t] = spent
        weights[t] = weight
        decays[t] = decay
    # A state at a time, its running sums in registers: the same additions in the same order as month by
    # month over the states, without a stored value read back at every step (the horizon is whole years).
    for k in range(n_states):
        run = 0.0
        for y in range(years):
            total = 0.0
            for t in range(12 * y, 12 * y + 12):
                n = occ[k, t] * decays[t]
                run = run + n * weights[t]
                curves[k, t] = run
                total += n
            yearly[k, y] = total
    keep_months = monthly.shape[2] > 0
    for a in range(n_actors):
        c = -cost[d, a]
        for t in range(horizon):
            cum[a, t] = c * curves[n_states, t]
        for k in range(n_states):
            r = rel[d, k, a]
            if r != 0.0:
                for t in range(horizon):
                    cum[a, t] += r * curves[k, t]
        tol = -(PAYBACK_RTOL * abs(cost[d, a]) + PAYBACK_ATOL)
        payback[d, a] = np.nan
        for t in range(horizon):
            if cum[a, t] >= tol:
                payback[d, a] = t + 1
                break
        for y in range(years):
            net_benefit[d, a, y] = cum[a, 12 * y + 11]
            total = 0.0
            for k in range(n_states):
                total += rel[d, k, a] * yearly[k, y]
            revenue[d, a, y] = total
        if keep_months:
            for t in range(horizon):
                monthly[d, a, t] = cum[a, t]


# One driver per cohort path, chosen in Python, so that a process compiles (and
# caches) only the path it runs: each costs seconds to compile. (A runtime
# ``engine`` argument would compile all three; ``numba.literally`` would not,
# but re-dispatches every call through Python at ~10 ms.) A driver computes one
# block of draws; the blocks run on a pool of Python threads (the drivers release
# the GIL), which compiles in under 5 s where a ``prange`` driver took 12 s. Each call
# allocates its own scratch: blocks' rows of one shared array would put two
# threads' hot cells on one cache line.


@jit
def _block_scratch(shares, rel, horizon):
    """Per-block buffers: occupancy ``(state, horizon)``, the results' curves,
    yearly occupancy and cumulative net benefit (see :func:`_results`)."""
    n_states, n_actors = shares.shape[2], rel.shape[2]
    return (
        np.empty((n_states, horizon)),
        np.empty((n_states + 3, horizon)),
        np.empty((n_states, horizon // 12)),
        np.empty((n_actors, horizon)),
    )


@jit
def _keep(occ, d, out):
    """Copy draw ``d``'s occupancy to ``out.occupancy[d]`` when that has months (else it is not kept)."""
    kept = out.occupancy
    if kept.shape[2] > 0:
        for k in range(occ.shape[0]):
            for t in range(occ.shape[1]):
                kept[d, k, t] = occ[k, t]


@jit
def _simulate_person(b, n_blocks, x, out):
    n_draws, n_groups, n_states = x.shares.shape
    occ, curve, year, cum = _block_scratch(x.shares, x.rel, x.horizon)
    rows, survive = np.empty((2 + n_groups + n_states, n_states)), np.empty((n_states, x.horizon))
    batch, moving = np.empty((3, BATCH)), np.empty(BATCH, dtype=np.int64)
    for d in range(b * n_draws // n_blocks, (b + 1) * n_draws // n_blocks):
        _person_occupancy(
            occ, rows, survive, batch, moving, x.shares, x.trans, d, x.keys[d], x.participants, x.horizon, x.exit_months, x.groups
        )
        _keep(occ, d, out)
        _results(occ, curve, year, cum, d, x, out)


@jit
def _simulate_aggregate(b, n_blocks, x, out):
    n_draws = x.shares.shape[0]
    occ, curve, year, cum = _block_scratch(x.shares, x.rel, x.horizon)
    for d in range(b * n_draws // n_blocks, (b + 1) * n_draws // n_blocks):
        _aggregate_occupancy(occ, x.shares, x.trans, d, x.keys[d], x.exit_counts, x.horizon)
        _keep(occ, d, out)
        _results(occ, curve, year, cum, d, x, out)


@jit
def _simulate_expected(b, n_blocks, x, out):
    n_draws = x.shares.shape[0]
    occ, curve, year, cum = _block_scratch(x.shares, x.rel, x.horizon)
    for d in range(b * n_draws // n_blocks, (b + 1) * n_draws // n_blocks):
        _expected_occupancy(occ, x.shares, x.trans, d, x.exit_counts, x.horizon)
        _keep(occ, d, out)
        _results(occ, curve, year, cum, d, x, out)


@jit
def _simulate_given(b, n_blocks, x, out):
    """The results of occupancies already simulated (``x.given``): no random number drawn."""
    n_draws = x.shares.shape[0]
    occ, curve, year, cum = _block_scratch(x.shares, x.rel, x.horizon)
    for d in range(b * n_draws // n_blocks, (b + 1) * n_draws // n_blocks):
        for k in range(occ.shape[0]):
            for t in range(occ.shape[1]):
                occ[k, t] = x.given[d, k, t]
        _results(occ, curve, year, cum, d, x, out)


#: Draws per thread below which a call runs in one thread: the pool's hand-over (~0.1 ms a call) would
#: cost more than a second thread saves.
MIN_DRAWS_PER_THREAD = 512

_POOLS: dict = {}  # threads → the pool that runs the blocks, kept between calls (a run calls once per chunk)


def _pool(threads: int):
    """The process's pool of ``threads`` threads, started on first use (a new one after a fork)."""
    pool = _POOLS.get(threads)
    if pool is None:
        import os  # only for more than one thread
        from concurrent.futures import ThreadPoolExecutor  # only for more than one thread

        if not _POOLS:
            os.register_at_fork(after_in_child=_POOLS.clear)  # a forked child has none of the parent's threads
        pool = _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="simsam")
    return pool


def _in_blocks(driver, n_blocks, threads, x, out):
    """``driver(b, n_blocks, x, out)`` for every block ``b``, on ``threads`` threads.

    The threads are started once per process and kept (starting two threads cost ~0.5 ms a call,
    a tenth of a short run's time); a call with fewer than :data:`MIN_DRAWS_PER_THREAD` draws per
    thread runs in the calling thread."""
    threads = min(threads, n_blocks, max(1, x.shares.shape[0] // MIN_DRAWS_PER_THREAD))
    if threads <= 1:
        for b in range(n_blocks):
            driver(b, n_blocks, x, out)
        return
    from concurrent.futures import wait  # only for more than one thread

    futures = [_pool(threads).submit(driver, b, n_blocks, x, out) for b in range(n_blocks)]
    try:
        for done in futures:
            done.result()
    except BaseException:
        # On Ctrl-C (or an error) the blocks not yet started are dropped, not run; the running ones end.
        for f in futures:
            f.cancel()
        wait(futures)
        raise


def _with_known_states(shares: np.ndarray, groups: np.ndarray, exit_states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Known exit states as one-hot groups: ``shares`` ``(draw, group + state, state)``, known participants in group
    ``group + k`` (module docstring); unchanged when no state is known."""
    n_draws, n_groups, n_states = shares.shape
    if exit_states.shape != groups.shape or (exit_states.size and (exit_states.min() < -1 or exit_states.max() >= n_states)):
        raise ValueError("exit_states must hold one state in [0, state), or -1 (drawn), per participant")
    known = exit_states >= 0
    if not known.any():
        return shares, groups
    one_hot = np.broadcast_to(np.eye(n_states), (n_draws, n_states, n_states))
    return np.concatenate([shares, one_hot], axis=1), np.where(known, n_groups + exit_states, groups).astype(np.int64)


def simulate_cohorts(
    inputs: CohortInputs,
    engine: int,
    *,
    threads: int = 1,
    blocks: int | None = None,
    monthly: bool = False,
    occupancy: bool = False,
    given: np.ndarray | None = None,
) -> CohortResults:
    """Simulate one cohort per draw and compute each actor's results.

    Parameters
    ----------
    inputs : CohortInputs
        The draws' arrays and the cohort's shape (see :class:`CohortInputs`).
    engine : int
        :data:`PERSON` or :data:`AGGREGATE` (sampled cohort, by participant or
        by counts), or :data:`EXPECTED` (the Markov cohort trace).
    threads : int
        Threads that run the blocks (results do not depend on it).
    blocks : int, optional
        Number of work blocks (default ``8 · threads``; results do not depend on it).
    monthly : bool
        Also return the cumulative net benefit after every month.
    occupancy : bool
        Also return each draw's occupancy ``(draw, state, month)``.
    given : ndarray, shape ``(draw, state, month)``, optional
        Occupancies already simulated (one run's ``occupancy``): the results are computed from
        them and nothing is drawn; ``engine`` is then not used. Given the occupancy a run
        simulated, with the same inputs, every result is that run's, bit for bit (the same
        compiled code computes it from the same numbers).

    Returns
    -------
    CohortResults
    """
    x = inputs
    shares = np.asarray(x.shares, dtype=np.float64)
    if shares.ndim == 2:
        shares = shares[:, None, :]
    n_draws, n_groups, n_states = shares.shape
    n_actors = x.rel.shape[2]
    participants, horizon = int(x.participants), int(x.horizon)
    years = horizon // 12
    groups = np.zeros(participants, dtype=np.int64) if x.groups is None else np.ascontiguousarray(x.groups, dtype=np.int64)
    if groups.shape != (participants,) or (participants and (groups.min() < 0 or groups.max() >= n_groups)):
        raise ValueError("groups must hold one group index in [0, group) per participant")
    if x.exit_states is not None:
        shares, groups = _with_known_states(shares, groups, np.asarray(x.exit_states))
        n_groups = shares.shape[1]
    exit_months = np.zeros(participants, dtype=np.int64) if x.exit_months is None else np.ascontiguousarray(x.exit_months, dtype=np.int64)
    if exit_months.shape != (participants,) or (participants and (exit_months.min() < 0 or exit_months.max() >= horizon)):
        raise ValueError("exit_months must hold one month in [0, horizon) per participant")
    exit_counts = np.bincount(exit_months * n_groups + groups, minlength=horizon * n_groups).astype(np.float64).reshape(horizon, n_groups)
    if x.cost_months is None:
        cost_months = np.zeros(horizon + 1)
        cost_months[0] = 1.0
    else:
        cost_months = np.ascontiguousarray(x.cost_months, dtype=np.float64)
    if cost_months.shape != (horizon + 1,):
        raise ValueError("cost_months must have horizon + 1 entries")
    drop_off = np.zeros(n_draws) if x.drop_off is None else np.ascontiguousarray(x.drop_off, dtype=np.float64)
    if given is None:
        given = np.empty((0, n_states, horizon))
    else:
        given = np.ascontiguousarray(given, dtype=np.float64)
        if given.shape != (n_draws, n_states, horizon):
            raise ValueError(f"given must have shape (draw, state, month) = {(n_draws, n_states, horizon)}, not {given.shape}")
    threads = max(1, int(threads))
    blocks = max(1, min(8 * threads if blocks is None else blocks, n_draws))
    out = _Out(
        np.empty((n_draws, n_actors)),
        np.empty((n_draws, n_actors, years)),
        np.empty((n_draws, n_actors, years)),
        np.empty((n_draws, n_actors, horizon if monthly else 0)),
        np.empty((n_draws, n_states, horizon if occupancy else 0)),
    )
    if n_draws:
        arrays = _Arrays(
            np.ascontiguousarray(shares, dtype=np.float64),
            np.ascontiguousarray(x.trans, dtype=np.float64),
            np.ascontiguousarray(x.keys, dtype=np.uint64),
            np.ascontiguousarray(x.rel, dtype=np.float64),
            np.ascontiguousarray(x.cost, dtype=np.float64),
            np.ascontiguousarray(x.rate, dtype=np.float64),
            exit_months,
            exit_counts,
            groups,
            cost_months,
            drop_off,
            participants,
            horizon,
            int(x.drop_from),
            given,
        )
        driver = {EXPECTED: _simulate_expected, AGGREGATE: _simulate_aggregate}.get(engine, _simulate_person)
        if len(given):
            driver = _simulate_given
        _in_blocks(driver, blocks, threads, arrays, out)
    return CohortResults(out.payback, out.net_benefit, out.revenue, out.cumulative if monthly else None,
                         out.occupancy if occupancy else None)

"""The numba cohort kernel against the NumPy reference, and against Markov theory."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simsam.engine import streams as rnd
from simsam.kernels.binomial import binomial
from simsam.kernels.cohort import AGGREGATE, EXPECTED, PERSON, CohortInputs, simulate_cohorts
from simsam.kernels.rng import mix64 as jit_mix64
from simsam.kernels.rng import uniform as jit_uniform

from . import reference as ref


def random_inputs(rng, n_draws, n_states, n_actors, horizon, *, with_rate=True):
    shares = rng.dirichlet(np.ones(n_states), size=n_draws)
    shares[rng.random((n_draws, n_states)) < 0.15] = 0.0  # some states without exits
    shares[shares.sum(axis=1) == 0, 0] = 1.0
    shares /= shares.sum(axis=1, keepdims=True)
    trans = rng.random((n_draws, n_states, n_states)) * rng.choice([0.0, 0.02, 0.2], size=(n_draws, n_states, 1))
    trans[:, np.arange(n_states), np.arange(n_states)] = 0.0
    absorbing = rng.random((n_draws, n_states)) < 0.3
    trans[absorbing] = 0.0
    if n_states > 1:  # a row that always moves (q = 1)
        trans[0, 0] = 0.0
        trans[0, 0, 1] = 1.0
    rel = rng.normal(0, 5000, size=(n_draws, n_states, n_actors))
    cost = np.abs(rng.normal(0, 2e5, size=(n_draws, n_actors)))
    cost[:, 0] = 0.0  # an actor without cost
    rate = rng.choice([0.0, 0.035], size=n_draws) if with_rate else np.zeros(n_draws)
    keys = rnd.draw_keys(int(rng.integers(2**31)), "cohort", np.arange(n_draws))
    return shares, trans, rel, cost, rate, keys


def test_rng_twins_agree():
    z = np.array([0, 1, 2**63, 2**64 - 1, 0x9E3779B97F4A7C15, 123456789], dtype=np.uint64)
    assert [int(jit_mix64(v)) for v in z] == [int(v) for v in rnd.mix64(z)]
    assert [int(jit_mix64(v)) for v in z] == [rnd.mix64(int(v)) for v in z]
    key = np.uint64(987654321987654321)
    expected = ref._stream(np.array([key]), np.arange(5))
    got = [jit_uniform(key, c) for c in range(5)]
    np.testing.assert_array_equal(got, expected)
    assert 0.0 < expected.min() and expected.max() < 1.0


def random_case(rng, engine, case):
    """Sizes and inputs of one random kernel case: ``(args, participants, horizon)``."""
    n_states = int(rng.integers(1, 5))
    n_actors = int(rng.integers(1, 6))
    horizon = int(rng.choice([12, 24, 60]))
    participants = int(rng.integers(1, 40))
    n_draws = int(rng.integers(1, 25))
    args = random_inputs(rng, n_draws, n_states, n_actors, horizon)
    if engine == AGGREGATE and case % 3 == 0:
        participants *= 1000  # large counts: BTPE
    return args, participants, horizon


def assert_kernel_matches_reference(rng, args, participants, horizon, engine, **options):
    inputs = CohortInputs(*args, participants, horizon, **options)
    got = simulate_cohorts(inputs, engine, threads=int(rng.integers(1, 3)), blocks=int(rng.integers(1, 6)), monthly=True, occupancy=True)
    want = ref.simulate_cohorts(inputs, engine, monthly=True, occupancy=True)
    np.testing.assert_array_equal(got.cumulative[:, :, 11::12], got.net_benefit)  # year ends of the monthly series
    for g, w, name in zip(got, want, got._fields, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-6, err_msg=name)
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg=name)
    # From the occupancy it simulated, the kernel computes every result again to the bit, drawing nothing.
    again = simulate_cohorts(inputs, engine, threads=int(rng.integers(1, 3)), blocks=int(rng.integers(1, 6)), monthly=True,
                             given=got.occupancy)
    for g, a, name in zip(got[:4], again[:4], got._fields[:4], strict=True):
        np.testing.assert_array_equal(a.view(np.uint64), g.view(np.uint64), err_msg=name)
    assert again.occupancy is None


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
@pytest.mark.parametrize("case", range(12))
def test_kernel_matches_reference(case, engine):
    rng = np.random.default_rng(1000 + case)
    args, participants, horizon = random_case(rng, engine, case)
    assert_kernel_matches_reference(rng, args, participants, horizon, engine)


def test_given_occupancy_is_checked():
    rng = np.random.default_rng(8)
    inputs = CohortInputs(*random_inputs(rng, 4, 3, 2, 24), 5, 24)
    with pytest.raises(ValueError, match="given must have shape"):
        simulate_cohorts(inputs, PERSON, given=np.zeros((4, 2, 24)))


def test_person_counts_are_whole_and_conserved():
    rng = np.random.default_rng(7)
    shares, trans, _, _, _, keys = random_inputs(rng, 30, 3, 1, 36)
    occ = ref.person_occupancy(shares, trans, keys, 17, 36)
    np.testing.assert_array_equal(occ.sum(axis=1), 17)
    np.testing.assert_array_equal(occ, np.round(occ))
    # The kernel gives the same counts: with rel = identity per state its monthly
    # flows are the counts themselves.
    rel = np.broadcast_to(np.eye(3), (30, 3, 3)).copy()
    revenue = simulate_cohorts(CohortInputs(shares, trans, rel, np.zeros((30, 3)), np.zeros(30), keys, 17, 36), PERSON).revenue
    np.testing.assert_array_equal(revenue, occ.reshape(30, 3, 3, 12).sum(axis=3))


def test_results_are_independent_of_blocks():
    rng = np.random.default_rng(3)
    args = random_inputs(rng, 50, 3, 4, 60)
    for engine in (PERSON, AGGREGATE):
        a = simulate_cohorts(CohortInputs(*args, 25, 60), engine, blocks=1)
        b = simulate_cohorts(CohortInputs(*args, 25, 60), engine, threads=2, blocks=13)
        for x, y in zip(a[:3], b[:3]):
            np.testing.assert_array_equal(x, y)


def test_analytic_payback_status_kept():
    """Fixed flows, no transitions: payback = ceil(12 C / R) (MODEL.md)."""
    rng = np.random.default_rng(11)
    n = 200
    monthly = rng.uniform(100, 10_000, size=n)  # kr per participant-month
    participants = 10
    annual = 12 * participants * monthly
    cost = annual * rng.uniform(0.05, 4.9, size=n)
    ratio = 12 * cost / annual
    keep = np.abs(ratio - np.round(ratio)) > 1e-6  # avoid exact ties: tested separately
    shares = np.ones((n, 1))
    trans = np.zeros((n, 1, 1))
    payback, nb, revenue, *_ = simulate_cohorts(
        CohortInputs(shares, trans, monthly[:, None, None], cost[:, None], np.zeros(n), np.zeros(n, np.uint64), participants, 60), EXPECTED
    )
    np.testing.assert_array_equal(payback[keep, 0], np.ceil(ratio[keep]))
    np.testing.assert_allclose(revenue[:, 0, 0], annual)
    np.testing.assert_allclose(nb[:, 0, 4], 5 * annual - cost)


def test_payback_edge_cases():
    # Exact break-even month counts; zero cost with zero flow pays back in month 1;
    # negative flows never pay back; cost that is never recovered gives NaN.
    rel = np.array([[[100.0, 0.0, -1.0, 100.0]]])
    cost = np.array([[1200.0, 0.0, 0.0, 1e9]])
    inputs = CohortInputs(np.ones((1, 1)), np.zeros((1, 1, 1)), rel, cost, np.zeros(1), np.zeros(1, np.uint64), 1, 24)
    payback = simulate_cohorts(inputs, EXPECTED).payback
    np.testing.assert_array_equal(payback[0, :2], [12.0, 1.0])
    assert np.isnan(payback[0, 2]) and np.isnan(payback[0, 3])


def test_discounting_closed_form():
    rate = 0.04
    f, cost = 41_200.0, 1.25e6
    _, nb, revenue, *_ = simulate_cohorts(
        CohortInputs(
            np.ones((1, 1)), np.zeros((1, 1, 1)), np.array([[[f]]]), np.array([[cost]]), np.array([rate]), np.zeros(1, np.uint64), 1, 60
        ),
        EXPECTED,
    )
    v = (1 + rate) ** (-1 / 12)
    for y in range(1, 6):
        m = 12 * y
        assert nb[0, 0, y - 1] == pytest.approx(f * v * (1 - v**m) / (1 - v) - cost, rel=1e-12)
    assert revenue[0, 0, 0] == pytest.approx(12 * f, rel=1e-15)  # revenue is undiscounted


def test_expected_cohort_trace_closed_form():
    """Two states, work → out with q per month: E[n_work(t)] = N s (1−q)^(t−1)."""
    q, s, n = 0.03, 0.4, 81
    shares = np.array([[s, 1 - s]])
    trans = np.array([[[0.0, q], [0.0, 0.0]]])
    rel = np.array([[[1.0], [0.0]]])  # flow = number at work
    revenue = simulate_cohorts(
        CohortInputs(shares, trans, rel, np.zeros((1, 1)), np.zeros(1), np.zeros(1, np.uint64), n, 24), EXPECTED
    ).revenue
    months = np.arange(1, 25)
    at_work = n * s * (1 - q) ** (months - 1)
    np.testing.assert_allclose(revenue[0, 0], at_work.reshape(2, 12).sum(axis=1), rtol=1e-12)


@pytest.mark.slow
def test_sampled_cohort_matches_markov_in_distribution():
    """Event-driven sojourns are the monthly Markov chain: same mean as the trace,
    and the same distribution as a month-by-month simulation with other random numbers."""
    shares = np.array([0.25, 0.45, 0.30])
    trans = np.array([[0.0, 0.02, 0.01], [0.015, 0.0, 0.005], [0.0, 0.01, 0.0]])
    rel = np.array([[10_000.0, 0.0], [2_000.0, 1.0], [0.0, 0.0]])  # two "actors"
    n_draws, participants, horizon = 4000, 30, 60
    keys = rnd.draw_keys(5, "cohort", np.arange(n_draws))
    args = (
        np.tile(shares, (n_draws, 1)),
        np.tile(trans, (n_draws, 1, 1)),
        np.tile(rel, (n_draws, 1, 1)),
        np.zeros((n_draws, 2)),
        np.zeros(n_draws),
        keys,
    )
    inputs = CohortInputs(*args, participants, horizon)
    sampled = simulate_cohorts(inputs, PERSON, threads=2).revenue
    aggregate = simulate_cohorts(inputs, AGGREGATE, threads=2).revenue
    expected = simulate_cohorts(inputs, EXPECTED).revenue
    for path in (sampled, aggregate):
        mean, se = path.mean(axis=0), path.std(axis=0, ddof=1) / np.sqrt(n_draws)
        z = (mean - expected[0]) / se
        assert np.all(np.abs(z) < 4.5), z
    rng = np.random.default_rng(99)
    monthly = np.array(
        [(rel.T @ ref.monthly_markov_cohort(shares, trans, participants, horizon, rng)).reshape(2, 5, 12).sum(axis=2) for _ in range(1500)]
    )
    for actor in range(2):
        for year in (0, 4):
            assert stats.ks_2samp(sampled[:, actor, year], monthly[:, actor, year]).pvalue > 1e-3
            assert stats.ks_2samp(aggregate[:, actor, year], monthly[:, actor, year]).pvalue > 1e-3
            assert stats.ks_2samp(aggregate[:, actor, year], sampled[:, actor, year]).pvalue > 1e-3


@pytest.mark.parametrize("n,p", [(7, 0.3), (81, 0.02), (1000, 0.01), (10**6, 0.013), (500, 0.7), (10**5, 0.95), (40, 0.5)])
def test_binomial_sampler_matches_scipy_moments_and_chi_square(n, p):
    """Inversion (n p < 10) and BTRS: moments and a chi-square test against scipy."""
    key = rnd.stream_key(17, f"binomial-{n}-{p}")
    draws, c = [], 0
    for _ in range(20_000):
        x, c = binomial(np.uint64(key), c, n, p)
        draws.append(x)
    x = np.array(draws)
    mean, var = n * p, n * p * (1 - p)
    assert abs(x.mean() - mean) < 4.5 * np.sqrt(var / x.size)
    assert x.var(ddof=1) == pytest.approx(var, rel=0.06)
    lo, hi = stats.binom.ppf([0.001, 0.999], n, p)
    edges = np.unique(np.linspace(lo, hi + 1, 25).astype(int))
    observed, _ = np.histogram(x, bins=np.concatenate([[-1], edges[1:-1], [n + 1]]))
    cdf = stats.binom.cdf(np.concatenate([[-1], edges[1:-1] - 1, [n]]), n, p)
    expected = np.diff(cdf) * x.size
    assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 1e-4
    # The Python reference draws the same numbers from the same stream.
    c2 = 0
    for want in draws[:50]:
        got, c2 = ref.binomial(np.uint64(key), c2, n, p)
        assert got == want


# --- staggered intake, cost schedule, drop-off (issue 7, items 2 and 3) ------------------


def random_timing(rng, n_draws, participants, horizon):
    """Exit months (some at 0, some late), a cost schedule and drop-off per draw."""
    kind = int(rng.integers(3))
    if kind == 0:  # even over a period, as [project] exits = { over_months = M }
        over = int(rng.integers(0, horizon))
        exit_months = (np.arange(participants) * over) // participants
    else:
        exit_months = rng.integers(0, horizon, size=participants) * (rng.random(participants) < 0.8)
    cost_months = np.zeros(horizon + 1)
    spread = int(rng.integers(0, horizon + 1))
    if spread == 0:
        cost_months[0] = 1.0
    else:
        cost_months[: spread + 1] = rng.random(spread + 1)
        cost_months /= cost_months.sum()
    drop_off = rng.choice([0.0, 0.1, 0.5, 1.0], size=n_draws)
    drop_from = int(rng.integers(0, horizon))
    return dict(exit_months=exit_months, cost_months=cost_months, drop_off=drop_off, drop_from=drop_from)


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
@pytest.mark.parametrize("case", range(10))
def test_kernel_matches_reference_with_timing(case, engine):
    rng = np.random.default_rng(5000 + case)
    args, participants, horizon = random_case(rng, engine, case)
    n_draws, n_states = args[0].shape
    timing = random_timing(rng, n_draws, participants, horizon)
    if case % 2:  # participant groups with their own exit shares (heterogeneous participants)
        args, timing["groups"] = random_groups(rng, args, participants)
    assert_kernel_matches_reference(rng, args, participants, horizon, engine, **timing)


def random_groups(rng, args, participants):
    """1–3 participant groups with their own exit shares (``args`` with 3-D shares) and each participant's group."""
    n_draws, n_states = args[0].shape
    n_groups = int(rng.integers(1, 4))
    grouped = args[0][:, None, :] * rng.uniform(0.2, 5.0, size=(n_draws, n_groups, n_states))
    return (grouped / grouped.sum(axis=2, keepdims=True),) + args[1:], rng.integers(0, n_groups, size=participants)


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
def test_neutral_timing_equals_engine_exactly(engine):
    """All exits in month 0, all cost at month 0, no drop-off: bit-identical to the engine."""
    rng = np.random.default_rng(77)
    args = random_inputs(rng, 40, 3, 4, 60)
    base = simulate_cohorts(CohortInputs(*args, 30, 60), engine)
    neutral = simulate_cohorts(
        CohortInputs(
            *args, 30, 60, exit_months=np.zeros(30, int), cost_months=np.r_[1.0, np.zeros(60)], drop_off=np.zeros(40), drop_from=7
        ),
        engine,
    )
    one_group = simulate_cohorts(CohortInputs(args[0][:, None, :], *args[1:], 30, 60, groups=np.zeros(30, int)), engine)
    for a, b in zip(base[:3], one_group[:3]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(base[:3], neutral[:3]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
def test_staggered_hand_computed(engine):
    """Two participants exiting in months 0 and 12, flow f each per month, cost 30 f.

    Cumulative flow: f·m up to month 12, then 12 f + 2 f (m − 12): payback at
    12 + (30 − 12)/2 = month 21; revenue 12 f, 24 f, 24 f. With the cost spread
    evenly over months 1–12 instead, NB(12) = 12 f − 30 f and the payback month
    is the same, NB(36) likewise.
    """
    f, cost = 1000.0, 30_000.0
    one = (np.ones((1, 1)), np.zeros((1, 1, 1)), np.array([[[f]]]), np.array([[cost]]), np.zeros(1), np.array([7], np.uint64))
    exits = np.array([0, 12])
    payback, nb, revenue, *_ = simulate_cohorts(CohortInputs(*one, 2, 36, exit_months=exits), engine)
    assert payback[0, 0] == 21
    np.testing.assert_allclose(revenue[0, 0], [12 * f, 24 * f, 24 * f], rtol=1e-15)
    np.testing.assert_allclose(nb[0, 0], [12 * f - cost, 36 * f - cost, 60 * f - cost], rtol=1e-15)
    spread = np.r_[0.0, np.full(12, 1 / 12), np.zeros(24)]
    payback, nb, _, *_ = simulate_cohorts(CohortInputs(*one, 2, 36, exit_months=exits, cost_months=spread), engine)
    assert payback[0, 0] == 21
    np.testing.assert_allclose(nb[0, 0], [12 * f - cost, 36 * f - cost, 60 * f - cost], rtol=1e-12)
    # Discounted: each month's cost share is discounted like that month's flow.
    rate = 0.05
    nb = simulate_cohorts(
        CohortInputs(*one[:4], np.array([rate]), one[5], 2, 36, exit_months=exits, cost_months=spread), engine
    ).net_benefit
    v = (1 + rate) ** (-np.arange(1, 37) / 12)
    flow = np.where(np.arange(1, 37) <= 12, f, 2 * f) - cost * spread[1:]
    assert nb[0, 0, 2] == pytest.approx(np.sum(flow * v), rel=1e-12)


def test_drop_off_closed_form():
    """Drop-off d per year: year y's revenue is 12 N f (1 − d)^(y − 1), the five-year
    sum 12 N f (1 − (1 − d)^5) / d (geometric), in the expected cohort."""
    f, n, d, cost = 2500.0, 81, 0.2, 1.0e6
    one = (np.ones((1, 1)), np.zeros((1, 1, 1)), np.array([[[f]]]), np.array([[cost]]), np.zeros(1), np.zeros(1, np.uint64))
    payback, nb, revenue, *_ = simulate_cohorts(CohortInputs(*one, n, 60, drop_off=np.array([d])), EXPECTED)
    years = np.arange(1, 6)
    np.testing.assert_allclose(revenue[0, 0], 12 * n * f * (1 - d) ** (years - 1), rtol=1e-12)
    assert nb[0, 0, 4] == pytest.approx(12 * n * f * (1 - (1 - d) ** 5) / d - cost, rel=1e-12)
    # Payback: 12 N f = 2.43 Mkr in year 1 covers the cost within it: ceil(12 C / R).
    assert payback[0, 0] == np.ceil(cost / (n * f))


def test_timing_arrays_are_checked():
    """An exit at or after the horizon is refused, not silently dropped."""
    one = (np.ones((1, 1)), np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.zeros((1, 1)), np.zeros(1), np.zeros(1, np.uint64))
    with pytest.raises(ValueError, match="exit_months"):
        simulate_cohorts(CohortInputs(*one, 2, 12, exit_months=np.array([0, 12])), EXPECTED)
    with pytest.raises(ValueError, match="cost_months"):
        simulate_cohorts(CohortInputs(*one, 2, 12, cost_months=np.ones(12)), EXPECTED)


def test_month_by_month_numpy_agrees_with_the_markov_trace():
    """The benchmarks' month-by-month NumPy simulation (the model as MODEL.md states
    it) has the Markov trace as its mean: state counts at months 12 and 60 within
    5 standard errors, per state, over 3000 draws of random parameters."""
    rng = np.random.default_rng(17)
    draws, participants, horizon = 3000, 40, 60
    shares = rng.dirichlet([2.0, 3.0, 1.5], size=draws)
    trans = rng.uniform(0.0, 0.02, size=(draws, 3, 3))
    trans[:, range(3), range(3)] = 0.0
    occ = ref.monthly_markov_cohorts(shares, trans, participants, horizon, rng)
    assert np.all(occ.sum(axis=1) == participants)
    expected = ref.expected_occupancy(shares, trans, participants, horizon)
    for month in (11, 59):
        diff = (occ - expected)[:, :, month]
        z = diff.mean(axis=0) / (diff.std(axis=0, ddof=1) / np.sqrt(draws))
        assert np.all(np.abs(z) < 5), (month, z)


# --- known exit states (monitoring a running project, issue 16 item 5) ----------------------


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
@pytest.mark.parametrize("case", range(10))
def test_kernel_matches_reference_with_known_exit_states(case, engine):
    """Some participants' exit states known (fixed in every draw), with staggered exits and groups."""
    rng = np.random.default_rng(8000 + case)
    args, participants, horizon = random_case(rng, engine, case)
    n_draws, n_states = args[0].shape
    options = random_timing(rng, n_draws, participants, horizon) if case % 3 else {}
    if case % 2:
        args, options["groups"] = random_groups(rng, args, participants)
    known = rng.integers(0, n_states, size=participants)
    options["exit_states"] = np.where(rng.random(participants) < rng.choice([0.0, 0.5, 1.0]), known, -1)
    assert_kernel_matches_reference(rng, args, participants, horizon, engine, **options)


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
def test_no_known_exit_state_is_the_engine_exactly(engine):
    """``exit_states`` all −1 gives bit-identical results to leaving it out."""
    rng = np.random.default_rng(78)
    args = random_inputs(rng, 40, 3, 4, 60)
    base = simulate_cohorts(CohortInputs(*args, 30, 60), engine)
    none_known = simulate_cohorts(CohortInputs(*args, 30, 60, exit_states=np.full(30, -1)), engine)
    for a, b in zip(base[:3], none_known[:3]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
def test_known_exit_states_are_fixed_in_every_draw(engine):
    """Everyone's exit state known and no moves: every draw has the same occupancy, whatever its
    shares; with rel = the identity per state the yearly revenue is 12 × the known counts. With
    half of them known, the known half's counts are a floor under each state's occupancy."""
    rng = np.random.default_rng(79)
    n_draws, n_states, participants = 50, 3, 20
    shares, _, _, _, _, keys = random_inputs(rng, n_draws, n_states, 1, 24)
    trans = np.zeros((n_draws, n_states, n_states))
    rel = np.broadcast_to(np.eye(n_states), (n_draws, n_states, n_states)).copy()
    zeros = (np.zeros((n_draws, n_states)), np.zeros(n_draws), keys)
    known = np.array([0] * 5 + [1] * 9 + [2] * 6)
    revenue = simulate_cohorts(CohortInputs(shares, trans, rel, *zeros, participants, 24, exit_states=known), engine).revenue
    np.testing.assert_array_equal(revenue, np.broadcast_to(12.0 * np.array([5, 9, 6])[None, :, None], revenue.shape))
    half = np.where(np.arange(participants) % 2 == 0, known, -1)
    revenue = simulate_cohorts(CohortInputs(shares, trans, rel, *zeros, participants, 24, exit_states=half), engine).revenue
    floor = 12.0 * np.bincount(half[half >= 0], minlength=n_states)
    assert np.all(revenue[:, :, 0] >= floor[None, :] - 1e-9)
    np.testing.assert_allclose(revenue[:, :, 0].sum(axis=1), 12.0 * participants)


def test_known_exit_states_are_checked():
    one = (np.ones((1, 2)) / 2, np.zeros((1, 2, 2)), np.ones((1, 2, 1)), np.zeros((1, 1)), np.zeros(1), np.zeros(1, np.uint64))
    with pytest.raises(ValueError, match="exit_states"):
        simulate_cohorts(CohortInputs(*one, 2, 12, exit_states=np.array([0, 2])), EXPECTED)
    with pytest.raises(ValueError, match="exit_states"):
        simulate_cohorts(CohortInputs(*one, 2, 12, exit_states=np.array([0])), EXPECTED)

"""The numba cohort kernel against the NumPy reference, and against Markov theory."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simsam import random as rnd
from simsam.kernels.binomial import binomial
from simsam.kernels.cohort import AGGREGATE, EXPECTED, PERSON, simulate_cohorts
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


@pytest.mark.parametrize("engine", [PERSON, AGGREGATE, EXPECTED], ids=["person", "aggregate", "expected"])
@pytest.mark.parametrize("case", range(12))
def test_kernel_matches_reference(case, engine):
    rng = np.random.default_rng(1000 + case)
    n_states = int(rng.integers(1, 5))
    n_actors = int(rng.integers(1, 6))
    horizon = int(rng.choice([12, 24, 60]))
    participants = int(rng.integers(1, 40))
    n_draws = int(rng.integers(1, 25))
    args = random_inputs(rng, n_draws, n_states, n_actors, horizon)
    if engine == AGGREGATE and case % 3 == 0:
        participants *= 1000  # large counts: BTPE
    got = simulate_cohorts(*args, participants, horizon, engine, blocks=int(rng.integers(1, 6)))
    want = ref.simulate_cohorts(*args, participants, horizon, engine)
    for g, w, name in zip(got, want, ("payback", "net_benefit", "revenue")):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-6, err_msg=name)
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg=name)


def test_person_counts_are_whole_and_conserved():
    rng = np.random.default_rng(7)
    shares, trans, _, _, _, keys = random_inputs(rng, 30, 3, 1, 36)
    occ = ref.person_occupancy(shares, trans, keys, 17, 36)
    np.testing.assert_array_equal(occ.sum(axis=1), 17)
    np.testing.assert_array_equal(occ, np.round(occ))
    # The kernel gives the same counts: with rel = identity per state its monthly
    # flows are the counts themselves.
    rel = np.broadcast_to(np.eye(3), (30, 3, 3)).copy()
    _, _, revenue = simulate_cohorts(shares, trans, rel, np.zeros((30, 3)), np.zeros(30), keys, 17, 36, PERSON)
    np.testing.assert_array_equal(revenue, occ.reshape(30, 3, 3, 12).sum(axis=3))


def test_results_are_independent_of_blocks():
    rng = np.random.default_rng(3)
    args = random_inputs(rng, 50, 3, 4, 60)
    for engine in (PERSON, AGGREGATE):
        a = simulate_cohorts(*args, 25, 60, engine, blocks=1)
        b = simulate_cohorts(*args, 25, 60, engine, blocks=13)
        for x, y in zip(a, b):
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
    payback, nb, revenue = simulate_cohorts(shares, trans, monthly[:, None, None], cost[:, None], np.zeros(n), np.zeros(n, np.uint64), participants, 60, EXPECTED)
    np.testing.assert_array_equal(payback[keep, 0], np.ceil(ratio[keep]))
    np.testing.assert_allclose(revenue[:, 0, 0], annual)
    np.testing.assert_allclose(nb[:, 0, 4], 5 * annual - cost)


def test_payback_edge_cases():
    # Exact break-even month counts; zero cost with zero flow pays back in month 1;
    # negative flows never pay back; cost that is never recovered gives NaN.
    rel = np.array([[[100.0, 0.0, -1.0, 100.0]]])
    cost = np.array([[1200.0, 0.0, 0.0, 1e9]])
    payback, _, _ = simulate_cohorts(np.ones((1, 1)), np.zeros((1, 1, 1)), rel, cost, np.zeros(1), np.zeros(1, np.uint64), 1, 24, EXPECTED)
    np.testing.assert_array_equal(payback[0, :2], [12.0, 1.0])
    assert np.isnan(payback[0, 2]) and np.isnan(payback[0, 3])


def test_discounting_closed_form():
    rate = 0.04
    f, cost = 41_200.0, 1.25e6
    _, nb, revenue = simulate_cohorts(np.ones((1, 1)), np.zeros((1, 1, 1)), np.array([[[f]]]), np.array([[cost]]), np.array([rate]), np.zeros(1, np.uint64), 1, 60, EXPECTED)
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
    _, _, revenue = simulate_cohorts(shares, trans, rel, np.zeros((1, 1)), np.zeros(1), np.zeros(1, np.uint64), n, 24, EXPECTED)
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
    args = (np.tile(shares, (n_draws, 1)), np.tile(trans, (n_draws, 1, 1)), np.tile(rel, (n_draws, 1, 1)), np.zeros((n_draws, 2)), np.zeros(n_draws), keys)
    _, _, sampled = simulate_cohorts(*args, participants, horizon, PERSON)
    _, _, aggregate = simulate_cohorts(*args, participants, horizon, AGGREGATE)
    _, _, expected = simulate_cohorts(*args[:5], keys, participants, horizon, EXPECTED)
    for path in (sampled, aggregate):
        mean, se = path.mean(axis=0), path.std(axis=0, ddof=1) / np.sqrt(n_draws)
        z = (mean - expected[0]) / se
        assert np.all(np.abs(z) < 4.5), z
    rng = np.random.default_rng(99)
    monthly = np.array([(rel.T @ ref.monthly_markov_cohort(shares, trans, participants, horizon, rng)).reshape(2, 5, 12).sum(axis=2) for _ in range(1500)])
    for actor in range(2):
        for year in (0, 4):
            assert stats.ks_2samp(sampled[:, actor, year], monthly[:, actor, year]).pvalue > 1e-3
            assert stats.ks_2samp(aggregate[:, actor, year], monthly[:, actor, year]).pvalue > 1e-3
            assert stats.ks_2samp(aggregate[:, actor, year], sampled[:, actor, year]).pvalue > 1e-3


@pytest.mark.parametrize("n,p", [(7, 0.3), (81, 0.02), (1000, 0.01), (10**6, 0.013), (500, 0.7), (10**5, 0.95), (40, 0.5)])
def test_binomial_sampler(n, p):
    """Inversion (n p ≤ 30) and BTPE: moments and a chi-square test against scipy."""
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

"""The binomial sampler of the aggregate path: inversion below a mean of 10, BTRS above.

Against its plain-Python twin (the same numbers from the same stream), against
``scipy.stats.binom`` (a chi-square test and the first two moments on 10⁵
variates), and its numerical pieces against mpmath.
"""

from __future__ import annotations

import math

import mpmath as mp
import numba
import numpy as np
import pytest
from scipy import stats

from simsam.engine import streams as rnd
from simsam.kernels import binomial as kernel
from simsam.kernels.binomial import BTRS_MIN_MEAN, RECURSION_MAX_DISTANCE, binomial

from . import reference as ref

SIZE = 100_000


@numba.njit
def _variates(key, n, p, size):
    out = np.empty(size, dtype=np.int64)
    c = 0
    for i in range(size):
        out[i], c = binomial(key, c, n, p)
    return out


def _key(*parts) -> np.uint64:
    return np.uint64(rnd.stream_key(29, "-".join(map(str, parts))))


def _assert_twins(key, n, p, draws=20):
    """The kernel and the Python reference give the same variates and counters."""
    c1 = c2 = 0
    for _ in range(draws):
        x1, c1 = binomial(key, c1, n, p)
        x2, c2 = ref.binomial(key, c2, n, p)
        assert (x1, c1) == (x2, c2), (n, p)
        assert 0 <= x1 <= n


def test_kernel_equals_reference_on_random_cases():
    rng = np.random.default_rng(3)
    for case in range(1500):
        n = int(10 ** rng.uniform(0, 9.3))
        kind = case % 3
        p = float(rng.random() if kind == 0 else 10 ** rng.uniform(-9, 0) if kind == 1 else 1 - 10 ** rng.uniform(-9, 0))
        _assert_twins(np.uint64(rng.integers(0, 2**63)), n, p)


@pytest.mark.parametrize(
    "n,p",
    [
        (1000, 0.00999), (1000, 0.01), (1000, 0.99001), (1000, 0.99),  # mean just below/at the switch
        (20, 0.5), (21, 0.5), (10**9, 0.5), (10**9, 1e-8), (10**9, 1 - 1e-8), (10**9, 0.3),
        (3 * 10**5, 0.005), (1500, 0.5), (25, 0.005), (3000, 0.007),
    ],
)
def test_kernel_equals_reference_on_edge_cases(n, p):
    _assert_twins(_key("twin", n, p), n, p, draws=200)


@pytest.mark.parametrize("n,p", [(0, 0.3), (-3, 0.3), (7, 0.0), (7, -0.1), (7, 1.0), (7, 1.5)])
def test_degenerate_cases_use_no_numbers(n, p):
    want = n if (n > 0 and p >= 1.0) else 0
    assert binomial(_key("degenerate"), 5, n, p) == (want, 5)
    assert ref.binomial(_key("degenerate"), 5, n, p) == (want, 5)


@pytest.mark.parametrize("n,p", [(40, 0.25), (1000, 0.375), (10**6, 2.0**-10), (50, 0.125)])
def test_p_above_half_is_n_minus_the_complement(n, p):
    """With ``1 − p`` exact, ``X(n, 1 − p) = n − X(n, p)`` on the same numbers."""
    key = _key("symmetry", n, p)
    for c in range(0, 200, 7):
        x, c1 = binomial(key, c, n, p)
        y, c2 = binomial(key, c, n, 1.0 - p)
        assert (y, c2) == (n - x, c1)


@pytest.mark.parametrize("n,p,btrs", [(1000, 0.00999, False), (1000, 0.01, True), (1000, 0.99001, False), (1000, 0.99, True)])
def test_the_switch_is_at_a_mean_of_10(n, p, btrs):
    key = _key("switch", n, p)
    small = min(p, 1.0 - p)
    assert (n * small >= BTRS_MIN_MEAN) == btrs
    algorithm = kernel._btrs if btrs else kernel._inversion
    for c in range(0, 100, 3):
        x, c1 = algorithm(key, c, n, small)
        assert binomial(key, c, n, p) == ((x if p <= 0.5 else n - x), c1)


@pytest.mark.parametrize(
    "n,p",
    [
        (25, 0.005), (81, 0.1), (1000, 0.00999),  # inversion
        (1000, 0.01), (20, 0.5), (100, 0.15), (3000, 0.007), (81, 0.7),  # BTRS, small means
        (1500, 0.5), (3 * 10**5, 0.005), (10**6, 0.013), (10**9, 0.3),  # BTRS, large means
    ],
)
def test_distribution_matches_scipy(n, p):
    """Chi-square on cells of expected count ≥ 20, and mean and variance within Monte Carlo error."""
    x = _variates(_key("distribution", n, p), n, p, SIZE)
    mean, var = n * p, n * p * (1.0 - p)
    assert abs(x.mean() - mean) < 5.0 * math.sqrt(var / SIZE)
    # Var of the sample variance: σ⁴ (2/(N−1) + κ/N), κ = (1 − 6pq)/(npq) the excess kurtosis.
    kurt = (1.0 - 6.0 * p * (1.0 - p)) / var
    assert abs(x.var(ddof=1) - var) < 5.0 * var * math.sqrt(2.0 / (SIZE - 1) + kurt / SIZE)
    # Cells [e_i, e_{i+1}) from 0 to n + 1: single values near the mode, merged
    # towards the tails until each expects at least 20 variates.
    lo, hi = (int(v) for v in stats.binom.ppf([1e-4, 1 - 1e-4], n, p))
    edges, acc = [0], stats.binom.cdf(lo - 1, n, p)
    for k, f in zip(range(lo, hi + 1), stats.binom.pmf(np.arange(lo, hi + 1), n, p)):
        acc += f
        if acc * SIZE >= 20.0:
            edges.append(k + 1)
            acc = 0.0
    edges[-1] = n + 1
    edges = np.array(edges)
    expected = np.diff(stats.binom.cdf(edges - 1, n, p)) * SIZE
    observed = np.histogram(x, bins=edges)[0]
    assert observed.sum() == SIZE
    assert expected.min() >= 19.0 and len(expected) >= 3
    assert stats.chisquare(observed, expected * SIZE / expected.sum()).pvalue > 1e-4


def test_log_factorial_correction_against_mpmath():
    mp.mp.dps = 40
    for k in list(range(60)) + [99, 1000, 12345, 10**6, 10**9]:
        exact = mp.loggamma(k + 1) - (k + mp.mpf(0.5)) * mp.log(k + 1) + (k + 1) - mp.log(2 * mp.pi) / 2
        got = kernel._log_factorial_correction(k)
        assert got == ref._log_factorial_correction(k)
        # An error in log j! is a relative error in f(k)/f(m): at most the series' next term.
        assert abs(got - float(exact)) < 4e-13, k


def _exact_log_ratio(n, p, k, m):
    lf = lambda j: mp.loggamma(j + 1)  # noqa: E731
    return lf(m) + lf(n - m) - lf(k) - lf(n - k) + (k - m) * (mp.log(p) - mp.log(1 - p))


_GRID = [(1000, 0.01), (20, 0.5), (50, 0.3), (1500, 0.5), (3 * 10**5, 0.005), (10**6, 0.013), (10**9, 0.3), (10**9, 1e-8)]


@pytest.mark.parametrize("n,p", _GRID)
def test_exact_test_log_ratio_against_mpmath(n, p):
    """BTRS's final test: ``log f(k)/f(m)`` to ~1e-12 (relative to |k − m|) whatever ``n``."""
    mp.mp.dps = 40
    m = math.floor((n + 1) * p)
    r = p / (1.0 - p)
    sd = math.sqrt(n * p * (1.0 - p))
    for dist in sorted({1, 2, 5, 16, 30, int(sd), int(3 * sd), int(8 * sd), int(20 * sd)}):
        for k in (m - dist, m + dist):
            if 0 <= k <= n:
                got = kernel._log_pmf_ratio(n, k, m, r)
                assert got == ref._log_pmf_ratio(n, k, m, r)
                exact = float(_exact_log_ratio(n, p, k, m))
                assert abs(got - exact) <= 1e-12 * (1.0 + abs(exact)) + 1e-13 * dist, (k, got, exact)


@pytest.mark.parametrize("n,p", _GRID)
def test_squeeze_brackets_the_log_ratio(n, p):
    """Where BTRS uses the squeeze (15 < |k − m| < npq/2 − 1), its bounds hold."""
    mp.mp.dps = 40
    npq = n * p * (1.0 - p)
    m = math.floor((n + 1) * p)
    top = npq / 2.0 - 1.0
    dists = {d for d in np.unique(np.geomspace(RECURSION_MAX_DISTANCE + 1, max(top, 17), 25).astype(int)) if d < top}
    for km in sorted(dists):
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        for k in (m - km, m + km):
            if 0 <= k <= n:
                exact = float(_exact_log_ratio(n, p, k, m))
                assert t - rho < exact < t + rho, (k, exact, t, rho)


@pytest.mark.parametrize("n,p", [(20, 0.5), (1000, 0.01), (10**6, 1e-5), (10**9, 0.5), (100, 0.1), (10**9, 1e-8)])
def test_box_of_the_quick_acceptance_stays_in_range(n, p):
    """BTRS returns the box's k unchecked: |u| ≤ 0.43 must map into [0, n] when n p ≥ 10."""
    spq = math.sqrt(n * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    for u in (-0.43, 0.43):
        k = math.floor((2.0 * a / (0.5 - abs(u)) + b) * u + n * p + 0.5)
        assert 0 <= k <= n

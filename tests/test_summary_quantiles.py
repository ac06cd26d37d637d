"""The summary's quantiles by selection (simsam.analysis.summary.selected_quantiles, simsam.kernels.selection) against
np.quantile and np.sort, bit for bit."""

import numpy as np
import pytest

from simsam.analysis.summary import QUANTILES, _quantiles, selected_quantiles
from simsam.kernels.selection import BUCKETS, order_statistics


def _probabilities(n):
    """The nine probabilities the summary asks for at ``n`` draws, and the ends."""
    out = [0.0, 1.0, 0.25, 0.75]
    for q in QUANTILES:
        half = (q * (1 - q) / n) ** 0.5
        out += [max(q - half, 0.0), q, min(q + half, 1.0)]
    return out


def _samples(rng):
    for n in [1, 2, 3, 4, 5, 7, 10, 19, 20, 21, 99, 100, 101, 1000, 4097, 100_000]:
        yield rng.normal(size=n) * 1e6
        yield np.round(rng.normal(size=n) * 3)  # ties
        yield rng.integers(1, 61, size=n).astype(float)  # payback months
        x = rng.integers(1, 61, size=n).astype(float)
        x[rng.random(n) < 0.3] = np.inf  # "not reached"
        yield x
        yield np.full(n, 2.5)
        yield np.where(rng.random(n) < 0.5, -np.inf, rng.lognormal(size=n))
    yield np.array([np.inf, np.inf, 1.0])
    yield np.array([1.0, np.nan, 2.0])


@pytest.mark.parametrize("method", ["linear", "inverted_cdf"])
def test_selected_quantiles_are_numpys_to_the_bit(method):
    rng = np.random.default_rng(4)
    checked = 0
    for x in _samples(rng):
        p = _probabilities(x.size)
        with np.errstate(invalid="ignore"):
            want = np.quantile(x, p, method=method)
        got = selected_quantiles(x, p, method)
        assert np.array_equal(got, want, equal_nan=True), (x.size, method, got, want)
        nonzero = got != 0  # of −0.0 and +0.0 (equal) either may be taken: the one thing allowed to differ
        assert np.array_equal(np.signbit(got[nonzero]), np.signbit(want[nonzero]))
        checked += 1
    assert checked > 90


def test_summary_quantiles_and_their_errors_are_unchanged():
    """_quantiles (what summary.csv prints) against the same statistics computed with np.quantile."""
    x = np.random.default_rng(9).gamma(2.0, 1e5, size=20_000)
    got = _quantiles(x)
    n = x.size
    for q, name in zip(QUANTILES, ("p05", "median", "p95")):
        half = (q * (1 - q) / n) ** 0.5
        lo, mid, hi = np.quantile(x, [max(q - half, 0.0), q, min(q + half, 1.0)])
        assert got[name] == mid and got[f"{name}_mcse"] == (hi - lo) / 2


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        selected_quantiles(np.arange(3.0), [0.5], "hazen")


def test_imap_threads_keeps_order_and_takes_any_item():
    """imap_threads (the summary's actors and totals on every core) yields in order, None items included."""
    from simsam.util.threads import imap_threads

    items = [3, None, 0, None, "x", 7]
    assert list(imap_threads(lambda x: x, items)) == items
    assert list(imap_threads(lambda x: x, items, parallel=False)) == items


def test_order_statistics_kernel_is_the_sorted_column():
    """simsam.kernels.selection.order_statistics against its NumPy twin np.sort(x)[ranks]: amounts, ties (whole
    numbers, a constant column, two values), ±inf, NaN counted as +inf or reported, columns wider than the
    histogram's buckets can tell apart (1e-300 next to 1e300), every rank of small columns."""
    rng = np.random.default_rng(8)
    cases = []
    for n in [1, 2, 3, 7, 64, 1000, 70_000]:
        cases += [rng.normal(size=n) * 1e6, np.round(rng.normal(size=n) * 3), np.full(n, -2.5), rng.choice([0.5, 7.0], n)]
        x = rng.normal(size=n)
        x[rng.random(n) < 0.1], x[rng.random(n) < 0.1] = np.inf, -np.inf
        cases.append(x)
        cases.append(np.concatenate([rng.normal(size=n) * 1e-300, [1e300]]))
    checked = 0
    for x in cases:
        n = x.size
        some = np.unique(np.concatenate([rng.integers(0, n, 20), [0, n - 1]]))
        ranks = (np.arange(n) if n <= 64 else some).astype(np.int64)
        values, has_nan = order_statistics(x, ranks, False)
        assert not has_nan and np.array_equal(values, np.sort(x)[ranks]), n
        checked += 1
    months = rng.integers(1, 61, 50_000).astype(float)
    months[rng.random(months.size) < 0.3] = np.nan
    ranks = np.array([0, 100, 25_000, 34_999, 35_000, 49_999], dtype=np.int64)
    values, has_nan = order_statistics(months, ranks, True)
    assert not has_nan and np.array_equal(values, np.sort(np.where(np.isnan(months), np.inf, months))[ranks])
    assert order_statistics(months, ranks, False)[1]  # NaN reported, as NumPy's quantiles are NaN then
    assert checked == len(cases) and BUCKETS >= 4096

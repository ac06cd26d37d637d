"""Summaries of a result Dataset: per actor and metric, with Monte Carlo errors.

Metrics (rows), per actor including society:

* ``payback_months`` — quantiles count "not reached" as later than the horizon,
  so a median beyond the horizon is NaN (not reached); the mean is over the
  draws that do pay back;
* ``p_payback_12``, ``p_payback_36``, ``p_payback_60`` (months within the
  horizon, and the horizon itself) and ``p_payback_not_reached``;
* ``annual_revenue``, ``cost``, ``net_benefit_{y}y`` for each year;
* ``p_net_benefit_positive_{y}y`` for each year;
* ``utilised_potential`` (society only).

Columns: ``mean`` (a probability for ``p_*`` rows), ``mcse`` (its Monte Carlo
standard error), ``median``, ``p05``, ``p95`` and the Monte Carlo standard
errors of those three quantiles (from the order statistics at ``n·q ± √(n q (1−q))``).

An actor that bears no share of the cost in any draw has nothing to pay back:
its payback rows are NaN (not "month 1 with probability 1", which the kernel's
definition would give) and ``summary.csv`` flags it in the column ``no_cost``.

Totals of several actors (:data:`TOTALS`: "Staten totalt", Försäkringskassan +
Arbetsförmedlingen + the rest of the state, as Payoff's reports show it) are
summed per draw: revenue, cost, net benefit and its probability of being
positive. They have no payback time (the results hold each actor's payback
month, not the monthly flows it would take), and live beside the actors
(``Summary.totals``, ``summary.json``'s ``totals``), never among them, so that
society is still the sum of the actors' rows.

A run of a config with ``[groups]`` has the same summary per group
(``Summary.groups``: group id → :class:`Summary`, from the Dataset's ``group_*``
variables): each group's payback, revenue, cost (its share, per participant) and
net benefit per actor. ``summary.csv`` stays the cohort's; the groups' rows are
``summary_groups.csv`` (a ``group`` column first) and ``summary.json``'s ``groups``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import numpy as np

from ..config.model import SOCIETY
from ..engine.kernel_cache import ensure_kernel_cache
from ..results import NO_FLOW_KR
from ..util.threads import imap_threads

__all__ = [
    "Summary", "summarize", "summary_of", "summary_json", "headline", "group_view", "PAYBACK_MONTHS", "TOTALS", "TOTAL_METRICS",
    "continuous_stats", "payback_stats", "probability_stats", "selected_quantiles",
]

PAYBACK_MONTHS = (12, 36, 60)
#: Runs of at least this many draws are summarised on every core (an actor per thread), unless one
#: actor's columns and their copies (``8 · ACTOR_COLUMNS`` bytes a draw) exceed :data:`PARALLEL_MAX_BYTES`:
#: then one actor at a time, so that memory stays that of one actor. (10⁷ draws: 320 MB an actor, on both cores.)
PARALLEL_DRAWS = 50_000
PARALLEL_MAX_BYTES = 384 << 20
#: Columns of one actor (and their copies) summary_of holds at once, at most: a column being read (its stored
#: bytes and the array), or the payback months, their reached draws, their sorted copy and two masks
#: (measured with tracemalloc at 10⁷ draws: 162 MB of statistics beside the 76 MB column).
ACTOR_COLUMNS = 4
QUANTILES = (0.05, 0.5, 0.95)
COLUMNS = ["mean", "mcse", "median", "median_mcse", "p05", "p05_mcse", "p95", "p95_mcse"]

#: Totals of several actors, shown beside them: id → (actors summed, Swedish label, English label).
#: Summed over the actors of a run that have them (at least two, else the total is the actor itself).
TOTALS = {"state_total": (("fk", "af", "stat"), "Staten totalt", "State total")}

#: What a total has: the per-draw sums of these (payback needs monthly flows the results do not keep).
TOTAL_METRICS = ("annual_revenue", "cost", "net_benefit", "p_net_benefit_positive")


def selected_quantiles(x: np.ndarray, probabilities, method: str = "linear", nan_as_inf: bool = False) -> np.ndarray:
    """``np.quantile(x, probabilities, method=method)`` without sorting ``x``: the same numbers.

    NumPy's quantile selects its order statistics with ``partition`` (14 ms for 10⁶ numbers and nine
    quantiles); here they come from :func:`simsam.kernels.selection.order_statistics` (two passes and a
    histogram, its twin ``np.sort(x)[ranks]``: 3.7 ms at 10⁶, 36 ms at 10⁷ against 67 ms for the sort), and
    the interpolation is NumPy's, written out as ``numpy.lib._function_base_impl._quantile`` does it (H&F
    method 7, ``"linear"``: virtual index ``(n − 1) q``, ``_lerp`` with its ``t ≥ ½`` branch; method 1,
    ``"inverted_cdf"``: the ``n q − 1`` index rounded up unless whole). Tested against ``np.quantile`` bit for
    bit (tests/test_summary_quantiles.py); only which of −0.0 and +0.0 is taken where both occur may differ
    (they are equal). With ``nan_as_inf`` NaN counts as +inf (the payback months "not reached"); else any
    NaN makes every quantile NaN, as in NumPy.

    Parameters
    ----------
    x : ndarray, shape ``(n,)``, ``n ≥ 1``
    probabilities : sequence of float in [0, 1]
    method : {"linear", "inverted_cdf"}
    nan_as_inf : bool
    """
    ensure_kernel_cache()
    from ..kernels.selection import order_statistics  # numba and the compiled kernel: only when a column is summarised

    q = np.asarray(probabilities, dtype=np.float64)
    n = x.size
    index = _indices(n, q, method)
    ranks = np.unique(np.concatenate(index) % n).astype(np.int64)  # −1: the last
    values, has_nan = order_statistics(np.ascontiguousarray(x, dtype=np.float64).reshape(-1), ranks, nan_as_inf)
    if has_nan:
        return np.full(q.shape, np.nan)
    return _interpolated(n, q, index, lambda i: values[np.searchsorted(ranks, i % n)])


def _indices(n: int, q: np.ndarray, method: str) -> tuple[np.ndarray, ...]:
    """The order statistics NumPy's quantile takes: ``(taken,)`` for ``"inverted_cdf"``, ``(previous, following)``
    (−1: the last) for ``"linear"``."""
    if method == "inverted_cdf":
        index = n * q - 1
        previous = np.floor(index)
        taken = np.where(index - previous == 0, previous, previous + 1).astype(np.intp)
        taken[taken < 0] = 0
        return (taken,)
    if method != "linear":
        raise ValueError(f"method {method!r}: 'linear' or 'inverted_cdf'")
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    following = previous + 1
    above, below = virtual >= n - 1, virtual < 0
    previous[above], following[above] = -1, -1
    previous[below], following[below] = 0, 0
    return previous.astype(np.intp), following.astype(np.intp)


def _interpolated(n: int, q: np.ndarray, index: tuple[np.ndarray, ...], at) -> np.ndarray:
    """NumPy's quantiles from ``at(i)``, the sorted numbers at the order statistics ``index`` (:func:`_indices`)."""
    if len(index) == 1:  # inverted_cdf: the order statistic itself
        return at(index[0])
    previous, following = index
    gamma = (n - 1) * q - previous
    a, b = at(previous), at(following)
    with np.errstate(invalid="ignore"):  # inf − inf is NaN, as in NumPy
        diff = b - a
        out = a + diff * gamma
        np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


def _quantiles(x: np.ndarray, method: str = "linear", nan_as_inf: bool = False) -> dict[str, float]:
    """p05, median, p95 and their Monte Carlo standard errors (from the order statistics at ``n·q ± √(n q (1−q))``)."""
    n = x.size
    out = {}
    probabilities = []
    for q in QUANTILES:
        half = math.sqrt(q * (1 - q) / n) if n else 0.0
        probabilities += [max(q - half, 0.0), q, min(q + half, 1.0)]
    # One selection for all nine order statistics (each is the same number as np.quantile's alone).
    values = selected_quantiles(x, probabilities, method, nan_as_inf).reshape(len(QUANTILES), 3)
    for (lo, mid, hi), name in zip(values, ("p05", "median", "p95")):
        out[name] = float(mid)
        out[f"{name}_mcse"] = float((hi - lo) / 2) if np.isfinite(lo) and np.isfinite(hi) else math.nan
    return out


def continuous_stats(x: np.ndarray) -> dict[str, float]:
    n = x.size
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    return {"mean": float(np.mean(x)), "mcse": sd / math.sqrt(n), **_quantiles(x)}


def probability_stats(event: np.ndarray) -> dict[str, float]:
    n = event.size
    p = float(np.mean(event))
    return {"mean": p, "mcse": math.sqrt(p * (1 - p) / n)}


def payback_stats(x: np.ndarray, horizon: int) -> dict[str, float]:
    """Payback statistics of ``x (draw,)``: whole months, NaN where not reached (no infinities)."""
    reached = x[np.isfinite(x)]
    # "Not reached" (NaN) counts after every month of the horizon, as +inf (a quantile there is NaN below).
    q = _quantiles(x, "inverted_cdf", nan_as_inf=True)
    for k in ("p05", "median", "p95"):
        if not q[k] <= horizon:
            q[k] = math.nan
            q[f"{k}_mcse"] = math.nan
    if reached.size:
        sd = float(np.std(reached, ddof=1)) if reached.size > 1 else 0.0
        mean, mcse = float(reached.mean()), sd / math.sqrt(reached.size)
    else:
        mean, mcse = math.nan, math.nan
    return {"mean": mean, "mcse": mcse, **q}


@dataclass(frozen=True)
class Summary:
    """The summary table without pandas (``simsam run`` does not import it).

    ``rows[(actor, metric)]`` maps each of :data:`COLUMNS` to a float (NaN
    where it does not apply), in the order of ``summary.csv``. :meth:`frame`
    gives the pandas DataFrame :func:`summarize` returns.
    """

    rows: dict
    #: Actors that bear no share of the cost in any draw (their payback rows are NaN: nothing to pay back).
    no_cost: frozenset = frozenset()
    #: Totals of several actors (:data:`TOTALS`): id → {"actors": [...], "rows": {metric: {column: float}}}.
    totals: dict = field(default_factory=dict)
    #: With ``[groups]``: group id → that group's Summary (its own ``groups`` empty).
    groups: dict = field(default_factory=dict)

    @classmethod
    def of(cls, table) -> Summary:
        """A Summary from a Summary or from :func:`summarize`'s DataFrame (its ``no_cost`` column and ``attrs["totals"]``)."""
        if isinstance(table, Summary):
            return table
        rows = {key: {c: float(row[c]) for c in COLUMNS} for key, row in table.iterrows()}
        flagged = frozenset(a for (a, _), row in table.iterrows() if "no_cost" in row and bool(row["no_cost"]))
        attrs = getattr(table, "attrs", {})
        groups = {g: cls.of(frame) for g, frame in attrs.get("groups", {}).items()}
        return cls(rows, flagged, dict(attrs.get("totals", {})), groups)

    @property
    def actors(self) -> list[str]:
        return list(dict.fromkeys(a for a, _ in self.rows))

    def metrics(self, actor: str) -> list[str]:
        return [m for a, m in self.rows if a == actor]

    def __call__(self, actor: str, metric: str, column: str = "mean") -> float:
        return self.rows[(actor, metric)][column]

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self):
        """Index ``(actor, metric)``, columns :data:`COLUMNS`."""
        import pandas as pd  # pandas, ~0.3 s: only for this table

        table = pd.DataFrame.from_dict(self.rows, orient="index", columns=COLUMNS)
        table.index = pd.MultiIndex.from_tuples(table.index, names=["actor", "metric"])
        table["no_cost"] = [a in self.no_cost for a in table.index.get_level_values("actor")]
        table.attrs["totals"] = self.totals
        if self.groups:
            table.attrs["groups"] = {g: summary.frame() for g, summary in self.groups.items()}
        return table

    def to_csv(self, path) -> None:
        """``summary.csv``: every number at full precision (``repr``, read back bit for bit), NaN as an empty field.

        The last column, ``no_cost``, is 1 for an actor that bears no share of the
        cost (its payback rows are empty: nothing to pay back), else 0.
        """
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["actor", "metric", *COLUMNS, "no_cost"])
            for (actor, metric), row in self.rows.items():
                out.writerow([actor, metric, *_cells(row), int(actor in self.no_cost)])

    def groups_to_csv(self, path) -> None:
        """``summary_groups.csv``: :meth:`to_csv`'s rows for every group, a ``group`` column first."""
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["group", "actor", "metric", *COLUMNS, "no_cost"])
            for group, summary in self.groups.items():
                for (actor, metric), row in summary.rows.items():
                    out.writerow([group, actor, metric, *_cells(row), int(actor in summary.no_cost)])


def _cells(row: dict):
    return ("" if math.isnan(row[c]) else repr(row[c] + 0.0) for c in COLUMNS)


class _GroupView:
    """One group's results of a result Dataset or ResultsFile, looking like a run's own (``group_*`` → ``*``)."""

    def __init__(self, ds, index: int):
        self._ds, self._index = ds, index
        self.attrs = dict(ds.attrs)
        self.attrs["participants"] = int(ds["group_participants"].values[index])
        self.sizes = ds.sizes

    def __contains__(self, name) -> bool:
        return f"group_{name}" in self._ds or name in ("actor", "year")

    def __getitem__(self, name):
        if name in ("actor", "year", "actor_label"):
            return self._ds[name]
        return _Values(np.asarray(self._ds[f"group_{name}"].values)[:, self._index])

    def sel(self, actor: str):
        view = self._ds.sel(actor=actor)
        index = self._index

        class _Actor:
            def __getitem__(self, name):
                return _Values(np.asarray(view[f"group_{name}"].values)[:, index])

        return _Actor()


@dataclass(frozen=True)
class _Values:
    values: np.ndarray


def group_view(ds, group: str):
    """Group ``group``'s results of a result Dataset (or ResultsFile) as a run of its own: ``cost``,
    ``payback_months``, ``net_benefit`` … are that group's (``group_cost`` …), ``participants`` its size.
    What :func:`summary_of` and the tables read."""
    return _GroupView(ds, [str(g) for g in ds["group"].values].index(group))


def summary_of(ds) -> Summary:
    """Per actor (with society) and metric: mean, quantiles, probabilities, MC errors.

    ``ds`` is a result Dataset, or a :class:`simsam.results.ResultsFile` (which
    reads one actor's column at a time).
    """
    horizon = int(ds.attrs.get("horizon_months", 12 * ds.sizes["year"]))
    months = [m for m in PAYBACK_MONTHS if m < horizon] + [horizon]
    years = [int(y) for y in ds["year"].values]
    nan = dict.fromkeys(COLUMNS, math.nan)

    def actor_rows(actor: str) -> tuple[dict, bool]:
        # One column at a time, each let go once its statistics are taken (ACTOR_COLUMNS), the rows in summary.csv's order.
        rows = {}
        sel = ds.sel(actor=actor)
        cost = sel["cost"].values
        no_cost = bool(np.nanmax(np.abs(cost), initial=0.0) < NO_FLOW_KR)
        cost_row = continuous_stats(cost)
        del cost
        if no_cost:  # nothing to pay back: no payback month, no probability of one
            rows[(actor, "payback_months")] = dict(nan)
            for m in months:
                rows[(actor, f"p_payback_{m}")] = dict(nan)
            rows[(actor, "p_payback_not_reached")] = dict(nan)
        else:
            payback = sel["payback_months"].values
            rows[(actor, "payback_months")] = payback_stats(payback, horizon)
            for m in months:
                rows[(actor, f"p_payback_{m}")] = probability_stats(payback <= m)
            rows[(actor, "p_payback_not_reached")] = probability_stats(~np.isfinite(payback))
            del payback
        rows[(actor, "annual_revenue")] = continuous_stats(sel["annual_revenue"].values)
        rows[(actor, "cost")] = cost_row
        nb = sel["net_benefit"]
        positive = {}
        for i, y in enumerate(years):  # a year at a time: one year's column in memory
            x = year_values(nb, i)
            rows[(actor, f"net_benefit_{y}y")] = continuous_stats(x)
            positive[(actor, f"p_net_benefit_positive_{y}y")] = probability_stats(x > 0)
        rows.update(positive)
        if actor == SOCIETY:
            rows[(actor, "utilised_potential")] = continuous_stats(ds["utilised_potential"].values)
        return rows, no_cost

    # The actors on every core (their statistics are NumPy's, which releases the GIL; each actor's
    # numbers are computed by one thread, so they do not depend on the threads).
    actors = [str(a) for a in ds["actor"].values]
    rows, no_cost = {}, set()
    draws = ds.sizes["draw"]
    parallel = PARALLEL_DRAWS <= draws <= PARALLEL_MAX_BYTES // (8 * ACTOR_COLUMNS)
    # The totals ("Staten totalt") are one more job of the same threads, last (they hold as many columns as an actor).
    everything = object()  # the totals' job: a marker no actor name can equal
    jobs = actors + [everything]
    done = imap_threads(lambda actor: totals_of(ds) if actor is everything else actor_rows(actor), jobs, parallel=parallel)
    totals = {}
    for actor, result in zip(jobs, done):
        if actor is everything:
            totals = result
            continue
        actor_rows_, none = result
        rows.update(actor_rows_)
        if none:
            no_cost.add(actor)
    groups = {}
    if "group_cost" in ds:
        groups = {str(g): summary_of(group_view(ds, str(g))) for g in ds["group"].values}
    return Summary({key: {**nan, **row} for key, row in rows.items()}, frozenset(no_cost), totals, groups)


def year_values(column, i: int) -> np.ndarray:
    """Year ``i`` of an actor's ``(draw, year)`` column: read alone where the source can (a ResultsFile's
    column, :meth:`simsam.results.netcdf.ResultsFile.sel`), else cut from its values."""
    read = getattr(column, "year_values", None)
    return read(i) if read is not None else np.asarray(column.values)[:, i]


def totals_of(ds) -> dict:
    """The :data:`TOTALS` of a result Dataset (or ResultsFile) whose actors it has: per-draw sums, summarised.

    Returns
    -------
    dict
        id → ``{"actors": [...], "rows": {metric: {column: float}}}`` with the
        metrics ``annual_revenue``, ``cost``, ``net_benefit_{y}y`` and
        ``p_net_benefit_positive_{y}y``; empty when the run has fewer than two of a total's actors.
    """
    present = [str(a) for a in ds["actor"].values]
    years = [int(y) for y in ds["year"].values]
    nan = dict.fromkeys(COLUMNS, math.nan)
    out = {}
    for name, (members, _, _) in TOTALS.items():
        actors = [a for a in members if a in present]
        if len(actors) < 2:
            continue
        parts = [ds.sel(actor=a) for a in actors]
        # A column at a time (the year's sum, then the next actor's year): the same sums, one column of memory
        revenue = sum(np.asarray(p["annual_revenue"].values, dtype=float) for p in parts)
        cost = sum(np.asarray(p["cost"].values, dtype=float) for p in parts)
        rows = {"annual_revenue": continuous_stats(revenue), "cost": continuous_stats(cost)}
        del revenue, cost
        positive = {}
        for i, y in enumerate(years):
            nb = sum(np.asarray(year_values(p["net_benefit"], i), dtype=float) for p in parts)
            rows[f"net_benefit_{y}y"] = continuous_stats(nb)
            positive[f"p_net_benefit_positive_{y}y"] = probability_stats(nb > 0)
        rows.update(positive)
        out[name] = {"actors": actors, "rows": {m: {**nan, **r} for m, r in rows.items()}}
    return out


def summarize(ds):
    """Per actor (with society) and metric: mean, quantiles, probabilities, MC errors.

    Parameters
    ----------
    ds : xarray.Dataset
        A result Dataset from :func:`simsam.simulate` or ``results.nc``.

    Returns
    -------
    pandas.DataFrame
        Index ``(actor, metric)``, columns ``mean, mcse, median, median_mcse,
        p05, p05_mcse, p95, p95_mcse`` (NaN where a column does not apply) and
        ``no_cost`` (True for an actor that bears no share of the cost: its
        payback rows are NaN). ``attrs["totals"]`` holds :func:`totals_of`.
    """
    return summary_of(ds).frame()


def _clean(x):
    return None if isinstance(x, float) and not math.isfinite(x) else x


#: The words of :func:`headline` by language.
_HEADLINE = {
    "en": {"over": "over {h}", "not": "median not reached within {h} months", "to": " to ", "months": "months",
           "median": "median {m} months (90% interval {lo}{sep}{hi})", "text": "payback within {h} months with probability {p}, {median}",
           "none": "bears no share of the cost: nothing to pay back"},
    "sv": {"over": "över {h}", "not": "medianen inte inom {h} månader", "to": " till ", "months": "månader",
           "median": "median {m} månader (90 %-intervall {lo}{sep}{hi})",
           "text": "återbetald inom {h} månader med sannolikheten {p}, {median}",
           "none": "bär ingen del av kostnaden: inget att betala tillbaka"},
}


def headline(summary, actor: str, horizon: int, lang: str = "en") -> str:
    """The sentence an evaluator quotes, e.g. "payback within 60 months with probability 0.83, ...".

    ``summary`` is a :class:`Summary` or :func:`summarize`'s DataFrame; ``lang``
    ``"en"`` (``summary.json``'s) or ``"sv"`` (decimal comma).
    """
    summary = Summary.of(summary)
    w = _HEADLINE[lang]
    if actor in summary.no_cost:
        return w["none"]
    p = summary(actor, f"p_payback_{horizon}")
    row = summary.rows[(actor, "payback_months")]

    def month(x):
        return f"{x:.0f}" if math.isfinite(x) else w["over"].format(h=horizon)

    if not math.isfinite(row["median"]):
        median = w["not"].format(h=horizon)
    else:
        sep = "–" if math.isfinite(row["p95"]) else w["to"]
        median = w["median"].format(m=month(row["median"]), lo=month(row["p05"]), sep=sep, hi=month(row["p95"]))
    probability = f"{p:.2f}" if lang == "en" else f"{p:.2f}".replace(".", ",")
    return w["text"].format(h=horizon, p=probability, median=median)


def summary_json(ds, summary) -> dict:
    """``summary.json``: the run's facts, and per actor its metrics and headline (``summary``: a :class:`Summary` or DataFrame);
    with ``[groups]``, ``groups``: the same per group, with its label, participants and share of the cost."""
    summary = Summary.of(summary)
    out = _actors_json(ds, summary)
    meta = {
        k: ds.attrs[k]
        for k in ("name", "config_file", "seed", "draws", "cohort", "participants", "horizon_months", "simsam_version")
        if k in ds.attrs
    }
    meta = {k: (v.item() if hasattr(v, "item") else v) for k, v in meta.items()}
    out = {"run": meta, **out}
    if summary.groups:
        ids = [str(g) for g in ds["group"].values]
        labels = [str(x) for x in ds["group_label"].values]
        sizes = [int(x) for x in ds["group_participants"].values]
        shares = [float(x) for x in ds["group_cost_share"].values]
        out["groups"] = {
            g: {"label": labels[i], "participants": sizes[i], "cost_share": shares[i], **_actors_json(ds, summary.groups[g])}
            for i, g in enumerate(ids)
            if g in summary.groups
        }
    return out


def _actors_json(ds, summary: Summary) -> dict:
    """``actors`` and ``totals`` of ``summary.json`` for a Summary (the cohort's or a group's)."""
    horizon = int(ds.attrs.get("horizon_months", 60))
    labels = dict(zip(ds["actor"].values.tolist(), ds["actor_label"].values.tolist())) if "actor_label" in ds.coords else {}
    actors = {}
    for actor in summary.actors:
        actors[actor] = {
            "label": labels.get(actor, actor),
            "headline": headline(summary, actor, horizon),
            "no_cost": actor in summary.no_cost,
            "metrics": {m: {c: _clean(v) for c, v in summary.rows[(actor, m)].items()} for m in summary.metrics(actor)},
        }
    totals = {
        name: {
            "label": TOTALS[name][1],
            "actors": total["actors"],
            "metrics": {m: {c: _clean(v) for c, v in row.items()} for m, row in total["rows"].items()},
        }
        for name, total in summary.totals.items()
    }
    return {"actors": actors, "totals": totals}

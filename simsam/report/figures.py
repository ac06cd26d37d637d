"""The report's figures: one function per figure, each returning a matplotlib Figure.

Every figure is drawn from a ``*_data`` function that a test can compare with
the Dataset (the acceptability curve at 36 months is the summary's
``p_payback_36``); the Figure carries the same object as ``fig.simsam_data``.

>>> import simsam
>>> ds = simsam.simulate(simsam.load_config("configs/samverkansteamet.toml"), draws=200, seed=1)
>>> fig = acceptability_curve(ds, lang="en")       # or a run folder's: simsam.results.read_results(DIR)
>>> fig.axes[0].get_xlabel()
'Months after exit'
>>> fig.savefig("payback.svg")                     # doctest: +SKIP

(The last line is skipped as a test only because it writes a file.)

Style: one accent hue whose tints differ in lightness (bands and bars stay
apart in grayscale), lines told apart by dash pattern and marker as well as
colour, axis labels with units, Swedish decimal commas in Swedish figures.
Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot
state), so a report builds many without leaking memory.
"""

from __future__ import annotations

import base64
import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib import rc_context, ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..config.model import SOCIETY
from ..results import NO_FLOW_KR, actors_with_flows
from .describe import config_of, input_value, parameter_label, timing_of
from .formatting import MINUS, Formatter
from .text import T, actor_label, figure_words, grade_label, target_label, target_unit

__all__ = [
    "active_actors",
    "cost_bearing_actors",
    "acceptability_data",
    "acceptability_curve",
    "PaybackHistogram",
    "payback_histogram_data",
    "payback_histogram",
    "fan_data",
    "net_benefit_fan",
    "net_benefit_fan_actors",
    "revenue_interval_data",
    "revenue_intervals",
    "investment_data",
    "investment_view",
    "sensitivity_data",
    "tornado_chart",
    "prcc_chart",
    "sobol_chart",
    "morris_chart",
    "sensitivity_chart",
    "group_data",
    "group_chart",
    "monitor_chart",
    "split_chart",
    "save_figure",
    "png_data_uri",
    "FAN_QUANTILES",
]

# -- style -------------------------------------------------------------------------------------------
ACCENT = "#1f5a96"  # dark blue: medians, main bars
ACCENT_MID = "#7ea6cf"  # 50 % band (mid lightness)
ACCENT_LIGHT = "#cfdff0"  # 90 % band (light)
COST = "#595959"  # cost bars, dark grey with hatching
INK = "#222222"

#: Colour (Okabe–Ito, colour-blind safe), dash pattern and marker per actor, in config order; society is black.
_PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D1F", "#6A3D9A", "#999999"]
_DASHES = [
    (0, (6, 2)),
    (0, (6, 2, 1.5, 2)),
    (0, (1.5, 1.5)),
    (0, (8, 2, 1.5, 2, 1.5, 2)),
    (0, (3, 3)),
    (0, (10, 3)),
    "-",
    (0, (2, 4)),
    (0, (5, 1)),
]
_MARKERS = ["s", "^", "D", "v", "P", "X", "<", ">", "h"]

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#888888",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "hatch.linewidth": 0.6,
    "svg.fonttype": "path",
    "figure.facecolor": "white",
}

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def tick_decimals(values, most: int = 6) -> int:
    """The fewest decimals that write every value in ``values`` exactly (2.5 needs one, 0.25 two, 1e6 none).

    Derived from the values themselves, not from the step's order of magnitude: a
    step of 2.5 or 0.25 (matplotlib's 1-2-2.5-5 steps) needs one more decimal than
    its power of ten, and rounding it away prints 2.5 as "2".
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return 0
    tol = 1e-9 * max(1.0, float(np.abs(x).max()))
    for d in range(most + 1):
        if np.all(np.abs(np.round(x, d) - x) <= tol):
            return d
    return most


class _NumberFormatter(ticker.Formatter):
    """Tick labels with the language's decimal sign and a real minus, values divided by ``scale``.

    The decimals are the fewest that write every tick of the axis exactly
    (:func:`tick_decimals`, set once per axis draw through ``set_locs``), and at
    least ``decimals`` when given: a tick label always reads as its tick's value.
    Never an offset or a power of ten (kronor are not read in scientific notation).
    """

    def __init__(self, f: Formatter, scale: float = 1.0, decimals: int | None = None, suffix: str = ""):
        self.f, self.scale, self.decimals, self.suffix = f, scale, decimals, suffix
        self._auto = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        locs = np.asarray(locs, dtype=float)
        lo, hi = self.axis.get_view_interval() if self.axis is not None else (-np.inf, np.inf)
        lo, hi = min(lo, hi), max(lo, hi)
        pad = 1e-9 * max(abs(lo), abs(hi), 1.0) if np.isfinite(lo) and np.isfinite(hi) else 0.0
        shown = locs[(locs >= lo - pad) & (locs <= hi + pad)] if locs.size else locs
        self._auto = tick_decimals((shown if shown.size else locs) / self.scale)

    def __call__(self, value, pos=None):
        decimals = max(self.decimals or 0, self._auto)
        return self.f.number(value / self.scale, decimals) + self.suffix

    def value_of(self, label: str) -> float:
        """The number a tick label shows (the inverse of ``__call__``, for tests)."""
        text = label.removesuffix(self.suffix).replace(MINUS, "-").replace("\u00a0", "").replace(" ", "").replace("\u2009", "")
        text = text.replace(",", ".") if self.f.lang == "sv" else text.replace(",", "")
        return float(text) * self.scale


def fit_texts(ax, texts, rounds: int = 3, pad_px: float = 6.0) -> None:
    """Widen ``ax``'s x limits until every text (anchored in data coordinates) lies inside the axes.

    Value labels at the ends of bars would otherwise run into the axis's tick
    labels or out of the figure. A text of ``w`` pixels anchored at ``a`` and
    running left fits when ``(a − lo)·W/(hi − lo) ≥ w``: the limits are solved
    for directly, on the laid-out figure (one layout per round, without
    rendering: the layout may move when the limits do).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib, ~0.4 s: only when drawing

    texts = [t for t in texts if t.get_text().strip()]
    if not texts:
        return
    fig = ax.figure
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    for _ in range(rounds):
        fig.draw_without_rendering()  # the layout and the text sizes, without drawing a pixel
        renderer = canvas.get_renderer()
        box = ax.get_window_extent(renderer)
        lo, hi = ax.get_xlim()
        if all(box.x0 - 0.5 <= t.get_window_extent(renderer).x0 and t.get_window_extent(renderer).x1 <= box.x1 + 0.5 for t in texts):
            return
        width, new_lo, new_hi = box.width, lo, hi
        for t in texts:
            # a margin for the text's width at another resolution (hinting makes it not quite proportional to the dpi)
            w, a = 1.04 * t.get_window_extent(renderer).width + pad_px, t.get_position()[0]
            if w >= width:
                continue
            if t.get_ha() == "right":  # (a − lo)·W/(hi − lo) ≥ w  →  lo ≤ (a·W − w·hi)/(W − w)
                new_lo = min(new_lo, (a * width - w * new_hi) / (width - w))
            elif t.get_ha() == "left":  # (hi − a)·W/(hi − lo) ≥ w  →  hi ≥ (a·W − w·lo)/(W − w)
                new_hi = max(new_hi, (a * width - w * new_lo) / (width - w))
        ax.set_xlim(new_lo, new_hi)


def _sv_numbers(axis, f: Formatter, scale: float = 1.0, decimals: int | None = None, suffix: str = ""):
    """Use :class:`_NumberFormatter` on ``axis``."""
    axis.set_major_formatter(_NumberFormatter(f, scale, decimals, suffix))


def _words(ds, lang: str) -> dict:
    """The figures' labels in ``lang`` for this run's timing (months from the project start, a spread cost)."""
    return figure_words(lang, timing_of(config_of(ds)))


def _actor_style(ds, actor: str) -> dict:
    if actor == "society":
        return {"color": "black", "linestyle": "-", "marker": "o", "linewidth": 2.4}
    actors = [a for a in ds["actor"].values.tolist() if a != SOCIETY]
    i = actors.index(actor) % len(_PALETTE) if actor in actors else 0
    return {"color": _PALETTE[i], "linestyle": _DASHES[i], "marker": _MARKERS[i], "linewidth": 1.6}


def _horizon(ds) -> int:
    return int(ds.attrs.get("horizon_months", 12 * ds.sizes.get("year", 5)))


# -- which actors to show -------------------------------------------------------------------------
def active_actors(ds) -> list[str]:
    """Actors with a cost share or any flow in some draw, in config order, society last.

    Actors with only zeros (an employer whose subsidy exactly buys the lower
    productivity, a SEEKAMU actor the config never books) say nothing in a figure.
    """
    return actors_with_flows(ds, ("revenue", "annual_revenue", "cost"))


def cost_bearing_actors(ds) -> list[str]:
    """Actors that carry a share of the project cost in some draw, and society."""
    return [a for a in active_actors(ds) if a == SOCIETY or np.nanmax(ds["cost"].sel(actor=a).values, initial=0) >= NO_FLOW_KR]


# -- acceptability curve ---------------------------------------------------------------------------
def acceptability_data(ds, actors=None) -> xr.DataArray:
    """P(payback ≤ m) for months ``m = 0 … horizon``, shape ``(actor, month)``.

    Not reached (NaN) counts as "not by month m" for every m, so the curve ends
    at ``1 − P(not reached)``; at m = 36 it is the summary's ``p_payback_36``.
    """
    actors = cost_bearing_actors(ds) if actors is None else list(actors)
    months = np.arange(0, _horizon(ds) + 1)
    pb = ds["payback_months"].sel(actor=actors).values  # (draw, actor); whole months 1..horizon or NaN
    p = np.zeros((len(actors), months.size))
    for i in range(len(actors)):
        reached = pb[:, i][np.isfinite(pb[:, i])]
        counts = np.bincount(
            np.clip(np.ceil(reached).astype(np.int64), 0, months[-1]), minlength=months.size
        )  # memory O(months), not O(draws·months)
        p[i] = np.cumsum(counts) / max(pb.shape[0], 1)
    return xr.DataArray(p, dims=("actor", "month"), coords={"actor": actors, "month": months}, name="p_payback",
                        attrs={"long_name": "probability of payback within the month", "units": "1"})


def acceptability_curve(ds, *, lang: str = "sv", actors=None, marks=(12, 36, 60)) -> Figure:
    """The actors' acceptability curves: P(payback ≤ m) over the months, with the 12/36/60 marks.

    Actors without a share of the cost are left out by default (with no cost
    their "payback" is month 1 whenever the first month's flow is not negative).
    """
    t, f = _words(ds, lang), Formatter(lang)
    data = acceptability_data(ds, actors)
    horizon = int(data["month"].values[-1])
    marks = [m for m in marks if m <= horizon]
    with rc_context(STYLE):
        fig = _figure(7.2, 4.2)
        ax = fig.subplots()
        for m in marks:
            ax.axvline(m, color="#9a9a9a", linewidth=0.9, linestyle=(0, (2, 2)), zorder=1)
            ax.text(
                m,
                1.035,
                f"{m} {t['months_short']}",
                ha="center",
                va="bottom",
                fontsize=8,
                color="#555555",
                transform=ax.get_xaxis_transform(),
            )
        for actor in data["actor"].values.tolist():
            style = _actor_style(ds, actor)
            y = data.sel(actor=actor).values
            ax.plot(data["month"].values, y, drawstyle="steps-post", markevery=list(marks), markersize=5.5,
                    markerfacecolor="white" if actor != SOCIETY else "black", label=actor_label(actor, lang, ds), zorder=3, **style)
        ax.set_xlim(0, horizon + 0.5)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xticks(np.arange(0, horizon + 1, 12 if horizon >= 24 else 3))
        ax.set_xlabel(t["month_axis"])
        ax.set_ylabel(t["p_payback_axis"])
        _sv_numbers(ax.yaxis, f, decimals=1)
        n = data.sizes["actor"]
        fig.legend(loc="outside lower center", ncol=n if n <= 5 else 4, handlelength=2.8, columnspacing=1.2)
        _title(fig, t["acceptability_title"])
    fig.simsam_data = data
    return fig


# -- histogram of payback months -------------------------------------------------------------------
@dataclass(frozen=True)
class PaybackHistogram:
    """Shares of draws by payback month: ``edges`` (months, ``n+1``), ``shares`` (``n``), ``not_reached``, ``median``."""

    actor: str
    edges: np.ndarray
    shares: np.ndarray
    not_reached: float
    median: float
    horizon: int


def payback_histogram_data(ds, actor: str = SOCIETY, bin_months: int = 3) -> PaybackHistogram:
    """Payback months binned (``(a, b]`` bins of ``bin_months``), plus the share not reached within the horizon.

    ``shares.sum() + not_reached`` is 1; the median counts "not reached" as later than the horizon (NaN when it is).
    """
    horizon = _horizon(ds)
    x = ds["payback_months"].sel(actor=actor).values
    n = max(x.size, 1)
    edges = np.arange(0, horizon + bin_months, bin_months, dtype=float)
    edges[-1] = max(edges[-1], horizon)
    counts = np.histogram(x[np.isfinite(x)], bins=edges + 0.5)[0] if np.isfinite(x).any() else np.zeros(edges.size - 1)
    # bins (a, b] of whole months: month 3 belongs to (0, 3]
    shares = counts / n
    not_reached = float(np.mean(~np.isfinite(x))) if x.size else 0.0
    ordered = np.sort(np.where(np.isfinite(x), x, np.inf))
    median = float(np.quantile(ordered, 0.5, method="inverted_cdf")) if x.size else np.nan
    return PaybackHistogram(actor, edges, shares, not_reached, median if np.isfinite(median) else np.nan, horizon)


def payback_histogram(ds, *, lang: str = "sv", actor: str = SOCIETY, bin_months: int = 3) -> Figure:
    """Histogram of an actor's payback months, with the share not reached within the horizon as its own bar."""
    t, f = _words(ds, lang), Formatter(lang)
    data = payback_histogram_data(ds, actor, bin_months)
    h = data.horizon
    width = data.edges[1] - data.edges[0] if data.edges.size > 1 else bin_months
    gap = 2.0 * width
    x_not = h + gap
    with rc_context(STYLE):
        fig = _figure(7.2, 3.6)
        ax = fig.subplots()
        ax.bar(
            data.edges[:-1],
            100 * data.shares,
            width=np.diff(data.edges),
            align="edge",
            color=ACCENT_MID,
            edgecolor=ACCENT,
            linewidth=0.6,
            label=None,
        )
        ax.bar([x_not], [100 * data.not_reached], width=width * 1.6, color="white", edgecolor=INK, hatch="///", linewidth=0.9)
        top = max(100 * data.shares.max(initial=0), 100 * data.not_reached, 1.0)
        ax.text(
            x_not, 100 * data.not_reached + top * 0.03, f.pct(data.not_reached), ha="center", va="bottom", fontsize=9, fontweight="bold"
        )
        ax.axvline(h + gap / 2, color="#bbbbbb", linewidth=0.8)
        if np.isfinite(data.median):
            ax.axvline(data.median, color=INK, linestyle=(0, (4, 2)), linewidth=1.2)
            ax.annotate(f"{t['median']} {f.months(data.median, h)}", (data.median, top * 1.13), textcoords="offset points", xytext=(4, 0),
                        ha="left", va="top", fontsize=8.5, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
        ticks = list(np.arange(0, h + 1, 12 if h >= 24 else 3))
        ax.set_xticks(ticks + [x_not])
        ax.set_xticklabels([str(v) for v in ticks] + [t["not_reached"].format(h=h)])
        ax.set_xlim(-0.5, x_not + width * 1.2)
        ax.set_ylim(0, top * 1.18)
        ax.set_xlabel(t["payback_hist_axis"])
        ax.set_ylabel(f"{t['share_of_draws']}, %")
        _sv_numbers(ax.yaxis, f)
        ax.grid(axis="x", visible=False)
        _title(
            fig,
            t["payback_hist_title"].format(
                actor=actor_label(actor, lang, ds).lower() if actor == SOCIETY else actor_label(actor, lang, ds)
            ),
        )
    fig.simsam_data = data
    return fig


# -- fan chart of cumulative net benefit ------------------------------------------------------------
def fan_data(ds, actor: str = SOCIETY, quantiles=FAN_QUANTILES) -> xr.DataArray:
    """Quantiles of cumulative net benefit at months 0, 12, …, shape ``(quantile, month)``, kr.

    Month 0 is minus the part of the cost paid at the start: the whole cost under
    the NyttoSam timing, nothing when a cost schedule spreads it over the
    project's months (docs/method.md §5); month ``12·y`` is ``net_benefit`` at
    the end of year ``y``. The Dataset has no monthly values, so the chart joins
    the yearly points with straight lines.
    """
    nb = ds["net_benefit"].sel(actor=actor).values  # (draw, year)
    at_start = timing_of(config_of(ds)).cost_at_start
    values = np.concatenate([-at_start * ds["cost"].sel(actor=actor).values[:, None] + 0.0, nb], axis=1)
    months = np.concatenate([[0], 12 * ds["year"].values])
    q = np.quantile(values, quantiles, axis=0) if values.shape[0] else np.full((len(quantiles), months.size), np.nan)
    return xr.DataArray(q, dims=("quantile", "month"), coords={"quantile": list(quantiles), "month": months}, name="net_benefit",
                        attrs={"units": "kr", "actor": actor, "draws": int(values.shape[0])})


def _draw_fan(ax, data: xr.DataArray, t: dict, f: Formatter, annotate: bool = True, marker_size: float = 4.5):
    m = data["month"].values
    q = {float(k): data.sel(quantile=k).values / 1e6 for k in data["quantile"].values}
    ax.axhline(0, color=INK, linewidth=0.9, zorder=2)
    single = bool(data.attrs.get("draws", 2) == 1)  # one calculation: no bands to draw, and none to name
    if not single:
        ax.fill_between(m, q[0.05], q[0.95], color=ACCENT_LIGHT, linewidth=0, zorder=1, label=t["band90"])
        ax.fill_between(m, q[0.25], q[0.75], color=ACCENT_MID, linewidth=0, zorder=1, label=t["band50"])
    ax.plot(m, q[0.5], color=ACCENT, linewidth=2.0, marker="o", markersize=marker_size, zorder=3,
            label=t["calculation"] if single else t["median"])
    ax.set_xticks(m)
    ax.set_xlim(m[0] - 1.5, m[-1] + 1.5)
    _sv_numbers(ax.yaxis, f)
    if annotate:
        start = data.sel(quantile=0.5).values[0]
        for i in (0, m.size - 1) if abs(start) >= NO_FLOW_KR else (m.size - 1,):  # nothing paid at month 0: no label there
            v = data.sel(quantile=0.5).values[i]
            above = i > 0 and v >= 0
            ax.annotate(f.mkr(v), (m[i], v / 1e6), textcoords="offset points", xytext=(7, -4) if i == 0 else (-7, 8 if above else -12),
                        ha="left" if i == 0 else "right", va="top" if i == 0 else "bottom", fontsize=8.5, fontweight="bold", color=ACCENT,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.8})


def net_benefit_fan(ds, *, lang: str = "sv", actor: str = SOCIETY) -> Figure:
    """Fan chart of cumulative net benefit (median, 50 % and 90 % bands) at each year end, from minus the cost at month 0."""
    t, f = _words(ds, lang), Formatter(lang)
    data = fan_data(ds, actor)
    with rc_context(STYLE):
        fig = _figure(7.2, 3.8)
        ax = fig.subplots()
        _draw_fan(ax, data, t, f)
        ax.set_xlabel(t["fan_month_axis"])
        ax.set_ylabel(t["fan_axis"])
        fig.legend(loc="outside lower center", ncol=3)
        _title(
            fig, t["fan_title"].format(actor=actor_label(actor, lang, ds).lower() if actor == SOCIETY else actor_label(actor, lang, ds))
        )
    fig.simsam_data = data
    return fig


def _panel_axes(axes, drawn: int, ncols: int, xlabel: str, ylabel: str) -> None:
    """Small multiples' axes: the panels beyond ``drawn`` hidden, the lowest drawn panel of each column carrying the
    x axis (above an empty place, its own tick labels), the first column the y label."""
    for ax in axes[drawn:]:
        ax.set_visible(False)
    for col in range(ncols):
        panels = list(range(col, drawn, ncols))
        if panels:
            axes[panels[-1]].xaxis.set_tick_params(labelbottom=True)
            axes[panels[-1]].set_xlabel(xlabel, fontsize=8)
    for ax in axes[::ncols]:
        ax.set_ylabel(ylabel, fontsize=8)


def net_benefit_fan_actors(ds, *, lang: str = "sv", actors=None, ncols: int = 3) -> Figure:
    """Small multiples: the fan chart of every actor with flows or a cost (society has its own figure)."""
    t, f = _words(ds, lang), Formatter(lang)
    actors = [a for a in active_actors(ds) if a != SOCIETY] if actors is None else list(actors)
    actors = actors or [SOCIETY]
    data = xr.concat([fan_data(ds, a) for a in actors], dim=xr.DataArray(actors, dims="actor", name="actor"))
    nrows = int(np.ceil(len(actors) / ncols))
    ncols = min(ncols, len(actors))
    with rc_context(STYLE):
        fig = _figure(7.2, 0.4 + 2.15 * nrows)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
        for ax, actor in zip(axes, actors):
            _draw_fan(ax, data.sel(actor=actor), t, f, annotate=False, marker_size=3)
            ax.set_title(actor_label(actor, lang, ds), fontsize=9.5)
            final = data.sel(actor=actor, quantile=0.5).values[-1]
            # The last median's value in the corner the curve does not end in (bottom right when it ends high).
            lo, hi = ax.get_ylim()
            high = (final / 1e6 - lo) > 0.5 * (hi - lo)
            ax.text(0.98, 0.04 if high else 0.96, f"{f.mkr(final)}", transform=ax.transAxes, ha="right", va="bottom" if high else "top",
                    fontsize=8, color=ACCENT, fontweight="bold")
            ax.tick_params(labelsize=7.5)
        _panel_axes(axes, len(actors), ncols, t["month_axis"], t["mkr_axis"])
        line = Line2D([], [], color=ACCENT, marker="o", markersize=3, linewidth=2, label=t["median"])
        handles = [Patch(color=ACCENT_LIGHT, label=t["band90"]), Patch(color=ACCENT_MID, label=t["band50"]), line]
        if ds.sizes.get("draw", 2) == 1:
            line.set_label(t["calculation"])
            handles = [line]
        fig.legend(handles=handles, loc="outside lower center", ncol=3)
        _title(fig, t["fan_actors_title"])
    fig.simsam_data = data
    return fig


# -- revenue by actor -------------------------------------------------------------------------------
def revenue_interval_data(ds, actors=None, quantiles=FAN_QUANTILES) -> xr.DataArray:
    """Quantiles of first-year revenue per actor, shape ``(actor, quantile)``, kr."""
    actors = active_actors(ds) if actors is None else list(actors)
    x = ds["annual_revenue"].sel(actor=actors).values
    q = np.quantile(x, quantiles, axis=0).T if x.shape[0] else np.full((len(actors), len(quantiles)), np.nan)
    return xr.DataArray(
        q, dims=("actor", "quantile"), coords={"actor": actors, "quantile": list(quantiles)}, name="annual_revenue", attrs={"units": "kr"}
    )


def revenue_intervals(ds, *, lang: str = "sv", actors=None) -> Figure:
    """NyttoSam's "intäkter på aktörsnivå" with uncertainty: each actor's first-year revenue, median with 50 % and 90 % intervals."""
    t, f = _words(ds, lang), Formatter(lang)
    data = revenue_interval_data(ds, actors)
    names = data["actor"].values.tolist()
    order = names[::-1]  # first actor at the top, society at the bottom
    with rc_context(STYLE):
        fig = _figure(7.2, 0.9 + 0.42 * len(names))
        ax = fig.subplots()
        ax.axvline(0, color=INK, linewidth=0.9)
        span = np.nanmax(np.abs(data.values), initial=1.0) / 1e6
        texts = []
        for y, actor in enumerate(order):
            q = data.sel(actor=actor).values / 1e6
            strong = actor == SOCIETY
            ax.plot([q[0], q[4]], [y, y], color=ACCENT if not strong else INK, linewidth=1.4, solid_capstyle="butt", zorder=2)
            ax.plot([q[1], q[3]], [y, y], color=ACCENT_MID if not strong else "#8a8a8a", linewidth=7, solid_capstyle="butt", zorder=2)
            ax.plot([q[2]], [y], marker="o", markersize=6.5, color=ACCENT if not strong else INK, markeredgecolor="white", zorder=3)
            # The median's label beside the interval, on the side away from the zero line (a label across it reads badly).
            left = q[4] < 0
            texts.append(ax.text(q[0] - 0.02 * span if left else q[4] + 0.02 * span, y, f.mkr(data.sel(actor=actor).values[2]),
                                 va="center", ha="right" if left else "left", fontsize=8.5, fontweight="bold" if strong else "normal"))
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([actor_label(a, lang, ds) for a in order])
        for label, actor in zip(ax.get_yticklabels(), order):
            if actor == "society":
                label.set_fontweight("bold")
        if SOCIETY in order and len(order) > 1:
            ax.axhline(order.index(SOCIETY) + 0.5, color="#bbbbbb", linewidth=0.8)
        lo, hi = np.nanmin(data.values, initial=0) / 1e6, np.nanmax(data.values, initial=0) / 1e6
        ax.set_xlim(min(lo, 0) - 0.05 * span, max(hi, 0) + 0.05 * span)
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.set_xlabel(t["revenue_axis"])
        _sv_numbers(ax.xaxis, f)
        ax.grid(axis="y", visible=False)
        handles = [Line2D([], [], color=ACCENT, linewidth=1.4, label=t["interval90"]),
                   Line2D([], [], color=ACCENT_MID, linewidth=7, label=t["interval50"]),
                   Line2D([], [], color=ACCENT, marker="o", linewidth=0, markeredgecolor="white", markersize=6.5, label=t["median"])]
        if ds.sizes.get("draw", 2) == 1:  # one calculation: a value per actor, no intervals
            handles = handles[2:]
            handles[0].set_label(t["calculation"])
        fig.legend(handles=handles, loc="outside lower center", ncol=3)
        _title(fig, t["revenue_title"])
        fit_texts(ax, texts)
    fig.simsam_data = data
    return fig


# -- results by group -------------------------------------------------------------------------------
def group_data(ds, year: int | None = None, actors=None, quantiles=(0.05, 0.5, 0.95)) -> xr.DataArray:
    """Quantiles of each group's net benefit per participant after ``year`` (default the last), kr per
    participant, shape ``(group, actor, quantile)``: ``group_net_benefit / group_participants``."""
    actors = active_actors(ds) if actors is None else list(actors)
    year = int(ds["year"].values[-1]) if year is None else int(year)
    sizes = np.asarray(ds["group_participants"].values, dtype=float)
    nb = ds["group_net_benefit"].sel(actor=actors, year=year).values  # (draw, group, actor)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = nb / np.where(sizes > 0, sizes, np.nan)[None, :, None]
    q = np.moveaxis(np.quantile(per, quantiles, axis=0), 0, -1)
    groups = [str(g) for g in ds["group"].values]
    return xr.DataArray(q, dims=("group", "actor", "quantile"), coords={"group": groups, "actor": actors, "quantile": list(quantiles)},
                        name="net_benefit_per_participant", attrs={"units": "kr per participant", "year": year})


_GROUP_MARKERS = ["o", "s", "^", "D", "v", "P"]


def group_chart(ds, *, lang: str = "sv", year: int | None = None) -> Figure:
    """Each actor's net benefit per participant after the last year, one median and 90 % interval per group."""
    t, f = _words(ds, lang), Formatter(lang)
    data = group_data(ds, year)
    year = data.attrs["year"]
    groups = data["group"].values.tolist()
    labels = dict(zip(groups, (str(x) for x in ds["group_label"].values)))
    sizes = dict(zip(groups, (int(x) for x in ds["group_participants"].values)))
    actors = data["actor"].values.tolist()[::-1]  # society at the bottom
    n = len(groups)
    offsets = ((n - 1) / 2 - np.arange(n)) * (0.7 / max(n, 1))  # the first group on top, as in the legend
    with rc_context(STYLE):
        fig = _figure(7.2, 1.2 + 0.5 * len(actors) * max(1.0, n / 2.5))
        ax = fig.subplots()
        ax.axvline(0, color=INK, linewidth=0.9)
        for i, g in enumerate(groups):
            colour = _PALETTE[i % len(_PALETTE)]
            for y, actor in enumerate(actors):
                q = data.sel(group=g, actor=actor).values / 1e3
                ax.plot([q[0], q[2]], [y + offsets[i]] * 2, color=colour, linewidth=1.6, solid_capstyle="butt", zorder=2)
                ax.plot([q[1]], [y + offsets[i]], marker=_GROUP_MARKERS[i % len(_GROUP_MARKERS)], markersize=6, color=colour,
                        markeredgecolor="white", linewidth=0, zorder=3)
        ax.set_yticks(range(len(actors)))
        ax.set_yticklabels([actor_label(a, lang, ds) for a in actors])
        for label, actor in zip(ax.get_yticklabels(), actors):
            if actor == SOCIETY:
                label.set_fontweight("bold")
        if SOCIETY in actors and len(actors) > 1:
            ax.axhline(actors.index(SOCIETY) + 0.5, color="#bbbbbb", linewidth=0.8)
        ax.set_ylim(-0.6, len(actors) - 0.4)
        ax.set_xlabel(t["groups_axis"].format(y=year))
        _sv_numbers(ax.xaxis, f)
        ax.grid(axis="y", visible=False)
        handles = [Line2D([], [], color=_PALETTE[i % len(_PALETTE)], marker=_GROUP_MARKERS[i % len(_GROUP_MARKERS)], linewidth=1.6,
                          markeredgecolor="white", label=t["groups_legend"].format(group=labels[g], n=f.number(sizes[g])))
                   for i, g in enumerate(groups)]
        fig.legend(handles=handles, loc="outside lower center", ncol=min(n, 3))
        _title(fig, t["groups_title"].format(y=year))
    fig.simsam_data = data
    return fig


# -- monitoring a running project ----------------------------------------------------------------
def monitor_chart(monitor: dict, *, lang: str = "sv", labels: dict | None = None) -> Figure:
    """``simsam monitor``'s follow-up (its ``monitor.json``): exits so far against the plan, and the outcomes of those
    who have left against what the config expected at the start (median and 90 % interval)."""
    t, f = figure_words(lang), Formatter(lang)
    exits = monitor["exits"]
    states = monitor["states"]
    labels = labels or {k: v["label"] for k, v in states.items()}
    with rc_context(STYLE):
        fig = _figure(7.6, 3.4)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        observed = exits["months_observed"]
        left.step(range(len(observed)), observed, where="post", color=ACCENT, linewidth=2.2, label=t["monitor_observed"])
        if exits.get("months_planned"):
            planned = exits["months_planned"]
            left.step(range(len(planned)), planned, where="post", color=COST, linewidth=1.4, linestyle=(0, (5, 2)),
                      label=t["monitor_planned"])
        cohort = monitor["participants"]["cohort"]
        right_end = max(len(observed), len(exits.get("months_planned") or [])) + 1
        left.axhline(cohort, color="#999999", linewidth=0.8, linestyle=":")
        left.text(right_end, cohort, f"{f.number(cohort)} ", va="bottom", ha="right", fontsize=8, color="#555555")
        left.axvline(exits["as_of_month"], color=INK, linewidth=0.9)
        left.text(exits["as_of_month"], cohort * 0.5, f" {monitor['as_of']}", rotation=90, va="center", ha="right", fontsize=8)
        left.set_xlabel(t["monitor_month_axis"])
        left.set_ylabel(t["monitor_exits_axis"])
        left.set_ylim(0, cohort * 1.12)
        left.set_xlim(0, right_end)
        left.set_title(t["monitor_exits_title"])
        left.legend(loc="upper left")
        ids = list(states)
        x = np.arange(len(ids))
        obs = [states[k]["observed"] for k in ids]
        med = np.array([states[k]["expected_so_far"]["median"] for k in ids])
        lo = np.array([states[k]["expected_so_far"]["p05"] for k in ids])
        hi = np.array([states[k]["expected_so_far"]["p95"] for k in ids])
        right.bar(x - 0.18, obs, width=0.34, color=ACCENT, label=t["monitor_observed"], zorder=2)
        right.errorbar(x + 0.18, med, yerr=[med - lo, hi - med], fmt="D", color=COST, markersize=5, capsize=3, linewidth=1.2,
                       label=t["monitor_expected"], zorder=3)
        for xi, n in zip(x, obs):
            right.text(xi - 0.18, n, f.number(n), ha="center", va="bottom", fontsize=8)
        right.set_xticks(x)
        right.set_xticklabels([textwrap.fill(labels.get(k, k), 14) for k in ids])
        right.set_ylabel(t["monitor_outcomes_axis"])
        right.set_ylim(0, max(max(obs, default=0), float(np.max(hi, initial=0))) * 1.2 + 1)
        right.set_title(t["monitor_outcomes_title"].format(n=f.number(monitor["participants"]["known"])))
        right.grid(axis="x", visible=False)
        right.legend(loc="upper right", fontsize=7.5)
        _sv_numbers(left.yaxis, f)
        _sv_numbers(right.yaxis, f)
    fig.simsam_data = monitor
    return fig


# -- who should pay what ------------------------------------------------------------------------
def split_chart(split: dict, names: dict, labels: dict, *, lang: str = "sv") -> Figure:
    """``simsam split``'s splits (its ``split.json``) side by side, one row per split: each financing actor's share of the
    cost (stacked), its P(paid back within the horizon) and its expected net benefit after the horizon (kr → Mkr).

    ``names``: split id → its printed name; ``labels``: actor id → its label.
    """
    t, f = figure_words(lang), Formatter(lang)
    splits = list(split["splits"])
    actors = split["financing_actors"]
    horizon = str(split["months"][-1])
    colours = {a: _PALETTE[i % len(_PALETTE)] for i, a in enumerate(actors)}
    markers = {a: _GROUP_MARKERS[i % len(_GROUP_MARKERS)] for i, a in enumerate(actors)}
    y = np.arange(len(splits))[::-1]
    with rc_context(STYLE):
        fig = _figure(7.6, 1.2 + 0.62 * len(splits))
        left, mid, right = fig.subplots(1, 3, sharey=True, gridspec_kw={"width_ratios": [1.1, 1, 1]})
        for yi, name in zip(y, splits):
            start = 0.0
            for a in actors:
                share = split["splits"][name]["shares"][a]
                left.barh(yi, share, left=start, color=colours[a], height=0.62, edgecolor="white", linewidth=0.6)
                if share >= 0.12:
                    left.text(start + share / 2, yi, f.pct(share, 0), ha="center", va="center", fontsize=7.5, color="white")
                start += share
        left.set_xlim(0, 1)
        left.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f.pct(v, 0)))
        left.set_title(textwrap.fill(t["split_shares_title"], 24), fontsize=9)
        offsets = np.linspace(-0.24, 0.24, len(actors)) if len(actors) > 1 else [0.0]
        for a, off in zip(actors, offsets):
            # None (no share of the cost, nothing to pay back) is left out of the middle panel.
            p = [np.nan if (v := split["splits"][n]["actors"][a]["p_payback"][horizon]["mean"]) is None else v for n in splits]
            nb = [split["splits"][n]["actors"][a]["net_benefit"]["mean"] / 1e6 for n in splits]
            mid.plot(p, y + off, linestyle="none", marker=markers[a], color=colours[a], markeredgecolor="white", markersize=7)
            right.plot(nb, y + off, linestyle="none", marker=markers[a], color=colours[a], markeredgecolor="white", markersize=7)
        mid.set_xlim(-0.03, 1.03)
        mid.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f.decimal(v, 1)))
        mid.set_title(textwrap.fill(t["split_p_title"].format(m=horizon), 24), fontsize=9)
        right.axvline(0, color=INK, linewidth=0.8)
        right.set_title(textwrap.fill(t["split_nb_title"].format(y=split["years"]), 24), fontsize=9)
        _sv_numbers(right.xaxis, f)
        left.set_yticks(y)
        left.set_yticklabels([textwrap.fill(names[n], 20) for n in splits])
        for ax in (left, mid, right):
            ax.grid(axis="y", visible=False)
            for yi in y[1:]:
                ax.axhline(yi - 0.5, color="#dddddd", linewidth=0.6)
        handles = [Line2D([], [], color=colours[a], marker=markers[a], linewidth=6, markeredgecolor="white", label=labels[a])
                   for a in actors]
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(actors), 4))
    fig.simsam_data = split
    return fig


# -- the investment view ---------------------------------------------------------------------------
def investment_data(ds, actor: str = SOCIETY, quantiles=(0.05, 0.5, 0.95)) -> xr.Dataset:
    """Cost (once), revenue in each year, and revenue summed over the horizon: quantiles, kr.

    ``revenue_total`` is the sum of the years' (undiscounted) revenue, per draw.
    """
    cost = ds["cost"].sel(actor=actor).values
    rev = ds["revenue"].sel(actor=actor).values if "revenue" in ds else ds["annual_revenue"].sel(actor=actor).values[:, None]
    years = ds["year"].values if "revenue" in ds else np.array([1])
    qs = list(quantiles)
    return xr.Dataset(
        {
            "cost": (("quantile",), np.quantile(cost, qs)),
            "revenue": (("year", "quantile"), np.quantile(rev, qs, axis=0).T),
            "revenue_total": (("quantile",), np.quantile(rev.sum(axis=1), qs)),
        },
        coords={"quantile": qs, "year": years},
        attrs={"units": "kr", "actor": actor},
    )


def investment_view(ds, *, lang: str = "sv", actor: str = SOCIETY) -> Figure:
    """Seed 004's investment view with uncertainty: the cost paid once beside the revenue that recurs every year.

    Left, as Payoff draws it: cost, revenue in the short term (year 1) and over
    the horizon; right, the revenue of each year against the cost. Bars are
    medians, whiskers 90 % intervals.
    """
    t, f = _words(ds, lang), Formatter(lang)
    data = investment_data(ds, actor)
    years = data["year"].values
    who = actor_label(actor, lang, ds).lower() if actor == SOCIETY else actor_label(actor, lang, ds)

    def bar(ax, x, q, **kw):
        q = np.asarray(q) / 1e6
        ax.bar([x], [q[1]], yerr=[[q[1] - q[0]], [q[2] - q[1]]], capsize=4, error_kw={"elinewidth": 1.1, "ecolor": INK}, width=0.62, **kw)
        ax.annotate(
            f.mkr(q[1] * 1e6),
            (x, max(q[2], 0)),
            textcoords="offset points",
            xytext=(0, 4),
            ha="center",
            va="bottom",
            fontsize=8.5,
            fontweight="bold",
        )

    with rc_context(STYLE):
        fig = _figure(7.2, 3.7)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.25]})
        bar(left, 0, data["cost"].values, color="white", edgecolor=COST, hatch="///", linewidth=1.0)
        bar(left, 1, data["revenue"].sel(year=years[0]).values, color=ACCENT_MID, edgecolor=ACCENT)
        bar(left, 2, data["revenue_total"].values, color=ACCENT, edgecolor=ACCENT)
        left.set_xticks([0, 1, 2])
        left.set_xticklabels([t["cost_once"], t["revenue_y1"], t["revenue_total"].format(y=len(years))], fontsize=8.5)
        left.set_title(t["investment_left"], fontsize=9.5)
        left.set_ylabel(t["mkr_axis"])
        for y in years:
            bar(right, int(y), data["revenue"].sel(year=y).values, color=ACCENT_MID, edgecolor=ACCENT)
        cost_median = float(data["cost"].sel(quantile=0.5)) / 1e6
        # The cost line is named in a legend below the panels: a label on the line would run through the bars.
        right.axhline(cost_median, color=COST, linestyle=(0, (5, 2)), linewidth=1.3, label=f"{t['cost_line']}: {f.mkr(cost_median * 1e6)}")
        fig.legend(loc="outside lower right", fontsize=8)
        right.set_xticks(years)
        right.set_xticklabels([t["year_n"].format(y=int(y)) for y in years])
        right.set_title(t["investment_right"], fontsize=9.5)
        for ax in (left, right):
            ax.axhline(0, color=INK, linewidth=0.8)
            ax.grid(axis="x", visible=False)
            _sv_numbers(ax.yaxis, f)
        top = max(float(np.nanmax([data[v].max() for v in ("cost", "revenue", "revenue_total")])) / 1e6, 0.1)
        left.set_ylim(top=top * 1.12)
        right.set_ylim(top=max(float(data["revenue"].max()) / 1e6, cost_median) * 1.15)
        _title(fig, t["investment_title"].format(actor=who))
    fig.simsam_data = data
    return fig


# -- sensitivity ------------------------------------------------------------------------------------
_SORT = {"tornado": "swing", "prcc": "prcc", "sobol": "ST", "morris": "mu_star"}


def _method(sens) -> str:
    method = str(sens.attrs.get("method", "")).lower()
    if method in _SORT:
        return method
    for name, var in _SORT.items():
        if var in sens:
            return name
    raise ValueError("not a sensitivity Dataset: no method attribute and none of " + ", ".join(_SORT.values()))


def sensitivity_data(sens, top: int | None = 12):
    """The sensitivity Dataset as a DataFrame (one row per input), most influential first, at most ``top`` rows."""
    method = _method(sens)
    names = [v for v in sens.data_vars if sens[v].dims == ("parameter",)]
    table = sens[names].to_dataframe()[names]
    key = table[_SORT[method]].abs()
    table = table.assign(_key=key.fillna(-np.inf)).sort_values("_key", ascending=False).drop(columns="_key")
    return table.head(top) if top else table


#: Characters per line of an input's name beside a bar: longer names wrap, so the bars keep most of the width.
LABEL_WIDTH = 34


def _labels(table, ds, sens, lang):
    return [textwrap.fill(row_label(str(p), sens, ds, lang), LABEL_WIDTH, max_lines=3, placeholder=" …") for p in table.index]


def row_label(name: str, sens, ds=None, lang: str = "sv") -> str:
    """A sensitivity row in words: an input's label, or an evidence grade ("svagt underlag") for ``--by evidence``."""
    if sens.attrs.get("by") == "evidence":
        return grade_label(name, lang) if name != "cohort" else name
    return parameter_label(name, config_of(ds) if ds is not None else config_of(sens), lang)


#: Inputs drawn by name in the stacked shares over time (the rest are one band).
TIME_TOP = 7


def time_shares_data(sens, actors=None, top: int = TIME_TOP) -> xr.Dataset:
    """Stacked first-order shares of each actor's net benefit by year: the ``top`` inputs (largest S1 in any
    actor's year), the rest, and the interactions ``1 − ΣS1``; shares clipped to [0, 1].

    Returns
    -------
    xarray.Dataset
        ``share`` of dims ``(actor, year, band)`` (bands: the inputs, ``rest``, ``interactions``), only actors
        whose net benefit varies in some year.
    """
    s1 = sens["net_benefit_S1"].clip(0.0, 1.0)
    if actors is None:
        actors = [a for a in sens["actor"].values.tolist() if np.isfinite(s1.sel(actor=a).values).any()]
    s1 = s1.sel(actor=actors).fillna(0.0)
    peak = s1.max(("actor", "year")).values
    order = np.argsort(-peak, kind="stable")[: min(top, peak.size)]
    names = [str(sens["parameter"].values[i]) for i in order if peak[i] > 0]
    named = s1.sel(parameter=names).transpose("actor", "year", "parameter").values
    rest = s1.sum("parameter").values - named.sum(axis=2)
    interactions = np.clip(1.0 - s1.sum("parameter").values, 0.0, 1.0)
    share = np.concatenate([named, rest[..., None], interactions[..., None]], axis=2)
    bands = names + ["rest", "interactions"]
    if np.all(rest < 1e-9):  # every input drawn by name (a few inputs, or the grades): no band for the rest
        share, bands = np.delete(share, len(names), axis=2), names + ["interactions"]
    return xr.Dataset({"share": (("actor", "year", "band"), share)}, coords={"actor": actors, "year": sens["year"].values, "band": bands})


def time_shares_chart(sens, *, ds=None, lang: str = "sv", ncols: int = 3) -> Figure:
    """Small multiples, one per actor: stacked bars of the shares of variance of the net benefit at each year's
    end (Sobol S1 of the most important inputs, the rest, and the interactions), from ``--over-time``."""
    t, f = T[lang], Formatter(lang)
    data = time_shares_data(sens)
    actors = data["actor"].values.tolist()
    bands = data["band"].values.tolist()
    own = {"rest": (t["time_rest"], "#BBBBBB"), "interactions": (t["time_interactions"], "white")}
    labels = [own[b][0] if b in own else textwrap.fill(row_label(b, sens, ds, lang), 30, max_lines=2, placeholder=" …") for b in bands]
    colours = [own[b][1] if b in own else _PALETTE[i % (len(_PALETTE) - 1)] for i, b in enumerate(bands)]
    nrows = int(np.ceil(max(len(actors), 1) / ncols))
    ncols = min(ncols, max(len(actors), 1))
    years = data["year"].values
    with rc_context(STYLE):
        fig = _figure(7.2, 1.2 + 2.0 * nrows + 0.22 * len(bands))
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
        for ax, actor in zip(axes, actors):
            bottom = np.zeros(years.size)
            for k, band in enumerate(bands):
                v = data["share"].sel(actor=actor, band=band).values
                ax.bar(years, v, bottom=bottom, width=0.7, color=colours[k], edgecolor=INK if band == "interactions" else colours[k],
                       hatch="//" if band == "interactions" else None, linewidth=0.5, label=labels[k] if actor == actors[0] else None)
                bottom += v
            ax.set_title(actor_label(actor, lang, ds if ds is not None else sens), fontsize=9.5)
            ax.set_ylim(0, 1.0)
            ax.set_xticks(years)
            ax.tick_params(labelsize=7.5)
            ax.grid(axis="x", visible=False)
        _panel_axes(axes, len(actors), ncols, t["year_axis"], t["sobol_axis"])
        for ax in axes[::ncols]:
            _sv_numbers(ax.yaxis, f, decimals=1)
        fig.legend(loc="outside lower center", ncol=2, fontsize=8)
        _title(fig, t["time_title"])
    fig.simsam_data = data
    return fig


def _target_axis(sens, lang, ds):
    t = target_label(sens.attrs.get("target"), sens.attrs.get("actor"), lang, ds)
    unit = target_unit(sens.attrs.get("target"), sens.attrs.get("target_units"))
    return t, unit


def _value_formatter(unit: str, f: Formatter):
    if unit == "kr":
        return (1e6, " " + ("mkr" if f.lang == "sv" else "Mkr"))
    if unit == "months":
        return (1.0, " " + ("mån" if f.lang == "sv" else "months"))
    return (1.0, "")


def _barh_figure(n: float, labels=()) -> Figure:
    """A figure for ``n`` rows of horizontal bars; rows grow when a wrapped label has three lines."""
    lines = max((str(label).count("\n") + 1 for label in labels), default=1)
    return _figure(7.2, 1.3 + (0.36 if lines <= 2 else 0.5) * max(n, 1))


def _title(fig: Figure, text: str) -> None:
    """The figure's title, left-aligned, wrapped to the figure's width (a long title would run off the figure)."""
    width = max(20, int(fig.get_figwidth() * 10.5))  # characters of 10.5-point bold per inch, a little to spare
    fig.suptitle(textwrap.fill(text, width), x=0.01, ha="left", fontsize=10.5, fontweight="bold")


def tornado_chart(sens, *, ds=None, lang: str = "sv", top: int = 12) -> Figure:
    """One-way sensitivity: for each input the target at the input's low and high value, from the base; widest swing on top."""
    t, f = T[lang], Formatter(lang)
    table = sensitivity_data(sens, top)
    labels = _labels(table, ds, sens, lang)
    target, unit = _target_axis(sens, lang, ds)
    scale, suffix = _value_formatter(unit, f)
    base = float(np.nanmedian(table["base"])) if len(table) else 0.0
    with rc_context(STYLE):
        fig = _barh_figure(len(table), labels)
        ax = fig.subplots()
        y = np.arange(len(table))[::-1]
        low = (table["low"].to_numpy() - base) / scale
        high = (table["high"].to_numpy() - base) / scale
        ax.barh(y, low, left=base / scale, color="white", edgecolor=ACCENT, hatch="///", linewidth=0.9, height=0.62, label=t["tornado_low"])
        ax.barh(y, high, left=base / scale, color=ACCENT, edgecolor=ACCENT, height=0.62, label=t["tornado_high"])
        ax.axvline(base / scale, color=INK, linewidth=1.0)
        config = config_of(ds) if ds is not None else config_of(sens)
        widest = float(np.nanmax(np.abs(np.r_[low, high, 0.0])))
        tiny = 1e-3 * widest if widest > 0 else 1e-12
        texts = []
        for yi, lv, hv, lo_in, hi_in, path in zip(y, low, high, table["low_value"], table["high_value"], table.index):
            words = [input_value(x, str(path), config, f, approx=True, per=False) if np.isfinite(x) else "" for x in (lo_in, hi_in)]
            lv, hv = (v if np.isfinite(v) else 0.0 for v in (lv, hv))
            x0 = base / scale
            if abs(lv) < tiny and abs(hv) < tiny:  # no swing: one label, not two on top of each other
                texts.append(ax.text(x0, yi, f" {t['tornado_none']} ", va="center", ha="left", fontsize=7.5, color="#444444"))
            elif lv * hv > 0 or abs(lv) < tiny or abs(hv) < tiny:  # both on one side: one label at the longer bar's end
                end = lv if abs(lv) >= abs(hv) else hv
                both = " / ".join(w for w in words if w)
                texts.append(ax.text(x0 + end, yi, f" {both} ", va="center", ha="left" if end >= 0 else "right", fontsize=7.5,
                                     color="#444444"))
            else:
                for v, w in ((lv, words[0]), (hv, words[1])):
                    if w:
                        texts.append(ax.text(x0 + v, yi, f" {w} ", va="center", ha="left" if v >= 0 else "right", fontsize=7.5,
                                             color="#444444"))
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.set_xlabel(f"{target[:1].upper() + target[1:]}{',' if suffix else ''}{suffix}")
        _sv_numbers(ax.xaxis, f)
        ax.margins(x=0.05)
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside lower center", ncol=2)
        _title(fig, t["tornado_title"].format(target=target))
        fit_texts(ax, texts)
    fig.simsam_data = table
    return fig


def prcc_chart(sens, *, ds=None, lang: str = "sv", top: int = 12) -> Figure:
    """Partial rank correlation of each input with the target, with its confidence interval; strongest on top."""
    t, f = T[lang], Formatter(lang)
    table = sensitivity_data(sens, top)
    labels = _labels(table, ds, sens, lang)
    target, _ = _target_axis(sens, lang, ds)
    with rc_context(STYLE):
        fig = _barh_figure(len(table), labels)
        ax = fig.subplots()
        y = np.arange(len(table))[::-1]
        r = table["prcc"].to_numpy()
        err = np.vstack([r - table["prcc_low"].to_numpy(), table["prcc_high"].to_numpy() - r]) if "prcc_low" in table else None
        colors = [ACCENT if v >= 0 else "white" for v in r]
        ax.barh(y, r, xerr=err, color=colors, edgecolor=ACCENT, hatch=None, linewidth=0.9, height=0.62,
                error_kw={"elinewidth": 1.0, "ecolor": INK, "capsize": 2.5})
        for yi, v in zip(y, r):
            ax.text(
                v + (0.04 if v >= 0 else -0.04), yi + 0.32, f.decimal(v, 2), va="bottom", ha="left" if v >= 0 else "right", fontsize=7.5
            )
        ax.axvline(0, color=INK, linewidth=1.0)
        ax.set_xlim(-1.05, 1.05)
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.set_xlabel(t["prcc_axis"])
        _sv_numbers(ax.xaxis, f, decimals=1)
        ax.grid(axis="y", visible=False)
        _title(fig, t["prcc_title"].format(target=target))
    fig.simsam_data = table
    return fig


def sobol_chart(sens, *, ds=None, lang: str = "sv", top: int = 12) -> Figure:
    """Sobol first-order (S1) and total (ST) indices with their 95 % half-widths; largest ST on top."""
    t, f = T[lang], Formatter(lang)
    table = sensitivity_data(sens, top)
    labels = _labels(table, ds, sens, lang)
    target, _ = _target_axis(sens, lang, ds)
    with rc_context(STYLE):
        fig = _barh_figure(len(table) * 1.25, labels)
        ax = fig.subplots()
        y = np.arange(len(table))[::-1].astype(float)
        h = 0.36
        ax.barh(y + h / 2, table["ST"], xerr=table.get("ST_conf"), height=h, color=ACCENT, edgecolor=ACCENT, label=t["sobol_st"],
                error_kw={"elinewidth": 1.0, "ecolor": INK, "capsize": 2})
        ax.barh(
            y - h / 2,
            table["S1"],
            xerr=table.get("S1_conf"),
            height=h,
            color="white",
            edgecolor=ACCENT,
            hatch="///",
            label=t["sobol_s1"],
            error_kw={"elinewidth": 1.0, "ecolor": INK, "capsize": 2},
        )
        ax.axvline(0, color=INK, linewidth=1.0)
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        hi = float(np.nanmax(np.r_[table["ST"].to_numpy() + table.get("ST_conf", 0 * table["ST"]).to_numpy(), 0.1]))
        ax.set_xlim(min(0, float(np.nanmin(np.r_[table["S1"].to_numpy(), 0]))) - 0.02, min(max(hi * 1.08, 0.1), 1.1))
        ax.set_xlabel(t["sobol_axis"])
        _sv_numbers(ax.xaxis, f, decimals=1)
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside lower center", ncol=2)
        _title(fig, t["sobol_title"].format(target=target))
    fig.simsam_data = table
    return fig


def morris_chart(sens, *, ds=None, lang: str = "sv", top: int = 12) -> Figure:
    """Morris screening: μ* (mean absolute elementary effect, with its confidence) as bars, σ as diamonds."""
    t, f = T[lang], Formatter(lang)
    table = sensitivity_data(sens, top)
    labels = _labels(table, ds, sens, lang)
    target, unit = _target_axis(sens, lang, ds)
    scale, suffix = _value_formatter(unit, f)
    with rc_context(STYLE):
        fig = _barh_figure(len(table), labels)
        ax = fig.subplots()
        y = np.arange(len(table))[::-1]
        ax.barh(y, table["mu_star"] / scale, xerr=table["mu_star_conf"] / scale if "mu_star_conf" in table else None, height=0.62,
                color=ACCENT_MID, edgecolor=ACCENT, label=t["morris_mu"], error_kw={"elinewidth": 1.0, "ecolor": INK, "capsize": 2.5})
        if "sigma" in table:
            ax.plot(
                table["sigma"] / scale,
                y,
                linestyle="none",
                marker="D",
                markersize=5,
                color=INK,
                markerfacecolor="white",
                label=t["morris_sigma"],
            )
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.set_xlabel(f"{t['morris_mu'].split(' ')[0]}{',' if suffix else ''}{suffix}")
        _sv_numbers(ax.xaxis, f)
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside lower center", ncol=2)
        _title(fig, t["morris_title"].format(target=target))
    fig.simsam_data = table
    return fig


def sensitivity_chart(sens, *, ds=None, lang: str = "sv", top: int = 12) -> Figure:
    """The chart for a sensitivity Dataset's method (its ``method`` attribute): tornado, PRCC, Sobol or Morris."""
    draw = {"tornado": tornado_chart, "prcc": prcc_chart, "sobol": sobol_chart, "morris": morris_chart}[_method(sens)]
    return draw(sens, ds=ds, lang=lang, top=top)


# -- output -----------------------------------------------------------------------------------------
def save_figure(fig: Figure, folder, name: str, dpi: int = 200) -> list[Path]:
    """Write ``name.png`` and ``name.svg`` into ``folder``; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.png", folder / f"{name}.svg"]
    fig.savefig(paths[0], dpi=dpi, facecolor="white", metadata={"Software": None})
    # The layout is done (in figure fractions, the same at any dpi): keep it for the SVG instead of solving it again.
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")
    try:
        fig.savefig(paths[1], facecolor="white", metadata={"Date": None, "Creator": None})
    finally:
        fig.set_layout_engine(engine)
    return paths


def png_data_uri(fig: Figure | None = None, *, path=None, dpi: int = 200) -> str:
    """A ``data:image/png;base64,…`` URI of a figure (or of a PNG file) for a self-contained HTML page."""
    if path is not None:
        raw = Path(path).read_bytes()
    else:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
        raw = buf.getvalue()
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


# -- scenarios (simsam compare) ---------------------------------------------------------------------
def compare_data(table, actor: str = SOCIETY, metric: str | None = None):
    """Paired differences per contrast for one actor: a DataFrame indexed by contrast with ``median, p05, p95, p_better``, kr.

    ``table`` is ``compare.csv`` read with pandas (columns ``contrast, actor, metric, …``);
    ``metric`` defaults to the last year's net benefit.
    """
    if metric is None:
        years = sorted(int(m[len("net_benefit_"):-1]) for m in set(table["metric"]) if m.startswith("net_benefit_") and m.endswith("y"))
        metric = f"net_benefit_{years[-1]}y"
    rows = table[(table["actor"] == actor) & (table["metric"] == metric)]
    return rows.set_index("contrast")[["median", "p05", "p95", "p_better"]]


def compare_chart(table, labels: dict, *, lang: str = "sv", actor: str = SOCIETY, ds=None) -> Figure:
    """Each scenario against the base: the paired difference in the last year's net benefit (median, 90 % interval), with P(better)."""
    t, f = T[lang], Formatter(lang)
    data = compare_data(table, actor)
    years = sorted(int(m[len("net_benefit_"):-1]) for m in set(table["metric"]) if m.startswith("net_benefit_") and m.endswith("y"))
    names = list(data.index)
    with rc_context(STYLE):
        fig = _figure(7.2, 1.2 + 0.5 * max(len(names), 1))
        ax = fig.subplots()
        ax.axvline(0, color=INK, linewidth=0.9)
        texts = []
        for y, name in enumerate(names[::-1]):
            row = data.loc[name] / np.array([1e6, 1e6, 1e6, 1.0])
            ax.plot([row["p05"], row["p95"]], [y, y], color=ACCENT, linewidth=1.6, solid_capstyle="butt")
            ax.plot([row["median"]], [y], marker="o", markersize=7, color=ACCENT, markeredgecolor="white")
            label = f" {f.mkr(data.loc[name, 'median'])}, P({t['better']}) {f.prob(data.loc[name, 'p_better'])} "
            texts.append(ax.text(max(row["p95"], row["median"]), y, label, va="center", ha="left", fontsize=8))

        ax.set_yticks(range(len(names)))
        ax.set_yticklabels([textwrap.fill(str(labels.get(n, n)), LABEL_WIDTH) for n in names[::-1]])
        ax.set_ylim(-0.6, len(names) - 0.4)
        who = actor_label(actor, lang, ds).lower() if actor == SOCIETY else actor_label(actor, lang, ds)
        ax.set_xlabel(t["compare_axis"].format(y=years[-1], actor=who))
        _sv_numbers(ax.xaxis, f)
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.05)
        _title(fig, t["compare_title"])
        fit_texts(ax, texts)
    fig.simsam_data = data
    return fig


# -- value of information (simsam decision) ---------------------------------------------------------
def evppi_data(dec, year: int, actor: str = SOCIETY, top: int = 8):
    """The ``top`` largest EVPPIs of ``actor`` after ``year`` years, largest first: a Series of kr indexed by input."""
    import pandas as pd  # pandas, ~0.3 s: only for this table

    s = dec.sel(actor=actor, year=year)
    values = pd.Series(s["evppi"].values, index=[str(i) for i in dec["input"].values]).sort_values(ascending=False)
    return values.head(top)


def evppi_chart(dec, year: int, *, lang: str = "sv", actor: str = SOCIETY, top: int = 8, ds=None) -> Figure:
    """The value of learning each input before deciding (EVPPI), largest first, against the EVPI (the upper limit)."""
    t, f = T[lang], Formatter(lang)
    data = evppi_data(dec, year, actor, top)
    evpi = float(dec["evpi"].sel(actor=actor, year=year))
    config = config_of(ds) if ds is not None else config_of(dec)
    labels = [textwrap.fill(" + ".join(parameter_label(p.strip(), config, lang) for p in str(name).split("+")), LABEL_WIDTH,
                            max_lines=3, placeholder=" …") for name in data.index]
    scale = 1e6 if max(evpi, float(data.max() if len(data) else 0)) >= 1e5 else 1e3
    unit = ("mkr" if lang == "sv" else "Mkr") if scale == 1e6 else ("tkr" if lang == "sv" else "thousand kr")
    with rc_context(STYLE):
        fig = _barh_figure(len(data), labels)
        ax = fig.subplots()
        y = np.arange(len(data))[::-1]
        ax.barh(y, data.to_numpy() / scale, color=ACCENT_MID, edgecolor=ACCENT, height=0.62)
        kr = lambda x: f"{f.significant(x, 3)}{f.space}kr" if abs(x) >= 1 else f"0{f.space}kr"  # noqa: E731 - as the report's text
        ax.axvline(evpi / scale, color=COST, linestyle=(0, (5, 2)), linewidth=1.3, label=f"EVPI: {kr(evpi)}")
        texts = [ax.text(v / scale, yi, f" {kr(v)} ", va="center", ha="left", fontsize=7.5, color="#444444")
                 for yi, v in zip(y, data.to_numpy())]
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.set_xlabel(t["evppi_axis"].format(y=year, unit=unit))
        ax.set_xlim(0, max(evpi, float(data.max() if len(data) else 0), 1.0) / scale * 1.05)
        _sv_numbers(ax.xaxis, f)
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside lower center")
        who = actor_label(actor, lang, ds).lower() if actor == SOCIETY else actor_label(actor, lang, ds)
        _title(fig, t["evppi_title"].format(actor=who))
        fit_texts(ax, texts)
    fig.simsam_data = data
    return fig

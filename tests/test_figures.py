"""The report's figures: their data equal the Dataset and the summary, and they draw on awkward input."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pytest
import xarray as xr
from matplotlib.colors import to_rgb

import simsam
from simsam.analysis.summary import summarize
from simsam.report import figures as F

from .helpers import CONFIGS, DATA, figure_problems, make_sensitivity

matplotlib.use("Agg")


# -- shared test data (also used by test_report.py and test_browser.py) ----------------------------------
def minimal_dataset(draws: int = 5) -> xr.Dataset:
    """A hand-made result Dataset: two actors and society, nothing ever pays back (all paybacks NaN), no config attrs."""
    actors = ["kommun", "af", "society"]
    years = np.arange(1, 6)
    rng = np.random.default_rng(0)
    cost = np.tile([1e6, 1e6, 2.5e6], (draws, 1))
    revenue = np.stack([np.full((draws, 5), -1e5), np.full((draws, 5), -2e5), np.full((draws, 5), -3e5)], axis=1)
    net = np.cumsum(revenue, axis=2) - cost[:, :, None]
    return xr.Dataset(
        {
            "payback_months": (("draw", "actor"), np.full((draws, 3), np.nan)),
            "annual_revenue": (("draw", "actor"), revenue[:, :, 0]),
            "cost": (("draw", "actor"), cost),
            "net_benefit": (("draw", "actor", "year"), net),
            "revenue": (("draw", "actor", "year"), revenue),
            "utilised_potential": (("draw",), rng.random(draws) * 0.01),
            "inputs": (("draw", "parameter"), rng.random((draws, 2))),
        },
        coords={
            "draw": np.arange(draws),
            "actor": actors,
            "actor_label": ("actor", ["Kommun", "Arbetsförmedlingen", "Samhället"]),
            "year": years,
            "parameter": ["economy.wage", "project.cost"],
            "parameter_group": ("parameter", ["economy.wage", "project.cost"]),
        },
        attrs={"horizon_months": 60, "draws": draws, "seed": 0, "participants": 10, "cohort": "sampled", "name": "minimal"},
    )


@pytest.fixture(scope="module")
def run():
    ds = simsam.simulate(simsam.load_config(DATA / "engine.toml"), draws=400, seed=3)
    return ds, summarize(ds)


def _lines(fig):
    return [line for ax in fig.axes for line in ax.get_lines()]


# -- data equal the Dataset ----------------------------------------------------------------------------
def test_acceptability_curve_is_the_summary_probability(run):
    ds, summary = run
    fig = F.acceptability_curve(ds)
    data = fig.simsam_data
    assert data["actor"].values.tolist() == ["kommun", "region", "fk", "af", "society"]  # cost bearers and society
    for actor in data["actor"].values:
        for m in (12, 36, 60):
            assert float(data.sel(actor=actor, month=m)) == summary.loc[(str(actor), f"p_payback_{m}"), "mean"]
        assert float(data.sel(actor=actor, month=0)) == 0.0
    # what is drawn is that data: one step line per actor, y = P(payback ≤ month)
    drawn = [line for line in _lines(fig) if len(line.get_xdata()) == data.sizes["month"]]
    assert len(drawn) == data.sizes["actor"]
    for line, actor in zip(drawn, data["actor"].values):
        np.testing.assert_array_equal(line.get_ydata(), data.sel(actor=actor).values)


def test_payback_histogram_shows_not_reached(run):
    ds, summary = run
    for actor in ("society", "af"):
        fig = F.payback_histogram(ds, actor=actor)
        h = fig.simsam_data
        assert h.shares.sum() + h.not_reached == pytest.approx(1.0, abs=1e-12)
        assert h.not_reached == summary.loc[(actor, "p_payback_not_reached"), "mean"]
        reached = ds["payback_months"].sel(actor=actor).values
        # the share paid back within 36 months is the bins up to 36
        assert h.shares[h.edges[1:] <= 36].sum() == pytest.approx(summary.loc[(actor, "p_payback_36"), "mean"], abs=1e-12)
        # Society pays back in most draws; AF, whose cost share is never recovered here, has no median (NaN in both).
        assert np.isfinite(h.median) == (actor == "society")
        np.testing.assert_equal(h.median, summary.loc[(actor, "payback_months"), "median"])
        heights = [p.get_height() for p in fig.axes[0].patches]
        np.testing.assert_allclose(heights[:-1], 100 * h.shares)
        assert heights[-1] == pytest.approx(100 * h.not_reached)
        assert np.isfinite(reached).sum() == round(h.shares.sum() * reached.size)


def test_fan_chart_is_minus_cost_then_yearly_net_benefit(run):
    ds, summary = run
    fig = F.net_benefit_fan(ds)
    data = fig.simsam_data
    assert data["month"].values.tolist() == [0, 12, 24, 36, 48, 60]
    assert float(data.sel(month=0, quantile=0.5)) == pytest.approx(-summary.loc[("society", "cost"), "median"])
    for y in range(1, 6):
        row = summary.loc[("society", f"net_benefit_{y}y")]
        for q, column in ((0.05, "p05"), (0.5, "median"), (0.95, "p95")):
            assert float(data.sel(month=12 * y, quantile=q)) == pytest.approx(row[column], rel=1e-12)
    median_line = [line for line in _lines(fig) if line.get_marker() == "o"][0]
    np.testing.assert_allclose(median_line.get_ydata(), data.sel(quantile=0.5).values / 1e6)


def test_fan_chart_per_actor(run):
    ds, summary = run
    fig = F.net_benefit_fan_actors(ds)
    data = fig.simsam_data
    assert "society" not in data["actor"].values and "kommun" in data["actor"].values
    for actor in data["actor"].values:
        assert float(data.sel(actor=actor, month=60, quantile=0.5)) == pytest.approx(summary.loc[(str(actor), "net_benefit_5y"), "median"])
    assert sum(ax.get_visible() for ax in fig.axes) == data.sizes["actor"]


def test_revenue_intervals_are_the_summary_quantiles(run):
    ds, summary = run
    data = F.revenue_intervals(ds).simsam_data
    for actor in data["actor"].values:
        row = summary.loc[(str(actor), "annual_revenue")]
        assert float(data.sel(actor=actor, quantile=0.05)) == pytest.approx(row["p05"], rel=1e-12)
        assert float(data.sel(actor=actor, quantile=0.5)) == pytest.approx(row["median"], rel=1e-12)
        assert float(data.sel(actor=actor, quantile=0.95)) == pytest.approx(row["p95"], rel=1e-12)
    assert "arbetsgivare" not in data["actor"].values  # only zeros: nothing to show


def test_investment_view_cost_once_revenue_per_year(run):
    ds, summary = run
    data = F.investment_view(ds).simsam_data
    assert float(data["cost"].sel(quantile=0.5)) == pytest.approx(summary.loc[("society", "cost"), "median"])
    assert float(data["revenue"].sel(year=1, quantile=0.5)) == pytest.approx(summary.loc[("society", "annual_revenue"), "median"])
    total = ds["revenue"].sel(actor="society").sum("year").values
    assert float(data["revenue_total"].sel(quantile=0.95)) == pytest.approx(np.quantile(total, 0.95))
    # undiscounted: net benefit after 5 years is the revenue sum minus the cost, draw by draw
    np.testing.assert_allclose(
        ds["net_benefit"].sel(actor="society", year=5), total - ds["cost"].sel(actor="society"), rtol=1e-9, atol=1e-3
    )


@pytest.mark.parametrize("method", ["tornado", "prcc", "sobol", "morris"])
def test_sensitivity_charts_sorted_by_influence(run, method):
    ds, _ = run
    sens = make_sensitivity(ds, method)
    fig = F.sensitivity_chart(sens, ds=ds, top=5)
    table = fig.simsam_data
    assert len(table) == 5
    key = {"tornado": "swing", "prcc": "prcc", "sobol": "ST", "morris": "mu_star"}[method]
    assert list(table[key].abs()) == sorted(table[key].abs(), reverse=True)
    # inputs named in words, the most influential at the top of the chart
    ax = fig.axes[0]
    top = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))[max(ax.get_yticks())]
    assert top == F.parameter_label(str(table.index[0]), json.loads(ds.attrs["config"]), "sv")


# -- style ----------------------------------------------------------------------------------------------
def test_bands_differ_in_lightness():
    """The 90 % band, the 50 % band and the median stay apart when printed in grey."""

    def grey(color):
        r, g, b = to_rgb(color)
        return 0.299 * r + 0.587 * g + 0.114 * b

    levels = sorted(grey(c) for c in (F.ACCENT_LIGHT, F.ACCENT_MID, F.ACCENT, "white"))
    assert min(np.diff(levels)) > 0.1


def test_acceptability_curve_labels_in_english_and_swedish(run):
    ds, _ = run
    fig = F.acceptability_curve(ds, lang="en")
    assert fig.axes[0].get_xlabel() == "Months after exit"
    assert "Society" in [t.get_text() for t in fig.legends[0].get_texts()]
    sv = F.acceptability_curve(ds, lang="sv")
    assert sv.axes[0].get_xlabel() == "Månader efter avslut"
    assert "Samhället" in [t.get_text() for t in sv.legends[0].get_texts()]


def test_swedish_tick_labels_use_decimal_comma(run):
    ds, _ = run
    fig = F.acceptability_curve(ds)
    _render(fig)  # draws the ticks
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert "0,5" in ticks or "0,4" in ticks
    assert not any("." in t for t in ticks)


# -- awkward input ----------------------------------------------------------------------------------------
FIGURES = [F.acceptability_curve, F.payback_histogram, F.net_benefit_fan, F.net_benefit_fan_actors, F.revenue_intervals, F.investment_view]


def _render(fig) -> bytes:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=30)
    return buf.getvalue()


@pytest.mark.parametrize("draw", FIGURES, ids=lambda f: f.__name__)
def test_every_figure_draws_when_nothing_pays_back(draw):
    """All paybacks NaN, a single draw, no config in the attributes."""
    fig = draw(minimal_dataset(draws=1), lang="sv")
    assert len(_render(fig)) > 1000


def test_save_figure_writes_png_and_svg(tmp_path):
    fig = F.payback_histogram(minimal_dataset(), lang="en")
    png, svg = F.save_figure(fig, tmp_path, "payback", dpi=40)
    assert png.read_bytes().startswith(b"\x89PNG") and svg.read_text(encoding="utf-8").startswith("<?xml")
    assert F.png_data_uri(path=png).startswith("data:image/png;base64,iVBOR")


def test_figure_data_when_no_draw_pays_back():
    ds = minimal_dataset()
    assert float(F.acceptability_data(ds).max()) == 0.0
    h = F.payback_histogram_data(ds)
    assert h.not_reached == 1.0 and h.shares.sum() == 0.0 and np.isnan(h.median)


@pytest.mark.parametrize("method", ["tornado", "prcc", "sobol", "morris"])
def test_sensitivity_charts_draw_with_nan_and_without_config(method):
    ds = minimal_dataset()
    sens = make_sensitivity(ds, method, nan=True)
    fig = F.sensitivity_chart(sens, lang="en")
    assert len(_render(fig)) > 1000
    assert np.isnan(fig.simsam_data.iloc[-1].to_numpy()).any()  # the NaN row sorts last


def test_not_a_sensitivity_dataset():
    with pytest.raises(ValueError, match="not a sensitivity Dataset"):
        F.sensitivity_chart(xr.Dataset({"x": ("parameter", [1.0])}, coords={"parameter": ["a"]}))


# -- figures that cannot mislead: every figure of a set of configs, checked from the figure objects ---------
CHECKED = [
    ("engine", DATA / "engine.toml", 300),
    ("bas", CONFIGS / "bas_trelleborg.toml", 300),
    ("point", CONFIGS / "samverkansteamet_point.toml", 1),
    ("project-timing", DATA / "project_timing.toml", 300),
    ("spaaret", CONFIGS / "spaaret.toml", 200),
]


@pytest.fixture(scope="module", params=CHECKED, ids=[c[0] for c in CHECKED])
def checked_run(request):
    _, path, draws = request.param
    return simsam.simulate(simsam.load_config(path), draws=draws, seed=3)


def _all_figures(ds, lang):
    yield from ((draw.__name__, draw(ds, lang=lang)) for draw in FIGURES)
    for method in ("tornado", "prcc", "sobol", "morris"):
        yield method, F.sensitivity_chart(make_sensitivity(ds, method, awkward=True), ds=ds, lang=lang)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_figure_misreads_its_ticks_or_overlaps_its_text(checked_run, lang):
    problems = {}
    for name, fig in _all_figures(checked_run, lang):
        for dpi in (80, 200) if lang == "sv" else (200,):  # the tests' and the report's: text does not scale exactly with dpi
            fig.set_dpi(dpi)
            if found := figure_problems(fig):
                problems[f"{name} at {dpi} dpi"] = found
    assert not problems


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_analyses_figures_cannot_mislead(experiment_folder, lang):
    """The experiment's own results: the scenarios, the EVPPI and the real tornado, PRCC and Sobol charts."""
    import pandas as pd

    from simsam.results import read_results

    ds = read_results(experiment_folder / "run")
    table = pd.read_csv(experiment_folder / "compare" / "compare.csv")
    labels = {"arbete_plus10": "Arbete +10 procentenheter, ett långt namn på ett scenario som måste brytas", "lonebidrag_30": "Lönebidrag"}
    with xr.open_dataset(experiment_folder / "decision" / "decision.nc") as dec:
        dec = dec.load()
    figures = {"compare": F.compare_chart(table, labels, lang=lang, ds=ds), "evppi": F.evppi_chart(dec, 3, lang=lang, ds=ds)}
    for method in ("tornado", "prcc", "sobol"):
        with xr.open_dataset(experiment_folder / f"sensitivity-{method}" / "sensitivity.nc") as sens:
            figures[method] = F.sensitivity_chart(sens.load(), ds=ds, lang=lang)
    problems = {}
    for name, fig in figures.items():
        for dpi in (80, 200):
            fig.set_dpi(dpi)
            if found := figure_problems(fig):
                problems[f"{name} at {dpi} dpi"] = found
    assert not problems
    # the scenario chart shows compare.csv's medians, in Mkr, P(better) beside them
    data = figures["compare"].simsam_data
    soc = table[(table.actor == "society") & (table.metric == "net_benefit_5y")].set_index("contrast")
    assert np.array_equal(data["median"].to_numpy(), soc.loc[data.index, "median"].to_numpy())


def test_the_checks_catch_what_they_are_for():
    """The check itself: a mis-rounded tick label and two labels on top of each other are found."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set_xlim(0, 10)
    ax.set_xticks([0, 2.5, 5])
    ax.set_xticklabels(["0", "2", "5"])  # what the old formatter printed for 2.5
    ax.text(5, 0.5, "7,5 mkr")
    ax.text(5.05, 0.5, "7,6 mkr")
    problems = figure_problems(fig)
    assert any("'2' at 2.5" in p for p in problems)
    assert any("overlaps" in p and "7,5 mkr" in p for p in problems)
    assert F.tick_decimals([0, 2.5, 5, 7.5]) == 1 and F.tick_decimals([-0.25, 0, 0.25]) == 2 and F.tick_decimals([0, 2e6]) == 0

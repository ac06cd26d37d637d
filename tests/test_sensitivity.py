"""Sensitivity analysis: analytic answers through the code paths the CLI uses, and bad input.

The configs are tests/data/hand.toml (round numbers, expected cohort, no
transitions) with a few inputs made uncertain. There, per participant-month in
the work state, society gains production ``w·e·(1+p)·(1−s) = 0.39·w`` and the
resources avoided ``−5000·r`` (BEFORE resources cost 5000 kr a month, uplifted;
``r`` is the work state's resource change), and nothing in the improved state;
with 10 participants and work share ``x`` society's first-year revenue is
``120·x·(0.39·w − 5000·r)`` kr and its cost ``1.25·project.cost``
(tests/test_accounting.py works out the base case: 494 400 kr, 1.25 Mkr, 31 months).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import simsam
from simsam.analysis.sensitivity import parse_target, read_sensitivity
from simsam.analysis.sensitivity.model import ConfigModel, design_groups, unit_problem
from simsam.analysis.sensitivity.morris import morris_analysis, run_morris
from simsam.analysis.sensitivity.output import COLUMNS
from simsam.analysis.sensitivity.prcc import partial_rank_correlation, run_prcc
from simsam.analysis.sensitivity.sobol import design_values, run_sobol, sobol_analysis, sobol_design
from simsam.analysis.sensitivity.tornado import one_way_design, proportional_shares, run_tornado
from simsam.cli import main
from simsam.engine.sampling import ParameterSpace
from simsam.testing import ishigami_unit, linear_unit

DATA = Path(__file__).parent / "data"

WAGE = 'wage = { dist = "uniform", low = 10000, high = 30000 }'
CHANGE = 'resource_change = { dist = "uniform", low = -0.9, high = -0.1 }'
COST = 'cost = { dist = "uniform", low = 0.8e6, high = 1.2e6 }'
SHARES = 'shares = { dist = "dirichlet", mean = { work = 0.4, improved = 0.6 }, concentration = 10 }'
AVERAGE_WAGE = 'average_wage = { dist = "uniform", low = 25000, high = 35000 }'


def hand(*, wage=False, change=False, cost=False, shares=False, average_wage=False, extra=""):
    """tests/data/hand.toml with the chosen inputs uncertain (see the constants above)."""
    text = (DATA / "hand.toml").read_text(encoding="utf-8")
    for on, old, new in (
        (wage, "wage = 20000", WAGE),
        (change, "resource_change = -0.5", CHANGE),
        (cost, "cost = 1e6", COST),
        (shares, "shares = { work = 0.4, improved = 0.6 }", SHARES),
        (average_wage, "average_wage = 30000", AVERAGE_WAGE),
    ):
        if on:
            assert text.count(old) == 1
            text = text.replace(old, new)
    return simsam.loads(text + extra, DATA)


def revenue(x=0.4, w=20000.0, r=-0.5):
    """Society's first-year revenue in the hand config, kr."""
    return 120 * x * (0.39 * w - 5000 * r)


def payback(revenue_kr, cost_kr=1e6):
    return math.ceil(12 * 1.25 * cost_kr / revenue_kr)


# --- targets ---------------------------------------------------------------------------------


def test_targets_payback_not_reached_is_horizon_plus_one():
    cfg = hand()
    pb = np.array([[12.0, np.nan], [np.nan, 60.0]])  # (run, actor) with two columns for brevity
    t = parse_target("payback_months", cfg, "kommun")
    assert t.actor_index == 0 and t.name == "payback_months"
    np.testing.assert_array_equal(t.from_arrays(pb, None, None, None, None), [12.0, 61.0])
    p = parse_target("p_payback", cfg, "kommun", month=12)
    assert p.name == "p_payback_12"
    np.testing.assert_array_equal(p.from_arrays(pb, None, None, None, None), [1.0, 0.0])
    assert t.not_reached(np.array([12.0, 61.0, 61.0, 3.0])) == 0.5
    assert parse_target("net_benefit", cfg).name == "net_benefit_5y"
    assert parse_target("net_benefit_2y", cfg).year == 2
    assert parse_target("p_payback_24", cfg).month == 24
    assert parse_target("p_payback", cfg).month == 36


def test_targets_against_a_run():
    cfg = hand(wage=True)
    ds = simsam.simulate(cfg, draws=5, seed=2)
    w = ds.inputs.sel(parameter="economy.wage").values
    np.testing.assert_allclose(parse_target("annual_revenue", cfg).of_dataset(ds), revenue(w=w), rtol=1e-12)
    np.testing.assert_allclose(parse_target("net_benefit_2y", cfg).of_dataset(ds), 2 * revenue(w=w) - 1.25e6, rtol=1e-12)
    np.testing.assert_allclose(parse_target("cost", cfg, "kommun").of_dataset(ds), 625_000)
    np.testing.assert_allclose(parse_target("utilised_potential", cfg).of_dataset(ds), revenue(w=w) / (44_000 * 120))


@pytest.mark.parametrize(
    "args, kwargs, path, match",
    [
        (("payback_month",), {}, "--target", r"unknown target 'payback_month' \(did you mean 'payback_months'\?\)"),
        (("payback_months", "kommunen"), {}, "--actor", r"unknown actor 'kommunen' \(did you mean 'kommun'\?\)"),
        (("utilised_potential", "kommun"), {}, "--actor", "utilised_potential is society's only"),
        (("p_payback",), {"month": 61}, "--month", r"must be between 1 and the horizon \(60 months\), not 61"),
        (("p_payback_12",), {"month": 24}, "--month", "24 contradicts --target p_payback_12"),
        (("annual_revenue",), {"month": 12}, "--month", "is for --target p_payback, not annual_revenue"),
        (("net_benefit",), {"year": 6}, "--year", r"must be between 1 and 5 \(the horizon in years\), not 6"),
        (("net_benefit_0y",), {}, "--year", "must be between 1 and 5"),
        (("cost",), {"year": 1}, "--year", "is for --target net_benefit, not cost"),
    ],
)
def test_bad_targets(args, kwargs, path, match):
    with pytest.raises(simsam.ConfigError, match=match) as err:
        parse_target(args[0], hand(), *args[1:], **kwargs)
    assert err.value.path == path


# --- tornado ---------------------------------------------------------------------------------


def test_tornado_bars_by_hand():
    """Each bar by hand: wage U(10 000, 30 000) → p05 11 000, p95 29 000; cost U(0.8, 1.2) Mkr → 0.82, 1.18;
    work share Beta(4, 6) (Dirichlet mean 0.4, concentration 10) with improved = 1 − work."""
    cfg = hand(wage=True, cost=True, shares=True)
    x_lo, x_hi = stats.beta(4, 6).ppf([0.05, 0.95])
    ds = run_tornado(cfg, target=parse_target("annual_revenue", cfg))
    assert ds.attrs["base"] == pytest.approx(revenue()) == pytest.approx(494_400)
    want = {
        "economy.wage": (11_000, 29_000, revenue(w=11_000), revenue(w=29_000)),
        "project.cost": (0.82e6, 1.18e6, revenue(), revenue()),
        "outcomes.shares.work": (x_lo, x_hi, revenue(x=x_lo), revenue(x=x_hi)),
        "outcomes.shares.improved": (1 - x_hi, 1 - x_lo, revenue(x=x_hi), revenue(x=x_lo)),
    }
    assert set(ds.parameter.values) == set(want)
    for name, (lv, hv, lo, hi) in want.items():
        row = ds.sel(parameter=name)
        np.testing.assert_allclose([row.low_value, row.high_value, row.low, row.high], [lv, hv, lo, hi], rtol=1e-9, err_msg=name)
        assert float(row.swing) == pytest.approx(abs(hi - lo), rel=1e-9)
        assert float(row.base) == pytest.approx(494_400)
    assert list(ds.swing.values) == sorted(ds.swing.values, reverse=True)
    assert ds.attrs["method"] == "tornado" and ds.attrs["target"] == "annual_revenue" and ds.attrs["actor"] == "society"
    assert ds.attrs["sample_size"] == 4 and ds.attrs["evaluations"] == 9 and ds.attrs["cohort"] == "expected"


def test_tornado_payback_by_hand_at_other_percentiles():
    cfg = hand(wage=True, cost=True)
    ds = run_tornado(cfg, target=parse_target("payback_months", cfg), low=10, high=90)
    wage, cost = ds.sel(parameter="economy.wage"), ds.sel(parameter="project.cost")
    assert float(wage.low_value) == pytest.approx(12_000) and float(wage.high_value) == pytest.approx(28_000)
    assert (float(wage.low), float(wage.high)) == (payback(revenue(w=12_000)), payback(revenue(w=28_000))) == (44, 24)
    assert (float(cost.low), float(cost.high)) == (payback(494_400, 0.84e6), payback(494_400, 1.16e6)) == (26, 36)
    assert float(wage.base) == 31
    assert ds.parameter.values[0] == "economy.wage"  # swing 18 before 10


def test_one_way_design_moves_a_dirichlet_item_and_rescales_the_others(engine_config):
    space = ParameterSpace.from_config(engine_config)
    design = one_way_design(space)
    group = space.groups[0]  # outcomes.shares: work, improved, not_improved with alpha 21, 36, 27
    cols = slice(len(space.scalars), len(space.scalars) + 3)
    mean = np.array([21, 36, 27]) / 84
    np.testing.assert_allclose(design.values[:, cols].sum(axis=1), 1.0, rtol=1e-12)
    b = design.names.index("outcomes.shares.improved")
    lo, hi = stats.beta(36, 84 - 36).ppf([0.05, 0.95])
    np.testing.assert_allclose(design.values[1 + 2 * b, cols], proportional_shares(mean, 1, lo), rtol=1e-12)
    np.testing.assert_allclose(
        design.values[2 + 2 * b, cols], [mean[0] * (1 - hi) / (1 - mean[1]), hi, mean[2] * (1 - hi) / (1 - mean[1])], rtol=1e-12
    )
    assert group.names == ("outcomes.shares.work", "outcomes.shares.improved", "outcomes.shares.not_improved")
    # Every other row keeps the base shares.
    others = [r for r in range(design.values.shape[0]) if r not in range(1 + 2 * len(space.scalars), design.values.shape[0])]
    np.testing.assert_allclose(design.values[others][:, cols], np.tile(mean, (len(others), 1)), rtol=1e-12)


# --- PRCC ------------------------------------------------------------------------------------


def test_prcc_without_controls_is_spearman():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 1))
    y = x[:, 0] + rng.normal(size=200)
    res = partial_rank_correlation(x, y)
    rho, p = stats.spearmanr(x[:, 0], y)
    assert res.prcc[0] == pytest.approx(rho, abs=1e-12)
    assert res.p_value[0] == pytest.approx(p, rel=1e-9)
    half = 1.959963984540054 / math.sqrt(200 - 3)
    assert (res.prcc_low[0], res.prcc_high[0]) == pytest.approx((math.tanh(math.atanh(rho) - half), math.tanh(math.atanh(rho) + half)))


def test_prcc_separates_correlated_inputs():
    """y depends on x1 only; x2 is correlated with x1 but has no effect of its own: PRCC ≈ 0 for x2."""
    rng = np.random.default_rng(2)
    x1 = rng.normal(size=3000)
    x2 = x1 + 0.5 * rng.normal(size=3000)
    y = np.exp(x1) + 0.3 * rng.normal(size=3000)
    res = partial_rank_correlation(np.column_stack([x1, x2, rng.normal(size=3000)]), y)
    assert stats.spearmanr(x2, y)[0] > 0.8  # x2 alone looks important
    assert res.prcc[0] > 0.6
    assert abs(res.prcc[1]) < 0.1 and abs(res.prcc[2]) < 0.1
    assert list(res.controls) == [2, 2, 2]


def test_prcc_sign_and_order_on_an_obvious_config():
    """Payback falls with the wage, rises with the project cost, and ignores the average wage
    (which only enters the potential); utilised potential falls with the average wage."""
    cfg = hand(wage=True, cost=True, average_wage=True)
    ds = run_prcc(cfg, target=parse_target("payback_months", cfg), draws=2000, seed=3)
    assert list(ds.parameter.values[:2]) == ["economy.wage", "project.cost"]
    assert float(ds.prcc.sel(parameter="economy.wage")) < -0.9
    assert float(ds.prcc.sel(parameter="project.cost")) > 0.7
    idle = ds.sel(parameter="economy.average_wage")
    assert abs(float(idle.prcc)) < 0.1 and float(idle.p_value) > 0.001
    assert ds.attrs["sample_size"] == 2000 and ds.attrs["cohort"] == "expected"
    pot = run_prcc(cfg, target=parse_target("utilised_potential", cfg), draws=2000, seed=3)
    assert float(pot.prcc.sel(parameter="economy.average_wage")) < -0.9


def test_prcc_dirichlet_items_are_not_adjusted_for_their_siblings(engine_config):
    ds = simsam.simulate(engine_config, draws=300, seed=1)
    x = ds.inputs.values
    groups = list(ds.parameter_group.values)
    res = partial_rank_correlation(x, parse_target("annual_revenue", engine_config).of_dataset(ds), groups=groups)
    n_scalars = sum(g == p for g, p in zip(groups, ds.parameter.values))
    assert list(res.controls[n_scalars:]) == [n_scalars] * 3
    assert list(res.controls[:n_scalars]) == [x.shape[1] - 1] * n_scalars
    work = list(ds.parameter.values).index("outcomes.shares.work")
    assert res.prcc[work] > 0.5


# --- Sobol -----------------------------------------------------------------------------------


def test_sobol_ishigami():
    """Ishigami (a = 7, b = 0.1) through the estimator path run_sobol uses. Analytic:
    V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0, V13 = 8b²π⁸/225."""
    a, b = 7.0, 0.1
    v = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1, v2, v13 = 0.5 * (1 + b * math.pi**4 / 5) ** 2, a**2 / 8, 8 * b**2 * math.pi**8 / 225
    s1, st = np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v
    res = sobol_analysis(ishigami_unit, unit_problem(["x1", "x2", "x3"]), n=4096, seed=1)
    np.testing.assert_allclose(res.S1, s1, atol=0.01)
    np.testing.assert_allclose(res.ST, st, atol=0.01)
    assert np.all(np.abs(res.S1 - s1) < res.S1_conf) and np.all(np.abs(res.ST - st) < res.ST_conf)
    assert res.evaluations == 4096 * 5


def test_sobol_linear_model_with_groups():
    """y = Σ c_i u_i: shares c_i²/Σc²; a group's share is the sum of its members'."""
    c = np.array([4.0, 3.0, 2.0, 1.0])
    problem = unit_problem(["a", "b1", "b2", "d"], ["a", "b", "b", "d"])
    res = sobol_analysis(lambda u: linear_unit(u, c), problem, n=2048, seed=2)
    want = np.array([16, 9 + 4, 1]) / 30
    assert res.names == ("a", "b", "d") and res.members[1] == ("b1", "b2")
    np.testing.assert_allclose(res.S1, want, atol=0.01)
    np.testing.assert_allclose(res.ST, want, atol=0.01)


def test_sobol_config_linear_in_two_uniform_inputs():
    """Society's revenue 48·(0.39·w − 5000·r), w ~ U(10 000, 30 000), r ~ U(−0.9, −0.1): variances
    (0.39·20 000)²/12 and (5000·0.8)²/12, so S1 = ST = 7800²/(7800² + 4000²) = 0.7918 and 0.2082."""
    cfg = hand(wage=True, change=True)
    ds = run_sobol(cfg, target=parse_target("annual_revenue", cfg), n=2048, seed=1)
    share = 7800**2 / (7800**2 + 4000**2)
    for name, s in (("economy.wage", share), ("outcomes.states.work.resource_change", 1 - share)):
        row = ds.sel(parameter=name)
        assert float(row.S1) == pytest.approx(s, abs=0.005) and float(row.ST) == pytest.approx(s, abs=0.005)
    assert ds.attrs["sample_size"] == 2048 and ds.attrs["evaluations"] == 2048 * 4
    assert ds.attrs["cohort"] == "expected" and ds.attrs["target"] == "annual_revenue"


def test_sobol_sampled_cohort_is_one_more_input():
    """Sampled cohort of 10: K ~ Binomial(10, 0.4) at work, revenue 12·K·g(w, r) with g = 0.39w − 5000r.
    Var = 144(E K² Var g + Var K (E g)²); S1 of w = 16 Var(0.39w)/[...], ST of w = E K² Var(0.39w)/[...],
    the cohort's S1 = Var K (E g)²/[...] and ST = Var K E g²/[...] (E K² = 18.4, Var K = 2.4)."""
    cfg = hand(wage=True, change=True)
    ds = run_sobol(cfg, target=parse_target("annual_revenue", cfg), n=8192, seed=1, cohort="sampled")
    vw, vr, eg = 7800**2 / 12, 4000**2 / 12, 10_300.0
    total = 18.4 * (vw + vr) + 2.4 * eg**2
    want = {
        "economy.wage": (16 * vw / total, 18.4 * vw / total),
        "outcomes.states.work.resource_change": (16 * vr / total, 18.4 * vr / total),
        "cohort": (2.4 * eg**2 / total, 2.4 * (vw + vr + eg**2) / total),
    }
    for name, (s1, st) in want.items():
        row = ds.sel(parameter=name)
        assert float(row.S1) == pytest.approx(s1, abs=0.03), name
        assert float(row.ST) == pytest.approx(st, abs=0.03), name
    assert ds.attrs["cohort"] == "sampled" and ds.attrs["engine"] == "person"


def test_sobol_groups_dirichlet_and_correlated_inputs(engine_config):
    cfg = simsam.loads(
        (DATA / "engine.toml").read_text()
        + '\n[correlations]\n"outcomes.states.work.employment_rate ~ outcomes.states.work.wage_subsidy" = -0.5\n',
        DATA,
    )
    ds = run_sobol(cfg, target=parse_target("net_benefit_5y", cfg), n=64, seed=1)
    names = set(ds.parameter.values)
    assert "outcomes.shares" in names and "outcomes.shares.work" not in names
    pair = "outcomes.states.work.employment_rate ~ outcomes.states.work.wage_subsidy"
    assert pair in names and "outcomes.states.work.employment_rate" not in names
    assert (
        str(ds.members.sel(parameter="outcomes.shares").values)
        == "outcomes.shares.work, outcomes.shares.improved, outcomes.shares.not_improved"
    )
    space = ParameterSpace.from_config(cfg)
    assert ds.sizes["parameter"] == space.size - 2 - 1  # three shares → one group, two correlated → one
    assert ds.attrs["evaluations"] == 64 * (ds.sizes["parameter"] + 2)


def test_design_values_equal_the_full_transform():
    """run_sobol transforms only the rows of A and B and assembles the rest: the same values, bit for bit."""
    cfg = simsam.loads(
        (DATA / "engine.toml").read_text() + '\n[correlations]\n"outcomes.states.work.employment_rate ~ economy.wage" = 0.4\n', DATA
    )
    model = ConfigModel.create(cfg, parse_target("payback_months", cfg), cohort="sampled")
    groups = design_groups(model.space) + ["cohort"]
    x = sobol_design(unit_problem(list(model.space.names) + ["cohort"], groups), 64, seed=3)
    p = model.space.size
    np.testing.assert_array_equal(design_values(model, x, groups), model.values(x[:, :p]))
    np.testing.assert_array_equal(design_values(model, x[::-1], groups), model.values(x[::-1, :p]))  # not a Saltelli layout


def test_sobol_of_a_constant_target_is_undefined():
    cfg = hand(wage=True, change=True)
    ds = run_sobol(cfg, target=parse_target("cost", cfg), n=32, seed=1)
    assert np.all(np.isnan(ds.S1.values)) and "same in every run" in ds.attrs["note"]


# --- Morris ----------------------------------------------------------------------------------


def test_morris_linear_model_effects_are_the_coefficients():
    c = np.array([3.0, -2.0, 0.5])
    res = morris_analysis(lambda u: linear_unit(u, c), unit_problem(["a", "b", "c"]), trajectories=20, seed=1)
    np.testing.assert_allclose(res.mu_star, np.abs(c), rtol=1e-9)
    np.testing.assert_allclose(res.mu, c, rtol=1e-9)
    np.testing.assert_allclose(res.sigma, 0.0, atol=1e-9)
    assert res.evaluations == 20 * 4


def test_morris_config_by_hand():
    """Grid x → probability (3x + 0.5)/4 → w = 10 000 + 20 000·q, so dw/dx = 15 000 and the
    revenue's effect is 48·0.39·15 000 = 280 800; r = −0.9 + 0.8·q gives 48·5000·0.6 = 144 000, negative."""
    cfg = hand(wage=True, change=True)
    ds = run_morris(cfg, target=parse_target("annual_revenue", cfg), trajectories=10, seed=1)
    w, r = ds.sel(parameter="economy.wage"), ds.sel(parameter="outcomes.states.work.resource_change")
    assert float(w.mu_star) == pytest.approx(280_800, rel=1e-9) and float(w.mu) == pytest.approx(280_800, rel=1e-9)
    assert float(r.mu_star) == pytest.approx(144_000, rel=1e-9) and float(r.mu) == pytest.approx(-144_000, rel=1e-9)
    assert float(w.sigma) == pytest.approx(0, abs=1e-6)
    assert ds.attrs["sample_size"] == 10 and ds.attrs["evaluations"] == 30 and ds.attrs["levels"] == 4


def test_morris_sampled_cohort_and_dirichlet_group(engine_config):
    ds = run_morris(engine_config, target=parse_target("payback_months", engine_config), trajectories=8, seed=2, cohort="sampled")
    assert {"cohort", "outcomes.shares"} <= set(ds.parameter.values)
    assert np.isnan(float(ds.sigma.sel(parameter="outcomes.shares")))  # SALib: no sigma for a group
    assert float(ds.mu_star.sel(parameter="cohort")) > 0


# --- the command -----------------------------------------------------------------------------


def write_hand(tmp_path, **kw) -> Path:
    path = tmp_path / "handu.toml"
    cfg_text = (DATA / "hand.toml").read_text(encoding="utf-8")
    cfg_text = cfg_text.replace("wage = 20000", WAGE).replace("cost = 1e6", COST).replace("shares = { work = 0.4, improved = 0.6 }", SHARES)
    path.write_text(cfg_text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "method, options",
    [
        ("tornado", ["--low", "0.1", "--high", "0.9"]),
        ("prcc", ["--n", "300"]),
        ("sobol", ["--n", "64"]),
        ("morris", ["--n", "10", "--levels", "6"]),
    ],
)
def test_command_writes_dataset_and_csv(tmp_path, capsys, method, options):
    config = write_hand(tmp_path)
    out = tmp_path / "out"
    code = main(
        ["sensitivity", str(config), "--method", method, "--target", "net_benefit", "--actor", "kommun", "--seed", "4", "--out", str(out),
         "--lang", "en"]
        + options
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "net benefit of kommun after 5 years" in text and "rank  parameter" in text
    ds = read_sensitivity(out)
    assert ds.attrs["method"] == method and ds.attrs["target"] == "net_benefit_5y" and ds.attrs["actor"] == "kommun"
    assert ds.attrs["sample_size"] > 0 and ds.attrs["evaluations"] > 0
    header = (out / "sensitivity.csv").read_text().splitlines()[0].split(",")
    assert header[: 1 + len(COLUMNS[method])] == ["parameter", *COLUMNS[method]]
    groups = {"economy.wage", "project.cost", "outcomes.shares"}
    items = {"economy.wage", "project.cost", "outcomes.shares.work", "outcomes.shares.improved"}
    assert set(ds.parameter.values) == (groups if method in ("sobol", "morris") else items)
    assert sorted(p.name for p in out.iterdir()) == ["sensitivity.csv", "sensitivity.nc"]


def test_command_default_out_and_defaults(tmp_path, monkeypatch, capsys):
    config = write_hand(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["sensitivity", str(config), "--method", "tornado", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    ds = read_sensitivity(tmp_path / "results" / "handu" / "sensitivity-tornado")
    assert ds.attrs["target"] == "payback_months" and ds.attrs["actor"] == "society"
    assert (ds.attrs["low_percentile"], ds.attrs["high_percentile"]) == (5.0, 95.0)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--method", "anova"], r"--method: invalid choice: 'anova'"),
        (["--method", "sobol", "--actor", "kommunen"], r"--actor: unknown actor 'kommunen' \(did you mean 'kommun'\?\)"),
        (
            ["--method", "prcc", "--target", "paybak_months"],
            r"--target: unknown target 'paybak_months' \(did you mean 'payback_months'\?\)",
        ),
        (["--method", "prcc", "--n", "0"], "--n/--draws: must be at least 1, not 0"),
        (["--method", "prcc", "--n", "many"], "--n/--draws: must be a whole number, not 'many'"),
        (["--method", "sobol", "--n", "1000"], r"--n: must be a power of 2 for the Sobol design, not 1000 \(e.g. 512 or 1024\)"),
        (["--method", "morris", "--levels", "3"], "--levels: must be an even number of at least 2, not 3"),
        (["--method", "sobol", "--levels", "4"], "--levels: is for --method morris, not sobol"),
        (["--method", "tornado", "--low", "0.96"], "--low: 0.96 must be below --high 0.95"),
        (["--method", "tornado", "--high", "1"], "--high: must be a probability strictly between 0 and 1, not 1"),
        (["--method", "tornado", "--low", "5"], r"--low: 5 is above 1: give the probability as a share between 0 and 1 \(0.05 for 5 %\)"),
        (["--method", "tornado", "--low", "five"], "--low: must be a number, not 'five'"),
        (["--method", "prcc", "--low", "0.1"], "--low: is for --method tornado, not prcc"),
        (["--method", "tornado", "--n", "100"], "--n: the tornado runs each input at two percentiles and takes no sample size"),
        (["--method", "tornado", "--cohort", "sampled"], "--cohort: the tornado runs on the expected cohort"),
        (["--method", "sobol", "--cohort", "both"], r"--cohort: invalid choice: 'both'"),
        (
            ["--method", "prcc", "--target", "p_payback", "--month", "72"],
            r"--month: must be between 1 and the horizon \(60 months\), not 72",
        ),
        (
            ["--method", "prcc", "--target", "utilised_potential", "--actor", "af"],
            "--actor: utilised_potential is society's only, not af's",
        ),
        (["--method", "morris", "--n", "1"], "--n: Morris needs at least 2 trajectories"),
        (["--method", "prcc", "--n", "3"], "--n: PRCC needs at least 4 draws, not 3"),
        (["--method", "morris", "--seed", "-1"], r"--seed: must be between 0 and 2\*\*63 - 1, not -1"),
    ],
)
def test_command_bad_input(tmp_path, capsys, args, message):
    config = write_hand(tmp_path)
    out = tmp_path / "out"
    code = main(["sensitivity", str(config), "--out", str(out)] + args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert re.search(message, err), err
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_command_bad_config_and_out(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "hand.toml").read_text().replace("wage = 20000", 'wage = { dist = "uniform", low = 3, high = 2 }'))
    assert main(["sensitivity", str(bad), "--method", "sobol", "--out", str(tmp_path / "o")]) == 2
    assert "economy.wage: uniform low 3 must be below high 2" in capsys.readouterr().err
    fixed = tmp_path / "fixed.toml"
    fixed.write_text((DATA / "hand.toml").read_text())
    assert main(["sensitivity", str(fixed), "--method", "sobol", "--out", str(tmp_path / "o")]) == 2
    assert "error: the config has no uncertain inputs" in capsys.readouterr().err
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["sensitivity", str(write_hand(tmp_path)), "--method", "tornado", "--out", str(afile)]) == 2
    assert "--out: " in capsys.readouterr().err and afile.read_text() == "x"
    assert not (tmp_path / "o").exists()


def test_target_without_a_finite_value():
    t = parse_target("utilised_potential", hand())
    with pytest.raises(
        simsam.ConfigError, match=r"^--target: utilised_potential is not a finite number in 1 of 2 runs; choose another target$"
    ):
        t.check_finite(np.array([0.5, np.nan]))


def test_failed_run_leaves_previous_output(tmp_path, monkeypatch):
    """Output is atomic: an error during writing leaves the old folder as it was."""
    config = write_hand(tmp_path)
    out = tmp_path / "out"
    assert main(["sensitivity", str(config), "--method", "tornado", "--out", str(out), "--quiet"]) == 0
    before = (out / "sensitivity.csv").read_text()
    import simsam.analysis.sensitivity.output as output

    def broken(self, *a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(type(read_sensitivity(out)), "to_netcdf", broken)
    with pytest.raises(OSError):
        output.write_sensitivity(read_sensitivity(out), out)
    assert (out / "sensitivity.csv").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []

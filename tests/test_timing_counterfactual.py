"""Staggered intake, project timing and the counterfactual adjustments (issue 7, items 2 and 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import simsam
from simsam.config.build import build_config
from simsam.config.loading import read_config_string
from simsam.engine.accounting import EMPLOYMENT_ITEMS, ITEMS, flow_table
from simsam.engine.sampling import ParameterSpace, Sample
from simsam.errors import ConfigError

DATA = Path(__file__).parent / "data"
RESULTS = ("payback_months", "annual_revenue", "cost", "net_benefit", "utilised_potential")


def extend(base: str, text: str):
    return build_config(read_config_string(f'extends = "{base}"\n' + text, DATA))


def assert_same_results(a, b):
    for v in RESULTS:
        xr.testing.assert_identical(a[v], b[v])


@pytest.fixture(scope="module")
def engine_run():
    cfg = simsam.load_config(DATA / "engine.toml")
    return {e: simsam.simulate(_with_engine(cfg, e), draws=400, seed=5) for e in ("person", "aggregate", "expected")}


def _with_engine(cfg, engine):
    from simsam.config import override

    sim = {"cohort": "expected"} if engine == "expected" else {"cohort": "sampled", "engine": engine}
    return override(cfg, {"simulation": sim})


NEUTRAL = """
[counterfactual]
deadweight = 0.0
attribution = 1.0
displacement = 0.0
drop_off = 0.0
optimism_bias = 0.0
"""


@pytest.mark.parametrize("engine", ["person", "aggregate", "expected"])
@pytest.mark.parametrize(
    "text",
    [
        NEUTRAL,
        # exits all in month 0 and the cost as one lump: the engine, on the project clock
        '[project]\nexits = { over_months = 0 }\ncost_schedule = { over_months = 0 }\n[simulation]\ntiming = "project"\n',
        # NyttoSam timing ignores the project's exit and cost schedules
        '[project]\nexits = { over_months = 30 }\ncost_schedule = [0.5, 0.5]\n[simulation]\ntiming = "nyttosam"\n',
    ],
    ids=["neutral-counterfactual", "project-timing-month-0", "nyttosam-timing"],
)
def test_neutral_settings_reproduce_the_engine_exactly(engine_run, engine, text):
    cfg = _with_engine(extend("engine.toml", text), engine)
    assert_same_results(engine_run[engine], simsam.simulate(cfg, draws=400, seed=5))


def test_counterfactual_inputs_are_sampled_inputs():
    """Fixed adjustments add no input column (runs without them keep their inputs);
    uncertain ones are sampled like any input, with their dotted path."""
    base = extend("hand.toml", "")
    assert ParameterSpace.from_config(base).names == ParameterSpace.from_config(extend("hand.toml", NEUTRAL)).names
    cfg = extend(
        "hand.toml",
        '[counterfactual]\ndeadweight = { dist = "beta", mean = 0.2, sd = 0.1 }\ndrop_off = { dist = "uniform", low = 0.1, high = 0.3 }\n',
    )
    ds = simsam.simulate(cfg, draws=300, seed=2)
    dw = ds.inputs.sel(parameter="counterfactual.deadweight").values
    assert abs(dw.mean() - 0.2) < 0.03
    first = simsam.simulate(base, draws=1, seed=1).annual_revenue.values[0]
    np.testing.assert_allclose(ds.annual_revenue.values, (1 - dw)[:, None] * first[None, :], rtol=1e-12, atol=1e-6)


def test_full_deadweight_zeroes_every_relative_flow():
    cfg = extend("hand.toml", "[counterfactual]\ndeadweight = 1.0\n")
    ds = simsam.simulate(cfg, draws=1, seed=1)
    np.testing.assert_array_equal(ds.annual_revenue.values, 0.0)
    np.testing.assert_array_equal(ds.net_benefit.values, -ds.cost.values[:, :, None] * np.ones(5))
    has_cost = ds.cost.values[0] > 0
    assert np.isnan(ds.payback_months.values[0, has_cost]).all()
    np.testing.assert_array_equal(ds.payback_months.values[0, ~has_cost], 1.0)  # no cost, zero flow: paid back at once


@pytest.mark.parametrize("factor", [0.3, 0.75])
def test_attribution_and_deadweight_scale_revenue(factor):
    base = simsam.simulate(extend("hand.toml", ""), draws=1, seed=1)
    attr = simsam.simulate(extend("hand.toml", f"[counterfactual]\nattribution = {factor}\n"), draws=1, seed=1)
    dead = simsam.simulate(extend("hand.toml", f"[counterfactual]\ndeadweight = {1 - factor}\n"), draws=1, seed=1)
    for ds in (attr, dead):
        np.testing.assert_allclose(ds.annual_revenue.values, factor * base.annual_revenue.values, rtol=1e-12, atol=1e-6)
        np.testing.assert_array_equal(ds.cost.values, base.cost.values)


def test_displacement_takes_the_employment_items_only():
    """Society's revenue falls by displacement × production; benefits and resources stay."""
    d = 0.4
    cfg0 = extend("hand.toml", "")
    base = simsam.simulate(cfg0, draws=1, seed=1)
    ds = simsam.simulate(extend("hand.toml", f"[counterfactual]\ndisplacement = {d}\n"), draws=1, seed=1)
    space = ParameterSpace.from_config(cfg0)
    items = flow_table(cfg0, Sample(space, space.base_values()[None, :])).relative_items()[0]  # (state, actor, item)
    shares = np.array([0.4, 0.6])
    production = 12 * 10 * shares @ items[:, :, ITEMS.index("production")].sum(axis=1)
    society = ds.annual_revenue.sel(actor="society").values[0]
    assert society == pytest.approx(base.annual_revenue.sel(actor="society").values[0] - d * production, rel=1e-12)
    employment = [ITEMS.index(i) for i in EMPLOYMENT_ITEMS]
    af_other = 12 * 10 * shares @ (items[:, 3].sum(axis=1) - items[:, 3, employment].sum(axis=1))  # af: benefits stay
    af_emp = 12 * 10 * shares @ items[:, 3, employment].sum(axis=1)
    assert ds.annual_revenue.sel(actor="af").values[0] == pytest.approx(af_other + (1 - d) * af_emp, rel=1e-12)


def test_optimism_bias_scales_the_cost():
    base = simsam.simulate(extend("hand.toml", ""), draws=1, seed=1)
    ds = simsam.simulate(extend("hand.toml", "[counterfactual]\noptimism_bias = 0.44\n"), draws=1, seed=1)
    np.testing.assert_allclose(ds.cost.values, 1.44 * base.cost.values, rtol=1e-15)
    assert ds.cost.sel(actor="society").values[0] == pytest.approx(1e6 * 1.25 * 1.44)
    np.testing.assert_array_equal(ds.annual_revenue.values, base.annual_revenue.values)


def test_drop_off_geometric_revenue():
    """Drop-off d: year y's revenue is (1 − d)^(y − 1) times the first year's, and
    the five-year sum the geometric R (1 − (1 − d)^5) / d (expected cohort)."""
    d = 0.25
    base = simsam.simulate(extend("hand.toml", ""), draws=1, seed=1)
    ds = simsam.simulate(extend("hand.toml", f"[counterfactual]\ndrop_off = {d}\n"), draws=1, seed=1)
    first = base.annual_revenue.values[0]
    rev = ds.revenue.transpose("draw", "actor", "year").values[0]
    np.testing.assert_allclose(rev, first[:, None] * (1 - d) ** np.arange(5)[None, :], rtol=1e-12, atol=1e-6)
    total = first * (1 - (1 - d) ** 5) / d
    np.testing.assert_allclose(ds.net_benefit.values[0, :, 4], total - ds.cost.values[0], rtol=1e-12, atol=1e-6)


def test_exits_even_over_months():
    cfg = extend("hand.toml", "[project]\nparticipants = 7\nexits = { over_months = 3 }\n")
    assert cfg.project.exit_months == (0, 0, 0, 1, 1, 2, 2)  # floor(i·3/7)
    assert cfg.simulation.timing == "project"  # a config that gives exits is evaluated on the project clock
    assert extend("hand.toml", "").simulation.timing == "nyttosam"


def test_project_timing_staggered_expected_cohort_by_hand():
    """10 participants, 5 exiting in month 0 and 5 in month 12; hand.toml's monthly
    society flow g per participant: revenue 5·12 g, then 10·12 g."""
    cfg0 = extend("hand.toml", "")
    base = simsam.simulate(cfg0, draws=1, seed=1)
    g = base.annual_revenue.values[0] / (12 * 10)
    cfg = extend("hand.toml", "[project]\nexit_months = [0, 0, 0, 0, 0, 12, 12, 12, 12, 12]\n")
    ds = simsam.simulate(cfg, draws=1, seed=1)
    np.testing.assert_allclose(ds.annual_revenue.values[0], 5 * 12 * g, rtol=1e-12, atol=1e-6)
    nb = ds.net_benefit.values[0]
    np.testing.assert_allclose(nb[:, 1], 5 * 12 * g + 10 * 12 * g - ds.cost.values[0], rtol=1e-12, atol=1e-6)
    # Society: cost 1.25 Mkr; payback month m solves 5 g·min(m, 12) + 10 g·(m − 12)⁺ ≥ C.
    gs, c = g[-1], ds.cost.values[0, -1]
    m = np.arange(1, 61)
    cum = 5 * gs * np.minimum(m, 12) + 10 * gs * np.maximum(m - 12, 0) - c
    assert ds.payback_months.values[0, -1] == m[np.argmax(cum >= 0)]


def test_cost_schedule_yearly_shares():
    cfg = extend("hand.toml", "[project]\ncost_schedule = [0.5, 0.3, 0.2]\n")
    assert cfg.simulation.timing == "project"
    months = np.array(cfg.project.cost_months)
    assert months.shape == (61,) and months[0] == 0
    np.testing.assert_allclose([months[1:13].sum(), months[13:25].sum(), months[25:37].sum(), months[37:].sum()], [0.5, 0.3, 0.2, 0.0])
    base = simsam.simulate(extend("hand.toml", ""), draws=1, seed=1)
    ds = simsam.simulate(cfg, draws=1, seed=1)
    np.testing.assert_allclose(
        ds.net_benefit.values[0, :, 4], base.net_benefit.values[0, :, 4], rtol=1e-12, atol=1e-6
    )  # undiscounted: same total
    np.testing.assert_allclose(
        ds.net_benefit.values[0, :, 0], base.net_benefit.values[0, :, 0] + 0.5 * base.cost.values[0], rtol=1e-12, atol=1e-6
    )


@pytest.mark.parametrize(
    "text,match",
    [
        ("[project]\nexits = { over_months = 3 }\nexit_months = [0]\n", r"project\.exit_months: give either"),
        ("[project]\nexit_months = [0, 1]\n", r"project\.exit_months: has 2 months for 10 participants"),
        ("[project]\nexit_months = [0, 0, 0, 0, 0, 0, 0, 0, 0, 60]\n", r"project\.exit_months\[9\]: 60 is outside the horizon"),
        ("[project]\nexit_months = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5]\n", r"project\.exit_months\[9\]: must be a whole number"),
        ("[project]\nexits = { over_months = 60 }\n", r"project\.exits\.over_months: 60 months of exits leave no follow-up"),
        ("[project]\nexits = { over = 6 }\n", r"project\.exits\.over: unknown key"),
        ("[project]\ncost_schedule = [0.5, 0.4]\n", r"project\.cost_schedule: yearly shares sum to 0\.9"),
        ("[project]\ncost_schedule = [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]\n", r"project\.cost_schedule: has 6 years"),
        ("[project]\ncost_schedule = { over_months = 61 }\n", r"project\.cost_schedule\.over_months: must be at most 60"),
        ('[simulation]\ntiming = "calendar"\n', r"simulation\.timing: unknown value 'calendar'"),
        ("[counterfactual]\ndeadweight = 1.2\n", r"counterfactual\.deadweight: 1\.2 is out of range"),
        ("[counterfactual]\noptimism_bias = -0.1\n", r"counterfactual\.optimism_bias: -0\.1 is negative"),
        (
            "[counterfactual]\ndead_weight = 0.1\n",
            r"counterfactual\.dead_weight: unknown key 'dead_weight' \(did you mean 'deadweight'\?\)",
        ),
    ],
)
def test_bad_timing_and_counterfactual_keys(text, match):
    with pytest.raises(ConfigError, match=match):
        extend("hand.toml", text)


# --- heterogeneous participants (issue 7, item 6) -----------------------------------------


def test_group_without_shift_equals_the_engine(engine_run):
    for engine in ("person", "aggregate", "expected"):
        cfg = _with_engine(extend("engine.toml", "[groups.all]\nshare = 1.0\n[groups.all.shift]\n"), engine)
        assert_same_results(engine_run[engine], simsam.simulate(cfg, draws=400, seed=5))


def test_harder_group_lowers_the_work_share_by_the_logit_formula():
    """hand.toml: shares work 0.4, improved 0.6; a group of 30 % with shift work = −0.5
    exits to work with 0.4 e^−0.5 / (0.4 e^−0.5 + 0.6). With rel_work and rel_improved
    the relative flows, the expected cohort's revenue is 12 Σ_g n_g Σ_k s_gk rel_k."""
    from simsam.engine.inputs import participant_groups

    cfg = extend("hand.toml", "[groups.easy]\nshare = 0.7\n[groups.hard]\nshare = 0.3\nshift = { work = -0.5 }\n")
    assert participant_groups(cfg).tolist() == [0, 1, 0, 0, 0, 1, 0, 0, 1, 0]  # 7 at (j + ½)/7, 3 at (j + ½)/3
    base = simsam.simulate(extend("hand.toml", ""), draws=1, seed=1)
    only_work = simsam.simulate(extend("hand.toml", "[outcomes]\nshares = { work = 1.0, improved = 0.0 }\n"), draws=1, seed=1)
    rel_work = only_work.annual_revenue.values[0] / 120
    rel_improved = (base.annual_revenue.values[0] / 120 - 0.4 * rel_work) / 0.6
    hard = 0.4 * np.exp(-0.5) / (0.4 * np.exp(-0.5) + 0.6)
    want = 12 * (7 * (0.4 * rel_work + 0.6 * rel_improved) + 3 * (hard * rel_work + (1 - hard) * rel_improved))
    ds = simsam.simulate(cfg, draws=1, seed=1)
    np.testing.assert_allclose(ds.annual_revenue.values[0], want, rtol=1e-9, atol=1e-6)


def test_group_assignment_sizes():
    from simsam.engine.inputs import participant_groups

    cfg = extend("hand.toml", "[project]\nparticipants = 81\n[groups.a]\nshare = 0.25\n[groups.b]\nshare = 0.5\n[groups.c]\nshare = 0.25\n")
    who = participant_groups(cfg)
    assert np.bincount(who).tolist() == [20, 41, 20]  # 20.25, 40.5, 20.25: the largest remainder gets the 81st
    cfg = extend("hand.toml", "[project]\nparticipants = 2\n[groups.a]\nshare = 0.25\n[groups.b]\nshare = 0.5\n[groups.c]\nshare = 0.25\n")
    assert np.bincount(participant_groups(cfg), minlength=3).tolist() == [1, 1, 0]  # 0.5, 1, 0.5: a and c tie, the earlier group wins


@pytest.mark.parametrize(
    "text,match",
    [
        ("[groups.a]\nshare = 0.5\n", r"groups: group shares sum to 0\.5, not 1"),
        ("[groups.a]\nshare = 1.0\nshift = { wrk = -0.5 }\n", r"groups\.a\.shift\.wrk: unknown state 'wrk' \(did you mean 'work'\?\)"),
        ("[groups.a]\nshare = 1.0\nshifts = { work = -0.5 }\n", r"groups\.a\.shifts: unknown key"),
    ],
)
def test_bad_groups(text, match):
    with pytest.raises(ConfigError, match=match):
        extend("hand.toml", text)

"""NyttoSam accounting: hand-computed flows, identities, and the seed-002 arithmetic."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.engine.accounting import ITEMS, REAL_ITEMS, flow_table, potential, project_cost
from simsam.engine.sampling import ParameterSpace, Sample

from .helpers import fixed_sample

DATA = Path(__file__).parent / "data"
ACTORS = ["kommun", "region", "fk", "af", "stat", "individ", "arbetsgivare"]


@pytest.fixture(scope="module")
def hand():
    return simsam.load_config(DATA / "hand.toml")


# Worked by hand from tests/data/hand.toml (kr per participant-month):
# BEFORE: taxable = 0.5·12000 = 6000; kommun −4000 + 1200 − 1250; region 600 − 2500;
#   fk −6000 − 1250; individ 4000 + 6000 − 0.3·6000; resources 2·1000·1.25, 5·400·1.25.
# work: gross 10000, wage cost 13000, subsidy 5200, production 7800, resources halved.
# improved: activity support 6000 (taxable), resources as BEFORE.
HAND = {
    "before": dict(kommun=-4050, region=-1900, fk=-7250, af=0, stat=0, individ=8200, arbetsgivare=0),
    "work": dict(kommun=1375, region=-250, fk=-625, af=-5200, stat=3000, individ=7000, arbetsgivare=0),
    "improved": dict(kommun=-50, region=-1900, fk=-1250, af=-6000, stat=0, individ=4200, arbetsgivare=0),
}


def test_hand_computed_flows(hand):
    table = flow_table(hand, fixed_sample(hand))
    assert table.situations == ("before", "work", "improved")
    assert list(table.actors) == ACTORS
    for si, situation in enumerate(table.situations):
        want = [HAND[situation][a] for a in ACTORS]
        np.testing.assert_allclose(table.by_actor[0, si], want, rtol=0, atol=1e-9, err_msg=situation)


def test_hand_computed_items_of_work_state(hand):
    f = flow_table(hand, fixed_sample(hand)).flows[0, 1]  # work
    a = {name: i for i, name in enumerate(ACTORS)}
    i = {name: k for k, name in enumerate(ITEMS)}
    assert f[a["arbetsgivare"], i["production"]] == pytest.approx(7800)
    assert f[a["arbetsgivare"], i["wage_subsidy"]] == pytest.approx(5200)
    assert f[a["arbetsgivare"], i["wage"]] == pytest.approx(-10000)
    assert f[a["arbetsgivare"], i["payroll_tax"]] == pytest.approx(-3000)
    assert f[a["stat"], i["payroll_tax"]] == pytest.approx(3000)
    assert f[a["individ"], i["income_tax"]] == pytest.approx(-3000)
    assert f[a["kommun"], i["income_tax"]] == pytest.approx(2000)
    assert f[a["region"], i["resources"]] == pytest.approx(-1250)
    assert f[a["kommun"], i["resources"]] == pytest.approx(-625)


def test_relative_flows_and_society(hand):
    rel = flow_table(hand, fixed_sample(hand)).relative()[0]
    np.testing.assert_allclose(rel[0], [5425, 1650, 6625, -5200, 3000, -1200, 0], atol=1e-9)
    np.testing.assert_allclose(rel[1], [4000, 0, 6000, -6000, 0, -4000, 0], atol=1e-9)
    # Society: production 7800 plus resources saved 2500 (work); nothing (improved).
    np.testing.assert_allclose(rel.sum(axis=1), [10300, 0], atol=1e-9)


def test_cost_and_potential(hand):
    s = fixed_sample(hand)
    np.testing.assert_allclose(project_cost(hand, s)[0], [625_000, 0, 0, 625_000, 0, 0, 0])
    # Full time at 30000 with 30 % payroll tax, plus 2500 + 2500 of uplifted resources.
    assert potential(hand, s)[0] == pytest.approx(44_000)


def test_expected_cohort_results_by_hand(hand):
    ds = simsam.simulate(hand, draws=1, seed=1)
    soc = ds.sel(draw=0, actor="society")
    # 10 participants · 0.4 at work · 10300 kr = 41200 kr per month.
    assert float(soc.annual_revenue) == pytest.approx(494_400)
    assert float(soc.cost) == pytest.approx(1_250_000)
    assert float(soc.payback_months) == math.ceil(12 * 1_250_000 / 494_400) == 31
    np.testing.assert_allclose(soc.net_benefit.values, [494_400 * y - 1_250_000 for y in range(1, 6)])
    assert float(ds.utilised_potential[0]) == pytest.approx(494_400 / (44_000 * 12 * 10))
    pb = ds.payback_months.sel(draw=0).to_series()
    assert pb["kommun"] == math.ceil(625_000 / 45_700) == 14  # 10·(0.4·5425 + 0.6·4000)
    assert np.isnan(pb["af"])  # revenue −56 800 kr/month
    assert np.isnan(pb["individ"])  # no cost, but negative flows
    assert pb["fk"] == pb["region"] == pb["stat"] == pb["arbetsgivare"] == 1  # no cost, flows ≥ 0


def test_identities_on_every_draw(engine_config):
    """Financial items sum to zero over actors; society = production − uplifted resources."""
    space = ParameterSpace.from_config(engine_config)
    sample = Sample(space, space.sample(3, np.arange(500)))
    table = flow_table(engine_config, sample)
    by_item = table.flows.sum(axis=2)  # (draw, situation, item)
    scale = np.abs(table.flows).max()
    for k, item in enumerate(ITEMS):
        if item not in REAL_ITEMS:
            np.testing.assert_allclose(by_item[:, :, k], 0.0, atol=1e-9 * scale, err_msg=item)
    real = sum(by_item[:, :, ITEMS.index(r)] for r in REAL_ITEMS)
    np.testing.assert_allclose(table.by_actor.sum(axis=2), real, rtol=1e-12, atol=1e-9 * scale)


def test_society_is_sum_of_actors_in_results(engine_config):
    ds = simsam.simulate(engine_config, draws=2000, seed=4)
    actors = ds.sel(actor=[a for a in ds.actor.values if a != "society"])
    soc = ds.sel(actor="society")
    for var in ("annual_revenue", "cost", "net_benefit", "revenue"):
        total = actors[var].sum("actor")
        np.testing.assert_allclose(soc[var], total, rtol=1e-9, atol=1e-3, err_msg=var)


def test_seed_002_arithmetic():
    """Samverkansteamet (seed 002): 6 Mkr ×1.25 = 7.5 Mkr; 13.2 Mkr over five years
    (2.64 Mkr a year) → payback ceil(12·7.5/2.64) = 35 months, −4.86 Mkr after one year
    (the report prints −4,8) and +5.7 Mkr after five."""
    text = (DATA / "hand.toml").read_text()
    # One state that avoids a resource entirely: society gains q·unit cost·1.25 a month each.
    unit = 2.64e6 / (81 * 12 * 1.25)
    text = text.replace("participants = 10", "participants = 81").replace("cost = 1e6", "cost = 6e6")
    text = text.replace("unit_cost = 1000", f"unit_cost = {unit!r}").replace(
        "resources = { visit = 2, handling = 5 }", "resources = { visit = 1 }"
    )
    text = text.replace('shares = { work = 0.4, improved = 0.6 }', 'shares = { improved = 1.0 }')
    text = text.replace('income = { as = 1.0 }', 'income = { sa = 0.5, sb = 0.5 }\nresource_change = -1')
    cfg = simsam.loads(text, DATA)
    soc = simsam.simulate(cfg, draws=1).sel(draw=0, actor="society")
    assert float(soc.cost) == pytest.approx(7.5e6)
    assert float(soc.annual_revenue) == pytest.approx(2.64e6)
    assert float(soc.payback_months) == 35
    assert float(soc.net_benefit.sel(year=1)) == pytest.approx(2.64e6 - 7.5e6)
    assert round(float(soc.net_benefit.sel(year=5)) / 1e6, 1) == 5.7
    assert float(soc.revenue.sum()) == pytest.approx(13.2e6)


def test_relative_totals_kernel_is_by_actor_differenced_to_the_bit():
    """simsam.kernels.flows.relative_totals against its NumPy twin, FlowTable.by_actor[:, 1:] − by_actor[:, :1]:
    random tables (1 to 5 situations, 1 to 10 actors, 1 to 7 items; 8 through NumPy) with zeros of both signs and large and
    small amounts, so that the order of the additions shows in the last bits."""
    from simsam.engine.accounting import FlowTable
    from simsam.kernels.flows import relative_totals

    rng = np.random.default_rng(12)
    for _ in range(40):
        n, s, a, i = rng.integers(1, 300), rng.integers(1, 6), rng.integers(1, 11), rng.integers(1, 10)
        flows = rng.normal(size=(n, s, a, i)) * 10.0 ** rng.integers(-3, 7, size=(n, s, a, i))
        if rng.random() < 0.5:  # stored draws last, as flow_table stores it
            flows = np.ascontiguousarray(flows.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
        flows[rng.random(flows.shape) < 0.3] = 0.0
        flows[rng.random(flows.shape) < 0.1] *= -0.0
        total = flows.sum(axis=3)
        want = total[:, 1:, :] - total[:, :1, :]
        if i < 8:  # from eight items on NumPy sums pairwise and FlowTable.relative uses NumPy
            got = relative_totals(flows)
            assert got.shape == want.shape and np.array_equal(got.view(np.uint64), want.view(np.uint64))
        table = FlowTable(("before",) + tuple(f"s{k}" for k in range(1, s)), tuple(f"a{k}" for k in range(a)), flows)
        assert np.array_equal(table.relative().view(np.uint64), want.view(np.uint64))

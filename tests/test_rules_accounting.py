"""The accounting on the Swedish rules: flows computed by hand from the law's formulas, person types,
the social-assistance top-up, price levels, bad input, and the identities under every rule set.

Hand computations use the law's formulas written out here (IL 63:3 grundavdrag, IL 67:7 jobbskatteavdrag as
worded 2014-2018, IL 67:9 a SA-reduktion 2018-2021, lag 1994:1744 pension fee, lag 2018:1893 public service
fee) and the published amounts of the year (prisbasbelopp, inkomstbasbelopp, guarantee factors, lönebidrag
ceiling, KPI), not the rules package's data or code.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.config import override
from simsam.engine.accounting import ITEMS, REAL_ITEMS, flow_table
from simsam.engine.sampling import ParameterSpace, Sample

from .helpers import fixed_sample

DATA = Path(__file__).parent / "data"
CONFIGS = Path(__file__).parents[1] / "configs"
ACTORS = ["kommun", "region", "fk", "af", "stat", "individ", "arbetsgivare"]
FINANCIAL = [ITEMS.index(i) for i in ITEMS if i not in REAL_ITEMS]
REAL = [ITEMS.index(i) for i in REAL_ITEMS]

# --- the law, written out ---------------------------------------------------------------------------

PBB = {2016: 44_300, 2019: 46_500}  # prisbasbelopp (SCB / regeringen)
IBB = {2019: 64_400}  # inkomstbasbelopp
KI = 0.21 + 0.12  # the test config's kommunal + regional skattesats


def floor100(x):
    return math.floor(x / 100) * 100


def ceil100(x):
    return math.ceil(x / 100 - 1e-12) * 100


def grundavdrag(fi, pbb):
    """IL 63 kap. 3 § for a person under 65/66, rounded up to hundreds, at most FI."""
    if fi <= 0.99 * pbb:
        ga = 0.423 * pbb
    elif fi <= 2.72 * pbb:
        ga = 0.423 * pbb + 0.20 * (fi - 0.99 * pbb)
    elif fi <= 3.11 * pbb:
        ga = 0.77 * pbb
    elif fi <= 7.88 * pbb:
        ga = 0.77 * pbb - 0.10 * (fi - 3.11 * pbb)
    else:
        ga = 0.293 * pbb
    return min(fi, ceil100(ga))


def jobbskatteavdrag_2014_2018(ai, ga, pbb):
    """IL 67 kap. 7 § as worded 2014-2018 (no phase-out below 13,54 pbb), in whole kronor."""
    if ai <= 0.91 * pbb:
        base = ai
    elif ai <= 2.94 * pbb:
        base = 0.91 * pbb + 0.332 * (ai - 0.91 * pbb)
    elif ai <= 8.08 * pbb:
        base = 1.584 * pbb + 0.111 * (ai - 2.94 * pbb)
    else:
        base = 2.155 * pbb
    return math.floor(max(0.0, base - ga) * KI)


def pension_fee(income, pbb):
    """Allmän pensionsavgift, 7 % to the nearest hundred; none below 0,423 pbb."""
    return 0.0 if income < 0.423 * pbb else round(0.07 * income / 100) * 100


def monthly(x):
    return x / 12


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweden():
    return simsam.load_config(DATA / "sweden.toml")


def flows_of(cfg):
    t = flow_table(cfg, fixed_sample(cfg))
    return {s: t.flows[0, i] for i, s in enumerate(t.situations)}


def by_actor(f):
    return dict(zip(ACTORS, f.sum(axis=1)))


def item(f, actor, name):
    return f[ACTORS.index(actor), ITEMS.index(name)]


# --- hand-computed flows, 2016 -------------------------------------------------------------------------


def test_work_state_by_hand(sweden):
    """25 000 kr full time at 80 %, 2016: FI 240 000, GA 23 900, kommun 21 % and region 12 % of BFI,
    the pension fee credited in full, jobbskatteavdrag on the wage (state-financed: paid by stat);
    payroll tax 31,42 %; lönebidrag 50 % of the wage cost on the wage up to 16 700 kr."""
    pbb = PBB[2016]
    work = 25_000 * 0.8 * 12
    fi = floor100(work)
    ga = grundavdrag(fi, pbb)
    assert (fi, ga) == (240_000, 23_900)
    bfi = fi - ga
    kommun, region = 0.21 * bfi, 0.12 * bfi
    fee = pension_fee(work, pbb)
    jsa = jobbskatteavdrag_2014_2018(floor100(work), ga, pbb)
    assert (fee, jsa) == (16_800, 19_289)
    stat = fee - fee - jsa  # no state tax below the skiktgräns (430 200); fee and its credit cancel
    f = flows_of(sweden)["work"]
    assert item(f, "kommun", "income_tax") == pytest.approx(monthly(kommun), abs=1e-9)
    assert item(f, "region", "income_tax") == pytest.approx(monthly(region), abs=1e-9)
    assert item(f, "stat", "income_tax") == pytest.approx(monthly(stat), abs=1e-9)
    assert item(f, "individ", "income_tax") == pytest.approx(-monthly(kommun + region + stat), abs=1e-9)
    gross, payroll = 20_000, 20_000 * 0.3142
    subsidy = 0.5 * min(25_000, 16_700) * 0.8 * 1.3142
    assert item(f, "stat", "payroll_tax") == pytest.approx(payroll)
    assert item(f, "af", "wage_subsidy") == pytest.approx(-subsidy)
    # Production is what the subsidy share says the worker produces, whatever the ceiling lets AF pay:
    # above the ceiling the employer bears the difference.
    assert item(f, "arbetsgivare", "production") == pytest.approx(0.5 * (gross + payroll))
    assert by_actor(f)["arbetsgivare"] == pytest.approx(subsidy - 0.5 * (gross + payroll))
    # Net income 20 000 − 4 335 is above the norm: no social assistance.
    assert item(f, "kommun", "benefits") == 0.0


def test_before_state_by_hand(sweden):
    """Half on försörjningsstöd (the norm in full: they are on it), half on 5 000 kr aktivitetsstöd
    (taxed with GA but no jobbskatteavdrag) topped up to the norm with take-up 0.8."""
    pbb = PBB[2016]
    support = 5_000 * 12
    fi = floor100(support)
    ga = grundavdrag(fi, pbb)
    assert ga == 22_000
    local = KI * (fi - ga)
    fee = pension_fee(support, pbb)
    tax = local + fee - fee  # aktivitetsstöd earns pension; the fee is credited; no JSA on benefits
    net = 5_000 - monthly(tax)
    top_up = (10_000 - net) * 0.8
    f = flows_of(sweden)["before"]
    assert item(f, "kommun", "benefits") == pytest.approx(-(0.5 * 10_000 + 0.5 * top_up))
    assert item(f, "af", "benefits") == pytest.approx(-0.5 * 5_000)
    assert item(f, "kommun", "income_tax") == pytest.approx(0.5 * monthly(0.21 * (fi - ga)))
    assert item(f, "individ", "income_tax") == pytest.approx(-0.5 * monthly(tax))
    assert item(f, "stat", "income_tax") == pytest.approx(0.0, abs=1e-9)


def test_sickness_compensation_by_hand(sweden):
    """Garantiersättning from 30 in 2016, 2,40 pbb: 8 860 kr a month, taxed with GA, no pension fee,
    no SA-reduktion before 2018; the top-up fills the rest of the norm."""
    pbb = PBB[2016]
    amount = 2.40 * pbb / 12
    assert amount == pytest.approx(8_860)
    fi = floor100(12 * amount)
    ga = grundavdrag(fi, pbb)
    assert (fi, ga) == (106_300, 31_300)
    tax = KI * (fi - ga)
    f = flows_of(sweden)["comp"]
    assert item(f, "fk", "benefits") == pytest.approx(-amount)
    assert item(f, "individ", "income_tax") == pytest.approx(-monthly(tax))
    assert item(f, "kommun", "benefits") == pytest.approx(-(10_000 - (amount - monthly(tax))) * 0.8)


def test_sa_credit_and_public_service_fee_by_hand(sweden):
    """2019, aktivitetsersättning at 29 (2,48 pbb): the SA-reduktion (IL 67:9 a, 2018-2021: 4,5 % of the
    compensation up to 2,53 pbb, times KI, no GA) is state-financed, so the kommun keeps its whole tax;
    the public service fee (1 % of BFI) goes to the state."""
    cfg = override(
        simsam.load_config(DATA / "sweden.toml"),
        {"economy": {"rules_year": 2019}, "benefits": {"sickness_compensation": {"age": 29}}},
    )
    pbb, ibb = PBB[2019], IBB[2019]
    u = 2.48 * pbb
    fi = floor100(u)
    ga = grundavdrag(fi, pbb)
    assert (fi, ga) == (115_300, 33_600)
    bfi = fi - ga
    credit = math.floor(0.045 * min(u, 2.53 * pbb) * KI)
    fee = 0.01 * min(bfi, 2.09 * ibb)
    assert (credit, fee) == (1_712, 817)
    f = flows_of(cfg)["comp"]
    assert item(f, "kommun", "income_tax") == pytest.approx(monthly(0.21 * bfi))
    assert item(f, "region", "income_tax") == pytest.approx(monthly(0.12 * bfi))
    assert item(f, "stat", "income_tax") == pytest.approx(monthly(fee - credit))
    assert item(f, "individ", "income_tax") == pytest.approx(-monthly(KI * bfi + fee - credit))


def test_person_types_not_an_average_person(sweden):
    """State "half": half the state's participants on 5 000 kr aktivitetsstöd, half with nothing. Each type is
    taxed and topped up on its own income: half of one recipient's tax (12 540 kr a year), not the tax of an
    average person with 2 500 kr a month (3 696 kr a year, the pension fee credited)."""
    pbb = PBB[2016]
    recipient = KI * (floor100(60_000) - grundavdrag(60_000, pbb))
    average = KI * (floor100(30_000) - grundavdrag(30_000, pbb))
    assert (recipient, round(average)) == (pytest.approx(12_540), 3_696)
    f = flows_of(sweden)["half"]
    assert item(f, "individ", "income_tax") == pytest.approx(-0.5 * monthly(recipient))
    # The recipients' top-up as in BEFORE; the rest (no income at all) gets the norm × take-up.
    top_up_recipient = (10_000 - (5_000 - monthly(recipient))) * 0.8
    assert item(f, "kommun", "benefits") == pytest.approx(-(0.5 * top_up_recipient + 0.5 * 10_000 * 0.8))


def test_relative_flows_and_society_by_hand(sweden):
    t = flow_table(sweden, fixed_sample(sweden))
    rel = t.relative()[0]
    # Society, work: production 13 142 plus one visit saved (1 000 × 1,25); nothing else changes.
    np.testing.assert_allclose(rel.sum(axis=1), [0.5 * 20_000 * 1.3142 + 1_250, 0.0, 0.0], atol=1e-9)


def test_income_before_keeps_the_before_mix(sweden):
    cfg = override(sweden, {"outcomes": {"states": {"half": {"income": "before"}}}})
    assert cfg.outcomes.states["half"].income is cfg.before.income
    t = flow_table(cfg, fixed_sample(cfg))
    np.testing.assert_array_equal(t.flows[0, 3], t.flows[0, 0])


# --- the constant path and the vectorised path ------------------------------------------------------


def test_fixed_inputs_equal_the_same_values_among_uncertain_ones():
    """A draw's flows do not depend on the other draws of its chunk: the law applied once to constant
    incomes (fixed inputs) gives exactly what the vectorised path gives for the same values."""
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    space = ParameterSpace.from_config(cfg)
    values = space.sample(1, np.arange(5))
    values[0] = space.base_values()
    alone = flow_table(cfg, Sample(space, values[:1])).flows[0]
    constant = flow_table(cfg, Sample(space, np.tile(values[:1], (4, 1)))).flows
    mixed = flow_table(cfg, Sample(space, values)).flows[0]
    np.testing.assert_array_equal(alone, mixed)
    np.testing.assert_array_equal(constant[3], mixed)


def test_sampled_norm_and_take_up_move_the_top_up_draw_by_draw(sweden):
    cfg = override(
        sweden,
        {
            "benefits": {
                "social_assistance": {
                    "norm": {"dist": "uniform", "low": 8_000, "high": 12_000},
                    "take_up": {"dist": "uniform", "low": 0.5, "high": 1.0},
                }
            }
        },
    )
    space = ParameterSpace.from_config(cfg)
    assert {"benefits.social_assistance.norm", "benefits.social_assistance.take_up"} <= set(space.names)
    s = Sample(space, space.sample(3, np.arange(200)))
    norm, take_up = (
        s.values[:, space.names.index("benefits.social_assistance.norm")],
        s.values[:, space.names.index("benefits.social_assistance.take_up")],
    )
    t = flow_table(cfg, s)
    half = t.flows[:, 3, ACTORS.index("kommun"), ITEMS.index("benefits")]
    before = t.flows[:, 0, ACTORS.index("kommun"), ITEMS.index("benefits")]
    # half = BEFORE's aktivitetsstöd type (−0.5 · its top-up) + the rest (−0.5 · norm · take-up); BEFORE's SA
    # type gets −0.5 · norm in full.
    np.testing.assert_allclose(half - (before + 0.5 * norm), -0.5 * norm * take_up, rtol=1e-12)
    assert np.std(half) > 500


# --- price levels -------------------------------------------------------------------------------------------

KPI = {2016: 316.43, 2024: 415.01}  # SCB, annual means (2024: mean of January-November)
WAGE_INDEX = {2016: 32_800, 2024: 41_600}  # Medlingsinstitutet, average monthly wage


def test_amounts_are_restated_from_their_files_price_level(tmp_path):
    """A 2024 base and a 2016 case: the base's visit (KPI), hour (wage index) and wage (wage index) are
    restated to 2016; the case's own amounts are used as written."""
    (tmp_path / "base.toml").write_text(
        (DATA / "sweden.toml").read_text().replace("[simulation]", "[meta]\nprice_level = 2024\n\n[simulation]")
        + '\n[resources.hour]\nunit_cost = 500\npayer = "kommun"\nprice_index = "wage"\n'
    )
    (tmp_path / "case.toml").write_text(
        'extends = "base.toml"\n[meta]\nprice_level = 2016\n[before]\nresources = { visit = 2.0, hour = 4.0 }\n[project]\ncost = 2.0e6\n'
    )
    cfg = simsam.load_config(tmp_path / "case.toml")
    assert cfg.prices.level == 2016 and cfg.prices.files == {"base.toml": 2024, None: 2016}
    kpi, wage = KPI[2016] / KPI[2024], WAGE_INDEX[2016] / WAGE_INDEX[2024]
    r = cfg.prices.restated
    assert r["resources.visit.unit_cost"].factor == pytest.approx(kpi, rel=1e-12)
    assert r["resources.hour.unit_cost"].factor == pytest.approx(wage, rel=1e-12)
    assert r["economy.wage"].factor == pytest.approx(wage, rel=1e-12) and r["economy.wage"].index == "wage"
    assert "project.cost" not in r and "benefits.activity_support.monthly" in r
    f = flow_table(cfg, fixed_sample(cfg)).flows[0, 0]
    assert item(f, "region", "resources") == pytest.approx(-2 * 1_000 * kpi * 1.25)
    assert item(f, "kommun", "resources") == pytest.approx(-4 * 500 * wage * 1.25)
    assert item(f, "af", "benefits") == pytest.approx(-0.5 * 5_000 * kpi)
    from simsam.engine.accounting import project_cost

    assert project_cost(cfg, fixed_sample(cfg))[0, 0] == pytest.approx(2.0e6 * 1.25)
    ds = simsam.simulate(cfg, draws=1)
    assert ds.attrs["price_level"] == 2016 and ds.attrs["rules_year"] == 2016 and ds.attrs["tax_rules"] == "sweden"
    assert '"base.toml": 2024' in ds.attrs["price_levels"]
    # The run's config is rebuilt with the same restatements.
    from simsam.results import config_of_results

    again = config_of_results(ds)
    assert again.prices.restated.keys() == cfg.prices.restated.keys()
    assert again.prices.factor(again.resources["visit"].unit_cost) == pytest.approx(kpi, rel=1e-12)


def test_samverkansteamet_is_2016_kronor_on_the_2016_rules():
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    assert (cfg.economy.tax_rules, cfg.economy.rules_year, cfg.prices.level) == ("sweden", 2016, 2016)
    r = cfg.prices.restated
    assert r["resources.primary_care_visit.unit_cost"].factor == pytest.approx(KPI[2016] / KPI[2024], rel=1e-12)
    assert r["resources.case_handling_kommun.unit_cost"].factor == pytest.approx(WAGE_INDEX[2016] / WAGE_INDEX[2024], rel=1e-12)
    assert "economy.wage" not in r  # written in 2016 kronor in samverkansteamet.toml itself


def test_compare_restates_to_the_latest_level(tmp_path):
    """simsam compare of a 2016 and a 2024 config: the 2016 one's kronor × KPI(2024)/KPI(2016); its
    payback is unchanged."""
    a = simsam.load_config(CONFIGS / "samverkansteamet_point.toml")
    b = override(a, {"economy": {"rules_year": 2024}})
    from simsam.analysis.scenarios import Variant, compare

    ds = compare([Variant("a", "a", a), Variant("b", "b", b)], draws=1)
    assert ds.attrs["price_level"] == 2024
    alone = simsam.simulate(a, draws=1)
    k = KPI[2024] / KPI[2016]
    np.testing.assert_allclose(ds.net_benefit.sel(variant="a").values, alone.net_benefit.values * k, rtol=1e-12)
    np.testing.assert_array_equal(ds.payback_months.sel(variant="a").values, alone.payback_months.values)
    at_2016 = compare([Variant("a", "a", a), Variant("b", "b", b)], draws=1, price_level=2016)
    np.testing.assert_allclose(at_2016.net_benefit.sel(variant="a").values, alone.net_benefit.values, rtol=0)


# --- bad input ---------------------------------------------------------------------------------------------


def _with(text: str):
    return simsam.loads((DATA / "sweden.toml").read_text() + text, DATA)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("rules_year = 2016", "rules_year = 2031"),
            r"^economy\.rules_year: no Swedish tax and benefit rules for 2031; the rules cover the income years 2014-2026$",
        ),
        (
            ('tax_rules = "sweden"\nrules_year = 2016', 'tax_rules = "sweden"'),
            r'^economy\.rules_year: missing: tax_rules = "sweden" needs the income year',
        ),
        (("take_up = 0.8", "take_up = 1.2"), r"^benefits\.social_assistance\.take_up: 1\.2 is out of range \(must be between 0 and 1\)$"),
        (
            ("take_up = 0.8", 'take_up = { dist = "uniform", low = -0.1, high = 0.9 }'),
            r"^benefits\.social_assistance\.take_up: uniform.* must be between 0 and 1$",
        ),
        (
            ("[outcomes.states.half]\nincome = { activity_support = 0.5 }", "[outcomes.states.half]"),
            r"^outcomes\.states\.half\.income: missing: write income = \{\} for a state with no benefits",
        ),
        (
            ("taxable = false\ntop_up = true", "top_up = true"),
            r"^benefits\.social_assistance\.top_up: a means-tested top-up is untaxed: set taxable = false$",
        ),
        (("age = 30\n", ""), r"^benefits\.sickness_compensation\.age: missing: rule 'guarantee_compensation' needs it$"),
        (("age = 30\n", "age = 15\n"), r"^benefits\.sickness_compensation\.age: 15 is out of range"),
    ],
)
def test_bad_input_names_the_key(change, message):
    old, new = change
    text = (DATA / "sweden.toml").read_text()
    assert old in text
    with pytest.raises(simsam.ConfigError, match=message):
        simsam.loads(text.replace(old, new, 1), DATA)


def test_price_level_without_an_index_value_names_the_file(tmp_path):
    (tmp_path / "base.toml").write_text(
        (DATA / "sweden.toml").read_text().replace("[simulation]", "[meta]\nprice_level = 2031\n\n[simulation]")
    )
    (tmp_path / "case.toml").write_text('extends = "base.toml"\n[meta]\nprice_level = 2016\n')
    with pytest.raises(
        simsam.ConfigError,
        match=r"^meta\.price_level: no kpi index value for 2031; it covers 2006-2024, "
        r"needed to restate this file's amounts to 2016 kronor \(in base\.toml\)$",
    ):
        simsam.load_config(tmp_path / "case.toml")
    (tmp_path / "case.toml").write_text('extends = "base.toml"\n[meta]\nprice_level = "2016"\n')
    with pytest.raises(simsam.ConfigError, match=r"^meta\.price_level: must be a year such as 2016, not '2016'$"):
        simsam.load_config(tmp_path / "case.toml")


def test_rules_year_without_an_index_value_names_the_rules_year():
    """2025 has rules but no KPI or wage-index value yet: amounts written in 2016 kronor cannot be restated."""
    with pytest.raises(
        simsam.ConfigError,
        match=r"^economy\.rules_year: no wage index value for 2025; it covers 2015-2024, "
        r"needed to restate economy\.wage from 2016 kronor \(in override\)$",
    ):
        override(simsam.load_config(CONFIGS / "samverkansteamet.toml"), {"economy": {"rules_year": 2025}})


def test_mixing_price_levels_without_one_is_an_error():
    from simsam.analysis.prices import common_price_level

    with pytest.raises(
        simsam.ConfigError, match=r"^meta\.price_level: project b states no price level .* cannot be restated to 2024 kronor \(a\)$"
    ):
        common_price_level({"a": 2024, "b": None})
    with pytest.raises(simsam.ConfigError, match=r"^--price-level: no kpi index value for 2031"):
        common_price_level({"a": 2024}, 2031)
    assert common_price_level({"a": None, "b": None}).target is None


def test_cli_bad_rules_year_exit_2(tmp_path, capsys):
    from simsam.cli import main

    path = tmp_path / "c.toml"
    path.write_text((DATA / "sweden.toml").read_text().replace("rules_year = 2016", "rules_year = 2013"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: economy.rules_year: no Swedish tax and benefit rules for 2013")


# --- identities and society's invariance --------------------------------------------------------------------


@pytest.fixture(scope="module")
def samverkansteamet_runs():
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    flat = override(cfg, {"economy": {"tax_rules": "flat"}})
    flat_fixed = override(flat, {"benefits": {"social_assistance": {"top_up": False, "monthly": 9000}}})
    return cfg, flat, flat_fixed


def test_identities_under_every_rule_set(samverkansteamet_runs):
    """Financial items sum to zero over the actors and society is production − resources, in every draw,
    situation and rule set."""
    for cfg in samverkansteamet_runs:
        space = ParameterSpace.from_config(cfg)
        t = flow_table(cfg, Sample(space, space.sample(5, np.arange(2_000))))
        financial = t.flows[..., FINANCIAL].sum(axis=2)
        np.testing.assert_allclose(financial, 0.0, atol=1e-8)
        np.testing.assert_allclose(t.by_actor.sum(axis=2), t.flows[..., REAL].sum(axis=(2, 3)), rtol=1e-12, atol=1e-8)


def test_society_does_not_depend_on_the_tax_rules(samverkansteamet_runs):
    """The same config under sweden, flat, and flat without the top-up: society's revenue, net benefit and
    payback are the same in every draw (taxes and transfers move money between actors); the actors' are not."""
    runs = [simsam.simulate(c, draws=2_000, seed=7) for c in samverkansteamet_runs]
    soc = [r.sel(actor="society") for r in runs]
    for other in soc[1:]:
        np.testing.assert_allclose(other.annual_revenue.values, soc[0].annual_revenue.values, rtol=1e-12, atol=1e-4)
        np.testing.assert_allclose(other.net_benefit.values, soc[0].net_benefit.values, rtol=1e-12, atol=1e-4)
        np.testing.assert_array_equal(other.payback_months.values, soc[0].payback_months.values)
    for r in runs:
        actors = [a for a in r.actor.values if a != "society"]
        np.testing.assert_allclose(
            r.net_benefit.sel(actor=actors).sum("actor").values, r.net_benefit.sel(actor="society").values, rtol=1e-12, atol=1e-4
        )
    kommun = [float(r.annual_revenue.sel(actor="kommun").mean()) for r in runs]
    assert kommun[2] > kommun[0] + 1e6  # the flat tax and the fixed social assistance overstate the kommun's gain

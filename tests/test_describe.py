"""``simsam describe CONFIG``: names, labels, units and values as the TOML states them, checked by hand.

Expected numbers come from the TOML files and closed forms worked out here
(PERT(4 850, 4 850, 7 940) is 4 850 + 3 090 · Beta(1, 5), whose quantile is
1 − (1 − q)^(1/5)); where no closed form exists (a beta's quantiles) scipy.stats
is the reference, not simsam's tables.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest
from scipy import stats

import simsam
from simsam.cli import main
from simsam.report.config_text import uncertain_inputs, unit_of

from .helpers import CONFIGS, DATA

ROOT = CONFIGS.parent
ALL_CONFIGS = sorted(CONFIGS.glob("*.toml")) + [DATA / n for n in ("engine.toml", "hand.toml", "minimal.toml")]


def _describe(path, capsys) -> str:
    assert main(["describe", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _section(text: str, title: str) -> list[str]:
    """The lines of the section whose heading starts with ``title``, up to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _rows(text: str, title: str) -> dict[str, list[str]]:
    """A section's table, first column → the cells (columns are separated by two or more spaces)."""
    body = _section(text, title)[3:]  # the heading, the column names and the dashes
    return {cells[0]: cells for cells in (re.split(r"\s{2,}", line.strip()) for line in body)}


@pytest.fixture(scope="module")
def samverkan():
    return simsam.load_config(CONFIGS / "samverkansteamet.toml")


# -- the sections, against the TOML ----------------------------------------------------------------------------
def test_actors_are_the_base_files_ids_and_labels(capsys):
    text = _describe(CONFIGS / "samverkansteamet.toml", capsys)
    actors = _rows(text, "Actors (9;")
    assert {a: cells[1] for a, cells in actors.items()} == {
        "kommun": "Kommun", "region": "Region", "fk": "Försäkringskassan", "af": "Arbetsförmedlingen", "stat": "Staten (övrigt)",
        "individ": "Individen", "arbetsgivare": "Arbetsgivare", "rattsvasende": "Rättsväsendet", "ovriga": "Övriga aktörer",
    }
    first = text.splitlines()[0]
    assert first.startswith("Samverkansteamet (") and first.endswith("samverkansteamet.toml, extending base/sweden.toml)")


def test_benefits_show_label_payer_taxable_use_and_the_config_amount(capsys):
    text = _describe(CONFIGS / "samverkansteamet.toml", capsys)
    benefits = _rows(text, "Benefits (8, 5 in an income mix")
    # samverkansteamet.toml restates activity support at the 2016 level: pert 4 850 / 4 850 / 7 940 kr per month.
    assert benefits["activity_support"] == [
        "activity_support", "Aktivitetsstöd", "af", "yes", "before, state improved",
        "PERT between 4,850 and 7,940 kr per month, most likely 4,850 kr",
    ]
    assert benefits["social_assistance"][1:5] == ["Försörjningsstöd", "kommun", "no", "before"]
    # base: rule = "guarantee_compensation", age = 30 (the amount comes from the rules year)
    assert benefits["sickness_compensation"][-1] == "rule guarantee_compensation (age 30 years)"
    # base: rule = "guarantee_compensation", age = { dist = "uniform", low = 19, high = 30 }
    assert benefits["activity_compensation"][-1] == "rule guarantee_compensation (age uniform between 19 and 30 years)"
    # The base's development allowance is in no income mix: listed, but not an input of a run.
    assert benefits["development_allowance"][1:5] == ["Utvecklingsersättning", "af", "no", "–"]
    assert "benefits.development_allowance.monthly" not in text


def test_resources_show_unit_payer_uplift_and_unit_cost(capsys):
    text = _describe(CONFIGS / "samverkansteamet.toml", capsys)
    resources = _rows(text, "Resources (7, 6 in the BEFORE basket)")
    assert resources["primary_care_visit"] == [
        "primary_care_visit", "Läkarbesök, primärvård", "besök", "region", "yes", "yes", "2,093 kr per visit",  # base: unit_cost = 2093
    ]
    assert resources["case_handling_kommun"][2:6] == ["timme", "kommun", "yes", "yes"]
    assert resources["emergency_visit"][5] == "–"  # in the base, not in this config's BEFORE basket
    engine = _rows(_describe(DATA / "engine.toml", capsys), "Resources (2,")
    assert engine["case_handling"][3] == "kommun 50%, fk 25%, af 25%"  # payer = { kommun = 0.5, fk = 0.25, af = 0.25 }
    assert engine["case_handling"][2] == "–"  # no unit given


def test_seekamu_resource_has_its_payer_split_and_no_uplift(capsys):
    text = _describe(CONFIGS / "bas_trelleborg.toml", capsys)
    cells = _rows(text, "Resources (")["exclusion_cost"]
    # seekamu.toml: payer = { kommun = 0.338, fk = 0.26, region = 0.203, rattsvasende = 0.09, af = 0.047, ovriga = 0.062 }, uplift = false
    assert cells[2:5] == ["personmånad", "kommun 33.8%, fk 26%, region 20.3%, rattsvasende 9%, af 4.7%, ovriga 6.2%", "no"]


def test_economy_and_before_keep_the_config_precision(capsys):
    text = _describe(CONFIGS / "samverkansteamet.toml", capsys)
    economy = _rows(text, "Economy")
    assert economy["income_tax"][1] == "kommun 21.6%, region 11.48%"  # income_tax = { kommun = 0.216, region = 0.1148 }
    # base: no payroll_tax (the rules year's arbetsgivaravgift), payroll_tax_to = "stat"; samverkansteamet: rules_year = 2016
    assert economy["payroll_tax"][1] == "the 2016 rules' arbetsgivaravgift (full rate), to stat"
    assert economy["average_wage"][1] == "32,800 kr per month"
    assert economy["uplift"][1] == "1.25"
    before = _section(text, "BEFORE")
    assert before[1] == "  income mix: social_assistance 50%, sickness_benefit 37.5%, activity_support 12.5%"
    basket = {cells[0]: cells[1] for cells in (re.split(r"\s{2,}", line.strip()) for line in before[4:])}
    assert len(basket) == 6  # [before.resources] lists six
    assert basket["case_handling_kommun"] == "PERT between 2 and 6 hours per month, most likely 4 hours"
    assert _section(_describe(DATA / "engine.toml", capsys), "BEFORE")[4:] == [
        "  primary_care_visit  1 per month",  # resources = { primary_care_visit = 1.0, case_handling = 2 }, no units
        "  case_handling       2 per month",
    ]


def test_project_facts(capsys):
    project = _rows(_describe(CONFIGS / "samverkansteamet.toml", capsys), "Project")
    assert project["participants"][1] == "81"
    assert project["cost"][1] == "PERT between 5.5 and 7.0 Mkr, most likely 6.0 Mkr (whole project, before the uplift)"
    assert project["cost split"][1] == "kommun 25%, region 25%, fk 25%, af 25%"
    assert project["horizon"][1] == "60 months"
    assert project["timing"][1].startswith("nyttosam:")
    assert project["exits"][1] == "all at month 0" and project["cost schedule"][1] == "all at month 0"


def test_project_timing_of_staggered_exits_and_a_cost_schedule(make_config, capsys):
    timing = "exits = { over_months = 34 }\ncost_schedule = [0.4, 0.35, 0.25]\n"
    path = make_config(main=[("participants = 81\n", "participants = 81\n" + timing)])
    project = _rows(_describe(path, capsys), "Project")
    assert project["exits"][1] == "spread over 34 months (participant i of N exits in month floor(i·M/N))"
    assert project["cost schedule"][1] == "yearly shares 40%, 35%, 25%"
    assert project["timing"][1].startswith("project:")  # the default once the project's timing is given


def test_outcome_states_as_the_toml_writes_them(capsys):
    text = _describe(CONFIGS / "samverkansteamet.toml", capsys)
    work = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in _section(text, "  work: Arbete")[1:])
    assert work == {
        "exit share": "25% on average (Dirichlet, see outcomes.shares.work below)",  # (20 + 1) / (81 + 3)
        "income mix": "none",
        "employment rate": "beta with mean 75% and standard deviation 8%",
        "wage": "economy.wage",
        "wage subsidy": "beta with mean 50% and standard deviation 10%, paid by af",
        "resource change": "PERT between −35 and −5%, most likely −20% (every BEFORE resource)",
    }
    not_improved = _section(text, "  not_improved: Ej förbättrad")
    assert "    income mix       sickness_compensation 50%, activity_compensation 50%" in not_improved
    engine = _describe(DATA / "engine.toml", capsys)
    work = _section(engine, "  work: work")
    change = "primary_care_visit triangular between −40 and 0%, most likely −20%, case_handling −30%"
    assert any("resource change" in line and change in line for line in work)
    assert any("income mix" in line and "activity_support uniform between 60 and 90%, social_assistance 10%" in line
               for line in _section(engine, "  improved: improved"))


def test_transitions_name_both_states(capsys):
    moves = _rows(_describe(CONFIGS / "samverkansteamet.toml", capsys), "Transitions")
    assert moves["work → improved"][1] == "beta with mean 1% per month and standard deviation 0.5%"
    assert moves["improved → not_improved"][1] == "beta with mean 0.3% per month and standard deviation 0.2%"
    assert _rows(_describe(DATA / "engine.toml", capsys), "Transitions")["work → improved"][1] == "1% per month"


def test_fixed_config_has_no_uncertain_inputs(capsys):
    text = _describe(DATA / "hand.toml", capsys)
    assert _section(text, "Uncertain inputs (0)")[1] == "  none: every input is fixed"
    assert _rows(text, "Benefits (3,")["sa"][2:] == ["kommun", "no", "before", "8,000 kr per month"]
    assert _rows(text, "Project")["cost"][1] == "1 Mkr (whole project, before the uplift)"
    assert "Outcome states (2); exit shares: work 40%, improved 60%" in text


def test_counterfactual_groups_and_correlations(make_config, capsys):
    extra = """
[counterfactual]
deadweight = 0.2
drop_off = { dist = "uniform", low = 0.0, high = 0.2 }
[groups.long_term]
label = "Long-term"
share = 0.3
shift = { work = { dist = "normal", mean = -0.5, sd = 0.2 } }
[groups.other]
share = 0.7
[correlations]
"outcomes.states.work.employment_rate ~ outcomes.states.work.wage_subsidy" = -0.5
"""
    text = _describe(make_config(main=[(None, extra)]), capsys)
    counterfactual = _rows(text, "Counterfactual")
    assert counterfactual["deadweight"][1] == "20%" and counterfactual["attribution"][1] == "100%"  # 1.0: the neutral default
    assert counterfactual["drop_off"][1] == "uniform between 0 and 20% per year"
    groups = _rows(text, "Groups")
    # 81 participants: 24.3 → 24 and 57; each bears its share of the cost per participant (24/81 = 29.6 %)
    assert groups["long_term"][1:] == ["Long-term", "30%", "24", "29.6%", "work normal with mean −0.5 and standard deviation 0.2", "—"]
    assert groups["other"][1:] == ["other", "70%", "57", "70.4%", "none", "—"]
    pair = "outcomes.states.work.employment_rate ~ outcomes.states.work.wage_subsidy"
    assert _rows(text, "Correlations")[pair][1] == "−0.5"
    inputs = _inputs(text)
    assert len(inputs) == 7 + 2  # minimal.toml's 7, the drop-off and the group's shift
    # normal(−0.5, 0.2): −0.5 ∓ 1.645 · 0.2; a logit is a plain number, not a share
    assert inputs["groups.long_term.shift.work"][1:4] == ["logit", "−0.5", "−0.829 to −0.171"]
    assert inputs["counterfactual.drop_off"][1:4] == ["per year", "10%", "1–19%"]


# -- the uncertain inputs ---------------------------------------------------------------------------------------
def _inputs(text: str) -> dict[str, list[str]]:
    return _rows(text, "Uncertain inputs (")


def test_pert_input_mean_and_range_by_hand(capsys):
    cells = _inputs(_describe(CONFIGS / "samverkansteamet.toml", capsys))["benefits.activity_support.monthly"]
    # PERT(4 850, 4 850, 7 940): mean (4 850 + 4·4 850 + 7 940)/6 = 5 365; 4 850 + 3 090·Beta(1, 5), q-quantile 1 − (1 − q)^(1/5).
    lo, hi = 4850 + 3090 * (1 - 0.95**0.2), 4850 + 3090 * (1 - 0.05**0.2)
    assert (round(lo), round(hi)) == (4882, 6243)
    assert cells == [
        "benefits.activity_support.monthly", "kr per month", "5,365 kr", "4,882–6,243 kr", "medium",
        "PERT between 4,850 and 7,940 kr per month, most likely 4,850 kr",
    ]


def test_beta_and_dirichlet_inputs_against_scipy(samverkan):
    rows = {i.path: i for i in uncertain_inputs(samverkan)}
    rate = rows["outcomes.states.work.employment_rate"]
    # mean 0.75, sd 0.08: a + b = 0.75·0.25/0.0064 − 1 = 28.296875.
    ref = stats.beta(0.75 * 28.296875, 0.25 * 28.296875)
    assert rate.mean == pytest.approx(0.75, abs=1e-15)
    assert (rate.p05, rate.p95) == pytest.approx(tuple(ref.ppf([0.05, 0.95])), rel=1e-8)
    assert rate.unit == "share of full time" and rate.words == "beta with mean 75% and standard deviation 8%"
    work = rows["outcomes.shares.work"]
    # counts 20/35/26 + prior 1: α = 21, 36, 27 of 84; the marginal of "work" is beta(21, 63).
    assert work.mean == pytest.approx(21 / 84, abs=1e-15)
    assert (work.p05, work.p95) == pytest.approx(tuple(stats.beta(21, 63).ppf([0.05, 0.95])), rel=1e-8)
    assert work.words == "Dirichlet item (α 21 of α₀ 84): beta with a = 21 and b = 63"
    cost = rows["project.cost"]
    assert cost.mean == pytest.approx((5.5e6 + 4 * 6.0e6 + 7.0e6) / 6, rel=1e-12) and cost.unit == "kr"


def test_closed_form_inputs_of_engine_toml(capsys):
    cfg = simsam.load_config(DATA / "engine.toml")
    rows = {i.path: i for i in uncertain_inputs(cfg)}
    z = 1.6448536269514722  # Φ⁻¹(0.95)
    uplift = rows["economy.uplift"]  # uniform(1.2, 1.3)
    assert (uplift.mean, uplift.p05, uplift.p95) == pytest.approx((1.25, 1.205, 1.295), rel=1e-12)
    assert uplift.unit == "factor"
    wage = rows["economy.wage"]  # lognormal, mean 26 000 and sd 2 500 of the value
    s2 = math.log1p((2500 / 26000) ** 2)
    mu = math.log(26000) - s2 / 2
    assert (wage.mean, wage.p05, wage.p95) == pytest.approx((26000, math.exp(mu - z * s2**0.5), math.exp(mu + z * s2**0.5)), rel=1e-10)
    # normal(9 000, 800) truncated at 0, 11 sd below the mean: the truncation does not show at these quantiles.
    sa = rows["benefits.social_assistance.monthly"]
    assert (sa.mean, sa.p05, sa.p95) == pytest.approx((9000, 9000 - z * 800, 9000 + z * 800), rel=1e-9)
    # triangular(−0.4, −0.2, 0): the 5 % quantile is −0.4 + √(0.05 · 0.4 · 0.2).
    change = rows["outcomes.states.work.resource_change.primary_care_visit"]
    assert (change.mean, change.p05, change.p95) == pytest.approx((-0.2, -0.4 + 0.004**0.5, -(0.004**0.5)), rel=1e-12)
    assert change.unit == "relative change"
    cells = _inputs(_describe(DATA / "engine.toml", capsys))["benefits.social_assistance.monthly"]
    assert cells[1:4] == ["kr per month", "9,000 kr", "7,684–10,316 kr"]


@pytest.mark.parametrize("path", ALL_CONFIGS, ids=lambda p: p.name)
def test_uncertain_inputs_are_validates_count_and_the_runs_names(path, capsys):
    assert main(["validate", str(path)]) == 0
    count = int(re.search(r", (\d+) uncertain inputs$", capsys.readouterr().out.strip()).group(1))
    text = _describe(path, capsys)
    assert f"Uncertain inputs ({count})" in text
    rows = _inputs(text) if count else {}
    assert len(rows) == count
    from simsam.engine.sampling import ParameterSpace

    assert list(rows) == list(ParameterSpace.from_config(simsam.load_config(path)).names)  # the names of a run's inputs
    assert all(cells[1] for cells in rows.values())  # every input has a unit


def test_units_are_the_config_references():
    assert unit_of("economy.income_tax.kommun") == "share of taxable income"
    assert unit_of("simulation.discount_rate") == "per year"
    assert unit_of("outcomes.states.improved.income.activity_support") == "share of participants"
    assert unit_of("outcomes.states.work.resource_change.primary_care_visit") == "relative change"
    assert unit_of("counterfactual.drop_off") == "per year"
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    assert unit_of("resources.case_handling_af.unit_cost", cfg) == "kr per timme"
    assert unit_of("before.resources.primary_care_visit", cfg) == "besök per participant-month"


# -- errors and cost --------------------------------------------------------------------------------------------
def test_bad_config_is_exit_2_and_one_line(make_config, capsys):
    path = make_config(main=[("employment_rate = { dist = \"beta\", mean = 0.75, sd = 0.08 }",
                              "employment_rate = { dist = \"beta\", mean = 0.75, sd = 0.6 }")])
    assert main(["describe", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "error: outcomes.states.work.employment_rate: beta sd 0.6 too large for mean 0.75 (must be below 0.433)\n"
    assert main(["describe", str(DATA / "base.toml")]) == 2  # a base file alone has no [project]
    assert capsys.readouterr().err == "error: project: missing\n"
    assert main(["describe", str(DATA / "nowhere.toml")]) == 2
    assert capsys.readouterr().err == f"error: file '{DATA / 'nowhere.toml'}' not found\n"


def test_describe_imports_no_heavy_library():
    """No xarray, pandas, numba, matplotlib or scipy.stats: describing a config costs about as much as loading it."""
    code = (
        "import sys, io, contextlib; from simsam.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): assert main(['describe', 'configs/samverkansteamet.toml']) == 0\n"
        "print(sorted(m for m in ('xarray', 'pandas', 'numba', 'matplotlib', 'dask', 'scipy.stats') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_help_lists_describe(capsys):
    assert main(["--help"]) == 0
    assert "describe" in capsys.readouterr().out

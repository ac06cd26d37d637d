"""Evidence grades and sensitivity over time (issue 16, items 3 and 4): analytic answers and bad input.

The config is tests/data/hand.toml (expected cohort, no transitions; see tests/test_sensitivity.py), where
society's net benefit at the end of year ``y`` is exactly ``y·48·(0.39·w − 5000·r) − 1.25·C`` kr (w the wage,
r the work state's resource change, C the project cost). With independent uniform inputs the variance of
year ``y`` is ``y²·(a_w² Var w + a_r² Var r) + 1.25² Var C``, ``a_w = 48·0.39``, ``a_r = 48·5000``: every share
is known, and the cost's share falls with ``y`` as ``c / (y² b + c)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import simsam
from simsam.analysis.sensitivity import parse_target, read_sensitivity
from simsam.analysis.sensitivity.model import evidence_groups
from simsam.analysis.sensitivity.prcc import partial_rank_correlation, prcc_of_columns, run_prcc
from simsam.analysis.sensitivity.sobol import run_sobol
from simsam.cli import main
from simsam.engine.sampling import ParameterSpace

from .helpers import DATA

WAGE = 'wage = { dist = "uniform", low = 10000, high = 30000, evidence = "low", source = "a guess" }'
CHANGE = 'resource_change = { dist = "uniform", low = -0.9, high = -0.1 }'  # ungraded
COST = 'cost = { dist = "uniform", low = 0.8e6, high = 1.2e6, evidence = "high", source = "the budget" }'
#: Variance contributions per year ``y``: ``y²·V_W``, ``y²·V_R`` and ``V_C`` (kr²).
V_W = (48 * 0.39) ** 2 * 20000**2 / 12
V_R = (48 * 5000) ** 2 * 0.8**2 / 12
V_C = 1.25**2 * 0.4e6**2 / 12


def graded(wage=WAGE, change=CHANGE, cost=COST):
    text = (DATA / "hand.toml").read_text(encoding="utf-8")
    for old, new in (("wage = 20000", wage), ("resource_change = -0.5", change), ("cost = 1e6", cost)):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


def load(text: str):
    return simsam.loads(text, DATA)


def shares(y: int) -> dict[str, float]:
    total = y * y * (V_W + V_R) + V_C
    return {"low": y * y * V_W / total, "ungraded": y * y * V_R / total, "high": V_C / total}


# --- grades in the config -------------------------------------------------------------------------


def test_grades_are_read_and_carried_to_the_parameter_table():
    cfg = load(graded())
    space = ParameterSpace.from_config(cfg)
    grade = dict(zip(space.names, space.evidence_of))
    assert grade == {"economy.wage": "low", "project.cost": "high", "outcomes.states.work.resource_change": "ungraded"}
    assert cfg.economy.wage.source == "a guess" and cfg.project.cost.evidence == "high"
    ds = simsam.simulate(cfg, draws=4)
    assert dict(zip(ds["parameter"].values.tolist(), ds["parameter_evidence"].values.tolist())) == grade


def test_grades_change_no_result():
    plain = simsam.simulate(load(graded(wage=WAGE.split(", evidence")[0] + " }", cost=COST.split(", evidence")[0] + " }")), draws=50)
    with_grades = simsam.simulate(load(graded()), draws=50)
    for v in ("net_benefit", "payback_months", "inputs"):
        np.testing.assert_array_equal(plain[v].values, with_grades[v].values)


def test_dirichlet_grade_and_mixed_correlated_group():
    text = graded().replace(
        "shares = { work = 0.4, improved = 0.6 }",
        'shares = { dist = "dirichlet", mean = { work = 0.4, improved = 0.6 }, concentration = 10, evidence = "medium" }',
    )
    text += '\n[correlations]\n"economy.wage ~ project.cost" = 0.5\n'
    space = ParameterSpace.from_config(load(text))
    groups = dict(zip(space.names, evidence_groups(space)))
    assert groups["outcomes.shares.work"] == groups["outcomes.shares.improved"] == "medium"
    # Correlated inputs move together: their group is named by both grades, strongest first.
    assert groups["economy.wage"] == groups["project.cost"] == "high + low"


@pytest.mark.parametrize(
    "old, new, path, message",
    [
        ('evidence = "low"', 'evidence = "weak"', "economy.wage.evidence", "unknown grade 'weak'"),
        ('evidence = "low"', "evidence = 3", "economy.wage.evidence", "must be one of high, medium, low"),
        ('source = "a guess"', "source = 1", "economy.wage.source", "must be a string"),
    ],
)
def test_bad_grade_is_exit_2_naming_the_key(tmp_path, capsys, old, new, path, message):
    (tmp_path / "c.toml").write_text(graded().replace(old, new), encoding="utf-8")
    assert main(["validate", str(tmp_path / "c.toml")]) == 2
    err = capsys.readouterr().err
    assert path in err and message in err and "Traceback" not in err


def test_bad_dirichlet_grade_is_exit_2(tmp_path, capsys):
    text = graded().replace(
        "shares = { work = 0.4, improved = 0.6 }",
        'shares = { dist = "dirichlet", mean = { work = 0.4, improved = 0.6 }, concentration = 10, evidence = "solid" }',
    )
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    assert main(["validate", str(tmp_path / "c.toml")]) == 2
    assert "outcomes.shares.evidence: unknown grade 'solid'" in capsys.readouterr().err


# --- grouped Sobol by grade ------------------------------------------------------------------------


def test_sobol_by_evidence_gives_the_analytic_shares_of_each_grade():
    cfg = load(graded())
    ds = run_sobol(cfg, target=parse_target("net_benefit_5y", cfg), n=2048, seed=3, by="evidence")
    want = shares(5)
    assert sorted(ds["parameter"].values.tolist()) == sorted(want)
    for grade, s in want.items():
        row = ds.sel(parameter=grade)
        # Linear and additive: S1 = ST = the share; within 3 bootstrap half-widths and 0.01.
        for k in ("S1", "ST"):
            assert abs(float(row[k]) - s) < max(0.01, 3 * float(row[f"{k}_conf"])), (grade, k)
    assert ds.attrs["by"] == "evidence" and ds.attrs["evaluations"] == 2048 * 5
    # Every actor from the same runs; society's row is the target's own.
    society = ds["actor_ST"].sel(actor="society")
    np.testing.assert_array_equal(society.values, ds["ST"].values)
    assert set(ds["actor_target"].values.tolist()) == {"net_benefit_5y"}


def test_two_inputs_of_one_grade_add_up():
    cfg = load(graded(change=CHANGE.replace(" }", ', evidence = "low" }')))
    ds = run_sobol(cfg, target=parse_target("net_benefit_3y", cfg), n=2048, seed=5, by="evidence")
    s = shares(3)
    assert float(ds.sel(parameter="low").S1) == pytest.approx(s["low"] + s["ungraded"], abs=0.01)
    assert float(ds.sel(parameter="high").ST) == pytest.approx(s["high"], abs=0.01)


def test_board_sentence():
    from simsam.report.text import evidence_sentence

    cfg = load(graded())
    ds = run_sobol(cfg, target=parse_target("payback_months", cfg), n=256, seed=1, by="evidence")
    low = float(ds.sel(parameter="low").S1)
    sv = evidence_sentence(ds, "sv")
    assert sv.startswith(f"{round(100 * min(max(low, 0), 1))} % av osäkerheten i återbetalningstiden för samhället")
    assert "svagt underlag" in sv and "weak evidence" in evidence_sentence(ds, "en")
    plain = run_sobol(cfg, target=parse_target("payback_months", cfg), n=64, seed=1)
    assert evidence_sentence(plain, "sv") is None


# --- over time --------------------------------------------------------------------------------------


def test_sobol_over_time_follows_the_analytic_shares_year_by_year():
    cfg = load(graded())
    ds = run_sobol(cfg, target=parse_target("payback_months", cfg), n=4096, seed=7, over_time=True)
    names = {"economy.wage": "low", "outcomes.states.work.resource_change": "ungraded", "project.cost": "high"}
    society = ds.sel(actor="society")
    assert ds["year"].values.tolist() == [1, 2, 3, 4, 5] and ds["payback_month"].values.tolist() == [12, 24, 36, 48, 60]
    for y in range(1, 6):
        want = shares(y)
        for name, grade in names.items():
            for k in ("S1", "ST"):
                got = float(society[f"net_benefit_{k}"].sel(year=y, parameter=name))
                assert got == pytest.approx(want[grade], abs=0.01), (y, name, k)
    # The cost's share falls year by year (c / (y² b + c)), the wage's rises.
    cost = society["net_benefit_S1"].sel(parameter="project.cost").values
    assert np.all(np.diff(cost) < 0)


def test_payback_indicator_indices():
    """Only the cost uncertain: payback within m months is a function of the cost alone, so its S1 = ST = 1
    where it varies (C ~ U(1.0, 1.4) Mkr: P(payback ≤ 36) = 0.47); at 12 and 24 months no run pays back and
    by 48 every run has: undefined (NaN)."""
    cost = COST.replace("low = 0.8e6, high = 1.2e6", "low = 1.0e6, high = 1.4e6")
    cfg = load(graded(wage="wage = 20000", change="resource_change = -0.5", cost=cost))
    ds = run_sobol(cfg, target=parse_target("payback_months", cfg), n=1024, seed=1, over_time=True)
    s1 = ds["p_payback_S1"].sel(actor="society", parameter="project.cost")
    assert math.isnan(float(s1.sel(year=1))) and math.isnan(float(s1.sel(year=2)))
    # Payback 12·1.25·C / 494 400 months ≤ 36 for C ≤ 1.1866 Mkr: varies at 36 months, always by 48.
    for k in ("S1", "ST"):
        at36 = ds[f"p_payback_{k}"].sel(actor="society", parameter="project.cost", year=3)
        conf = ds[f"p_payback_{k}_conf"].sel(actor="society", parameter="project.cost", year=3)
        assert abs(float(at36) - 1.0) < max(0.03, 3 * float(conf)), k
    assert math.isnan(float(s1.sel(year=4)))


def test_prcc_over_time_equals_prcc_of_each_target():
    cfg = load(graded())
    ds = run_prcc(cfg, target=parse_target("net_benefit_5y", cfg), draws=400, seed=2, over_time=True)
    row = ds["net_benefit_prcc"].sel(actor="society", year=5)
    np.testing.assert_allclose(row.values, ds["prcc"].values, rtol=0, atol=1e-12)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(300, 4)), rng.normal(size=(300, 3))
    y[:, 0] += x[:, 1]
    many = prcc_of_columns(x, y)
    for k in range(3):
        one = partial_rank_correlation(x, y[:, k])
        np.testing.assert_allclose(many["prcc"][k], one.prcc, atol=1e-12)
        np.testing.assert_allclose(many["p_value"][k], one.p_value, rtol=1e-9)


# --- the command ------------------------------------------------------------------------------------


def test_command_by_evidence_over_time(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(graded(), encoding="utf-8")
    out = tmp_path / "out"
    args = ["sensitivity", str(tmp_path / "c.toml"), "--method", "sobol", "--by", "evidence", "--over-time", "--n", "64"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "av osäkerheten i återbetalningstiden för samhället kommer från antaganden med svagt underlag" in text
    # The ranking's and the over-time table's rows are the grades in words, not their ids.
    ranking = text.split("rang  indata")[1].split("\n\n")[0]
    assert "svagt underlag" in ranking and "starkt underlag" in ranking and " low " not in ranking
    over_time = text.split("Över tid")[1]
    assert "svagt underlag" in over_time and "\nlow " not in over_time
    files = ["sensitivity.csv", "sensitivity.nc", "sensitivity_evidence.csv", "sensitivity_time.csv"]
    assert sorted(p.name for p in out.iterdir()) == files
    ds = read_sensitivity(out)
    assert ds["net_benefit_ST"].dims == ("actor", "year", "parameter") and ds["actor_S1"].dims == ("actor", "parameter")
    import pandas as pd

    time = pd.read_csv(out / "sensitivity_time.csv")
    assert len(time) == ds.sizes["actor"] * 5 * ds.sizes["parameter"]


def test_command_by_evidence_alone(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(graded(), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sensitivity", str(tmp_path / "c.toml"), "--method", "sobol", "--by", "evidence", "--n", "64", "--out", str(out)]) == 0
    assert "sensitivity_evidence.csv" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["sensitivity.csv", "sensitivity.nc", "sensitivity_evidence.csv"]
    assert "year" not in read_sensitivity(out).dims


@pytest.mark.parametrize(
    "extra, option",
    [
        (["--method", "prcc", "--by", "evidence"], "--by"),
        (["--method", "tornado", "--over-time"], "--over-time"),
        (["--method", "sobol", "--by", "grade"], None),
    ],
)
def test_command_bad_options(tmp_path, capsys, extra, option):
    (tmp_path / "c.toml").write_text(graded(), encoding="utf-8")
    assert main(["sensitivity", str(tmp_path / "c.toml"), *extra, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert (option or "--by") in err and not (tmp_path / "o").exists()


# --- decision analysis: EVPPI per grade ----------------------------------------------------------------


def test_evppi_per_grade_against_the_analytic_value():
    """Cost C ~ U(0.8, 1.6) Mkr (high), the rest as above. After 3 years E[NB | C] = 1 483 200 − 1.25·C, whose
    mean −16 800 says do not invest; knowing C first is worth E[max(E[NB | C], 0)] = 241 600 · 0.4832 =
    116 741 kr (positive for C below 1 186 560 kr). The high grade is the cost alone: its group EVPPI is that
    value, and learning every input (all three grades) is worth the EVPI."""
    from simsam.analysis.decision import decision_analysis

    cfg = load(graded(cost=COST.replace("high = 1.2e6", "high = 1.6e6")))
    ds = simsam.simulate(cfg, draws=20000, seed=4)
    dec = decision_analysis(ds, cfg)
    soc = dec.sel(actor="society", year=3)
    assert dec["grade"].values.tolist() == ["high", "low", "ungraded"]
    assert dict(zip(dec["input"].values.tolist(), dec["input_evidence"].values.tolist()))["project.cost"] == "high"
    high = float(soc["evppi_grade"].sel(grade="high"))
    assert high == pytest.approx(116_741.12, rel=0.04)
    assert high == pytest.approx(float(soc["evppi"].sel(input="project.cost")), rel=0.02)
    everything = load(graded(wage=WAGE, change=CHANGE.replace(" }", ', evidence = "low" }'), cost=COST.replace(
        'high = 1.2e6, evidence = "high"', 'high = 1.6e6, evidence = "low"')))
    dec_all = decision_analysis(simsam.simulate(everything, draws=20000, seed=4), everything)
    one = dec_all.sel(actor="society", year=3)
    assert dec_all["grade"].values.tolist() == ["low"]
    assert float(one["evppi_grade"].sel(grade="low")) == pytest.approx(float(one["evpi"]), rel=0.02)
    assert float(one["evppi_grade_r2"].sel(grade="low")) > 0.999


def test_no_grades_no_grade_variables():
    from simsam.analysis.decision import decision_analysis

    cfg = load(graded(wage=WAGE.split(", evidence")[0] + " }", cost=COST.split(", evidence")[0] + " }"))
    dec = decision_analysis(simsam.simulate(cfg, draws=500), cfg)
    assert "evppi_grade" not in dec and "grade" not in dec.dims


# --- report ------------------------------------------------------------------------------------------


def test_time_shares_stack_to_one():
    import xarray as xr

    from simsam.report.figures import time_shares_data

    rng = np.random.default_rng(3)
    s1 = rng.uniform(0, 0.3, size=(2, 5, 9))
    sens = xr.Dataset({"net_benefit_S1": (("actor", "year", "parameter"), s1)},
                      coords={"actor": ["kommun", "society"], "year": np.arange(1, 6), "parameter": [f"p{i}" for i in range(9)]})
    data = time_shares_data(sens, top=4)
    total = data["share"].sum("band").values
    # The bands add up to max(ΣS1, 1): the named inputs, the rest, and the interactions 1 − ΣS1 where positive.
    np.testing.assert_allclose(total, np.maximum(s1.sum(axis=2), 1.0))
    assert data["band"].values.tolist()[-2:] == ["rest", "interactions"] and data.sizes["band"] == 6


def test_report_states_the_sentence_and_draws_the_shares_over_time(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(graded(), encoding="utf-8")
    run = tmp_path / "run"
    config = str(tmp_path / "c.toml")
    assert main(["run", config, "--draws", "300", "--out", str(run), "--quiet"]) == 0
    assert main(["sensitivity", config, "--method", "sobol", "--by", "evidence", "--over-time", "--n", "128",
                 "--out", str(run / "sensitivity-sobol-evidence"), "--quiet"]) == 0
    assert main(["decision", str(run), "--quiet"]) == 0
    for lang, sentence, heading in (
        ("sv", "av osäkerheten i återbetalningstiden för samhället kommer från antaganden med svagt underlag",
         "Antaganden med svagt underlag: vad är värt att mäta?"),
        ("en", "of the uncertainty in the payback time of society comes from inputs with weak evidence",
         "Assumptions with weak evidence: what is worth measuring?"),
    ):
        out = run / f"report_{lang}.html"
        assert main(["report", str(run), "--lang", lang, "--out", str(out)]) == 0
        html = out.read_text(encoding="utf-8")
        assert sentence in html and heading in html
        assert 'id="evidence-sobol-evidence"' in html
        assert (run / "figures" / lang / "sensitivity_sobol-evidence_time.png").exists()
    capsys.readouterr()

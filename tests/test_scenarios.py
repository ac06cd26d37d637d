"""Scenarios (``[scenarios.NAME]``) and ``simsam compare`` on common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import simsam
from simsam.analysis.scenarios import compare, compare_summary, config_variants, variants_of
from simsam.cli import main

from .helpers import DATA

SCENARIOS = f"""
extends = "{(DATA / 'engine.toml').as_posix()}"

[scenarios.emp]
label = "Employment rate 85 %"
description = "More hours for those in work."
outcomes.states.work.employment_rate = {{ dist = "beta", mean = 0.85, sd = 0.08 }}

[scenarios.cheap.project]
cost = {{ dist = "pert", min = 5.0e6, mode = 5.5e6, max = 6.5e6 }}
"""


@pytest.fixture(scope="module")
def scen_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("scen") / "scen.toml"
    path.write_text(SCENARIOS, encoding="utf-8")
    return simsam.load_config(path)


def _write(tmp_path, text, name="cfg.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the [scenarios] section -----------------------------------------------------------------


def test_scenarios_are_parsed_and_built(scen_config):
    assert list(scen_config.scenarios) == ["emp", "cheap"]
    emp = scen_config.scenarios["emp"]
    assert emp.label == "Employment rate 85 %" and emp.description == "More hours for those in work."
    assert scen_config.scenarios["cheap"].label == "cheap"  # the name when no label
    assert emp.config.outcomes.states["work"].employment_rate.dist.p == {"mean": 0.85, "sd": 0.08}
    assert emp.config.scenarios == {}  # a scenario is a plain config
    # Everything else is the base config's.
    assert emp.config.project.cost.dist == scen_config.project.cost.dist
    assert scen_config.scenarios["cheap"].config.project.cost.dist.p["mode"] == 5.5e6


@pytest.mark.parametrize(
    "table, message",
    [
        ("[scenarios.bad.project]\ncost = -1", r"^scenarios\.bad\.project\.cost: -1 is negative \(must be ≥ 0\)$"),
        (
            "[scenarios.bad.outcomes.states.work]\nwage_subsidi = 0.3",
            r"^scenarios\.bad\.outcomes\.states\.work\.wage_subsidi: unknown key 'wage_subsidi' \(did you mean 'wage_subsidy'\?\)$",
        ),
        ('[scenarios.bad]\nlabel = "nothing"', r"^scenarios\.bad: changes nothing: give the tables it overrides"),
        ("[scenarios.bad]\nlabel = 3\nproject.cost = 1", r"^scenarios\.bad\.label: must be a string or a table of strings "
                                                    r"by language \(sv, en\), not an integer$"),
        ("[scenarios]\nbad = 1", r"^scenarios\.bad: must be a table, not an integer$"),
        ("[scenarios.bad.scenarios.x.project]\ncost = 1", r"^scenarios\.bad\.scenarios: a scenario cannot declare scenarios of its own$"),
        ("[scenarios.bad.projekt]\ncost = 1", r"^scenarios\.bad\.projekt: unknown section 'projekt' \(did you mean 'project'\?\)$"),
    ],
)
def test_bad_scenario_names_its_key(tmp_path, table, message):
    path = _write(tmp_path, f'extends = "{(DATA / "hand.toml").as_posix()}"\n{table}\n')
    with pytest.raises(simsam.ConfigError, match=message):
        simsam.load_config(path)


def test_bad_scenario_is_exit_2_one_line(tmp_path, capsys):
    path = _write(tmp_path, f'extends = "{(DATA / "hand.toml").as_posix()}"\n[scenarios.bad.project]\nparticipants = 0\n')
    assert main(["compare", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == "error: scenarios.bad.project.participants: must be at least 1, not 0\n"
    assert not (tmp_path / "out").exists()


# --- common random numbers -------------------------------------------------------------------


def test_a_scenario_keeps_every_other_input_identical(scen_config):
    base = simsam.simulate(scen_config, draws=300, seed=4)
    emp = simsam.simulate(scen_config.scenarios["emp"].config, draws=300, seed=4)
    changed = "outcomes.states.work.employment_rate"
    others = [p for p in base.parameter.values.tolist() if p != changed]
    np.testing.assert_array_equal(base.inputs.sel(parameter=others).values, emp.inputs.sel(parameter=others).values)
    # The changed input moves monotonically with its uniform number: the draws stay paired.
    a, b = base.inputs.sel(parameter=changed).values, emp.inputs.sel(parameter=changed).values
    assert np.array_equal(np.argsort(a), np.argsort(b)) and np.all(b > a - 0.05)


def test_paired_differences_are_reproducible(scen_config):
    one = compare(variants_of(scen_config), draws=300, seed=9)
    two = compare(variants_of(scen_config), draws=300, seed=9, chunk_draws=70, threads=1)
    xr.testing.assert_identical(one, two)
    assert one.sizes == {"variant": 3, "contrast": 2, "draw": 300, "actor": 8, "year": 5}
    d = one.net_benefit_difference.sel(contrast="cheap") - (one.net_benefit.sel(variant="cheap") - one.net_benefit.sel(variant="base"))
    assert float(abs(d).max()) == 0.0


def test_paired_standard_error_is_far_below_independent_runs(scen_config):
    """Society's net benefit after 5 years, employment rate 75 % → 85 %: the standard error of the mean
    difference on common random numbers against two runs with different seeds."""
    n = 1000
    ds = compare(variants_of(scen_config, ["emp"]), draws=n, seed=11)
    paired = ds.net_benefit_difference.sel(contrast="emp", actor="society", year=5).values
    a = simsam.simulate(scen_config, draws=n, seed=11).net_benefit.sel(actor="society", year=5).values
    b = simsam.simulate(scen_config.scenarios["emp"].config, draws=n, seed=12).net_benefit.sel(actor="society", year=5).values
    se_paired = paired.std(ddof=1) / np.sqrt(n)
    se_independent = np.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n)
    ratio = se_paired / se_independent
    assert ratio < 0.3, ratio  # measured 0.08 (2 000 draws)
    # Both estimate the same difference.
    assert abs(paired.mean() - (b.mean() - a.mean())) < 4 * se_independent


def test_summary_counts_not_reached_as_horizon_plus_one(tmp_path):
    hand = simsam.load_config(DATA / "hand.toml")  # society pays back in month 31 (expected cohort)
    never = simsam.load_config(_write(tmp_path, f'extends = "{(DATA / "hand.toml").as_posix()}"\n[project]\ncost = 1e9\n'))
    ds = compare(config_variants([hand, never], ["hand.toml", "never.toml"]), draws=3, seed=1)
    soc = ds.sel(actor="society")
    assert soc.payback_months.sel(variant="hand").values.tolist() == [31.0] * 3
    assert np.isnan(soc.payback_months.sel(variant="never").values).all()
    assert soc.payback_difference.sel(contrast="never").values.tolist() == [61 - 31] * 3
    table = compare_summary(ds)
    row = table.loc[("never", "society", "payback_months")]
    assert row["mean"] == 30 and row["p_better"] == 0 and row["p_worse"] == 1
    nb = table.loc[("never", "society", "net_benefit_5y")]
    assert nb["mean"] == pytest.approx(-(1e9 - 1e6) * 1.25) and nb["p_worse"] == 1
    p60 = table.loc[("never", "society", "p_payback_60")]
    assert (p60["reference_mean"], p60["variant_mean"], p60["mean"]) == (1.0, 0.0, -1.0)


def test_two_configs_with_different_actors_are_compared_on_the_common_ones(tmp_path, capsys):
    extra = _write(tmp_path, f'extends = "{(DATA / "hand.toml").as_posix()}"\n[actors]\nkyrka = "Kyrkan"\n', "extra.toml")
    out = tmp_path / "out"
    assert main(["compare", str(DATA / "hand.toml"), str(extra), "--draws", "2", "--out", str(out), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Actors not in every variant, left out" in text and "extra: kyrka" in text
    ds = xr.open_dataset(out / "compare.nc", engine="h5netcdf")
    assert "kyrka" not in ds.actor.values.tolist() and ds.actor.values.tolist()[-1] == "society"
    assert ds.attrs["actors_left_out"] == "extra: kyrka"
    assert float(abs(ds.net_benefit_difference).max()) == 0.0  # the extra actor has no flows
    ds.close()


def test_configs_with_different_horizons_are_refused(tmp_path, capsys):
    longer = _write(tmp_path, f'extends = "{(DATA / "hand.toml").as_posix()}"\n[simulation]\nhorizon_months = 120\n', "longer.toml")
    assert main(["compare", str(DATA / "hand.toml"), str(longer), "--out", str(tmp_path / "out")]) == 2
    assert (
        capsys.readouterr().err
        == "error: simulation.horizon_months: hand has 60 months and longer has 120: compare configs with the same horizon\n"
    )
    assert not (tmp_path / "out").exists()


# --- the commands ----------------------------------------------------------------------------


def test_compare_command_writes_and_prints(scen_config, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(scen_config.raw.path), "--scenario", "cheap", "--draws", "200", "--seed", "3", "--out", str(out),
                 "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "cheap (cheap) − base:" in text and "P(earlier)" in text and "Society: mean Δ net benefit after 5 years" in text
    ds = xr.open_dataset(out / "compare.nc", engine="h5netcdf").load()
    assert ds.contrast.values.tolist() == ["cheap"] and ds.attrs["seed"] == 3 and ds.attrs["draws"] == 200
    csv = (out / "compare.csv").read_text().splitlines()
    assert csv[0] == "contrast,actor,metric,mean,mcse,median,p05,p95,reference_mean,variant_mean,p_better,p_worse,p_better_mcse"
    # A cheaper project: every cost-bearing actor's net benefit is higher in every draw.
    table = compare_summary(ds)
    assert table.loc[("cheap", "society", "net_benefit_5y"), "p_better"] == 1.0


def test_default_out_and_scenario_list(scen_config, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(scen_config.raw.path), "--scenario", "emp", "--draws", "20", "--quiet"]) == 0
    assert (tmp_path / "results" / "scen" / "compare-emp" / "compare.nc").exists()
    assert capsys.readouterr().out == ""
    assert main(["scenarios", str(scen_config.raw.path)]) == 0
    text = capsys.readouterr().out
    assert (
        "emp: Employment rate 85 %" in text and 'outcomes.states.work.employment_rate = {"dist": "beta", "mean": 0.85, "sd": 0.08}' in text
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--scenario", "emq"], "error: --scenario: unknown scenario 'emq' (did you mean 'emp'?)\n"),
        (["--scenario", "emp", "--scenario", "emp"], "error: --scenario: names a scenario twice\n"),
    ],
)
def test_compare_bad_options(scen_config, tmp_path, capsys, argv, message):
    assert main(["compare", str(scen_config.raw.path), *argv, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == message
    assert not (tmp_path / "out").exists()


def test_compare_without_scenarios_is_exit_2(tmp_path, capsys):
    assert main(["compare", str(DATA / "hand.toml"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith("error: scenarios: hand has no [scenarios.NAME] tables to compare")


def test_shipped_samverkansteamet_scenarios():
    cfg = simsam.load_config(DATA.parents[1] / "configs" / "samverkansteamet.toml")
    assert list(cfg.scenarios) == ["arbete_plus10", "lonebidrag_30", "inga_overgangar"]
    work = cfg.scenarios["arbete_plus10"].config.outcomes.shares
    assert work.mean()["work"] == pytest.approx(0.35) and sum(work.alpha) == pytest.approx(sum(cfg.outcomes.shares.alpha))
    assert all(q.value == 0 for row in cfg.scenarios["inga_overgangar"].config.transitions.values() for q in row.values())
    assert cfg.scenarios["lonebidrag_30"].config.outcomes.states["work"].wage_subsidy.mean == pytest.approx(0.3)

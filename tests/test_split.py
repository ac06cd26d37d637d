"""``simsam split``: the cost split designer (simsam.analysis.split) against hand-computed cases and identities per draw."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.analysis.split import critical_shares, run_split, settle, split_paths
from simsam.cli import main
from simsam.config import override

from .helpers import DATA

ROOT = Path(__file__).parents[1]
SAMVERKAN = ROOT / "configs" / "samverkansteamet.toml"

# A linear case: no benefits, no work; leaving the project ends the BEFORE resources (uplift 1.25):
# per participant-month region +2 500 kr (a visit of 2 000), kommun +625, FK and AF +312.5 each
# (2 hours of 500 split 1/2, 1/4, 1/4). Ten participants, cost 1.2 Mkr x 1.25 = 1.5 Mkr.
LINEAR = f"""extends = "{(DATA / "base.toml").as_posix()}"
[meta]
name = "linear"
[simulation]
draws = 3
seed = 2
cohort = "expected"
{{discount}}
[project]
participants = 10
cost = {{cost}}
cost_split = {{{{ kommun = 0.25, region = 0.25, fk = 0.25, af = 0.25 }}}}
{{schedule}}
[before]
income = {{{{}}}}
resources = {{{{ primary_care_visit = 1.0, case_handling = 2 }}}}
[outcomes]
shares = {{{{ well = 1.0 }}}}
[outcomes.states.well]
income = {{{{}}}}
employment_rate = 0.0
resource_change = -1.0
"""
MONTHLY = {"kommun": 6250.0, "region": 25000.0, "fk": 3125.0, "af": 3125.0}  # kr per month, the cohort of ten
COST = 1.5e6


def linear(tmp_path, cost="1.2e6", schedule="", discount=""):
    path = tmp_path / "linear.toml"
    path.write_text(LINEAR.format(cost=cost, schedule=schedule, discount=discount), encoding="utf-8")
    return simsam.load_config(path)


def test_linear_case_by_hand(tmp_path):
    r = run_split(linear(tmp_path))
    a = r.actors
    assert a == ["kommun", "region", "fk", "af"]
    rate = np.array([MONTHLY[x] for x in a])
    np.testing.assert_allclose(r.paths.revenue[0, :, 11], 12 * rate, rtol=1e-12)
    # Current split: 375 000 kr each; payback at 375 000 / monthly: kommun 60, region 15, FK and AF 120 (> 60: none).
    np.testing.assert_array_equal(r.payback["current"][0], [60, 15, np.nan, np.nan])
    np.testing.assert_allclose(r.net_benefit["current"][0, :, -1], 60 * rate - COST / 4, atol=1e-6)
    # Benefit-proportional: shares ∝ monthly revenue, 1/6, 2/3, 1/12, 1/12; everyone pays back in
    # the same month, 1.5 Mkr / 37 500 kr = 40, and has the same net benefit per krona.
    np.testing.assert_allclose(r.splits["benefit"], rate / rate.sum(), rtol=1e-12)
    np.testing.assert_array_equal(r.payback["benefit"][0], [40, 40, 40, 40])
    ratio = r.net_benefit["benefit"][0, :, -1] / (COST * r.splits["benefit"])
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
    # Max-min P(payback ≤ 60): the shares each can bear by month 60 are 60·monthly / cost = 1/4, 1, 1/8, 1/8
    # (sum 1.5): every actor pays back, with those shares scaled by 1/1.5.
    np.testing.assert_allclose(r.splits["maxmin"], np.array([0.25, 1.0, 0.125, 0.125]) / 1.5, rtol=1e-6)
    assert np.all(r.payback["maxmin"] <= 60) and r.maxmin_level == 1.0
    # Finsam: FK half, region and kommun a quarter, AF none (it pays back at once: nothing to pay).
    np.testing.assert_allclose(r.splits["finsam"], [0.25, 0.25, 0.5, 0.0])
    np.testing.assert_array_equal(r.payback["finsam"][0], [60, 15, np.nan, 1])


def test_linear_critical_shares_and_maxmin_below_one(tmp_path):
    r = run_split(linear(tmp_path), month=24)
    crit = critical_shares(r.paths, 24)
    np.testing.assert_allclose(crit[0], 24 * np.array([6250, 25000, 3125, 3125]) / COST, rtol=1e-6)
    # By month 24 the actors together can bear 0.75 of the cost: no split lets them all pay back.
    assert r.maxmin_level == 0.0
    assert ("maxmin_none", {"month": 24}) in r.notes


def test_settlement_by_hand(tmp_path):
    r = run_split(linear(tmp_path), level=0.9)
    st = r.settlements["current"]
    # Net benefits after 5 years: 0, 1 125 000, −187 500, −187 500. FK and AF each need 187 500; the region,
    # the only one with a margin, pays both; the kommun, exactly at 0, neither pays nor receives.
    assert st.feasible and st.reached == 0.9
    np.testing.assert_allclose(st.transfers, [0, -375000, 187500, 187500], atol=1e-6)
    assert st.transfers.sum() == pytest.approx(0.0, abs=1e-9)
    s = r.summary()["splits"]["current"]["actors"]
    assert all(e["p_net_benefit_positive_settled"]["mean"] == 1.0 for e in s.values())
    assert s["fk"]["p_net_benefit_positive"]["mean"] == 0.0


def test_settlement_infeasible_when_the_actors_lose_together(tmp_path):
    # Cost 3 Mkr x 1.25 against 2.25 Mkr of revenue over five years: no transfer lets all break even.
    r = run_split(linear(tmp_path, cost="3.0e6"))
    for name, st in r.settlements.items():
        assert not st.feasible and st.reached == 0.0, name
        assert st.shortfall == pytest.approx(3.75e6 - 2.25e6, rel=1e-9)
    assert "benefit" in r.splits


def test_settlement_reaches_the_largest_common_level():
    rng = np.random.default_rng(5)
    nb = rng.normal([1.0, -0.5, 0.2], 1.0, size=(2000, 3))
    st = settle(nb, 5, 0.95)
    assert not st.feasible and 0 < st.reached < 0.95
    after = ((nb + st.transfers) >= 0).mean(axis=0)
    assert np.all(after >= st.reached - 1e-12)
    assert st.transfers.sum() == pytest.approx(0.0, abs=1e-12)
    # One draw more for everyone is impossible: the k+1-th largest values sum below zero.
    k = round(st.reached * 2000)
    assert np.sort(nb, axis=0)[::-1][k].sum() < 0
    ok = settle(nb, 5, st.reached)
    assert ok.feasible
    # Least transfers: whoever is short receives exactly its shortfall, whoever pays keeps P ≥ the level.
    v = np.sort(nb, axis=0)[::-1][k - 1]
    np.testing.assert_allclose(st.transfers[v < 0], -v[v < 0], rtol=1e-12)
    assert np.all(st.transfers[v > 0] <= 0) and np.all(-st.transfers[v > 0] <= v[v > 0] + 1e-9)


def test_current_split_is_the_run_and_society_never_changes():
    cfg = simsam.load_config(SAMVERKAN)
    r = run_split(cfg, 1500, 3, shares={"kommun": 0.5, "region": 0.3, "fk": 0.2, "af": 0.0})
    ds = simsam.simulate(cfg, 1500, 3)
    cols = [list(cfg.actors).index(a) for a in r.actors]
    np.testing.assert_array_equal(r.payback["current"], ds["payback_months"].values[:, cols])
    np.testing.assert_array_equal(r.net_benefit["current"], ds["net_benefit"].values[:, cols])
    society = ds["net_benefit"].sel(actor="society").values
    scale = float(np.abs(society).max())
    for name in r.splits:
        np.testing.assert_allclose(r.society[name], society, rtol=0, atol=1e-12 * scale, err_msg=name)
        assert abs(r.settlements[name].transfers.sum()) <= 1e-9 * scale
        cost = r.paths.new_cost(r.splits[name]).sum(axis=1)
        np.testing.assert_allclose(cost, ds["cost"].sel(actor="society").values, rtol=1e-12)


@pytest.mark.parametrize("name", ["benefit", "finsam", "custom"])
def test_a_split_equals_a_run_of_the_config_with_those_shares(name):
    cfg = simsam.load_config(SAMVERKAN)
    r = run_split(cfg, 800, 7, shares={"kommun": 0.5, "region": 0.3, "fk": 0.2, "af": 0.0})
    split = {a: float(s) for a, s in zip(r.actors, r.splits[name])}
    split = {a: s for a, s in split.items() if s > 0}
    total = sum(split.values())
    other = override(cfg, {"project": {"cost_split": {a: s / total for a, s in split.items()}}})
    ds = simsam.simulate(other, 800, 7)
    cols = [list(cfg.actors).index(a) for a in r.actors]
    np.testing.assert_array_equal(r.payback[name], ds["payback_months"].values[:, cols])
    nb = ds["net_benefit"].values[:, cols]
    np.testing.assert_allclose(r.net_benefit[name], nb, rtol=0, atol=1e-6 * float(np.abs(nb).max()))


def test_discounting_and_a_cost_schedule_are_recomputed_exactly(tmp_path):
    cfg = linear(tmp_path, schedule="cost_schedule = [0.5, 0.5]\n", discount="discount_rate = 0.03\ntiming = \"project\"")
    r = run_split(cfg, shares={"kommun": 0.1, "region": 0.6, "fk": 0.3})
    other = override(cfg, {"project": {"cost_split": {"kommun": 0.1, "region": 0.6, "fk": 0.3}}})
    ds = simsam.simulate(other)
    np.testing.assert_array_equal(r.payback["custom"], ds["payback_months"].values[:, :4])
    np.testing.assert_allclose(r.net_benefit["custom"], ds["net_benefit"].values[:, :4], rtol=1e-12, atol=1e-6)


def test_split_is_bit_reproducible_and_independent_of_threads():
    cfg = simsam.load_config(SAMVERKAN)
    a = run_split(cfg, 600, 11, threads=1)
    b = run_split(cfg, 600, 11, threads=2)
    assert json.dumps(a.summary()) == json.dumps(b.summary())
    for name in a.splits:
        np.testing.assert_array_equal(a.payback[name], b.payback[name])
        np.testing.assert_array_equal(a.net_benefit[name], b.net_benefit[name])


def test_paths_keep_only_the_financing_actors():
    cfg = simsam.load_config(SAMVERKAN)
    p = split_paths(cfg, ["kommun", "af"], 50, 1)
    assert p.cum.shape == (50, 2, 60) and p.cost.shape == (50, 2)


def test_split_command_writes_its_folder_and_the_report_has_the_section(tmp_path, capsys):
    out = tmp_path / "split"
    assert main(["split", str(SAMVERKAN), "--draws", "400", "--out", str(out), "--shares", "kommun=0.5,region=0.5"]) == 0
    printed = capsys.readouterr().out
    assert "vem ska betala vad?" in printed and "Finsam (lag 2003:1210, 5 §)" in printed
    for name in ("split.json", "split.csv", "split.nc", "results.nc", "summary.csv"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "split.json").read_text(encoding="utf-8"))
    assert list(summary["splits"]) == ["current", "benefit", "maxmin", "finsam", "custom"]
    assert summary["splits"]["custom"]["shares"] == {"kommun": 0.5, "region": 0.5, "fk": 0.0, "af": 0.0}
    import xarray as xr

    with xr.open_dataset(out / "split.nc", engine="h5netcdf") as nc:
        assert nc["payback_months"].dims == ("split", "draw", "actor")
        np.testing.assert_allclose(nc["shares"].sum("financing_actor").values, 1.0)
    for lang in ("sv", "en"):
        assert main(["report", str(out), "--lang", lang]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Vem ska betala vad?" in html and "2003:1210" in html
    assert "Who should pay what?" in (out / "report-en.html").read_text(encoding="utf-8")


def test_an_actor_without_a_share_has_no_payback_figures(tmp_path, capsys):
    """As in the summary's no-cost rows: a split that gives an actor share 0 shows no P(payback) and no median for it
    (it has nothing to pay back), in split.json, split.nc, the terminal and the report; its net benefit is still shown."""
    out = tmp_path / "split"
    assert main(["split", str(SAMVERKAN), "--draws", "300", "--out", str(out), "--shares", "kommun=0.5,region=0.5"]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((out / "split.json").read_text(encoding="utf-8"))
    custom = summary["splits"]["custom"]["actors"]
    for a in ("fk", "af"):
        assert custom[a]["no_cost"] and all(v["mean"] is None for v in custom[a]["p_payback"].values())
        assert custom[a]["payback_median"]["median"] is None and custom[a]["net_benefit"]["mean"] is not None
    assert not custom["kommun"]["no_cost"] and custom["kommun"]["p_payback"]["60"]["mean"] is not None
    import xarray as xr

    with xr.open_dataset(out / "split.nc", engine="h5netcdf") as nc:
        pb = nc["payback_months"].sel(split="custom")
        assert np.isnan(pb.sel(actor=["fk", "af"]).values).all() and np.isfinite(pb.sel(actor="kommun").values).any()
    rows = [line for line in printed.splitlines() if "Försäkringskassan" in line and "0,000" in line.split("Försäkringskassan")[1][:9]]
    assert rows and all("—" in line for line in rows), rows
    assert main(["report", str(out)]) == 0


@pytest.mark.parametrize(
    "args,match",
    [
        (["--actors", "stat,individ"], "--actors: stat, individ bear no cost in the config"),
        (["--actors", "kommun,kommunen"], "--actors: unknown actor 'kommunen'"),
        (["--actors", "kommun"], "--actors: name at least two"),
        (["--shares", "kommun=0.7,region=0.7"], "--shares: shares sum to 1.4"),
        (["--shares", "kommun=1,stat=0"], "--shares: 'stat' is not a financing actor"),
        (["--shares", "kommun=x"], "--shares: kommun: 'x' is not a number"),
        (["--shares", "kommun"], "--shares: 'kommun' is not actor=share"),
        (["--p", "1.5"], "--p"),
        (["--month", "61"], "--month: 61 must be between 1 and the horizon"),
        (["--year", "6"], "--year: 6 must be between 1"),
    ],
)
def test_bad_split_input_exits_2_naming_the_option(tmp_path, capsys, args, match):
    out = tmp_path / "s"
    assert main(["split", str(SAMVERKAN), "--draws", "20", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err
    assert not out.exists()


def test_a_config_with_one_payer_has_nothing_to_split(tmp_path, capsys):
    cfg = tmp_path / "one.toml"
    cfg.write_text(f'extends = "{SAMVERKAN.as_posix()}"\n[project]\ncost_split = {{ kommun = 1.0 }}\n', encoding="utf-8")
    assert main(["split", str(cfg), "--draws", "20", "--out", str(tmp_path / "s")]) == 2
    assert "project.cost_split: only kommun bears the cost" in capsys.readouterr().err
    # Named, actors without a share may join the split: Finsam's shares for a kommun's project.
    cfg_one = simsam.load_config(cfg)
    r = run_split(cfg_one, 300, 1, actors=["kommun", "region", "fk", "af"])
    np.testing.assert_allclose(r.splits["current"], [1, 0, 0, 0])
    np.testing.assert_allclose(r.splits["finsam"], [0.25, 0.25, 0.5, 0])
    ds = simsam.simulate(override(cfg_one, {"project": {"cost_split": {"kommun": 0.25, "region": 0.25, "fk": 0.5}}}), 300, 1)
    np.testing.assert_array_equal(r.payback["finsam"], ds["payback_months"].sel(actor=["kommun", "region", "fk", "af"]).values)


def test_split_as_an_experiment_analysis_and_its_report(tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text(f'config = "{SAMVERKAN.as_posix()}"\nseed = 3\ndraws = 300\n[[analysis]]\nkind = "run"\n'
                   '[[analysis]]\nkind = "split"\nmonth = 36\np = 0.6\nshares = { kommun = 0.6, region = 0.4 }\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["experiment", str(exp), "--out", str(out)]) == 0
    summary = json.loads((out / "split" / "split.json").read_text(encoding="utf-8"))
    assert summary["month"] == 36 and summary["level"] == 0.6 and summary["splits"]["custom"]["shares"]["kommun"] == 0.6
    direct = run_split(simsam.load_config(SAMVERKAN), 300, 3, month=36, level=0.6, shares={"kommun": 0.6, "region": 0.4})
    assert json.dumps(direct.summary()["splits"]) == json.dumps(summary["splits"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [a["kind"] for a in manifest["analyses"]] == ["run", "split"]
    assert main(["report", str(out)]) == 0
    assert "Vem ska betala vad?" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text,match",
    [
        ('actors = ["stat", "individ"]', r"analysis\[1\]\.actors: stat, individ bear no cost"),
        ("shares = { kommun = 0.5 }", r"analysis\[1\]\.shares: shares sum to 0\.5"),
        ("p = 80", r"analysis\[1\]\.p: 80 must be a probability"),
        ("month = 0", r"analysis\[1\]\.month"),
    ],
)
def test_bad_split_analysis_names_its_key(tmp_path, capsys, text, match):
    exp = tmp_path / "e.toml"
    exp.write_text(f'config = "{SAMVERKAN.as_posix()}"\ndraws = 20\n[[analysis]]\nkind = "run"\n[[analysis]]\nkind = "split"\n{text}\n',
                   encoding="utf-8")
    assert main(["experiment", str(exp), "--out", str(tmp_path / "o")]) == 2
    import re

    assert re.search(match, capsys.readouterr().err)


def test_maxmin_puts_an_actor_that_never_pays_back_at_zero_and_raises_the_others():
    from simsam.analysis.split import SplitPaths, maxmin_shares

    n, h = 50, 12
    t = np.arange(1, h + 1, dtype=float)
    cost = np.full((n, 3), 100.0)  # 300 kr financed, 100 each
    revenue = np.stack([-10 * t, 20 * t, 10 * t])  # a loses; by month 12 b can bear 240/300, c 120/300
    cum = np.broadcast_to(revenue - 100.0, (n, 3, h)).copy()
    paths = SplitPaths(["a", "b", "c"], cum, cost, np.ones((n, h)), None, None)
    shares, level, dropped = maxmin_shares(paths, 12)
    assert dropped == ["a"] and level == 1.0
    np.testing.assert_allclose(shares, [0, 0.8 / 1.2, 0.4 / 1.2], rtol=1e-6)
    # By month 6 b and c can bear 0.4 + 0.2 < 1 together: no level above 0, and the shares stay equal.
    shares6, level6, dropped6 = maxmin_shares(paths, 6)
    assert level6 == 0.0 and dropped6 == [] and np.allclose(shares6, 1 / 3)

"""The shipped configs: they load, and they reproduce what their seed documents say."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import simsam

CONFIGS = Path(__file__).parents[1] / "configs"
CASES = sorted(p.name for p in CONFIGS.glob("*.toml"))


def test_every_case_is_shipped():
    assert CASES == [
        "bas_trelleborg.toml",
        "bas_trelleborg_nyttosam.toml",
        "samverkansteamet.toml",
        "samverkansteamet_point.toml",
        "samverkansteamet_point_flat.toml",
        "spaaret.toml",
        "vagen_framat.toml",
    ]


@pytest.mark.parametrize("name", CASES)
def test_case_loads_and_runs(name):
    cfg = simsam.load_config(CONFIGS / name)
    assert cfg.meta.get("source") and cfg.meta.get("assumptions"), "every case says where its figures come from"
    ds = simsam.simulate(cfg, draws=200, seed=1)
    assert ds.sizes["draw"] == 200


@pytest.mark.parametrize("base", ["sweden.toml", "seekamu.toml", "bas_trelleborg_project.toml"])
def test_base_config_names_a_source_for_every_figure(base):
    """Every line of a base config that sets a number carries a source comment
    (on the line or in the comment block just above it)."""
    lines = (CONFIGS / "base" / base).read_text(encoding="utf-8").splitlines()
    checked = 0
    for i, line in enumerate(lines):
        code = line.split("#")[0]
        if "=" in code and any(ch.isdigit() for ch in code.split("=", 1)[1]) and not code.strip().startswith(("horizon", "draws", "seed")):
            context = " ".join(lines[max(0, i - 6) : i + 1])
            assert "#" in context, f"line {i + 1} has no source: {line}"
            checked += 1
    assert checked >= 1, "no line setting a number was found: the check would pass on any file"


def test_samverkansteamet_point_is_nyttosam_deterministic():
    """Seed 002 as NyttoSam computes it: cost 6 Mkr × 1.25, payback ceil(12·C/R);
    pinned where the calibration documented in the config landed (2.79 Mkr a year,
    payback 33 months against the report's 2.6 Mkr and 35)."""
    cfg = simsam.load_config(CONFIGS / "samverkansteamet_point.toml")
    assert cfg.simulation.cohort == "expected" and not any(q for q in cfg.quantities() if not q.fixed)
    soc = simsam.simulate(cfg, draws=1).sel(draw=0, actor="society")
    cost, revenue = float(soc.cost), float(soc.annual_revenue)
    assert cost == pytest.approx(7.5e6)
    assert float(soc.payback_months) == math.ceil(12 * cost / revenue)
    assert float(soc.net_benefit.sel(year=5)) == pytest.approx(5 * revenue - cost)
    assert revenue == pytest.approx(2.7946e6, rel=1e-4)  # regression pin; report: 2.6 Mkr
    assert 0.04 < float(simsam.simulate(cfg, draws=1).utilised_potential[0]) < 0.06  # report: "about five per cent"


def test_samverkansteamet_point_flat_is_the_same_society():
    """The flat variant (the report's arithmetic) moves money between actors, never society's result:
    the same production and resources, so the same revenue, net benefit and payback to rounding."""
    sweden, flat = (simsam.load_config(CONFIGS / n) for n in ("samverkansteamet_point.toml", "samverkansteamet_point_flat.toml"))
    assert (sweden.economy.tax_rules, flat.economy.tax_rules) == ("sweden", "flat")
    assert sweden.top_up is not None and flat.top_up is None
    a, b = (simsam.simulate(c, draws=1).sel(draw=0) for c in (sweden, flat))
    for var in ("annual_revenue", "net_benefit"):
        np.testing.assert_allclose(a[var].sel(actor="society").values, b[var].sel(actor="society").values, rtol=1e-12, atol=1e-3)
    assert float(a.payback_months.sel(actor="society")) == float(b.payback_months.sel(actor="society")) == 33
    # ... while the actors' shares move: the flat tax overstates the kommun's, and the fixed
    # social assistance makes the individual lose what the kommun saves.
    assert float(b.annual_revenue.sel(actor="kommun")) > float(a.annual_revenue.sel(actor="kommun")) + 1e6
    assert float(b.annual_revenue.sel(actor="individ")) < 0 < float(a.annual_revenue.sel(actor="individ"))


def test_sweden_modes_are_the_modes_of_the_base():
    """configs/base/sweden_modes.toml fixes the base's distributions at their modes, in the base's kronor."""
    import tomllib

    base = tomllib.loads((CONFIGS / "base" / "sweden.toml").read_text(encoding="utf-8"))
    modes = tomllib.loads((CONFIGS / "base" / "sweden_modes.toml").read_text(encoding="utf-8"))
    assert modes["meta"]["price_level"] == base["meta"]["price_level"]
    checked = 0
    for section in ("economy", "benefits", "resources"):
        for key, value in modes.get(section, {}).items():
            items = value.items() if section != "economy" else [(None, value)]
            for sub, fixed in items:
                dist = base[section][key] if sub is None else base[section][key][sub]
                if dist["dist"] == "pert":
                    assert fixed == dist["mode"], (section, key, sub)
                else:  # uniform: its middle (the mode is not defined)
                    assert fixed == pytest.approx((dist["low"] + dist["high"]) / 2, abs=0.5), (section, key, sub)
                checked += 1
    assert checked == 13


def test_bas_exclusion_cost_split_reproduces_the_report():
    """Seed 003: 19 participants to work save 350 000 kr a year each, split by actor;
    the report's table (tkr): kommun 2 250, FK 1 730, region 1 350, justice 600, AF 310, others 410."""
    cfg = simsam.load_config(CONFIGS / "bas_trelleborg.toml")
    res = cfg.resources["exclusion_cost"]
    yearly = 12 * res.unit_cost.dist.p["mode"]
    assert yearly == pytest.approx(350_000, rel=1e-6)
    report = {"kommun": 2250, "fk": 1730, "region": 1350, "rattsvasende": 600, "af": 310, "ovriga": 410}
    for actor, tkr in report.items():
        assert 19 * yearly * res.payer[actor] / 1e3 == pytest.approx(tkr, rel=0.01), actor
    assert 19 * yearly / 1e3 == pytest.approx(6650, rel=1e-6)


def test_seekamu_base_split_sums_to_one_and_reproduces_the_bas_table():
    """configs/base/seekamu.toml: every exclusion cost's payer split sums to 1, the all-ages cost is the
    report's 350 000 kr a year, and its split reproduces seed 003's per-actor table for 19 people in work."""
    cfg = simsam.load_config(CONFIGS / "bas_trelleborg.toml")  # a case on the base (a base alone is no config)
    for rid in ("exclusion_cost", "exclusion_cost_young"):
        res = cfg.resources[rid]
        assert sum(res.payer.values()) == pytest.approx(1.0, abs=1e-12) and not res.uplift, rid
    assert 12 * cfg.resources["exclusion_cost_young"].unit_cost.dist.p["mode"] == pytest.approx(
        437_500, rel=1e-6
    )  # Nilsson/OFUS, young ≤ 30
    res = cfg.resources["exclusion_cost"]
    yearly = 12 * res.unit_cost.dist.p["mode"]
    assert yearly == pytest.approx(350_000, rel=1e-6)
    report = {"kommun": 2250, "fk": 1730, "region": 1350, "rattsvasende": 600, "af": 310, "ovriga": 410}
    assert {a: round(19 * yearly * res.payer[a] / 1e3, -1) for a in report} == report  # the report rounds to 10 tkr


def test_bas_two_valuations_compare_paired(tmp_path, capsys):
    """bas_trelleborg (SEEKAMU) and bas_trelleborg_nyttosam (NyttoSam) value the same project: their shared
    project inputs are identical draw by draw, and so is the cohort (the state's payroll tax on the jobs
    depends on nothing else), so ``simsam compare`` pairs them."""
    from simsam.cli import main

    seekamu, nyttosam = (simsam.load_config(CONFIGS / n) for n in ("bas_trelleborg.toml", "bas_trelleborg_nyttosam.toml"))
    a, b = (simsam.simulate(c, draws=300, seed=3) for c in (seekamu, nyttosam))
    shared = [
        "economy.wage",
        "outcomes.states.employed.employment_rate",
        "outcomes.states.employed.wage_subsidy",
        "transitions.employed.not_employed",
        "transitions.not_employed.employed",
        "outcomes.shares.employed",
        "outcomes.shares.not_employed",
    ]
    for name in shared:
        assert (a.inputs.sel(parameter=name).values == b.inputs.sel(parameter=name).values).all(), name
    assert (a.net_benefit.sel(actor="stat").values == b.net_benefit.sel(actor="stat").values).all()
    p, q = seekamu.project, nyttosam.project
    assert (p.participants, p.cost.value, p.cost_split) == (q.participants, q.cost.value, q.cost_split) == (47, 1.47e6, {"kommun": 1.0})
    # resource_change has the same name (same uniform numbers) and different distributions: comonotone
    rc = "outcomes.states.employed.resource_change"
    order_a, order_b = a.inputs.sel(parameter=rc).values.argsort(), b.inputs.sel(parameter=rc).values.argsort()
    assert (order_a == order_b).all()
    out = tmp_path / "cmp"
    assert (
        main(
            [
                "compare",
                str(CONFIGS / "bas_trelleborg.toml"),
                str(CONFIGS / "bas_trelleborg_nyttosam.toml"),
                "--draws",
                "300",
                "--seed",
                "3",
                "--out",
                str(out),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "bas_trelleborg_nyttosam" in text and "Society: mean Δ net benefit after 5 years" in text
    import xarray as xr

    with xr.open_dataset(out / "compare.nc", engine="h5netcdf") as ds:
        nb = ds.net_benefit.sel(actor="society", year=5)
        assert (nb.sel(variant="bas_trelleborg").values == a.net_benefit.sel(actor="society", year=5).values).all()
        assert (nb.sel(variant="bas_trelleborg_nyttosam").values == b.net_benefit.sel(actor="society", year=5).values).all()
        # SEEKAMU counts transfers and justice costs as savings: society's valuation is higher in every draw here
        assert (ds.net_benefit_difference.sel(actor="society", year=5).values < 0).all()

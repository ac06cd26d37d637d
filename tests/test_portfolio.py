"""Portfolios (``simsam portfolio``): shared and specific inputs, the budget's sums, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.analysis.portfolio import load_portfolio, monthly_net_benefit, payback_month, portfolio_summary, run_portfolio
from simsam.cli import main
from simsam.engine.evaluate import evaluate
from simsam.engine.sampling import ParameterSpace
from simsam.errors import ConfigError

CONFIGS = Path(__file__).parent.parent / "configs"
EXPERIMENTS = Path(__file__).parent.parent / "experiments"


def write_portfolio(folder: Path, projects, head: str = "") -> Path:
    """A portfolio file listing ``projects``: (config path, extra TOML lines) pairs."""
    text = head + "\n"
    for config, extra in projects:
        text += f'\n[[project]]\nconfig = "{Path(config).as_posix()}"\n{extra}\n'
    path = folder / "portfolio.toml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_same(a, b):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# --- one project ---------------------------------------------------------------------------


def test_one_project_portfolio_is_the_project(tmp_path):
    cfg_path = CONFIGS / "samverkansteamet.toml"
    pf = load_portfolio(write_portfolio(tmp_path, [(cfg_path, "")]))
    ds = run_portfolio(pf, draws=300, seed=7, chunk_draws=120)
    ref = simsam.simulate(simsam.load_config(cfg_path), draws=300, seed=7)
    one = ds.sel(project="samverkansteamet")
    for var in ("payback_months", "annual_revenue", "cost", "net_benefit"):
        assert_same(one[var].values, ref[var].values)
    assert_same(one["inputs"].sel(parameter=ref["parameter"].values).values, ref["inputs"].values)
    # The budget of one project is the project; its payback is computed month by month.
    assert_same(ds["portfolio_net_benefit"].values, ref["net_benefit"].values)
    assert_same(ds["portfolio_payback_months"].values, ref["payback_months"].values)
    assert ds.attrs["portfolio_payback_resolution"] == "month"
    assert int(ds["project_seed"].item()) == 7


@pytest.mark.parametrize("engine", ["person", "aggregate", "expected"])
def test_monthly_net_benefit_matches_the_kernel(engine):
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    space = ParameterSpace.from_config(cfg)
    draws = np.arange(400)
    values = space.sample(3, draws)
    out = evaluate(cfg, space, values, draws, 3, engine=engine)
    monthly = monthly_net_benefit(cfg, space, values, draws, 3, engine)
    np.testing.assert_allclose(monthly[:, :, 11::12], out.net_benefit, rtol=0, atol=1e-6)
    assert_same(payback_month(monthly, out.cost), out.payback)


def test_monthly_net_benefit_with_timing_drop_off_and_groups(tmp_path):
    # Staggered exits, a cost schedule, discounting, drop-off, deadweight and participant groups.
    path = tmp_path / "adv.toml"
    path.write_text(
        f'extends = "{(CONFIGS / "samverkansteamet.toml").as_posix()}"\n'
        '[simulation]\ntiming = "project"\ndiscount_rate = 0.035\n'
        "[project]\nexits = { over_months = 34 }\ncost_schedule = { over_months = 36 }\n"
        '[counterfactual]\ndrop_off = { dist = "uniform", low = 0.05, high = 0.3 }\ndeadweight = 0.1\n'
        "[groups.young]\nshare = 0.4\nshift = { work = 0.5 }\n[groups.old]\nshare = 0.6\n",
        encoding="utf-8",
    )
    cfg = simsam.load_config(path)
    space = ParameterSpace.from_config(cfg)
    draws = np.arange(300)
    values = space.sample(4, draws)
    out = evaluate(cfg, space, values, draws, 4, engine="person")
    monthly = monthly_net_benefit(cfg, space, values, draws, 4, "person")
    np.testing.assert_allclose(monthly[:, :, 11::12], out.net_benefit, rtol=0, atol=1e-6)
    assert_same(payback_month(monthly, out.cost), out.payback)


# --- shared and specific inputs ------------------------------------------------------------


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """Spåret, Vägen framåt (same base economy) and Samverkansteamet (restated at 2016 prices)."""
    folder = tmp_path_factory.mktemp("pf")
    path = write_portfolio(
        folder, [(CONFIGS / "spaaret.toml", ""), (CONFIGS / "vagen_framat.toml", ""), (CONFIGS / "samverkansteamet.toml", "")]
    )
    pf = load_portfolio(path)
    return pf, run_portfolio(pf, draws=4000, seed=11)


def test_shared_inputs_are_identical_in_every_draw(three):
    _, ds = three
    status = ds["input_status"]
    wage = ds["inputs"].sel(parameter="economy.wage")
    assert status.sel(project="spaaret", parameter="economy.wage") == "coupled"  # samverkansteamet restates it
    assert_same(wage.sel(project="spaaret").values, wage.sel(project="vagen_framat").values)
    study = ds["inputs"].sel(parameter="benefits.study_grant.monthly")
    assert status.sel(project="spaaret", parameter="benefits.study_grant.monthly") == "shared"
    assert_same(study.sel(project="spaaret").values, study.sel(project="vagen_framat").values)
    # Restated at another price level: the same quantile of its own distribution.
    a, b = wage.sel(project="spaaret").values, wage.sel(project="samverkansteamet").values
    assert_same(np.argsort(a), np.argsort(b))
    assert b.mean() < a.mean() - 4000


def test_specific_inputs_and_cohorts_are_independent(three):
    _, ds = three
    n = ds.sizes["draw"]
    cost = ds["inputs"].sel(parameter="project.cost")
    r = np.corrcoef(cost.sel(project="spaaret").values, cost.sel(project="vagen_framat").values)[0, 1]
    assert abs(r) < 4 / np.sqrt(n)  # ~4 standard errors of a zero correlation
    assert len(set(ds["project_seed"].values.tolist())) == 3
    # Society's result is driven by specific inputs and the cohort: near-independent across projects.
    corr = ds["correlation_net_benefit"].sel(actor="society").values
    assert np.all(np.abs(corr[np.triu_indices(3, 1)]) < 0.1)


def test_restated_independent_draws_them_per_project(tmp_path):
    path = write_portfolio(
        tmp_path, [(CONFIGS / "spaaret.toml", ""), (CONFIGS / "samverkansteamet.toml", "")], head='[portfolio]\nrestated = "independent"'
    )
    ds = run_portfolio(load_portfolio(path), draws=3000, seed=2)
    assert ds["input_status"].sel(project="samverkansteamet", parameter="economy.wage") == "independent"
    wage = ds["inputs"].sel(parameter="economy.wage")
    r = np.corrcoef(wage.sel(project="spaaret").values, wage.sel(project="samverkansteamet").values)[0, 1]
    assert abs(r) < 4 / np.sqrt(3000)


# --- the budget ----------------------------------------------------------------------------


def test_budget_is_the_sum_of_the_projects(three):
    pf, ds = three
    assert_same(ds["portfolio_net_benefit"].values, ds["net_benefit"].values.sum(axis=0))
    assert_same(ds["portfolio_cost"].values, ds["cost"].values.sum(axis=0))
    # The budget pays back no later than its last project, and its year-end sign agrees with its payback.
    society = ds["portfolio_payback_months"].sel(actor="society").values
    last = np.nanmax(
        np.where(np.isnan(ds["payback_months"].sel(actor="society").values), np.inf, ds["payback_months"].sel(actor="society").values),
        axis=0,
    )
    assert np.all(np.nan_to_num(society, nan=np.inf) <= last)
    end = ds["portfolio_net_benefit"].sel(actor="society").values[:, -1]
    assert np.all(np.isfinite(society[end >= 0]))
    # P(at least k of 3 pay back) from the per-draw counts.
    paid = (ds["payback_months"].sel(actor="society").values <= 60).sum(axis=0)
    for k in (1, 2, 3):
        assert ds["p_at_least"].sel(k=k, month=60).item() == pytest.approx((paid >= k).mean(), abs=1e-15)
    table = portfolio_summary(ds)
    assert table.loc[("portfolio", "society", "p_at_least_2_within_60"), "mean"] == pytest.approx((paid >= 2).mean())


def test_budget_payback_is_exact_to_the_month(tmp_path):
    # The same project twice on the same seed: identical draws, so the budget is 2x the project
    # and pays back in exactly the project's month (a year-resolution payback would not).
    cfg = CONFIGS / "spaaret.toml"
    path = write_portfolio(tmp_path, [(cfg, 'name = "a"'), (cfg, 'name = "b"\nseed = 5')], head="[portfolio]\nseed = 5")
    ds = run_portfolio(load_portfolio(path), draws=300)
    assert_same(ds["net_benefit"].sel(project="a").values, ds["net_benefit"].sel(project="b").values)
    assert_same(ds["portfolio_payback_months"].values, ds["payback_months"].sel(project="a").values)
    assert not np.all(ds["portfolio_payback_months"].sel(actor="society").values % 12 == 0)


# --- command line --------------------------------------------------------------------------


def test_cli_writes_files_and_prints_table(tmp_path, capsys):
    path = write_portfolio(
        tmp_path, [(CONFIGS / "spaaret.toml", ""), (CONFIGS / "bas_trelleborg.toml", 'name = "bas"')], head="[portfolio]\nk = [1, 2]"
    )
    out = tmp_path / "out"
    assert main(["portfolio", str(path), "--draws", "200", "--seed", "3", "--out", str(out), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "P(at least k projects pay back for society within m months)" in text and "portfolio (sum)" in text
    assert sorted(p.name for p in out.iterdir()) == ["portfolio.csv", "portfolio.nc"]
    csv = (out / "portfolio.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("entity,actor,metric,mean,mcse")
    assert any(line.startswith("portfolio,society,p_at_least_2_within_60,") for line in csv)


def test_shipped_seed_portfolio_loads():
    pf = load_portfolio(EXPERIMENTS / "portfolio_seeds.toml")
    assert [p.name for p in pf.projects] == ["samverkansteamet", "spaaret", "vagen_framat", "bas_trelleborg"]
    assert pf.k == (1, 2, 3, 4) and pf.horizon_months == 60


def _bad(tmp_path, capsys, text, match, files=None):
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["portfolio", str(path), "--draws", "10", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and match in err, err
    assert not out.exists()
    with pytest.raises(ConfigError, match=re.escape(match)):
        load_portfolio(path)


def test_bad_missing_project_file(tmp_path, capsys):
    _bad(tmp_path, capsys, '[[project]]\nconfig = "nowhere.toml"\n', "project[0].config: file 'nowhere.toml' not found")


def test_bad_empty_list(tmp_path, capsys):
    _bad(tmp_path, capsys, '[portfolio]\nname = "x"\n', "project: the portfolio lists no projects")


def test_bad_differing_horizons(tmp_path, capsys):
    short = f'extends = "{(CONFIGS / "spaaret.toml").as_posix()}"\n[simulation]\nhorizon_months = 36\n'
    text = f'[[project]]\nconfig = "{(CONFIGS / "vagen_framat.toml").as_posix()}"\n[[project]]\nconfig = "short.toml"\n'
    _bad(tmp_path, capsys, text, "simulation.horizon_months: vagen_framat has 60 months and short has 36", files={"short.toml": short})


def test_bad_keys_and_values(tmp_path, capsys):
    one = f'[[project]]\nconfig = "{(CONFIGS / "spaaret.toml").as_posix()}"\n'
    _bad(tmp_path, capsys, "[portfolio]\nshraed = []\n" + one, "portfolio.shraed: unknown key 'shraed' (did you mean 'shared'?)")
    _bad(tmp_path, capsys, "[portfolio]\nk = [2]\n" + one, "portfolio.k: 2 is more than the 1 projects")
    _bad(tmp_path, capsys, one + one, "project[1].name: 'spaaret' names two projects")
    _bad(
        tmp_path,
        capsys,
        '[[project]]\nconfig = "broken.toml"\n',
        "project[0] (broken.toml):",
        files={"broken.toml": "[project]\nparticipants = -3\n"},
    )


def test_bad_missing_portfolio_file(tmp_path, capsys):
    code = main(["portfolio", str(tmp_path / "none.toml"), "--out", str(tmp_path / "out")])
    assert code == 2 and "portfolio file" in capsys.readouterr().err

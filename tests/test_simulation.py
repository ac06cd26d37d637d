"""Sampling, reproducibility, the result Dataset and its summary."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import simsam
from simsam.distributions import Quantity, parse_distribution
from simsam.engine.sampling import ParameterSpace, Sample, check_rows
from simsam.results import read_results
from simsam.workflows.run_folder import write_run

from .helpers import DATA


def test_result_dataset_has_the_documented_variables_dims_and_attrs(engine_config):
    ds = simsam.simulate(engine_config, draws=300, seed=2)
    dims = {
        "payback_months": ("draw", "actor"),
        "annual_revenue": ("draw", "actor"),
        "cost": ("draw", "actor"),
        "net_benefit": ("draw", "actor", "year"),
        "utilised_potential": ("draw",),
        "inputs": ("draw", "parameter"),
    }
    for var, d in dims.items():
        assert ds[var].dims == d, var
    assert list(ds.actor.values) == list(engine_config.actors) + ["society"]
    assert list(ds.year.values) == [1, 2, 3, 4, 5]
    assert ds.attrs["seed"] == 2 and ds.attrs["simsam_version"] == simsam.__version__
    assert "[outcomes.states.work]" in ds.attrs["config_text"]
    assert json.loads(ds.attrs["config"])["project"]["participants"] == 81
    names = set(ds.parameter.values)
    assert {"outcomes.shares.work", "outcomes.states.work.employment_rate", "transitions.improved.work", "project.cost"} <= names
    # Payback is a month number or NaN; annual revenue is year 1 of revenue.
    pb = ds.payback_months.values
    assert np.all(np.isnan(pb) | ((pb >= 1) & (pb <= 60) & (pb == np.round(pb))))
    np.testing.assert_array_equal(ds.annual_revenue, ds.revenue.sel(year=1))


def test_same_numbers_whatever_threads_and_chunks(engine_config):
    base = simsam.simulate(engine_config, draws=3000, seed=8, threads=1)
    two = simsam.simulate(engine_config, draws=3000, seed=8, threads=2)
    chunked = simsam.simulate(engine_config, draws=3000, seed=8, chunk_draws=777)
    xr.testing.assert_identical(base, two)
    xr.testing.assert_identical(base, chunked)
    # A chunk run alone (as on another machine) equals the same draws of the whole run.
    part = simsam.simulate(engine_config, draws=1000, seed=8, first_draw=1200, chunk_draws=333)
    for var in ("payback_months", "net_benefit", "inputs", "utilised_potential"):
        np.testing.assert_array_equal(part[var].values, base[var].isel(draw=slice(1200, 2200)).values)
    other = simsam.simulate(engine_config, draws=3000, seed=9)
    assert not np.array_equal(other.inputs.values, base.inputs.values)


def test_inputs_are_keyed_by_name_not_position(engine_config):
    """Common random numbers: fixing one input leaves the others' values unchanged."""
    space = ParameterSpace.from_config(engine_config)
    text = (DATA / "engine.toml").read_text().replace('uplift = { dist = "uniform", low = 1.2, high = 1.3 }', "uplift = 1.25")
    fewer = ParameterSpace.from_config(simsam.loads(text, DATA))
    assert fewer.size == space.size - 1
    draws = np.arange(100)
    a = dict(zip(space.names, space.sample(5, draws).T))
    b = dict(zip(fewer.names, fewer.sample(5, draws).T))
    for name in fewer.names:
        np.testing.assert_array_equal(a[name], b[name])


def test_dirichlet_posterior_moments(engine_config):
    """counts 20/35/26 with prior 1: mean (count + 1)/(81 + 3), Dirichlet variance."""
    ds = simsam.simulate(engine_config, draws=20_000, seed=3)
    alpha = np.array([21.0, 36.0, 27.0])
    a0 = alpha.sum()
    for k, name in enumerate(("work", "improved", "not_improved")):
        x = ds.inputs.sel(parameter=f"outcomes.shares.{name}").values
        mean = alpha[k] / a0
        var = alpha[k] * (a0 - alpha[k]) / (a0**2 * (a0 + 1))
        assert abs(x.mean() - mean) < 4 * math.sqrt(var / x.size)
        assert x.var(ddof=1) == pytest.approx(var, rel=0.05)  # sd of a variance estimate ≈ √(2/n) ≈ 1 %
    total = sum(ds.inputs.sel(parameter=f"outcomes.shares.{k}").values for k in ("work", "improved", "not_improved"))
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)


DISTS = [
    ('{ dist = "uniform", low = 2, high = 5 }', stats.uniform(2, 3)),
    ('{ dist = "triangular", low = 1, mode = 2, high = 6 }', stats.triang(0.2, loc=1, scale=5)),
    ('{ dist = "pert", min = 0, mode = 3, max = 10 }', stats.beta(1 + 4 * 0.3, 1 + 4 * 0.7, scale=10)),
    ('{ dist = "normal", mean = 5, sd = 2 }', stats.norm(5, 2)),
    ('{ dist = "normal", mean = 1, sd = 2, low = 0 }', stats.truncnorm(-0.5, np.inf, loc=1, scale=2)),
    ('{ dist = "lognormal", mean = 4, sd = 1 }', stats.lognorm(s=math.sqrt(math.log(1 + 1 / 16)), scale=4 / math.sqrt(1 + 1 / 16))),
    ('{ dist = "beta", mean = 0.3, sd = 0.1 }', stats.beta(0.3 * 20, 0.7 * 20)),
    ('{ dist = "beta", a = 2, b = 5 }', stats.beta(2, 5)),
    ('{ dist = "gamma", mean = 4, sd = 2 }', stats.gamma(4, scale=1)),
]


@pytest.mark.parametrize("spec,reference", DISTS, ids=[d[0].split('"')[1] + str(i) for i, d in enumerate(DISTS)])
def test_sampled_inputs_match_their_distribution(spec, reference):
    """Moments within Monte Carlo error and a KS test against the distribution
    built by hand from the config's parameters (lognormal and beta by moments)."""
    import tomllib

    raw = tomllib.loads(f"x = {spec}")["x"]
    space = ParameterSpace((Quantity("x", None, parse_distribution(raw, "x")),), ())
    x = space.sample(1, np.arange(20_000))[:, 0]
    mean, sd = reference.mean(), reference.std()
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(x.size)
    assert x.std() == pytest.approx(sd, rel=0.03)
    assert stats.kstest(x, reference.cdf).pvalue > 1e-3
    if "lognormal" in spec or "gamma" in spec or "mean = 0.3" in spec:
        assert reference.mean() == pytest.approx(float(spec.split("mean = ")[1].split(",")[0]))


def test_uncertain_row_checked_in_every_draw():
    """The load-time check bounds a row at its inputs' 99.9999 % quantiles; a draw
    (or a design point) beyond that is still caught before the kernel runs."""
    text = (DATA / "hand.toml").read_text() + "\n[transitions]\n"
    text += 'improved = { work = { dist = "uniform", low = 0.2, high = 0.3 }, other = { dist = "uniform", low = 0.6, high = 0.7 } }\n'
    text = text.replace("[outcomes.states.improved]", "[outcomes.states.other]\nincome = {}\n\n[outcomes.states.improved]")
    cfg = simsam.loads(text, DATA)
    space = ParameterSpace.from_config(cfg)
    values = np.tile(space.base_values(), (4, 1))
    values[2, space.names.index("transitions.improved.work")] = 0.35  # 0.35 + 0.65 + a bit
    values[2, space.names.index("transitions.improved.other")] = 0.66
    check_rows(cfg, Sample(space, values[:2]), np.arange(2))
    with pytest.raises(simsam.ConfigError, match=r"^transitions\.improved: outgoing probabilities sum to 1\.01 in draw 12, more than 1"):
        check_rows(cfg, Sample(space, values), np.arange(10, 14))
    wide = text.replace("high = 0.7 }", "high = 0.81 }")
    with pytest.raises(simsam.ConfigError, match=r"^transitions\.improved: outgoing probabilities can sum to 1\.1"):
        simsam.loads(wide, DATA)


def test_expected_cohort_is_the_mean_of_sampled_cohorts():
    """With fixed inputs, the Markov trace is the expectation of the sampled cohort."""
    text = (DATA / "hand.toml").read_text() + "\n[transitions]\nwork = { improved = 0.02 }\nimproved = { work = 0.01 }\n"
    expected = simsam.simulate(simsam.loads(text, DATA), draws=1)
    sampled = simsam.simulate(simsam.loads(text.replace('cohort = "expected"', 'cohort = "sampled"'), DATA), draws=4000, seed=1)
    for var in ("annual_revenue", "net_benefit"):
        x = sampled[var]
        z = (x.mean("draw") - expected[var].isel(draw=0)) / (x.std("draw") / math.sqrt(x.sizes["draw"]))
        z = z.where(x.std("draw") > 0, 0.0)  # actors without variation (employer) give 0/0
        assert float(abs(z).max()) < 4.5, var


def test_summary_numbers_equal_the_draws(engine_config):
    ds = simsam.simulate(engine_config, draws=4000, seed=6)
    table = simsam.summarize(ds)
    pb = ds.payback_months.sel(actor="society").values
    n = pb.size
    p36 = np.mean(pb <= 36)
    row = table.loc[("society", "p_payback_36")]
    assert row["mean"] == pytest.approx(p36)
    assert row["mcse"] == pytest.approx(math.sqrt(p36 * (1 - p36) / n))
    assert table.loc[("society", "p_payback_not_reached"), "mean"] == pytest.approx(np.isnan(pb).mean())
    nb5 = ds.net_benefit.sel(actor="kommun", year=5).values
    r = table.loc[("kommun", "net_benefit_5y")]
    assert r["mean"] == pytest.approx(nb5.mean())
    assert r["mcse"] == pytest.approx(nb5.std(ddof=1) / math.sqrt(n))
    assert r["median"] == pytest.approx(np.median(nb5))
    assert r["p05"] == pytest.approx(np.quantile(nb5, 0.05))
    assert table.loc[("kommun", "p_net_benefit_positive_5y"), "mean"] == pytest.approx(np.mean(nb5 > 0))
    # Payback quantiles count "not reached" as beyond the horizon.
    finite = np.sort(np.where(np.isnan(pb), np.inf, pb))
    med = finite[math.ceil(0.5 * n) - 1]
    got = table.loc[("society", "payback_months"), "median"]
    assert (np.isnan(got) and not np.isfinite(med)) or got == med
    assert table.loc[("society", "payback_months"), "mean"] == pytest.approx(np.nanmean(pb))
    assert set(table.loc["society"].index) >= {"utilised_potential", "p_payback_12", "p_payback_60", "cost", "annual_revenue"}


def test_write_run_round_trip(engine_config, tmp_path):
    ds = simsam.simulate(engine_config, draws=200, seed=1)
    out = write_run(ds, tmp_path / "run")
    assert {"results.nc", "summary.csv", "summary.json"} <= {p.name for p in out.iterdir()}
    back = read_results(out)
    xr.testing.assert_identical(back.drop_vars(["actor_label", "parameter_group"]), ds.drop_vars(["actor_label", "parameter_group"]))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["draws"] == 200
    society = summary["actors"]["society"]
    p60 = society["metrics"]["p_payback_60"]["mean"]
    assert p60 == pytest.approx(float(np.mean(ds.payback_months.sel(actor="society").values <= 60)))
    assert society["headline"].startswith(f"payback within 60 months with probability {p60:.2f}")
    # A second run replaces the folder whole; no temporary folders stay behind.
    write_run(ds.isel(draw=slice(0, 50)), tmp_path / "run")
    assert read_results(tmp_path / "run").sizes["draw"] == 50
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


@pytest.mark.slow
def test_person_and_aggregate_paths_agree_in_distribution():
    """Same config, the two sampled-cohort paths: payback quantiles, means within
    Monte Carlo error, and a two-sample KS test on a few thousand draws."""
    text = (DATA / "engine.toml").read_text()
    person = simsam.loads(text.replace("[simulation]", '[simulation]\nengine = "person"'), DATA)
    aggregate = simsam.loads(text.replace("[simulation]", '[simulation]\nengine = "aggregate"'), DATA)
    a = simsam.simulate(person, draws=6000, seed=21)
    b = simsam.simulate(aggregate, draws=6000, seed=21)
    assert (a.attrs["engine"], b.attrs["engine"]) == ("person", "aggregate")
    np.testing.assert_array_equal(a.inputs, b.inputs)  # same parameter draws; only the cohorts differ
    for actor in ("society", "kommun", "af"):
        x, y = a.net_benefit.sel(actor=actor, year=5).values, b.net_benefit.sel(actor=actor, year=5).values
        se = math.sqrt(x.var() / x.size + y.var() / y.size)
        assert abs(x.mean() - y.mean()) < 4.5 * se, actor
        assert stats.ks_2samp(x, y).pvalue > 1e-3, actor
    pa, pb = (d.payback_months.sel(actor="society").values for d in (a, b))
    qa, qb = (np.quantile(np.where(np.isnan(p), np.inf, p), [0.1, 0.5, 0.9]) for p in (pa, pb))
    assert np.all(np.abs(qa - qb) <= 2)  # months
    assert abs(np.isnan(pa).mean() - np.isnan(pb).mean()) < 4.5 * math.sqrt(2 * 0.25 / pa.size)


def test_auto_engine_picks_by_cohort_size(engine_config):
    from simsam.engine.evaluate import AUTO_PERSON_MAX, engine_of

    assert engine_of(engine_config) == "person"
    text = (DATA / "engine.toml").read_text().replace("participants = 81", f"participants = {AUTO_PERSON_MAX + 1}")
    assert engine_of(simsam.loads(text, DATA)) == "aggregate"
    assert engine_of(simsam.loads((DATA / "hand.toml").read_text(), DATA)) == "expected"


def test_streamed_file_equals_in_memory_run(engine_config, tmp_path):
    """simsam run streams results.nc chunk by chunk; the file holds exactly the
    Dataset that simulate() builds in memory, and the same summary."""
    from simsam.workflows.run_folder import run_to_folder

    ds, summary = run_to_folder(engine_config, tmp_path / "run", 1500, 4, chunk_draws=400)
    ds.close()
    back = read_results(tmp_path / "run")
    same = simsam.simulate(engine_config, draws=1500, seed=4)
    xr.testing.assert_identical(back, same)
    assert summary.equals(simsam.summarize(same))
    assert (tmp_path / "run" / "summary.csv").read_text().count("\n") == len(summary) + 1


@pytest.mark.parametrize(
    "frozen",
    [
        stats.beta(2.6, 3.4, loc=18000, scale=5000),
        stats.beta(21, 7),
        stats.beta(1.0, 2.5),
        stats.beta(0.5, 0.5),
        stats.beta(2.5, 700),
        stats.gamma(21),
        stats.gamma(0.3),
        stats.gamma(1.0),
    ],
    ids=lambda f: f"{f.dist.name}{tuple(round(a, 2) for a in f.args)}",
)
def test_inverse_cdf_table_is_within_tolerance(frozen):
    """The tabulated quantiles equal scipy's within 1e-9 of the range, over the
    whole range of uniforms simsam draws (tails included)."""
    from simsam.distributions import InverseCdfTable
    from simsam.distributions.tables import TABLE_TOLERANCE

    table = InverseCdfTable.build(frozen)
    assert table is not None
    rng = np.random.default_rng(1)
    u = np.concatenate(
        [rng.random(50_000), 10 ** rng.uniform(-15.9, -1, 5000), 1 - 10 ** rng.uniform(-15.9, -1, 5000), [2.0**-53, 1 - 2.0**-53]]
    )
    exact = np.where(u < 0.5, frozen.ppf(u), frozen.isf(1 - u))
    span = table.x[-1] - table.x[0]
    assert np.max(np.abs(table(u) - exact)) <= TABLE_TOLERANCE * span


def test_inverse_cdf_table_refuses_too_few_nodes():
    """A smooth law that needs 256 intervals is tabulated, but refused (None) when at most 64 are allowed."""
    from simsam.distributions import InverseCdfTable

    law = stats.beta(21, 7)
    table = InverseCdfTable.build(law)
    assert table is not None and table.x.size - 1 == 256
    assert InverseCdfTable.build(law, nodes=64) is None


def test_inverse_cdf_table_refuses_u_shaped_beta_and_ppf_is_exact():
    """A U-shaped beta (density infinite at both ends) misses the tolerance even with
    TABLE_NODES intervals: no table, and the distribution's ppf is scipy's exact one."""
    from simsam.distributions import InverseCdfTable

    assert InverseCdfTable.build(stats.beta(0.3, 0.2)) is None
    dist = parse_distribution({"dist": "beta", "a": 0.05, "b": 0.05}, "x")
    assert dist.table is None
    u = np.array([1e-9, 0.1, 0.5, 0.9, 1 - 1e-9])
    np.testing.assert_array_equal(dist.ppf(u), stats.beta(0.05, 0.05).ppf(u))


@pytest.mark.parametrize(
    "name", ["configs/samverkansteamet.toml", "configs/bas_trelleborg.toml", "experiments/data/samverkansteamet_groups.toml"]
)
def test_accounting_in_slices_on_threads_is_the_accounting_of_the_whole_sample(name, monkeypatch):
    """relative_flows books a large sample in slices of draws on every core: bit for bit the flows of one pass."""
    from pathlib import Path

    import simsam.engine.inputs as inputs

    cfg = simsam.load_config(Path(__file__).parents[1] / name)
    space = ParameterSpace.from_config(cfg)
    draws = np.arange(2 * inputs.PARALLEL_MIN_DRAWS + 3)  # an odd size: slices of unequal length
    sample = Sample(space, space.sample(5, draws))
    monkeypatch.setattr(inputs.os, "cpu_count", lambda: 2)  # two slices even on a one-core machine
    sliced = inputs.kernel_arguments(cfg, sample, draws, 5)
    monkeypatch.setattr(inputs, "PARALLEL_MIN_DRAWS", 10**12)
    whole = inputs.kernel_arguments(cfg, sample, draws, 5)
    for field in ("rel", "cost", "shares", "trans"):
        got, want = getattr(sliced, field), getattr(whole, field)
        assert got.shape == want.shape and np.array_equal(got.view(np.uint64), want.view(np.uint64)), field

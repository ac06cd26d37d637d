"""Decision analysis: acceptability curves, EVPI and EVPPI (``simsam decision``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import simsam
from simsam.analysis.decision import acceptability, decision_analysis, evpi_estimate, evppi_estimate, regression_basis
from simsam.cli import main
from simsam.workflows.run_folder import write_run

from .helpers import DATA


def normal_evpi(mu: float, sigma: float) -> float:
    """E[max(X, 0)] − max(μ, 0) for X ~ N(μ, σ²): σ φ(μ/σ) + μ Φ(μ/σ) − max(μ, 0)."""
    z = mu / sigma
    return sigma * stats.norm.pdf(z) + mu * stats.norm.cdf(z) - max(mu, 0.0)


@pytest.fixture(scope="module")
def run(engine_config):  # noqa: F811
    return simsam.simulate(engine_config, draws=2000, seed=7)


@pytest.fixture(scope="module")
def decision(run, engine_config):  # noqa: F811
    return decision_analysis(run, engine_config)


# --- EVPI ----------------------------------------------------------------------------------


def test_evpi_is_zero_when_every_draw_agrees():
    rng = np.random.default_rng(1)
    invest = rng.uniform(1, 5, size=(1000, 3))
    evpi, se = evpi_estimate(invest)
    assert np.all(evpi == 0) and np.all(se == 0)
    evpi, se = evpi_estimate(-invest)
    assert np.all(evpi == 0) and np.all(se == 0)


def test_evpi_is_the_defining_formula():
    nb = np.random.default_rng(2).normal(0.3, 2.0, size=(500, 4))
    evpi, _ = evpi_estimate(nb)
    np.testing.assert_allclose(evpi, np.maximum(nb, 0).mean(axis=0) - np.maximum(nb.mean(axis=0), 0), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("mu, sigma", [(1.0, 2.0), (-0.5, 1.0), (0.0, 3.0), (4.0, 1.0)])
def test_evpi_of_a_normal_net_benefit(mu, sigma):
    """Within 4 Monte Carlo standard errors (which the estimator reports) of the analytic value."""
    nb = np.random.default_rng(3).normal(mu, sigma, 200_000)
    evpi, se = evpi_estimate(nb)
    assert abs(float(evpi) - normal_evpi(mu, sigma)) < 4 * float(se) + 1e-12
    assert float(se) < 0.01 * sigma


# --- EVPPI by regression ------------------------------------------------------------------


@pytest.mark.parametrize("mu, sd_theta, sd_noise", [(1.0, 2.0, 3.0), (-0.5, 1.0, 1.0), (0.3, 1.0, 0.2)])
def test_evppi_of_a_linear_input_is_the_normal_evpi_of_its_part(mu, sd_theta, sd_noise):
    """NB = θ + ε, θ ~ N(μ, σθ²), ε independent: E[NB | θ] = θ, so EVPPI(θ) = normal_evpi(μ, σθ);
    an input unrelated to NB is worth (nearly) nothing."""
    rng = np.random.default_rng(4)
    theta = rng.normal(mu, sd_theta, 20_000)
    nb = theta + rng.normal(0, sd_noise, theta.size)
    fit = evppi_estimate(theta, nb)
    assert float(fit.evppi[0]) == pytest.approx(normal_evpi(mu, sd_theta), rel=0.05)
    unrelated = evppi_estimate(rng.normal(size=theta.size), nb)
    assert float(unrelated.evppi[0]) < 0.02 * normal_evpi(mu, np.hypot(sd_theta, sd_noise))


def test_evppi_of_a_nonlinear_input():
    """NB = θ² − 0.3 + ε, θ ~ U(0, 1): EVPPI = ∫ max(t² − c, 0) dt − (1/3 − c)."""
    c = 0.3
    rng = np.random.default_rng(5)
    theta = rng.random(20_000)
    fit = evppi_estimate(theta, theta**2 - c + rng.normal(0, 0.3, theta.size))
    exact = (1 - c**1.5) / 3 - c * (1 - np.sqrt(c)) - (1 / 3 - c)
    assert float(fit.evppi[0]) == pytest.approx(exact, rel=0.05)
    explained = 1 / 5 - 1 / 9  # var(θ²)
    assert fit.r2[0] == pytest.approx(explained / (explained + 0.3**2), abs=0.02)


@pytest.mark.parametrize("inputs", [2, 3])
def test_evppi_of_a_group_of_inputs(inputs):
    rng = np.random.default_rng(6)
    sds = np.array([1.0, 0.5, 1.0])[:inputs]
    x = rng.normal(0, 1, (20_000, inputs)) * sds + np.array([0.2, 0.0, 0.0])[:inputs]
    nb = x.sum(axis=1) + rng.normal(0, 1, 20_000)
    fit = evppi_estimate(x, nb)
    assert float(fit.evppi[0]) == pytest.approx(normal_evpi(0.2, float(np.sqrt((sds**2).sum()))), rel=0.05)


def test_regression_basis_shapes():
    x = np.random.default_rng(7).random((100, 3))
    assert regression_basis(x[:, 0], 5).shape == (100, 5)  # constant + natural spline with 5 knots
    assert regression_basis(x[:, :2], 4).shape == (100, 16)  # tensor product
    assert regression_basis(x, 4).shape == (100, 1 + 3 * 3 + 3)  # additive + pairwise linear products
    assert regression_basis(np.ones(100), 5).shape == (100, 1)  # a constant input explains nothing


# --- on a run ------------------------------------------------------------------------------


def test_acceptability_at_36_is_the_summary_probability(run):
    acc = acceptability(run)
    summary = simsam.summarize(run)
    assert acc.acceptability.dims == ("actor", "month") and acc.month.values.tolist() == list(range(1, 61))
    for actor in run.actor.values.tolist():
        for m in (12, 36, 60):
            got, want = float(acc.acceptability.sel(actor=actor, month=m)), summary.loc[(actor, f"p_payback_{m}"), "mean"]
            # an actor without a share of the cost has nothing to pay back: no curve in either
            assert got == want or (math.isnan(got) and math.isnan(want) and summary.loc[(actor, "cost"), "no_cost"])
    curves = acc.acceptability.values[np.isfinite(acc.acceptability.values[:, 0])]
    assert np.all(np.diff(curves, axis=1) >= 0)


def test_decision_analysis_of_a_run(decision, run):
    soc = decision.sel(actor="society")
    assert decision.evppi.dims == ("input", "actor", "year")
    assert "outcomes.shares" in decision.input.values.tolist()  # a Dirichlet table is one group
    # Learning one input is worth at most learning them all (allowing for the metamodel's noise).
    assert np.all(soc.evppi.values <= soc.evpi.values[None, :] * 1.05 + 1.0)
    # The inputs' EVPI is below that of the draws as simulated, which adds cohort chance.
    assert np.all(soc.evpi.values <= soc.evpi_total.values + 1e-6)
    participants = run.attrs["participants"]
    np.testing.assert_allclose(decision.evpi_per_participant.values, decision.evpi.values / participants)
    np.testing.assert_allclose(decision.expected_net_benefit.values, run.net_benefit.mean("draw").transpose("actor", "year").values)


def test_value_of_information_uses_each_draws_expected_cohort(run, engine_config, decision):  # noqa: F811
    from simsam.engine.evaluate import evaluate
    from simsam.engine.sampling import ParameterSpace

    space = ParameterSpace.from_config(engine_config)
    nb = evaluate(engine_config, space, run.inputs.values, run.draw.values, 7, engine="expected").net_benefit
    evpi, _ = evpi_estimate(nb)
    np.testing.assert_allclose(decision.evpi.values, evpi, rtol=1e-12)


def test_expected_cohort_config_has_one_evpi(tmp_path):
    cfg = simsam.load_config(DATA / "engine.toml")
    from simsam.config import override

    expected = override(cfg, {"simulation": {"cohort": "expected"}})
    dec = decision_analysis(simsam.simulate(expected, draws=300, seed=1), expected, evppi=[])
    np.testing.assert_array_equal(dec.evpi.values, dec.evpi_total.values)
    assert dec.sizes["input"] == 0


def test_results_file_gives_the_same_analysis(run, decision, tmp_path):
    write_run(run, tmp_path / "run")
    again = decision_analysis(simsam.results.read_results(tmp_path / "run"))  # config rebuilt from the file
    xr.testing.assert_allclose(again.drop_vars("input_members"), decision.drop_vars("input_members"))


# --- the command ---------------------------------------------------------------------------


def test_decision_command(tmp_path, capsys):
    out = tmp_path / "dec"
    argv = [
        "decision",
        str(DATA / "engine.toml"),
        "--draws",
        "400",
        "--seed",
        "2",
        "--evppi",
        "outcomes.shares",
        "--evppi",
        "economy.wage+project.cost",
        "--out",
        str(out),
        "--lang",
        "en",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "P(≤12)" in text and "EVPI, Mkr" in text and "economy.wage+project.cost" in text
    assert sorted(p.name for p in out.iterdir()) == ["acceptability.csv", "decision.nc", "evpi.csv", "evppi.csv"]
    with xr.open_dataset(out / "decision.nc", engine="h5netcdf") as ds:
        assert ds.input.values.tolist() == ["outcomes.shares", "economy.wage+project.cost"]
    assert (out / "evpi.csv").read_text().splitlines()[
        0
    ] == "actor,year,expected_net_benefit,p_net_benefit_positive,evpi,evpi_mcse,evpi_per_participant,evpi_total"


def test_decision_command_on_a_results_folder(tmp_path, capsys):
    assert main(["run", str(DATA / "hand.toml"), "--draws", "5", "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert main(["decision", str(tmp_path / "run"), "--quiet"]) == 0
    assert (tmp_path / "run" / "decision" / "decision.nc").exists()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--evppi", "economy.wag"], "error: --evppi: unknown uncertain input 'economy.wag' (did you mean 'economy.wage'?)\n"),
        (["--year", "6"], "error: --year: must be at most the horizon's 5 years, not 6\n"),
        (["--no-evppi", "--evppi", "economy.wage"], "error: --no-evppi: contradicts --evppi\n"),
    ],
)
def test_decision_bad_input(tmp_path, capsys, options, message):
    assert main(["decision", str(DATA / "engine.toml"), "--draws", "20", "--out", str(tmp_path / "out"), *options]) == 2
    assert capsys.readouterr().err == message
    assert not (tmp_path / "out").exists()


def test_decision_on_a_missing_results_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["decision", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.startswith("error: no results file")

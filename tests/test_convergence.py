"""``simsam run --until-se``: batches until the headline probabilities are precise enough."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import simsam
from simsam.analysis.convergence import headline_se, run_until_se
from simsam.cli import main
from simsam.results import read_results

from .helpers import DATA


def test_result_is_identical_to_a_plain_run_of_that_many_draws(engine_config):  # noqa: F811
    seen = []
    ds, conv = run_until_se(engine_config, 0.02, seed=3, batch=200, progress=seen.append)
    assert conv.reached and conv.max_se <= 0.02 and conv.draws == ds.sizes["draw"]
    assert len(conv.batches) > 1 and conv.batches[-1] == conv.draws and [s.draws for s in seen] == list(conv.batches)
    xr.testing.assert_identical(ds, simsam.simulate(engine_config, draws=conv.draws, seed=3))
    se, months = headline_se(ds.payback_months.values, 60)
    assert months == [12, 36, 60] and se.shape == (8, 3) and se.max() <= 0.02
    # One batch fewer would not have done: the run stopped at the first batch that converged.
    assert headline_se(ds.payback_months.values[: conv.batches[-2]], 60)[0].max() > 0.02


def test_max_draws_stops_an_unconverged_run(engine_config):  # noqa: F811
    ds, conv = run_until_se(engine_config, 0.001, seed=1, batch=300, max_draws=700)
    assert not conv.reached and conv.draws == 700 == ds.sizes["draw"] and conv.batches == (300, 600, 700)
    assert conv.text().startswith("stopped at --max-draws 700: MC s.e. of")


def test_a_certain_probability_does_not_stop_the_first_batch():
    """hand.toml pays back for sure: p̃ = (n + 1)/(n + 2) keeps a positive standard error."""
    cfg = simsam.load_config(DATA / "hand.toml")
    ds, conv = run_until_se(cfg, 0.05, batch=5)
    assert conv.reached and conv.draws > 5


def test_cli_until_se(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(DATA / "engine.toml"), "--until-se", "0.03", "--draws", "250", "--seed", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "converged after" in text and "every headline probability has MC s.e. ≤ 0.03" in text
    ds = read_results(out)
    plain = simsam.simulate(simsam.load_config(DATA / "engine.toml"), draws=ds.sizes["draw"], seed=4)
    np.testing.assert_array_equal(ds.payback_months.values, plain.payback_months.values)
    np.testing.assert_array_equal(ds.inputs.values, plain.inputs.values)
    assert ds.attrs["draws"] == ds.sizes["draw"] and ds.attrs["until_se"] == 0.03 and ds.attrs["converged"] == 1


@pytest.mark.parametrize(
    "options, message",
    [
        (["--max-draws", "100"], "error: --max-draws: only applies with --until-se\n"),
        (["--until-se", "0.7"], "error: --until-se: must be a standard error between 0 and 0.5, not 0.7\n"),
        (
            ["--until-se", "0.01", "--draws", "500", "--max-draws", "100"],
            "error: --draws: the batch size 500 is more than --max-draws 100\n",
        ),
        (["--until-se", "x"], "error: --until-se: must be a number, not 'x'\n"),
        (["--until-se", "nan"], "error: --until-se: must be a finite number, not 'nan'\n"),
    ],
)
def test_cli_bad_options(tmp_path, capsys, options, message):
    assert main(["run", str(DATA / "hand.toml"), "--out", str(tmp_path / "out"), *options]) == 2
    assert capsys.readouterr().err == message
    assert not (tmp_path / "out").exists()

"""Break-even and switching values (``simsam breakeven``)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import simsam
from simsam.analysis.breakeven import breakeven, input_setter, switching_value
from simsam.cli import main

from .helpers import DATA

# tests/data/hand.toml, society: a participant-month in work is worth 10 300 kr (production
# 20 000 · 0.5 · 1.3 · (1 − 0.4) = 7 800 plus resources avoided 0.5 · (2 · 1 000 + 5 · 400) · 1.25 =
# 2 500), in `improved` 0 kr (the activity support is a transfer); 10 participants; the project
# costs 1e6 · 1.25. Expected cohort, no transitions: payback ≤ 36 iff 36 · 10 · share · 10 300 ≥ 1.25e6.
WORK_KR, N, COST = 10_300.0, 10, 1.25e6
SHARE_36 = COST / (36 * N * WORK_KR)  # 0.33711 (the config has 0.4: payback in month 31)


@pytest.fixture(scope="module")
def hand():
    return simsam.load_config(DATA / "hand.toml")


def test_switching_value_is_the_hand_computed_work_share(hand):
    value, base_payback = switching_value(hand, "outcomes.shares.work", 36)
    assert value == pytest.approx(SHARE_36, abs=1e-8)
    assert base_payback == math.ceil(COST / (N * 0.4 * WORK_KR)) == 31


def test_probabilistic_equals_deterministic_without_uncertainty(hand):
    r = breakeven(hand, "outcomes.shares.work", 36, 0.8, draws=20, seed=3)
    assert r.value == pytest.approx(SHARE_36, abs=1e-5)  # bisection to 1e-5 of the range [0, 1]
    assert r.switching_value == pytest.approx(SHARE_36, abs=1e-8)
    assert r.direction == "increasing" and (r.p_low, r.p_high, r.p_run, r.p_at_value) == (0.0, 1.0, 1.0, 1.0)
    assert r.mcse == 0 and r.ci_low == r.ci_high == r.value
    assert r.base_value == 0.4 and r.switching_change == pytest.approx(SHARE_36 / 0.4 - 1)
    assert r.message == "" and r.nonmonotone_draws == 0


def test_a_cost_break_even_falls_with_the_cost(hand):
    """Payback ≤ 36 at share 0.4 iff 1.25 · cost ≤ 36 · 10 · 0.4 · 10 300: cost ≤ 1 186 560 kr."""
    r = breakeven(hand, "project.cost", 36, 0.5, draws=5)
    limit = 36 * N * 0.4 * WORK_KR / 1.25
    assert r.direction == "decreasing" and (r.low, r.high) == (0.0, 2e6)  # fixed input: [0, 2 × value]
    assert r.value == pytest.approx(limit, rel=1e-5) and r.switching_value == pytest.approx(limit, rel=1e-9)


def test_not_bracketed_says_so(hand, capsys, tmp_path):
    """Payback within 12 months would need a work share of 1.01: not possible."""
    r = breakeven(hand, "outcomes.shares.work", 12, 0.8, draws=5)
    assert math.isnan(r.value) and math.isnan(r.switching_value)
    assert r.message.startswith("P(payback ≤ 12) for society stays between 0.000 and 0.000 for outcomes.shares.work in [0, 1], below 0.8")
    assert "deterministic payback (expected cohort, other inputs at medians) does not cross 12 months" in r.message
    out = tmp_path / "be"
    assert (
        main(
            [
                "breakeven",
                str(DATA / "hand.toml"),
                "--param",
                "outcomes.shares.work",
                "--month",
                "12",
                "--prob",
                "0.8",
                "--draws",
                "5",
                "--out",
                str(out),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    assert "No value: P(payback ≤ 12)" in capsys.readouterr().out
    assert json.loads((out / "breakeven.json").read_text())["value"] is None


def test_dirichlet_item_rescales_the_others(engine_config):  # noqa: F811
    setter = input_setter(engine_config, "outcomes.shares.work")
    values = setter.space.sample(1, np.arange(50))
    cols = list(setter.group)
    before = values[:, cols]
    after = setter.set(values, 0.6)[:, cols]
    np.testing.assert_allclose(after.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(after[:, 0] == 0.6)
    np.testing.assert_allclose(after[:, 1] / after[:, 2], before[:, 1] / before[:, 2], rtol=1e-12)
    others = [j for j in range(values.shape[1]) if j not in cols]
    np.testing.assert_array_equal(setter.set(values, 0.6)[:, others], values[:, others])


def test_monte_carlo_error_is_honest(engine_config):  # noqa: F811
    """Two independent seeds agree within their stated errors; the probability measured at the
    break-even value is the target (each draw responds monotonically on this config)."""
    a = breakeven(engine_config, "outcomes.states.work.employment_rate", 36, 0.7, actor="region", draws=800, seed=1)
    b = breakeven(engine_config, "outcomes.states.work.employment_rate", 36, 0.7, actor="region", draws=800, seed=2)
    for r in (a, b):
        assert r.direction == "increasing" and 0 < r.mcse < 0.05
        assert r.ci_low < r.value < r.ci_high
        assert abs(r.p_at_value - 0.7) <= 1 / 800 + 1e-12
        curve = r.curve()
        assert np.all(np.diff(curve.values) >= 0) and curve.values[0] == r.p_low and curve.values[-1] == r.p_high
    assert abs(a.value - b.value) < 4 * math.hypot(a.mcse, b.mcse)


def test_cli_writes_json_csv_netcdf(tmp_path, capsys):
    out = tmp_path / "be"
    argv = [
        "breakeven",
        str(DATA / "hand.toml"),
        "--param",
        "outcomes.shares.work",
        "--month",
        "36",
        "--prob",
        "0.8",
        "--draws",
        "4",
        "--out",
        str(out),
        "--lang",
        "en",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Break-even value: 33.7%" in text and "Deterministic switching value (expected cohort, other inputs at medians): 33.7%" in text
    row = json.loads((out / "breakeven.json").read_text())
    assert row["switching_value"] == pytest.approx(SHARE_36, abs=1e-8) and row["parameter"] == "outcomes.shares.work"
    assert (
        (out / "breakeven.csv").read_text().splitlines()[0].startswith("parameter,actor,month,probability,base_value,low,high,value,mcse")
    )
    import xarray as xr

    with xr.open_dataset(out / "breakeven.nc", engine="h5netcdf") as ds:
        assert ds.sizes["draw"] == 4 and ds.sizes["value"] == 101


@pytest.mark.parametrize(
    "options, message",
    [
        (["--param", "outcomes.shares.wrk"], "--param: unknown input 'outcomes.shares.wrk' (did you mean 'outcomes.shares.work'?)"),
        (["--param", "outcomes.shares"], "--param: outcomes.shares is a table of shares: name one of its items, e.g. outcomes.shares.work"),
        (["--param", "project.cost", "--range", "-5", "10"], "--range: not a valid range for project.cost"),
        (
            ["--param", "outcomes.shares.work", "--range", "0.2", "1.5"],
            "--range: outcomes.shares.work is a share: the range must lie within [0, 1], not [0.2, 1.5]",
        ),
        (["--param", "outcomes.shares.work", "--range", "0.5", "0.2"], "--range: LOW must be below HIGH, not 0.5 and 0.2"),
        (["--param", "outcomes.shares.work", "--prob", "1.5"], "--prob: 1.5 is above 1: give the probability as a share between 0 and 1 "
         "(0.015 for 1.5 %)"),
        (["--param", "outcomes.shares.work", "--month", "61"], "--month: must be between 1 and the horizon (60), not 61"),
        (["--param", "outcomes.shares.work", "--actor", "Kommun"], "--actor: unknown actor 'Kommun' (did you mean 'kommun'?)"),
    ],
)
def test_bad_input_is_exit_2_one_line_no_folder(tmp_path, capsys, options, message):
    base = {"--month": "36", "--prob": "0.8"}
    argv = ["breakeven", str(DATA / "hand.toml"), "--draws", "3", "--out", str(tmp_path / "out")]
    for k, v in base.items():
        if k not in options:
            argv += [k, v]
    assert main(argv + options) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()

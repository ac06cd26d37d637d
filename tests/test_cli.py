"""``simsam run`` and ``simsam validate`` on good input."""

from __future__ import annotations

import json

import numpy as np

import simsam
from simsam.cli import main
from simsam.results import read_results

from .helpers import DATA


def test_run_writes_results_and_prints_table(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(DATA / "engine.toml"), "--draws", "400", "--seed", "5", "--out", str(out), "--threads", "1", "--chunk-draws", "150"])
    assert code == 0
    text = capsys.readouterr().out
    assert "Society: payback within 60 months with probability" in text
    assert "Arbetsförmedlingen" in text and "P(≤36)" in text
    ds = read_results(out)
    assert ds.sizes["draw"] == 400 and ds.attrs["seed"] == 5
    same = simsam.simulate(simsam.load_config(DATA / "engine.toml"), draws=400, seed=5)
    np.testing.assert_array_equal(ds.net_benefit.values, same.net_benefit.values)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["actors"]["kommun"]["label"] == "Kommun"
    csv = (out / "summary.csv").read_text().splitlines()
    assert csv[0] == "actor,metric,mean,mcse,median,median_mcse,p05,p05_mcse,p95,p95_mcse"


def test_run_default_out_is_results_stem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(DATA / "hand.toml"), "--draws", "3", "--quiet"]) == 0
    assert (tmp_path / "results" / "hand" / "results.nc").exists()


def test_validate(capsys):
    assert main(["validate", str(DATA / "engine.toml")]) == 0
    assert capsys.readouterr().out.startswith("ok: engine: 7 actors, 3 outcome states, 81 participants")

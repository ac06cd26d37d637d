"""Experiment files (``simsam experiment``): every analysis into one folder, with a manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.cli import main
from simsam.results import read_results
from simsam.workflows.experiment import load_experiment

from .helpers import DATA

ROOT = Path(__file__).parents[1]

CONFIG = """
extends = "{engine}"
[scenarios.cheap.project]
cost = {{ dist = "pert", min = 5.0e6, mode = 5.5e6, max = 6.5e6 }}
"""

EXPERIMENT = """
name = "small"
description = "every kind of analysis, small"
config = "cfg/scen.toml"
seed = 5
draws = 200

[[analysis]]
kind = "run"

[[analysis]]
kind = "decision"
evppi = ["outcomes.shares", "economy.wage"]

[[analysis]]
kind = "compare"

[[analysis]]
kind = "breakeven"
param = "outcomes.shares.work"
month = 36
prob = 0.5
draws = 50
"""

SENSITIVITY = """
[[analysis]]
kind = "sensitivity"
method = "tornado"
"""


@pytest.fixture
def experiment(tmp_path):
    def make(text=EXPERIMENT, extra=""):
        (tmp_path / "cfg").mkdir(exist_ok=True)
        (tmp_path / "cfg" / "scen.toml").write_text(CONFIG.format(engine=(DATA / "engine.toml").as_posix()), encoding="utf-8")
        path = tmp_path / "exp.toml"
        path.write_text(text + extra, encoding="utf-8")
        return path

    return make


def test_experiment_runs_everything_into_one_folder(experiment, tmp_path, capsys):
    path = experiment(extra=SENSITIVITY)
    out = tmp_path / "out"
    assert main(["experiment", str(path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "[1/" in text and "society: payback within 60 months" in text and f"wrote {out}/manifest.json" in text
    manifest = json.loads((out / "manifest.json").read_text())
    names = ["run", "decision", "compare", "breakeven-outcomes.shares.work-society-36", "sensitivity-tornado"]
    assert [a["name"] for a in manifest["analyses"]] == names
    # Reproducibility: hashes, seed, versions, timings, outputs.
    cfg_file = tmp_path / "cfg" / "scen.toml"
    assert manifest["config"]["sha256"] == hashlib.sha256(cfg_file.read_bytes()).hexdigest()
    assert [f["path"] for f in manifest["config"]["files"]] == ["scen.toml", str(Path(_rel(DATA / "engine.toml", cfg_file.parent)))]
    assert manifest["experiment"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["seed"] == 5 and manifest["draws"] == 200
    assert {"simsam", "numpy", "numba", "scipy", "xarray"} <= set(manifest["versions"])
    assert all(a["seconds"] >= 0 for a in manifest["analyses"])
    for f in manifest["outputs"]:
        assert (out / f).is_file(), f
    assert (out / "experiment.toml").read_text() == path.read_text()
    # The run is the plain run of that config, seed and draws.
    ds = read_results(out / "run")
    plain = simsam.simulate(simsam.load_config(cfg_file), draws=200, seed=5)
    np.testing.assert_array_equal(ds.net_benefit.values, plain.net_benefit.values)
    assert manifest["analyses"][3]["draws"] == 50 and manifest["analyses"][3]["outputs"][0].endswith("breakeven.json")


def _rel(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target.resolve(), start.resolve())


@pytest.mark.parametrize(
    "edit, message",
    [
        (('kind = "decision"', 'kind = "decisions"'), "error: analysis[1].kind: unknown value 'decisions' (did you mean 'decision'?)\n"),
        (
            ('param = "outcomes.shares.work"', 'param = "outcomes.shares.wrk"'),
            "error: analysis[3].param: unknown input 'outcomes.shares.wrk' (did you mean 'outcomes.shares.work'?)\n",
        ),
        (("month = 36", "month = 99"), "error: analysis[3].month: must be between 1 and the horizon (60), not 99\n"),
        (
            ('evppi = ["outcomes.shares", "economy.wage"]', 'evppi = ["economy.wag"]'),
            "error: analysis[1].evppi: unknown uncertain input 'economy.wag' (did you mean 'economy.wage'?)\n",
        ),
        (
            ('kind = "compare"', 'kind = "compare"\nscenarios = ["cheep"]'),
            "error: analysis[2].scenarios: unknown scenario 'cheep' (did you mean 'cheap'?)\n",
        ),
        (('kind = "run"', 'kind = "run"\nuntil = 0.1'), "error: analysis[0].until: unknown key 'until' (did you mean 'until_se'?)\n"),
        (('config = "cfg/scen.toml"', 'config = "cfg/none.toml"'), None),
        (("draws = 200", "draws = 0"), "error: draws: must be at least 1, not 0\n"),
        (("seed = 5", "seed = 5\nsed = 1"), "error: sed: unknown key 'sed' (did you mean 'seed'?)\n"),
    ],
)
def test_bad_experiment_is_exit_2_one_line_nothing_run(experiment, tmp_path, capsys, edit, message):
    text = EXPERIMENT
    assert text.count(edit[0]) == 1
    path = experiment(text.replace(*edit))
    assert main(["experiment", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    if message is None:
        assert err.startswith("error: config: file '") and "none.toml' not found" in err
    else:
        assert err == message
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_bad_sensitivity_options_are_caught_before_running(experiment, tmp_path, capsys):
    path = experiment(extra=SENSITIVITY.replace('"tornado"', '"sobel"'))
    assert main(["experiment", str(path), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == "error: analysis[4].method: unknown method 'sobel' (did you mean 'sobol'?)\n"


def test_shipped_experiment_reproduces_the_full_analysis():
    exp = load_experiment(ROOT / "experiments" / "samverkansteamet.toml")
    assert exp.config.name == "Samverkansteamet" and exp.seed == 1 and exp.draws == 10_000
    kinds = [a.kind for a in exp.analyses]
    assert kinds[:3] == ["run", "decision", "compare"] and "breakeven" in kinds
    assert [v.name for v in exp.analyses[2].extra["variants"]] == ["base", "arbete_plus10", "lonebidrag_30", "inga_overgangar"]
    assert {a.options["method"] for a in exp.analyses if a.kind == "sensitivity"} == {"tornado", "prcc", "sobol"}
    by_grade = [a for a in exp.analyses if a.kind == "sensitivity" and a.options.get("by") == "evidence"]
    assert len(by_grade) == 1 and by_grade[0].options["over_time"] is True

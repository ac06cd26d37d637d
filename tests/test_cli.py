"""``simsam run`` and ``simsam validate`` on good input."""

from __future__ import annotations

import json

import numpy as np

import simsam
from simsam.cli import main
from simsam.results import read_results

from .helpers import CONFIGS, DATA


def test_run_writes_results_and_prints_table(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["run", str(DATA / "engine.toml"), "--draws", "400", "--seed", "5", "--out", str(out), "--threads", "1", "--chunk-draws", "150"]
    )
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


def test_run_summary_files_match_summarize(tmp_path):
    """summary.csv (written without pandas) and summary.json hold summarize()'s numbers."""
    import pandas as pd

    out = tmp_path / "out"
    assert main(["run", str(DATA / "engine.toml"), "--draws", "300", "--seed", "2", "--out", str(out), "--quiet"]) == 0
    want = simsam.summarize(read_results(out))
    got = pd.read_csv(out / "summary.csv", index_col=[0, 1])
    assert got.index.equals(want.index) and list(got.columns) == list(want.columns)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=5e-6, atol=1e-300, equal_nan=True)
    facts = json.loads((out / "summary.json").read_text())
    assert facts["actors"]["society"]["metrics"]["cost"]["median"] == want.loc[("society", "cost"), "median"]


def test_run_imports_no_heavy_libraries(tmp_path):
    """`simsam run` stays light: no xarray, pandas, dask, openpyxl or scipy.stats (each costs start-up time;
    scipy.stats only comes with a truncated normal, which engine.toml has and the shipped configs do not)."""
    import subprocess
    import sys

    code = (
        "import sys; from simsam.cli import main; "
        f"assert main(['run', {str(CONFIGS / 'samverkansteamet.toml')!r}, '--draws', '50', '--out', {str(tmp_path / 'o')!r}]) == 0; "
        "print(sorted(m for m in ('xarray', 'pandas', 'dask', 'openpyxl', 'scipy.stats') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_run_default_out_is_results_stem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(DATA / "hand.toml"), "--draws", "3", "--quiet"]) == 0
    assert (tmp_path / "results" / "hand" / "results.nc").exists()


def test_validate_prints_one_line_with_the_counts(capsys):
    """engine.toml by hand: 9 uncertain scalars (uplift, wage, social assistance, project cost, work's employment
    rate, subsidy and primary-care change, improved's activity support, improved → work) and 3 Dirichlet shares."""
    assert main(["validate", str(DATA / "engine.toml")]) == 0
    assert capsys.readouterr().out == "ok: engine: 7 actors, 3 outcome states, 81 participants, 12 uncertain inputs\n"


def test_results_file_summary_is_the_dataset_summary(tmp_path, monkeypatch):
    """The run's summaries come from results.nc through ResultsFile, read whole or
    (large files) an actor's column at a time: the same numbers as summarize()."""
    from simsam.analysis.summary import summary_of
    from simsam.results import ResultsFile

    out = tmp_path / "out"
    assert main(["run", str(DATA / "engine.toml"), "--draws", "200", "--seed", "3", "--out", str(out), "--quiet"]) == 0
    want = simsam.summarize(read_results(out))
    for whole_bytes in (ResultsFile.WHOLE_BYTES, 0):
        monkeypatch.setattr(ResultsFile, "WHOLE_BYTES", whole_bytes)
        with ResultsFile(out / "results.nc") as results:
            assert summary_of(results).frame().equals(want)

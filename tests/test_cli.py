"""``simsam run`` and ``simsam validate`` on good input."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import numpy as np
import pytest

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
    # Swedish by default: headers, actor names and "Samhället" agree; cost and the 1-year net benefit beside the rest
    assert "Samhället: återbetald inom 60 månader med sannolikheten" in text
    head = text.splitlines()[2]
    for column in ("aktör", "kostnad, mkr", "intäkt år 1, mkr", "nettonytta 1 år, mkr", "nettonytta 5 år, mkr", "återbetalning, mån",
                   "P(≤36)"):
        assert column in head, column
    assert "Arbetsförmedlingen" in text and "Society" not in text and "e+" not in text
    rows = {line.split("  ")[0]: line for line in text.splitlines()}
    assert rows["Staten"].rstrip().endswith("—") and "Staten totalt" in rows  # stat bears no cost: nothing to pay back
    assert "— = bär ingen del av kostnaden" in text
    ds = read_results(out)
    assert ds.sizes["draw"] == 400 and ds.attrs["seed"] == 5
    same = simsam.simulate(simsam.load_config(DATA / "engine.toml"), draws=400, seed=5)
    np.testing.assert_array_equal(ds.net_benefit.values, same.net_benefit.values)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["actors"]["kommun"]["label"] == "Kommun"
    csv = (out / "summary.csv").read_text().splitlines()
    assert csv[0] == "actor,metric,mean,mcse,median,median_mcse,p05,p05_mcse,p95,p95_mcse,no_cost"
    # the employer bears no cost: nothing to pay back, flagged, and no "month 1 with probability 1"
    employer = [line.split(",") for line in csv if line.startswith("arbetsgivare,")]
    assert {row[-1] for row in employer} == {"1"}
    assert all(row[2:-1] == [""] * 8 for row in employer if row[1].startswith("p_payback") or row[1] == "payback_months")
    assert summary["actors"]["arbetsgivare"]["no_cost"] is True and summary["actors"]["kommun"]["no_cost"] is False
    assert summary["actors"]["arbetsgivare"]["headline"] == "bears no share of the cost: nothing to pay back"


def test_run_summary_files_match_summarize(tmp_path):
    """summary.csv (written without pandas) and summary.json hold summarize()'s numbers, summary.csv to the bit."""
    import pandas as pd

    out = tmp_path / "out"
    assert main(["run", str(DATA / "engine.toml"), "--draws", "300", "--seed", "2", "--out", str(out), "--quiet"]) == 0
    want = simsam.summarize(read_results(out))
    got = pd.read_csv(out / "summary.csv", index_col=[0, 1])
    assert got.index.equals(want.index) and list(got.columns) == list(want.columns)
    numbers = [c for c in want.columns if c != "no_cost"]
    np.testing.assert_array_equal(got[numbers].to_numpy(), want[numbers].to_numpy())  # full precision, not six digits
    assert (got["no_cost"].astype(bool) == want["no_cost"]).all()
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
    assert capsys.readouterr().out == "ok: config engine: 7 actors, 3 outcome states, 81 participants, 12 uncertain inputs\n"


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


def test_tables_in_the_configs_language_or_lang(tmp_path, capsys):
    """--lang en prints English; [meta] language = "en" makes English the default; --lang sv wins over it."""
    args = ["--draws", "100", "--seed", "5", "--threads", "1"]
    assert main(["run", str(DATA / "engine.toml"), "--out", str(tmp_path / "a"), "--lang", "en", *args]) == 0
    text = capsys.readouterr().out
    assert "Society: payback within 60 months with probability" in text and "State total" in text and "Samhället" not in text
    english = (DATA / "engine.toml").read_text(encoding="utf-8") + '\n[meta]\nlanguage = "en"\n'
    (tmp_path / "en.toml").write_text(english, encoding="utf-8")
    assert main(["run", str(tmp_path / "en.toml"), "--out", str(tmp_path / "b"), *args]) == 0
    assert "Society: payback within" in capsys.readouterr().out
    assert main(["run", str(tmp_path / "en.toml"), "--out", str(tmp_path / "c"), "--lang", "sv", *args]) == 0
    assert "Samhället: återbetald" in capsys.readouterr().out
    (tmp_path / "de.toml").write_text(english.replace('language = "en"', 'language = "de"'), encoding="utf-8")
    assert main(["validate", str(tmp_path / "de.toml")]) == 2
    assert capsys.readouterr().err == "error: meta.language: unknown value 'de'; expected one of: sv, en\n"


def test_validate_says_what_kind_of_file_it_is(capsys):
    root = Path(__file__).parents[1]
    assert main(["validate", str(root / "experiments" / "samverkansteamet.toml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: experiment samverkansteamet: config Samverkansteamet, seed 1, 10000 draws, 11 analyses: run, decision, "
                          "compare")
    assert main(["validate", str(root / "experiments" / "portfolio_seeds.toml")]) == 0
    assert capsys.readouterr().out.startswith("ok: portfolio ")
    assert main(["validate", str(CONFIGS / "spaaret.toml")]) == 0
    assert capsys.readouterr().out.startswith("ok: config ")


def test_validate_an_experiment_with_a_mistake_names_it(tmp_path, capsys):
    root = Path(__file__).parents[1]
    text = (root / "experiments" / "samverkansteamet.toml").read_text(encoding="utf-8").replace("prob = 0.8", "prob = 80", 1)
    text = text.replace('config = "../configs/', f'config = "{root / "configs"}/')
    (tmp_path / "exp.toml").write_text(text, encoding="utf-8")
    assert main(["validate", str(tmp_path / "exp.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: analysis[3].prob") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["breakeven", "C", "--param", "project.cost", "--month", "36", "--prob", "80"],
         "--prob: 80 is above 1: give the probability as a share between 0 and 1 (0.8 for 80 %)"),
        (["breakeven", "C", "--param", "project.cost", "--month", "36", "--prob", "-0.1"],
         "--prob: must be a probability between 0 and 1, not -0.1"),
        (["sensitivity", "C", "--method", "tornado", "--high", "95"],
         "--high: 95 is above 1: give the probability as a share between 0 and 1 (0.95 for 95 %)"),
    ],
)
def test_probabilities_are_shares_everywhere(argv, message, capsys):
    argv = [str(CONFIGS / "samverkansteamet.toml") if a == "C" else a for a in argv]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == f"error: {message}"


def test_compare_takes_several_scenarios_after_one_option(tmp_path, capsys):
    """`--scenario A B` as the README writes it, and repeated `--scenario A --scenario B`, compare the same scenarios."""
    import xarray as xr

    config = str(CONFIGS / "samverkansteamet.toml")
    common = ["--draws", "60", "--seed", "3", "--threads", "1", "--quiet"]
    assert main(["compare", config, "--scenario", "arbete_plus10", "lonebidrag_30", "--out", str(tmp_path / "a"), *common]) == 0
    assert main(["compare", config, "--scenario", "arbete_plus10", "--scenario", "lonebidrag_30", "--out", str(tmp_path / "b"),
                 *common]) == 0
    a, b = (xr.open_dataset(tmp_path / x / "compare.nc") for x in "ab")
    assert a["contrast"].values.tolist() == b["contrast"].values.tolist() == ["arbete_plus10", "lonebidrag_30"]


def test_run_inputs_seed_leaves_the_inputs_out_and_reads_them_back(tmp_path, capsys):
    """``simsam run --inputs seed``: the same summary as a stored run, no inputs in the file, the same Dataset read back;
    an unknown value is exit 2 naming --inputs."""
    import h5py

    args = ["run", str(DATA / "engine.toml"), "--draws", "300", "--seed", "4", "--threads", "1", "--chunk-draws", "128", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "seed"), "--inputs", "seed"]) == 0
    assert main(args + ["--out", str(tmp_path / "stored")]) == 0
    assert (tmp_path / "seed" / "summary.csv").read_text() == (tmp_path / "stored" / "summary.csv").read_text()
    with h5py.File(tmp_path / "seed" / "results.nc") as f:
        assert "inputs" not in f
    a, b = read_results(tmp_path / "seed"), read_results(tmp_path / "stored")
    assert a.identical(b)
    assert main(args + ["--out", str(tmp_path / "bad"), "--inputs", "none"]) == 2
    assert "--inputs" in capsys.readouterr().err and not (tmp_path / "bad").exists()


def test_the_command_line_starts_a_run_without_the_garbage_collector(tmp_path, monkeypatch):
    """As the process's command line (argv None), main() starts a run with the cyclic collector off, turns it back
    on once the first chunk is written, and freezes what is left at the end; a caller passing argv keeps its own
    setting and nothing is frozen."""
    import simsam.cli.run as cli_run

    step, seen = cli_run._collecting_after_first, []

    def watched(progress):
        inner = step(progress)

        def record(n):
            seen.append(gc.isenabled())
            inner(n)

        return record

    monkeypatch.setattr(cli_run, "_collecting_after_first", watched)
    argv = ["run", str(DATA / "engine.toml"), "--draws", "300", "--chunk-draws", "100", "--quiet"]
    gc.unfreeze()
    monkeypatch.setattr("sys.argv", ["simsam", *argv, "--out", str(tmp_path / "a")])
    try:
        assert main() == 0
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process's objects, collectable again
    assert seen == [False, True, True]  # off until the first chunk is written, then on
    seen.clear()
    gc.disable()
    try:
        assert main([*argv, "--out", str(tmp_path / "b")]) == 0
        assert not gc.isenabled() and gc.get_freeze_count() == 0  # the caller's setting, kept; nothing frozen
    finally:
        gc.enable()
    assert seen == [False, False, False]  # the caller's "off", left alone
    assert main(["validate", str(DATA / "engine.toml")]) == 0 and gc.isenabled() and gc.get_freeze_count() == 0

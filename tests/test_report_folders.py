"""``simsam report DIR`` on an experiment folder and on configs whose words must follow their settings.

Every analysis in the folder is in the report, with a table of contents and the
manifest; timing, cost schedules, SEEKAMU, the counterfactual adjustments,
correlations and groups are said as the config sets them; one-draw and
few-draw runs say what they cannot say. Numbers are checked against the files
the analyses wrote (compare.csv, breakeven.json, decision.nc, manifest.json).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import simsam
from simsam.cli import main
from simsam.report import figures as F
from simsam.report.formatting import Formatter
from simsam.report.html import build_report
from simsam.workflows.run_folder import write_run

from .helpers import CONFIGS, DATA
from .test_report import parse, text_of

DPI = 40


@pytest.fixture(scope="module")
def experiment_report(experiment_folder):
    return build_report(experiment_folder, lang="sv", dpi=DPI)


def test_every_analysis_of_the_experiment_is_in_the_report(experiment_folder, experiment_report):
    html = experiment_report.read_text(encoding="utf-8")
    links = re.findall(r'<a href="#([^"]+)">', html)
    assert links == ["sammanfattning", "las-rapporten", "aktorer", "kostnadsdelning", "scenarier", "brytpunkter", "beslut", "kanslighet",
                     "antaganden", "om-berakningen"]
    assert all(f'<section id="{link}">' in html for link in links)
    text = text_of(experiment_report)
    for heading in ("Scenarier", "Brytpunkter", "Beslutsunderlag och värdet av bättre kunskap", "Envägsanalys (tornado)",
                    "Partiella rangkorrelationer (PRCC)", "Sobolindex", "Om beräkningen", "Vem ska betala vad?",
                    "Sobolindex per evidensgrad", "Vad osäkerheten i nettonyttan beror på, år för år"):
        assert heading in text, heading
    figures = {p.stem for p in (experiment_folder / "figures" / "sv").glob("*.png")}
    assert {"compare_compare", "decision_decision", "sensitivity_tornado", "sensitivity_prcc", "sensitivity_sobol"} <= figures
    assert len(parse(experiment_report).images) == len(figures)


def test_scenario_tables_are_compare_csv(experiment_folder, experiment_report):
    table = pd.read_csv(experiment_folder / "compare" / "compare.csv")
    tables = parse(experiment_report).tables
    f = Formatter("sv")
    for contrast, label in (("arbete_plus10", "Arbete +10 procentenheter"), ("lonebidrag_30", "Lönebidrag 30 %")):
        rows = tables[f"compare-{contrast}"]
        soc = table[(table.contrast == contrast) & (table.actor == "society") & (table.metric == "net_benefit_5y")].iloc[0]
        median = f.mkr(soc["median"])
        assert rows["society"][1].startswith(("+" if not median.startswith("\u2212") else "") + median)
        assert rows["society"][2] == f.prob(soc["p_better"])
        assert label in text_of(experiment_report)
    # Lönebidrag 30 % changes nothing for the kommun: "oförändrad", not "P(higher) 0,00"
    assert tables["compare-lonebidrag_30"]["kommun"][1:3] == ["oförändrad", "–"]


def test_break_even_values_are_breakeven_json_with_units(experiment_folder, experiment_report):
    text = text_of(experiment_report)
    f = Formatter("sv")
    work = json.loads((experiment_folder / "breakeven-work-share" / "breakeven.json").read_text(encoding="utf-8"))
    cost = json.loads((experiment_folder / "breakeven-project-cost" / "breakeven.json").read_text(encoding="utf-8"))
    assert f"vara minst {f.pct(work['value'], 1)}" in text  # more work: more likely to pay back
    assert f"vara högst {f.mkr(cost['value'], 2)}" in text  # a dearer project: less likely
    rows = parse(experiment_report).tables["breakeven"]
    assert rows["breakeven-project-cost"][2].startswith(f.mkr(cost["value"], 2))


def test_decision_in_plain_words_is_decision_nc(experiment_folder, experiment_report):
    import xarray as xr

    with xr.open_dataset(experiment_folder / "decision" / "decision.nc") as dec:
        soc = dec.sel(actor="society", year=3).load()  # the experiment judges the decision after 3 years
    text = text_of(experiment_report)
    f = Formatter("sv")
    evpi = float(soc["evpi"])
    assert "bedömt på nettonyttan efter 3 år" in text
    assert f"i genomsnitt bli {f.significant(evpi, 3)} kr bättre" in text
    top = str(soc["input"].values[int(np.argmax(soc["evppi"].values))])
    from simsam.report.describe import config_of, parameter_label
    from simsam.results import read_results

    label = parameter_label(top, config_of(read_results(experiment_folder / "run", max_draws=1)), "sv")
    assert re.search(re.escape(label) + r" ?: " + re.escape(f"{f.significant(float(soc['evppi'].max()), 3)} kr"), text)


def test_the_manifest_is_in_the_report(experiment_folder, experiment_report):
    manifest = json.loads((experiment_folder / "manifest.json").read_text(encoding="utf-8"))
    rows = {r[0]: r[1] for r in parse(experiment_report).tables["manifest"].values()}
    assert rows["Konfigurationsfilens SHA-256"] == manifest["config"]["sha256"]
    assert rows["SHA-256 av den sammanslagna konfigurationen"] == manifest["config"]["resolved_sha256"]
    assert rows["Frö"] == "1" and rows["Dragningar"] == "400"
    assert f"numpy {manifest['versions']['numpy']}" in rows["Versioner"]
    if manifest.get("git"):
        assert rows["Git-commit"].startswith(manifest["git"]["commit"])
    analyses = parse(experiment_report).tables["analyses"]
    assert [r[0] for r in list(analyses.values())[1:]] == [a["name"] for a in manifest["analyses"]]


def test_english_report_of_the_experiment_keeps_the_swedish_figures(experiment_folder, experiment_report, tmp_path, capsys):
    before = {p.name: p.read_bytes() for p in (experiment_folder / "figures" / "sv").iterdir()}
    out = tmp_path / "board" / "rapport-en.html"
    assert main(["report", str(experiment_folder), "--lang", "en", "--out", str(out), "--quiet"]) == 0
    assert {p.name: p.read_bytes() for p in (experiment_folder / "figures" / "sv").iterdir()} == before
    assert (experiment_folder / "figures" / "en" / "compare_compare.png").exists()
    text = text_of(out)
    for heading in ("Scenarios", "Break-even values", "The decision and the value of better information", "How the numbers were made"):
        assert heading in text
    assert "Work" in text and "Scenarier" not in text
    # the config's assumptions in English, the Swedish ones in the Swedish report
    assert "Outcome counts were lost from the transcript" in text
    assert "Utfallsantalen saknas i den transkriberade rapporten" in text_of(experiment_report)
    assert "Outcome counts were lost" not in text_of(experiment_report)


# -- words true to the configuration --------------------------------------------------------------------
def _report(tmp_path, config, draws, lang="sv", seed=3):
    ds = simsam.simulate(simsam.load_config(config), draws=draws, seed=seed)
    folder = write_run(ds, tmp_path / f"run-{config.stem}-{draws}")
    return ds, build_report(folder, lang=lang, dpi=DPI)


@pytest.fixture(scope="module")
def timing_report(tmp_path_factory):
    return _report(tmp_path_factory.mktemp("timing"), DATA / "project_timing.toml", 300)


def test_project_timing_and_cost_schedule_in_words(timing_report):
    ds, report = timing_report
    text = text_of(report)
    assert "betalas en gång" not in text and "Kostnad (en gång" not in text and "engångspost" not in text
    assert "mot en kostnad på" in text and "som fördelas över 36 månader" in text
    assert "månaderna räknas från projektets start; deltagarna avslutar jämnt fördelat över de första 34 månaderna; " \
           "kostnaden fördelas jämnt över 36 månader" in text
    assert "Samhället får tillbaka kostnaden inom 60 månader från projektets start" in text
    assert "Vid projektets start (månad 0) är ingenting betalt och nettonyttan noll" in text
    # the figures say it too: months from the project's start, a curve from 0, the cost spread
    assert F.net_benefit_fan(ds).axes[0].get_xlabel().startswith("Månader från projektstart")
    assert F.fan_data(ds).sel(month=0).values.tolist() == [0.0] * 5
    labels = [t.get_text() for t in F.investment_view(ds).axes[0].get_xticklabels()]
    assert labels[0] == "Kostnad\n(över 36 mån)"


def test_counterfactual_correlations_and_groups_are_among_the_assumptions(timing_report):
    _, report = timing_report
    settings = {r[0]: r[1] for r in parse(report).tables["settings"].values()}
    assert settings["Dödvikt (deadweight)"].startswith("betafördelning med medelvärde 20 % och standardavvikelse 5 %")
    assert settings["Tillskrivning (attribution)"].startswith("80 % (fast värde)")
    assert settings["Undanträngning (displacement)"].startswith("likformig mellan 0 och 20 %")
    assert settings["Avtagande effekt (drop-off)"].startswith("10 % per år (fast värde)")
    assert settings["Optimismjustering av kostnaden (optimism bias)"].startswith("15 % (fast värde)")
    assert settings["Rangkorrelationer (Spearman)"] == ("”Arbete: tjänstgöringsgrad” och ”Arbete: lönebidrag (andel av "
                                                       "lönekostnaden)”: −0,40")
    assert settings["Deltagargrupper"].startswith("”Långvarigt sjukskrivna” 40 % av deltagarna (utfallsandelarna förskjutna på logitskalan")
    # the config's name and assumptions per language
    text = text_of(report)
    assert "Samverkansteamet, projektets tidslinje" in text and "Deltagarna avslutar insatsen jämnt fördelat" in text


def test_english_timing_report(tmp_path):
    _, report = _report(tmp_path, DATA / "project_timing.toml", 100, lang="en")
    text = text_of(report)
    assert "Samverkansteamet, on the project's timeline" in text and "Participants leave the project evenly" in text
    assert "against a cost of" in text and "spread over 36 months" in text and "paid once" not in text
    assert "Work +10 percentage points" not in text  # no comparison in this folder: no scenario section


def test_seekamu_is_named_as_such(tmp_path):
    _, report = _report(tmp_path, CONFIGS / "bas_trelleborg.toml", 200)
    text = text_of(report)
    assert "SEEKAMU-beräkning (utanförskapskostnad) med Monte Carlo-simulering" in text and "NyttoSam-beräkning" not in text
    settings = {r[0]: r[1] for r in parse(report).tables["settings"].values()}
    assert settings["Värderingsmetod"].startswith("SEEKAMU")
    assert "Med SEEKAMU ingår ersättningarna i utanförskapskostnaden" in text


def test_one_draw_run_claims_no_interval_and_no_monte_carlo_error(tmp_path):
    _, report = _report(tmp_path, CONFIGS / "samverkansteamet_point.toml", 1)
    text = text_of(report)
    assert "slumpfelet" not in text and "90 %-intervall" not in text and "sannolikheten" not in text
    assert "med fasta värden (en enda beräkning)" in text
    assert re.search(r"Samhället får tillbaka kostnaden efter \d+ månader\.", text)
    key = parse(report).tables["key-figures"]
    assert key["revenue"][2] == "" and key["payback"][4] == ""
    payback = parse(report).tables["actors-payback"]
    assert set(payback["society"][3:]) <= {"ja", "nej"}


def test_few_draws_say_the_numbers_are_rough(tmp_path):
    _, report = _report(tmp_path, DATA / "engine.toml", 100)
    text = text_of(report)
    assert "Beräkningen bygger på bara 100 dragningar" in text
    assert "slumpfelet i en sannolikhet högst ±0,10 (två standardfel)" in text  # 1/√100: a bound, not the estimate at 0 or 1


def test_one_random_draw_is_not_called_a_point_estimate(tmp_path):
    """One draw of an uncertain config is one random outcome, not NyttoSam's fixed-value calculation."""
    _, report = _report(tmp_path, CONFIGS / "samverkansteamet.toml", 1)
    text = text_of(report)
    assert "med en enda slumpdragning" in text and "en enda dragning av de osäkra värdena" in text
    assert "fasta värden" not in text and "slumpfelet" not in text and "90 %-intervall" not in text


def test_a_portfolio_in_the_folder_is_in_the_report(tmp_path):
    """A portfolio folder inside a run folder (``simsam portfolio ... --out RUN/portfolio``): its projects and whole budget."""
    from pathlib import Path

    root = Path(__file__).parents[1]
    ds = simsam.simulate(simsam.load_config(CONFIGS / "samverkansteamet.toml"), draws=100, seed=3)
    folder = write_run(ds, tmp_path / "run")
    assert main(["portfolio", str(root / "experiments" / "portfolio_seeds.toml"), "--draws", "100", "--out", str(folder / "portfolio"),
                 "--quiet"]) == 0
    report = build_report(folder, lang="sv", dpi=DPI)
    html = report.read_text(encoding="utf-8")
    assert '<section id="portfolj">' in html and '<a href="#portfolj">Portföljen</a>' in html
    table = pd.read_csv(folder / "portfolio" / "portfolio.csv")
    rows = parse(report).tables["portfolio-portfolio"]
    whole = table[(table.entity == "portfolio") & (table.actor == "society") & (table.metric == "net_benefit_5y")].iloc[0]
    f = Formatter("sv")
    assert rows["portfolio"][0] == "Hela portföljen" and rows["portfolio"][2].startswith(f.mkr(whole["median"]))
    projects = [e for e in dict.fromkeys(table.entity) if e != "portfolio"]
    assert [k for k in rows if k not in ("Projekt", "portfolio")] == projects

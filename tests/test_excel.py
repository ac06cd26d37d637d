"""``summary.xlsx``: written beside summary.csv, one sheet per table, numbers as numbers with kr formats."""

from __future__ import annotations

import math

import pytest
from openpyxl import load_workbook

import simsam
from simsam.analysis.summary import summarize
from simsam.report.excel import KR_FORMAT, write_summary_xlsx
from simsam.workflows.run_folder import write_run

from .helpers import DATA


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    ds = simsam.simulate(simsam.load_config(DATA / "engine.toml"), draws=300, seed=11)
    summary = summarize(ds)
    folder = write_run(ds, tmp_path_factory.mktemp("excel") / "run", summary)
    return ds, summary, folder


def test_write_run_writes_the_workbook(run):
    _, _, folder = run
    assert sorted(p.name for p in folder.iterdir()) == ["results.nc", "summary.csv", "summary.json", "summary.xlsx"]
    wb = load_workbook(folder / "summary.xlsx")
    assert wb.sheetnames == ["Nyckeltal samhället", "Aktörer", "Nettonytta per år", "Alla mått", "Körning"]


def test_key_figures_are_numbers_with_kr_format(run):
    ds, summary, folder = run
    ws = load_workbook(folder / "summary.xlsx")["Nyckeltal samhället"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    r = rows["Kostnad"]
    assert ws.cell(r, 2).value == pytest.approx(summary.loc[("society", "cost"), "median"])
    assert ws.cell(r, 2).number_format == KR_FORMAT
    r = rows["Nettonytta efter 5 år"]
    assert ws.cell(r, 3).value == pytest.approx(summary.loc[("society", "net_benefit_5y"), "p05"])
    assert ws.cell(r, 6).value == pytest.approx(summary.loc[("society", "p_net_benefit_positive_5y"), "mean"])
    assert ws.cell(r, 6).number_format == "0.00"
    r = rows["Återbetalningstid, mån"]
    assert ws.cell(r, 6).value == pytest.approx(summary.loc[("society", "p_payback_60"), "mean"])
    r = rows["Utnyttjad potential"]
    assert ws.cell(r, 2).number_format == "0.0%"


def test_actor_sheet_and_not_reached_is_empty(run):
    ds, summary, folder = run
    ws = load_workbook(folder / "summary.xlsx")["Aktörer"]
    header = [c.value for c in ws[1]]
    ids = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert ids == list(ds["actor"].values)
    r = ids.index("af") + 2
    assert ws.cell(r, 1).value == "Arbetsförmedlingen"
    col = header.index("Återbetalningstid, mån, median") + 1
    assert math.isnan(summary.loc[("af", "payback_months"), "median"]) and ws.cell(r, col).value is None
    col = header.index("P(återbetald inom 36 mån)") + 1
    assert ws.cell(r, col).value == pytest.approx(summary.loc[("af", "p_payback_36"), "mean"])
    col = header.index("Intäkt första året, median") + 1
    assert isinstance(ws.cell(r, col).value, float) and ws.cell(r, col).number_format == KR_FORMAT


def test_all_metrics_sheet_is_summary_csv(run):
    _, summary, folder = run
    ws = load_workbook(folder / "summary.xlsx")["Alla mått"]
    assert [c.value for c in ws[1]] == ["actor", "metric", *summary.columns]
    assert ws.max_row - 1 == len(summary)
    for r in (2, 10, ws.max_row):
        actor, metric = ws.cell(r, 1).value, ws.cell(r, 2).value
        for j, column in enumerate(summary.columns, start=3):
            expected = summary.loc[(actor, metric), column]
            value = ws.cell(r, j).value
            assert (value is None and math.isnan(expected)) or value == pytest.approx(expected)


def test_english_workbook_has_english_sheets_and_run_facts(run, tmp_path):
    ds, summary, _ = run
    path = write_summary_xlsx(ds, summary, tmp_path / "en.xlsx", lang="en")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Key figures society"
    facts = {row[0].value: row[1].value for row in wb["Run"].iter_rows(min_row=2)}
    assert facts["seed"] == 11 and facts["draws"] == 300 and facts["name"] == "engine"

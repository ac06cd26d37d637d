"""``summary.xlsx``: written beside summary.csv, one sheet per table, numbers as numbers with kr formats."""

from __future__ import annotations

import math

import numpy as np
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


def test_actor_sheet_payback_beyond_the_horizon_and_nothing_to_pay_back(run):
    ds, summary, folder = run
    ws = load_workbook(folder / "summary.xlsx")["Aktörer"]
    header = [c.value for c in ws[1]]
    ids = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value]
    # actors with flows in config order, "Staten totalt" after the last of FK, AF and stat, society last; the employer left out
    assert ids == ["kommun", "region", "fk", "af", "stat", "state_total", "individ", "society"]
    notes = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value and not ws.cell(r, 2).value]
    assert any("Arbetsgivare" in n for n in notes) and any(n.startswith("— = bär ingen del av kostnaden") for n in notes)
    r = ids.index("af") + 2
    assert ws.cell(r, 1).value == "Arbetsförmedlingen"
    col = header.index("Återbetalningstid, mån, median") + 1
    # AF never pays back: the cell is the number 61, shown "> 60" by its format (a number, sorting after every month)
    assert math.isnan(summary.loc[("af", "payback_months"), "median"])
    assert ws.cell(r, col).value == 61 and ws.cell(r, col).number_format == '[>60]"> 60";0'
    col = header.index("P(återbetald inom 36 mån)") + 1
    assert ws.cell(r, col).value == pytest.approx(summary.loc[("af", "p_payback_36"), "mean"])
    col = header.index("Intäkt första året, median") + 1
    assert isinstance(ws.cell(r, col).value, float) and ws.cell(r, col).number_format == KR_FORMAT
    # stat bears no cost: nothing to pay back ("—"), not month 1
    r = ids.index("stat") + 2
    assert ws.cell(r, header.index("Återbetalningstid, mån, median") + 1).value == "—"
    assert ws.cell(r, header.index("P(återbetald inom 36 mån)") + 1).value == "—"
    # Staten totalt: the per-draw sum of FK, AF and stat
    r = ids.index("state_total") + 2
    assert ws.cell(r, 1).value == "Staten totalt"
    total = sum(ds["annual_revenue"].sel(actor=a).values for a in ("fk", "af", "stat"))
    col = header.index("Intäkt första året, median") + 1
    assert ws.cell(r, col).value == pytest.approx(float(np.median(total)), abs=0.01)


def test_no_floating_point_noise_in_kronor(run):
    ds, summary, folder = run
    ws = load_workbook(folder / "summary.xlsx")["Alla mått"]
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[0] and row[1] in ("annual_revenue", "cost") or (row[1] or "").startswith("net_benefit"):
            for v in row[3:11]:
                assert v is None or v == 0 or abs(v) >= 0.01, row  # no 1e-9 kr: rounded to öre
                assert v is None or round(v, 2) == v


def test_all_metrics_sheet_is_summary_csv(run):
    _, summary, folder = run
    ws = load_workbook(folder / "summary.xlsx")["Alla mått"]
    columns = [c for c in summary.columns if c != "no_cost"]
    assert [c.value for c in ws[1]][:3] == ["aktör (id)", "mått (id)", "Beskrivning"]
    assert ws.max_row - 1 == len(summary)
    for r in (2, 10, ws.max_row):
        actor, metric = ws.cell(r, 1).value, ws.cell(r, 2).value
        for j, column in enumerate(columns, start=4):
            expected = summary.loc[(actor, metric), column]
            value = ws.cell(r, j).value
            if metric == "payback_months" and column in ("median", "p05", "p95") and math.isnan(expected):
                assert value == 61
            else:
                assert (value is None and math.isnan(expected)) or value == pytest.approx(expected, abs=0.005)


def test_english_workbook_has_english_sheets_and_run_facts(run, tmp_path):
    ds, summary, _ = run
    path = write_summary_xlsx(ds, summary, tmp_path / "en.xlsx", lang="en")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Key figures society", "Actors", "Net benefit by year", "All metrics", "Run"]
    facts = {row[0].value: row[1].value for row in wb["Run"].iter_rows(min_row=2)}
    assert facts["Seed"] == 11 and facts["Draws"] == 300 and facts["Name"] == "engine" and facts["Cohort"] == "sampled"
    ws = wb["Actors"]
    assert "State total" in [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert wb["All metrics"].cell(1, 3).value == "Description"

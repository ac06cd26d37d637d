"""``simsam report DIR``: the HTML report's numbers are summary.json's, it is self-contained, with and without sensitivity results."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import pytest

import simsam
from simsam.cli import main
from simsam.report.formatting import Formatter
from simsam.report.html import build_report
from simsam.workflows.run_folder import write_run

from .helpers import DATA, make_sensitivity

DPI = 40  # small figures: these tests check numbers and structure, the browser test checks the looks
FIGURES = {"investment", "net_benefit_society", "payback_histogram", "revenue_by_actor", "acceptability", "net_benefit_actors"}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    ds = simsam.simulate(simsam.load_config(DATA / "engine.toml"), draws=300, seed=7)
    return write_run(ds, tmp_path_factory.mktemp("report") / "run")


@pytest.fixture(scope="module")
def report_sv(run_folder):
    return build_report(run_folder, lang="sv", dpi=DPI)


class Tables(HTMLParser):
    """Rows of every ``<table id=…>``: ``tables[id][row key] = [cell texts]`` (row key: data-key, data-actor or first cell)."""

    def __init__(self):
        super().__init__()
        self.tables, self.images, self.links = {}, [], []
        self._table = self._row = self._cell = None
        self._key = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(a.get("id", f"table{len(self.tables)}"), {})
        elif tag == "tr" and self._table is not None:
            self._row, self._key = [], a.get("data-key") or a.get("data-actor")
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(a.get("src", ""))
        if tag in ("link", "script", "img", "a", "iframe") and (a.get("href") or a.get("src")):
            self.links.append(a.get("href") or a.get("src"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).replace("\u00a0", " ").split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self._table[self._key or self._row[0]] = self._row
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(path) -> Tables:
    p = Tables()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def text_of(path) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).replace("\u00a0", " ").split())


# -- the report's numbers are summary.json's -----------------------------------------------------------
def test_key_figures_equal_summary_json(run_folder, report_sv):
    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    m = summary["actors"]["society"]["metrics"]
    f = Formatter("sv")
    key = parse(report_sv).tables["key-figures"]

    def cells(metric):
        return [f.mkr(m[metric]["median"]), f.interval(m[metric]["p05"], m[metric]["p95"], f.mkr)]

    assert key["revenue"][1:3] == cells("annual_revenue")
    assert key["cost"][1:3] == cells("cost")
    assert key["nb1"][1:3] == cells("net_benefit_1y")
    assert key["nb5"][1:3] == cells("net_benefit_5y")
    assert key["nb5"][4].startswith(f.prob(m["p_net_benefit_positive_5y"]["mean"]))
    assert key["payback"][1] == f.months(m["payback_months"]["median"], 60)
    assert key["payback"][4].startswith(f.prob(m["p_payback_60"]["mean"]))
    assert key["potential"][1] == f.pct(m["utilised_potential"]["median"])
    # and read back as numbers, the text is the number to its last digit
    value = float(key["nb5"][1].replace("mkr", "").replace("\u2212", "-").replace(",", ".").strip()) * 1e6
    assert value == pytest.approx(m["net_benefit_5y"]["median"], abs=0.05e6 + 1)


def test_actor_tables_equal_summary_json(run_folder, report_sv):
    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    f = Formatter("sv")
    tables = parse(report_sv).tables
    money, payback = tables["actors-money"], tables["actors-payback"]
    assert "arbetsgivare" not in money  # no flows and no cost: left out, and said so
    for actor in ("kommun", "region", "fk", "af", "stat", "individ", "society"):
        m = summary["actors"][actor]["metrics"]
        revenue = money[actor][1]
        assert (
            revenue == f"{f.mkr(m['annual_revenue']['median'])} {f.interval(m['annual_revenue']['p05'], m['annual_revenue']['p95'], f.mkr)}"
        )
        assert money[actor][4].startswith(f.mkr(m["net_benefit_5y"]["median"]))
        assert money[actor][5] == f.prob(m["p_net_benefit_positive_5y"]["mean"])
    for actor in ("kommun", "region", "fk", "af", "society"):  # the actors that carry a share of the cost
        m = summary["actors"][actor]["metrics"]
        row = payback[actor]
        assert row[1] == f.months(m["payback_months"]["median"], 60)
        assert row[3:6] == [f.prob(m[f"p_payback_{k}"]["mean"]) for k in (12, 36, 60)]
        assert row[6] == f.prob(m["p_payback_not_reached"]["mean"])
    assert payback["stat"][1:] == ["—"] * 6  # no cost share: nothing to pay back
    # Staten totalt after the state's actors: the per-draw sum of FK, AF and stat
    total = summary["totals"]["state_total"]
    assert total["actors"] == ["fk", "af", "stat"]
    rev = total["metrics"]["annual_revenue"]
    assert money["state_total"][:2] == ["Staten totalt", f"{f.mkr(rev['median'])} {f.interval(rev['p05'], rev['p95'], f.mkr)}"]
    order = list(money)
    assert order.index("state_total") == order.index("stat") + 1


def test_payback_probability_sentences_quote_summary_json(run_folder, report_sv):
    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    f = Formatter("sv")
    text = text_of(report_sv)
    p = summary["actors"]["society"]["metrics"]["p_payback_60"]["mean"]
    assert f"Samhället får tillbaka kostnaden inom 60 månader med sannolikheten {f.prob(p)}." in text
    k = summary["actors"]["kommun"]["metrics"]
    assert (f"Kommunen får tillbaka sin andel av kostnaden inom 12 månader med sannolikheten {f.prob(k['p_payback_12']['mean'])}, "
            f"inom 36 månader med sannolikheten {f.prob(k['p_payback_36']['mean'])} och inom 60 månader med sannolikheten "
            f"{f.prob(k['p_payback_60']['mean'])}.") in text


# -- what the report is ---------------------------------------------------------------------------------
def test_report_is_self_contained_swedish_html(run_folder, report_sv):
    assert report_sv == run_folder / "report.html"
    html = report_sv.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="sv">' in html and '<meta charset="utf-8">' in html
    parsed = parse(report_sv)
    assert len(parsed.images) == len(FIGURES) and all(src.startswith("data:image/png;base64,") for src in parsed.images)
    # nothing fetched from the network or disk: every link is embedded data or a place in the page itself
    assert all(link.startswith(("data:", "#")) for link in parsed.links)
    assert "http://" not in html and "https://" not in html
    assert "@media print" in html and "size: A4" in html
    text = text_of(report_sv)
    for heading in ("Sammanfattning", "Så läser du rapporten", "Intäkter och kostnader per aktör", "Känslighetsanalys",
                    "Projektet och antagandena", "Osäkra indata", "Typfall efter insatsen"):
        assert heading in text
    assert "Ingen känslighetsanalys finns i körmappen" in text
    assert "Försäkringskassan" in text and "Återbetalningstid" in text and "�" not in text
    # the inputs in words, from the config in results.nc
    assert "PERT mellan 5,5 och 7,0 mkr, troligast 6,0 mkr" in text
    assert "likformig mellan 1,2 och 1,3" in text  # the uplift
    names = {p.name for p in (run_folder / "figures" / "sv").iterdir()}
    assert names == {f"{n}.{ext}" for n in FIGURES for ext in ("png", "svg")}
    # a table of contents linking to every section present
    html_text = report_sv.read_text(encoding="utf-8")
    links = re.findall(r'<a href="#([^"]+)">', html_text)
    assert links == ["sammanfattning", "las-rapporten", "aktorer", "kanslighet", "antaganden", "om-berakningen"]
    assert all(f'<section id="{link}">' in html_text for link in links)


@pytest.fixture(scope="module")
def folder_with_sensitivity(run_folder, tmp_path_factory):
    """A copy of the run folder with synthetic tornado, PRCC, Sobol and Morris results, and without summary.xlsx (an older run)."""
    from simsam.results import read_results

    folder = tmp_path_factory.mktemp("sens") / "run"
    shutil.copytree(run_folder, folder, ignore=shutil.ignore_patterns("report.html", "figures", "summary.xlsx"))
    ds = read_results(folder)
    for method in ("tornado", "prcc", "sobol", "morris"):
        (folder / f"sensitivity-{method}").mkdir()
        make_sensitivity(ds, method).to_netcdf(folder / f"sensitivity-{method}" / "sensitivity.nc", engine="h5netcdf")
    return folder, ds


def test_sensitivity_sections_in_words(folder_with_sensitivity):
    """All four methods' sections, rendered from the context (figures stubbed: drawing them is tested below and in test_figures)."""
    from simsam.report.describe import config_of, parameter_label
    from simsam.report.html import ReportFigure, _open_sensitivity, find_sensitivity, render_report, report_context

    folder, ds = folder_with_sensitivity
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    sensitivity = {m: _open_sensitivity(p) for m, p in find_sensitivity(folder).items()}
    assert list(sensitivity) == ["tornado", "prcc", "sobol", "morris"]
    names = sorted(FIGURES) + [f"sensitivity_{m}" for m in sensitivity]
    figures = {n: ReportFigure(n, "data:image/png;base64,iVBORw0KGgo=", 10, {"not_reached": 0.1}) for n in names}
    out = folder.parent / "stub.html"
    out.write_text(render_report(report_context(ds, summary, figures, sensitivity, "sv")), encoding="utf-8")
    parsed, text = parse(out), text_of(out)
    for method, name in (("tornado", "Envägsanalys (tornado)"), ("prcc", "Partiella rangkorrelationer (PRCC)"), ("sobol", "Sobolindex"),
                         ("morris", "Morris screening")):
        assert f"{name}: nettonytta efter 5 år (samhället)" in text
        assert len(parsed.tables[f"sensitivity-{method}"]) == 1 + 8  # header and the eight most influential inputs
    # the most influential input first, in words; the numbers formatted from the sensitivity Dataset
    top = parameter_label(str(ds["parameter_group"].values[0]), config_of(ds), "sv")
    assert list(parsed.tables["sensitivity-sobol"].values())[1] == [top, "0,50 ± 0,06", "0,62 ± 0,07"]
    assert list(parsed.tables["sensitivity-prcc"].values())[1] == [top, "0,90", "0,85–0,95", "< 0,001"]
    tornado = list(parsed.tables["sensitivity-tornado"].values())[1]
    assert tornado[0] == top and tornado[1].endswith(f"→ {Formatter('sv').mkr(sensitivity['tornado']['low'].values[0])}")
    assert list(parsed.tables["sensitivity-morris"].values())[1][1:] == ["3,0 mkr ± 0,30 mkr", "1,0 mkr"]
    assert f"Störst betydelse har ”{top}”, följt av" in text
    assert "Ingen känslighetsanalys" not in text


def test_command_english_report_with_sensitivity(folder_with_sensitivity, capsys):
    """``simsam report DIR --lang en --out FILE`` on a folder with sensitivity results and no summary.xlsx."""
    folder, _ = folder_with_sensitivity
    out = folder.parent / "board" / "report-en.html"
    assert main(["report", str(folder), "--lang", "en", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    names = {p.name for p in (folder / "figures" / "en").iterdir()}
    assert names == {
        f"{n}.{ext}" for n in FIGURES | {f"sensitivity_{m}" for m in ("tornado", "prcc", "sobol", "morris")} for ext in ("png", "svg")
    }
    assert not (folder / "figures" / "sv").exists()  # the English report wrote only English figures
    assert (folder / "summary.xlsx").exists()  # an older run folder gets its workbook
    html = out.read_text(encoding="utf-8")
    parsed, text = parse(out), text_of(out)
    assert '<html lang="en">' in html and len(parsed.images) == len(FIGURES) + 4
    for heading in (
        "Summary",
        "How to read this report",
        "Revenue and cost by actor",
        "Sensitivity analysis",
        "The project and its assumptions",
        "One-way analysis (tornado): net benefit after 5 years (society)",
        "Sobol indices: net benefit after 5 years (society)",
    ):
        assert heading in text
    assert "Sammanfattning" not in text and "sannolikheten" not in text
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    p = summary["actors"]["society"]["metrics"]["p_payback_60"]["mean"]
    assert f"Society recovers the cost within 60 months with probability {Formatter('en').prob(p)}." in text
    assert "PERT between 5.5 and 7.0 Mkr, most likely 6.0 Mkr" in text


def test_command_bad_folder(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no such folder" in err and "Traceback" not in err
    assert main(["report", str(tmp_path)]) == 2
    assert "no results.nc here or in a subfolder" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()
    assert main(["report", str(tmp_path), "--lang", "de"]) == 2


def test_one_year_horizon(tmp_path):
    """A 12-month horizon: one year, payback marks at 12 only; words in the singular."""
    from simsam.analysis.summary import summarize, summary_json
    from simsam.report import figures as F
    from simsam.report.html import ReportFigure, render_report, report_context

    text = (DATA / "engine.toml").read_text(encoding="utf-8").replace("[simulation]\n", "[simulation]\nhorizon_months = 12\n")
    (tmp_path / "short.toml").write_text(text, encoding="utf-8")
    ds = simsam.simulate(simsam.load_config(tmp_path / "short.toml"), draws=100, seed=1)
    summary = summary_json(ds, summarize(ds))
    assert F.fan_data(ds)["month"].values.tolist() == [0, 12]
    assert F.acceptability_data(ds)["month"].values[-1] == 12
    figures = {n: ReportFigure(n, "data:image/png;base64,iVBORw0KGgo=", 10, {"not_reached": 0.5}) for n in FIGURES}
    for lang, singular, within in (("en", "Net benefit after 1 year", "within {} months"), ("sv", "Nettonytta efter 1 år", "inom {} mån")):
        out = tmp_path / f"{lang}.html"
        out.write_text(render_report(report_context(ds, summary, figures, {}, lang)), encoding="utf-8")
        body = text_of(out)
        assert singular in body and "1 years" not in body
        assert within.format(12) in body and within.format(36) not in body
        assert len(parse(out).tables["actors-payback"]["society"]) == 1 + 2 + 1 + 1  # actor, median, interval, P(≤12), not reached


def test_large_run_figures_use_the_first_draws(run_folder, tmp_path, monkeypatch):
    """A run larger than FIGURE_DRAWS is not read whole: the figures use its first
    draws (and say so), every table number is still summary.json's over all draws."""
    from simsam.report import html

    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    (folder / "summary.xlsx").unlink()
    monkeypatch.setattr(html, "FIGURE_DRAWS", 120)
    out = build_report(folder, lang="en", dpi=DPI)
    text = out.read_text(encoding="utf-8")
    assert "use the first 120 draws" in text and "300 draws" in text
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    m = summary["actors"]["society"]["metrics"]
    key = parse(out).tables["key-figures"]
    f = Formatter("en")
    assert key["nb5"][1:3] == [
        f.mkr(m["net_benefit_5y"]["median"]),
        f.interval(m["net_benefit_5y"]["p05"], m["net_benefit_5y"]["p95"], f.mkr),
    ]
    assert (folder / "summary.xlsx").exists()
    monkeypatch.undo()
    assert "use the first" not in build_report(folder, lang="en", dpi=DPI, out=tmp_path / "all.html").read_text(encoding="utf-8")

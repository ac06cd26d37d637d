"""``summary.xlsx``: the run's summary as an Excel workbook, one sheet per table, in Swedish or English.

Numbers are stored as numbers (never text), kronor rounded to öre (no 1e-9 kr of
floating-point noise) with the number format ``#,##0 "kr"`` (Swedish Excel shows
``1 234 567 kr``), probabilities with two decimals, shares as per cent and months
as whole numbers. A payback time beyond the horizon is stored as horizon + 1 with
a number format that shows ``> 60`` (it still sorts after every month); a
quantile that does not apply is an empty cell; an actor that bears no share of
the cost has nothing to pay back and shows "—" in the payback columns.

Sheets: the key figures for society, one row per actor (actors without flows
left out, with a line saying so; "Staten totalt" after the state's actors), net
benefit per year, every metric as in ``summary.csv`` (with its Monte Carlo
standard errors), with ``[groups]`` one row per group and actor (each group's
share of the cost per participant), and how the run was made.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from ..analysis.summary import COLUMNS, Summary
from ..config.model import SOCIETY
from ..results import NO_FLOW_KR, actors_with_flows
from .text import actor_label, metric_label, total_label

__all__ = ["write_summary_xlsx", "KR_FORMAT", "payback_format"]

KR_FORMAT = '#,##0" kr";-#,##0" kr"'
PROB_FORMAT = "0.00"
PCT_FORMAT = "0.0%"
MONTH_FORMAT = "0"
NOTHING = "—"  # nothing to pay back (an actor without a share of the cost)


def payback_format(horizon: int) -> str:
    """Whole months, and ``> 60`` for the value horizon + 1 that stands for "not within the horizon"."""
    return f'[>{horizon}]"> {horizon}";0'


_HEAD = {
    "sv": {
        "key": "Nyckeltal samhället", "actors": "Aktörer", "nb": "Nettonytta per år", "all": "Alla mått", "run": "Körning",
        "metric": "Nyckeltal", "median": "Median", "p05": "5:e percentilen", "p95": "95:e percentilen", "mean": "Medelvärde",
        "probability": "Sannolikhet", "meaning": "Sannolikheten avser", "actor": "Aktör", "year": "År",
        "revenue": "Intäkt första året", "cost": "Kostnad", "nb_y": "Nettonytta efter {y} år", "payback": "Återbetalningstid, mån",
        "p_within": "P(återbetald inom {m} mån)", "p_not": "P(ej inom {h} mån)", "potential": "Utnyttjad potential",
        "p_nb": "positiv nettonytta", "p_payback": "återbetald inom {h} mån", "what": "Uppgift", "value": "Värde",
        "id": "aktör (id)", "metric_id": "mått (id)", "label": "Beskrivning",
        "silent": "Inte med (inga flöden och ingen kostnad i någon dragning): {names}",
        "nothing": "— = bär ingen del av kostnaden, inget att betala tillbaka. > {h}: inte återbetald inom {h} månader.",
        "no_payback_total": "{total} är summan per dragning av {names}; återbetalningstid finns bara per aktör.",
        "columns": {"mean": "Medelvärde (sannolikhet för P-rader)", "mcse": "MC-standardfel", "median": "Median",
                    "median_mcse": "MC-standardfel, median", "p05": "5:e percentilen", "p05_mcse": "MC-standardfel, 5:e perc.",
                    "p95": "95:e percentilen", "p95_mcse": "MC-standardfel, 95:e perc.", "no_cost": "Ingen kostnad (1 = ja)"},
        "facts": {"name": "Namn", "config_file": "Konfigurationsfil", "seed": "Frö", "draws": "Dragningar",
                  "first_draw": "Första dragningen", "cohort": "Kohort", "engine": "Beräkningsväg", "participants": "Deltagare",
                  "horizon_months": "Horisont, månader", "simsam_version": "simsam-version"},
        "cohorts": {"sampled": "slumpad", "expected": "väntevärde"},
        "groups": "Grupper", "group": "Grupp", "group_id": "grupp (id)", "participants": "Deltagare",
        "group_note": "Varje grupp bär en del av kostnaden efter antalet deltagare (viktat med cost_weight); gruppernas intäkter, "
                      "kostnader och nettonyttor summerar till resultatet för alla deltagare.",
    },
    "en": {
        "key": "Key figures society", "actors": "Actors", "nb": "Net benefit by year", "all": "All metrics", "run": "Run",
        "metric": "Key figure", "median": "Median", "p05": "5th percentile", "p95": "95th percentile", "mean": "Mean",
        "probability": "Probability", "meaning": "Probability of", "actor": "Actor", "year": "Year",
        "revenue": "First-year revenue", "cost": "Cost", "nb_y": "Net benefit after {y} years", "payback": "Payback time, months",
        "p_within": "P(paid back within {m} months)", "p_not": "P(not within {h} months)", "potential": "Utilised potential",
        "p_nb": "positive net benefit", "p_payback": "payback within {h} months", "what": "Item", "value": "Value",
        "id": "actor (id)", "metric_id": "metric (id)", "label": "Description",
        "silent": "Left out (no flows and no cost in any draw): {names}",
        "nothing": "— = bears no share of the cost, nothing to pay back. > {h}: not paid back within {h} months.",
        "no_payback_total": "{total} is the per-draw sum of {names}; payback times exist per actor only.",
        "columns": {"mean": "Mean (probability for P rows)", "mcse": "MC standard error", "median": "Median",
                    "median_mcse": "MC standard error, median", "p05": "5th percentile", "p05_mcse": "MC standard error, 5th perc.",
                    "p95": "95th percentile", "p95_mcse": "MC standard error, 95th perc.", "no_cost": "No cost (1 = yes)"},
        "facts": {"name": "Name", "config_file": "Config file", "seed": "Seed", "draws": "Draws", "first_draw": "First draw",
                  "cohort": "Cohort", "engine": "Engine path", "participants": "Participants", "horizon_months": "Horizon, months",
                  "simsam_version": "simsam version"},
        "cohorts": {"sampled": "sampled", "expected": "expected"},
        "groups": "Groups", "group": "Group", "group_id": "group (id)", "participants": "Participants",
        "group_note": "Each group bears a share of the cost by its number of participants (weighted by cost_weight); the groups' "
                      "revenue, cost and net benefit add up to the whole cohort's.",
    },
}


def _num(x):
    """A finite float, or None (an empty cell) for NaN."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _kr(x):
    """Kronor rounded to öre, and 0 for the ±1e-9 kr that offsetting items leave; None for NaN."""
    x = _num(x)
    if x is None:
        return None
    return 0.0 if abs(x) < NO_FLOW_KR else round(x, 2) + 0.0


def _month(x, horizon: int):
    """A payback month, or horizon + 1 (shown "> horizon") for one beyond the horizon (NaN)."""
    x = _num(x)
    return float(horizon + 1) if x is None else x


def _metric_format(metric: str, horizon: int) -> str:
    """The number format of a metric's values."""
    if metric.startswith("p_"):
        return PROB_FORMAT
    if metric == "payback_months":
        return payback_format(horizon)
    if metric == "utilised_potential":
        return "0.0000"
    return KR_FORMAT


class _Book:
    """An xlsxwriter workbook with simsam's header style and cached number formats.

    xlsxwriter (write-only) rather than openpyxl: it imports in 0.05 s
    instead of 0.3 s and writes faster, which matters to ``simsam run``'s start.
    """

    def __init__(self, path: Path):
        import xlsxwriter  # xlsxwriter: only when writing the workbook

        self.wb = xlsxwriter.Workbook(str(path))
        self.head = self.wb.add_format({"bold": True, "bg_color": "#EAF1F8", "text_wrap": True, "valign": "bottom", "bottom": 2})
        self._formats = {}

    def fmt(self, number_format: str | None):
        if number_format is None:
            return None
        if number_format not in self._formats:
            self._formats[number_format] = self.wb.add_format({"num_format": number_format})
        return self._formats[number_format]

    def sheet(self, title: str, header: list[str], rows: list[list], formats, widths: list[int] | None = None, autofilter: bool = False,
              notes=None):
        """One table; ``formats[i][j]`` (or ``formats[j]`` for every row) is cell ``(i, j)``'s number format; ``notes`` below it."""
        ws = self.wb.add_worksheet(title[:31])
        ws.write_row(0, 0, header, self.head)
        for i, row in enumerate(rows, start=1):
            row_formats = formats[i - 1] if formats and isinstance(formats[0], list) else formats
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(i, j, value, self.fmt(row_formats[j]))
                else:
                    ws.write_string(i, j, str(value))
        for j, width in enumerate(widths or []):
            ws.set_column(j, j, width)
        ws.freeze_panes(1, 1)
        if autofilter:
            ws.autofilter(0, 0, len(rows), len(header) - 1)
        for k, note in enumerate(notes or []):
            ws.write_string(len(rows) + 2 + k, 0, note)
        return ws


def _value(summary: Summary, actor: str, metric: str, column: str, horizon: int):
    """A cell's value: kr rounded to öre, payback as a month (horizon + 1 beyond it), "—" when there is nothing to pay back."""
    if (metric == "payback_months" or metric.startswith("p_payback")) and actor in summary.no_cost:
        return NOTHING if column in ("mean", "median", "p05", "p95") else None
    x = summary(actor, metric, column)
    if metric == "payback_months":
        return _month(x, horizon) if column in ("median", "p05", "p95") else _num(x)
    if metric.startswith("p_") or metric == "utilised_potential":
        return _num(x)
    return _kr(x)


def _column_format(metric: str, column: str, horizon: int) -> str:
    """The number format of one cell of the all-metrics sheet."""
    fmt = _metric_format(metric, horizon)
    if metric == "payback_months" and column not in ("median", "p05", "p95"):
        return "0.0"  # the mean over the draws that pay back, and the errors
    if fmt == PROB_FORMAT and column.endswith("mcse"):
        return "0.0000"
    return fmt


def _shown(ds, summary: Summary) -> tuple[list[str], list[str]]:
    """The actors to show (with flows or a cost, society last) and those left out."""
    try:
        shown = actors_with_flows(ds, ("revenue", "annual_revenue", "cost"))
    except (KeyError, ValueError):
        shown = summary.actors
    return [a for a in summary.actors if a in shown], [a for a in summary.actors if a not in shown]


def _with_totals(actors: list[str], summary: Summary) -> list[tuple[str, str | None]]:
    """``(actor, None)`` rows, with ``(total, None)`` after the last of each total's actors: ``("state_total", "total")``."""
    rows = [(a, None) for a in actors]
    for name, total in summary.totals.items():
        members = [i for i, (a, _) in enumerate(rows) if a in total["actors"]]
        if members:
            rows.insert(members[-1] + 1, (name, "total"))
    return rows


def write_summary_xlsx(ds, summary, path, lang: str | None = None) -> Path:
    """Write the summary of a run as ``path`` (an .xlsx file); return the path.

    ``ds`` is a result Dataset or :class:`simsam.results.ResultsFile`, ``summary``
    a :class:`simsam.analysis.summary.Summary` or :func:`simsam.summarize`'s DataFrame;
    ``lang`` ``"sv"`` or ``"en"`` (default: the config's ``[meta] language``, else Swedish).
    """
    summary = Summary.of(summary)
    lang = lang or _language(ds)
    h = _HEAD[lang]
    path = Path(path)
    horizon = int(ds.attrs.get("horizon_months", 12 * ds.sizes.get("year", 5)))
    years = [int(y) for y in ds["year"].values]
    shown, silent = _shown(ds, summary)
    months = sorted(int(m.removeprefix("p_payback_")) for m in summary.metrics(shown[0]) if m.removeprefix("p_payback_").isdigit())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    book = _Book(tmp)
    pb_format = payback_format(horizon)
    notes = [h["nothing"].format(h=horizon)]
    if silent:
        notes.append(h["silent"].format(names=", ".join(actor_label(a, lang, ds) for a in silent)))
    for name, total in summary.totals.items():
        members = " + ".join(actor_label(a, lang, ds) for a in total["actors"])
        notes.append(h["no_payback_total"].format(total=total_label(name, lang), names=members))

    # 1. key figures for society
    soc = SOCIETY if SOCIETY in summary.actors else summary.actors[-1]
    soc_metrics = set(summary.metrics(soc))
    key = [
        (h["revenue"], "annual_revenue", None),
        (h["cost"], "cost", None),
        *[(h["nb_y"].format(y=y), f"net_benefit_{y}y", f"p_net_benefit_positive_{y}y") for y in years],
        (h["payback"], "payback_months", f"p_payback_{horizon}"),
        (h["potential"], "utilised_potential", None),
    ]
    rows, fmts = [], []
    for label, metric, p in key:
        if metric not in soc_metrics:
            continue
        prob = _num(summary(soc, p)) if p and p in soc_metrics else None
        meaning = (h["p_nb"] if p and p.startswith("p_net") else h["p_payback"].format(h=horizon)) if prob is not None else None
        cells = [_value(summary, soc, metric, c, horizon) for c in ("median", "p05", "p95")]
        mean = _num(summary(soc, metric)) if metric in ("payback_months", "utilised_potential") else _kr(summary(soc, metric))
        rows.append([label, *cells, mean, prob, meaning])
        fmt = {"payback_months": pb_format, "utilised_potential": PCT_FORMAT}.get(metric, KR_FORMAT)
        fmts.append([None, fmt, fmt, fmt, "0.0" if metric == "payback_months" else fmt, PROB_FORMAT, None])
    book.sheet(h["key"], [h["metric"], h["median"], h["p05"], h["p95"], h["mean"], h["probability"], h["meaning"]], rows, fmts,
               [30, 16, 16, 16, 16, 12, 28], notes=notes[:1])

    # 2. one row per actor, and the totals
    header = [h["actor"], h["id"]]
    formats: list[str | None] = [None, None]
    cols = [("annual_revenue", h["revenue"]), ("cost", h["cost"])] + [
        (f"net_benefit_{y}y", h["nb_y"].format(y=y)) for y in (years[0], years[-1])
    ]
    if years[0] == years[-1]:
        cols = cols[:3]
    for _metric, label in cols:
        header += [f"{label}, {h['median'].lower()}", f"{label}, {h['p05']}", f"{label}, {h['p95']}"]
        formats += [KR_FORMAT] * 3
    header += [f"{h['payback']}, {h['median'].lower()}", f"{h['payback']}, {h['p05']}", f"{h['payback']}, {h['p95']}"]
    formats += [pb_format] * 3
    header += [h["p_within"].format(m=m) for m in months] + [h["p_not"].format(h=horizon)]
    formats += [PROB_FORMAT] * (len(months) + 1)
    rows = []
    for a, kind in _with_totals(shown, summary):
        if kind == "total":
            t = summary.totals[a]["rows"]
            row = [total_label(a, lang), a]
            for metric, _ in cols:
                row += [_kr(t[metric][c]) for c in ("median", "p05", "p95")]
            row += [None] * (3 + len(months) + 1)  # no payback time for a total (see the note)
        else:
            row = [actor_label(a, lang, ds), a]
            for metric, _ in cols + [("payback_months", None)]:
                row += [_value(summary, a, metric, c, horizon) for c in ("median", "p05", "p95")]
            row += [_value(summary, a, f"p_payback_{m}", "mean", horizon) for m in months]
            row += [_value(summary, a, "p_payback_not_reached", "mean", horizon)]
        rows.append(row)
    book.sheet(h["actors"], header, rows, formats, [22, 12] + [15] * (len(header) - 2), notes=notes)

    # 3. net benefit by year
    header = [h["actor"], h["id"]]
    for y in years:
        header += [f"{h['year']} {y}, {h['median'].lower()}", f"{h['year']} {y}, {h['p05']}", f"{h['year']} {y}, {h['p95']}"]
    rows = []
    for a, kind in _with_totals(shown, summary):
        if kind == "total":
            t = summary.totals[a]["rows"]
            rows.append([total_label(a, lang), a] + [_kr(t[f"net_benefit_{y}y"][c]) for y in years for c in ("median", "p05", "p95")])
        else:
            rows.append([actor_label(a, lang, ds), a] + [_kr(summary(a, f"net_benefit_{y}y", c)) for y in years
                                                         for c in ("median", "p05", "p95")])
    book.sheet(h["nb"], header, rows, [None, None] + [KR_FORMAT] * (len(header) - 2), [22, 12] + [15] * (len(header) - 2),
               notes=notes[1:2] if silent else None)

    # 4. every metric, as summary.csv (its ids, the labels in words)
    rows, fmts = [], []
    for a, metric in summary.rows:
        rows.append([a, metric, metric_label(metric, lang), *[_value(summary, a, metric, c, horizon) for c in COLUMNS],
                     int(a in summary.no_cost)])
        fmts.append([None, None, None] + [_column_format(metric, c, horizon) for c in COLUMNS] + ["0"])
    head = [h["id"], h["metric_id"], h["label"], *[h["columns"][c] for c in COLUMNS], h["columns"]["no_cost"]]
    book.sheet(h["all"], head, rows, fmts, [14, 28, 32] + [15] * (len(COLUMNS) + 1), autofilter=True)

    # 5. per group and actor
    if summary.groups:
        labels = dict(zip((str(g) for g in ds["group"].values), (str(x) for x in ds["group_label"].values)))
        sizes = dict(zip((str(g) for g in ds["group"].values), (int(x) for x in ds["group_participants"].values)))
        header = [h["group"], h["group_id"], h["participants"], h["actor"], h["id"]]
        formats = [None, None, "0", None, None]
        for _metric, label in cols + [("payback_months", h["payback"])]:
            header += [f"{label}, {h['median'].lower()}", f"{label}, {h['p05']}", f"{label}, {h['p95']}"]
            formats += [pb_format if _metric == "payback_months" else KR_FORMAT] * 3
        header += [h["p_within"].format(m=m) for m in months]
        formats += [PROB_FORMAT] * len(months)
        rows = []
        for g, gs in summary.groups.items():
            for a in shown:
                row = [labels.get(g, g), g, sizes.get(g), actor_label(a, lang, ds), a]
                for metric, _ in cols + [("payback_months", None)]:
                    row += [_value(gs, a, metric, c, horizon) for c in ("median", "p05", "p95")]
                row += [_value(gs, a, f"p_payback_{m}", "mean", horizon) for m in months]
                rows.append(row)
        book.sheet(h["groups"], header, rows, formats, [22, 12, 10, 22, 12] + [15] * (len(header) - 5), notes=[h["group_note"]])

    # 6. how the run was made
    keys = ("name", "config_file", "seed", "draws", "first_draw", "cohort", "engine", "participants", "horizon_months", "simsam_version")
    rows = []
    for k in keys:
        if k in ds.attrs:
            v = ds.attrs[k].item() if hasattr(ds.attrs[k], "item") else ds.attrs[k]
            rows.append([h["facts"][k], h["cohorts"].get(v, v) if k == "cohort" else v])
    book.sheet(h["run"], [h["what"], h["value"]], rows, [None, None], [22, 70])

    try:
        book.wb.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _language(ds) -> str:
    """The config's ``[meta] language``, else Swedish."""

    try:
        meta = json.loads(ds.attrs.get("config", "") or "{}").get("meta") or {}
    except (TypeError, ValueError):
        meta = {}
    lang = meta.get("language")
    return lang if lang in _HEAD else "sv"

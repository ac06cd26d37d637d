"""``summary.xlsx``: the run's summary as an Excel workbook, one sheet per table.

Numbers are stored as numbers (never text), kronor with the number format
``#,##0 "kr"`` (Swedish Excel shows ``1 234 567 kr``), probabilities with two
decimals, shares as per cent and months as whole numbers; NaN (a payback not
reached, a quantile beyond the horizon) is an empty cell.

Sheets: the key figures for society, one row per actor, net benefit per year,
every metric as in ``summary.csv`` (with its Monte Carlo standard errors), and
how the run was made.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

from .text import actor_label

__all__ = ["write_summary_xlsx", "KR_FORMAT"]

KR_FORMAT = '#,##0" kr";-#,##0" kr"'
PROB_FORMAT = "0.00"
PCT_FORMAT = "0.0%"
MONTH_FORMAT = "0"

_HEAD = {
    "sv": {
        "key": "Nyckeltal samhället", "actors": "Aktörer", "nb": "Nettonytta per år", "all": "Alla mått", "run": "Körning",
        "metric": "Nyckeltal", "median": "Median", "p05": "5:e percentilen", "p95": "95:e percentilen", "mean": "Medelvärde",
        "probability": "Sannolikhet", "meaning": "Sannolikheten avser", "actor": "Aktör", "year": "År",
        "revenue": "Intäkt första året", "cost": "Kostnad", "nb_y": "Nettonytta efter {y} år", "payback": "Återbetalningstid, mån",
        "p_within": "P(återbetald inom {m} mån)", "p_not": "P(ej inom {h} mån)", "potential": "Utnyttjad potential",
        "p_nb": "positiv nettonytta", "p_payback": "återbetald inom {h} mån", "what": "Uppgift", "value": "Värde",
        "id": "actor (id)", "label": "Beskrivning",
    },
    "en": {
        "key": "Key figures society", "actors": "Actors", "nb": "Net benefit by year", "all": "All metrics", "run": "Run",
        "metric": "Key figure", "median": "Median", "p05": "5th percentile", "p95": "95th percentile", "mean": "Mean",
        "probability": "Probability", "meaning": "Probability of", "actor": "Actor", "year": "Year",
        "revenue": "First-year revenue", "cost": "Cost", "nb_y": "Net benefit after {y} years", "payback": "Payback time, months",
        "p_within": "P(paid back within {m} months)", "p_not": "P(not within {h} months)", "potential": "Utilised potential",
        "p_nb": "positive net benefit", "p_payback": "payback within {h} months", "what": "Item", "value": "Value",
        "id": "actor (id)", "label": "Description",
    },
}


def _num(x):
    """A finite float, or None (an empty cell) for NaN."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _metric_format(metric: str) -> str:
    if metric.startswith("p_"):
        return PROB_FORMAT
    if metric == "payback_months":
        return "0.0"
    if metric == "utilised_potential":
        return "0.0000"
    return KR_FORMAT


def _sheet(wb, title: str, header: list[str], rows: list[list], formats: list[str | None], widths: list[int] | None = None):
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EAF1F8")
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        cell.border = Border(bottom=Side(style="medium"))
    for row in rows:
        ws.append(row)
        r = ws.max_row
        for j, fmt in enumerate(formats, start=1):
            if fmt and isinstance(ws.cell(r, j).value, (int, float)):
                ws.cell(r, j).number_format = fmt
    for j, width in enumerate(widths or [], start=1):
        ws.column_dimensions[ws.cell(1, j).column_letter].width = width
    ws.freeze_panes = "B2"
    return ws


def write_summary_xlsx(ds, summary: pd.DataFrame, path, lang: str = "sv") -> Path:
    """Write the summary of a run (from :func:`simsam.summarize`) as ``path`` (an .xlsx file); return the path."""
    from openpyxl import Workbook

    h = _HEAD[lang]
    path = Path(path)
    horizon = int(ds.attrs.get("horizon_months", 12 * ds.sizes.get("year", 5)))
    years = [int(y) for y in ds["year"].values]
    actors = list(summary.index.get_level_values("actor").unique())
    months = sorted(int(m.removeprefix("p_payback_")) for m in summary.loc[actors[0]].index if m.removeprefix("p_payback_").isdigit())
    wb = Workbook()
    wb.remove(wb.active)

    # 1. key figures for society
    soc = summary.loc["society"] if "society" in actors else summary.loc[actors[-1]]
    key = [
        (h["revenue"], "annual_revenue", None),
        (h["cost"], "cost", None),
        *[(h["nb_y"].format(y=y), f"net_benefit_{y}y", f"p_net_benefit_positive_{y}y") for y in years],
        (h["payback"], "payback_months", f"p_payback_{horizon}"),
        (h["potential"], "utilised_potential", None),
    ]
    rows, fmts = [], []
    for label, metric, p in key:
        if metric not in soc.index:
            continue
        r = soc.loc[metric]
        prob = _num(soc.loc[p, "mean"]) if p and p in soc.index else None
        meaning = (h["p_nb"] if p and p.startswith("p_net") else h["p_payback"].format(h=horizon)) if prob is not None else None
        rows.append([label, _num(r["median"]), _num(r["p05"]), _num(r["p95"]), _num(r["mean"]), prob, meaning])
    ws = _sheet(wb, h["key"], [h["metric"], h["median"], h["p05"], h["p95"], h["mean"], h["probability"], h["meaning"]], rows,
                [None, None, None, None, None, PROB_FORMAT, None], [30, 16, 16, 16, 16, 12, 28])
    for r, (_, metric, _) in enumerate([k for k in key if k[1] in soc.index], start=2):
        fmt = {"payback_months": "0", "utilised_potential": PCT_FORMAT}.get(metric, KR_FORMAT)
        for c in range(2, 6):
            if isinstance(ws.cell(r, c).value, (int, float)):
                ws.cell(r, c).number_format = fmt

    # 2. one row per actor
    header = [h["actor"], h["id"]]
    formats: list[str | None] = [None, None]
    cols = [("annual_revenue", h["revenue"]), ("cost", h["cost"])] + [(f"net_benefit_{y}y", h["nb_y"].format(y=y)) for y in (years[0], years[-1])]
    if years[0] == years[-1]:
        cols = cols[:3]
    for metric, label in cols:
        header += [f"{label}, {h['median'].lower()}", f"{label}, {h['p05']}", f"{label}, {h['p95']}"]
        formats += [KR_FORMAT] * 3
    header += [f"{h['payback']}, {h['median'].lower()}", f"{h['payback']}, {h['p05']}", f"{h['payback']}, {h['p95']}"]
    formats += [MONTH_FORMAT] * 3
    header += [h["p_within"].format(m=m) for m in months] + [h["p_not"].format(h=horizon)]
    formats += [PROB_FORMAT] * (len(months) + 1)
    rows = []
    for a in actors:
        part = summary.loc[a]
        row = [actor_label(a, lang, ds), a]
        for metric, _ in cols:
            row += [_num(part.loc[metric, c]) for c in ("median", "p05", "p95")]
        row += [_num(part.loc["payback_months", c]) for c in ("median", "p05", "p95")]
        row += [_num(part.loc[f"p_payback_{m}", "mean"]) for m in months] + [_num(part.loc["p_payback_not_reached", "mean"])]
        rows.append(row)
    _sheet(wb, h["actors"], header, rows, formats, [22, 12] + [15] * (len(header) - 2))

    # 3. net benefit by year
    header = [h["actor"], h["id"]]
    formats = [None, None]
    for y in years:
        header += [f"{h['year']} {y}, {h['median'].lower()}", f"{h['year']} {y}, {h['p05']}", f"{h['year']} {y}, {h['p95']}"]
        formats += [KR_FORMAT] * 3
    rows = []
    for a in actors:
        part = summary.loc[a]
        row = [actor_label(a, lang, ds), a]
        for y in years:
            row += [_num(part.loc[f"net_benefit_{y}y", c]) for c in ("median", "p05", "p95")]
        rows.append(row)
    _sheet(wb, h["nb"], header, rows, formats, [22, 12] + [15] * (len(header) - 2))

    # 4. every metric, as summary.csv
    columns = list(summary.columns)
    rows, fmt_rows = [], []
    for (a, metric), r in summary.iterrows():
        rows.append([a, metric] + [_num(r[c]) for c in columns])
        fmt_rows.append(_metric_format(metric))
    ws = _sheet(wb, h["all"], ["actor", "metric"] + columns, rows, [None] * (2 + len(columns)), [14, 28] + [15] * len(columns))
    for i, fmt in enumerate(fmt_rows, start=2):
        for c in range(3, 3 + len(columns)):
            if isinstance(ws.cell(i, c).value, (int, float)):
                ws.cell(i, c).number_format = "0.0000" if fmt == PROB_FORMAT and columns[c - 3].endswith("mcse") else fmt
    ws.auto_filter.ref = ws.dimensions

    # 5. how the run was made
    keys = ("name", "config_file", "seed", "draws", "first_draw", "cohort", "engine", "participants", "horizon_months", "simsam_version")
    rows = [[k, (ds.attrs[k].item() if hasattr(ds.attrs[k], "item") else ds.attrs[k])] for k in keys if k in ds.attrs]
    _sheet(wb, h["run"], [h["what"], h["value"]], rows, [None, None], [18, 70])

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

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

from ..analysis.summary import Summary
from ..config.model import SOCIETY
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


class _Book:
    """An xlsxwriter workbook with simsam's header style and cached number formats.

    xlsxwriter (write-only) rather than openpyxl: it imports in 0.05 s
    instead of 0.3 s and writes faster, which matters to ``simsam run``'s start.
    """

    def __init__(self, path: Path):
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path))
        self.head = self.wb.add_format({"bold": True, "bg_color": "#EAF1F8", "text_wrap": True, "valign": "bottom", "bottom": 2})
        self._formats = {}

    def fmt(self, number_format: str | None):
        if number_format is None:
            return None
        if number_format not in self._formats:
            self._formats[number_format] = self.wb.add_format({"num_format": number_format})
        return self._formats[number_format]

    def sheet(self, title: str, header: list[str], rows: list[list], formats, widths: list[int] | None = None, autofilter: bool = False):
        """One table; ``formats[i][j]`` (or ``formats[j]`` for every row) is cell ``(i, j)``'s number format."""
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
        return ws


def write_summary_xlsx(ds, summary, path, lang: str = "sv") -> Path:
    """Write the summary of a run as ``path`` (an .xlsx file); return the path.

    ``ds`` is a result Dataset or :class:`simsam.results.ResultsFile`, ``summary``
    a :class:`simsam.analysis.summary.Summary` or :func:`simsam.summarize`'s DataFrame.
    """
    summary = Summary.of(summary)
    h = _HEAD[lang]
    path = Path(path)
    horizon = int(ds.attrs.get("horizon_months", 12 * ds.sizes.get("year", 5)))
    years = [int(y) for y in ds["year"].values]
    actors = summary.actors
    months = sorted(int(m.removeprefix("p_payback_")) for m in summary.metrics(actors[0]) if m.removeprefix("p_payback_").isdigit())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    book = _Book(tmp)

    # 1. key figures for society
    soc = SOCIETY if SOCIETY in actors else actors[-1]
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
        r = summary.rows[(soc, metric)]
        prob = _num(summary(soc, p)) if p and p in soc_metrics else None
        meaning = (h["p_nb"] if p and p.startswith("p_net") else h["p_payback"].format(h=horizon)) if prob is not None else None
        rows.append([label, _num(r["median"]), _num(r["p05"]), _num(r["p95"]), _num(r["mean"]), prob, meaning])
        fmt = {"payback_months": "0", "utilised_potential": PCT_FORMAT}.get(metric, KR_FORMAT)
        fmts.append([None, fmt, fmt, fmt, fmt, PROB_FORMAT, None])
    book.sheet(h["key"], [h["metric"], h["median"], h["p05"], h["p95"], h["mean"], h["probability"], h["meaning"]], rows, fmts,
               [30, 16, 16, 16, 16, 12, 28])

    # 2. one row per actor
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
    formats += [MONTH_FORMAT] * 3
    header += [h["p_within"].format(m=m) for m in months] + [h["p_not"].format(h=horizon)]
    formats += [PROB_FORMAT] * (len(months) + 1)
    rows = []
    for a in actors:
        row = [actor_label(a, lang, ds), a]
        for metric, _ in cols + [("payback_months", None)]:
            row += [_num(summary(a, metric, c)) for c in ("median", "p05", "p95")]
        row += [_num(summary(a, f"p_payback_{m}")) for m in months] + [_num(summary(a, "p_payback_not_reached"))]
        rows.append(row)
    book.sheet(h["actors"], header, rows, formats, [22, 12] + [15] * (len(header) - 2))

    # 3. net benefit by year
    header = [h["actor"], h["id"]]
    for y in years:
        header += [f"{h['year']} {y}, {h['median'].lower()}", f"{h['year']} {y}, {h['p05']}", f"{h['year']} {y}, {h['p95']}"]
    rows = [
        [actor_label(a, lang, ds), a] + [_num(summary(a, f"net_benefit_{y}y", c)) for y in years for c in ("median", "p05", "p95")]
        for a in actors
    ]
    book.sheet(h["nb"], header, rows, [None, None] + [KR_FORMAT] * (len(header) - 2), [22, 12] + [15] * (len(header) - 2))

    # 4. every metric, as summary.csv
    columns = list(next(iter(summary.rows.values())))
    rows, fmts = [], []
    for (a, metric), r in summary.rows.items():
        rows.append([a, metric] + [_num(r[c]) for c in columns])
        fmt = _metric_format(metric)
        fmts.append([None, None] + ["0.0000" if fmt == PROB_FORMAT and c.endswith("mcse") else fmt for c in columns])
    book.sheet(h["all"], ["actor", "metric"] + columns, rows, fmts, [14, 28] + [15] * len(columns), autofilter=True)

    # 5. how the run was made
    keys = ("name", "config_file", "seed", "draws", "first_draw", "cohort", "engine", "participants", "horizon_months", "simsam_version")
    rows = [[k, (ds.attrs[k].item() if hasattr(ds.attrs[k], "item") else ds.attrs[k])] for k in keys if k in ds.attrs]
    book.sheet(h["run"], [h["what"], h["value"]], rows, [None, None], [18, 70])

    try:
        book.wb.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

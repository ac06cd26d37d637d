"""The self-contained HTML report of a run folder (``simsam report DIR``).

:func:`build_report` reads ``results.nc`` and ``summary.json`` (every number in
the report's tables is taken from ``summary.json``, formatted), finds the
sensitivity results ``sensitivity-<method>/sensitivity.nc`` beside them, draws
the figures into ``DIR/figures/`` (PNG and SVG) and renders one HTML file with
the PNGs embedded, so that it can be mailed to a board and opened offline.

The prose is in the Jinja2 templates ``templates/report_sv.html.j2`` and
``report_en.html.j2`` (one per language, sharing ``base.html.j2`` and
``macros.html.j2``); this module prepares the numbers as text.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config.model import SOCIETY
from ..errors import ConfigError
from . import figures as F
from .describe import config_of, input_rows, input_value, parameter_label, project_facts, state_rows
from .formatting import LANGUAGES, Formatter
from .text import METHOD_NAMES, actor_definite, actor_label, target_label, target_unit

__all__ = ["build_report", "report_context", "render_report", "find_sensitivity", "ReportFigure", "SENSITIVITY_METHODS"]

SENSITIVITY_METHODS = ("tornado", "prcc", "sobol", "morris")


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report: its file stem under ``figures/``, and the embedded PNG."""

    name: str
    src: str
    width_px: int = 0
    extra: dict = field(default_factory=dict)


# -- reading the run folder ---------------------------------------------------------------------------
def find_sensitivity(folder) -> dict[str, Path]:
    """``{method: path}`` of the ``sensitivity-<method>/sensitivity.nc`` files in a run folder."""
    folder = Path(folder)
    found = {}
    for path in sorted(folder.glob("sensitivity-*/sensitivity.nc")):
        method = path.parent.name.removeprefix("sensitivity-")
        found[method] = path
    order = {m: i for i, m in enumerate(SENSITIVITY_METHODS)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))


def _open_sensitivity(path: Path):
    import xarray as xr

    with xr.open_dataset(path) as sens:
        sens = sens.load()
    if "method" not in sens.attrs:
        sens.attrs["method"] = path.parent.name.removeprefix("sensitivity-")
    return sens


def _summary(folder: Path) -> dict:
    """``summary.json``, or the same computed from all of ``results.nc`` (a column at a time)."""
    path = folder / "summary.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    from ..analysis.summary import summary_json, summary_of
    from ..results import ResultsFile

    with ResultsFile(folder / "results.nc") as results:
        return summary_json(results, summary_of(results))


# -- numbers as text ----------------------------------------------------------------------------------
def _m(metrics: dict, name: str, column: str = "median") -> float:
    value = (metrics.get(name) or {}).get(column)
    return math.nan if value is None else float(value)


def _money_cell(f: Formatter, metrics: dict, name: str) -> dict:
    return {"median": f.mkr(_m(metrics, name)), "interval": f.interval(_m(metrics, name, "p05"), _m(metrics, name, "p95"), f.mkr)}


def _payback_months(metrics: dict) -> list[int]:
    return sorted(
        int(k.removeprefix("p_payback_")) for k in metrics if k.startswith("p_payback_") and k.removeprefix("p_payback_").isdigit()
    )


def _years(metrics: dict) -> list[int]:
    return sorted(int(k[len("net_benefit_"):-1]) for k in metrics if k.startswith("net_benefit_") and k.endswith("y"))


def _actor_facts(actor: str, entry: dict, ds, f: Formatter, horizon: int, participants: int) -> dict:
    """Everything the templates say about one actor, as formatted text."""
    m = entry["metrics"]
    months = _payback_months(m)
    years = _years(m)
    last = years[-1] if years else None
    cost = _m(m, "cost", "p95")
    has_cost = math.isfinite(cost) and abs(cost) >= 1e-3
    facts = {
        "id": actor,
        "label": actor_label(actor, f.lang, ds),
        "definite": actor_definite(actor, f.lang, ds),
        "has_cost": has_cost,
        "revenue": _money_cell(f, m, "annual_revenue"),
        "revenue_mean": f.mkr(_m(m, "annual_revenue", "mean")),
        "cost": _money_cell(f, m, "cost"),
        "months": months,
        "p_payback": {mo: f.prob(_m(m, f"p_payback_{mo}", "mean")) for mo in months},
        "p_not_reached": f.prob(_m(m, "p_payback_not_reached", "mean")),
        "p_not_reached_pct": f.pct(_m(m, "p_payback_not_reached", "mean")),
        "payback_median": f.months(_m(m, "payback_months"), horizon),
        "payback_median_reached": math.isfinite(_m(m, "payback_months")),
        "payback_interval": f.month_interval(_m(m, "payback_months", "p05"), _m(m, "payback_months", "p95"), horizon),
        "payback_median_long": f.months(_m(m, "payback_months"), horizon, long=True),
        "payback_interval_long": f.month_interval(_m(m, "payback_months", "p05"), _m(m, "payback_months", "p95"), horizon, long=True),
        "years": years,
        "nb": {y: _money_cell(f, m, f"net_benefit_{y}y") for y in years},
        "p_nb": {y: f.prob(_m(m, f"p_net_benefit_positive_{y}y", "mean")) for y in years},
        "last_year": last,
        "revenue_negative": _m(m, "annual_revenue", "p95") < 0,
        "never_paid_back": (months and _m(m, f"p_payback_{months[-1]}", "mean") < 0.005),
        "p_horizon_zero": (months and _m(m, f"p_payback_{months[-1]}", "mean") == 0),
        "revenue_per_participant": f.kr(round(_m(m, "annual_revenue") / participants, -2)) if participants else "–",
    }
    return facts


def _key_figures(society: dict, entry: dict, ds, f: Formatter, participants: int, horizon: int) -> list[dict]:
    """The key-figure table in NyttoSam's terms: each a median, 90 % interval, per participant and a probability."""
    m = entry["metrics"]
    per = (lambda x: f.kr(round(x / participants, -2))) if participants else (lambda x: "–")
    rows = [
        {"key": "revenue", "median": f.mkr(_m(m, "annual_revenue")), "interval": society["revenue"]["interval"],
         "per_participant": per(_m(m, "annual_revenue")), "probability": ""},
    ]
    if "revenue" in ds:
        total = ds["revenue"].sel(actor=SOCIETY).values.sum(axis=1)
        lo, mid, hi = np.quantile(total, [0.05, 0.5, 0.95])
        rows.append(
            {
                "key": "revenue_total",
                "n": society["last_year"],
                "years": ("year" if society["last_year"] == 1 else "years") if f.lang == "en" else "år",
                "median": f.mkr(mid),
                "interval": f.interval(lo, hi, f.mkr),
                "per_participant": per(mid),
                "probability": "",
            }
        )
    rows.append(
        {
            "key": "cost",
            "median": f.mkr(_m(m, "cost")),
            "interval": society["cost"]["interval"],
            "per_participant": per(_m(m, "cost")),
            "probability": "",
        }
    )
    years = society["years"]
    for y in sorted({years[0], years[-1]}) if years else []:
        rows.append(
            {
                "key": "nb",
                "n": y,
                "years": ("year" if y == 1 else "years") if f.lang == "en" else "år",
                "median": f.mkr(_m(m, f"net_benefit_{y}y")),
                "interval": society["nb"][y]["interval"],
                "per_participant": per(_m(m, f"net_benefit_{y}y")),
                "probability": society["p_nb"][y],
                "p_key": "p_nb",
            }
        )
    rows.append(
        {
            "key": "payback",
            "n": horizon,
            "median": society["payback_median"],
            "interval": society["payback_interval"],
            "per_participant": "",
            "probability": society["p_payback"].get(horizon, ""),
            "p_key": "p_payback",
        }
    )
    if "utilised_potential" in m:
        rows.append({"key": "potential", "median": f.pct(_m(m, "utilised_potential")),
                     "interval": f.interval(_m(m, "utilised_potential", "p05"), _m(m, "utilised_potential", "p95"), f.pct),
                     "per_participant": "", "probability": ""})
    return rows


def _mc_precision(summary: dict) -> float:
    """Twice the largest Monte Carlo standard error of the probabilities the report quotes."""
    worst = 0.0
    for entry in summary["actors"].values():
        for name, row in entry["metrics"].items():
            if name.startswith("p_") and row.get("mcse") is not None:
                worst = max(worst, float(row["mcse"]))
    return 2 * worst


def _sensitivity_section(method: str, sens, ds, f: Formatter, figure: ReportFigure, top: int = 8) -> dict:
    config = config_of(ds)
    table = F.sensitivity_data(sens, top)
    target = sens.attrs.get("target")
    unit = target_unit(target, sens.attrs.get("target_units"))

    def value(x):
        if unit == "kr":
            return f.mkr(x)
        if unit == "months":
            return f.months(x, 10**6) if np.isfinite(x) else "–"
        if unit in ("probability",):
            return f.decimal(x, 2)
        if unit == "share":
            return f.pct(x)
        return f.significant(x, 3)

    rows = []
    for path, r in table.iterrows():
        label = parameter_label(str(path), config, f.lang)
        if method == "tornado":
            cells = [
                f"{input_value(r['low_value'], str(path), config, f, approx=True, per=False)} → {value(r['low'])}",
                f"{input_value(r['high_value'], str(path), config, f, approx=True, per=False)} → {value(r['high'])}",
                value(r["swing"]),
            ]
        elif method == "prcc":
            cells = [f.decimal(r["prcc"], 2), f.interval(r.get("prcc_low"), r.get("prcc_high"), lambda x: f.decimal(x, 2)),
                     f.decimal(r["p_value"], 3) if r.get("p_value", 1) >= 0.001 else f"<{f.space}{f.decimal(0.001, 3)}"]
        elif method == "sobol":
            cells = [
                f"{f.decimal(r['S1'], 2)} ± {f.decimal(r.get('S1_conf'), 2)}",
                f"{f.decimal(r['ST'], 2)} ± {f.decimal(r.get('ST_conf'), 2)}",
            ]
        else:
            cells = [
                f"{value(r['mu_star'])} ± {value(r.get('mu_star_conf'))}" if "mu_star_conf" in r else value(r["mu_star"]),
                value(r.get("sigma")),
            ]
        rows.append({"label": label, "path": str(path), "cells": cells})
    base = None
    if method == "tornado" and len(table):
        base = value(float(np.nanmedian(table["base"])))
    return {
        "method": method,
        "name": METHOD_NAMES[f.lang].get(method, method),
        "target": target_label(target, sens.attrs.get("actor"), f.lang, ds),
        "figure": figure,
        "rows": rows,
        "top": [(f"”{row['label']}”" if f.lang == "sv" else f"“{row['label']}”") for row in rows[:3]],
        "base": base,
        "n": sens.attrs.get("n", sens.attrs.get("sample_size", sens.attrs.get("draws", ""))),
    }


# -- the figures ---------------------------------------------------------------------------------------
def _draw(ds, lang: str, sensitivity: dict, folder: Path, dpi: int) -> dict[str, ReportFigure]:
    """Draw every figure, write PNG and SVG into ``folder``, and embed the PNGs."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    drawings = {
        "investment": lambda: F.investment_view(ds, lang=lang),
        "net_benefit_society": lambda: F.net_benefit_fan(ds, lang=lang),
        "payback_histogram": lambda: F.payback_histogram(ds, lang=lang),
        "revenue_by_actor": lambda: F.revenue_intervals(ds, lang=lang),
        "acceptability": lambda: F.acceptability_curve(ds, lang=lang),
        "net_benefit_actors": lambda: F.net_benefit_fan_actors(ds, lang=lang),
    }
    for method, sens in sensitivity.items():
        drawings[f"sensitivity_{method}"] = lambda sens=sens: F.sensitivity_chart(sens, ds=ds, lang=lang)
    out = {}
    for name, draw in drawings.items():
        fig = draw()
        png, _svg = F.save_figure(fig, folder, name, dpi=dpi)
        extra = {}
        if name == "payback_histogram":
            extra["not_reached"] = fig.simsam_data.not_reached
        width = int(round(fig.get_figwidth() * dpi))
        out[name] = ReportFigure(name, F.png_data_uri(path=png), width, extra)
    return out


# -- context and rendering -------------------------------------------------------------------------
def report_context(ds, summary: dict, figures: dict[str, ReportFigure], sensitivity: dict, lang: str = "sv") -> dict:
    """The numbers and words the templates render, all as formatted text (no-break spaces)."""
    f = Formatter(lang, space="\u00a0")
    horizon = int(ds.attrs.get("horizon_months", summary["run"].get("horizon_months", 60)))
    participants = int(ds.attrs.get("participants", summary["run"].get("participants", 0)) or 0)
    config = config_of(ds)
    meta = config.get("meta") or {}
    shown = F.active_actors(ds)
    actors = {a: _actor_facts(a, summary["actors"][a], ds, f, horizon, participants) for a in summary["actors"] if a in shown}
    silent = [actor_label(a, lang, ds) for a in summary["actors"] if a not in shown]
    society = actors.get(SOCIETY) or _actor_facts(SOCIETY, summary["actors"][SOCIETY], ds, f, horizon, participants)
    run = summary["run"]
    return {
        "lang": lang,
        "title": meta.get("name") or run.get("name") or ds.attrs.get("name", "simsam"),
        "meta": {
            "source": meta.get("source", ""),
            "price_level": meta.get("price_level", ""),
            "assumptions": [str(a) for a in meta.get("assumptions", [])]
            if isinstance(meta.get("assumptions", []), list)
            else [str(meta["assumptions"])],
            "extra": {
                k: v
                for k, v in meta.items()
                if k not in ("name", "source", "price_level", "assumptions") and isinstance(v, (str, int, float))
            },
        },
        "run": {
            "draws": f.number(run.get("draws", ds.sizes.get("draw", 0))),
            "figure_draws": f.number(ds.sizes["draw"]) if ds.sizes.get("draw", 0) < int(run.get("draws", 0) or 0) else "",
            "seed": run.get("seed", ""),
            "cohort": run.get("cohort", ""),
            "engine": ds.attrs.get("engine", ""),
            "participants": f.number(participants),
            "horizon": horizon,
            "years": society["last_year"],
            "version": run.get("simsam_version", ""),
            "config_file": Path(str(run.get("config_file", ""))).name,
            "discounted": bool((config.get("simulation") or {}).get("discount_rate", 0)),
            "discount_rate": f.pct((config.get("simulation") or {}).get("discount_rate", 0) or 0),
        },
        "society": society,
        "key_figures": _key_figures(society, summary["actors"][SOCIETY], ds, f, participants, horizon),
        "actors": [v for k, v in actors.items() if k != SOCIETY],
        "cost_actors": [v for k, v in actors.items() if k != SOCIETY and v["has_cost"]],
        "other_actors": [v for k, v in actors.items() if k != SOCIETY and not v["has_cost"]],
        "silent": silent,
        "figures": figures,
        "not_reached": f.pct(figures["payback_histogram"].extra.get("not_reached", math.nan)) if "payback_histogram" in figures else "",
        "mc_precision": f.decimal(max(_mc_precision(summary), 0.001), 3),
        "facts": project_facts(ds, f),
        "states": state_rows(ds, f),
        "inputs": input_rows(ds, f),
        "sensitivity": [
            _sensitivity_section(m, s, ds, f, figures[f"sensitivity_{m}"]) for m, s in sensitivity.items() if f"sensitivity_{m}" in figures
        ],
        "missing_methods": [METHOD_NAMES[lang][m] for m in SENSITIVITY_METHODS if m not in sensitivity],
    }


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("simsam.report", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["cap"] = lambda s: (s[:1].upper() + s[1:]) if s else s
    return env


def render_report(context: dict) -> str:
    """The HTML text of the report for a :func:`report_context`."""
    return _environment().get_template(f"report_{context['lang']}.html.j2").render(**context)


def _write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: The figures and the input table are drawn from at most this many draws (the
#: first: draws are exchangeable); every other number of the report comes from
#: summary.json, over all draws. A 10⁷-draw results.nc is 12 GB.
FIGURE_DRAWS = 1_000_000


def build_report(folder, *, lang: str = "sv", out=None, dpi: int = 200) -> Path:
    """Figures under ``folder/figures/`` and the HTML report (``folder/report.html`` or ``out``); return the report's path.

    Raises :class:`simsam.ConfigError` when the folder has no ``results.nc``.
    """
    from ..results import read_results
    from ..util import atomic_folder

    if lang not in LANGUAGES:
        raise ConfigError("--lang", f"must be one of {', '.join(LANGUAGES)}, not '{lang}'")
    folder = Path(folder)
    if not (folder / "results.nc").is_file():
        raise ConfigError(str(folder), "no results.nc here: run `simsam run CONFIG --out DIR` first")
    out = Path(out) if out is not None else folder / "report.html"
    if out.is_dir():
        raise ConfigError("--out", f"'{out}' is a folder, not a file")
    ds = read_results(folder, max_draws=FIGURE_DRAWS)
    summary = _summary(folder)
    sensitivity = {m: _open_sensitivity(p) for m, p in find_sensitivity(folder).items()}
    with atomic_folder(folder / "figures") as tmp:
        figures = _draw(ds, lang, sensitivity, tmp, dpi)
    context = report_context(ds, summary, figures, sensitivity, lang)
    _write_text_atomic(out, render_report(context))
    if not (folder / "summary.xlsx").exists():
        from ..analysis.summary import summary_of
        from ..results import ResultsFile
        from .excel import write_summary_xlsx

        with ResultsFile(folder / "results.nc") as results:
            write_summary_xlsx(results, summary_of(results), folder / "summary.xlsx")
    return out

"""The self-contained HTML report of a run or experiment folder (``simsam report DIR``).

:func:`build_report` finds every analysis in the folder
(:func:`simsam.report.folder.find_analyses`): the run's ``results.nc`` and
``summary.json`` (every number in the report's tables is taken from
``summary.json``, formatted), and beside it the scenarios (``compare.csv``),
break-even values (``breakeven.json``), decision analysis (``decision.nc``),
sensitivity analyses (``sensitivity.nc``), a portfolio (``portfolio.csv``) and an
experiment's ``manifest.json``. It draws the figures into ``DIR/figures/<lang>/``
(PNG and SVG; one folder per language, so a report in one language never
overwrites the other's figures) and renders one HTML file with the PNGs
embedded, so that it can be mailed to a board and opened offline.

The prose is in the Jinja2 templates ``templates/report_sv.html.j2`` and
``report_en.html.j2`` (one per language, sharing ``base.html.j2`` and
``macros.html.j2``); this module prepares the numbers as text.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing as mp
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.summary import TOTALS, summary_json, summary_of, totals_of
from ..config.model import SOCIETY, reader_text
from ..errors import ConfigError
from ..results import ResultsFile, read_results
from ..util import atomic_folder
from . import figures as F
from .describe import (
    assumption_rows,
    config_of,
    input_rows,
    input_value,
    lower_first,
    parameter_label,
    project_facts,
    state_rows,
    timing_of,
    valuation_of,
    value_kind,
)
from .excel import write_summary_xlsx
from .folder import SENSITIVITY_METHODS, find_analyses
from .formatting import LANGUAGES, Formatter
from .tables import low_grade_ranking, split_name, split_notes, split_settlement_lines
from .text import METHOD_NAMES, actor_definite, actor_label, evidence_sentence, grade_label, target_label, target_unit, total_label

__all__ = ["build_report", "report_context", "render_report", "find_sensitivity", "ReportFigure", "SENSITIVITY_METHODS",
           "default_language", "SECTION_TITLES"]


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
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    with xr.open_dataset(path) as sens:
        sens = sens.load()
    if "method" not in sens.attrs:
        sens.attrs["method"] = path.parent.name.removeprefix("sensitivity-")
    return sens


def _summary(folder: Path) -> dict:
    """``summary.json``, or the same computed from all of ``results.nc`` (a column at a time)."""
    path = folder / "summary.json"

    if path.exists():
        summary = json.loads(path.read_text(encoding="utf-8"))
        if "totals" not in summary:  # written before totals existed: sum the actors' columns now

            with ResultsFile(folder / "results.nc") as results:
                totals = totals_of(results)
            summary["totals"] = {
                name: {"label": TOTALS[name][1], "actors": t["actors"],
                       "metrics": {m: {c: (None if isinstance(v, float) and not math.isfinite(v) else v) for c, v in row.items()}
                                   for m, row in t["rows"].items()}}
                for name, t in totals.items()
            }
        return summary

    with ResultsFile(folder / "results.nc") as results:
        return summary_json(results, summary_of(results))


# -- numbers as text ----------------------------------------------------------------------------------
def _m(metrics: dict, name: str, column: str = "median") -> float:
    value = (metrics.get(name) or {}).get(column)
    return math.nan if value is None else float(value)


def _money_cell(f: Formatter, metrics: dict, name: str) -> dict:
    lo, hi = _m(metrics, name, "p05"), _m(metrics, name, "p95")
    if math.isfinite(lo) and math.isfinite(hi) and abs(hi - lo) < 0.5:  # the same in every draw: no interval to give
        return {"median": f.mkr(_m(metrics, name)), "interval": "fast värde" if f.lang == "sv" else "fixed"}
    return {"median": f.mkr(_m(metrics, name)), "interval": f.interval(lo, hi, f.mkr)}


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


def _groups_section(summary: dict, ds, f: Formatter, figure, horizon: int) -> dict | None:
    """Results by group (``[groups]``, ``summary.json``'s ``groups``): society per group, each actor per group,
    and the probability that each group gives society the most net benefit per participant."""
    groups = summary.get("groups") or {}
    if not groups or "group_net_benefit" not in ds:
        return None
    shown = [a for a in F.active_actors(ds) if a in summary["actors"]]
    years = _years(summary["actors"][SOCIETY]["metrics"])
    year = years[-1]
    ids = [str(g) for g in ds["group"].values if str(g) in groups]
    sizes = np.array([groups[g]["participants"] for g in ids], dtype=float)
    # Society's net benefit per participant after the last year, per draw and group: which group gains most, draw by draw.
    nb = ds["group_net_benefit"].sel(actor=SOCIETY, year=year).values[:, [list(map(str, ds["group"].values)).index(g) for g in ids]]
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(sizes > 0, nb / np.where(sizes > 0, sizes, 1.0), -np.inf)
    best = np.bincount(np.argmax(per, axis=1), minlength=len(ids)) / max(per.shape[0], 1)

    def row(entry: dict, participants: int, gid: str, p_best: float) -> dict:
        m = entry["actors"][SOCIETY]["metrics"]
        return {
            "id": gid,
            "label": entry.get("label", gid),
            "participants": f.number(participants),
            "cost": f.mkr(_m(m, "cost")),
            "revenue": _money_cell(f, m, "annual_revenue"),
            "nb": _money_cell(f, m, f"net_benefit_{year}y"),
            "nb_per": f.kr(round(_m(m, f"net_benefit_{year}y") / participants, -2)) if participants else f.missing,
            "payback": f.months(_m(m, "payback_months"), horizon),
            "payback_long": f.months(_m(m, "payback_months"), horizon, long=True),
            "payback_reached": math.isfinite(_m(m, "payback_months")),
            "payback_interval": f.month_interval(_m(m, "payback_months", "p05"), _m(m, "payback_months", "p95"), horizon),
            "p_payback": f.prob(_m(m, f"p_payback_{horizon}", "mean")),
            "p_best": f.prob(p_best),
            "p_best_pct": f.pct(p_best) if math.isfinite(p_best) else f.missing,
            "cost_share": f.pct(float(entry.get("cost_share", 0.0))),
        }

    rows = [row(groups[g], int(groups[g]["participants"]), g, best[i]) for i, g in enumerate(ids)]
    participants = int(ds.attrs.get("participants", sizes.sum()))
    everyone = row({"label": "", "actors": summary["actors"]}, participants, "all", math.nan)
    actors = []
    for a in shown:
        cells = []
        for g in ids:
            m = groups[g]["actors"][a]["metrics"]
            no_cost = bool(groups[g]["actors"][a].get("no_cost"))
            cell = _money_cell(f, m, f"net_benefit_{year}y")
            cells.append({"nb": cell["median"], "interval": cell["interval"],
                          "p": "—" if no_cost else f.prob(_m(m, f"p_payback_{horizon}", "mean"))})
        actors.append({"id": a, "label": actor_label(a, f.lang, ds), "cells": cells})
    shares = [float(groups[g].get("cost_share", 0.0)) for g in ids]
    per_head = [s / n for s, n in zip(shares, sizes) if n > 0]
    top = int(np.argmax(best))
    return {
        "rows": rows,
        "all": everyone,
        "actors": actors,
        "year": year,
        "horizon": horizon,
        "figure": figure,
        "weighted": len({round(x, 12) for x in per_head}) > 1,
        "best": rows[top]["label"],
        "p_best": rows[top]["p_best_pct"],
        "two": len(rows) == 2,
        "other": rows[1 - top]["label"] if len(rows) == 2 else "",
    }


def _monitor_section(path: Path, ds, f: Formatter, figure) -> dict:
    """The follow-up of a running project (``simsam monitor``'s ``monitor.json``): who has left, the outcomes so far
    against what was expected at the start, the shares' posterior, each actor's P(payback ≤ M) at the start and now."""
    m = json.loads((path / "monitor.json").read_text(encoding="utf-8"))
    config = config_of(ds)
    sv = f.lang == "sv"
    people = m["participants"]
    states = []
    for k, st in m["states"].items():
        e = st["expected_so_far"]
        if st["p_expected_at_most_observed"] < 0.05:
            verdict = "färre än väntat" if sv else "fewer than expected"
        elif st["p_expected_at_least_observed"] < 0.05:
            verdict = "fler än väntat" if sv else "more than expected"
        else:
            verdict = "som väntat" if sv else "as expected"
        states.append({
            "id": k, "label": _state_label(config, k, st["label"], f.lang), "observed": f.number(st["observed"]),
            "expected": f.number(e["median"]), "expected_interval": f.interval(e["p05"], e["p95"], f.number), "verdict": verdict,
            "notable": verdict not in ("som väntat", "as expected"),
            "prior": f.pct(st["prior_mean"]), "prior_interval": f.interval(st["prior_p05"], st["prior_p95"], f.pct),
            "posterior": f.pct(st["posterior_mean"]), "posterior_interval": f.interval(st["posterior_p05"], st["posterior_p95"], f.pct),
            "remaining": f.number(st["remaining"]["median"]), "remaining_interval": f.interval(st["remaining"]["p05"],
                                                                                               st["remaining"]["p95"], f.number),
            "final": f.number(st["final"]["median"]), "final_interval": f.interval(st["final"]["p05"], st["final"]["p95"], f.number),
        })
    months = [int(x) for x in m["months"]]
    horizon = int(m["horizon_months"])
    shown = set(F.active_actors(ds))
    actors = []
    for a, entry in m["actors"].items():
        if not entry.get("has_flows", True) or (a not in shown and a != SOCIETY):
            continue
        nb = entry["net_benefit"]
        row = {"id": a, "label": actor_label(a, f.lang, ds), "definite": actor_definite(a, f.lang, ds), "no_cost": entry["no_cost"],
               "nb_start": f.mkr(nb["start"]["median"]), "nb_now": f.mkr(nb["now"]["median"]), "cells": []}
        if not entry["no_cost"]:
            for mo in months:
                v = entry["p_payback"][str(mo)]
                moved = abs(v["difference"]) > 2 * (v["difference_mcse"] or 0.0) and abs(v["difference"]) >= 0.005
                row["cells"].append({"start": f.prob(v["start"]), "now": f.prob(v["now"]),
                                     "diff": _signed_decimal(f, v["difference"]) if moved else ("±" + f.decimal(0, 2)),
                                     "se": f.decimal(v["difference_mcse"], 3)})
            h = entry["p_payback"][str(horizon)]
            row["up"] = h["difference"] > 2 * (h["difference_mcse"] or 0.0) and h["difference"] >= 0.005
            row["down"] = -h["difference"] > 2 * (h["difference_mcse"] or 0.0) and h["difference"] <= -0.005
            row["p_start"], row["p_now"] = f.prob(h["start"]), f.prob(h["now"])
            med = entry.get("payback_median") or {}
            row["median_start"] = f.months(med.get("start") if med.get("start") is not None else math.nan, horizon, long=True)
            row["median_now"] = f.months(med.get("now") if med.get("now") is not None else math.nan, horizon, long=True)
        actors.append(row)
    society = next((a for a in actors if a["id"] == SOCIETY), None)
    exits = m["exits"]
    return {
        "name": path.name,
        "as_of": m["as_of"],
        "start": m["start"],
        "month": m["as_of_month"],
        "draws": f.number(int(m["draws"])),
        "people": {k: f.number(v) if isinstance(v, (int, float)) else v for k, v in people.items()},
        "excluded_codes": ", ".join(f"{k} ({v})" for k, v in (people.get("excluded_codes") or {}).items()),
        "states": states,
        "notable": [s for s in states if s["notable"]],
        "actors": actors,
        "cost_actors": [a for a in actors if not a["no_cost"] and a["id"] != SOCIETY],
        "society": society,
        "months": months,
        "horizon": horizon,
        "fixed": m.get("shares_kind") == "fixed",
        "project_timing": m.get("timing") == "project",
        "planned_by_as_of": f.number(exits["planned_by_as_of"]) if exits.get("planned_by_as_of") is not None else None,
        "figure": figure,
        "years": next(iter(m["actors"].values()))["net_benefit"]["year"],
    }


def _split_section(path: Path, split: dict, ds, f: Formatter, figure) -> dict:
    """Who should pay what (``simsam split``'s ``split.json``): every split's shares and, per financing actor, P(payback),
    the median payback, the expected net benefit and the settlement; society, the same under each."""
    lang = f.lang
    actors = split["financing_actors"]
    months = [str(m) for m in split["months"]]
    horizon = int(split["horizon_months"])
    rows = []
    for name, sp in split["splits"].items():
        cells = []
        for a in actors:
            e = sp["actors"][a]
            med = e["payback_median"]["median"]
            no_cost = e.get("no_cost", False)  # nothing to pay back: no payback figures
            cells.append({
                "id": a, "label": actor_label(a, lang, ds), "share": f.pct(e["share"], 0 if e["share"] >= 0.095 or e["share"] == 0 else 1),
                "cost": f.mkr(e["cost"]["mean"]),
                "p": [{"value": "—", "se": ""} if no_cost else {"value": f.prob(e["p_payback"][m]["mean"]),
                                                                "se": f.decimal(e["p_payback"][m]["mcse"], 3)} for m in months],
                "median": "—" if no_cost else f.months(med if med is not None else math.nan, horizon),
                "nb": f.mkr(e["net_benefit"]["mean"]), "nb_se": f.mkr(e["net_benefit"]["mcse"]),
                "p_nb": f.prob(e["p_net_benefit_positive"]["mean"]),
                "transfer": ("+" if e["transfer"] > 0 else "") + f.mkr(e["transfer"]),
                "p_after": f.prob(e["p_net_benefit_positive_settled"]["mean"]),
            })
        rows.append({"id": name, "name": split_name(name, split, lang), "actors": cells})
    current = split["splits"]["current"]["actors"]
    p_h = {a: current[a]["p_payback"][months[-1]]["mean"] for a in actors}
    best, worst = max(actors, key=lambda a: p_h[a]), min(actors, key=lambda a: p_h[a])
    together = sum(current[a]["net_benefit"]["mean"] for a in actors)
    society = split["society"]
    benefit = split["splits"].get("benefit")
    return {
        "name": path.name,
        "draws": f.number(int(split["draws"])),
        "actors": [{"id": a, "label": actor_label(a, lang, ds), "definite": actor_definite(a, lang, ds)} for a in actors],
        "rows": rows,
        "months": months,
        "horizon": horizon,
        "years": split["years"],
        "year": split["year"],
        "level": f.decimal(split["level"], 2),
        "month": split["month"],
        "cost": f.mkr(split["financed_cost"]["mean"]),
        "best": {"definite": actor_definite(best, lang, ds), "p": f.prob(p_h[best])},
        "worst": {"definite": actor_definite(worst, lang, ds), "p": f.prob(p_h[worst])},
        "together": f.mkr(together), "together_positive": together >= 0,
        "society_nb": f.mkr(society["net_benefit"]["mean"]), "society_p": f.prob(society["p_payback"][months[-1]]["mean"]),
        "benefit": None if benefit is None else ", ".join(
            f"{actor_definite(a, lang, ds)} {f.pct(benefit['shares'][a], 0)}" for a in actors if benefit["shares"][a] > 0),
        "settlements": split_settlement_lines(split, lang),
        "notes": split_notes(split, lang),
        "source": split["finsam_source"],
        "figure": figure,
    }


def _monitor_section_states(monitor: dict, ds, lang: str) -> list[dict]:
    """The outcome states of a ``monitor.json`` with their labels in ``lang``."""
    config = config_of(ds)
    return [{"id": k, "label": _state_label(config, k, st["label"], lang)} for k, st in monitor["states"].items()]


def _state_label(config: dict, state: str, fallback: str, lang: str) -> str:
    """An outcome state's label: the config's in Swedish, its id in words in English (as the report's other tables)."""
    label = ((config.get("outcomes") or {}).get("states") or {}).get(state, {}).get("label")
    if lang == "sv":
        return str(label or fallback or state)
    return state.replace("_", " ").capitalize()


def _signed_decimal(f: Formatter, x: float) -> str:
    text = f.decimal(x, 2)
    return text if text.startswith("\u2212") else "+" + text


def _mc_precision(draws: int) -> float:
    """An upper bound of two Monte Carlo standard errors of any probability from ``draws`` draws: ``2·√(¼/n) = 1/√n``.

    A bound rather than the largest estimated error: a probability estimated as 0
    or 1 has an estimated error of 0, which says nothing about the draws not seen.
    """
    return 1.0 / math.sqrt(max(int(draws), 1))


def _sensitivity_section(method: str, sens, ds, f: Formatter, figure: ReportFigure, top: int = 8, time_figure=None) -> dict:
    key, method = method, str(sens.attrs.get("method", method))
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
        label = F.row_label(str(path), sens, ds, f.lang)
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
        "id": key,
        "by_evidence": sens.attrs.get("by") == "evidence",
        "evidence": _evidence_rows(sens, ds, f) if "actor_ST" in sens else None,
        "sentence": evidence_sentence(sens, f.lang),
        "time_figure": time_figure,
        "time": _time_facts(sens, ds, f) if "net_benefit_S1" in sens or "net_benefit_prcc" in sens else None,
        "name": METHOD_NAMES[f.lang].get(method, method),
        "target": target_label(target, sens.attrs.get("actor"), f.lang, ds),
        "figure": figure,
        "rows": rows,
        "top": [(f"”{row['label']}”" if f.lang == "sv" else f"“{row['label']}”") for row in rows[:3]],
        "base": base,
        "n": sens.attrs.get("n", sens.attrs.get("sample_size", sens.attrs.get("draws", ""))),
    }


def _evidence_rows(sens, ds, f: Formatter) -> dict:
    """``--by evidence``: per actor with a varying target, each grade's S1 and ST (the table under the sentence)."""
    grades = [str(g) for g in sens["parameter"].values]
    shown = set(F.active_actors(ds))
    rows = []
    for i, actor in enumerate(sens["actor"].values.tolist()):
        st = sens["actor_ST"].values[i]
        if actor not in shown or not np.isfinite(st).any():
            continue
        s1 = sens["actor_S1"].values[i]
        rows.append({"label": actor_label(actor, f.lang, ds),
                     "cells": [f"{f.pct(min(max(a, 0.0), 1.0))} / {f.pct(min(max(b, 0.0), 1.0))}"
                               if np.isfinite(a) and np.isfinite(b) else "–" for a, b in zip(s1, st)]})
    # Estimates stray past 0 and 100 % by their Monte Carlo error; shown clipped (the files keep them as estimated).
    return {"grades": [F.row_label(g, sens, ds, f.lang) for g in grades], "rows": rows,
            "left_out": len(rows) < len(shown & set(sens["actor"].values.tolist()))}


def _time_facts(sens, ds, f: Formatter) -> dict:
    """``--over-time``: the command's actor's most important input in the first and the last year (Sobol S1 or |PRCC|)."""
    measure = "S1" if "net_benefit_S1" in sens else "prcc"
    actor = str(sens.attrs.get("actor", SOCIETY))
    values = np.abs(sens[f"net_benefit_{measure}"].sel(actor=actor).values)  # (year, parameter)
    names = [str(p) for p in sens["parameter"].values]
    years = [int(y) for y in sens["year"].values]

    def top(k):
        row = np.nan_to_num(values[k], nan=-np.inf)
        j = int(np.argmax(row))
        value = f.pct(values[k, j]) if measure == "S1" else f.decimal(values[k, j], 2)
        return {"label": F.row_label(names[j], sens, ds, f.lang), "value": value}

    return {"measure": measure, "actor": actor_definite(actor, f.lang, ds), "first": top(0), "last": top(-1), "years": years[-1]}


# -- the other analyses, as text ------------------------------------------------------------------------
def _scenario_labels(config: dict, lang: str, fallback: dict) -> dict:
    """Scenario name → its label in ``lang`` (a label may be given per language), else the compare file's label."""
    out = dict(fallback)
    for name, table in (config.get("scenarios") or {}).items():
        if isinstance(table, dict) and "label" in table:
            out[name] = str(reader_text(table["label"], lang))
    return out


def _compare_section(path: Path, table, labels: tuple[dict, str], name: str, ds, f: Formatter, figure) -> dict:
    """The scenarios against the base: per contrast and actor the paired differences (``compare.csv``, read as ``table``)."""
    labels, reference = labels
    years = sorted(int(m[len("net_benefit_"):-1]) for m in set(table["metric"]) if m.startswith("net_benefit_") and m.endswith("y"))
    last = years[-1]
    horizon = int(ds.attrs.get("horizon_months", 12 * last))
    shown = F.active_actors(ds)
    contrasts = []
    for c in dict.fromkeys(table["contrast"].tolist()):
        part = table[table["contrast"] == c]
        rows = []
        for actor in [a for a in dict.fromkeys(part["actor"].tolist()) if a in shown]:
            m = part[part["actor"] == actor].set_index("metric")
            nb, pb = m.loc[f"net_benefit_{last}y"], m.loc["payback_months"]
            pr = m.loc[f"p_payback_{horizon}"] if f"p_payback_{horizon}" in m.index else None
            no_cost = actor != SOCIETY and float(np.nanmax(np.abs(ds["cost"].sel(actor=actor).values), initial=0)) < 1e-3
            same_nb = _unchanged(nb)
            same_pb = _unchanged(pb)
            unchanged = "oförändrad" if f.lang == "sv" else "unchanged"
            rows.append({
                "id": actor,
                "label": actor_label(actor, f.lang, ds),
                "nb": unchanged if same_nb else _signed_mkr(f, nb["median"]),
                "nb_interval": "" if same_nb else _signed_interval(f, nb["p05"], nb["p95"], lambda x: _signed_mkr(f, x)),
                "p_higher": f.missing if same_nb else f.prob(nb["p_better"]),
                "payback": "—" if no_cost else (unchanged if same_pb else _signed_months(f, pb["median"])),
                "payback_interval": "" if no_cost or same_pb else _signed_interval(f, pb["p05"], pb["p95"], lambda x: _signed_months(f, x)),
                "p_earlier": "—" if no_cost else (f.missing if same_pb else f.prob(pb["p_better"])),
                "p_ref": "—" if no_cost or pr is None else f"{f.prob(pr['reference_mean'])} → {f.prob(pr['variant_mean'])}",
            })
        soc = part[(part["actor"] == SOCIETY) & (part["metric"] == f"net_benefit_{last}y")].iloc[0]
        contrasts.append({
            "name": c,
            "label": labels.get(c, c),
            "rows": rows,
            "society_median": _signed_mkr(f, soc["median"]),
            "society_interval": _signed_interval(f, soc["p05"], soc["p95"], lambda x: _signed_mkr(f, x)),
            "society_p": f.prob(soc["p_better"]),
        })
    base = ("grundfallet" if f.lang == "sv" else "the base case") if reference == "base" else labels.get(reference, reference)
    return {"id": f"scenarier-{_slug(name)}", "name": name, "reference": base, "contrasts": contrasts,
            "years": last, "horizon": horizon, "figure": figure,
            "draws": f.number(int(ds.attrs.get("draws", 0)))}


def _signed_mkr(f: Formatter, x) -> str:
    text = f.mkr(x)
    return text if text.startswith(("\u2212", f.missing)) or text.startswith(f"0{',' if f.lang == 'sv' else '.'}0{f.space}") else "+" + text


def _unchanged(row) -> bool:
    """A paired difference that is zero in every draw (the scenario does not touch this actor)."""
    return all(abs(float(row[k])) < 1e-9 for k in ("median", "p05", "p95") if row[k] == row[k])


def _signed_interval(f: Formatter, lo, hi, fmt) -> str:
    """``+0,16 till +1,5 mkr``: signed ends joined by words (a dash between signs reads as a minus)."""
    a, b = fmt(lo), fmt(hi)
    if a == b:
        return a
    joiner = " till " if f.lang == "sv" else " to "
    for unit in ("mkr", "Mkr"):
        tail = f"{f.space}{unit}"
        if a.endswith(tail) and b.endswith(tail):
            return f"{a[: -len(tail)]}{joiner}{b}"
    return f"{a}{joiner}{b}"


def _signed_months(f: Formatter, x) -> str:
    if not math.isfinite(float(x)):
        return f.missing
    text = f.number(x)
    return text if text.startswith("\u2212") or text == "0" else "+" + text


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(text).lower())


def _breakeven_section(paths: list[Path], names: dict, ds, f: Formatter) -> dict:
    """Each break-even value as a sentence and a table row (``breakeven.json``), values with their units."""
    config = config_of(ds)
    rows = []
    sv = f.lang == "sv"
    for path in paths:
        r = json.loads((path / "breakeven.json").read_text(encoding="utf-8"))
        param = str(r["parameter"])

        def value(x, param=param):
            if x is None or not math.isfinite(float(x)):
                return f.missing
            kind, unit = value_kind(param, config)
            if kind == "share" and not unit:
                return f.pct(float(x), 1)
            if kind == "mkr":
                return f.mkr(float(x), 2)
            return input_value(float(x), param, config, f, per=False)

        who = actor_definite(str(r["actor"]), f.lang, ds)
        found = r.get("value") is not None and math.isfinite(float(r["value"]))
        rows.append({
            "name": names.get(path, path.name),
            "label": parameter_label(param, config, f.lang),
            "path": param,
            "actor": who,
            "month": int(r["month"]),
            "probability": f.decimal(float(r["probability"]), 2),
            "found": found,
            "value": value(r.get("value")),
            "interval": f.interval(r.get("ci_low"), r.get("ci_high"), value) if found else "",
            "base": value(r.get("base_value")),
            "p_run": f.decimal(float(r["p_run"]), 2) if r.get("p_run") is not None else f.missing,
            "switching": value(r.get("switching_value")),
            "direction": r.get("direction", ""),
            "message": r.get("message", ""),
            "higher_is_better": r.get("direction") == "increasing",
        })
    return {"rows": rows, "draws": f.number(int(ds.attrs.get("draws", 0))), "sv": sv}


def _decision_section(path: Path, options: dict, ds, f: Formatter, figure) -> dict:
    """Acceptability, EVPI per actor and year, and the largest EVPPIs in plain words (``decision.nc``)."""
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    with xr.open_dataset(path / "decision.nc", engine="h5netcdf") as dec:
        dec = dec.load()
    years = [int(y) for y in dec["year"].values]
    year = int(options.get("year", years[-1])) if int(options.get("year", years[-1])) in years else years[-1]
    participants = int(dec.attrs.get("participants", ds.attrs.get("participants", 0)) or 0)
    shown = [a for a in F.active_actors(ds) if a in dec["actor"].values.tolist()]
    evpi_rows = []
    for actor in shown:
        e = dec.sel(actor=actor)
        evpi_rows.append({
            "id": actor,
            "label": actor_label(actor, f.lang, ds),
            "enb": f.mkr(float(e["expected_net_benefit"].sel(year=year))),
            "p_positive": f.prob(float(e["p_net_benefit_positive"].sel(year=year))),
            "evpi": [_kr3(f, float(e["evpi"].sel(year=y))) for y in years],
            "evpi_per": f.kr(round(float(e["evpi_per_participant"].sel(year=year)), -1)),
        })
    soc = dec.sel(actor=SOCIETY, year=year)
    evpi = float(soc["evpi"])
    config = config_of(ds)
    top = []
    if dec.sizes.get("input", 0):
        order = np.argsort(-soc["evppi"].values)
        for i in order[:5]:
            value = float(soc["evppi"].values[i])
            if value <= 0:
                break
            name = str(dec["input"].values[i])
            top.append({
                "label": " + ".join(parameter_label(p.strip(), config, f.lang) for p in name.split("+")),
                "path": name,
                "evppi": _kr3(f, value),
                "per": f.kr(round(value / participants, -1)) if participants else f.missing,
                "share": f.pct(value / evpi) if evpi > 0 else f.missing,
            })
    grades, measure = [], []
    if dec.sizes.get("grade", 0):
        for k, g in enumerate(dec["grade"].values.tolist()):
            value = float(soc["evppi_grade"].values[k])
            grades.append({"label": grade_label(g, f.lang), "grade": g, "evppi": _kr3(f, value),
                           "per": f.kr(round(value / participants, -1)) if participants else f.missing,
                           "share": f.pct(value / evpi) if evpi > 0 else f.missing})
        for name, value, _r2 in low_grade_ranking(dec, year)[:5]:
            if value < 1000:
                break
            measure.append({"label": " + ".join(parameter_label(p.strip(), config, f.lang) for p in name.split("+")),
                            "evppi": _kr3(f, value), "per": f.kr(round(value / participants, -1)) if participants else f.missing})
    return {
        "grades": grades,
        "measure": measure,
        "year": year,
        "years": years,
        "evpi_rows": evpi_rows,
        "evpi": _kr3(f, evpi),
        "evpi_zero": evpi < 1.0,
        "evpi_per": f.kr(round(evpi / participants, -1)) if participants else f.missing,
        "enb": f.mkr(float(soc["expected_net_benefit"])),
        "invest": float(soc["expected_net_benefit"]) > 0,
        "top": top,
        "figure": figure,
        "has_evppi": bool(dec.sizes.get("input", 0)),
    }


def _kr3(f: Formatter, x: float) -> str:
    """Kronor to three significant figures (``224 000 kr``): values of information are estimates, in one unit throughout."""
    return f"{f.significant(x, 3)}{f.space}kr" if abs(x) >= 1 else f"0{f.space}kr"


def _portfolio_section(path: Path, f: Formatter) -> dict:
    """The projects of a portfolio and its whole budget, for society (``portfolio.csv``)."""
    import pandas as pd  # pandas, ~0.3 s: only for this table

    table = pd.read_csv(path / "portfolio.csv")
    entity, actor, metric = "entity", "actor", "metric"
    soc = table[table[actor] == SOCIETY]
    years = sorted(int(m[len("net_benefit_"):-1]) for m in set(soc[metric]) if str(m).startswith("net_benefit_") and str(m).endswith("y"))
    last = years[-1] if years else 5
    months = sorted(int(str(m).removeprefix("p_payback_")) for m in set(soc[metric]) if str(m).removeprefix("p_payback_").isdigit())
    rows = []
    for name in dict.fromkeys(soc[entity].tolist()):
        m = soc[soc[entity] == name].set_index(metric)
        if f"net_benefit_{last}y" not in m.index:
            continue
        nb = m.loc[f"net_benefit_{last}y"]
        rows.append({
            "name": name,
            "portfolio": name == "portfolio",
            "cost": f.mkr(m.loc["cost", "mean"]) if "cost" in m.index else f.missing,
            "nb": f.mkr(nb["median"]),
            "nb_interval": f.interval(nb["p05"], nb["p95"], f.mkr),
            "p": [f.prob(m.loc[f"p_payback_{k}", "mean"]) if f"p_payback_{k}" in m.index else f.missing for k in months],
        })
    at_least = []
    if rows:
        m = soc[soc[entity] == "portfolio"].set_index(metric)
        for key in m.index:
            k, _, within = str(key).removeprefix("p_at_least_").partition("_within_")
            if str(key).startswith("p_at_least_") and within.isdigit():
                at_least.append({"k": int(k), "month": int(within), "p": f.prob(m.loc[key, "mean"])})
    return {"rows": rows, "months": months, "years": last, "at_least": at_least, "name": path.name}


def _analysis_draws(a: dict, f: Formatter) -> str:
    """How many draws an analysis of the manifest used: the tornado none, Sobol and Morris their own ``n``."""
    options = a.get("options") or {}
    if a.get("kind") == "sensitivity" and options.get("method") in ("tornado", "sobol", "morris"):
        n = options.get("n")
        return f.missing if options["method"] == "tornado" or n is None else f"N = {f.number(n)}"
    return f.number(a.get("draws", 0) or 0)


def _manifest_section(analyses, summary: dict, ds, f: Formatter) -> dict:
    """How the numbers were made: config and its hash, seed, draws, versions, git commit, each analysis."""

    run = summary.get("run", {})
    manifest = analyses.manifest or {}
    config_text = str(ds.attrs.get("config", ""))
    facts = {
        "kind": analyses.kind,
        "config_file": (manifest.get("config") or {}).get("file") or Path(str(run.get("config_file", ""))).name,
        "config_sha256": (manifest.get("config") or {}).get("sha256", ""),
        "resolved_sha256": (manifest.get("config") or {}).get("resolved_sha256")
        or (hashlib.sha256(config_text.encode("utf-8")).hexdigest() if config_text else ""),
        "files": (manifest.get("config") or {}).get("files", []),
        "seed": manifest.get("seed", run.get("seed", "")),
        "draws": f.number(manifest.get("draws", run.get("draws", 0)) or 0),
        "versions": manifest.get("versions") or {"simsam": run.get("simsam_version", ds.attrs.get("simsam_version", ""))},
        "git": manifest.get("git"),
        "started": manifest.get("started", ""),
        "experiment": {"name": "", "file": "", **(manifest.get("experiment") or {})},
        "analyses": [
            {"name": a.get("name", ""), "kind": a.get("kind", ""), "draws": _analysis_draws(a, f),
             "seconds": f.decimal(float(a.get("seconds", 0) or 0), 1)}
            for a in manifest.get("analyses", [])
        ],
    }
    return facts


# -- the figures ---------------------------------------------------------------------------------------
def _draw(ds, lang: str, sensitivity: dict, folder: Path, dpi: int, extra: dict | None = None) -> dict[str, ReportFigure]:
    """Draw every figure, write PNG and SVG into ``folder``, and embed the PNGs."""
    import matplotlib  # matplotlib, ~0.4 s: only when drawing

    matplotlib.use("Agg", force=False)
    extra = extra or {}
    drawings = {
        "investment": lambda: F.investment_view(ds, lang=lang),
        "net_benefit_society": lambda: F.net_benefit_fan(ds, lang=lang),
        "payback_histogram": lambda: F.payback_histogram(ds, lang=lang),  # (left out for one draw: one bar of 100 %)
        "revenue_by_actor": lambda: F.revenue_intervals(ds, lang=lang),
        "acceptability": lambda: F.acceptability_curve(ds, lang=lang),
        "net_benefit_actors": lambda: F.net_benefit_fan_actors(ds, lang=lang),
    }
    if "group_net_benefit" in ds and ds.sizes.get("draw", 2) > 1:
        drawings["groups"] = lambda: F.group_chart(ds, lang=lang)
    if ds.sizes.get("draw", 2) == 1:  # one calculation: a histogram of one value and a 0-or-1 "probability" curve say nothing
        del drawings["payback_histogram"], drawings["acceptability"]
    for key, sens in sensitivity.items():
        drawings[f"sensitivity_{key}"] = lambda sens=sens: F.sensitivity_chart(sens, ds=ds, lang=lang)
        if "net_benefit_S1" in sens:  # --over-time: the stacked shares of variance by year and actor
            drawings[f"sensitivity_{key}_time"] = lambda sens=sens: F.time_shares_chart(sens, ds=ds, lang=lang)
    for key, draw in extra.items():
        drawings[key] = draw
    done = _draw_all(drawings, folder, dpi)
    return {name: ReportFigure(name, F.png_data_uri(path=png), width, data) for name, (png, width, data) in done.items()}


#: The figures being drawn, for the worker processes (forked: they inherit it, nothing is pickled but names).
_PENDING: dict = {}


def _draw_one(name: str, folder: str, dpi: int):
    """Draw one figure of :data:`_PENDING`, write its PNG and SVG; return (PNG path, width in pixels, extra data)."""
    fig = _PENDING[name]()
    png, _svg = F.save_figure(fig, Path(folder), name, dpi=dpi)
    data = {"not_reached": fig.simsam_data.not_reached} if name == "payback_histogram" else {}
    return png, int(round(fig.get_figwidth() * dpi)), data


def _draw_all(drawings: dict, folder: Path, dpi: int) -> dict:
    """Draw every figure, on two processes where the machine has two cores (figures take most of a report's time).

    The worker processes are forked, so they share the loaded results; each
    figure's files are written by the process that draws it. Where fork is not
    available, or there are few figures, they are drawn here, one after another.
    """

    global _PENDING
    names = list(drawings)
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or len(names) < 4 or "fork" not in mp.get_all_start_methods():
        _PENDING = drawings
        try:
            return {name: _draw_one(name, str(folder), dpi) for name in names}
        finally:
            _PENDING = {}

    _PENDING = drawings
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            futures = {name: pool.submit(_draw_one, name, str(folder), dpi) for name in names}
            return {name: futures[name].result() for name in names}
    finally:
        _PENDING = {}


# -- context and rendering -------------------------------------------------------------------------
#: Sections of the report by id, with their titles: (Swedish, English).
SECTION_TITLES = {
    "sammanfattning": ("Sammanfattning", "Summary"),
    "las-rapporten": ("Så läser du rapporten", "How to read this report"),
    "aktorer": ("Intäkter och kostnader per aktör", "Revenue and cost by actor"),
    "grupper": ("För vem lönar det sig?", "Who does it pay for?"),
    "kostnadsdelning": ("Vem ska betala vad?", "Who should pay what?"),
    "uppfoljning": ("Uppföljning: håller projektet kursen?", "Follow-up: is the project on course?"),
    "scenarier": ("Scenarier", "Scenarios"),
    "brytpunkter": ("Brytpunkter", "Break-even values"),
    "beslut": ("Beslutsunderlag och värdet av bättre kunskap", "The decision and the value of better information"),
    "kanslighet": ("Känslighetsanalys", "Sensitivity analysis"),
    "portfolj": ("Portföljen", "The portfolio"),
    "antaganden": ("Projektet och antagandena", "The project and its assumptions"),
    "om-berakningen": ("Om beräkningen", "How the numbers were made"),
}


def _meta_texts(meta: dict, lang: str) -> dict:
    """The config's texts for readers in ``lang``: name, description, assumptions (and whether they are in another language)."""
    raw = meta.get("assumptions", [])
    note = ""
    if isinstance(raw, dict) and raw:
        chosen = raw.get(lang)
        if chosen is None:
            other = "sv" if "sv" in raw else next(iter(raw))
            chosen = raw[other]
            note = other
    else:
        chosen = raw
        written = meta.get("language", "sv") if not isinstance(raw, dict) else lang
        note = written if written != lang else ""
    chosen = [str(a) for a in chosen] if isinstance(chosen, list) else ([str(chosen)] if chosen else [])
    return {
        "assumptions": chosen,
        "assumptions_language": note,
        "description": str(reader_text(meta.get("description", ""), lang) or ""),
    }


def report_context(ds, summary: dict, figures: dict[str, ReportFigure], sensitivity: dict, lang: str = "sv",
                   sections: dict | None = None) -> dict:
    """The numbers and words the templates render, all as formatted text (no-break spaces).

    ``sections`` holds the other analyses' contexts (``compare``, ``breakeven``,
    ``decision``, ``portfolio``, ``manifest``), each optional.
    """
    sections = sections or {}
    f = Formatter(lang, space="\u00a0")
    horizon = int(ds.attrs.get("horizon_months", summary["run"].get("horizon_months", 60)))
    participants = int(ds.attrs.get("participants", summary["run"].get("participants", 0)) or 0)
    config = config_of(ds)
    meta = config.get("meta") or {}
    shown = F.active_actors(ds)
    actors = {a: _actor_facts(a, summary["actors"][a], ds, f, horizon, participants) for a in summary["actors"] if a in shown}
    for a, facts in actors.items():
        facts["no_cost"] = bool(summary["actors"][a].get("no_cost", not facts["has_cost"]))
    silent = [actor_label(a, lang, ds) for a in summary["actors"] if a not in shown]
    society = actors.get(SOCIETY) or _actor_facts(SOCIETY, summary["actors"][SOCIETY], ds, f, horizon, participants)
    run = summary["run"]
    draws = int(run.get("draws", ds.sizes.get("draw", 0)) or 0)
    timing = timing_of(config)
    totals = []
    for name, total in (summary.get("totals") or {}).items():
        m = total["metrics"]
        years = _years(m)
        totals.append({
            "id": name, "label": total_label(name, lang), "after": total["actors"][-1],
            "members": " + ".join(actor_label(a, lang, ds) for a in total["actors"]),
            "revenue": _money_cell(f, m, "annual_revenue"), "cost": _money_cell(f, m, "cost"),
            "years": years, "last_year": years[-1] if years else None,
            "nb": {y: _money_cell(f, m, f"net_benefit_{y}y") for y in years},
            "p_nb": {y: f.prob(_m(m, f"p_net_benefit_positive_{y}y", "mean")) for y in years},
        })
    texts = _meta_texts(meta, lang)
    context = {
        "lang": lang,
        "title": str(reader_text(meta.get("name"), lang) or run.get("name") or ds.attrs.get("name", "simsam")),
        "meta": {
            "source": meta.get("source", ""),
            # The kronor the results are in (amounts are restated to it), else what the config says of itself.
            "price_level": ds.attrs.get("price_level") or meta.get("price_level", ""),
            "assumptions": texts["assumptions"],
            "assumptions_language": texts["assumptions_language"],
            "description": texts["description"],
            "extra": {
                k: v
                for k, v in meta.items()
                if k not in ("name", "source", "price_level", "assumptions", "language", "description", "valuation")
                and isinstance(v, (str, int, float))
            },
        },
        "run": {
            "draws": f.number(draws),
            "n_draws": draws,
            "one_draw": draws == 1,
            # every input fixed (NyttoSam's point estimate), or a single random draw of uncertain inputs
            "point": draws == 1 and ds.sizes.get("parameter", 0) == 0,
            "few_draws": 1 < draws < 1000,
            "figure_draws": f.number(ds.sizes["draw"]) if ds.sizes.get("draw", 0) < draws else "",
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
            "seekamu": valuation_of(config) == "seekamu",
            "project_timing": timing.project,
            "cost_spread": timing.cost_spread,
            "cost_months": timing.cost_months or 12 * len(timing.cost_years),
            "cost_years": len(timing.cost_years),
            "staggered": timing.staggered,
            "exits_over": timing.exits_over,
            "uplift": _uplift(config),
        },
        "society": society,
        "key_figures": _key_figures(society, summary["actors"][SOCIETY], ds, f, participants, horizon),
        "actors": [v for k, v in actors.items() if k != SOCIETY],
        "cost_actors": [v for k, v in actors.items() if k != SOCIETY and v["has_cost"]],
        "other_actors": [v for k, v in actors.items() if k != SOCIETY and not v["has_cost"]],
        "totals": totals,
        "silent": silent,
        "figures": figures,
        "not_reached": f.pct(figures["payback_histogram"].extra.get("not_reached", math.nan)) if "payback_histogram" in figures else "",
        "mc_precision": f.decimal(_mc_precision(draws), 3 if draws >= 40_000 else 2),
        "facts": project_facts(ds, f),
        "settings": assumption_rows(ds, f),
        "states": state_rows(ds, f),
        "inputs": input_rows(ds, f),
        "sensitivity": [
            _sensitivity_section(m, s, ds, f, figures[f"sensitivity_{m}"], time_figure=figures.get(f"sensitivity_{m}_time"))
            for m, s in sensitivity.items()
            if f"sensitivity_{m}" in figures
        ],
        "missing_methods": [METHOD_NAMES[lang][m] for m in SENSITIVITY_METHODS if m not in {str(s.attrs.get("method", k))
                                                                                               for k, s in sensitivity.items()}],
        "compare": sections.get("compare", []),
        "breakeven": sections.get("breakeven"),
        "decision": sections.get("decision", []),
        "portfolio": sections.get("portfolio", []),
        "manifest": sections.get("manifest"),
        "groups": _groups_section(summary, ds, f, figures.get("groups"), horizon),
        "monitor": sections.get("monitor", []),
        "split": sections.get("split", []),
    }
    if draws == 1:
        _one_draw(context, summary, f)
    present = ["sammanfattning", "las-rapporten", "aktorer"]
    present += ["grupper"] if context["groups"] else []
    present += ["kostnadsdelning"] if context["split"] else []
    present += ["uppfoljning"] if context["monitor"] else []
    present += ["scenarier"] if context["compare"] else []
    present += ["brytpunkter"] if context["breakeven"] and context["breakeven"]["rows"] else []
    present += ["beslut"] if context["decision"] else []
    present += ["kanslighet", ]
    present += ["portfolj"] if context["portfolio"] else []
    present += ["antaganden"] + (["om-berakningen"] if context["manifest"] else [])
    context["toc"] = [(sid, SECTION_TITLES[sid][0 if lang == "sv" else 1]) for sid in present]
    return context


def _one_draw(context: dict, summary: dict, f: Formatter) -> None:
    """A one-draw run has no intervals and no probabilities: blank the intervals, and state 0/1 "probabilities" as yes/no."""
    yes, no = ("ja", "nej") if f.lang == "sv" else ("yes", "no")

    def yes_no(text: str) -> str:
        return text if text in ("", f.missing) else (yes if text.startswith("1") or text.startswith(">") else no)

    for facts in context["actors"] + [context["society"]]:
        for cell in [facts["revenue"], facts["cost"], *facts["nb"].values()]:
            cell["interval"] = ""
        facts["payback_interval"] = ""
        facts["p_payback"] = {m: yes_no(p) for m, p in facts["p_payback"].items()}
        facts["p_nb"] = {y: yes_no(p) for y, p in facts["p_nb"].items()}
        facts["p_not_reached"] = yes_no(facts["p_not_reached"])
    for total in context["totals"]:
        for cell in [total["revenue"], total["cost"], *total["nb"].values()]:
            cell["interval"] = ""
        total["p_nb"] = {y: yes_no(p) for y, p in total["p_nb"].items()}
    for row in context["key_figures"]:
        row["interval"] = ""
        row["probability"] = ""
    if context["groups"]:
        g = context["groups"]
        for row in g["rows"] + [g["all"]]:
            row["revenue"]["interval"] = row["nb"]["interval"] = row["payback_interval"] = ""
            row["p_payback"] = yes_no(row["p_payback"])
        for a in g["actors"]:
            for c in a["cells"]:
                c["interval"] = ""
                c["p"] = yes_no(c["p"]) if c["p"] != "—" else c["p"]


def _uplift(config: dict):
    """The uplift as written when it is not 1 (a number or a distribution), else None."""
    uplift = (config.get("economy") or {}).get("uplift", 1.0)
    if isinstance(uplift, (int, float)) and float(uplift) == 1.0:
        return None
    return uplift


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape  # jinja2: only when rendering the report

    env = Environment(loader=PackageLoader("simsam.report", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["cap"] = lambda s: (s[:1].upper() + s[1:]) if s else s
    env.filters["lower_first"] = lower_first
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


def default_language(folder) -> str:
    """The report's language when ``--lang`` is not given: the run's ``[meta] language``, else Swedish."""
    try:
        analyses = find_analyses(folder)
    except ConfigError:
        return "sv"
    if analyses.run is None:
        return "sv"
    try:
        with ResultsFile(analyses.run / "results.nc") as results:
            meta = json.loads(results.attrs.get("config", "") or "{}").get("meta") or {}
    except Exception:  # noqa: BLE001 - no language found: the default
        return "sv"
    return meta.get("language") if meta.get("language") in LANGUAGES else "sv"


def build_report(folder, *, lang: str | None = None, out=None, dpi: int = 200) -> Path:
    """Figures under ``folder/figures/<lang>/`` and the HTML report; return the report's path.

    ``folder`` is a run folder (``simsam run``), an experiment folder (``simsam
    experiment``) or one holding a portfolio; every analysis found in it and its
    subfolders is in the report. The report is ``out``, else ``folder/report.html``
    (Swedish) or ``folder/report-<lang>.html``. ``lang`` defaults to the config's
    ``[meta] language``, else Swedish.

    Raises :class:`simsam.ConfigError` when the folder holds no results.
    """

    if lang is not None and lang not in LANGUAGES:
        raise ConfigError("--lang", f"must be one of {', '.join(LANGUAGES)}, not '{lang}'")
    folder = Path(folder)
    analyses = find_analyses(folder)
    lang = lang or default_language(folder)
    out = Path(out) if out is not None else folder / ("report.html" if lang == "sv" else f"report-{lang}.html")
    if out.is_dir():
        raise ConfigError("--out", f"'{out}' is a folder, not a file")
    if analyses.run is None:
        raise ConfigError(str(folder), "a portfolio folder without a run: the report needs a run folder (simsam run) or an "
                                       "experiment folder; the portfolio's own tables are portfolio.csv")
    run_folder = analyses.run
    ds = read_results(run_folder, max_draws=FIGURE_DRAWS)
    summary = _summary(run_folder)
    sensitivity = {p.name.removeprefix("sensitivity-"): _open_sensitivity(p / "sensitivity.nc") for p in analyses.sensitivity}
    f = Formatter(lang, space="\u00a0")
    extra = {}
    compare_tables = {}
    for path in analyses.compare:
        import pandas as pd  # pandas, ~0.3 s: only for this table

        key = f"compare_{_slug(analyses.names.get(path, path.name))}"
        compare_tables[key] = (path, pd.read_csv(path / "compare.csv"))
    labels_of = {key: _compare_labels(path, ds, lang) for key, (path, _) in compare_tables.items()}
    for key, (_, table) in compare_tables.items():
        extra[key] = lambda table=table, labels=labels_of[key][0]: F.compare_chart(table, labels, lang=lang, ds=ds)
    decisions = {}
    for path in analyses.decision:
        import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

        key = f"decision_{_slug(analyses.names.get(path, path.name))}"
        with xr.open_dataset(path / "decision.nc", engine="h5netcdf") as dec:
            dec = dec.load()
        years = [int(y) for y in dec["year"].values]
        year = int(analyses.options.get(path, {}).get("year", years[-1]))
        year = year if year in years else years[-1]
        decisions[key] = path
        if dec.sizes.get("input", 0):
            extra[key] = lambda dec=dec, year=year: F.evppi_chart(dec, year, lang=lang, ds=ds)
    for path in analyses.monitor:
        monitor = json.loads((path / "monitor.json").read_text(encoding="utf-8"))
        labels = {s["id"]: s["label"] for s in _monitor_section_states(monitor, ds, lang)}
        extra[f"monitor_{_slug(path.name)}"] = lambda monitor=monitor, labels=labels: F.monitor_chart(monitor, lang=lang, labels=labels)
    splits = {}
    for path in analyses.split:
        split = json.loads((path / "split.json").read_text(encoding="utf-8"))
        key = f"split_{_slug(path.name)}"
        splits[key] = (path, split)
        names = {n: split_name(n, split, lang) for n in split["splits"]}
        labels = {a: actor_label(a, lang, ds) for a in split["financing_actors"]}
        extra[key] = lambda split=split, names=names, labels=labels: F.split_chart(split, names, labels, lang=lang)
    with atomic_folder(folder / "figures" / lang) as tmp:
        figures = _draw(ds, lang, sensitivity, tmp, dpi, extra)
    sections = {
        "compare": [_compare_section(path, table, labels_of[key], analyses.names.get(path, path.name), ds, f, figures.get(key))
                    for key, (path, table) in compare_tables.items()],
        "breakeven": _breakeven_section(analyses.breakeven, analyses.names, ds, f) if analyses.breakeven else None,
        "decision": [_decision_section(path, analyses.options.get(path, {}), ds, f, figures.get(key)) for key, path in decisions.items()],
        "portfolio": [_portfolio_section(path, f) for path in analyses.portfolio],
        "manifest": _manifest_section(analyses, summary, ds, f),
        "monitor": [_monitor_section(path, ds, f, figures.get(f"monitor_{_slug(path.name)}")) for path in analyses.monitor],
        "split": [_split_section(path, split, ds, f, figures.get(key)) for key, (path, split) in splits.items()],
    }
    context = report_context(ds, summary, figures, sensitivity, lang, sections)
    _write_text_atomic(out, render_report(context))
    if not (run_folder / "summary.xlsx").exists():
        with ResultsFile(run_folder / "results.nc") as results:
            write_summary_xlsx(results, summary_of(results), run_folder / "summary.xlsx")
    return out


def _compare_labels(path: Path, ds, lang: str) -> tuple[dict, str]:
    """The variants' labels of a comparison in ``lang`` (the config's per-language labels, else compare.nc's), and the reference.

    Only the coordinates of ``compare.nc`` are read, never its paired draws.
    """
    labels, reference = {}, "base"
    try:
        import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

        with xr.open_dataset(path / "compare.nc", engine="h5netcdf") as cmp:
            labels = dict(zip(cmp["variant"].values.tolist(), cmp["variant_label"].values.tolist()))
            reference = str(cmp.attrs.get("reference", reference))
    except (OSError, KeyError, ValueError):
        pass
    return _scenario_labels(config_of(ds), lang, labels), reference

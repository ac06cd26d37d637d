"""What the commands print: every terminal table, aligned by one renderer (:func:`text_table`), in Swedish or English.

``simsam run`` prints :func:`summary_text`, ``compare`` :func:`compare_text`,
``decision`` :func:`decision_text`, ``breakeven`` :func:`breakeven_text`,
``sensitivity`` :func:`ranking_text` and ``portfolio`` :func:`portfolio_text`.
Each takes ``lang`` (``"sv"``, the default, or ``"en"``): headers, actor names
and "Samhället"/"Society" agree with it, and numbers follow its conventions
(decimal comma and ``[a; b]`` intervals in Swedish). Kronor are millions with
two decimals, never scientific notation. Actors with no flows and no cost in any
draw are left out of every table, with one line saying so
(:func:`simsam.results.actors_with_flows`); an actor that bears no share of the
cost shows "—" for its payback (nothing to pay back); "Staten totalt" (the sum of
Försäkringskassan, Arbetsförmedlingen and the rest of the state, per draw)
follows the state's actors wherever per-actor results are shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np

from ..analysis.portfolio import COUPLED, INDEPENDENT, PORTFOLIO, SHARED, SPECIFIC
from ..analysis.sensitivity.output import COLUMNS, EXTRA_COLUMNS
from ..analysis.summary import Summary, headline, totals_of
from ..config.model import SOCIETY
from ..results import actors_with_flows
from .describe import input_value, parameter_label, value_kind
from .formatting import MINUS, Formatter
from .text import METHOD_NAMES, actor_label, evidence_sentence, grade_label, target_label, target_unit, total_label

__all__ = [
    "text_table",
    "summary_text",
    "compare_text",
    "decision_text",
    "breakeven_text",
    "ranking_text",
    "portfolio_text",
    "society_headline",
    "group_text",
    "monitor_text",
    "split_text",
    "split_name",
    "split_notes",
    "split_settlement_lines",
    "SPLIT_WORDS",
    "NOTHING",
]

#: Shown for the payback of an actor that bears no share of the cost: nothing to pay back.
NOTHING = "—"


def text_table(rows: Sequence[Sequence[str]], *, head: int = 1, left: Sequence[int] | None = (0,), indent: str = "") -> list[str]:
    """The lines of an aligned table: ``head`` header rows, a rule of dashes, then the body.

    Columns in ``left`` are left-aligned (``None``: every column), the others
    right-aligned (numbers); cells are separated by two spaces, each line starts
    with ``indent``, and trailing blanks are trimmed.
    """
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    left = range(len(widths)) if left is None else left
    lines = []
    for i, row in enumerate(rows):
        lines.append((indent + "  ".join(c.ljust(w) if j in left else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths)))).rstrip())
        if i == head - 1:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return lines


# -- words -----------------------------------------------------------------------------------------
_W = {
    "sv": {
        "actor": "aktör", "cost": "kostnad, mkr", "revenue": "intäkt år 1, mkr", "nb": "nettonytta {y} år, mkr",
        "payback": "återbetalning, mån", "median_int": "median [90 %-intervall]", "median_int_short": "median [90 %-int.]",
        "median": "median", "mean": "medel", "draws": "dragningar", "seed": "frö",
        "cohort": {"sampled": "slumpad kohort", "expected": "väntevärdeskohort"}, "of": "om {n} deltagare",
        "horizon": "horisont {h} månader", "path": {"person": "personväg", "aggregate": "aggregerad väg"},
        "silent": "Inte med (inga flöden och ingen kostnad i någon dragning): {names}",
        "nothing": "— = bär ingen del av kostnaden: inget att betala tillbaka.",
        "total_note": "{total} = {names}, summerat per dragning (återbetalningstid finns bara per aktör).",
        "society": "Samhället",
        "groups": "Per grupp, för samhället (varje grupp bär kostnaden efter antal deltagare{weighted}):",
        "weighted": ", viktat med cost_weight", "group": "grupp", "participants": "deltagare",
        "by_actor": "Per aktör och grupp: nettonytta efter {y} år, mkr (median [90 %-intervall]), och P(återbetald inom {h} mån):",
        "group_sum": "Gruppernas intäkter, kostnader och nettonyttor summerar i varje dragning till resultatet för alla deltagare.",
    },
    "en": {
        "actor": "actor", "cost": "cost, Mkr", "revenue": "revenue yr 1, Mkr", "nb": "net benefit {y} y, Mkr",
        "payback": "payback, months", "median_int": "median [90% interval]", "median_int_short": "median [90% int.]",
        "median": "median", "mean": "mean", "draws": "draws", "seed": "seed",
        "cohort": {"sampled": "sampled cohort", "expected": "expected cohort"}, "of": "of {n}", "horizon": "horizon {h} months",
        "path": {"person": "person path", "aggregate": "aggregate path"},
        "silent": "Not shown (no flows and no cost in any draw): {names}",
        "nothing": "— = bears no share of the cost: nothing to pay back.",
        "total_note": "{total} = {names}, summed per draw (payback times exist per actor only).",
        "society": "Society",
        "groups": "By group, for society (each group bears the cost by its number of participants{weighted}):",
        "weighted": ", weighted by cost_weight", "group": "group", "participants": "participants",
        "by_actor": "By actor and group: net benefit after {y} years, Mkr (median [90% interval]), and P(paid back within {h} months):",
        "group_sum": "The groups' revenue, cost and net benefit add up to the whole cohort's in every draw.",
    },
}


def _f(lang: str) -> Formatter:
    return Formatter(lang)


def _mkr(x: float, lang: str = "en", signed: bool = False) -> str:
    """Millions of kronor with two decimals (never scientific notation): ``2,61`` / ``2.61``; ``–`` for NaN."""
    if not math.isfinite(x):
        return "–"
    text = _f(lang).decimal(x / 1e6, 2)
    if signed and not text.startswith(MINUS) and text.strip("0,.") != "":
        text = "+" + text
    return text


def _interval(lo: str, hi: str, lang: str) -> str:
    return f"[{lo}; {hi}]" if lang == "sv" else f"[{lo}, {hi}]"


def _mkr_cell(row: dict, lang: str, signed: bool = False) -> str:
    return f"{_mkr(row['median'], lang, signed)} {_interval(_mkr(row['p05'], lang, signed), _mkr(row['p95'], lang, signed), lang)}"


def _month(x: float, horizon: int) -> str:
    return f"{x:.0f}" if math.isfinite(x) else f">{horizon}"


def _prob(x: float, lang: str) -> str:
    return _f(lang).decimal(x, 2) if math.isfinite(x) else "–"


def _num(x: float, lang: str = "en") -> str:
    """A plain number to four significant figures, thousands grouped, never in scientific notation."""
    if not math.isfinite(x):
        return "–"
    return _f(lang).significant(x, 4)


def _count(n, lang: str) -> str:
    return _f(lang).number(n) if isinstance(n, (int, np.integer)) else str(n)


def _labels(ds, lang: str) -> dict:
    """Actor id → label in ``lang``: the config's labels in Swedish, translations of the usual actors in English."""
    ids = [str(a) for a in ds["actor"].values]
    try:
        own = dict(zip(ids, (str(x) for x in ds["actor_label"].values)))
    except (KeyError, ValueError):
        own = {a: a for a in ids}
    if lang == "sv":
        return {a: own[a] if a != SOCIETY else actor_label(SOCIETY, "sv") for a in ids}
    return {a: (english if (english := actor_label(a, "en")) != a else own[a]) for a in ids}


def _rows_with_totals(actors: list[str], totals: dict) -> list[tuple[str, bool]]:
    """``(actor, False)`` rows with ``(total, True)`` after the last actor of each total."""
    rows = [(a, False) for a in actors]
    for name, total in totals.items():
        members = [i for i, (a, _) in enumerate(rows) if a in total["actors"]]
        if members:
            rows.insert(members[-1] + 1, (name, True))
    return rows


def society_headline(summary, horizon: int, lang: str = "sv") -> str:
    """The sentence an evaluator quotes, in ``lang``: "Samhället: återbetald inom 60 månader med sannolikheten 0,92, ..."."""
    return f"{_W[lang]['society']}: {headline(summary, SOCIETY, horizon, lang)}"


# -- simsam run ------------------------------------------------------------------------------------
def summary_text(ds, summary, lang: str = "sv") -> str:
    """An aligned text table: per actor cost, revenue, net benefit after 1 and after the last year, payback and its probabilities.

    ``ds`` is a result Dataset or :class:`simsam.results.ResultsFile`;
    ``summary`` a :class:`simsam.analysis.summary.Summary` or :func:`simsam.summarize`'s DataFrame.
    """
    summary = Summary.of(summary)
    w = _W[lang]
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    months = [c.removeprefix("p_payback_") for c in summary.metrics(SOCIETY) if c.startswith("p_payback_") and c[10:].isdigit()]
    labels = _labels(ds, lang)
    nb_years = sorted({1, years})
    header = [w["actor"], w["cost"], w["revenue"], *[w["nb"].format(y=y) for y in nb_years], w["payback"]] + [f"P(≤{m})" for m in months]
    sub = ["", w["median"], w["median_int"], *[w["median_int"]] * len(nb_years), w["median_int_short"]] + [""] * len(months)
    shown = actors_with_flows(ds, ("revenue", "cost"))
    silent = [labels.get(a, a) for a in summary.actors if a not in shown]
    totals = summary.totals if summary.totals else totals_of(ds)
    rows = []
    for actor, is_total in _rows_with_totals([a for a in summary.actors if a in shown], totals):
        if is_total:
            t = totals[actor]["rows"]
            rows.append([total_label(actor, lang), _mkr(t["cost"]["median"], lang), _mkr_cell(t["annual_revenue"], lang),
                         *[_mkr_cell(t[f"net_benefit_{y}y"], lang) for y in nb_years], "", *[""] * len(months)])
            continue
        rev, cost, pb = (summary.rows[(actor, m)] for m in ("annual_revenue", "cost", "payback_months"))
        if actor in summary.no_cost:
            payback, probs = NOTHING, [NOTHING] * len(months)
        else:
            payback = f"{_month(pb['median'], horizon)} {_interval(_month(pb['p05'], horizon), _month(pb['p95'], horizon), lang)}"
            probs = [_prob(summary(actor, f"p_payback_{m}"), lang) for m in months]
        rows.append(
            [labels.get(actor, actor), _mkr(cost["median"], lang) if actor not in summary.no_cost else NOTHING, _mkr_cell(rev, lang),
             *[_mkr_cell(summary.rows[(actor, f"net_benefit_{y}y")], lang) for y in nb_years], payback, *probs]
        )
    lines = text_table([header, sub] + rows, head=2)
    cohort = w["cohort"].get(str(ds.attrs["cohort"]), str(ds.attrs["cohort"]))
    path = f" ({w['path'][ds.attrs['engine']]})" if ds.attrs.get("engine") in ("person", "aggregate") else ""
    title = (
        f"{ds.attrs.get('name', '')}: {_count(int(ds.attrs['draws']), lang)} {w['draws']}, {w['seed']} {ds.attrs['seed']}, "
        f"{cohort} {w['of'].format(n=ds.attrs['participants'])}{path}, {w['horizon'].format(h=horizon)}"
    )
    notes = []
    if summary.no_cost & set(shown):
        notes.append(w["nothing"])
    for name, total in totals.items():
        notes.append(w["total_note"].format(total=total_label(name, lang), names=" + ".join(labels.get(a, a) for a in total["actors"])))
    if silent:
        notes.append(w["silent"].format(names=", ".join(silent)))
    tail = group_text(ds, summary, lang).splitlines() if summary.groups else []
    return "\n".join([title, ""] + lines + notes + (["", *tail] if tail else []) + ["", society_headline(summary, horizon, lang)])


def group_text(ds, summary, lang: str = "sv") -> str:
    """The results by group (``[groups]``): society per group, then each actor's net benefit after the last
    year and P(payback within the horizon) per group. Empty for a run without groups."""
    summary = Summary.of(summary)
    if not summary.groups:
        return ""
    w = _W[lang]
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    ids = [str(g) for g in ds["group"].values]
    names = dict(zip(ids, (str(x) for x in ds["group_label"].values)))
    sizes = dict(zip(ids, (int(x) for x in ds["group_participants"].values)))
    weights = np.asarray(ds["group_cost_share"].values, dtype=float) / np.maximum(np.array(list(sizes.values()), float), 1e-300)
    months = [c.removeprefix("p_payback_") for c in summary.metrics(SOCIETY) if c.startswith("p_payback_") and c[10:].isdigit()]
    header = [w["group"], w["participants"], w["cost"], w["revenue"], w["nb"].format(y=years), w["payback"]] + [f"P(≤{m})" for m in months]
    sub = ["", "", w["median"], w["median_int"], w["median_int"], w["median_int_short"]] + [""] * len(months)
    rows = []
    for g, gs in summary.groups.items():
        pb = gs.rows[(SOCIETY, "payback_months")]
        rows.append([names.get(g, g), _count(sizes.get(g, 0), lang), _mkr(gs(SOCIETY, "cost", "median"), lang),
                     _mkr_cell(gs.rows[(SOCIETY, "annual_revenue")], lang), _mkr_cell(gs.rows[(SOCIETY, f"net_benefit_{years}y")], lang),
                     f"{_month(pb['median'], horizon)} {_interval(_month(pb['p05'], horizon), _month(pb['p95'], horizon), lang)}",
                     *[_prob(gs(SOCIETY, f"p_payback_{m}"), lang) for m in months]])
    weighted = len(set(np.round(weights[np.isfinite(weights)], 12))) > 1
    lines = [w["groups"].format(weighted=w["weighted"] if weighted else ""), *text_table([header, sub] + rows, head=2)]
    labels = _labels(ds, lang)
    shown = [a for a in summary.actors if a in actors_with_flows(ds, ("revenue", "cost"))]
    head = [w["actor"]] + [x for g in summary.groups for x in (names.get(g, g), "")]
    sub = [""] + [x for _ in summary.groups for x in (w["nb"].format(y=years), f"P(≤{horizon})")]
    rows = []
    for a in shown:
        row = [labels.get(a, a)]
        for gs in summary.groups.values():
            row += [_mkr_cell(gs.rows[(a, f"net_benefit_{years}y")], lang),
                    NOTHING if a in gs.no_cost else _prob(gs(a, f"p_payback_{horizon}"), lang)]
        rows.append(row)
    lines += ["", w["by_actor"].format(y=years, h=horizon), *text_table([head, sub] + rows, head=2), w["group_sum"]]
    return "\n".join(lines)


# -- simsam compare --------------------------------------------------------------------------------
_COMPARE = {
    "sv": {
        "title": "{name}: {draws} parade dragningar (frö {seed}), referens {ref} ({label})",
        "left_out": "Aktörer som inte finns i alla varianter är utelämnade (samhället är varje variants egen summa): {names}",
        "head": ["aktör", "Δ nettonytta {y} år, mkr", "P(högre)", "Δ återbetalning, mån", "P(tidigare)", "P(≤{h}) ref → variant"],
        "sub": ["", "median [90 %-intervall]", "", "median [90 %-int.]", "", ""],
        "society": "Samhället: medel-Δ nettonytta efter {y} år {mean} mkr (parat MC-standardfel {se}); P(varianten bättre) {p}",
        "silent": "Inte med (inga flöden och ingen kostnad): {names}",
        "footer": "Återbetalning som inte nås inom {h} månader räknas som {h1} i Δ återbetalning.",
    },
    "en": {
        "title": "{name}: {draws} paired draws (seed {seed}), reference {ref} ({label})",
        "left_out": "Actors not in every variant, left out (society is each variant's own total): {names}",
        "head": ["actor", "Δ net benefit {y} y, Mkr", "P(higher)", "Δ payback, months", "P(earlier)", "P(≤{h}) ref → variant"],
        "sub": ["", "median [90% interval]", "", "median [90% int.]", "", ""],
        "society": "Society: mean Δ net benefit after {y} years {mean} Mkr (paired MC s.e. {se}); P(variant better) {p}",
        "silent": "Not shown (no flows and no cost): {names}",
        "footer": "Payback not reached within {h} months counts as {h1} in Δ payback.",
    },
}


def _signed_months(x: float) -> str:
    return f"{x:+.0f}".replace("-", MINUS) if math.isfinite(x) else "–"


def compare_text(ds, table, lang: str = "sv", labels: dict | None = None) -> str:
    """The printed table: per contrast and actor, the paired differences and P(better).

    ``table`` is :func:`simsam.analysis.scenarios.compare_summary` of ``ds``;
    ``labels`` the variants' labels in ``lang`` (default: the Dataset's).
    """
    w = _COMPARE[lang]
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    ref = ds.attrs["reference"]
    actor_names = _labels(ds, lang)
    vlabels = dict(zip(ds["variant"].values.tolist(), ds["variant_label"].values.tolist())) | (labels or {})
    lines = [w["title"].format(name=ds.attrs["name"], draws=_count(int(ds.attrs["draws"]), lang), seed=ds.attrs["seed"], ref=ref,
                               label=vlabels[ref])]
    if ds.attrs.get("actors_left_out"):
        lines.append(w["left_out"].format(names=ds.attrs["actors_left_out"]))
    header = [h.format(y=years, h=horizon) for h in w["head"]]
    contrasts, actors = table.index.get_level_values("contrast"), table.index.get_level_values("actor")
    shown = actors_with_flows(ds, ("net_benefit", "cost"))
    silent = [actor_names.get(a, a) for a in ds["actor"].values.tolist() if a not in shown]
    no_cost = {a for a in shown if a != SOCIETY and "cost" in ds and np.nanmax(np.abs(ds["cost"].sel(actor=a).values)) < 1e-3}
    for c in ds["contrast"].values.tolist():
        rows = []
        for actor in [a for a in ds["actor"].values.tolist() if a in shown]:
            part = table[(contrasts == c) & (actors == actor)].droplevel(["contrast", "actor"])
            nb, pb, pr = part.loc[f"net_benefit_{years}y"], part.loc["payback_months"], part.loc[f"p_payback_{horizon}"]
            if actor in no_cost:
                payback, p_earlier, p_ref = NOTHING, NOTHING, NOTHING
            else:
                payback = f"{_signed_months(pb['median'])} {_interval(_signed_months(pb['p05']), _signed_months(pb['p95']), lang)}"
                p_earlier = _prob(pb["p_better"], lang)
                p_ref = f"{_prob(pr['reference_mean'], lang)} → {_prob(pr['variant_mean'], lang)}"
            rows.append([actor_names.get(actor, actor), _mkr_cell(nb, lang, signed=True), _prob(nb["p_better"], lang), payback,
                         p_earlier, p_ref])
        lines += ["", f"{c} ({vlabels[c]}) − {ref}:"]
        lines += text_table([header, w["sub"]] + rows, head=2)
        soc = table[(contrasts == c) & (actors == SOCIETY)].droplevel(["contrast", "actor"]).loc[f"net_benefit_{years}y"]
        f = _f(lang)
        mean = f.decimal(soc["mean"] / 1e6, 3)
        lines.append(w["society"].format(y=years, mean=("+" + mean) if not mean.startswith(MINUS) else mean,
                                         se=f.decimal(soc["mcse"] / 1e6, 3), p=_prob(soc["p_better"], lang)))
        if silent:
            lines.append(w["silent"].format(names=", ".join(silent)))
    if no_cost:
        lines.append(_W[lang]["nothing"])
    lines.append("\n" + w["footer"].format(h=horizon, h1=horizon + 1))
    return "\n".join(lines)


# -- simsam decision -------------------------------------------------------------------------------
_DECISION = {
    "sv": {
        "title": "{name}: beslutsanalys av {draws} dragningar (satsa eller inte, bedömt efter {y} år för EVPI)",
        "head": ["aktör", "E[NN {y} år], mkr", "EVPI, mkr", "per deltagare, kr"],
        "silent": "Inte med (inga flöden och ingen kostnad): {names}",
        "evppi": "Samhället: värdet av att känna varje indata före beslutet (EVPPI, efter {y} år; EVPI {evpi} mkr):",
        "per": "kr/deltagare",
        "grades": "Samhället: värdet av att känna alla indata med samma underlag före beslutet (EVPPI per evidensgrad, efter {y} år):",
        "measure": "Värda att mäta bland antagandena med svagt underlag (EVPPI var för sig, efter {y} år):",
        "footer": "EVPI/EVPPI: värdet av perfekt information om indata (varje dragnings väntevärdeskohort); "
                  "P(≤m): denna kohort, slumpen medräknad.",
    },
    "en": {
        "title": "{name}: decision analysis of {draws} draws (invest vs not, judged after {y} years for EVPI)",
        "head": ["actor", "E[NB {y} y], Mkr", "EVPI, Mkr", "per participant, kr"],
        "silent": "Not shown (no flows and no cost): {names}",
        "evppi": "Society: value of learning each input before deciding (EVPPI, after {y} years; EVPI {evpi} Mkr):",
        "per": "kr/participant",
        "grades": "Society: value of learning every input of one evidence grade before deciding (EVPPI per grade, after {y} years):",
        "measure": "Worth measuring among the inputs with weak evidence (EVPPI each, after {y} years):",
        "footer": "EVPI/EVPPI: value of perfect information on the inputs (each draw's expected cohort); "
                  "P(≤m): this cohort, chance included.",
    },
}


def low_grade_ranking(dec, year: int, actor: str = SOCIETY, grade: str = "low") -> list[tuple[str, float, float]]:
    """The inputs of one evidence grade by their EVPPI at ``year`` (kr, cohort), largest first: ``(input, evppi, r2)``.

    Those worth measuring first: the value of learning each alone before deciding.
    Positive values only; an input group of mixed grades is left out.
    """
    if "input_evidence" not in dec.coords:
        return []
    sel = dec.sel(actor=actor, year=year)
    rows = [(str(i), float(sel["evppi"].values[k]), float(sel["evppi_r2"].values[k]))
            for k, (i, g) in enumerate(zip(dec["input"].values.tolist(), dec["input_evidence"].values.tolist())) if g == grade]
    return sorted([r for r in rows if r[1] > 0], key=lambda r: -r[1])


def _grade_lines(dec, year: int, lang: str, top: int) -> list[str]:
    w, f = _DECISION[lang], _f(lang)
    soc = dec.sel(actor=SOCIETY, year=year)
    unit = "mkr" if lang == "sv" else "Mkr"
    rows = []
    for k, g in enumerate(dec["grade"].values.tolist()):
        rows.append(["  " + grade_label(g, lang), f"{f.decimal(float(soc['evppi_grade'].values[k]) / 1e6, 3)} {unit}",
                     f"{f.number(float(soc['evppi_grade_per_participant'].values[k]))} {w['per']}",
                     f"R² {f.decimal(float(soc['evppi_grade_r2'].values[k]), 2)}"])
    lines = text_table(rows, head=0, left=(0,))
    ranking = [r for r in low_grade_ranking(dec, year)[:top] if r[1] >= 500]  # shown to 0.001 Mkr
    if ranking:
        config = _config(dec)
        lines += ["", w["measure"].format(y=year)]
        rows = [[f"  {i + 1}.", _input_words(name, config, lang, parameter_label), f"{f.decimal(v / 1e6, 3)} {unit}",
                 f"R² {f.decimal(r2, 2)}"] for i, (name, v, r2) in enumerate(ranking)]
        lines += text_table(rows, head=0, left=(1,))
    return lines


def decision_text(dec, top: int = 10, year: int | None = None, lang: str = "sv") -> str:
    """What ``simsam decision`` prints: acceptability per actor, EVPI, and the EVPPI ranking.

    EVPI and EVPPI are those of the decision judged after ``year`` years (default: the horizon).
    """
    w = _DECISION[lang]
    f = _f(lang)
    horizon = int(dec.attrs.get("horizon_months", dec.sizes["month"]))
    years = dec["year"].values.tolist()
    last = years[-1] if year is None else int(year)
    labels = _labels(dec, lang)
    months = [m for m in range(12, horizon + 1, 12)]
    head = [h.format(y=last) for h in w["head"]]
    header = [head[0]] + [f"P(≤{m})" for m in months] + head[1:]
    rows = []
    shown = actors_with_flows(dec, ("expected_net_benefit", "evpi_total"))
    silent = [labels.get(a, a) for a in dec["actor"].values.tolist() if a not in shown]
    for actor in [a for a in dec["actor"].values.tolist() if a in shown]:
        s = dec.sel(actor=actor)
        rows.append(
            [labels.get(actor, actor)]
            + [_prob(float(s.acceptability.sel(month=m)), lang) for m in months]
            + [
                _mkr(float(s.expected_net_benefit.sel(year=last)), lang),
                f.decimal(float(s.evpi.sel(year=last)) / 1e6, 3),
                f.number(float(s.evpi_per_participant.sel(year=last))),
            ]
        )
    draws = _count(dec.attrs.get("draws", "?"), lang)
    lines = [w["title"].format(name=dec.attrs.get("name", ""), draws=draws, y=last), ""]
    lines += text_table([header] + rows)
    if silent:
        lines.append(w["silent"].format(names=", ".join(silent)))
    if dec.sizes.get("input", 0):
        config = _config(dec)
        soc = dec.sel(actor=SOCIETY, year=last)
        order = np.argsort(-soc["evppi"].values)[:top]
        lines += ["", w["evppi"].format(y=last, evpi=f.decimal(float(soc.evpi) / 1e6, 3))]
        names = {i: str(dec["input"].values[i]) for i in order}
        words = {i: _input_words(names[i], config, lang, parameter_label) for i in order}
        width = max(len(words[i]) for i in order)
        for i in order:
            e = soc.isel(input=i)
            lines.append(
                f"  {words[i]:<{width}}  {f.decimal(float(e.evppi) / 1e6, 3):>7} {'mkr' if lang == 'sv' else 'Mkr'}  "
                f"{f.number(float(e.evppi_per_participant)):>9} {w['per']}  R² {f.decimal(float(e.evppi_r2), 2)}"
            )
    if dec.sizes.get("grade", 0):
        lines += ["", w["grades"].format(y=last)] + _grade_lines(dec, last, lang, top)
    lines.append("")
    lines.append(w["footer"])
    return "\n".join(lines)


def _config(ds) -> dict:

    try:
        return json.loads(ds.attrs.get("config", "") or "{}")
    except (TypeError, ValueError):
        return {}


def _input_words(name: str, config: dict, lang: str, parameter_label) -> str:
    """An input (or a group joined by ``+``) in words when the config is known, else its path."""
    if not config:
        return name
    return " + ".join(parameter_label(p.strip(), config, lang) for p in name.split("+"))


# -- simsam breakeven ------------------------------------------------------------------------------
def _value_of(x: float, path: str, config: dict | None, lang: str, precise: bool = False) -> str:
    """An input's value with its unit when the config is known (``6,5 mkr``, ``31 %``), else four significant figures.

    ``precise`` (a break-even value, quoted): shares with one decimal (``30,6 %``), mkr with two.
    """
    if not math.isfinite(x):
        return "–"
    if config:
        f = _f(lang)
        kind, unit = value_kind(path, config)
        if precise and kind == "share" and not unit:
            return f.pct(x, 1)
        if precise and kind == "mkr":
            return f.mkr(x, 2)
        try:
            return input_value(x, path, config, f, per=False)
        except (KeyError, TypeError, ValueError):
            pass
    return _num(x, lang)


def breakeven_text(result, lang: str = "sv", config: dict | None = None) -> str:
    """What ``simsam breakeven`` prints (``result``: a :class:`simsam.analysis.breakeven.BreakEven`).

    ``config`` (the merged config dict) lets values be written with their units.
    """
    r = result
    f = _f(lang)
    sv = lang == "sv"
    v = lambda x: _value_of(x, r.parameter, config, lang, precise=True)  # noqa: E731 - a short local formatter
    who = actor_label(r.actor, lang) if r.actor != SOCIETY else _W[lang]["society"]
    draws = _count(int(r.draws), lang)
    p = f.decimal(r.probability, 2)
    if sv:
        lines = [
            f"Brytpunkt för {r.parameter} för {who}: återbetalning inom {r.month} månader med sannolikheten {p}",
            f"({draws} dragningar med gemensamma slumptal, frö {r.seed}; sökintervall {v(r.low)} till {v(r.high)}; "
            f"värdet i konfigurationen {v(r.base_value)})",
            "",
            f"P(återbetalning ≤ {r.month}): {f.decimal(r.p_run, 3)} som konfigurationen står; {f.decimal(r.p_low, 3)} med indata "
            f"{v(r.low)}, {f.decimal(r.p_high, 3)} med {v(r.high)}",
        ]
    else:
        lines = [
            f"Break-even of {r.parameter} for {who}: payback within {r.month} months with probability {p}",
            f"({draws} draws on common random numbers, seed {r.seed}; search range {v(r.low)} to {v(r.high)}; value in the config "
            f"{v(r.base_value)})",
            "",
            f"P(payback ≤ {r.month}): {f.decimal(r.p_run, 3)} as the config stands; {f.decimal(r.p_low, 3)} with the input at "
            f"{v(r.low)}, {f.decimal(r.p_high, 3)} at {v(r.high)}",
        ]
    if math.isfinite(r.value):
        se = _value_of(r.mcse, r.parameter, config, lang, precise=True)
        lines.append(
            (f"Brytpunkt: {v(r.value)} (MC-standardfel {se}; 95 %-intervall {v(r.ci_low)} till {v(r.ci_high)}); uppmätt där: "
             f"P = {f.decimal(r.p_at_value, 3)}") if sv else
            (f"Break-even value: {v(r.value)} (MC s.e. {se}; 95% interval {v(r.ci_low)} to {v(r.ci_high)}); measured there: "
             f"P = {f.decimal(r.p_at_value, 3)}")
        )
    if math.isfinite(r.switching_value):
        change = ""
        if math.isfinite(r.switching_change):
            pct = f.decimal(100 * r.switching_change, 1)
            pct = pct if pct.startswith(MINUS) else "+" + pct
            change = f", {pct} % från konfigurationens värde" if sv else f", {pct}% from the config's value"
        lines.append(
            f"Deterministiskt växlingsvärde (väntevärdeskohort, övriga indata i median): {v(r.switching_value)}{change}" if sv else
            f"Deterministic switching value (expected cohort, other inputs at medians): {v(r.switching_value)}{change}"
        )
    if sv:
        base = f"{r.base_payback:.0f} månader" if math.isfinite(r.base_payback) else "inte inom horisonten"
        lines.append(f"Deterministisk återbetalningstid vid konfigurationens värde: {base}")
    else:
        base = f"{r.base_payback:.0f} months" if math.isfinite(r.base_payback) else "not within the horizon"
        lines.append(f"Deterministic payback at the config's value: {base}")
    if r.nonmonotone_draws:
        lines.append(f"Obs: {r.nonmonotone_draws} dragningar svarar mot den allmänna riktningen (räknas som att återbetalning aldrig nås)"
                     if sv else
                     f"Note: {r.nonmonotone_draws} draws respond against the overall direction (counted as never reaching payback)")
    if r.message:
        lines.append(f"Inget värde: {r.message}" if sv else f"No value: {r.message}")
    return "\n".join(lines)


# -- simsam sensitivity ----------------------------------------------------------------------------
def _target_value(x: float, unit: str, lang: str) -> str:
    """A sensitivity target's value in its unit: kr as mkr (two decimals), months, a probability, else four figures."""
    if not math.isfinite(x):
        return "–"
    f = _f(lang)
    if unit == "kr":
        return f.mkr(x, 2)
    if unit == "months":
        return f.decimal(x, 1)
    if unit == "probability":
        return f.decimal(x, 3)
    return _num(x, lang)


_RANKING = {
    "sv": {
        "design": {"tornado": "indata vid p{lo}/p{hi}, övriga vid basvärdet", "prcc": "{n} dragningar", "sobol": "N = {n}",
                   "morris": "{n} banor, {levels} nivåer"},
        "line": "{name}: {cohort}, {design}, {runs} modellkörningar, {last}",
        "base": "basvärde {v}", "seed": "frö {s}",
        "not_reached": "återbetalning inte nådd inom horisonten i {share} % av körningarna (räknas som månad {m})",
        "head": ["rang", "indata"],
        "cols": {"tornado": ["indata lågt", "indata högt", "resultat lågt", "resultat högt", "utslag"],
                 "prcc": ["PRCC", "95 %-intervall", "p-värde"], "sobol": ["S1 ± 95 %", "ST ± 95 %"], "morris": ["μ* ± 95 %", "μ", "σ"]},
        "more": "... {n} till i sensitivity.csv",
        "of": "{what} av {target}",
    },
    "en": {
        "design": {"tornado": "inputs at p{lo}/p{hi}, the rest at base", "prcc": "{n} draws", "sobol": "N = {n}",
                   "morris": "{n} trajectories, {levels} levels"},
        "line": "{name}: {cohort}, {design}, {runs} model runs, {last}",
        "base": "base {v}", "seed": "seed {s}",
        "not_reached": "payback not reached within the horizon in {share} % of runs (counted as month {m})",
        "head": ["rank", "parameter"],
        "cols": {"tornado": ["input low", "input high", "target low", "target high", "swing"],
                 "prcc": ["PRCC", "95% interval", "p-value"], "sobol": ["S1 ± 95%", "ST ± 95%"], "morris": ["mu* ± 95%", "mu", "sigma"]},
        "more": "... {n} more in sensitivity.csv",
        "of": "{what} of {target}",
    },
}


def ranking_text(ds, top: int | None = None, lang: str = "sv") -> str:
    """The ranking as an aligned text table, most important first (``top`` limits the rows; all by default)."""
    w = _RANKING[lang]
    f = _f(lang)
    a = ds.attrs
    method = a["method"]
    unit = target_unit(a.get("target"), a.get("target_units"))
    config = _config(ds)
    cohort = _W[lang]["cohort"].get(str(a.get("cohort")), str(a.get("cohort")))
    design = w["design"][method].format(lo=f"{a.get('low_percentile', 5):g}", hi=f"{a.get('high_percentile', 95):g}",
                                        n=_count(int(a["sample_size"]), lang), levels=a.get("levels", 4))
    if method == "tornado":
        last = w["base"].format(v=_target_value(float(a["base"]), unit, lang))
    else:
        last = w["seed"].format(s=a.get("seed", "–"))
    target = target_label(a.get("target"), a.get("actor"), lang) if lang == "sv" else a.get("target_description", a.get("target"))
    lines = [w["of"].format(what=METHOD_NAMES[lang][method], target=target),
             w["line"].format(name=a["name"], cohort=cohort, design=design, runs=_count(int(a["evaluations"]), lang), last=last)]
    if "payback_not_reached" in a and float(a["payback_not_reached"]) > 0:
        lines.append(w["not_reached"].format(share=f.decimal(100 * float(a["payback_not_reached"]), 1), m=a["horizon_months"] + 1))
    if a.get("note"):
        lines.append(str(a["note"]))
    rows = []
    n = ds.sizes["parameter"] if top is None else min(top, ds.sizes["parameter"])
    for i in range(n):
        row = ds.isel(parameter=i)
        path = str(row["parameter"].values)
        v = {k: float(row[k]) for k in COLUMNS[method] + EXTRA_COLUMNS[method]}
        if method == "tornado":
            cells = [_value_of(v["low_value"], path, config, lang), _value_of(v["high_value"], path, config, lang),
                     *(_target_value(v[k], unit, lang) for k in ("low", "high", "swing"))]
        elif method == "prcc" and math.isnan(v["prcc"]):
            cells = ["–", "–", "–"]
        elif method == "prcc":
            s = lambda x: (("+" if x >= 0 else "") + f.decimal(x, 3))  # noqa: E731
            cells = [s(v["prcc"]), _interval(s(v["prcc_low"]), s(v["prcc_high"]), lang), f.significant(v["p_value"], 2)
                     if v["p_value"] >= 1e-4 else f"< {f.decimal(0.0001, 4)}"]
        elif method == "sobol" and math.isnan(v["ST"]):
            cells = ["–", "–"]
        elif method == "sobol":
            cells = [f"{f.decimal(v['S1'], 3)} ± {f.decimal(v['S1_conf'], 3)}", f"{f.decimal(v['ST'], 3)} ± {f.decimal(v['ST_conf'], 3)}"]
        else:
            cells = [f"{_target_value(v['mu_star'], unit, lang)} ± {_target_value(v['mu_star_conf'], unit, lang)}",
                     _target_value(v["mu"], unit, lang), _target_value(v["sigma"], unit, lang)]
        rows.append([str(i + 1), _row_name(ds, path, lang)] + cells)
    lines += text_table([w["head"] + w["cols"][method]] + rows, left=(1,))
    if n < ds.sizes["parameter"]:
        lines.append(w["more"].format(n=ds.sizes["parameter"] - n))
    return "\n".join(lines)


def _row_name(ds, name: str, lang: str) -> str:
    """A sensitivity row: the input's dotted path, or under ``--by evidence`` the grade in words ("svagt underlag")."""
    return grade_label(name, lang) if ds.attrs.get("by") == "evidence" else name


_EVIDENCE = {
    "sv": {"title": "Andel av variansen per evidensgrad, {target}, varje aktör (S1 = gradens indata ensamma, ST = med samspel):",
           "actor": "aktör", "none": "– = varierar inte (inget att förklara)"},
    "en": {"title": "Share of variance by evidence grade, {target}, every actor (S1 = the grade's inputs alone, ST = with interactions):",
           "actor": "actor", "none": "– = does not vary (nothing to explain)"},
}


def evidence_text(ds, lang: str = "sv") -> str:
    """``simsam sensitivity --by evidence``'s table: per actor, each grade's S1 / ST, and the board's sentence."""
    w, f = _EVIDENCE[lang], _f(lang)
    grades = [str(p) for p in ds["parameter"].values]
    target = target_label(str(ds.attrs.get("target")), None, lang)
    rows = [[w["actor"]] + [grade_label(g, lang) for g in grades], [""] + ["S1 / ST"] * len(grades)]
    blank = False
    for i, actor in enumerate(ds["actor"].values.tolist()):
        s1, st = ds["actor_S1"].values[i], ds["actor_ST"].values[i]
        if not np.any(np.isfinite(st)):
            blank = True
            continue
        cells = [f"{f.decimal(a, 2)} / {f.decimal(b, 2)}" if math.isfinite(a) and math.isfinite(b) else "–" for a, b in zip(s1, st)]
        rows.append([actor_label(actor, lang, ds)] + cells)
    lines = [w["title"].format(target=target)] + text_table(rows, head=2)
    if blank:
        lines.append(w["none"])
    if (sentence := evidence_sentence(ds, lang)) is not None:
        lines += ["", sentence]
    return "\n".join(lines)


_OVER_TIME = {
    "sv": {"title": "Över tid, {actor}: {measure} av nettonyttan vid varje års slut (de {n} viktigaste indata år {last}); "
                    "P(återbetalning ≤ 12·år) och alla aktörer i sensitivity_time.csv",
           "year": "år {y}", "param": "indata"},
    "en": {"title": "Over time, {actor}: {measure} of the net benefit at each year's end (the {n} most important inputs in year {last}); "
                    "P(payback ≤ 12·year) and every actor in sensitivity_time.csv",
           "year": "year {y}", "param": "parameter"},
}


def over_time_text(ds, lang: str = "sv", top: int = 6) -> str:
    """The command's actor's net-benefit indices by year (Sobol S1 or PRCC), the inputs most important in the last year first."""
    w, f = _OVER_TIME[lang], _f(lang)
    measure = "S1" if "net_benefit_S1" in ds else "prcc"
    values = ds[f"net_benefit_{measure}"].sel(actor=str(ds.attrs.get("actor", SOCIETY))).values  # (year, parameter)
    years = ds["year"].values.tolist()
    last = np.abs(np.nan_to_num(values[-1], nan=-np.inf))
    order = np.argsort(-last, kind="stable")[: min(top, values.shape[1])]
    names = [str(p) for p in ds["parameter"].values]
    rows = [[w["param"]] + [w["year"].format(y=y) for y in years]]
    for j in order:
        rows.append([_row_name(ds, names[j], lang)] + [f.decimal(v, 2) if math.isfinite(v) else "–" for v in values[:, j]])
    label = "PRCC" if measure == "prcc" else "Sobol S1"
    who = actor_label(str(ds.attrs.get("actor", SOCIETY)), lang, ds)
    lines = [w["title"].format(actor=who, measure=label, n=len(order), last=years[-1])]
    return "\n".join(lines + text_table(rows))


# -- simsam portfolio ------------------------------------------------------------------------------
_PORTFOLIO = {
    "sv": {
        "title": "{name}: {n} projekt, {draws} dragningar (frö {seed}), alla startar samtidigt, horisont {h} månader",
        "shared": "Gemensamma (samma värde i alla projekt)", "coupled": "Kopplade (olika angivna: samma kvantil, egen fördelning)",
        "independent": "Dragna per projekt (olika angivna, restated = independent)",
        "specific": "Projektspecifika (oberoende mellan projekten): {n} indata; kohorterna oberoende",
        "head": ["", "kostnad, mkr", "nettonytta {y} år, mkr", "återbetalning, mån"], "sub": ["", "medel", "median [90 %-intervall]",
                                                                                         "median [90 %-int.]"],
        "portfolio": "portföljen (summa)", "society": "Samhället:",
        "at_least": "P(minst k projekt återbetalda för samhället inom m månader):",
        "corr": "Korrelation (Spearman) i nettonyttan efter {y} år mellan projekten, {actor}:",
    },
    "en": {
        "title": "{name}: {n} projects, {draws} draws (seed {seed}), all starting together, horizon {h} months",
        "shared": "Shared (same value in every project)", "coupled": "Coupled (restated differently: same quantile, own distribution)",
        "independent": "Drawn per project (restated differently, restated = independent)",
        "specific": "Project-specific (independent across projects): {n} inputs; cohorts independent",
        "head": ["", "cost, Mkr", "net benefit {y} y, Mkr", "payback, months"], "sub": ["", "mean", "median [90% interval]",
                                                                                   "median [90% int.]"],
        "portfolio": "portfolio (sum)", "society": "Society:",
        "at_least": "P(at least k projects pay back for society within m months):",
        "corr": "Correlation (Spearman) of the {y}-year net benefit between projects, {actor}:",
    },
}


def portfolio_text(ds, table, lang: str = "sv") -> str:
    """The printed report: inputs shared, per project and for the budget (society), P(at least k)."""
    w = _PORTFOLIO[lang]
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    months = ds["month"].values.tolist()
    names = ds["project"].values.tolist()
    lines = [w["title"].format(name=ds.attrs["name"], n=len(names), draws=_count(int(ds.attrs["draws"]), lang), seed=ds.attrs["seed"],
                               h=horizon)]
    status = ds["input_status"].values
    params = ds["parameter"].values.tolist()
    for what, label in ((SHARED, w["shared"]), (COUPLED, w["coupled"]), (INDEPENDENT, w["independent"])):
        hit = [n for j, n in enumerate(params) if (status[:, j] == what).any()]
        if hit:
            lines.append(f"{label}: {len(hit)}: {', '.join(hit)}")
    lines.append(w["specific"].format(n=sum((status[:, j] == SPECIFIC).any() for j in range(len(params)))))
    header = [h.format(y=years) for h in w["head"]] + [f"P(≤{m})" for m in months]
    grid = [header, w["sub"] + [""] * len(months)]
    for entity in names + [PORTFOLIO]:
        part = table.loc[entity].loc[SOCIETY]
        nb, pb = part.loc[f"net_benefit_{years}y"], part.loc["payback_months"]
        label = f"{entity} ({ds['project_label'].sel(project=entity).item()})" if entity != PORTFOLIO else w["portfolio"]
        grid.append(
            [
                label,
                _mkr(part.loc["cost", "mean"], lang),
                _mkr_cell(nb, lang),
                f"{_month(pb['median'], horizon)} {_interval(_month(pb['p05'], horizon), _month(pb['p95'], horizon), lang)}",
                *[_prob(part.loc[f"p_payback_{m}", "mean"], lang) for m in months],
            ]
        )
    lines += ["", w["society"]]
    lines += text_table(grid, head=2)
    lines += ["", w["at_least"]]
    ks = ds["k"].values.tolist()
    kw = max(len(str(k)) for k in ks)
    f = _f(lang)
    lines.append("  " + "k".rjust(kw) + "  " + "  ".join(f"m={m}".rjust(7) for m in months))
    for k in ks:
        cells = [f.decimal(table.loc[(PORTFOLIO, SOCIETY, f"p_at_least_{k}_within_{m}"), "mean"], 3).rjust(7) for m in months]
        lines.append("  " + str(k).rjust(kw) + "  " + "  ".join(cells))
    if len(names) > 1:
        width = max(len(n) for n in names)
        for actor in (SOCIETY, "kommun"):
            if actor not in ds["actor"].values.tolist():
                continue
            corr = ds["correlation_net_benefit"].sel(actor=actor).values
            lines += ["", w["corr"].format(y=years, actor=actor_label(actor, lang, ds))]
            lines.append("  " + " " * width + "  " + "  ".join(n[:8].rjust(8) for n in names))
            for i, n in enumerate(names):
                lines.append("  " + n.ljust(width) + "  " + "  ".join(
                    (("+" if c >= 0 else "") + f.decimal(c, 2)).rjust(8) for c in corr[i]))
    return "\n".join(lines)



# -- simsam monitor --------------------------------------------------------------------------------
_MONITOR = {
    "sv": {
        "title": "{name}: uppföljning per {as_of} (projektmånad {month} från start {start}), {draws} dragningar, frö {seed}",
        "people": "Deltagare: {planned} planerade; {in_file} i filen, varav {exited} har avslutat{excluded} och {in_project} är kvar; "
                  "{not_in_file} ännu inte i filen.",
        "excluded": " ({n} med okänt utfall: {codes})",
        "head": ["typfall", "hittills", "väntat vid start", "andel vid start", "andel nu", "kvar att fördela", "slutligt antal"],
        "sub": ["", "faktiskt", "median [90 %-int.]", "medel [90 %-int.]", "medel [90 %-int.]", "median [90 %-int.]", "median [90 %-int.]"],
        "fixed": "Konfigurationens utfallsandelar är fasta tal: uppföljningen kan inte flytta dem, "
                 "bara låsa utfallen för dem som avslutat.",
        "p_head": "P(återbetald inom M mån), vid start → nu (skillnad ± MC-standardfel):",
        "actor": "aktör",
        "nb": "nettonytta {y} år, mkr: start → nu",
        "note": "Avslutade deltagares utfall är låsta i varje dragning; övriga dras ur andelarnas posteriorfördelning. "
                "Start och nu räknas på samma dragningar.",
    },
    "en": {
        "title": "{name}: follow-up as of {as_of} (project month {month} from the start {start}), {draws} draws, seed {seed}",
        "people": "Participants: {planned} planned; {in_file} in the file, of whom {exited} have left{excluded} and "
                  "{in_project} are still in; {not_in_file} not yet in the file.",
        "excluded": " ({n} with an unknown outcome: {codes})",
        "head": ["outcome state", "so far", "expected at start", "share at start", "share now", "still to exit", "final count"],
        "sub": ["", "observed", "median [90% int.]", "mean [90% int.]", "mean [90% int.]", "median [90% int.]", "median [90% int.]"],
        "fixed": "The config's outcome shares are fixed numbers: the follow-up cannot move them, "
                 "only fix the outcomes of those who have left.",
        "p_head": "P(paid back within M months), at the start → now (difference ± MC standard error):",
        "actor": "actor",
        "nb": "net benefit {y} y, Mkr: start → now",
        "note": "The outcomes of those who have left are fixed in every draw; the others are drawn from the shares' posterior. "
                "Start and now are computed on the same draws.",
    },
}


def monitor_text(summary: dict, lang: str = "sv") -> str:
    """``simsam monitor``'s tables from its ``monitor.json``: who has left, the outcomes so far against what was expected,
    the shares before and after, and each actor's P(payback ≤ M) at the start and now."""
    w = _MONITOR[lang]
    f = _f(lang)
    p = summary["participants"]
    lines = [w["title"].format(name=summary["config"], as_of=summary["as_of"], month=summary["as_of_month"], start=summary["start"],
                               draws=_count(int(summary["draws"]), lang), seed=summary["seed"])]
    codes = ", ".join(f"{k}: {v}" for k, v in (p.get("excluded_codes") or {}).items())
    lines.append(w["people"].format(planned=p["planned"], in_file=p["in_file"], exited=p["exited"], in_project=p["in_project"],
                                    not_in_file=p["not_in_file"],
                                    excluded=w["excluded"].format(n=p["excluded"], codes=codes) if p["excluded"] else ""))

    def count_cell(q):
        return f"{f.number(q['median'])} {_interval(f.number(q['p05']), f.number(q['p95']), lang)}"

    def share_cell(mean, lo, hi):
        return f"{f.decimal(mean, 2)} {_interval(f.decimal(lo, 2), f.decimal(hi, 2), lang)}"

    rows = []
    for k, s in summary["states"].items():
        rows.append([s["label"] if lang == "sv" else k, str(s["observed"]), count_cell(s["expected_so_far"]),
                     share_cell(s["prior_mean"], s["prior_p05"], s["prior_p95"]),
                     share_cell(s["posterior_mean"], s["posterior_p05"], s["posterior_p95"]), count_cell(s["remaining"]),
                     count_cell(s["final"])])
    lines += ["", *text_table([w["head"], w["sub"]] + rows, head=2)]
    if summary.get("shares_kind") == "fixed":
        lines.append(w["fixed"])
    months = [str(m) for m in summary["months"]]
    year = next(iter(summary["actors"].values()))["net_benefit"]["year"]
    head = [w["actor"]] + [f"P(≤{m})" for m in months] + [w["nb"].format(y=year)]
    rows = []
    for a, entry in summary["actors"].items():
        if not entry.get("has_flows", True):
            continue
        label = actor_label(a, lang) if a == SOCIETY or lang == "en" else entry["label"]
        if entry.get("no_cost"):
            cells = [NOTHING] * len(months)
        else:
            cells = []
            for m in months:
                v = entry["p_payback"][m]
                diff = f.decimal(v["difference"], 2)
                diff = diff if diff.startswith(MINUS) else "+" + diff
                cells.append(f"{_prob(v['start'], lang)} → {_prob(v['now'], lang)} ({diff} ± {f.decimal(v['difference_mcse'], 3)})")
        nb = entry["net_benefit"]
        cells.append(f"{_mkr(nb['start']['median'], lang)} → {_mkr(nb['now']['median'], lang)}")
        rows.append([label, *cells])
    lines += ["", w["p_head"], *text_table([head] + rows), w["note"]]
    return "\n".join(lines)


# -- simsam split ----------------------------------------------------------------------------------
#: Words of ``simsam split`` (the terminal and the report's "Vem ska betala vad?").
SPLIT_WORDS = {
    "sv": {
        "title": "{name}: vem ska betala vad? {draws} dragningar, frö {seed}; finansierad kostnad {cost} (medel)",
        "splits": {"current": "nuvarande", "benefit": "nyttoproportionell", "maxmin": "maxmin P(≤{m})",
                   "finsam": "Finsam (lag 2003:1210, 5 §)", "custom": "egen (--shares)"},
        "split": "fördelning", "actor": "aktör", "share": "andel", "median": "median mån",
        "nb": "nettonytta {y} år, mkr", "p_nb": "P(NN {y} år ≥ 0)", "transfer": "utjämning, mkr", "after": "P efter",
        "shares_head": "Andel av den finansierade kostnaden:",
        "results_head": "Per fördelning och aktör (± Monte Carlo-standardfel):",
        "settled": "{split}: en utjämning efter år {y} ger varje aktör P(nettonytta ≥ 0) ≥ {p}.",
        "unsettled": "{split}: ingen utjämning ger varje aktör P ≥ {p} efter år {y} (aktörerna saknar tillsammans {short} "
                     "vid den nivån); högst {reached} för alla, med utjämningen i tabellen.",
        "society": "Samhället är detsamma under varje fördelning och utjämning (största skillnad per dragning {diff} kr): "
                   "P(≤{m}) {p}, nettonytta {y} år {nb} mkr.",
        "notes": {
            "benefit_losers": "Nyttoproportionell: andel 0 för {actors}, vars förväntade intäkt av projektet är negativ; "
                              "de övriga delar kostnaden efter sin förväntade intäkt och får samma avkastning per krona.",
            "benefit_none": "Nyttoproportionell: ingen finansierande aktör vinner i väntevärde; fördelningen finns inte.",
            "maxmin_dropped": "Maxmin: {actors} når inte högre sannolikhet att vara återbetald inom {month} månader (inom "
                              "parentes) ens utan kostnad och får andel 0; de övrigas minsta sannolikhet är den största möjliga. "
                              "Ligger flera aktörers sannolikhet nära 1 blir fördelningen lätt extrem: pröva ett kortare --month.",
            "maxmin_none": "Maxmin: ingen fördelning låter varje aktör bli återbetald inom {month} månader i någon dragning; "
                           "andelarna är lika.",
            "finsam_none": "Finsam: fördelningen kräver {why}.",
            "finsam_af": "Finsam: statens hälft betalas av Försäkringskassan (5 §); Arbetsförmedlingens del ingår i den.",
        },
        "method": "Samma dragningar för alla fördelningar: bara kostnadsandelarna skiljer, så varje skillnad är exakt per dragning.",
    },
    "en": {
        "title": "{name}: who should pay what? {draws} draws, seed {seed}; financed cost {cost} (mean)",
        "splits": {"current": "current", "benefit": "benefit-proportional", "maxmin": "max-min P(≤{m})",
                   "finsam": "Finsam (SFS 2003:1210, 5 §)", "custom": "own (--shares)"},
        "split": "split", "actor": "actor", "share": "share", "median": "median mo",
        "nb": "net benefit {y} y, Mkr", "p_nb": "P(NB {y} y ≥ 0)", "transfer": "settlement, Mkr", "after": "P after",
        "shares_head": "Share of the financed cost:",
        "results_head": "Per split and actor (± Monte Carlo standard error):",
        "settled": "{split}: a settlement after year {y} gives every actor P(net benefit ≥ 0) ≥ {p}.",
        "unsettled": "{split}: no settlement gives every actor P ≥ {p} after year {y} (together the actors miss {short} at that "
                     "level); at most {reached} for all, with the settlement in the table.",
        "society": "Society is the same under every split and settlement (largest difference per draw {diff} kr): "
                   "P(≤{m}) {p}, net benefit {y} y {nb} Mkr.",
        "notes": {
            "benefit_losers": "Benefit-proportional: share 0 for {actors}, whose expected revenue from the project is negative; "
                              "the others share the cost by their expected revenue and get the same return per krona.",
            "benefit_none": "Benefit-proportional: no financing actor gains in expectation; the split does not exist.",
            "maxmin_dropped": "Max-min: {actors} reach no higher probability of paying back within {month} months (in brackets) "
                              "even without cost and get share 0; the others' smallest probability is the largest possible. When "
                              "several actors' probabilities are near 1 the split is easily extreme: try a shorter --month.",
            "maxmin_none": "Max-min: no split lets every actor pay back within {month} months in any draw; the shares are equal.",
            "finsam_none": "Finsam: the split needs {why}.",
            "finsam_af": "Finsam: the state's half is paid by Försäkringskassan (5 §); Arbetsförmedlingen's part is within it.",
        },
        "method": "The same draws for every split: only the cost shares differ, so every difference is exact per draw.",
    },
}


def split_name(name: str, summary: dict, lang: str) -> str:
    """A split's printed name (the max-min's with its month)."""
    return SPLIT_WORDS[lang]["splits"][name].format(m=summary["month"])


def split_notes(summary: dict, lang: str) -> list[str]:
    """The notes of a ``split.json`` in words."""
    w = SPLIT_WORDS[lang]["notes"]
    out = []
    for note in summary["notes"]:
        values = {k: v for k, v in note.items() if k != "key"}
        if "actors" in values:
            best = values.get("best")
            values["actors"] = ", ".join(
                (actor_label(a, lang) if lang == "en" else summary["labels"].get(a, a))
                + (f" ({_f(lang).prob(best[i])})" if best is not None else "") for i, a in enumerate(values["actors"]))
        out.append(w[note["key"]].format(**values))
    return out


def split_settlement_lines(summary: dict, lang: str) -> list[str]:
    """One sentence per distinct settlement outcome, naming the splits that share it."""
    w = SPLIT_WORDS[lang]
    f = _f(lang)
    grouped: dict = {}
    for name, sp in summary["splits"].items():
        st = sp["settlement"]
        key = ("settled", "", "") if st["feasible"] else ("unsettled", f.money(st["shortfall"]), f.decimal(st["reached"], 2))
        grouped.setdefault(key, []).append(split_name(name, summary, lang))
    out = []
    joiner = " och " if lang == "sv" else " and "
    for (kind, short, reached), names in grouped.items():
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]
        out.append(w[kind].format(split=listed[:1].upper() + listed[1:], y=summary["year"], p=f.decimal(summary["level"], 2),
                                  short=short, reached=reached))
    return out


def split_text(summary: dict, lang: str = "sv") -> str:
    """``simsam split``'s tables from its ``split.json``: the shares of each split, then per split and actor P(payback),
    the median payback, the expected net benefit, P(net benefit after Y ≥ 0) and the settlement."""
    w = SPLIT_WORDS[lang]
    f = _f(lang)
    actors = summary["financing_actors"]

    def label(a):
        return actor_label(a, lang) if lang == "en" else summary["labels"].get(a, a)

    lines = [w["title"].format(name=summary["config"], draws=_count(int(summary["draws"]), lang), seed=summary["seed"],
                               cost=f.money(summary["financed_cost"]["mean"]))]
    rows = [[w["split"], *[label(a) for a in actors]]]
    for name, sp in summary["splits"].items():
        rows.append([split_name(name, summary, lang), *[f.decimal(sp["shares"][a], 3) for a in actors]])
    lines += ["", w["shares_head"], *text_table(rows)]
    months = [str(m) for m in summary["months"]]
    h, y = summary["years"], summary["year"]
    head = [w["split"], w["actor"], w["share"], *[f"P(≤{m})" for m in months], w["median"], w["nb"].format(y=h),
            w["p_nb"].format(y=y), w["transfer"], w["after"]]
    rows = [head]
    for name, sp in summary["splits"].items():
        for i, a in enumerate(actors):
            e = sp["actors"][a]
            pb = e["payback_median"]
            no_cost = e.get("no_cost", False)  # nothing to pay back: no payback figures
            rows.append([
                split_name(name, summary, lang) if i == 0 else "", label(a), f.decimal(e["share"], 3),
                *[NOTHING if no_cost else f"{_prob(e['p_payback'][m]['mean'], lang)} ± {f.decimal(e['p_payback'][m]['mcse'], 3)}"
                  for m in months],
                NOTHING if no_cost else _month(pb["median"] if pb["median"] is not None else math.nan, summary["horizon_months"]),
                f"{_mkr(e['net_benefit']['mean'], lang)} ± {_mkr(e['net_benefit']['mcse'], lang)}",
                _prob(e["p_net_benefit_positive"]["mean"], lang), _mkr(e["transfer"], lang, signed=True),
                _prob(e["p_net_benefit_positive_settled"]["mean"], lang),
            ])
    lines += ["", w["results_head"], *text_table(rows, left=(0, 1))]
    lines += ["", *split_settlement_lines(summary, lang), *split_notes(summary, lang)]
    soc = summary["society"]
    diff = max(sp["society_max_abs_difference"] for sp in summary["splits"].values())
    lines.append(w["society"].format(diff=f.significant(diff, 2) if diff else "0", m=months[-1],
                                     p=_prob(soc["p_payback"][months[-1]]["mean"], lang), y=h, nb=_mkr(soc["net_benefit"]["mean"], lang)))
    lines.append(w["method"])
    return "\n".join(lines)

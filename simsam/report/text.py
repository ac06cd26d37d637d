"""The words of the figures and tables, in Swedish and English.

The prose of the report lives in the Jinja2 templates (``templates/report_sv.html.j2``
and ``report_en.html.j2``); this module holds the short labels that figures and
tables share, and the names of actors, metrics and analyses.
"""

from __future__ import annotations

import math
import re

from ..analysis.summary import TOTALS
from ..config.model import SOCIETY

__all__ = [
    "T",
    "figure_words",
    "metric_label",
    "total_label",
    "actor_label",
    "actor_definite",
    "target_label",
    "target_unit",
    "GRADE_WORDS",
    "evidence_sentence",
    "grade_label",
    "METHOD_NAMES",
]

#: Short labels by language.
T = {
    "sv": {
        "month_axis": "Månader efter avslut",
        "months_short": "mån",
        "p_payback_axis": "Sannolikhet att kostnaden är återbetald",
        "acceptability_title": "Hur sannolikt är det att aktören har fått tillbaka sin andel av kostnaden?",
        "payback_hist_title": "Återbetalningstid för {actor}",
        "payback_hist_axis": "Återbetalningstid, månader",
        "share_of_draws": "Andel av dragningarna",
        "not_reached": "Ej inom\n{h} mån",
        "not_reached_share": "{p} ej inom {h} mån",
        "median": "Median",
        "band50": "50 % av utfallen",
        "band90": "90 % av utfallen",
        "fan_title": "Ackumulerad nettonytta för {actor}",
        "fan_actors_title": "Ackumulerad nettonytta per aktör",
        "fan_axis": "Nettonytta, mkr",
        "fan_month_axis": "Månader efter avslut (värden vid varje årsskifte)",
        "revenue_title": "Intäkter på aktörsnivå, första året",
        "revenue_axis": "Intäkt första året, mkr",
        "interval90": "90 %-intervall",
        "interval50": "50 %-intervall",
        "investment_title": "Investeringsperspektivet för {actor}: kostnaden en gång, intäkten varje år",
        "investment_left": "Kostnad och intäkt",
        "investment_right": "Intäkt per år",
        "cost_once": "Kostnad\n(en gång)",
        "revenue_y1": "Intäkt\når 1",
        "revenue_total": "Intäkt\når 1–{y} (summa)",
        "year_n": "År {y}",
        "cost_line": "Kostnaden (median), betalas en gång",
        "mkr_axis": "mkr",
        "tornado_title": "Envägsanalys (tornado): {target}",
        "tornado_low": "Indata lågt",
        "tornado_high": "Indata högt",
        "tornado_base": "Basvärde",
        "tornado_none": "ingen påverkan",
        "prcc_title": "Partiella rangkorrelationer (PRCC) med {target}",
        "prcc_axis": "PRCC (−1 till 1)",
        "sobol_title": "Sobolindex för {target}",
        "sobol_axis": "Andel av variansen",
        "time_title": "Vad osäkerheten i nettonyttan beror på, år för år (Sobol S1, andel av variansen vid varje års slut)",
        "time_rest": "övriga indata",
        "time_interactions": "samspel (1 − ΣS1)",
        "year_axis": "år",
        "sobol_s1": "Förstaordningens index (S1)",
        "sobol_st": "Totalindex (ST)",
        "morris_title": "Morris elementära effekter för {target}",
        "morris_mu": "μ* (medelabsolut effekt)",
        "morris_sigma": "σ (samspel, icke-linjäritet)",
        "ci95": "95 %-konfidensintervall",
        "society": "samhället",
        "better": "bättre",
        "calculation": "Beräkningen",
        "compare_title": "Scenarierna mot grundfallet, parade dragningar",
        "compare_axis": "Skillnad i nettonytta efter {y} år för {actor}, mkr (scenario − grundfall)",
        "evppi_title": "Värdet av bättre kunskap före beslutet ({actor})",
        "evppi_axis": "EVPPI efter {y} år, {unit}",
        "groups_title": "För vem lönar det sig? Nettonytta per deltagare efter {y} år, per grupp",
        "groups_axis": "Nettonytta per deltagare efter {y} år, tkr",
        "groups_legend": "{group} ({n} deltagare)",
        "monitor_exits_title": "Avslutade deltagare hittills",
        "monitor_exits_axis": "Antal avslutade, ackumulerat",
        "monitor_month_axis": "Månader från projektstart",
        "monitor_observed": "Faktiskt",
        "monitor_planned": "Enligt planen",
        "monitor_asof": "{date}",
        "monitor_outcomes_title": "Utfall bland de {n} som avslutat",
        "monitor_outcomes_axis": "Antal deltagare",
        "monitor_expected": "Väntat vid start (median, 90 %-intervall)",
        "split_shares_title": "Andel av kostnaden",
        "split_p_title": "P(återbetald inom {m} mån)",
        "split_nb_title": "Förväntad nettonytta efter {y} år, mkr",
    },
    "en": {
        "month_axis": "Months after exit",
        "months_short": "months",
        "p_payback_axis": "Probability the cost is paid back",
        "acceptability_title": "How likely is it that the actor has recovered its share of the cost?",
        "payback_hist_title": "Payback time for {actor}",
        "payback_hist_axis": "Payback time, months",
        "share_of_draws": "Share of draws",
        "not_reached": "Not within\n{h} months",
        "not_reached_share": "{p} not within {h} months",
        "median": "Median",
        "band50": "50% of outcomes",
        "band90": "90% of outcomes",
        "fan_title": "Cumulative net benefit for {actor}",
        "fan_actors_title": "Cumulative net benefit by actor",
        "fan_axis": "Net benefit, Mkr",
        "fan_month_axis": "Months after exit (values at each year end)",
        "revenue_title": "Revenue by actor, first year",
        "revenue_axis": "First-year revenue, Mkr",
        "interval90": "90% interval",
        "interval50": "50% interval",
        "investment_title": "The investment view for {actor}: the cost once, the revenue every year",
        "investment_left": "Cost and revenue",
        "investment_right": "Revenue per year",
        "cost_once": "Cost\n(once)",
        "revenue_y1": "Revenue\nyear 1",
        "revenue_total": "Revenue\nyears 1–{y} (sum)",
        "year_n": "Year {y}",
        "cost_line": "The cost (median), paid once",
        "mkr_axis": "Mkr",
        "tornado_title": "One-way analysis (tornado): {target}",
        "tornado_low": "Input low",
        "tornado_high": "Input high",
        "tornado_base": "Base value",
        "tornado_none": "no effect",
        "prcc_title": "Partial rank correlations (PRCC) with {target}",
        "prcc_axis": "PRCC (−1 to 1)",
        "sobol_title": "Sobol indices for {target}",
        "sobol_axis": "Share of the variance",
        "time_title": "What the uncertainty in the net benefit comes from, year by year (Sobol S1, share of variance at each year's end)",
        "time_rest": "other inputs",
        "time_interactions": "interactions (1 − ΣS1)",
        "year_axis": "year",
        "sobol_s1": "First order (S1)",
        "sobol_st": "Total order (ST)",
        "morris_title": "Morris elementary effects for {target}",
        "morris_mu": "μ* (mean absolute effect)",
        "morris_sigma": "σ (interactions, non-linearity)",
        "ci95": "95% confidence interval",
        "society": "society",
        "better": "better",
        "calculation": "The calculation",
        "compare_title": "The scenarios against the base case, paired draws",
        "compare_axis": "Difference in net benefit after {y} years for {actor}, Mkr (scenario − base)",
        "evppi_title": "The value of knowing more before deciding ({actor})",
        "evppi_axis": "EVPPI after {y} years, {unit}",
        "groups_title": "Who does it pay for? Net benefit per participant after {y} years, by group",
        "groups_axis": "Net benefit per participant after {y} years, thousand kr",
        "groups_legend": "{group} ({n} participants)",
        "monitor_exits_title": "Participants who have left so far",
        "monitor_exits_axis": "Number who have left, cumulative",
        "monitor_month_axis": "Months from the project's start",
        "monitor_observed": "Observed",
        "monitor_planned": "As planned",
        "monitor_asof": "{date}",
        "monitor_outcomes_title": "Outcomes of the {n} who have left",
        "monitor_outcomes_axis": "Number of participants",
        "monitor_expected": "Expected at the start (median, 90% interval)",
        "split_shares_title": "Share of the cost",
        "split_p_title": "P(paid back within {m} months)",
        "split_nb_title": "Expected net benefit after {y} years, Mkr",
    },
}

#: Labels that follow the project's timing (``timing = "project"``, a cost schedule): key → (sv, en).
_TIMING = {
    "month_axis": ("Månader från projektstart", "Months from the project's start"),
    "fan_month_axis": (
        "Månader från projektstart (värden vid varje årsskifte)",
        "Months from the project's start (values at each year end)",
    ),
    "payback_hist_axis": ("Återbetalningstid, månader från projektstart", "Payback time, months from the project's start"),
}
_SPREAD = {
    "cost_once": ("Kostnad\n(över {span})", "Cost\n(over {span})"),
    "cost_line": ("Kostnaden (median), fördelad över {span_long}", "The cost (median), spread over {span_long}"),
    "investment_title": ("Investeringsperspektivet för {{actor}}: kostnaden över {span_long}, intäkten varje år",
                         "The investment view for {{actor}}: the cost over {span_long}, the revenue every year"),
}


def figure_words(lang: str, timing=None) -> dict:
    """:data:`T` for ``lang``, with the labels that depend on the timing (a :class:`simsam.report.describe.Timing`) replaced.

    Months count from the project's start under ``timing = "project"``; a cost
    spread over months is not "paid once".
    """
    words = dict(T[lang])
    i = 0 if lang == "sv" else 1
    if timing is not None and timing.project:
        words.update({k: v[i] for k, v in _TIMING.items()})
    if timing is not None and timing.cost_spread:
        if timing.cost_years:
            n = len(timing.cost_years)
            span = f"{n} år" if lang == "sv" else f"{n} year{'s' if n != 1 else ''}"
            span_long = span
        else:
            m = timing.cost_months
            span, span_long = (f"{m} mån", f"{m} månader") if lang == "sv" else (f"{m} months", f"{m} months")
        words.update({k: v[i].format(span=span, span_long=span_long) for k, v in _SPREAD.items()})
    return words


# (table label, definite form in running text) for the usual NyttoSam actors.
_ACTORS = {
    "sv": {
        "kommun": ("Kommun", "kommunen"),
        "region": ("Region", "regionen"),
        "fk": ("Försäkringskassan", "Försäkringskassan"),
        "af": ("Arbetsförmedlingen", "Arbetsförmedlingen"),
        "stat": ("Staten (övrigt)", "staten (övrigt)"),
        "individ": ("Individen", "individen"),
        "arbetsgivare": ("Arbetsgivare", "arbetsgivarna"),
        "rattsvasende": ("Rättsväsendet", "rättsväsendet"),
        "ovriga": ("Övriga aktörer", "övriga aktörer"),
        "society": ("Samhället", "samhället"),
    },
    "en": {
        "kommun": ("Municipality", "the municipality"),
        "region": ("Region", "the region"),
        "fk": ("Försäkringskassan", "Försäkringskassan"),
        "af": ("Arbetsförmedlingen", "Arbetsförmedlingen"),
        "stat": ("State (other)", "the state (other)"),
        "individ": ("Individual", "the individual"),
        "arbetsgivare": ("Employers", "the employers"),
        "rattsvasende": ("Justice system", "the justice system"),
        "ovriga": ("Other actors", "other actors"),
        "society": ("Society", "society"),
    },
}

METHOD_NAMES = {
    "sv": {
        "tornado": "Envägsanalys (tornado)",
        "prcc": "Partiella rangkorrelationer (PRCC)",
        "sobol": "Sobolindex",
        "morris": "Morris screening",
    },
    "en": {
        "tornado": "One-way analysis (tornado)",
        "prcc": "Partial rank correlations (PRCC)",
        "sobol": "Sobol indices",
        "morris": "Morris screening",
    },
}


def _config_label(ds, actor: str) -> str | None:
    if ds is None or "actor_label" not in getattr(ds, "coords", {}):
        return None
    labels = dict(zip(ds["actor"].values.tolist(), ds["actor_label"].values.tolist()))
    return labels.get(actor)


def actor_label(actor: str, lang: str = "sv", ds=None) -> str:
    """The actor's name in a table: the config's own label in Swedish, a translation in English."""
    if lang == "sv":
        return _config_label(ds, actor) or _ACTORS["sv"].get(actor, (actor,))[0]
    if actor in _ACTORS["en"]:
        return _ACTORS["en"][actor][0]
    return _config_label(ds, actor) or actor


def actor_definite(actor: str, lang: str = "sv", ds=None) -> str:
    """The actor in running text ("kommunen", "the municipality"); lower case unless a proper name."""
    if actor in _ACTORS[lang]:
        return _ACTORS[lang][actor][1]
    label = actor_label(actor, lang, ds)
    return label


_TARGETS = {
    "sv": {
        "payback_months": "återbetalningstid",
        "annual_revenue": "intäkt första året",
        "revenue": "intäkt",
        "cost": "kostnad",
        "net_benefit": "nettonytta",
        "utilised_potential": "utnyttjad potential",
    },
    "en": {
        "payback_months": "payback time",
        "annual_revenue": "first-year revenue",
        "revenue": "revenue",
        "cost": "cost",
        "net_benefit": "net benefit",
        "utilised_potential": "utilised potential",
    },
}


def target_label(target: str | None, actor: str | None = None, lang: str = "sv", ds=None) -> str:
    """A sensitivity target in words, e.g. ``net_benefit_5y`` → "nettonytta efter 5 år (samhället)"."""
    target = str(target or "")
    words = _TARGETS[lang]
    if m := re.fullmatch(r"net_benefit_(\d+)y", target):
        text = f"nettonytta efter {m[1]} år" if lang == "sv" else f"net benefit after {m[1]} years"
    elif m := re.fullmatch(r"p_payback_(\d+)", target):
        text = f"sannolikhet för återbetalning inom {m[1]} mån" if lang == "sv" else f"probability of payback within {m[1]} months"
    elif m := re.fullmatch(r"p_net_benefit_positive_(\d+)y", target):
        text = (
            f"sannolikhet för positiv nettonytta efter {m[1]} år"
            if lang == "sv"
            else f"probability of positive net benefit after {m[1]} years"
        )
    else:
        text = words.get(target, target.replace("_", " ") or ("målvariabeln" if lang == "sv" else "the target"))
    if actor:
        text += f" ({actor_definite(str(actor), lang, ds)})"
    return text


#: Evidence grades in words: the grade as a noun phrase of "antaganden med ... underlag" / "inputs with ... evidence".
GRADE_WORDS = {
    "sv": {"high": "starkt", "medium": "medelstarkt", "low": "svagt", "ungraded": "ograderat"},
    "en": {"high": "strong", "medium": "moderate", "low": "weak", "ungraded": "ungraded"},
}


def grade_label(grade: str, lang: str = "sv") -> str:
    """A grade row of a table: ``low`` → "svagt underlag" / "weak evidence"; a mixed group ``medium + low`` word by word."""
    words = GRADE_WORDS[lang]
    text = " + ".join(words.get(g.strip(), g.strip()) for g in str(grade).split("+"))
    if grade == "ungraded":
        return "utan gradering" if lang == "sv" else "not graded"
    return f"{text} underlag" if lang == "sv" else f"{text} evidence"


def _target_definite(target: str, actor: str, lang: str, ds=None) -> str:
    """A target in running text, definite: "återbetalningstiden för samhället" / "the payback time of society"."""
    who = actor_definite(actor, lang, ds)
    sv = lang == "sv"
    if m := re.fullmatch(r"net_benefit_(\d+)y", target):
        text = f"nettonyttan efter {m[1]} år" if sv else f"the net benefit after {m[1]} years"
    elif m := re.fullmatch(r"p_payback_(\d+)", target):
        text = f"frågan om återbetalning inom {m[1]} månader" if sv else f"whether payback comes within {m[1]} months"
    else:
        text = {
            "payback_months": ("återbetalningstiden", "the payback time"),
            "annual_revenue": ("intäkten första året", "the first-year revenue"),
            "cost": ("kostnaden", "the cost"),
            "utilised_potential": ("den utnyttjade potentialen", "the utilised potential"),
        }.get(target, (target_label(target, None, "sv"), "the " + target_label(target, None, "en")))[0 if sv else 1]
    if target == "utilised_potential":
        return text
    return f"{text} för {who}" if sv else f"{text} of {who}"


def evidence_sentence(ds, lang: str = "sv", grade: str = "low") -> str | None:
    """The board's sentence of a Sobol analysis by evidence grade, or None when it has no such row.

    "38 % av osäkerheten i återbetalningstiden (samhället) kommer från antaganden med svagt underlag
    (S1; 41 % räknat med samspel, ST)." S1 of the grade's group is the share of the target's variance
    its inputs explain together, alone; ST adds their interactions with the other grades' inputs.
    """
    if ds.attrs.get("by") != "evidence" or grade not in [str(p) for p in ds["parameter"].values]:
        return None
    row = ds.sel(parameter=grade)
    s1, st = float(row["S1"]), float(row["ST"])
    if not (math.isfinite(s1) and math.isfinite(st)):
        return None
    pct = lambda x: f"{round(100 * min(max(x, 0.0), 1.0)):d}"  # noqa: E731 - estimates can stray past [0, 1] by their error
    target = _target_definite(str(ds.attrs.get("target", "")), str(ds.attrs.get("actor", SOCIETY)), lang, ds)
    words = GRADE_WORDS[lang][grade]
    if lang == "sv":
        return (f"{pct(s1)} % av osäkerheten i {target} kommer från antaganden med {words} underlag "
                f"(Sobol S1; {pct(st)} % räknat med samspel med övriga antaganden, ST).")
    return (f"{pct(s1)}% of the uncertainty in {target} comes from inputs with {words} evidence "
            f"(Sobol S1; {pct(st)}% counting interactions with the other inputs, ST).")


def target_unit(target: str | None, units: str | None = None) -> str:
    """``"kr"``, ``"months"``, ``"probability"``, ``"share"`` or ``""`` for a sensitivity target (its ``target_units`` when given)."""
    target = str(target or "")
    if units in ("kr", "months"):
        return units
    if target.startswith("p_"):
        return "probability"
    if "payback" in target:
        return "months"
    if "potential" in target:
        return "share"
    if any(k in target for k in ("revenue", "benefit", "cost")):
        return "kr"
    return ""


def metric_label(metric: str, lang: str = "sv") -> str:
    """A summary metric in words: ``net_benefit_5y`` → "Nettonytta efter 5 år" / "Net benefit after 5 years"."""
    sv = lang == "sv"
    fixed = {
        "payback_months": ("Återbetalningstid, mån", "Payback time, months"),
        "p_payback_not_reached": ("P(ej återbetald inom horisonten)", "P(not paid back within the horizon)"),
        "annual_revenue": ("Intäkt första året", "First-year revenue"),
        "cost": ("Kostnad", "Cost"),
        "utilised_potential": ("Utnyttjad potential", "Utilised potential"),
    }
    if metric in fixed:
        return fixed[metric][0 if sv else 1]
    if m := re.fullmatch(r"p_payback_(\d+)", metric):
        return f"P(återbetald inom {m[1]} mån)" if sv else f"P(paid back within {m[1]} months)"
    if m := re.fullmatch(r"net_benefit_(\d+)y", metric):
        n = int(m[1])
        return f"Nettonytta efter {n} år" if sv else f"Net benefit after {n} year{'s' if n != 1 else ''}"
    if m := re.fullmatch(r"p_net_benefit_positive_(\d+)y", metric):
        n = int(m[1])
        return f"P(positiv nettonytta efter {n} år)" if sv else f"P(positive net benefit after {n} year{'s' if n != 1 else ''})"
    return metric


def total_label(name: str, lang: str = "sv") -> str:
    """The label of a total of actors (:data:`simsam.analysis.summary.TOTALS`): "Staten totalt" / "State total"."""
    _, sv, en = TOTALS[name]
    return sv if lang == "sv" else en

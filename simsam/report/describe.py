"""The config's inputs in words: "PERT mellan 5,5 och 7,0 mkr, troligast 6,0 mkr".

Reads the merged config JSON that a result Dataset carries (``ds.attrs["config"]``)
and the sampled inputs (``ds["inputs"]``); never the config objects, so that an
old ``results.nc`` describes itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .formatting import Formatter
from .text import actor_definite, actor_label, grade_label

__all__ = [
    "config_of",
    "Timing",
    "timing_of",
    "lower_first",
    "parameter_label",
    "describe_value",
    "input_value",
    "input_span",
    "InputRow",
    "input_rows",
    "StateRow",
    "state_rows",
    "project_facts",
    "assumption_rows",
    "valuation_of",
    "value_kind",
]


def config_of(ds) -> dict:
    """The merged config of a run as a dict (empty when the Dataset has none)."""
    text = ds.attrs.get("config", "") if ds is not None else ""
    try:
        return json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {}


@dataclass(frozen=True)
class Timing:
    """When months count from and when the cost falls, as the engine reads the config (docs/method.md §5).

    Attributes
    ----------
    project : bool
        Months count from the project's start (``timing = "project"``), not from each participant's exit.
    cost_months : int
        The cost is spread evenly over project months 1 … ``cost_months`` (0: all at month 0).
    cost_years : tuple of float
        Yearly shares of the cost (``cost_schedule = [...]``), else empty.
    exits_over : int
        Participants exit evenly over the first ``exits_over`` months (0: all at month 0).
    exit_months : tuple of int
        Each participant's exit month when the config lists them, else empty.
    """

    project: bool = False
    cost_months: int = 0
    cost_years: tuple = ()
    exits_over: int = 0
    exit_months: tuple = ()

    @property
    def cost_spread(self) -> bool:
        """Whether the cost falls over several months rather than all at once at the start."""
        return self.project and (self.cost_months > 1 or len(self.cost_years) > 0)

    @property
    def cost_at_start(self) -> float:
        """The share of the cost paid at month 0 (before any flow)."""
        return 0.0 if self.project and (self.cost_months > 0 or self.cost_years) else 1.0

    @property
    def staggered(self) -> bool:
        """Whether participants exit at different months of the project."""
        return self.project and (self.exits_over > 1 or len(set(self.exit_months)) > 1)


def timing_of(config: dict) -> Timing:
    """The :class:`Timing` of a merged config dict (``timing`` defaults as in ``config/build.py``)."""
    project = config.get("project") or {}
    schedule = project.get("cost_schedule")
    exits = project.get("exits")
    exit_months = project.get("exit_months")
    timing = (config.get("simulation") or {}).get("timing")
    if timing is None:
        timing = "project" if (schedule is not None or exits is not None or exit_months is not None) else "nyttosam"
    if timing != "project":
        return Timing()
    months = int(schedule.get("over_months", 0)) if isinstance(schedule, dict) else 0
    years = tuple(float(v) for v in schedule) if isinstance(schedule, list) else ()
    over = int(exits.get("over_months", 0)) if isinstance(exits, dict) else 0
    listed = tuple(int(v) for v in exit_months) if isinstance(exit_months, list) else ()
    return Timing(True, months, years, over, listed)


def _get(config: dict, path: str):
    node = config
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _name(config: dict, section: str, key: str, lang: str) -> str:
    """A benefit's, resource's or state's name: its label in Swedish, its id in words in English."""
    entry = (config.get(section) or {}).get(key) if section != "states" else ((config.get("outcomes") or {}).get("states") or {}).get(key)
    if lang == "sv" and isinstance(entry, dict) and entry.get("label"):
        return str(entry["label"])
    words = " ".join(_ACRONYMS.get(w, w) for w in key.split("_"))
    return words[:1].upper() + words[1:]


_ACRONYMS = {"fk": "FK", "af": "AF"}


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, for use inside a sentence; acronyms and proper names keep theirs.

    >>> lower_first("Försörjningsstöd"), lower_first("FK-handläggning"), lower_first("Försäkringskassan")
    ('försörjningsstöd', 'FK-handläggning', 'Försäkringskassan')
    """
    # Lower-case a leading capital unless the word is an acronym or proper name (two capitals).
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() and text.split(" ")[0] not in PROPER else text


PROPER = {"Försäkringskassan", "Arbetsförmedlingen"}


# -- what unit a config value is in ----------------------------------------------------------------
def group_base_path(path: str) -> tuple[str, str] | None:
    """``(group, the config path it stands for)`` of a group's own input, else None.

    >>> group_base_path("groups.young.before.resources.visit")
    ('young', 'before.resources.visit')
    >>> group_base_path("groups.young.resource_change.work")
    ('young', 'outcomes.states.work.resource_change')
    """
    parts = path.split(".")
    if len(parts) < 4 or parts[0] != "groups" or parts[2] not in ("before", "transitions", "resource_change"):
        return None
    if parts[2] == "resource_change":
        return parts[1], ".".join(["outcomes", "states", parts[3], "resource_change", *parts[4:]])
    return parts[1], ".".join(parts[2:])


def value_kind(path: str, config: dict) -> tuple[str, str]:
    """``(kind, unit word)`` of a config path: kinds ``mkr``, ``kr``, ``qty``, ``share``, ``rate``, ``factor``, ``count``, ``age``."""
    if (own := group_base_path(path)) is not None:
        return value_kind(own[1], config)
    parts = path.split(".")
    if path == "project.cost":
        return "mkr", ""
    if path == "project.participants":
        return "count", ""
    if path in ("economy.uplift",):
        return "factor", ""
    if parts[0] == "economy" and parts[-1] in ("wage", "average_wage"):
        return "kr", "month"
    if parts[0] == "benefits" and parts[-1] in ("monthly", "norm", "housing"):
        return "kr", "month"
    if parts[0] == "benefits" and parts[-1] == "sgi":
        return "kr", "year"  # sjukpenninggrundande inkomst
    if parts[-1] == "age" and parts[0] in ("benefits", "economy"):
        return "age", ""
    if parts[0] == "outcomes" and parts[-1] == "wage":
        return "kr", "month"
    if parts[0] == "resources" and parts[-1] == "unit_cost":
        unit = ((config.get("resources") or {}).get(parts[1]) or {}).get("unit", "")
        return "kr", f"per:{unit}" if unit else "each"
    if parts[0] == "before" and len(parts) >= 3 and parts[1] == "resources":
        unit = ((config.get("resources") or {}).get(parts[2]) or {}).get("unit", "")
        return "qty", f"per_month:{unit}"
    if parts[0] == "transitions":
        return "share", "month"
    if path in ("simulation.discount_rate", "counterfactual.drop_off"):
        return "share", "year"
    if parts[0] == "groups" and len(parts) >= 3 and parts[2] == "shift":
        return "factor", ""  # a logit shift: a plain number, not a share
    return "share", ""


_UNITS_SV = {"besök": ("besök", "besök"), "timme": ("timme", "timmar"), "dag": ("dag", "dagar")}
_UNITS_EN = {"besök": ("visit", "visits"), "timme": ("hour", "hours"), "dag": ("day", "days")}


@dataclass(frozen=True)
class _Units:
    """How to write values of one kind: ``number(x)``, then ``unit`` (and ``per``, e.g. " per månad")."""

    number: object
    unit: str
    per: str
    plural: str = ""
    approx: object = None  # for sampled ranges: about three significant figures

    def one(self, x, per: bool = True) -> str:
        unit = self.unit if (x == 1 or not self.plural) else self.plural
        return f"{self.number(x)}{unit}{self.per if per else ''}"

    def range(self, lo, hi, lang: str) -> str:
        unit = self.plural or self.unit
        joiner = "och" if lang == "sv" else "and"
        return f"{self.number(lo)} {joiner} {self.number(hi)}{unit}{self.per}"

    def span(self, lo, hi, lang: str) -> str:
        """A compact interval: ``370–490 kr``, ``−29 till −11 %``."""
        unit = self.plural or self.unit
        joiner = (" till " if lang == "sv" else " to ") if lo < 0 or hi < 0 else "–"
        number = self.approx or self.number
        return f"{number(lo)}{joiner}{number(hi)}{unit}"


def _units(path: str, config: dict, f: Formatter) -> _Units:
    kind, unit = value_kind(path, config)
    sv = f.lang == "sv"
    sp = f.space
    per_month = " per månad" if sv else " per month"
    if kind == "mkr":
        return _Units(lambda x: f.number(x / 1e6, 1 if abs(x) >= 0.995e6 else 2), f"{sp}{'mkr' if sv else 'Mkr'}", "")
    # (mkr values are already rounded to 0,1 mkr)
    if kind == "kr":
        per = ""
        if unit == "month":
            per = per_month
        elif unit == "year":
            per = " per år" if sv else " per year"
        elif unit.startswith("per:"):
            u = unit[4:]
            per = f" per {(_UNITS_SV if sv else _UNITS_EN).get(u, (u, u))[0]}"
        return _Units(lambda x: f.significant(x, 4) if abs(x) < 1e4 else f.number(x), f"{sp}kr", per, approx=lambda x: f.significant(x, 3))
    if kind == "qty":
        u = unit.split(":", 1)[1] if ":" in unit else ""
        singular, plural = (_UNITS_SV if sv else _UNITS_EN).get(u, (u, u))
        return _Units(lambda x: f.significant(x, 3), f" {singular}" if singular else "", per_month, f" {plural}" if plural else "")
    if kind == "factor":
        return _Units(lambda x: f.significant(x, 3), "", "")
    if kind == "count":
        return _Units(f.number, "", "")
    if kind == "age":
        return _Units(lambda x: f.significant(x, 3), " år" if sv else " years", "", approx=lambda x: f.number(x, 0))
    per = {"month": per_month, "year": " per år" if sv else " per year"}.get(unit, "")

    def percent(x):
        value = 100 * float(x)
        return f.significant(value, 2) if 0 < abs(value) < 10 else f.number(value, 0)

    return _Units(percent, f"{sp}%" if sv else "%", per)


def input_value(x, path: str, config: dict, f: Formatter, *, approx: bool = False, per: bool = True, exact: bool = False) -> str:
    """One value of an input with its unit, e.g. ``9 000 kr per månad`` or ``25 %``.

    ``approx`` rounds to about three significant figures (for sampled values);
    ``exact`` writes six (a fixed value as the config states it: 37.5 %, not 38 %);
    ``per=False`` leaves out "per månad" and the like.

    >>> input_value(9000, "benefits.social_assistance.monthly", {}, Formatter("sv"))
    '9 000 kr per månad'
    >>> input_value(0.25, "outcomes.states.work.employment_rate", {}, Formatter("en"))
    '25%'
    >>> input_value(0.375, "before.income.sickness_benefit", {}, Formatter("en"), exact=True)
    '37.5%'
    """
    u = _units(path, config, f)
    if exact:
        kind, _ = value_kind(path, config)
        scale = {"share": 100.0, "mkr": 1e-6}.get(kind, 1.0)
        u = _Units(lambda v: f.significant(v * scale, 6), u.unit, u.per, u.plural)
    elif approx and u.approx is not None:
        u = _Units(u.approx, u.unit, u.per, u.plural)
    return u.one(float(x), per=per)


def input_span(lo, hi, path: str, config: dict, f: Formatter) -> str:
    """An interval of an input's values with its unit written once, e.g. ``4 882–6 243 kr`` or ``61–87 %``.

    >>> input_span(4881.5, 6242.7, "benefits.activity_support.monthly", {}, Formatter("en"))
    '4,882–6,243 kr'
    """
    u = _units(path, config, f)
    return _Units(u.number, u.unit, u.per, u.plural).span(float(lo), float(hi), f.lang)


def _quote(text: str, lang: str) -> str:
    return f"”{text}”" if lang == "sv" else f"“{text}”"


def describe_value(spec, path: str, config: dict, f: Formatter) -> str:
    """A config value (a number, a distribution table or a Dirichlet) in words.

    >>> describe_value({"dist": "pert", "min": 5.5e6, "mode": 6e6, "max": 7e6}, "project.cost", {}, Formatter("sv"))
    'PERT mellan 5,5 och 7,0 mkr, troligast 6,0 mkr'
    """
    u = _units(path, config, f)
    sv = f.lang == "sv"
    if isinstance(spec, bool) or spec is None:
        return str(spec)
    if isinstance(spec, (int, float)):
        return u.one(spec) + (" (fast värde)" if sv else " (fixed)")
    if not isinstance(spec, dict):
        return str(spec)
    dist = spec.get("dist")
    p = {k: float(v) for k, v in spec.items() if k != "dist" and isinstance(v, (int, float))}
    if dist == "pert":
        return (f"PERT mellan {u.range(p['min'], p['max'], 'sv')}, troligast {u.one(p['mode'], per=False)}" if sv
                else f"PERT between {u.range(p['min'], p['max'], 'en')}, most likely {u.one(p['mode'], per=False)}")
    if dist == "triangular":
        return (f"triangelfördelning mellan {u.range(p['low'], p['high'], 'sv')}, troligast {u.one(p['mode'], per=False)}" if sv
                else f"triangular between {u.range(p['low'], p['high'], 'en')}, most likely {u.one(p['mode'], per=False)}")
    if dist == "uniform":
        return (f"likformig mellan {u.range(p['low'], p['high'], 'sv')}" if sv
                else f"uniform between {u.range(p['low'], p['high'], 'en')}")
    if dist in ("normal", "lognormal", "gamma") or (dist == "beta" and "mean" in p):
        name = {"normal": ("normalfördelning", "normal"), "lognormal": ("lognormalfördelning", "lognormal"),
                "gamma": ("gammafördelning", "gamma"), "beta": ("betafördelning", "beta")}[dist][0 if sv else 1]
        text = (f"{name} med medelvärde {u.one(p['mean'])} och standardavvikelse {u.one(p['sd'], per=False)}" if sv
                else f"{name} with mean {u.one(p['mean'])} and standard deviation {u.one(p['sd'], per=False)}")
        if "low" in p and "high" in p:
            text += f", begränsad till {u.span(p['low'], p['high'], 'sv')}" if sv else f", truncated to {u.span(p['low'], p['high'], 'en')}"
        elif "low" in p:
            text += f", aldrig under {u.one(p['low'], per=False)}" if sv else f", never below {u.one(p['low'], per=False)}"
        elif "high" in p:
            text += f", aldrig över {u.one(p['high'], per=False)}" if sv else f", never above {u.one(p['high'], per=False)}"
        return text
    if dist == "beta":
        a, b = p["a"], p["b"]
        mean = u.one(a / (a + b), per=False)
        return (f"betafördelning med a = {f.significant(a)} och b = {f.significant(b)} (medelvärde {mean})" if sv
                else f"beta with a = {f.significant(a)} and b = {f.significant(b)} (mean {mean})")
    if dist == "dirichlet":
        return _describe_dirichlet(spec, config, f)
    return json.dumps(spec, ensure_ascii=False)


def _describe_dirichlet(p: dict, config: dict, f: Formatter) -> str:
    sv = f.lang == "sv"
    if "counts" in p:
        counts = ", ".join(f"{_quote(_name(config, 'states', k, f.lang), f.lang)} {f.significant(v)}" for k, v in p["counts"].items())
        prior = f.significant(float(p.get("prior", 1.0)))
        return (f"Dirichlet från observerade antal: {counts}, plus {prior} a priori per utfall" if sv
                else f"Dirichlet from observed counts: {counts}, plus a prior of {prior} per outcome")
    means = ", ".join(f"{_quote(_name(config, 'states', k, f.lang), f.lang)} {f.pct(v)}" for k, v in p.get("mean", {}).items())
    conc = f.significant(float(p.get("concentration", 0)))
    return (f"Dirichlet med medelandelarna {means} och koncentration {conc} (som om så många deltagare observerats)" if sv
            else f"Dirichlet with mean shares {means} and concentration {conc} (as if that many participants were observed)")


# -- names of the inputs ---------------------------------------------------------------------------
#: Inputs whose name is the same in every config: path → (Swedish, English).
_FIXED_LABELS = {
    "project.cost": ("Projektkostnad (hela projektet)", "Project cost (whole project)"),
    "project.participants": ("Antal deltagare", "Participants"),
    "economy.wage": ("Heltidslön i deltagarnas jobb", "Full-time wage of the participants' jobs"),
    "economy.average_wage": ("Genomsnittslön (för potentialen)", "Average wage (for the potential)"),
    "economy.uplift": ("Uppräkning för indirekta skatter", "Indirect-tax uplift"),
    "economy.payroll_tax": ("Arbetsgivaravgift", "Payroll tax"),
}


def parameter_label(path: str, config: dict, lang: str = "sv") -> str:
    """An input's dotted config path in words, with the config's labels (Swedish) or the ids in words (English).

    >>> config = {"benefits": {"social_assistance": {"label": "Försörjningsstöd"}}}
    >>> parameter_label("benefits.social_assistance.monthly", config)
    'Försörjningsstöd per månad'
    >>> parameter_label("benefits.social_assistance.monthly", config, "en")
    'Social assistance per month'
    """
    sv = lang == "sv"
    if " ~ " in path:  # a correlated group of inputs (simsam sensitivity)
        return " ~ ".join(parameter_label(p.strip(), config, lang) for p in path.split(" ~ "))
    if path == "cohort":  # the cohort's own chance (simsam sensitivity)
        return "Slumpen i gruppen (vem som hamnar i vilket utfall)" if sv else "Chance in the group (who ends in which outcome)"
    parts = path.split(".")
    n = len(parts)
    if path in _FIXED_LABELS:
        return _FIXED_LABELS[path][0 if sv else 1]
    if n == 3 and parts[:2] == ["economy", "income_tax"]:
        return f"Inkomstskatt till {actor_definite(parts[2], lang)}" if sv else f"Income tax to {actor_definite(parts[2], lang)}"
    if path == "simulation.discount_rate":
        return "Diskonteringsränta" if sv else "Discount rate"
    if n == 3 and parts[0] == "benefits":
        name = _name(config, "benefits", parts[1], lang)
        return f"{name} per månad" if sv else f"{name} per month"
    if n == 3 and parts[0] == "resources":
        name = _name(config, "resources", parts[1], lang)
        unit = ((config.get("resources") or {}).get(parts[1]) or {}).get("unit", "")
        unit = (_UNITS_SV if sv else _UNITS_EN).get(unit, (unit, unit))[0] if unit else ""
        if sv:
            return f"{name}: kostnad per {unit}" if unit else f"{name}: styckkostnad"
        return f"{name}: cost per {unit}" if unit else f"{name}: unit cost"
    if n == 3 and parts[:2] == ["before", "resources"]:
        name = lower_first(_name(config, "resources", parts[2], lang))
        return f"FÖRE: {name}, antal per månad" if sv else f"BEFORE: {name}, quantity per month"
    if n == 3 and parts[:2] == ["before", "income"]:
        name = lower_first(_name(config, "benefits", parts[2], lang))
        return f"FÖRE: andel med {name}" if sv else f"BEFORE: share on {name}"
    if path == "outcomes.shares":
        return "Utfallsandelar (typfall)" if sv else "Outcome shares (archetypes)"
    if n == 3 and parts[:2] == ["outcomes", "shares"]:
        name = _quote(_name(config, "states", parts[2], lang), lang)
        return f"Andel i utfallet {name}" if sv else f"Share in the outcome {name}"
    if n >= 4 and parts[:2] == ["outcomes", "states"]:
        state = _name(config, "states", parts[2], lang)
        item = parts[3]
        if item == "employment_rate":
            what = "tjänstgöringsgrad" if sv else "employment rate"
        elif item == "wage_subsidy":
            what = "lönebidrag (andel av lönekostnaden)" if sv else "wage subsidy (share of the wage cost)"
        elif item == "wage":
            what = "heltidslön" if sv else "full-time wage"
        elif item == "resource_change" and n == 4:
            what = "förändrad resursförbrukning" if sv else "change in resource use"
        elif item == "resource_change":
            res = lower_first(_name(config, "resources", parts[4], lang))
            what = f"förändrad förbrukning, {res}" if sv else f"change in use of {res}"
        elif item == "income" and n == 5:
            ben = lower_first(_name(config, "benefits", parts[4], lang))
            what = f"andel med {ben}" if sv else f"share on {ben}"
        else:
            what = ".".join(parts[3:])
        return f"{state}: {what}"
    if n == 3 and parts[0] == "transitions":
        a, b = _quote(_name(config, "states", parts[1], lang), lang), _quote(_name(config, "states", parts[2], lang), lang)
        return f"Övergång från {a} till {b}" if sv else f"Transition from {a} to {b}"
    if n == 2 and parts[0] == "counterfactual" and parts[1] in _COUNTERFACTUAL:
        return _COUNTERFACTUAL[parts[1]][0 if sv else 1]
    if n == 4 and parts[0] == "groups" and parts[2] == "shift":
        group = _group_name(config, parts[1], lang)
        state = _quote(_name(config, "states", parts[3], lang), lang)
        return f"Grupp {group}: förskjutning mot {state} (logit)" if sv else f"Group {group}: shift towards {state} (logit)"
    if (own := group_base_path(path)) is not None:
        group = _group_name(config, own[0], lang)
        return f"Grupp {group}: {lower_first(parameter_label(own[1], config, lang))}" if sv else (
            f"Group {group}: {lower_first(parameter_label(own[1], config, lang))}")
    return path


#: The counterfactual adjustments: key → (Swedish name, English name, Swedish meaning, English meaning).
_COUNTERFACTUAL = {
    "deadweight": ("Dödvikt (deadweight)", "Deadweight",
                   "andelen av förändringen som skulle ha skett ändå; varje flöde gånger (1 − dödvikt)",
                   "the share of the change that would have happened anyway; every flow times (1 − deadweight)"),
    "attribution": ("Tillskrivning (attribution)", "Attribution",
                    "andelen av förändringen som beror på just detta projekt; varje flöde gånger andelen",
                    "the share of the change owed to this project; every flow times the share"),
    "displacement": ("Undanträngning (displacement)", "Displacement",
                     "andelen av jobben som tas från andra; lön, skatt, lönebidrag och produktion gånger (1 − andelen)",
                     "the share of the jobs taken from others; wage, taxes, wage subsidy and production times (1 − the share)"),
    "drop_off": ("Avtagande effekt (drop-off)", "Drop-off",
                 "effekten minskar med denna andel per år efter det första",
                 "the effect falls by this share each year after the first"),
    "optimism_bias": ("Optimismjustering av kostnaden (optimism bias)", "Optimism bias",
                      "projektkostnaden räknas upp med denna andel",
                      "the project cost is raised by this share"),
}
#: The values that change nothing (config/reference.py).
_NEUTRAL = {"deadweight": 0.0, "attribution": 1.0, "displacement": 0.0, "drop_off": 0.0, "optimism_bias": 0.0}


def _group_name(config: dict, group: str, lang: str) -> str:
    entry = (config.get("groups") or {}).get(group) or {}
    label = entry.get("label") if isinstance(entry, dict) else None
    return _quote(str(label) if label else group.replace("_", " "), lang)


def _group_own_words(group: dict, f: Formatter) -> str:
    """What a group has of its own besides its shift, as a clause: its BEFORE, transitions, resource use, cost weight."""
    sv = f.lang == "sv"
    words = []
    if group.get("before"):
        words.append("egen FÖRE-situation" if sv else "its own BEFORE situation")
    if group.get("transitions"):
        words.append("egna övergångar" if sv else "its own transitions")
    if group.get("resource_change"):
        words.append("egen förändrad resursförbrukning" if sv else "its own change in resource use")
    weight = group.get("cost_weight", 1.0)
    if isinstance(weight, (int, float)) and float(weight) != 1.0:
        words.append(f"vikt {f.decimal(float(weight), 2)} per deltagare i kostnadsfördelningen" if sv
                     else f"weight {f.decimal(float(weight), 2)} per participant in the cost attribution")
    return "; " + ", ".join(words) if words else ""


def _shift_words(spec, path: str, config: dict, f: Formatter) -> str:
    """A logit shift: a plain signed number, or its distribution in words."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return f.decimal(float(spec), 2)
    return describe_value(spec, path, config, f)


def valuation_of(config: dict) -> str:
    """``"seekamu"`` when the config values exclusion the SEEKAMU way, else ``"nyttosam"``.

    SEEKAMU: ``[meta] valuation`` names it, or the BEFORE basket holds a SEEKAMU
    resource (an ``exclusion_cost…`` of ``configs/base/seekamu.toml``).
    """
    meta = config.get("meta") or {}
    if "seekamu" in str(meta.get("valuation", "")).lower():
        return "seekamu"
    resources = config.get("resources") or {}
    for rid in ((config.get("before") or {}).get("resources") or {}):
        entry = resources.get(rid) or {}
        if "seekamu" in str(entry.get("label", "")).lower() or rid.startswith("exclusion_cost"):
            return "seekamu"
    return "nyttosam"


def assumption_rows(ds, f: Formatter) -> list[tuple[str, str]]:
    """(what, in words) for the settings that change how the numbers are made, in the report's language.

    The valuation (NyttoSam or SEEKAMU), the timing (months from exit or from the
    project start, staggered exits, the cost schedule), every counterfactual
    adjustment that is not neutral, the rank correlations, the groups of
    participants, and the tax rules and price level when the run records them.
    Only what the config sets: a NyttoSam run with none of these gets the
    valuation and the timing.
    """
    config = config_of(ds)
    sv = f.lang == "sv"
    rows = []
    if valuation_of(config) == "seekamu":
        rows.append(("Värderingsmetod" if sv else "Valuation", (
            "SEEKAMU (Nilsson och Wadeskogs utanförskapskostnad): en deltagare utanför arbetsmarknaden kostar det offentliga ett "
            "belopp per år, fördelat på aktörerna; ersättningar ingår i beloppet, så en undviken ersättning är en besparing också "
            "för samhället" if sv else
            "SEEKAMU (Nilsson and Wadeskog's cost of exclusion): a participant outside the labour market costs the public sector an "
            "amount per year, split between the actors; benefits are part of it, so a benefit avoided is a saving for society too")))
    else:
        rows.append(("Värderingsmetod" if sv else "Valuation", (
            "NyttoSam: ersättningar flyttar pengar mellan aktörerna och tar ut varandra för samhället; kvar blir produktion och "
            "resursförbrukning" if sv else
            "NyttoSam: benefits move money between the actors and cancel out for society; what remains is production and "
            "resource use")))
    timing = timing_of(config)
    if not timing.project:
        rows.append(("Tidsräkning" if sv else "Timing", (
            "månaderna räknas från varje deltagares avslut (NyttoSams sätt); hela kostnaden betalas vid start (månad 0)" if sv else
            "months count from each participant's exit (NyttoSam's way); the whole cost is paid at the start (month 0)")))
    else:
        if timing.exit_months:
            exits = (f"deltagarnas avslut enligt en lista, månad {min(timing.exit_months)}–{max(timing.exit_months)}" if sv else
                     f"participants exit as listed, months {min(timing.exit_months)}–{max(timing.exit_months)}")
        elif timing.exits_over > 1:
            exits = (f"deltagarna avslutar jämnt fördelat över de första {timing.exits_over} månaderna" if sv else
                     f"participants exit evenly over the first {timing.exits_over} months")
        else:
            exits = "alla deltagare avslutar vid start" if sv else "every participant exits at the start"
        if timing.cost_years:
            shares = ", ".join(f.pct(x) for x in timing.cost_years)
            cost = (f"kostnaden fördelas över {len(timing.cost_years)} år ({shares}), jämnt inom varje år" if sv else
                    f"the cost is spread over {len(timing.cost_years)} years ({shares}), evenly within each year")
        elif timing.cost_months > 1:
            cost = (f"kostnaden fördelas jämnt över {timing.cost_months} månader" if sv else
                    f"the cost is spread evenly over {timing.cost_months} months")
        elif timing.cost_months == 1:
            cost = "kostnaden betalas under den första månaden" if sv else "the cost is paid in the first month"
        else:
            cost = "hela kostnaden betalas vid start" if sv else "the whole cost is paid at the start"
        horizon = ds.attrs.get("horizon_months", (config.get("simulation") or {}).get("horizon_months", 60))
        rows.append(("Tidsräkning" if sv else "Timing", (
            f"månaderna räknas från projektets start; {exits}; {cost}; flöden efter månad {horizon} räknas inte, så den som "
            "avslutar sent följs kortare tid" if sv else
            f"months count from the project's start; {exits}; {cost}; flows after month {horizon} are not counted, so late "
            "leavers are followed for less time")))
    counterfactual = config.get("counterfactual") or {}
    for key, (name_sv, name_en, what_sv, what_en) in _COUNTERFACTUAL.items():
        spec = counterfactual.get(key)
        if spec is None or (isinstance(spec, (int, float)) and float(spec) == _NEUTRAL[key]):
            continue
        words = describe_value(spec, f"counterfactual.{key}", config, f)  # drop-off's unit says "per år"
        rows.append((name_sv if sv else name_en, f"{words} — {what_sv if sv else what_en}"))
    correlations = config.get("correlations") or {}
    if correlations:
        pairs = []
        for pair, rho in correlations.items():
            a, _, b = (_quote(parameter_label(x.strip(), config, f.lang), f.lang) for x in str(pair).partition("~"))
            pairs.append(f"{a} {'och' if sv else 'and'} {b}: {f.decimal(float(rho), 2)}")
        rows.append(("Rangkorrelationer (Spearman)" if sv else "Rank correlations (Spearman)", "; ".join(pairs)))
    groups = config.get("groups") or {}
    if groups:
        parts = []
        for gid, g in groups.items():
            g = g if isinstance(g, dict) else {}
            moved = ", ".join(
                f"{_quote(_name(config, 'states', k, f.lang), f.lang)} {_shift_words(v, f'groups.{gid}.shift.{k}', config, f)}"
                for k, v in (g.get("shift") or {}).items()
            )
            share = f.pct(float(g.get("share", 0)))
            own = _group_own_words(g, f)
            if sv:
                how = f" (utfallsandelarna förskjutna på logitskalan: {moved}{own})" if moved else (
                    f" (samma utfallsandelar{own})")
                parts.append(f"{_group_name(config, gid, f.lang)} {share} av deltagarna{how}")
            else:
                how = f" (outcome shares shifted on the logit scale: {moved}{own})" if moved else f" (the same outcome shares{own})"
                parts.append(f"{_group_name(config, gid, f.lang)} {share} of the participants{how}")
        rows.append(("Deltagargrupper" if sv else "Groups of participants", "; ".join(parts)))
    rules_year = ds.attrs.get("rules_year") if hasattr(ds, "attrs") else None
    tax_rules = ds.attrs.get("tax_rules") if hasattr(ds, "attrs") else None
    if tax_rules == "sweden":
        rows.append(("Skatteregler" if sv else "Tax rules", (
            f"inkomstskatt enligt reglerna för inkomståret {rules_year} (grundavdrag, jobbskatteavdrag, statlig skatt; "
            "skattereduktionerna betalas av staten)" if sv else
            f"income tax by the rules of income year {rules_year} (basic deduction, earned income tax credit, state tax; "
            "the credits are paid by the state)")))
    elif tax_rules == "flat":
        rows.append(("Skatteregler" if sv else "Tax rules", (
            "proportionella skattesatser på bruttoinkomsten (utan grundavdrag och jobbskatteavdrag), som i NyttoSam" if sv else
            "proportional rates on gross income (no basic deduction or earned income tax credit), as in NyttoSam")
            + (f"; förmåner enligt reglerna för {rules_year}" if sv and rules_year else
               f"; benefits by the rules of {rules_year}" if rules_year else "")))
    for bid, b in (config.get("benefits") or {}).items():
        if not (isinstance(b, dict) and b.get("top_up")):
            continue
        name = _name(config, "benefits", bid, f.lang)  # it opens the sentence
        norm = describe_value(b["norm"], f"benefits.{bid}.norm", config, f) if "norm" in b else None
        take_up = describe_value(b.get("take_up", 1.0), f"benefits.{bid}.take_up", config, f)
        if sv:
            text = (f"{name} är behovsprövat: den vars inkomst efter skatt och andra ersättningar är lägre än normen"
                    f"{f' ({norm})' if norm else ''} får mellanskillnaden, obeskattad; andelen berättigade som tar emot det: {take_up}")
        else:
            text = (f"{name} is means-tested: anyone whose income after tax and other benefits is below the norm"
                    f"{f' ({norm})' if norm else ''} receives the difference, untaxed; share of those entitled who receive it: {take_up}")
        rows.append(("Behovsprövat stöd" if sv else "Means-tested support", text))
    if ds.attrs.get("price_level"):
        level = ds.attrs["price_level"]
        rows.append(("Prisnivå" if sv else "Price level", f"{level} års priser" if sv else f"{level} prices"))
    return rows


# -- tables of the report ---------------------------------------------------------------------------
@dataclass(frozen=True)
class InputRow:
    """One uncertain input (or Dirichlet group): its name, path, distribution in words and sampled 90 % range."""

    label: str
    path: str
    words: str
    sampled: str
    #: Its evidence grade in words and its source ("svagt underlag: Eurofound 2015"), or "" when not graded.
    evidence: str = ""


def _sampled_range(values: np.ndarray, path: str, config: dict, f: Formatter) -> str:
    lo, hi = np.quantile(values, [0.05, 0.95])
    if values.size < 2 or lo == hi:  # one draw: its value, not a range
        return _units(path, config, f).one(float(lo), per=False)
    return _units(path, config, f).span(float(lo), float(hi), f.lang)


def input_rows(ds, f: Formatter) -> list[InputRow]:
    """The run's uncertain inputs in config order, a Dirichlet group as one row."""
    config = config_of(ds)
    if "inputs" not in ds or "parameter" not in ds.coords:
        return []
    names = [str(p) for p in ds["parameter"].values]
    groups = [str(g) for g in ds["parameter_group"].values] if "parameter_group" in ds.coords else names
    grades = [str(g) for g in ds["parameter_evidence"].values] if "parameter_evidence" in ds.coords else ["ungraded"] * len(names)
    inputs = ds["inputs"].values

    def evidence(i: int, spec) -> str:
        if grades[i] == "ungraded":
            return ""
        source = spec.get("source") if isinstance(spec, dict) else None
        return grade_label(grades[i], f.lang) + (f": {source}" if isinstance(source, str) and source else "")

    rows, done = [], set()
    for i, (name, group) in enumerate(zip(names, groups)):
        if group in done:
            continue
        if group != name:  # a Dirichlet group: one row, the sampled range of each share
            done.add(group)
            members = [j for j, g in enumerate(groups) if g == group]
            spec = _get(config, group)
            words = describe_value(spec, group, config, f) if spec is not None else group
            parts = []
            for j in members:
                state = names[j].rsplit(".", 1)[-1]
                lo, hi = np.quantile(inputs[:, j], [0.05, 0.95])
                parts.append(f"{_quote(_name(config, 'states', state, f.lang), f.lang)} {f.interval(lo, hi, f.pct)}")
            rows.append(InputRow(parameter_label(group, config, f.lang), group, words, "; ".join(parts), evidence(i, spec)))
            continue
        spec = _get(config, name)
        words = describe_value(spec, name, config, f) if spec is not None else "–"
        rows.append(InputRow(parameter_label(name, config, f.lang), name, words, _sampled_range(inputs[:, i], name, config, f),
                             evidence(i, spec)))
    return rows


@dataclass(frozen=True)
class StateRow:
    """One outcome archetype (typfall) as the report describes it."""

    label: str
    share: str
    work: str
    income: str
    resources: str


def _value_words(spec, path: str, config: dict, f: Formatter) -> str:
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return _units(path, config, f).one(spec, per=False)
    return describe_value(spec, path, config, f)


def _sampled(ds) -> dict[str, np.ndarray]:
    if "inputs" not in ds or "parameter" not in ds.coords:
        return {}
    return {str(p): ds["inputs"].values[:, j] for j, p in enumerate(ds["parameter"].values)}


def _compact(spec, path: str, config: dict, sampled: dict, f: Formatter) -> str:
    """A value for a table cell: fixed as it is, uncertain as its median (90 % range of the draws)."""
    u = _units(path, config, f)
    if path in sampled:
        x = sampled[path]
        lo, mid, hi = np.quantile(x, [0.05, 0.5, 0.95])
        if x.size < 2 or lo == hi:  # one draw (or a value that never varies): no range to give
            return u.one(float(mid), per=False)
        return f"{u.one(float(mid), per=False)} ({u.span(float(lo), float(hi), f.lang)})"
    return _value_words(spec, path, config, f)


def state_rows(ds, f: Formatter) -> list[StateRow]:
    """The outcome states (typfall): share of participants, work, income mix, resource use.

    Uncertain values are shown as the median of the draws with their 90 % range.
    """
    config = config_of(ds)
    outcomes = config.get("outcomes") or {}
    states = outcomes.get("states") or {}
    sampled = _sampled(ds)
    sv = f.lang == "sv"
    shares = outcomes.get("shares") if isinstance(outcomes.get("shares"), dict) else {}
    rows = []
    for sid, state in states.items():
        path = f"outcomes.shares.{sid}"
        if path in sampled:
            share = _compact(None, path, config, sampled, f)
        elif "dist" not in shares and isinstance(shares.get(sid), (int, float)):
            share = f.pct(shares[sid])
        else:
            share = "–"
        work = "–"
        if "employment_rate" in state:
            rate = _compact(state["employment_rate"], f"outcomes.states.{sid}.employment_rate", config, sampled, f)
            work = f"tjänstgöringsgrad {rate}" if sv else f"employment rate {rate}"
            if "wage_subsidy" in state:
                sub = _compact(state["wage_subsidy"], f"outcomes.states.{sid}.wage_subsidy", config, sampled, f)
                payer = actor_label(str(state["subsidy_payer"]), f.lang) if state.get("subsidy_payer") else ""
                work += (f", lönebidrag {sub}" if sv else f", wage subsidy {sub}") + (
                    f" betalt av {payer}" if payer and sv else f" paid by {payer}" if payer else ""
                )
        income = state.get("income") or {}
        income_text = ", ".join(
            f"{lower_first(_name(config, 'benefits', b, f.lang))} {_compact(v, f'outcomes.states.{sid}.income.{b}', config, sampled, f)}"
            for b, v in income.items()
        ) or ("ingen ersättning" if sv else "no benefit")
        change = state.get("resource_change", 0.0)
        if isinstance(change, dict) and "dist" not in change:
            res_text = ", ".join(
                f"{lower_first(_name(config, 'resources', r, f.lang))} "
                f"{_compact(v, f'outcomes.states.{sid}.resource_change.{r}', config, sampled, f)}"
                for r, v in change.items()
            )
        else:
            res_text = _compact(change, f"outcomes.states.{sid}.resource_change", config, sampled, f)
        rows.append(StateRow(_name(config, "states", sid, f.lang), share, work, income_text, res_text))
    return rows


def project_facts(ds, f: Formatter) -> list[tuple[str, str]]:
    """(what, value) pairs: participants, cost, split, uplift, horizon, discount rate, cohort, BEFORE mix."""
    config = config_of(ds)
    sv = f.lang == "sv"
    project = config.get("project") or {}
    economy = config.get("economy") or {}
    sim = config.get("simulation") or {}
    facts = []
    participants = ds.attrs.get("participants", project.get("participants"))
    if participants is not None:
        facts.append(("Antal deltagare" if sv else "Participants", f.number(participants)))
    if "cost" in project:
        facts.append((parameter_label("project.cost", config, f.lang), describe_value(project["cost"], "project.cost", config, f)))
    split = project.get("cost_split") or {}
    if split:
        facts.append(
            (
                "Kostnaden bärs av" if sv else "The cost is borne by",
                ", ".join(f"{actor_label(a, f.lang, ds)} {f.pct(s)}" for a, s in split.items()),
            )
        )
    if "uplift" in economy:
        uplift = economy["uplift"]
        words = describe_value(uplift, "economy.uplift", config, f) if isinstance(uplift, dict) else f.significant(uplift)
        facts.append(
            (
                "Uppräkning av offentliga kostnader (indirekta skatter)" if sv else "Uplift of public costs (indirect taxes)",
                words
                + (
                    " — projektkostnaden och offentliga resurser räknas upp, inte transfereringar"
                    if sv
                    else " — applied to the project cost and public resources, never to transfers"
                ),
            )
        )
    horizon = ds.attrs.get("horizon_months", sim.get("horizon_months"))
    if horizon is not None:
        facts.append(("Tidshorisont" if sv else "Horizon", f"{horizon} {'månader' if sv else 'months'}"))
    rate = sim.get("discount_rate", 0.0)
    if isinstance(rate, (int, float)):
        facts.append(
            (
                "Diskonteringsränta" if sv else "Discount rate",
                (f"{f.pct(rate)} per år" if sv else f"{f.pct(rate)} per year")
                if rate
                else ("ingen (som NyttoSam)" if sv else "none (as NyttoSam)"),
            )
        )
    cohort = ds.attrs.get("cohort")
    if cohort:
        facts.append(("Kohort" if sv else "Cohort", {
            ("sampled", True): "slumpad: varje deltagare hamnar i ett typfall, så slumpen i en grupp på denna storlek syns",
            ("expected", True): "väntevärde: andelarna i varje typfall följs utan slump mellan deltagarna",
            ("sampled", False): "sampled: each participant ends in one archetype, so chance in a group of this size shows",
            ("expected", False): "expected: the shares in each archetype are followed without chance between participants",
        }.get((cohort, sv), str(cohort))))
    before = (config.get("before") or {}).get("income") or {}
    if before:
        facts.append(
            (
                "Försörjning FÖRE insatsen" if sv else "Income BEFORE the intervention",
                ", ".join(
                    f"{lower_first(_name(config, 'benefits', b, f.lang))} {_value_words(v, f'before.income.{b}', config, f)}"
                    for b, v in before.items()
                ),
            )
        )
    return facts

"""What a config has, as text (``simsam describe CONFIG``): its names, labels, values and uncertain inputs.

A new user learns from it the ids to write in a config (actors, benefits,
resources, outcome states), what the base files give them, and the dotted path
of every uncertain input, as ``inputs``, ``[correlations]``, ``simsam breakeven
--param`` and ``simsam decision --evppi`` name it. Values are written as the
report writes them (:mod:`simsam.report.describe`); the unit of each input is
the one the config reference gives its key (:mod:`simsam.config.reference`).

Nothing here samples: means and 5 % / 95 % quantiles come from each
distribution's own law or inverse-CDF table (the table a run uses), so the
text costs no xarray import, and no scipy.stats import unless the config has a
truncated normal (whose checks import it when it is loaded). A Dirichlet
item's marginal is the beta ``(α_k, α₀ − α_k)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.model import Config, Shares
from ..config.reference import TABLES
from ..distributions import Distribution, Quantity
from ..engine.inputs import group_cost_shares, group_sizes
from ..engine.sampling import ParameterSpace
from .describe import describe_value, input_span, input_value
from .formatting import Formatter
from .tables import text_table

__all__ = ["UncertainInput", "uncertain_inputs", "unit_of", "config_text"]

#: The 5 % and 95 % quantiles shown for every uncertain input.
RANGE = (0.05, 0.95)


@dataclass(frozen=True)
class UncertainInput:
    """One column of a run's ``inputs``: a scalar input, or one item of a Dirichlet table.

    Attributes
    ----------
    path : str
        Its dotted config path, e.g. ``outcomes.states.work.employment_rate`` or ``outcomes.shares.work``.
    words : str
        Its distribution in words (English).
    unit : str
        The unit its config key is written in, e.g. ``kr per month`` or ``share of full time``.
    mean, p05, p95 : float
        Its mean and its 5 % and 95 % quantiles, in the config's unit (kr, a share as a number 0–1).
    """

    path: str
    words: str
    unit: str
    mean: float
    p05: float
    p95: float


# -- units of config paths -----------------------------------------------------------------------------------
def _table_matches(pattern: str, parts: list[str]) -> bool:
    names = pattern.split(".") if pattern else []
    return len(names) == len(parts) and all(n == "NAME" or n == p for n, p in zip(names, parts))


def unit_of(path: str, cfg: Config | None = None) -> str:
    """The unit of the config key a dotted input path belongs to, as the config reference gives it.

    The longest table of :data:`simsam.config.reference.TABLES` that holds the
    path's next name as a key (or as a placeholder such as ``FROM``) decides:
    ``transitions.work.improved`` is a ``FROM`` row of ``[transitions]``.
    With ``cfg``, a resource's own unit replaces the generic one.

    >>> unit_of("benefits.activity_support.monthly"), unit_of("transitions.work.improved")
    ('kr per month', 'probability per month')
    >>> unit_of("outcomes.shares.work"), unit_of("groups.long_term.shift.work")
    ('share of participants', 'logit')
    """
    parts = path.split(".")
    unit = ""
    for i in range(len(parts) - 1, -1, -1):
        for table in TABLES:
            if not _table_matches(table.path, parts[:i]):
                continue
            key = next((k for k in table.keys if k.name == parts[i]), None)
            key = key or next((k for k in table.keys if k.placeholder and k.name != "KEY"), None)
            if key is not None:
                unit = key.unit
                break
        if unit:
            break
    if cfg is not None and parts[0] == "resources" and parts[-1] == "unit_cost" and parts[1] in cfg.resources:
        own = cfg.resources[parts[1]].unit
        unit = f"kr per {own}" if own else unit
    if cfg is not None and parts[:2] == ["before", "resources"] and len(parts) == 3 and parts[2] in cfg.resources:
        own = cfg.resources[parts[2]].unit
        unit = f"{own} per participant-month" if own else unit
    return unit


# -- means and quantiles ------------------------------------------------------------------------------------------
def _moments(dist: Distribution) -> tuple[float, float, float]:
    """Mean, 5 % and 95 % quantiles: the law's mean; the quantiles from the inverse-CDF table a run uses
    (beta, PERT, gamma), else the law's closed form. Only a truncated normal's law is scipy.stats', and
    loading such a config has imported it already (its checks use the support)."""
    lo, hi = dist.ppf(np.array(RANGE))
    return dist.mean, float(lo), float(hi)


# -- the uncertain inputs ---------------------------------------------------------------------------------------
def _spec(dist: Distribution) -> dict:
    return {"dist": dist.kind, **dist.p}


def _dirichlet_spec(shares: Shares, raw: dict) -> dict:
    """The table as the config wrote it when it gave counts, else its mean shares and concentration."""
    node = raw
    for key in shares.path.split("."):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict) and "counts" in node:
        return node
    total = sum(shares.alpha)
    return {"dist": "dirichlet", "mean": {k: a / total for k, a in zip(shares.keys, shares.alpha)}, "concentration": total}


def uncertain_inputs(cfg: Config, f: Formatter | None = None) -> list[UncertainInput]:
    """Every uncertain input of ``cfg``, in the order and with the names of a run's ``inputs`` (:class:`ParameterSpace`)."""
    f = f or Formatter("en")
    raw = cfg.raw.data
    space = ParameterSpace.from_config(cfg)
    rows = []
    for q in space.scalars:
        mean, lo, hi = _moments(q.dist)
        rows.append(UncertainInput(q.path, describe_value(_spec(q.dist), q.path, raw, f), unit_of(q.path, cfg), mean, lo, hi))
    for g in space.groups:
        total = sum(g.alpha)
        for name, a in zip(g.names, g.alpha):
            marginal = Distribution("beta", (("a", float(a)), ("b", float(total - a))))
            _, lo, hi = _moments(marginal)
            a_text, b_text = f.significant(a), f.significant(total - a)
            words = f"Dirichlet item (α {a_text} of α₀ {f.significant(total)}): beta with a = {a_text} and b = {b_text}"
            rows.append(UncertainInput(name, words, unit_of(name, cfg), a / total, lo, hi))
    assert len(rows) == space.size  # one row per column of the run's inputs
    return rows


# -- the text ---------------------------------------------------------------------------------------------------
def _table(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    """A left-aligned text table under ``header`` (:func:`simsam.report.tables.text_table`)."""
    return text_table([header, *rows], left=None, indent=indent)


def _value(q: Quantity, raw: dict, f: Formatter) -> str:
    """A quantity as the report writes it: a fixed value with its unit, a distribution in words."""
    if q.fixed:
        return input_value(q.value, q.path, raw, f, exact=True)
    return describe_value(_spec(q.dist), q.path, raw, f)


def _price_lines(cfg: Config) -> list[str]:
    """The kronor the results are in, and the files whose amounts are restated to them."""
    prices = cfg.prices
    if prices.level is None:
        return []
    out = [f"results in {prices.level} kronor"]
    top = cfg.raw.path.name if cfg.raw.path else "the config"
    written = {str(file or top): year for file, year in prices.files.items() if year is not None}
    if written:
        levels = ", ".join(f"{file} {year}" for file, year in written.items())
        out.append(f"amounts written in: {levels} kronor (restated by KPI or the wage index)")
    return out


def _payroll(e, raw: dict, f: Formatter) -> str:
    if e.payroll_tax is not None:
        return _value(e.payroll_tax, raw, f)
    return f"the {e.rules_year} rules' arbetsgivaravgift" + (f" at age {_value(e.age, raw, f)}" if e.age is not None else " (full rate)")


def _tax_rules(e) -> str:
    if e.tax_rules == "sweden":
        return f"Swedish income tax of {e.rules_year} (grundavdrag, jobbskatteavdrag, state tax; credits paid by the state)"
    return "flat: the rates below on gross taxable income"


def _benefit_amount(b, raw: dict, f: Formatter) -> str:
    """A benefit's amount: as written, or the rule that sets it; the top-up's norm and take-up."""
    if b.monthly is not None:
        text = _value(b.monthly, raw, f)
    else:
        params = ", ".join(f"{k} {_value(q, raw, f)}" for k, q in b.parameters.items())
        text = f"rule {b.rule}" + (f" ({params})" if params else "")
    if b.top_up:
        norm = _value(b.norm, raw, f) if b.norm is not None else "the amount"
        text += f"; top-up to the norm {norm}, take-up {_value(b.take_up, raw, f)}"
    return text


def _percent(x: float, f: Formatter) -> str:
    """A fixed share as the config states it, in per cent: 0.338 → ``33.8%`` (Formatter.pct would round to 34 %)."""
    return f.significant(100 * x, 6) + (f"{f.space}%" if f.lang == "sv" else "%")


def _split(split: dict[str, float], f: Formatter) -> str:
    if len(split) == 1 and next(iter(split.values())) == 1.0:
        return next(iter(split))
    return ", ".join(f"{a} {_percent(s, f)}" for a, s in split.items())


def _shares(s: Shares, raw: dict, f: Formatter) -> str:
    if not s.keys:
        return "none"
    if s.kind == "dirichlet":
        return describe_value(_dirichlet_spec(s, raw), s.path, raw, f)
    return ", ".join(f"{k} {_value(q, raw, f)}" for k, q in zip(s.keys, s.items))


def _used_by(cfg: Config) -> dict[str, list[str]]:
    """Benefit id → the income mixes that name it (``before``, ``state NAME``)."""
    used: dict[str, list[str]] = {b: [] for b in cfg.benefits}
    for where, mix in [("before", cfg.before.income)] + [(f"state {s.id}", s.income) for s in cfg.outcomes.states.values()]:
        for b in mix.keys:
            used.setdefault(b, []).append(where)
    return used


def _project_lines(cfg: Config, raw: dict, f: Formatter) -> list[str]:
    p, sim = cfg.project, cfg.simulation
    rows = [
        ["participants", str(p.participants)],
        ["cost", f"{_value(p.cost, raw, f)} (whole project, before the uplift)"],
        ["cost split", _split(p.cost_split, f)],
    ]
    given = raw.get("project", {})
    if "exits" in given:
        rows.append(["exits", f"spread over {given['exits'].get('over_months')} months (participant i of N exits in month floor(i·M/N))"])
    elif p.exit_months is not None:
        rows.append(["exits", f"one month per participant, months {min(p.exit_months)}–{max(p.exit_months)} after the start"])
    else:
        rows.append(["exits", "all at month 0"])
    schedule = given.get("cost_schedule")
    if isinstance(schedule, dict):
        rows.append(["cost schedule", f"evenly over {schedule.get('over_months')} months"])
    elif isinstance(schedule, list):
        rows.append(["cost schedule", "yearly shares " + ", ".join(_percent(x, f) for x in schedule)])
    else:
        rows.append(["cost schedule", "all at month 0"])
    timing = {
        "nyttosam": "nyttosam: each participant followed from their exit, the cost at month 0",
        "project": "project: months counted from the project start, participants contribute from their exit month",
    }[sim.timing]
    rows += [
        ["timing", timing],
        ["horizon", f"{sim.horizon_months} months"],
        ["discount rate", _value(sim.discount_rate, raw, f)],
        ["cohort", f"{sim.cohort} (engine {sim.engine}); {f.number(sim.draws)} draws, seed {sim.seed}"],
    ]
    return _table(["what", "value"], rows)


def config_text(cfg: Config, lang: str = "en") -> str:
    """The config's actors, economy, benefits, resources, project, BEFORE, outcome states, transitions and
    uncertain inputs as aligned text tables (English headers; values as the report writes them)."""
    f = Formatter(lang)
    raw = cfg.raw.data
    lines: list[str] = []
    files = cfg.raw.files
    lines.append(cfg.name + (f" ({files[0]}" + (f", extending {', '.join(files[1:])}" if len(files) > 1 else "") + ")" if files else ""))
    if "source" in cfg.meta:
        lines.append(f"source: {cfg.meta['source']}")
    lines += _price_lines(cfg)

    lines += ["", f"Actors ({len(cfg.actors)}; society is their sum)"]
    lines += _table(["id", "label"], [[a, label] for a, label in cfg.actors.items()])

    e = cfg.economy
    lines += ["", "Economy"]
    lines += _table(
        ["key", "value"],
        [
            ["wage", _value(e.wage, raw, f)],
            ["average_wage", _value(e.average_wage, raw, f)],
            ["payroll_tax", f"{_payroll(e, raw, f)}, to {e.payroll_tax_to}"],
            ["tax_rules", _tax_rules(e)],
            ["income_tax", ", ".join(f"{a} {_value(q, raw, f)}" for a, q in e.income_tax.items()) or "none"],
            ["uplift", _value(e.uplift, raw, f)],
            ["employer, individual", f"{e.employer}, {e.individual}"],
        ],
    )

    used = _used_by(cfg)
    in_use = sum(1 for b in cfg.benefits if used[b])
    lines += ["", f"Benefits ({len(cfg.benefits)}, {in_use} in an income mix; unused ones are not inputs of a run)"]
    lines += _table(
        ["id", "label", "payer", "taxable", "used in", "monthly"],
        [
            [b.id, b.label, b.payer, "yes" if b.taxable else "no", ", ".join(used[b.id]) or "–", _benefit_amount(b, raw, f)]
            for b in cfg.benefits.values()
        ],
    )

    lines += ["", f"Resources ({len(cfg.resources)}, {len(cfg.before.resources)} in the BEFORE basket)"]
    lines += _table(
        ["id", "label", "unit", "payer", "uplift", "in BEFORE", "unit cost"],
        [
            [
                r.id,
                r.label,
                r.unit or "–",
                _split(r.payer, f),
                "yes" if r.uplift else "no",
                "yes" if r.id in cfg.before.resources else "–",
                _value(r.unit_cost, raw, f),
            ]
            for r in cfg.resources.values()
        ],
    )

    lines += ["", "Project"]
    lines += _project_lines(cfg, raw, f)

    lines += ["", "BEFORE (a participant-month before the project)", f"  income mix: {_shares(cfg.before.income, raw, f)}"]
    if cfg.before.resources:
        lines += _table(["resource", "quantity per month"], [[r, _value(q, raw, f)] for r, q in cfg.before.resources.items()])
    else:
        lines.append("  resources: none")

    shares = cfg.outcomes.shares
    lines += ["", f"Outcome states ({len(cfg.outcomes.states)}); exit shares: {_shares(shares, raw, f)}"]
    for s in cfg.outcomes.states.values():
        lines += ["", f"  {s.id}: {s.label}"]
        # One quantity serves every BEFORE resource when the config gave one number or distribution.
        distinct = list(dict.fromkeys(s.resource_change.values()))
        if not distinct:
            change_text = "none (no BEFORE resources)"
        elif len(distinct) == 1:
            change_text = _value(distinct[0], raw, f) + " (every BEFORE resource)"
        else:
            change_text = ", ".join(f"{r} {_value(q, raw, f)}" for r, q in s.resource_change.items())
        subsidy = _value(s.wage_subsidy, raw, f) + (f", paid by {s.subsidy_payer}" if s.subsidy_payer else "")
        rows = [
            ["exit share", "reached only by transitions" if s.id not in shares.keys else _state_share(shares, s.id, raw, f)],
            ["income mix", _shares(s.income, raw, f)],
            ["employment rate", _value(s.employment_rate, raw, f)],
            ["wage", _value(s.wage, raw, f) if s.wage is not None else "economy.wage"],
            ["wage subsidy", subsidy],
            ["resource change", change_text],
        ]
        lines += _table(["what", "value"], rows, indent="    ")[2:]  # no header: the state's name heads it

    lines += ["", "Transitions (monthly probabilities after exit; a state without a row keeps its status)"]
    moves = [[f"{a} → {b}", _value(q, raw, f)] for a, row in cfg.transitions.items() for b, q in row.items()]
    lines += _table(["move", "probability per month"], moves) if moves else ["  none"]

    if cfg.counterfactual is not None:
        lines += ["", "Counterfactual"]
        lines += _table(["key", "value"], [[q.path.rsplit(".", 1)[1], _value(q, raw, f)] for q in cfg.counterfactual.quantities()])
    if cfg.groups:
        lines += ["", "Groups (every result is also given per group; the cost is attributed per participant, weighted by cost_weight)"]
        own = {g.id: ", ".join(k for k in ("before", "transitions", "resource_change") if k in (raw.get("groups") or {}).get(g.id, {}))
               for g in cfg.groups.values()}
        lines += _table(
            ["id", "label", "share", "participants", "cost share", "shift (logit)", "its own"],
            [[g.id, g.label, _percent(g.share, f), str(n), f.pct(c, 1),
              ", ".join(f"{k} {_value(q, raw, f)}" for k, q in g.shift.items()) or "none", own[g.id] or "—"]
             for g, n, c in zip(cfg.groups.values(), group_sizes(cfg), group_cost_shares(cfg))],
        )
    if cfg.scenarios:
        lines += ["", f"Scenarios ({len(cfg.scenarios)}; simsam scenarios CONFIG lists what each changes)"]
        lines += _table(["name", "label"], [[s.name, s.label] for s in cfg.scenarios.values()])
    if cfg.correlations is not None:
        lines += ["", "Correlations (target Spearman rank correlations)"]
        lines += _table(["pair", "rank correlation"], [[k, f.significant(v, 6)] for k, v in _correlation_pairs(raw)])

    inputs = uncertain_inputs(cfg, f)
    lines += [
        "",
        f"Uncertain inputs ({len(inputs)}): the names of a run's inputs, of [correlations], "
        "simsam breakeven --param and simsam decision --evppi",
    ]
    if inputs:
        grade = {q.path: q.grade for q in cfg.quantities()} | {n: g.grade for g in cfg.share_groups() for n in g.names}
        lines += _table(
            ["path", "unit", "mean", "5–95 %", "evidence", "distribution"],
            [
                [i.path, i.unit, input_value(i.mean, i.path, raw, f, per=False), input_span(i.p05, i.p95, i.path, raw, f),
                 grade.get(i.path, "ungraded"), i.words]
                for i in inputs
            ],
        )
    else:
        lines.append("  none: every input is fixed")
    return "\n".join(lines)


def _state_share(shares: Shares, state: str, raw: dict, f: Formatter) -> str:
    q = shares.items[shares.keys.index(state)]
    if shares.kind == "dirichlet":
        return f"{f.pct(q.value)} on average (Dirichlet, see outcomes.shares.{state} below)"
    return _value(q, raw, f)


def _correlation_pairs(raw: dict) -> list[tuple[str, float]]:
    return [(k, float(v)) for k, v in (raw.get("correlations") or {}).items()]

"""Building the typed :class:`~simsam.config.model.Config` from merged TOML tables, section by section.

Every key is checked before any value is read, so a misspelt key is reported
as such (with a suggestion) rather than as a missing one; every error names the
key path and, for a base file, the file.
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..distributions import EVIDENCE_KEYS as _EVIDENCE_FIELDS
from ..distributions import Domain, Quantity, split_evidence
from ..errors import ConfigError, unknown_key_error
from ..rules import Rules, index_value, rules_for
from .correlations import Correlations, build_correlations, parse_pair
from .followup import EXCLUDE, BadRows, read_followup, read_mapping
from .loading import RawConfig, _lookup, _merge, _whole
from .model import (
    BENEFIT_RULES,
    LANGUAGES,
    SOCIETY,
    Before,
    Benefit,
    Config,
    Counterfactual,
    Economy,
    Group,
    Outcomes,
    Prices,
    Project,
    Resource,
    Restatement,
    Scenario,
    Shares,
    Simulation,
    State,
    reader_text,
)
from .nodes import Node, check_number, parse_quantity, type_name

__all__ = ["build_config", "SECTIONS", "SHARE_TOLERANCE"]

NONNEG = Domain(0.0)


UNIT = Domain(0.0, 1.0)


CHANGE = Domain(-1.0)  # resources cannot fall by more than 100 %


RATE = Domain(-1.0, math.inf, lo_open=True)


#: Upper quantile used to check, at load time, that uncertain probabilities in
#: one row cannot plausibly sum above 1 (every draw is checked again when sampled).
ROW_CHECK_QUANTILE = 1 - 1e-6


SHARE_TOLERANCE = 1e-6


# The keys of each table, checked before any value is read so that a misspelt
# key is reported as such (with a suggestion) rather than as a missing one.
# A new key must be added here as well as read below.
SECTIONS = (
    "actors",
    "meta",
    "simulation",
    "economy",
    "benefits",
    "resources",
    "project",
    "before",
    "outcomes",
    "transitions",
    "scenarios",
    "correlations",
    "counterfactual",
    "groups",
)


SIMULATION_KEYS = ("draws", "horizon_months", "seed", "discount_rate", "cohort", "engine", "timing")


ECONOMY_KEYS = (
    "uplift",
    "payroll_tax",
    "payroll_tax_to",
    "income_tax",
    "wage",
    "average_wage",
    "employer",
    "individual",
    "tax_rules",
    "rules_year",
    "income_tax_to",
    "age",
)


INCOME_TAX_TO_KEYS = ("municipal", "regional", "state")


#: Parameters of the benefit rules (``BENEFIT_RULES``), each a number or a distribution.
RULE_PARAMETERS = ("age", "sgi", "upper_secondary", "housing")


BENEFIT_KEYS = (
    "label",
    "monthly",
    "payer",
    "taxable",
    "rule",
    *RULE_PARAMETERS,
    "taxed_as",
    "price_index",
    "top_up",
    "norm",
    "take_up",
)


RESOURCE_KEYS = ("label", "unit", "unit_cost", "payer", "uplift", "price_index")


#: Indices that restate written amounts between price levels (:func:`simsam.rules.restate`).
PRICE_INDICES = ("kpi", "wage")


PROJECT_KEYS = ("participants", "cost", "cost_split", "exits", "exit_months", "cost_schedule")


EXITS_KEYS = ("over_months",)


COST_SCHEDULE_KEYS = ("over_months",)


COUNTERFACTUAL_KEYS = ("deadweight", "attribution", "displacement", "drop_off", "optimism_bias")


GROUP_KEYS = ("label", "share", "shift", "cost_weight", "before", "transitions", "resource_change")

#: A group's keys that are merged over the config's own tables (``before`` over ``[before]``, ...).
GROUP_OWN = ("before", "transitions", "resource_change")


BEFORE_KEYS = ("income", "resources")


OUTCOMES_KEYS = ("shares", "states")


STATE_KEYS = ("label", "income", "employment_rate", "wage", "wage_subsidy", "subsidy_payer", "resource_change", "subsidy_ceiling")


#: Wage-subsidy ceilings of the rules (``subsidy_ceiling``), or none.
SUBSIDY_CEILINGS = ("lonebidrag", "nystartsjobb", "none")


DIRICHLET_KEYS = ("dist", "counts", "prior", "mean", "concentration", "counts_file", "counts_map", "evidence", "source")


#: Keys of a ``[scenarios.NAME]`` table that describe it rather than override the config.
SCENARIO_KEYS = ("label", "description")


def _actor(node: Node, key: str, actors: dict[str, str], default: Any = ...) -> str:
    name = node.string(key) if default is ... else node.string(key, default)
    if name not in actors:
        raise unknown_key_error(node.at(key), name, actors, what="actor", source=node.source(node.at(key)))
    return name


def _split(value: Any, path: str, actors: dict[str, str], node: Node) -> dict[str, float]:
    """A payer: one actor id, or a table of fixed shares over actors summing to 1."""
    source = node.source(path)
    if isinstance(value, str):
        if value not in actors:
            raise unknown_key_error(path, value, actors, what="actor", source=source)
        return {value: 1.0}
    if not isinstance(value, dict):
        raise ConfigError(path, f"must be an actor or a table of shares by actor, not {type_name(value)}", source)
    if not value:
        raise ConfigError(path, "is empty: name an actor, or give shares by actor that sum to 1", source)
    if "dist" in value:
        raise ConfigError(path, "shares by actor are fixed numbers, not a distribution", source)
    split = {}
    for key, share in value.items():
        if key not in actors:
            raise unknown_key_error(f"{path}.{key}", key, actors, what="actor", source=source)
        split[key] = check_number(share, f"{path}.{key}", UNIT, source)
    total = sum(split.values())
    if abs(total - 1) > SHARE_TOLERANCE:
        raise ConfigError(path, f"shares sum to {total:.6g}, not 1", source)
    return split


def _shares(node: Node, key: str, valid: dict, what: str, total: str, allow_independent: bool, required: bool = False) -> Shares:
    """A table of shares: fixed numbers, a Dirichlet, or (income mixes) uncertain entries."""
    path = node.at(key)
    source = node.source(path)
    raw = node.raw(key) if required else node.raw(key, {})
    if not isinstance(raw, dict):
        raise ConfigError(path, f"must be a table of shares, not {type_name(raw)}", source)
    if raw.get("dist") == "dirichlet":
        return _dirichlet(raw, path, valid, what, node.origins)
    if "dist" in raw:
        raise ConfigError(path, f"a table of shares takes dist = \"dirichlet\", not {raw['dist']!r}", source)
    if not raw and total == "one":
        raise ConfigError(path, f"is empty: give the share of each {what}, summing to 1", source)
    keys, items = [], []
    for k, v in raw.items():
        if k not in valid:
            raise unknown_key_error(f"{path}.{k}", k, valid, what=what, source=source)
        if isinstance(v, dict) and not allow_independent:
            raise ConfigError(
                f"{path}.{k}", 'shares here are fixed numbers; for uncertain shares give the table dist = "dirichlet"', source
            )
        keys.append(k)
        items.append(parse_quantity(v, f"{path}.{k}", UNIT, source))
    kind = "fixed" if all(q.fixed for q in items) else "independent"
    shares = Shares(path, tuple(keys), kind, tuple(items), None, total)  # type: ignore[arg-type]
    if kind == "fixed":
        s = sum(q.value for q in items)
        if total == "one" and abs(s - 1) > SHARE_TOLERANCE:
            raise ConfigError(path, f"shares sum to {s:.6g}, not 1", source)
        if total == "at_most_one" and s > 1 + SHARE_TOLERANCE:
            raise ConfigError(path, f"shares sum to {s:.6g}, more than 1", source)
    else:
        _check_row_bound(items, path, source, "shares")
    return shares


def _check_row_bound(items, path: str, source: str | None, what: str) -> None:
    items = list(items)
    top = sum(q.value if q.fixed else float(q.dist.ppf(np.array([ROW_CHECK_QUANTILE]))[0]) for q in items)
    if top > 1 + SHARE_TOLERANCE:
        if all(q.fixed for q in items):
            raise ConfigError(path, f"{what} sum to {top:.6g}, more than 1", source)
        raise ConfigError(path, f"{what} can sum to {top:.4g} (at their 99.9999 % quantiles), more than 1", source)


def _dirichlet(raw: dict, path: str, valid: dict, what: str, origins: dict) -> Shares:
    node = Node(raw, path, origins)
    source = node.source(path)
    node.expect(DIRICHLET_KEYS, what="dirichlet key")
    node.string("dist")
    _, grade, text = split_evidence(raw, path, source)
    has_counts, has_mean = node.has("counts"), node.has("mean")
    if has_counts == has_mean:
        raise ConfigError(path, "dirichlet takes either counts (with an optional prior) or mean with concentration", source)
    if has_counts:
        table = node.table("counts")
        prior = node.fixed("prior", 1.0, NONNEG)
        counts = {k: table.fixed(k, domain=NONNEG) for k in table.keys()}
        alpha = {k: c + prior for k, c in counts.items()}
        bad = [k for k, a in alpha.items() if a <= 0]
        if bad:
            raise ConfigError(f"{path}.counts.{bad[0]}", "a zero count needs a positive prior", source)
    else:
        table = node.table("mean")
        conc = node.fixed("concentration", domain=Domain(0.0, math.inf, lo_open=True))
        mean = {k: table.fixed(k, domain=UNIT) for k in table.keys()}
        s = sum(mean.values())
        if abs(s - 1) > SHARE_TOLERANCE:
            raise ConfigError(f"{path}.mean", f"shares sum to {s:.6g}, not 1", source)
        if any(m <= 0 for m in mean.values()):
            k = next(k for k, m in mean.items() if m <= 0)
            raise ConfigError(f"{path}.mean.{k}", "a dirichlet mean share must be positive (leave the item out instead)", source)
        alpha = {k: m * conc for k, m in mean.items()}
    node.finish()
    for k in alpha:
        if k not in valid:
            raise unknown_key_error(f"{path}.{'counts' if has_counts else 'mean'}.{k}", k, valid, what=what, source=source)
    if len(alpha) < 2:
        raise ConfigError(path, "a dirichlet needs at least two items", source)
    a0 = sum(alpha.values())
    keys = tuple(alpha)
    items = tuple(Quantity(f"{path}.{k}", alpha[k] / a0, None, grade, text) for k in keys)
    return Shares(path, keys, "dirichlet", items, tuple(alpha[k] for k in keys), "one", grade, text)


def _shares_from_followup(node: Node, states: dict, raw: RawConfig) -> Shares:
    """``shares = { dist = "dirichlet", counts_file = "sus.csv", counts_map = "sus_map.toml", prior = 1 }``:
    the Dirichlet posterior of a follow-up file's outcome counts (:mod:`simsam.config.followup`).

    Paths are relative to the config file that sets them (to the current folder
    for a config read from text). Every bad row of the file is named, by line
    number, in one message on ``outcomes.shares.counts_file``.
    """

    node.expect(DIRICHLET_KEYS, what="dirichlet key")
    node.string("dist")
    for key in ("counts", "mean", "concentration"):
        if node.has(key):
            raise node.error(key, "give counts_file (with counts_map) or counts or mean, not two of them")
    for key in ("counts_file", "counts_map"):
        if not node.has(key):
            raise node.error(key, "missing: counts_file and counts_map go together (the follow-up CSV and its mapping)")
    prior = node.fixed("prior", 1.0, NONNEG)

    def resolve(key: str) -> tuple[Path, str]:
        rel = node.string(key)
        origin = node.source(node.at(key))  # a base file's path relative to the top file's folder, or None
        top = raw.path.parent if raw.path is not None else Path(".")
        folder = (top / origin).parent if origin else top
        return folder / rel, rel

    map_path, map_label = resolve("counts_map")
    csv_path, csv_label = resolve("counts_file")
    node.finish()
    try:
        mapping = read_mapping(map_path, label=map_label)
    except ConfigError as exc:
        where = f"{exc.path}: " if exc.path else ""
        raise node.error("counts_map", f"{where}{exc.problem}") from None
    for code, state in mapping.exit.items():
        if state != EXCLUDE and state not in states:
            raise unknown_key_error(
                node.at("counts_map"),
                state,
                states,
                what=f'state (in {map_label}, exit."{code}")',
                source=node.source(node.at("counts_map")),
            )
    try:
        followup = read_followup(csv_path, mapping, label=csv_label)
    except BadRows as exc:
        raise node.error("counts_file", exc.one_line()) from None
    except ConfigError as exc:
        raise node.error("counts_file", exc.problem) from None
    table = {"dist": "dirichlet", "counts": followup.outcome_counts(states), "prior": prior}
    table.update({k: node.raw(k) for k in _EVIDENCE_FIELDS if node.has(k)})
    return _dirichlet(table, node.path, states, "state", {})


def _named_tables(node: Node, key: str) -> list[tuple[str, Node]]:
    section = node.table(key, {})
    return [(name, section.table(name)) for name in section.keys()]


def build_config(raw: RawConfig) -> Config:
    """Validate merged tables and build the typed :class:`Config`, one section at a time.

    Sections are read in a fixed order (actors first: every other section names
    them), so that the first problem found is always the same one.

    Raises
    ------
    ConfigError
        For the first problem found, naming its key path.
    """
    top = Node(raw.data, "", raw.origins)
    top.expect(SECTIONS, what="section")
    actors = _actors(top)
    meta = _meta(top)
    simulation, timing = _simulation(top)
    economy, rules = _economy(top, actors)
    benefits = _benefits(top, actors, rules)
    resources = _resources(top, actors)
    project = _project(top, actors, simulation.horizon_months)
    if timing is None:  # a config that describes the project's timing is evaluated on it
        timing = "project" if project.exit_months is not None or project.cost_months is not None else "nyttosam"
    simulation = replace(simulation, timing=timing)
    before = _before(top, benefits, resources)
    outcomes = _outcomes(top, raw, actors, benefits, resources, before)
    transitions = _transitions(top, outcomes.states)
    counterfactual = _counterfactual(top)
    groups, own = _groups(top, outcomes.states)
    sections = (actors, meta, simulation, economy, benefits, resources, project, before, outcomes, transitions, raw)
    partial = Config(*sections, counterfactual=counterfactual, groups=groups, rules=rules)
    if own:
        groups = {gid: _group_own(g, top, raw, partial) if gid in own else g for gid, g in groups.items()}
        partial = replace(partial, groups=groups)
    correlations = _correlations(top, partial)
    prices = _prices(raw, partial)
    scenarios = _scenarios(top, raw)
    top.finish()
    return Config(*sections, scenarios, correlations, counterfactual, groups, prices=prices, rules=rules)


def _actors(top: Node) -> dict[str, str]:
    """``[actors]``: id → label, in config order; ``society`` is reserved for their sum."""
    node = top.table("actors")
    actors = {}
    for a in node.keys():
        label = node.string(a)
        if a == SOCIETY:
            raise node.error(a, "'society' is the sum over all actors and cannot be an actor")
        actors[a] = label
    if not actors:
        raise top.error("actors", 'no actors: list them as id = "label"')
    return actors


def _meta(top: Node) -> dict[str, Any]:
    """``[meta]``: free-form documentation of the config; every key is welcome.

    Only ``language`` (the default language of tables and reports) is checked, and
    a ``name`` or ``description`` given per language (``{ sv = "...", en = "..." }``).
    """
    node = top.table("meta", {})
    node.keys()
    if node.has("language"):
        node.string("language", choices=LANGUAGES)
    for key in ("name", "description"):
        _reader_text(node, key)
    return dict(node.data)


def _reader_text(node: Node, key: str) -> None:
    """A text for readers: a string, or a table of strings by language (``{ sv = "...", en = "..." }``)."""
    value = node.raw(key, None)
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, dict) or not value:
        raise node.error(key, f"must be a string or a table of strings by language ({', '.join(LANGUAGES)}), not {type_name(value)}")
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise ConfigError(f"{node.at(key)}.{lang}", f"is not a language: use {' or '.join(LANGUAGES)}")
        if not isinstance(text, str):
            raise ConfigError(f"{node.at(key)}.{lang}", f"must be a string, not {type_name(text)}")


def _simulation(top: Node) -> tuple[Simulation, str | None]:
    """``[simulation]``, and its ``timing`` if given (its default depends on ``[project]``)."""
    sim = top.table("simulation", {})
    sim.expect(SIMULATION_KEYS)
    horizon = sim.integer("horizon_months", 60, lo=12, hi=1200)
    if horizon % 12:
        raise sim.error("horizon_months", f"{horizon} is not a whole number of years (a multiple of 12)")
    simulation = Simulation(
        draws=sim.integer("draws", 10_000, lo=1),
        horizon_months=horizon,
        seed=sim.integer("seed", 1, lo=0, hi=2**63 - 1),
        discount_rate=sim.quantity("discount_rate", 0.0, RATE),
        cohort=sim.string("cohort", "sampled", choices=("sampled", "expected")),  # type: ignore[arg-type]
        engine=sim.string("engine", "auto", choices=("auto", "person", "aggregate")),  # type: ignore[arg-type]
    )
    timing = sim.string("timing", choices=("nyttosam", "project")) if sim.has("timing") else None
    sim.finish()
    return simulation, timing


def _economy(top: Node, actors: dict[str, str]) -> tuple[Economy, Rules | None]:
    """``[economy]``: the tax rules and their year, uplift, payroll tax, income tax rates, wages, the
    employer and the individual; and the rules of ``rules_year`` (None without one)."""
    eco = top.table("economy")
    eco.expect(ECONOMY_KEYS)
    tax_rules = eco.string("tax_rules", "flat", choices=("flat", "sweden"))
    rules = None
    if eco.has("rules_year"):
        year = eco.integer("rules_year")
        try:
            rules = rules_for(year)
        except ConfigError as exc:
            raise eco.error("rules_year", exc.problem) from None
    elif tax_rules == "sweden":
        raise eco.error("rules_year", 'missing: tax_rules = "sweden" needs the income year whose tax and benefit rules apply')
    payroll_tax_to = _actor(eco, "payroll_tax_to", actors)
    to_node = eco.table("income_tax_to", {})
    to_node.expect(INCOME_TAX_TO_KEYS)
    defaults = {"municipal": "kommun", "regional": "region", "state": payroll_tax_to}
    income_tax_to = {}
    for k, default in defaults.items():
        if to_node.has(k) or tax_rules == "sweden":
            income_tax_to[k] = _actor(to_node, k, actors, default)
    to_node.finish()
    tax = eco.table("income_tax", {})
    income_tax = {}
    for a in tax.keys():
        if a not in actors:
            raise unknown_key_error(tax.at(a), a, actors, what="actor", source=tax.source(tax.at(a)))
        if tax_rules == "sweden" and a not in (income_tax_to["municipal"], income_tax_to["regional"]):
            raise tax.error(
                a,
                f'under tax_rules = "sweden" the rates are the municipal ({income_tax_to["municipal"]}) and regional '
                f"({income_tax_to['regional']}) ones; the state's income tax and the tax credits follow the law",
            )
        income_tax[a] = tax.quantity(a, domain=UNIT)
    tax.finish()
    if tax_rules == "sweden":
        # SCB's average rates of the rules year where the config gives none.
        for part, rate in (("municipal", rules.local_tax_rate_municipal), ("regional", rules.local_tax_rate_regional)):
            a = income_tax_to[part]
            income_tax.setdefault(a, Quantity(tax.at(a), rate))
    if eco.has("payroll_tax"):
        payroll_tax = eco.quantity("payroll_tax", domain=NONNEG)
    elif rules is None:
        raise eco.error("payroll_tax", "missing: give the payroll tax rate, or economy.rules_year for the year's arbetsgivaravgift")
    else:
        payroll_tax = None
    economy = Economy(
        uplift=eco.quantity("uplift", 1.0, NONNEG),
        payroll_tax=payroll_tax,
        payroll_tax_to=payroll_tax_to,
        income_tax=income_tax,
        wage=eco.quantity("wage", domain=NONNEG),
        average_wage=eco.quantity("average_wage", domain=NONNEG),
        employer=_actor(eco, "employer", actors),
        individual=_actor(eco, "individual", actors),
        tax_rules=tax_rules,  # type: ignore[arg-type]
        rules_year=rules.year if rules is not None else None,
        income_tax_to=income_tax_to,
        age=eco.quantity("age", domain=Domain(0.0, 150.0)) if eco.has("age") else None,
    )
    eco.finish()
    return economy, rules


def _benefits(top: Node, actors: dict[str, str], rules: Rules | None) -> dict[str, Benefit]:
    """``[benefits.ID]``: the monthly amount (kr) or the rule that sets it, payer, taxation, price
    index, and the means-tested top-up (norm and take-up)."""
    benefits = {}
    top_up = None
    for bid, b in _named_tables(top, "benefits"):
        b.expect(BENEFIT_KEYS)
        rule = b.string("rule", choices=BENEFIT_RULES) if b.has("rule") else None
        allowed, required = BENEFIT_RULES[rule] if rule is not None else ((), ())
        parameters = {}
        for key in RULE_PARAMETERS:
            if not b.has(key):
                continue
            if key not in allowed:
                names = ", ".join(k for k, (ps, _) in BENEFIT_RULES.items() if key in ps)
                used_by = f"rule {rule!r} takes {', '.join(allowed) or 'no parameters'}" if rule else "no rule is set"
                raise b.error(key, f"is a parameter of the rule {names}, but {used_by}")
            parameters[key] = b.quantity(key, domain=_rule_domain(key, rules))
        for key in required:
            if key not in parameters:
                raise b.error(key, f"missing: rule {rule!r} needs it")
        monthly = b.quantity("monthly", domain=NONNEG) if b.has("monthly") else None
        is_top_up = b.boolean("top_up", False)
        norm = b.quantity("norm", domain=NONNEG) if b.has("norm") else None
        if monthly is None and rule is None and not (is_top_up and norm is not None):
            raise b.error("monthly", "missing: give the amount (kr per month), or a rule that sets it from the rules year")
        if monthly is None and rule is not None and rules is None:
            raise b.error("rule", f"{rule!r} takes its amount from the rules year: set economy.rules_year (or give monthly)")
        taxable = b.boolean("taxable", True)
        default_taxed_as = "compensation" if rule == "guarantee_compensation" else "benefit"
        taxed_as = b.string("taxed_as", default_taxed_as, choices=("benefit", "compensation"))
        if is_top_up and taxable:
            raise b.error("top_up", "a means-tested top-up is untaxed: set taxable = false")
        if is_top_up and top_up is not None:
            raise b.error("top_up", f"only one benefit can be the means-tested top-up, and benefits.{top_up} already is")
        if is_top_up:
            top_up = bid
        benefits[bid] = Benefit(
            id=bid,
            label=b.string("label", bid),
            monthly=monthly,
            payer=_actor(b, "payer", actors),
            taxable=taxable,
            rule=rule,
            parameters=parameters,
            taxed_as=taxed_as,  # type: ignore[arg-type]
            price_index=b.string("price_index", "kpi", choices=PRICE_INDICES),  # type: ignore[arg-type]
            top_up=is_top_up,
            norm=norm,
            take_up=b.quantity("take_up", 1.0, UNIT),
        )
        b.finish()
    return benefits


def _rule_domain(key: str, rules: Rules | None) -> Domain:
    if key == "age":  # the garantiersättning's first age band (19)
        return Domain(float(rules.guarantee_compensation.min_age[0]) if rules is not None else 0.0, 150.0)
    return UNIT if key == "upper_secondary" else NONNEG


def _resources(top: Node, actors: dict[str, str]) -> dict[str, Resource]:
    """``[resources.ID]``: unit cost (kr), unit, payer or payer split, uplift."""
    resources = {}
    for rid, r in _named_tables(top, "resources"):
        r.expect(RESOURCE_KEYS)
        resources[rid] = Resource(
            id=rid,
            label=r.string("label", rid),
            unit=r.string("unit", ""),
            unit_cost=r.quantity("unit_cost", domain=NONNEG),
            payer=_split(r.raw("payer"), r.at("payer"), actors, r),
            uplift=r.boolean("uplift", True),
            price_index=r.string("price_index", "kpi", choices=PRICE_INDICES),  # type: ignore[arg-type]
        )
        r.finish()
    return resources


def _project(top: Node, actors: dict[str, str], horizon: int) -> Project:
    """``[project]``: participants, cost (kr), cost split, exits and cost schedule."""
    proj = top.table("project")
    proj.expect(PROJECT_KEYS)
    project = Project(
        participants=proj.integer("participants", lo=1),
        cost=proj.quantity("cost", domain=NONNEG),
        cost_split=_split(proj.raw("cost_split"), proj.at("cost_split"), actors, proj),
    )
    project = replace(project, exit_months=_exit_months(proj, project.participants, horizon), cost_months=_cost_months(proj, horizon))
    proj.finish()
    return project


def _before(top: Node, benefits: dict[str, Benefit], resources: dict[str, Resource]) -> Before:
    """``[before]``: the BEFORE income mix and resource basket (quantity per month)."""
    bef = top.table("before")
    bef.expect(BEFORE_KEYS)
    income = _shares(bef, "income", benefits, "benefit", "at_most_one", allow_independent=True)
    res_node = bef.table("resources", {})
    basket = {}
    for rid in res_node.keys():
        if rid not in resources:
            raise unknown_key_error(res_node.at(rid), rid, resources, what="resource", source=res_node.source(res_node.at(rid)))
        basket[rid] = res_node.quantity(rid, domain=NONNEG)
    bef.finish()
    return Before(income, basket)


def _outcomes(top: Node, raw: RawConfig, actors, benefits, resources, before: Before) -> Outcomes:
    """``[outcomes]``: the states (typfall) and their exit shares (fixed, Dirichlet, or from a follow-up file)."""
    out = top.table("outcomes")
    out.expect(OUTCOMES_KEYS)
    states_node = out.table("states")
    states = {}
    for sid, s in [(k, states_node.table(k)) for k in states_node.keys()]:
        states[sid] = _state(sid, s, actors, benefits, resources, before)
    if not states:
        raise states_node.error(None, "no outcome states: add at least one [outcomes.states.NAME]")
    shares_raw = out.raw("shares", None)
    is_dirichlet = isinstance(shares_raw, dict) and shares_raw.get("dist") == "dirichlet"
    if is_dirichlet and ("counts_file" in shares_raw or "counts_map" in shares_raw):
        shares = _shares_from_followup(out.table("shares"), states, raw)
    else:
        shares = _shares(out, "shares", states, "state", "one", allow_independent=False, required=True)
    out.finish()
    return Outcomes(shares, states)


def _transitions(top: Node, states: dict[str, State]) -> dict[str, dict[str, Quantity]]:
    """``[transitions]``: monthly probabilities from → to; a row's probabilities sum to at most 1."""
    node = top.table("transitions", {})
    transitions: dict[str, dict[str, Quantity]] = {}
    for origin in node.keys():
        if origin not in states:
            raise unknown_key_error(node.at(origin), origin, states, what="state", source=node.source(node.at(origin)))
        row_node = node.table(origin)
        row = {}
        for dest in row_node.keys():
            if dest not in states:
                raise unknown_key_error(row_node.at(dest), dest, states, what="state", source=row_node.source(row_node.at(dest)))
            if dest == origin:
                raise row_node.error(dest, "a state cannot move to itself; the probability of staying is what is left")
            row[dest] = row_node.quantity(dest, domain=UNIT)
        _check_row_bound(row.values(), row_node.path, row_node.source(row_node.path), "outgoing probabilities")
        if row:
            transitions[origin] = row
    return transitions


def _groups(top: Node, states: dict) -> tuple[dict[str, Group], set[str]]:
    """``[groups.NAME]``: participant groups with fixed shares, logit shifts on the outcome shares and
    a cost weight; and the groups with a ``before``, ``transitions`` or ``resource_change`` of their
    own, which :func:`_group_own` builds once the rest of the config is built."""
    groups, own = {}, set()
    for gid, g in _named_tables(top, "groups"):
        g.expect(GROUP_KEYS)
        shift_node = g.table("shift", {})
        shift = {}
        for k in shift_node.keys():
            if k not in states:
                raise unknown_key_error(shift_node.at(k), k, states, what="state", source=shift_node.source(shift_node.at(k)))
            shift[k] = shift_node.quantity(k)
        for key in GROUP_OWN:
            if g.has(key) and not isinstance(g.raw(key), dict):
                over = "states' resource_change" if key == "resource_change" else f"[{key}]"
                raise g.error(key, f"must be a table (merged over the config's {over}), not {type_name(g.raw(key))}")
        change = g.table("resource_change", {})
        for k in change.keys():
            if k not in states:
                raise unknown_key_error(change.at(k), k, states, what="state", source=change.source(change.at(k)))
        if any(g.has(key) for key in GROUP_OWN):
            own.add(gid)
        for key in GROUP_OWN:
            g.raw(key, None)  # read in full by _group_own
        weight = g.fixed("cost_weight", 1.0, Domain(0.0, math.inf, lo_open=True))
        groups[gid] = Group(id=gid, label=g.string("label", gid), share=g.fixed("share", domain=UNIT), shift=shift, cost_weight=weight)
        g.finish()
    if groups:
        total = sum(g.share for g in groups.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            raise top.error("groups", f"group shares sum to {total:.6g}, not 1")
    return groups, own


def _leaves(table: dict, prefix: str):
    """The dotted paths a table sets as an extending file would: every value but a table that merges key by key."""
    for key, value in table.items():
        path = f"{prefix}.{key}"
        if isinstance(value, dict) and "dist" not in value and not _whole(tuple(path.split("."))) and value:
            yield from _leaves(value, path)
        else:
            yield path


def _group_path(gid: str, path: str) -> str:
    """A key path of the merged group config as the group's own key: ``before.X`` → ``groups.NAME.before.X``,
    ``outcomes.states.S.resource_change.R`` → ``groups.NAME.resource_change.S.R``."""
    prefix = "outcomes.states."
    if path.startswith(prefix):
        state, _, rest = path[len(prefix):].partition(".")
        if rest.startswith("resource_change"):
            return f"groups.{gid}.resource_change.{state}{rest[len('resource_change'):]}"
    return f"groups.{gid}.{path}" if path else f"groups.{gid}"


def _group_own(group: Group, top: Node, raw: RawConfig, config: Config) -> Group:
    """A group's own BEFORE, transitions and states: its ``before``, ``transitions`` and ``resource_change``
    merged over the config's tables as an extending file would be, validated as such.

    Quantities the group sets are renamed to its key paths (``groups.NAME.before.resources.R``):
    they are the group's own inputs. Every other quantity is the config's own object, so that it
    takes the same value in every group of a draw. Errors name the group's key.
    """
    gid = group.id
    node = top.table("groups").table(gid)
    layer: dict = {}
    for key in ("before", "transitions"):
        if node.has(key):
            layer[key] = copy.deepcopy(node.raw(key))
    if node.has("resource_change"):
        layer["outcomes"] = {"states": {s: {"resource_change": copy.deepcopy(v)} for s, v in node.raw("resource_change").items()}}
    label = f"groups.{gid}"
    source = _lookup(raw.origins, label)
    plain = {k: v for k, v in raw.data.items() if k not in ("scenarios", "groups", "correlations")}
    origins = {k: v for k, v in raw.origins.items() if not k.startswith(("scenarios", "groups", "correlations"))}
    merged = _merge(copy.deepcopy(plain), layer, origins, label)
    try:
        built = build_config(raw.with_layer(merged, origins, label, layer))
    except ConfigError as exc:
        raise ConfigError(_group_path(gid, exc.path), exc.problem, source if exc.source in (None, label) else exc.source) from None
    leaves = [p for k, v in layer.items() for p in _leaves(v, k)]

    def overridden(path: str) -> bool:
        return any(path == leaf or path.startswith(leaf + ".") for leaf in leaves)

    base_q = {q.path: q for q in config.quantities()}
    base_s = {s.path: s for s in (config.before.income, *(st.income for st in config.outcomes.states.values()))}
    memo: dict[int, Any] = {}

    def quantity(q: Quantity | None) -> Quantity | None:
        if q is None:
            return None
        if id(q) not in memo:
            if overridden(q.path):
                memo[id(q)] = replace(q, path=_group_path(gid, q.path))
            elif q.path in base_q or q.fixed:
                memo[id(q)] = base_q.get(q.path, q)
            else:  # pragma: no cover - every uncertain quantity the group does not set is the config's
                raise RuntimeError(f"groups.{gid}: {q.path} is neither the group's nor the config's")
        return memo[id(q)]

    def shares(sh: Shares) -> Shares:
        if id(sh) not in memo:
            if overridden(sh.path):
                memo[id(sh)] = replace(sh, path=_group_path(gid, sh.path), items=tuple(quantity(q) for q in sh.items))
            else:
                memo[id(sh)] = base_s[sh.path]
        return memo[id(sh)]

    before = Before(shares(built.before.income), {r: quantity(q) for r, q in built.before.resources.items()})
    transitions = {o: {d: quantity(q) for d, q in row.items()} for o, row in built.transitions.items()}
    states = {
        sid: replace(
            st,
            income=shares(st.income),
            employment_rate=quantity(st.employment_rate),
            wage=quantity(st.wage),
            wage_subsidy=quantity(st.wage_subsidy),
            resource_change={r: quantity(q) for r, q in st.resource_change.items()},
        )
        for sid, st in built.outcomes.states.items()
    }
    return replace(group, before=before, transitions=transitions, states=states)


def _exit_months(proj: Node, participants: int, horizon: int) -> tuple[int, ...] | None:
    """``exits = { over_months = M }`` or ``exit_months = [...]``: each participant's exit month.

    Evenly over ``M`` months: participant ``i`` (0-based) of ``N`` exits in month
    ``floor(i·M/N)`` after the project start, so the months ``0 .. M−1`` each get
    ``N/M`` exits (±1). Every exit must fall within the horizon, which counts
    from the project start under ``timing = "project"``.
    """
    has_exits, has_list = proj.has("exits"), proj.has("exit_months")
    if has_exits and has_list:
        raise proj.error("exit_months", "give either exits = { over_months = M } or exit_months = [...], not both")
    if has_exits:
        node = proj.table("exits")
        node.expect(EXITS_KEYS)
        over = node.integer("over_months", lo=0, hi=horizon)
        node.finish()
        if over >= horizon:
            raise node.error(
                "over_months", f"{over} months of exits leave no follow-up within the horizon ({horizon} months from the project start)"
            )
        return tuple((i * over) // participants for i in range(participants))
    if has_list:
        raw = proj.raw("exit_months")
        path = proj.at("exit_months")
        if not isinstance(raw, list):
            raise proj.error("exit_months", f"must be a list of whole months, one per participant, not {type_name(raw)}")
        if len(raw) != participants:
            raise proj.error("exit_months", f"has {len(raw)} months for {participants} participants")
        months = []
        for j, v in enumerate(raw):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
                raise ConfigError(f"{path}[{j}]", f"must be a whole number of months, not {v!r}", proj.source(path))
            if not 0 <= v < horizon:
                raise ConfigError(
                    f"{path}[{j}]",
                    f"{int(v)} is outside the horizon (0 to {horizon - 1} months after the project start)",
                    proj.source(path),
                )
            months.append(int(v))
        return tuple(months)
    return None


def _cost_months(proj: Node, horizon: int) -> tuple[float, ...] | None:
    """``cost_schedule``: the share of the project cost in each month ``0 .. horizon``.

    ``{ over_months = M }``: ``1/M`` in each of the project months ``1 .. M``
    (``M = 0``: all at month 0, the NyttoSam lump); a list of yearly shares
    summing to 1: year ``y``'s share spread evenly over months ``12(y−1)+1 .. 12y``.
    """
    if not proj.has("cost_schedule"):
        return None
    raw = proj.raw("cost_schedule")
    path = proj.at("cost_schedule")
    months = [0.0] * (horizon + 1)
    if isinstance(raw, dict):
        node = proj.table("cost_schedule")
        node.expect(COST_SCHEDULE_KEYS)
        over = node.integer("over_months", lo=0, hi=horizon)
        node.finish()
        if over == 0:
            months[0] = 1.0
        for t in range(1, over + 1):
            months[t] = 1.0 / over
        return tuple(months)
    if not isinstance(raw, list) or not raw:
        raise proj.error("cost_schedule", f"must be {{ over_months = M }} or a list of yearly shares, not {type_name(raw)}")
    if len(raw) > horizon // 12:
        raise proj.error("cost_schedule", f"has {len(raw)} years, more than the horizon's {horizon // 12}")
    shares = [check_number(v, f"{path}[{j}]", UNIT, proj.source(path)) for j, v in enumerate(raw)]
    total = sum(shares)
    if abs(total - 1) > SHARE_TOLERANCE:
        raise proj.error("cost_schedule", f"yearly shares sum to {total:.6g}, not 1")
    for y, share in enumerate(shares):
        for t in range(12 * y + 1, 12 * y + 13):
            months[t] = share / 12
    return tuple(months)


def _amounts(config: Config) -> list[tuple[Quantity, str]]:
    """Every amount in kronor the config uses, with the index that restates it between price levels.

    Wages, average wages and SGIs by the wage index; benefits and resources by their
    ``price_index`` (KPI unless they say ``"wage"``, as staff costs do); the project cost by KPI.
    Rates, shares, quantities, ages and take-up are not amounts.
    """
    e = config.economy
    out = [(e.wage, "wage"), (e.average_wage, "wage")]
    out += [(s.wage, "wage") for s in config.outcomes.states.values() if s.wage is not None]
    for b in config.benefits.values():
        out += [(q, b.price_index) for q in (b.monthly, b.norm, b.parameters.get("housing")) if q is not None]
        if "sgi" in b.parameters:
            out.append((b.parameters["sgi"], "wage"))
    out += [(r.unit_cost, r.price_index) for r in config.resources.values()]
    out.append((config.project.cost, "kpi"))
    used = {id(q) for q in config.quantities()}
    return [(q, index) for q, index in out if id(q) in used]


def _year(value, source) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise ConfigError("meta.price_level", f"must be a year such as 2016, not {value!r}", source)
    return int(value)


def _prices(raw: RawConfig, config: Config) -> Prices:
    """The results' price level and how each amount is restated to it (``[meta] price_level`` per file).

    The results are in the kronor of ``economy.rules_year``, or else of the top file's price
    level. Each amount is written at the price level of the file that set it (a file that states
    none has its bases' level, or else the results'); amounts at another level are restated by
    KPI or the wage index (:func:`_amounts`).

    Raises
    ------
    ConfigError
        ``meta.price_level`` that is not a year, or a year the index has no value for (naming
        the file); ``economy.rules_year`` when the index has no value for the rules year.
    """
    for label, value in raw.own_price_levels.items():
        _year(value, label)
    files = {label: (int(v) if v is not None else None) for label, v in raw.price_levels.items()}
    rules_year = config.economy.rules_year
    target = rules_year if rules_year is not None else files.get(None)
    if target is None:
        return Prices(None, files, {})
    for label, value in raw.own_price_levels.items():
        if int(value) != target:  # its amounts must be restatable, at least by KPI
            try:
                index_value(int(value), "kpi", "meta.price_level")
            except ConfigError as exc:
                problem = f"{exc.problem}, needed to restate this file's amounts to {target} kronor"
                raise ConfigError("meta.price_level", problem, label) from None
    restated = {}
    for q, index in _amounts(config):
        level = raw.price_level_of(q.path)
        if level is None or int(level) == target:
            continue
        level = int(level)
        label = _lookup(raw.origins, q.path)
        if label not in raw.own_price_levels:  # inherited: name a file that states it
            label = next((k for k, v in raw.own_price_levels.items() if int(v) == level), label)
        try:
            old = index_value(level, index, "meta.price_level")
        except ConfigError as exc:
            raise ConfigError("meta.price_level", f"{exc.problem}, needed to restate {q.path} to {target} kronor", label) from None
        key = "economy.rules_year" if rules_year is not None else "meta.price_level"
        try:
            new = index_value(target, index, key)
        except ConfigError as exc:
            raise ConfigError(
                key, f"{exc.problem}, needed to restate {q.path} from {level} kronor", _lookup(raw.origins, key)
            ) from None
        restated[q.path] = Restatement(q.path, level, target, index, new / old)
    return Prices(target, files, restated)


def _counterfactual(top: Node) -> Counterfactual | None:
    """``[counterfactual]``: deadweight, attribution, displacement, drop-off, optimism bias."""
    if not top.has("counterfactual"):
        return None
    node = top.table("counterfactual")
    node.expect(COUNTERFACTUAL_KEYS)
    out = Counterfactual(
        deadweight=node.quantity("deadweight", 0.0, UNIT),
        attribution=node.quantity("attribution", 1.0, UNIT),
        displacement=node.quantity("displacement", 0.0, UNIT),
        drop_off=node.quantity("drop_off", 0.0, UNIT),
        optimism_bias=node.quantity("optimism_bias", 0.0, NONNEG),
    )
    node.finish()
    return out


def _correlations(top: Node, config: Config) -> Correlations | None:
    """``[correlations]``: ``"A ~ B" = rho``, target rank correlations of uncertain scalar inputs.

    See :mod:`simsam.config.correlations`. Errors name the pair's key, e.g.
    ``correlations."economy.wage ~ project.cost": 1.5 is out of range``.
    """
    node = top.table("correlations", {})
    quantities = list(dict.fromkeys(config.quantities()))
    uncertain = [q.path for q in quantities if not q.fixed]
    fixed = {q.path for q in quantities if q.fixed}
    shares = {n for g in config.share_groups() for n in g.names}
    pairs, seen = [], {}
    for key in node.keys():
        path, source = f'{node.path}."{key}"', node.source(node.at(key))
        names = parse_pair(key)
        if names is None:
            raise ConfigError(path, 'must name two uncertain inputs as "A ~ B", e.g. "economy.wage ~ project.cost"', source)
        for name in names:
            if name in shares:
                raise ConfigError(
                    path,
                    f"'{name}' is a Dirichlet share, tied to the other shares of its table; only uncertain scalar inputs can be correlated",
                    source,
                )
            if name in fixed:
                raise ConfigError(path, f"'{name}' is a fixed number, not a distribution; only uncertain inputs can be correlated", source)
            if name not in uncertain:
                raise unknown_key_error(path, name, uncertain, what="uncertain input", source=source)
        if names[0] == names[1]:
            raise ConfigError(path, "an input cannot be correlated with itself", source)
        pair = frozenset(names)
        if pair in seen:
            raise ConfigError(path, f'the pair is given twice (also as "{seen[pair]}")', source)
        seen[pair] = key
        pairs.append((*names, check_number(node.data[key], path, Domain(-1.0, 1.0), source)))
    return build_correlations(pairs, uncertain, node.path, node.source(node.path))


def _scenarios(top: Node, raw: RawConfig) -> dict[str, Scenario]:
    """``[scenarios.NAME]`` tables, each validated by building the config it makes.

    A scenario's errors name its own key path: ``scenarios.NAME.project.cost: ...``.
    """
    node = top.table("scenarios", {})
    if not node.data:
        return {}
    plain = {k: v for k, v in raw.data.items() if k != "scenarios"}
    out = {}
    for name in node.keys():
        t = node.table(name)
        _reader_text(t, "label")
        _reader_text(t, "description")
        language = (top.raw("meta", {}) or {}).get("language")
        label = reader_text(t.raw("label", name), language)
        description = reader_text(t.raw("description", ""), language)
        overrides = {k: v for k, v in t.data.items() if k not in SCENARIO_KEYS}
        t.keys()  # every other key is a section of the config, checked by building it below
        prefix = t.path
        if not overrides:
            raise t.error(None, "changes nothing: give the tables it overrides, e.g. [scenarios." + name + ".project]")
        if "scenarios" in overrides:
            raise t.error("scenarios", "a scenario cannot declare scenarios of its own")
        origins = {k: v for k, v in raw.origins.items() if not (k == "scenarios" or k.startswith("scenarios."))}
        merged = _merge(copy.deepcopy(plain), copy.deepcopy(overrides), origins, prefix)
        try:
            config = build_config(raw.with_layer(merged, origins, prefix, overrides))
        except ConfigError as exc:
            # A key the scenario set (source = the scenario): name it under scenarios.NAME.
            source = None if exc.source in (None, prefix) else exc.source
            raise ConfigError(f"{prefix}.{exc.path}" if exc.path else prefix, exc.problem, source) from None
        out[name] = Scenario(name, label, description, overrides, config)
    return out


def _state(sid: str, s: Node, actors, benefits, resources, before: Before) -> State:
    s.expect(STATE_KEYS)
    before_resources = before.resources
    if not s.has("income"):
        raise s.error("income", 'missing: write income = {} for a state with no benefits, or income = "before" to keep the BEFORE mix')
    if s.raw("income") == "before":
        income = before.income
    elif isinstance(s.raw("income"), str):
        raise s.error("income", f'must be a table of shares by benefit, or "before", not {s.raw("income")!r}')
    else:
        income = _shares(s, "income", benefits, "benefit", "at_most_one", allow_independent=True)
    employment_rate = s.quantity("employment_rate", 0.0, UNIT)
    wage = s.quantity("wage", domain=NONNEG) if s.has("wage") else None
    wage_subsidy = s.quantity("wage_subsidy", 0.0, UNIT)
    payer = _actor(s, "subsidy_payer", actors) if s.has("subsidy_payer") else None
    if payer is None and not (wage_subsidy.fixed and wage_subsidy.value == 0):
        raise s.error("subsidy_payer", "missing: a state with a wage subsidy must name the actor that pays it")
    change: dict[str, Quantity] = {}
    raw = s.raw("resource_change", 0.0)
    path = s.at("resource_change")
    if isinstance(raw, dict) and "dist" not in raw:
        for rid, v in raw.items():
            source = s.source(f"{path}.{rid}")
            if rid not in resources:
                raise unknown_key_error(f"{path}.{rid}", rid, resources, what="resource", source=source)
            if rid not in before_resources:
                raise ConfigError(f"{path}.{rid}", f"resource '{rid}' is not in before.resources, so there is nothing to change", source)
            change[rid] = parse_quantity(v, f"{path}.{rid}", CHANGE, source)
        zero = Quantity(path + ".*", 0.0)
        change = {rid: change.get(rid, zero) for rid in before_resources}
    else:
        q = parse_quantity(raw, path, CHANGE, s.source(path))
        change = {rid: q for rid in before_resources}
    state = State(
        id=sid,
        label=s.string("label", sid),
        income=income,
        employment_rate=employment_rate,
        wage=wage,
        wage_subsidy=wage_subsidy,
        subsidy_payer=payer,
        resource_change=change,
        subsidy_ceiling=s.string("subsidy_ceiling", "lonebidrag", choices=SUBSIDY_CEILINGS),  # type: ignore[arg-type]
    )
    s.finish()
    return state

"""The typed model of a config: frozen dataclasses, one per section, and ``SOCIETY``.

Every number is a :class:`~simsam.distributions.Quantity` carrying its dotted
config path; tables of shares are :class:`Shares`. :mod:`simsam.config.build`
builds and validates the model from merged TOML tables. The model knows nothing
of sampling or kernels: :mod:`simsam.engine.sampling` turns its uncertain
quantities into ``(draw, parameter)`` arrays.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..distributions import UNGRADED, Quantity
from ..rules import Rules
from .correlations import Correlations
from .loading import RawConfig

__all__ = [
    "SOCIETY",
    "SOCIETY_LABEL",
    "LANGUAGES",
    "reader_text",
    "Config",
    "Counterfactual",
    "Group",
    "Shares",
    "Benefit",
    "Resource",
    "State",
    "Economy",
    "Project",
    "Before",
    "Outcomes",
    "Simulation",
    "Scenario",
    "Prices",
    "Restatement",
    "BENEFIT_RULES",
]

#: The sum over all actors: an actor id no config may use, and its label in data files.
SOCIETY = "society"
SOCIETY_LABEL = "Samhället"

#: Languages of the texts meant for readers: ``[meta] language`` (the default of tables and reports) and
#: the per-language form of ``[meta] name``, ``description``, ``assumptions`` and scenario labels.
LANGUAGES = ("sv", "en")


def reader_text(value, lang: str | None = None):
    """A text for readers in ``lang``: ``value`` itself, or from a table by language (``{ sv = ..., en = ... }``).

    Falls back to Swedish, then to the first language given. Works for strings and
    for lists (``assumptions``); ``None`` gives ``""``.
    """
    if isinstance(value, dict) and value and set(value) <= set(LANGUAGES):
        for key in (lang, "sv", *value):
            if key in value:
                return value[key]
    return "" if value is None else value


def actor_labels(config: Config) -> dict[str, str]:
    """Actor id → label for every actor of ``config`` and society (last)."""
    return {**config.actors, SOCIETY: SOCIETY_LABEL}


@dataclass(frozen=True, eq=False)
class Shares:
    """A table of shares over named items (outcome states, benefits, ...).

    Attributes
    ----------
    path : str
        Dotted config path, e.g. ``"outcomes.shares"``.
    keys : tuple of str
        The items, in config order.
    kind : {"fixed", "dirichlet", "independent"}
        Fixed numbers; a Dirichlet distribution; or one quantity per item,
        some uncertain (income mixes), whose sum is checked in every draw.
    items : tuple of Quantity
        One quantity per key (fixed for ``"fixed"``, the Dirichlet mean for
        ``"dirichlet"``, as written for ``"independent"``).
    alpha : tuple of float or None
        Dirichlet concentration parameters, one per key.
    total : {"one", "at_most_one"}
        Whether the shares must sum to exactly 1, or to at most 1 (an income mix
        whose rest has no benefit).
    evidence, source : str or None
        A Dirichlet's evidence grade and source (``evidence``, ``source`` in
        its table); every item carries the same.
    """

    path: str
    keys: tuple[str, ...]
    kind: Literal["fixed", "dirichlet", "independent"]
    items: tuple[Quantity, ...]
    alpha: tuple[float, ...] | None = None
    total: Literal["one", "at_most_one"] = "one"
    evidence: str | None = None
    source: str | None = None

    @property
    def grade(self) -> str:
        """The evidence grade, or ``"ungraded"``."""
        return self.evidence or UNGRADED

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"{self.path}.{k}" for k in self.keys)

    @property
    def fixed(self) -> bool:
        return self.kind == "fixed" or (self.kind == "independent" and all(q.fixed for q in self.items))

    def mean(self) -> dict[str, float]:
        return {k: q.mean for k, q in zip(self.keys, self.items)}

    def describe(self) -> str:
        if self.kind == "dirichlet":
            a0 = sum(self.alpha)
            return "dirichlet(" + ", ".join(f"{k} {a:g}" for k, a in zip(self.keys, self.alpha)) + f"; concentration {a0:g})"
        return ", ".join(f"{k} {q.describe()}" for k, q in zip(self.keys, self.items))


#: Benefit amounts the rules year sets (``[benefits.NAME] rule = ...``): rule → its parameters
#: (each a number or distribution) and the parameters that are required.
BENEFIT_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "guarantee_compensation": (("age",), ("age",)),  # garantiersättning, factor(age band) × pbb / 12
    "activity_support": ((), ()),  # aktivitetsstöd without a-kassa conditions (223 kr/day × 21,75)
    "development_allowance": (("upper_secondary",), ()),  # utvecklingsersättning, share with upper secondary school
    "sickness_benefit": (("sgi",), ("sgi",)),  # sjukpenning from an SGI (kr per year), capped
    "social_assistance_norm": (("housing",), ()),  # riksnorm for a single adult + housing (kr per month)
}


@dataclass(frozen=True)
class Benefit:
    """A benefit paid per month to a participant (kr per month, gross).

    Attributes
    ----------
    monthly : Quantity or None
        The amount as written (at its file's price level); None when ``rule`` sets it.
    rule : str or None
        A rule of :data:`BENEFIT_RULES` that sets the amount from the rules year when
        ``monthly`` is not given; its parameters are in ``parameters``.
    parameters : dict
        The rule's parameters by name (``age``, ``sgi``, ``upper_secondary``, ``housing``).
    taxed_as : {"benefit", "compensation"}
        ``benefit``: other taxable income that earns pension (sjukpenning, aktivitetsstöd,
        a-kassa); ``compensation``: sjuk- och aktivitetsersättning (its own skattereduktion, no
        pension fee). Only used when the benefit is taxable under ``tax_rules = "sweden"``.
    price_index : {"kpi", "wage"}
        The index that restates the written amounts between price levels.
    top_up : bool
        Means-tested (försörjningsstöd): net income below ``norm`` is topped up to it in every
        situation, untaxed; at most one benefit has it.
    norm : Quantity or None
        The norm of the top-up (kr per month); None: the benefit's amount (``monthly`` or ``rule``).
    take_up : Quantity or None
        Share of those entitled to a top-up who receive it (with ``top_up``).
    """

    id: str
    label: str
    monthly: Quantity | None
    payer: str
    taxable: bool
    rule: str | None = None
    parameters: dict[str, Quantity] = field(default_factory=dict)
    taxed_as: Literal["benefit", "compensation"] = "benefit"
    price_index: Literal["kpi", "wage"] = "kpi"
    top_up: bool = False
    norm: Quantity | None = None
    take_up: Quantity | None = None

    def amount_quantities(self) -> tuple[Quantity, ...]:
        """The inputs that set the amount per recipient: ``monthly``, else the rule's parameters."""
        return (self.monthly,) if self.monthly is not None else tuple(self.parameters.values())

    def quantities(self) -> tuple[Quantity, ...]:
        """Every input the benefit uses when it is paid: its amount (or the top-up's norm) and take-up."""
        if not self.top_up:
            return self.amount_quantities()
        norm = (self.norm,) if self.norm is not None else self.amount_quantities()
        return (*norm, self.take_up)


@dataclass(frozen=True)
class Resource:
    """A public resource (a visit, an hour of case handling) with its unit cost (kr).

    ``payer`` maps actors to their share of the cost (one actor has share 1).
    ``uplift`` says whether the indirect-tax uplift applies (public real costs).
    """

    id: str
    label: str
    unit: str
    unit_cost: Quantity
    payer: dict[str, float]
    uplift: bool
    #: The index that restates ``unit_cost`` between price levels: ``kpi``, or ``wage`` for staff costs.
    price_index: Literal["kpi", "wage"] = "kpi"


@dataclass(frozen=True)
class State:
    """An outcome state (typfall) after the intervention.

    Attributes
    ----------
    income : Shares
        Benefit mix (shares of participants on each benefit; sums to ≤ 1); the BEFORE mix
        itself (the same object) for ``income = "before"``.
    employment_rate : Quantity
        Share of full time worked (tjänstgöringsgrad), 0–1.
    wage : Quantity or None
        Full-time monthly wage in kr; None means ``economy.wage``.
    wage_subsidy : Quantity
        Share of the wage cost paid by ``subsidy_payer``, 0–1.
    subsidy_payer : str or None
    resource_change : dict
        Resource id → relative change of its BEFORE quantity (−0.2 = 20 % less).
    """

    id: str
    label: str
    income: Shares
    employment_rate: Quantity
    wage: Quantity | None
    wage_subsidy: Quantity
    subsidy_payer: str | None
    resource_change: dict[str, Quantity]
    #: Ceiling on the wage the subsidy is computed on under ``tax_rules = "sweden"``:
    #: ``lonebidrag``, ``nystartsjobb`` (the rules year's) or ``none``.
    subsidy_ceiling: Literal["lonebidrag", "nystartsjobb", "none"] = "lonebidrag"


@dataclass(frozen=True)
class Economy:
    """``[economy]``.

    Attributes
    ----------
    payroll_tax : Quantity or None
        Arbetsgivaravgift as a share of the gross wage; None: the rules year's (by ``age``).
    income_tax : dict
        Actor → rate. ``flat``: proportional rates on gross taxable income. ``sweden``: the
        municipal and regional rates (actors ``income_tax_to["municipal"]`` and
        ``["regional"]``), defaulting to the rules year's averages (SCB).
    tax_rules : {"flat", "sweden"}
    rules_year : int or None
        The income year whose tax and benefit rules apply.
    income_tax_to : dict
        ``municipal``, ``regional``, ``state`` → the actor receiving that part of the income
        tax under ``sweden`` (the state gets the state tax and fees less the tax credits).
    age : Quantity or None
        The participants' age at the start of the rules year, for the age-dependent payroll
        tax of the rules; None: the full rate.
    """

    uplift: Quantity
    payroll_tax: Quantity | None
    payroll_tax_to: str
    income_tax: dict[str, Quantity]
    wage: Quantity
    average_wage: Quantity
    employer: str
    individual: str
    tax_rules: Literal["flat", "sweden"] = "flat"
    rules_year: int | None = None
    income_tax_to: dict[str, str] = field(default_factory=dict)
    age: Quantity | None = None


@dataclass(frozen=True)
class Restatement:
    """How one input's written amounts are restated: from its file's price level to the results'."""

    path: str
    from_year: int
    to_year: int
    index: str
    factor: float


@dataclass(frozen=True)
class Prices:
    """The price levels of a config.

    Attributes
    ----------
    level : int or None
        The year whose kronor the results are in: ``economy.rules_year``, or else the top
        file's ``[meta] price_level``; None when neither is given (amounts as written).
    files : dict
        File (None: the top file) → the price level its own amounts are written in (None:
        not stated, taken to be ``level``).
    restated : dict
        Input path → :class:`Restatement`, for every amount that is restated (factor ≠ 1 or
        level ≠ file level); an amount absent here is used as written.
    """

    level: int | None = None
    files: dict = field(default_factory=dict)
    restated: dict[str, Restatement] = field(default_factory=dict)

    def factor(self, q: Quantity) -> float:
        """The factor that restates ``q``'s values to the results' kronor (1.0: as written)."""
        r = self.restated.get(q.path)
        return 1.0 if r is None else r.factor


@dataclass(frozen=True)
class Project:
    """The project: its participants and its cost.

    Attributes
    ----------
    exit_months : tuple of int or None
        Exit month of each participant, months after the project start (0 = the
        project's first month), from ``exits = { over_months = M }`` (participant
        ``i`` of ``N`` exits at ``floor(i·M/N)``) or ``exit_months = [...]``; None
        when the config gives neither (everyone exits at month 0).
    cost_months : tuple of float or None
        Share of the project cost falling in month ``t`` (index 0 = the lump at
        month 0, index ``t ≥ 1`` = project month ``t``), from ``cost_schedule``;
        None = all at month 0.
    """

    participants: int
    cost: Quantity
    cost_split: dict[str, float]
    exit_months: tuple[int, ...] | None = None
    cost_months: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Counterfactual:
    """``[counterfactual]``: SROI / Green Book adjustments, each an uncertain input.

    Neutral values (deadweight 0, attribution 1, displacement 0, drop-off 0,
    optimism bias 0) leave every result exactly as without the section.
    """

    deadweight: Quantity
    attribution: Quantity
    displacement: Quantity
    drop_off: Quantity
    optimism_bias: Quantity

    def quantities(self) -> tuple[Quantity, ...]:
        return (self.deadweight, self.attribution, self.displacement, self.drop_off, self.optimism_bias)


@dataclass(frozen=True)
class Group:
    """``[groups.NAME]``: a kind of participant (heterogeneous participants).

    Attributes
    ----------
    share : float
        Fixed share of the participants in the group (the groups' shares sum to 1).
    shift : dict
        Outcome state → logit shift (multinomial logit): the group's exit shares
        are ``shares_k · exp(shift_k) / Σ_j shares_j · exp(shift_j)``; states not
        named have shift 0.
    cost_weight : float
        The group's project cost per participant relative to the others' (> 0):
        group ``g`` bears ``n_g · w_g / Σ_h n_h · w_h`` of every actor's cost.
    before, transitions, states : or None
        The group's own BEFORE, transitions and outcome states: its ``before``,
        ``transitions`` and ``resource_change`` keys merged over the config's as an
        extending file would be. A quantity the group sets is its own input
        (``groups.NAME.before.resources.RESOURCE``, ``groups.NAME.transitions.FROM.TO``,
        ``groups.NAME.resource_change.STATE``); every other one is the config's own
        object, so it takes the same value in every group. None: the group has none of
        these keys and uses the config's.
    """

    id: str
    label: str
    share: float
    shift: dict[str, Quantity]
    cost_weight: float = 1.0
    before: Before | None = None
    transitions: dict[str, dict[str, Quantity]] | None = None
    states: dict[str, State] | None = None

    @property
    def own(self) -> bool:
        """Whether the group has a BEFORE, transitions or resource use of its own."""
        return self.before is not None


@dataclass(frozen=True)
class Before:
    income: Shares
    resources: dict[str, Quantity]


@dataclass(frozen=True)
class Outcomes:
    shares: Shares
    states: dict[str, State]


@dataclass(frozen=True)
class Simulation:
    draws: int
    horizon_months: int
    seed: int
    discount_rate: Quantity
    cohort: Literal["sampled", "expected"]
    engine: Literal["auto", "person", "aggregate"]
    #: "nyttosam": cost once at month 0, every participant's month 1 is their
    #: first month after exit; "project": month 1 is the project's first month,
    #: participants contribute from their exit month, cost per ``cost_schedule``.
    timing: Literal["nyttosam", "project"] = "nyttosam"


@dataclass(frozen=True)
class Scenario:
    """A named variant of a config: ``[scenarios.NAME]``.

    Attributes
    ----------
    name : str
        The ``NAME`` of ``[scenarios.NAME]``.
    label, description : str
        For tables and reports (``label`` defaults to the name).
    overrides : dict
        Tables with the config's own structure, merged over the config as an
        extending file would be (:func:`simsam.config.override`).
    config : Config
        The config with the overrides applied (and no scenarios of its own),
        validated when the config was loaded.
    """

    name: str
    label: str
    description: str
    overrides: dict = field(repr=False)
    config: Config = field(repr=False, compare=False)


@dataclass(frozen=True)
class Config:
    """A validated config. Build it with :func:`simsam.load_config`.

    Attributes
    ----------
    actors : dict
        Actor id → label, in config order (society is not an actor).
    transitions : dict
        From-state → {to-state: monthly probability}; states absent keep their status.
    raw : RawConfig
        The merged tables and the files they came from.
    scenarios : dict
        Name → :class:`Scenario`, in config order (``[scenarios.NAME]``).
    """

    actors: dict[str, str]
    meta: dict[str, Any]
    simulation: Simulation
    economy: Economy
    benefits: dict[str, Benefit]
    resources: dict[str, Resource]
    project: Project
    before: Before
    outcomes: Outcomes
    transitions: dict[str, dict[str, Quantity]]
    raw: RawConfig = field(repr=False)
    scenarios: dict[str, Scenario] = field(default_factory=dict, repr=False)
    correlations: Correlations | None = field(default=None, repr=False)
    counterfactual: Counterfactual | None = None
    groups: dict[str, Group] = field(default_factory=dict)
    prices: Prices = field(default_factory=Prices)
    #: The rules of ``economy.rules_year`` (None without a rules year).
    rules: Rules | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        if "name" in self.meta:
            return str(reader_text(self.meta["name"], self.meta.get("language")))
        return self.raw.path.stem if self.raw.path else "config"

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.outcomes.states)

    def quantities(self) -> Iterator[Quantity]:
        """Every scalar quantity the model uses, in a stable order (config reading order).

        Benefits and resources a base config defines but no income mix or
        BEFORE basket uses are left out: they cannot change any result, and
        would only add empty rows to a sensitivity analysis.
        """
        e = self.economy
        yield e.uplift
        if e.payroll_tax is not None:
            yield e.payroll_tax
        elif e.age is not None:
            yield e.age
        yield from e.income_tax.values()
        if any(s.wage is None for s in self.outcomes.states.values()):
            yield e.wage
        yield e.average_wage
        yield self.simulation.discount_rate
        used = self.benefits_used()
        for b in self.benefits.values():
            if b.id in used:
                yield from b.quantities()
        basket = set(self.before.resources).union(*(g.before.resources for g in self.groups.values() if g.own))
        for r in self.resources.values():
            if r.id in basket:
                yield r.unit_cost
        yield self.project.cost
        yield from self.before.income.items if self.before.income.kind == "independent" else ()
        yield from self.before.resources.values()
        for s in self.outcomes.states.values():
            if s.income.kind == "independent":
                yield from s.income.items
            yield s.employment_rate
            if s.wage is not None:
                yield s.wage
            yield s.wage_subsidy
            yield from dict.fromkeys(s.resource_change.values())  # one scalar may serve all resources
        for row in self.transitions.values():
            yield from row.values()
        if self.counterfactual is not None:
            yield from self.counterfactual.quantities()
        for g in self.groups.values():
            yield from g.shift.values()
        for g in self.groups.values():
            if g.own:  # the group's own inputs (named groups.NAME.…); the rest are the config's, yielded above
                prefix = f"groups.{g.id}."
                yield from (q for q in self.for_group(g.id).quantities() if q.path.startswith(prefix))

    def benefits_used(self) -> set[str]:
        """Benefits some income mix names, and the top-up benefit (paid in every situation)."""
        used = set(self.before.income.keys).union(*(s.income.keys for s in self.outcomes.states.values()))
        for g in self.groups.values():
            if g.own:
                used |= set(g.before.income.keys).union(*(s.income.keys for s in g.states.values()))
        return used | {b.id for b in self.benefits.values() if b.top_up}

    @property
    def top_up(self) -> Benefit | None:
        """The means-tested benefit (``top_up = true``), or None."""
        return next((b for b in self.benefits.values() if b.top_up), None)

    def share_groups(self) -> Iterator[Shares]:
        """Every Dirichlet table of shares (once each: ``income = "before"`` reuses BEFORE's)."""
        seen = set()
        own = [s for g in self.groups.values() if g.own for s in (g.before.income, *(st.income for st in g.states.values()))]
        for s in (self.before.income, self.outcomes.shares, *(st.income for st in self.outcomes.states.values()), *own):
            if s.kind == "dirichlet" and id(s) not in seen:
                seen.add(id(s))
                yield s

    def for_group(self, gid: str) -> Config:
        """The config as group ``gid``'s participants see it: its BEFORE, transitions and states
        (the config itself, without groups, for a group that has none of its own)."""
        g = self.groups[gid]
        if not g.own:
            return replace(self, groups={}, scenarios={})
        return replace(
            self, before=g.before, transitions=g.transitions, outcomes=replace(self.outcomes, states=g.states), groups={}, scenarios={}
        )

    def resolved_json(self) -> str:
        """The merged config (after ``extends``) as JSON, for a results file's attributes."""
        return json.dumps(self.raw.data, ensure_ascii=False, sort_keys=False)

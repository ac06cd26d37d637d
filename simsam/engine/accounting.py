"""The NyttoSam accounting: one participant-month's flows per situation and actor.

docs/method.md §2.3. With full-time monthly wage ``w``, employment rate ``e``, payroll
tax ``p`` and wage subsidy ``s``, the wage cost is ``wc = w·e·(1+p)``, and

* the employer gets the production value ``wc·(1−s)`` (real) and the subsidy
  ``wc·s``, and pays the wage ``w·e`` and the payroll tax ``w·e·p``;
* the subsidy payer pays ``wc·s``; the payroll tax goes to ``payroll_tax_to``;
* the individual gets the wage and the benefits and pays income tax on the wage
  and the taxable benefits, split by receiving actor (kommun, region, ...);
* each benefit is paid by its payer;
* each resource costs its payer(s) ``quantity · unit_cost · uplift`` (real).

That is ``tax_rules = "flat"``. Under ``"sweden"`` (docs/method.md §2.6) the income tax is the
law's of ``economy.rules_year`` per person type (a benefit of the mix, or its rest), the
state-financed credits booked to the state, the subsidy is computed on the wage up to the year's
ceiling (the production stays ``wc·(1−s)``), and a means-tested benefit (``top_up``) fills each
type's net income up to its norm. Every amount is restated to the results' price level
(``config.prices``, §2.7).

Flows are booked by *item*. Each financial item (wage, payroll tax, income tax,
benefits, wage subsidy) sums to zero over the actors; the real items
(production, resources) are what society gains or uses, so society — the sum
over actors — equals production value minus uplifted resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..config.model import Config
from ..rules import (
    activity_support_monthly,
    development_allowance_monthly,
    guarantee_compensation_monthly,
    income_tax,
    payroll_tax_monthly,
    sickness_benefit_monthly,
    social_assistance_norm,
    social_assistance_top_up,
    wage_subsidy_monthly,
)
from .kernel_cache import ensure_kernel_cache
from .sampling import Sample

__all__ = ["ITEMS", "REAL_ITEMS", "EMPLOYMENT_ITEMS", "FlowTable", "flow_table", "attributable", "attributable_from", "work_amounts",
           "booking_inputs", "BookingInputs", "project_cost", "project_cost_total", "cost_split", "split_cost", "potential"]

ITEMS = ("wage", "payroll_tax", "income_tax", "benefits", "wage_subsidy", "production", "resources")
REAL_ITEMS = ("production", "resources")
#: Items a displaced job takes elsewhere (``[counterfactual] displacement``).
EMPLOYMENT_ITEMS = ("wage", "payroll_tax", "wage_subsidy", "production")
BEFORE = "before"
#: A mix's rest (1 − Σ shares) below this in every draw is rounding, not people without a benefit.
REST_TOLERANCE = 1e-12


@dataclass(frozen=True)
class FlowTable:
    """Monthly flows of one participant, kr per month.

    Attributes
    ----------
    situations : tuple of str
        ``"before"`` then the outcome states.
    actors : tuple of str
    flows : ndarray, shape ``(draw, situation, actor, item)``
        Item order as in :data:`ITEMS`.
    """

    situations: tuple[str, ...]
    actors: tuple[str, ...]
    flows: np.ndarray

    @property
    def by_actor(self) -> np.ndarray:
        """Total flow per situation and actor, shape ``(draw, situation, actor)``."""
        return self.flows.sum(axis=3)

    def relative(self) -> np.ndarray:
        """Flow of each outcome state minus BEFORE, shape ``(draw, state, actor)``.

        ``by_actor[:, 1:] − by_actor[:, :1]``, computed in one compiled pass
        (:func:`simsam.kernels.flows.relative_totals`, its twin; the same numbers, bit for bit).
        """
        ensure_kernel_cache()
        from ..kernels.flows import relative_totals  # numba and the compiled kernel: only when flows are booked

        if not 0 < self.flows.shape[3] < 8:  # NumPy sums eight numbers or more pairwise, not in order
            total = self.by_actor
            return total[:, 1:, :] - total[:, :1, :]
        return relative_totals(self.flows)

    def relative_items(self) -> np.ndarray:
        """As :meth:`relative`, kept by item: shape ``(draw, state, actor, item)``."""
        return self.flows[:, 1:] - self.flows[:, :1]


def _amounts_of(config: Config, sample: Sample):
    """``q ↦`` its values restated to the results' kronor, shape ``(draw,)`` (never a view to write into)."""
    prices = config.prices

    def amount(q):
        factor = prices.factor(q)
        return sample[q] * factor if factor != 1.0 else sample[q]

    return amount


def benefit_amounts(config: Config, sample: Sample) -> dict[str, np.ndarray]:
    """Each used benefit's amount per recipient, kr per month, shape ``(draw,)``, in the results' kronor.

    ``monthly`` as written (restated by its price index), or the benefit's rule evaluated in the
    rules year: garantiersättning by age band, aktivitetsstöd without a-kassa conditions,
    utvecklingsersättning, sjukpenning from an SGI, the riksnorm plus housing. A top-up benefit
    with its own ``norm`` has no amount here (it is paid up to the norm).
    """
    amount = _amounts_of(config, sample)
    r = config.rules
    out = {}
    for bid in config.benefits_used():
        b = config.benefits[bid]
        if b.top_up and b.norm is not None:
            continue  # paid as the top-up to its norm: its own amount is not used
        if b.monthly is not None:
            out[bid] = amount(b.monthly)
            continue
        p = b.parameters
        if b.rule == "guarantee_compensation":
            value = guarantee_compensation_monthly(r, np.floor(sample[p["age"]]).astype(np.int64), path=p["age"].path)
        elif b.rule == "activity_support":
            value = np.full(sample.n, float(activity_support_monthly(r)))
        elif b.rule == "development_allowance":
            share = sample[p["upper_secondary"]] if "upper_secondary" in p else np.ones(sample.n)
            low, high = development_allowance_monthly(r, False), development_allowance_monthly(r, True)
            value = low + share * (high - low)
        elif b.rule == "sickness_benefit":
            value = sickness_benefit_monthly(r, amount(p["sgi"]))
        else:  # social_assistance_norm
            value = social_assistance_norm(r, amount(p["housing"]) if "housing" in p else 0.0) * np.ones(sample.n)
        out[bid] = np.asarray(value, dtype=float)
    return out


def _payroll(config: Config, sample: Sample, gross: np.ndarray) -> np.ndarray:
    """Arbetsgivaravgift on ``gross`` (kr per month): ``economy.payroll_tax`` × gross, or the rules
    year's (reduced by ``economy.age`` where the year had reduced rates)."""
    eco = config.economy
    if eco.payroll_tax is not None:
        return gross * sample[eco.payroll_tax]
    age = None if eco.age is None else np.floor(sample[eco.age]).astype(np.int64)
    return payroll_tax_monthly(config.rules, gross, age)


def _constant(x: np.ndarray) -> bool:
    return x.size == 0 or bool(np.all(x == x.flat[0]))


class MonthlyTax(NamedTuple):
    """The parts of one person type's income tax that are booked, kr per month."""

    kommun: np.ndarray
    region: np.ndarray
    stat: np.ndarray
    total: np.ndarray


def _monthly_tax(rules, work, other, sa, municipal, regional) -> MonthlyTax:
    """:func:`simsam.rules.income_tax` on monthly incomes (× 12), the booked parts per month (÷ 12).

    When every input is the same in all draws (fixed inputs), the law is applied once and the
    result has shape ``(1,)``, which broadcasts (elementwise, so the values are the same).
    """
    args = [work, other, sa, municipal, regional]
    if all(_constant(a) for a in args):
        args = [a[:1] for a in args]
    t = income_tax(rules, args[0] * 12, args[1] * 12, args[2] * 12, args[3], args[4])
    return MonthlyTax(t.kommun / 12, t.region / 12, t.stat / 12, t.total / 12)


class BookingInputs(NamedTuple):
    """What every situation's bookings read (:func:`flow_table`, and the compiled bookings of :mod:`.booking`)."""

    tax_rates: dict  # actor → its income-tax rate, shape (draw,)
    total_rate: np.ndarray  # their sum (flat tax), shape (draw,)
    amounts: dict  # benefit id → kr per recipient-month, shape (draw,) (benefit_amounts)
    norm: np.ndarray | None  # the top-up's norm, kr per month (None without a top-up)
    take_up: np.ndarray | None  # its take-up share
    base_qty: dict  # resource → BEFORE quantity per month
    unit_cost: dict  # resource → kr per unit, uplifted where the resource is


def booking_inputs(config: Config, sample: Sample, amount) -> BookingInputs:
    """The :class:`BookingInputs` of ``sample``; a take-up outside [0, 1] is an error naming its key."""
    eco = config.economy
    uplift = sample[eco.uplift]
    tax_rates = {a: sample[q] for a, q in eco.income_tax.items()}
    total_rate = sum(tax_rates.values()) if tax_rates else np.zeros(sample.n)
    amounts = benefit_amounts(config, sample)
    top = config.top_up
    norm = take_up = None
    if top is not None:
        norm = amount(top.norm) if top.norm is not None else amounts[top.id]
        take_up = sample[top.take_up]
        check_take_up(take_up, top.take_up.path)
    base_qty = {r: sample[q] for r, q in config.before.resources.items()}
    unit_cost = {}
    for r in base_qty:
        res = config.resources[r]
        unit_cost[r] = amount(res.unit_cost) * (uplift if res.uplift else 1.0)
    return BookingInputs(tax_rates, total_rate, amounts, norm, take_up, base_qty, unit_cost)


def flow_table(config: Config, sample: Sample) -> FlowTable:
    """Flows of one participant-month in BEFORE and in each outcome state.

    Under ``tax_rules = "flat"`` (docs/method.md §2.3) the income tax is the ``income_tax`` rates on the
    gross wage plus the taxable benefits. Under ``"sweden"`` (§2.6) each situation's
    income mix is a set of *person types*: one per benefit of the mix (its share of the
    participants, with the situation's work and that benefit) and one for the mix's rest (work
    only); each type's income tax is the law's for a year in that situation
    (:func:`simsam.rules.income_tax` on 12 × the monthly incomes), booked ``kommun`` →
    the municipal actor, ``region`` → the regional one, ``stat`` (state tax and fees less the
    state-financed credits) → the state actor, the total paid by the individual, and weighted by
    the type's share. The wage subsidy is computed on the wage up to the rules year's ceiling.

    With a means-tested benefit (``top_up = true``), every type whose net income (wage +
    benefits − income tax) is below the norm receives ``(norm − net) × take_up`` from its payer,
    untaxed; a type that *is* on that benefit in the mix receives ``norm − net`` in full.

    Parameters
    ----------
    config : Config
    sample : Sample
        Input values of ``n`` draws.

    Returns
    -------
    FlowTable
        ``flows`` of shape ``(n, 1 + states, actors, items)``, kr per month, in the results'
        kronor (``config.prices.level``).
    """
    actors = tuple(config.actors)
    col = {a: i for i, a in enumerate(actors)}
    it = {name: i for i, name in enumerate(ITEMS)}
    eco = config.economy
    rules = config.rules
    sweden = eco.tax_rules == "sweden"
    amount = _amounts_of(config, sample)
    states = list(config.outcomes.states.values())
    n = sample.n
    # Stored draws last and viewed (draw, situation, actor, item): every booking below, f[:, actor, item],
    # is then one contiguous run of draws, not one number per 2 KB row (a cache miss each, at 40 MB a chunk).
    flows = np.zeros((1 + len(states), len(actors), len(ITEMS), n)).transpose(3, 0, 1, 2)

    tax_rates, total_rate, amounts, norm, take_up, base_qty, unit_cost = booking_inputs(config, sample, amount)
    if sweden:
        municipal, regional, state_actor = (eco.income_tax_to[k] for k in ("municipal", "regional", "state"))
    top = config.top_up

    ind, ben = col[eco.individual], it["benefits"]
    situations = [(BEFORE, config.before.income, None)] + [(s.id, s.income, s) for s in states]
    for si, (_, income, state) in enumerate(situations):
        f = flows[:, si]
        mix = sample.shares(income)
        gross = _book_work(f, config, sample, state, amount, col) if state is not None else np.zeros(n)

        # Person types: one per benefit of the mix, then the mix's rest (no benefit).
        types = [(mix[:, j], b) for j, b in enumerate(income.keys)]
        rest = 1.0 - mix.sum(axis=1) if income.keys else np.ones(n)
        if np.any(rest > REST_TOLERANCE):
            types.append((np.maximum(rest, 0.0), None))

        taxable = np.zeros(n)
        taxes = {}  # a type's taxable incomes → its MonthlyTax (sweden) or flat tax, kr per month
        # Weighted sums over the types, written once per situation: kommun, region, stat, individ.
        booked = np.zeros((4, n)) if sweden else None
        top_paid = np.zeros(n) if top is not None else None
        for weight, b in types:
            benefit = config.benefits[b] if b is not None else None
            if benefit is not None and benefit is not top:
                paid = weight * amounts[b]
                f[:, col[benefit.payer], ben] -= paid
                f[:, ind, ben] += paid
                if benefit.taxable:
                    taxable = taxable + paid
            if not sweden and top is None:
                continue
            received = amounts[b] if benefit is not None and benefit is not top else 0.0
            key = (b, benefit.taxed_as) if benefit is not None and benefit.taxable else None
            if key not in taxes:
                taxed = received if key is not None else np.zeros(n)
                if sweden:
                    other = taxed if key is not None and benefit.taxed_as == "benefit" else np.zeros(n)
                    sa = taxed if key is not None and benefit.taxed_as == "compensation" else np.zeros(n)
                    taxes[key] = _monthly_tax(rules, gross, other, sa, tax_rates[municipal], tax_rates[regional])
                else:
                    taxes[key] = total_rate * (gross + taxed)
            tax = taxes[key]
            if sweden:
                booked += weight * np.stack(tax if tax.total.shape == (n,) else [np.broadcast_to(c, (n,)) for c in tax])
            if top is not None:
                net = gross + received - (tax.total if sweden else tax)
                gap = np.maximum(0.0, norm - net)
                top_paid += weight * (gap if benefit is top else gap * take_up)
        if sweden:
            f[:, col[municipal], it["income_tax"]] += booked[0]
            f[:, col[regional], it["income_tax"]] += booked[1]
            f[:, col[state_actor], it["income_tax"]] += booked[2]
            f[:, ind, it["income_tax"]] -= booked[3]
        if top is not None:
            f[:, col[top.payer], ben] -= top_paid
            f[:, ind, ben] += top_paid

        if not sweden:
            taxable = taxable + gross
            f[:, ind, it["income_tax"]] -= total_rate * taxable
            for a, rate in tax_rates.items():
                f[:, col[a], it["income_tax"]] += rate * taxable

        for r, q in base_qty.items():
            qty = q if state is None else q * (1 + sample[state.resource_change[r]])
            cost = qty * unit_cost[r]
            for a, share in config.resources[r].payer.items():
                f[:, col[a], it["resources"]] -= share * cost

    return FlowTable((BEFORE,) + tuple(s.id for s in states), actors, flows)


def work_amounts(config: Config, sample: Sample, state, amount) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A state's work per participant-month, kr per month, each of shape ``(draw,)``: the gross wage ``w·e``,
    the payroll tax, the wage subsidy (under the rules up to the year's ceiling) and the production."""
    eco = config.economy
    wage = amount(state.wage if state.wage is not None else eco.wage)
    employment = sample[state.employment_rate]
    gross = wage * employment
    if eco.payroll_tax is not None:
        payroll_rate = sample[eco.payroll_tax]
        payroll = gross * payroll_rate
        wage_cost = gross * (1 + payroll_rate)
    else:
        payroll = _payroll(config, sample, gross)
        wage_cost = gross + payroll
    share = sample[state.wage_subsidy]
    subsidy = wage_cost * share
    # NyttoSam's reading: the subsidy share buys exactly the productivity the employer does not
    # get, whatever a ceiling lets the payer pay (so the production is the same under every rule set).
    production = wage_cost - subsidy
    if eco.tax_rules == "sweden" and state.subsidy_ceiling != "none" and state.subsidy_payer is not None:
        subsidy = _capped_subsidy(config, sample, wage, employment, share, state.subsidy_ceiling)
    return gross, payroll, subsidy, production


def _book_work(f: np.ndarray, config: Config, sample: Sample, state, amount, col: dict) -> np.ndarray:
    """Book a state's work (:func:`work_amounts`) into ``f`` (shape ``(draw, actor, item)``): wage, payroll tax,
    wage subsidy and production. Returns the gross wage ``w·e``, kr per month, shape ``(draw,)``."""
    eco = config.economy
    it = {name: i for i, name in enumerate(ITEMS)}
    employer, ind = col[eco.employer], col[eco.individual]
    gross, payroll, subsidy, production = work_amounts(config, sample, state, amount)
    f[:, employer, it["wage"]] -= gross
    f[:, ind, it["wage"]] += gross
    f[:, employer, it["payroll_tax"]] -= payroll
    f[:, col[eco.payroll_tax_to], it["payroll_tax"]] += payroll
    if state.subsidy_payer is not None:
        f[:, col[state.subsidy_payer], it["wage_subsidy"]] -= subsidy
        f[:, employer, it["wage_subsidy"]] += subsidy
    f[:, employer, it["production"]] += production
    return gross


def _capped_subsidy(config: Config, sample: Sample, wage, employment, share, ceiling: str) -> np.ndarray:
    """The wage subsidy under the rules: ``share`` of the wage cost on the wage up to the rules
    year's ceiling (pro rata for part time), kr per month."""
    eco = config.economy
    rules = config.rules
    if eco.payroll_tax is not None:
        rate = sample[eco.payroll_tax]
    elif eco.age is None:
        rate = rules.payroll_tax.full_rate
    else:
        caps = rules.wage_subsidy
        gross = np.minimum(wage, caps.lonebidrag_ceiling if ceiling == "lonebidrag" else caps.nystartsjobb_ceiling) * employment
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(gross > 0, _payroll(config, sample, gross) / gross, rules.payroll_tax.full_rate)
    return wage_subsidy_monthly(rules, wage, share, employment, payroll_rate=rate, ceiling=ceiling)


def check_take_up(take_up: np.ndarray, path: str) -> None:
    """A take-up outside [0, 1] in some draw is an error naming its key (:func:`simsam.rules.social_assistance_top_up`)."""
    social_assistance_top_up(0.0, 0.0, take_up, path=path)


def attributable(config: Config, sample: Sample, flows: FlowTable) -> np.ndarray:
    """Relative flows owed to the project, shape ``(draw, state, actor)``, kr per month.

    Without ``[counterfactual]`` this is :meth:`FlowTable.relative`. With it
    (SROI / Green Book practice), per draw::

        rel' = (rel − displacement · rel_employment) · (1 − deadweight) · attribution

    where ``rel_employment`` is the relative flow of the items in
    :data:`EMPLOYMENT_ITEMS` (wage, payroll tax, wage subsidy, production): a
    displaced job's production and wage flows happen elsewhere instead, while
    benefits, income tax and resources are not displaced. Deadweight (the share
    of the change that would have happened anyway) and attribution (the share
    owed to this project) scale every item. Each factor applies to every actor
    alike, so financial items still sum to zero and society = production −
    resources still holds. Drop-off acts in the kernel (over time) and optimism
    bias on the cost (:func:`project_cost`). Neutral values leave the flows
    bit-identical.
    """
    cf = config.counterfactual
    if cf is None:
        return flows.relative()
    employment = [ITEMS.index(i) for i in EMPLOYMENT_ITEMS]
    return attributable_from(config, sample, flows.relative(), flows.relative_items()[..., employment].sum(axis=3))


def attributable_from(config: Config, sample: Sample, rel: np.ndarray, displaced: np.ndarray | None) -> np.ndarray:
    """:func:`attributable` of the relative flows ``rel`` and their employment items ``displaced`` (both
    ``(draw, state, actor)``, kr per month; ``displaced`` may be None without ``[counterfactual]``)."""
    cf = config.counterfactual
    if cf is None:
        return rel
    keep = (1.0 - sample[cf.deadweight]) * sample[cf.attribution]
    return (rel - sample[cf.displacement][:, None, None] * displaced) * keep[:, None, None]


def project_cost_total(config: Config, sample: Sample) -> np.ndarray:
    """The uplifted project cost, kr, shape ``(draw,)``.

    With ``[counterfactual] optimism_bias = ob`` the cost is ``cost · uplift · (1 + ob)``.
    """
    total = _amounts_of(config, sample)(config.project.cost) * sample[config.economy.uplift]
    if config.counterfactual is not None:
        total = total * (1.0 + sample[config.counterfactual.optimism_bias])
    return total


def cost_split(config: Config) -> np.ndarray:
    """Each actor's share of the project cost, shape ``(actor,)`` (the config's actors, without society)."""
    return np.array([config.project.cost_split.get(a, 0.0) for a in config.actors], dtype=np.float64)


def split_cost(total: np.ndarray, split: np.ndarray) -> np.ndarray:
    """``total (draw,)`` kr shared by ``split (actor,)``: shape ``(draw, actor)``, what :func:`project_cost` returns."""
    return np.asarray(total)[:, None] * np.asarray(split)[None, :]


def project_cost(config: Config, sample: Sample) -> np.ndarray:
    """Each actor's share of the uplifted project cost, kr, shape ``(draw, actor)``.

    With ``[counterfactual] optimism_bias = ob`` the cost is ``cost · uplift · (1 + ob)``.
    """
    return split_cost(project_cost_total(config, sample), cost_split(config))


def potential(config: Config, sample: Sample) -> np.ndarray:
    """Society's potential per participant-month, kr, shape ``(draw,)``.

    Full-time work at the average wage without subsidy (production
    ``average_wage·(1+payroll_tax)``, the payroll tax the rules year's when the config gives
    none) plus the BEFORE resources avoided, in the results' kronor.
    """
    eco = config.economy
    amount = _amounts_of(config, sample)
    uplift = sample[eco.uplift]
    average = amount(eco.average_wage)
    if eco.payroll_tax is not None:
        value = average * (1 + sample[eco.payroll_tax])
    else:
        value = average + _payroll(config, sample, average)
    for r, q in config.before.resources.items():
        res = config.resources[r]
        value = value + sample[q] * amount(res.unit_cost) * (uplift if res.uplift else 1.0)
    return value

"""The NyttoSam accounting: one participant-month's flows per situation and actor.

MODEL.md §2. With full-time monthly wage ``w``, employment rate ``e``, payroll
tax ``p`` and wage subsidy ``s``, the wage cost is ``wc = w·e·(1+p)``, and

* the employer gets the production value ``wc·(1−s)`` (real) and the subsidy
  ``wc·s``, and pays the wage ``w·e`` and the payroll tax ``w·e·p``;
* the subsidy payer pays ``wc·s``; the payroll tax goes to ``payroll_tax_to``;
* the individual gets the wage and the benefits and pays income tax on the wage
  and the taxable benefits, split by receiving actor (kommun, region, ...);
* each benefit is paid by its payer;
* each resource costs its payer(s) ``quantity · unit_cost · uplift`` (real).

Flows are booked by *item*. Each financial item (wage, payroll tax, income tax,
benefits, wage subsidy) sums to zero over the actors; the real items
(production, resources) are what society gains or uses, so society — the sum
over actors — equals production value minus uplifted resources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.model import Config
from .sampling import Sample

__all__ = ["ITEMS", "REAL_ITEMS", "EMPLOYMENT_ITEMS", "FlowTable", "flow_table", "attributable", "project_cost", "potential"]

ITEMS = ("wage", "payroll_tax", "income_tax", "benefits", "wage_subsidy", "production", "resources")
REAL_ITEMS = ("production", "resources")
#: Items a displaced job takes elsewhere (``[counterfactual] displacement``).
EMPLOYMENT_ITEMS = ("wage", "payroll_tax", "wage_subsidy", "production")
BEFORE = "before"


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
        """Flow of each outcome state minus BEFORE, shape ``(draw, state, actor)``."""
        total = self.by_actor
        return total[:, 1:, :] - total[:, :1, :]

    def relative_items(self) -> np.ndarray:
        """As :meth:`relative`, kept by item: shape ``(draw, state, actor, item)``."""
        return self.flows[:, 1:] - self.flows[:, :1]


def flow_table(config: Config, sample: Sample) -> FlowTable:
    """Flows of one participant-month in BEFORE and in each outcome state.

    Parameters
    ----------
    config : Config
    sample : Sample
        Input values of ``n`` draws.

    Returns
    -------
    FlowTable
        ``flows`` of shape ``(n, 1 + states, actors, items)``, kr per month.
    """
    actors = tuple(config.actors)
    col = {a: i for i, a in enumerate(actors)}
    it = {name: i for i, name in enumerate(ITEMS)}
    eco = config.economy
    states = list(config.outcomes.states.values())
    n = sample.n
    flows = np.zeros((n, 1 + len(states), len(actors), len(ITEMS)))

    payroll = sample[eco.payroll_tax]
    uplift = sample[eco.uplift]
    tax_rates = {a: sample[q] for a, q in eco.income_tax.items()}
    total_rate = sum(tax_rates.values()) if tax_rates else np.zeros(n)
    used = set(config.before.income.keys).union(*(s.income.keys for s in states))
    amounts = {b: sample[config.benefits[b].monthly] for b in used}
    base_qty = {r: sample[q] for r, q in config.before.resources.items()}
    unit_cost = {}
    for r in base_qty:
        res = config.resources[r]
        unit_cost[r] = sample[res.unit_cost] * (uplift if res.uplift else 1.0)

    situations = [(BEFORE, config.before.income, None)] + [(s.id, s.income, s) for s in states]
    for si, (_, income, state) in enumerate(situations):
        f = flows[:, si]
        mix = sample.shares(income)
        taxable = np.zeros(n)
        for j, b in enumerate(income.keys):
            benefit = config.benefits[b]
            paid = mix[:, j] * amounts[b]
            f[:, col[benefit.payer], it["benefits"]] -= paid
            f[:, col[eco.individual], it["benefits"]] += paid
            if benefit.taxable:
                taxable = taxable + paid

        if state is not None:
            wage = sample[state.wage if state.wage is not None else eco.wage]
            gross = wage * sample[state.employment_rate]
            wage_cost = gross * (1 + payroll)
            subsidy = wage_cost * sample[state.wage_subsidy]
            f[:, col[eco.employer], it["wage"]] -= gross
            f[:, col[eco.individual], it["wage"]] += gross
            f[:, col[eco.employer], it["payroll_tax"]] -= gross * payroll
            f[:, col[eco.payroll_tax_to], it["payroll_tax"]] += gross * payroll
            if state.subsidy_payer is not None:
                f[:, col[state.subsidy_payer], it["wage_subsidy"]] -= subsidy
                f[:, col[eco.employer], it["wage_subsidy"]] += subsidy
            # NyttoSam's reading: the subsidy buys exactly the productivity the
            # employer does not get, so the employer's net is zero.
            f[:, col[eco.employer], it["production"]] += wage_cost - subsidy
            taxable = taxable + gross

        f[:, col[eco.individual], it["income_tax"]] -= total_rate * taxable
        for a, rate in tax_rates.items():
            f[:, col[a], it["income_tax"]] += rate * taxable

        for r, q in base_qty.items():
            qty = q if state is None else q * (1 + sample[state.resource_change[r]])
            cost = qty * unit_cost[r]
            for a, share in config.resources[r].payer.items():
                f[:, col[a], it["resources"]] -= share * cost

    return FlowTable((BEFORE,) + tuple(s.id for s in states), actors, flows)


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
    rel = flows.relative()
    cf = config.counterfactual
    if cf is None:
        return rel
    employment = [ITEMS.index(i) for i in EMPLOYMENT_ITEMS]
    displaced = flows.relative_items()[..., employment].sum(axis=3)
    keep = (1.0 - sample[cf.deadweight]) * sample[cf.attribution]
    return (rel - sample[cf.displacement][:, None, None] * displaced) * keep[:, None, None]


def project_cost(config: Config, sample: Sample) -> np.ndarray:
    """Each actor's share of the uplifted project cost, kr, shape ``(draw, actor)``.

    With ``[counterfactual] optimism_bias = ob`` the cost is ``cost · uplift · (1 + ob)``.
    """
    total = sample[config.project.cost] * sample[config.economy.uplift]
    if config.counterfactual is not None:
        total = total * (1.0 + sample[config.counterfactual.optimism_bias])
    split = np.array([config.project.cost_split.get(a, 0.0) for a in config.actors])
    return total[:, None] * split[None, :]


def potential(config: Config, sample: Sample) -> np.ndarray:
    """Society's potential per participant-month, kr, shape ``(draw,)``.

    Full-time work at the average wage without subsidy (production
    ``average_wage·(1+payroll_tax)``) plus the BEFORE resources avoided.
    """
    eco = config.economy
    uplift = sample[eco.uplift]
    value = sample[eco.average_wage] * (1 + sample[eco.payroll_tax])
    for r, q in config.before.resources.items():
        res = config.resources[r]
        value = value + sample[q] * sample[res.unit_cost] * (uplift if res.uplift else 1.0)
    return value

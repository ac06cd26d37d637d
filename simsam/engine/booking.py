"""The relative flows of a sample in one compiled pass: :func:`simsam.engine.accounting.flow_table`'s bookings
as tables for :func:`simsam.kernels.booking.book_relative`.

The NumPy accounting (:mod:`.accounting`) is the definition and the twin: this module computes with it
every amount a booking reads (benefit amounts, the work of each state, unit costs, each situation's
mix and rest: a few array operations per input) and lists, in flow_table's order, which cell each amount
goes to; the kernel then books 64 draws at a time (Samverkansteamet: ~1.1 µs a draw in NumPy, its
temporaries the cost, against ~0.5 µs here, ~0.35 of it the kernel). :func:`relative_flows` gives
``attributable``'s result to the bit (tests/test_kernel_accounting.py).
"""

from __future__ import annotations

import numpy as np

from ..config.model import Config
from ..rules.tax import TAX_PARAMETERS, tax_parameters
from .accounting import REST_TOLERANCE, _amounts_of, attributable_from, booking_inputs, work_amounts
from .kernel_cache import ensure_kernel_cache
from .sampling import Sample

__all__ = ["relative_flows"]

_NO_LAW = (np.zeros(len(TAX_PARAMETERS)),) + tuple(np.zeros((1, 3)) for _ in range(4))


class _Rows:
    """The amounts a booking reads, each a row of ``cols`` (shape ``(row, draw)``), one row per array."""

    def __init__(self, n: int):
        self.n = n
        self.arrays: list[np.ndarray] = []
        self._of: dict[int, int] = {}

    def __call__(self, x: np.ndarray) -> int:
        key = id(x)
        if key not in self._of:
            self._of[key] = len(self.arrays)
            self.arrays.append(x)  # kept: the id stays this array's while the rows exist
        return self._of[key]

    def stacked(self) -> np.ndarray:
        out = np.empty((len(self.arrays), self.n))
        for i, x in enumerate(self.arrays):
            out[i] = x
        return out


def _touched(work, type_start, types, payers, glob, flat, n_actors: int) -> np.ndarray:
    """The cells ``(situation, actor, item)`` some booking of :func:`simsam.kernels.booking.book_relative` writes."""
    from ..kernels.booking import BENEFITS, GLOBALS, INCOME_TAX, PAYROLL, PRODUCTION, RESOURCES, SUBSIDY, WAGE

    g = dict(zip(GLOBALS, glob.tolist()))
    out = np.zeros((work.shape[0], n_actors, 7), dtype=np.uint8)
    for s, (gross, _, _, _, employer, individual, payroll_to, subsidy_payer) in enumerate(work.tolist()):
        cells = []
        if gross >= 0:
            cells += [(employer, WAGE), (individual, WAGE), (employer, PAYROLL), (payroll_to, PAYROLL), (employer, PRODUCTION)]
            if subsidy_payer >= 0:
                cells += [(subsidy_payer, SUBSIDY), (employer, SUBSIDY)]
        cells += [(t[2], BENEFITS) for t in types[type_start[s] : type_start[s + 1]].tolist() if t[1] == 1]
        cells += [(g["individual"], BENEFITS)] if type_start[s + 1] > type_start[s] else []
        if g["sweden"]:
            cells += [(g["municipal"], INCOME_TAX), (g["regional"], INCOME_TAX), (g["state"], INCOME_TAX)]
        else:
            cells += [(actor, INCOME_TAX) for actor, _ in flat.tolist()]
        cells += [(g["individual"], INCOME_TAX)]
        if g["top_payer"] >= 0:
            cells += [(g["top_payer"], BENEFITS), (g["individual"], BENEFITS)]
        cells += [(a, RESOURCES) for a in payers.tolist()]
        for actor, item in cells:
            out[s, actor, item] = 1
    return out


def relative_flows(config: Config, sample: Sample) -> np.ndarray:
    """:func:`simsam.engine.accounting.attributable` of ``flow_table(config, sample)``, shape ``(draw, state, actor)``,
    kr per month, the same numbers to the bit, booked in compiled code."""
    ensure_kernel_cache()
    from ..kernels.booking import GLOBALS, book_relative  # numba and the compiled kernel: only when flows are booked

    actors = tuple(config.actors)
    col = {a: i for i, a in enumerate(actors)}
    eco = config.economy
    sweden = eco.tax_rules == "sweden"
    amount = _amounts_of(config, sample)
    states = list(config.outcomes.states.values())
    n = sample.n
    row = _Rows(n)

    tax_rates, total_rate, amounts, norm, take_up, base_qty, unit_cost = booking_inputs(config, sample, amount)
    top = config.top_up
    glob = dict.fromkeys(GLOBALS, -1)
    glob["individual"], glob["sweden"] = col[eco.individual], int(sweden)
    glob["total_rate"] = row(total_rate)
    if sweden:
        municipal, regional, state_actor = (eco.income_tax_to[k] for k in ("municipal", "regional", "state"))
        glob.update(municipal=col[municipal], regional=col[regional], state=col[state_actor],
                    municipal_rate=row(tax_rates[municipal]), regional_rate=row(tax_rates[regional]))
    if top is not None:
        glob.update(top_payer=col[top.payer], norm=row(norm), take_up=row(take_up))
    flat = [(col[a], row(rate)) for a, rate in tax_rates.items()] if not sweden else []

    resources, payer_start, payers, shares = [], [0], [], []
    for r, q in base_qty.items():
        resources.append((row(q), row(unit_cost[r])))
        for a, share in config.resources[r].payer.items():
            payers.append(col[a])
            shares.append(share)
        payer_start.append(len(payers))

    work, changes, type_start, types = [], [], [0], []
    nothing = row(np.zeros(n))  # what the mix's rest and the top-up itself receive as a benefit: 0.0, as flow_table's
    situations = [(config.before.income, None)] + [(s.income, s) for s in states]
    for income, state in situations:
        if state is None:
            work.append((-1, -1, -1, -1, col[eco.employer], col[eco.individual], col[eco.payroll_tax_to], -1))
            changes.append([-1] * len(base_qty))
        else:
            gross, payroll, subsidy, production = work_amounts(config, sample, state, amount)
            payer = col[state.subsidy_payer] if state.subsidy_payer is not None else -1
            work.append((row(gross), row(payroll), row(subsidy), row(production), col[eco.employer], col[eco.individual],
                         col[eco.payroll_tax_to], payer))
            changes.append([row(sample[state.resource_change[r]]) for r in base_qty])
        mix = sample.shares(income)
        person_types = [(mix[:, j], b) for j, b in enumerate(income.keys)]
        rest = 1.0 - mix.sum(axis=1) if income.keys else np.ones(n)
        if np.any(rest > REST_TOLERANCE):
            person_types.append((np.maximum(rest, 0.0), None))
        for weight, b in person_types:
            benefit = config.benefits[b] if b is not None else None
            if benefit is None:
                types.append((row(weight), 0, -1, nothing, 0, 0))
            elif benefit is top:
                types.append((row(weight), 2, -1, nothing, 0, 0))
            else:
                taxed_as = 0 if not benefit.taxable else (1 if benefit.taxed_as == "benefit" else 2)
                sa_any = int(taxed_as == 2 and bool(np.any(amounts[b])))
                types.append((row(weight), 1, col[benefit.payer], row(amounts[b]), taxed_as, sa_any))
        type_start.append(len(types))

    def ints(x, width):
        return np.array(x, dtype=np.int64).reshape(-1, width)

    # (flat tax: no rules year, and the law's tables are not read)
    p, basic, job, sa_terms, temporary = tax_parameters(config.rules) if sweden else _NO_LAW
    cols = row.stacked()
    n_states = len(states)
    rel = np.empty((n, n_states, len(actors)))
    cf = config.counterfactual
    displaced = np.empty((n if cf is not None else 0, n_states, len(actors)))
    changes = np.array(changes, dtype=np.int64).reshape(len(situations), len(base_qty))
    work, types, resources, flat = ints(work, 8), ints(types, 6), ints(resources, 2), ints(flat, 2)
    type_start, payer_start, payers = (np.array(x, dtype=np.int64) for x in (type_start, payer_start, payers))
    glob = np.array([glob[k] for k in GLOBALS], dtype=np.int64)
    book_relative(
        cols, work, type_start, types, resources, changes, payer_start, payers, np.array(shares, dtype=np.float64), glob, flat,
        p, basic, job, sa_terms, temporary, _touched(work, type_start, types, payers, glob, flat, len(actors)),
        rel, displaced,
    )
    return attributable_from(config, sample, rel, displaced if cf is not None else None)

"""The accounting's bookings in compiled code: one participant-month's relative flows per draw.

The twin of :func:`simsam.engine.accounting.flow_table` followed by ``FlowTable.relative`` (and, for
``[counterfactual]``, the displaced employment items of ``relative_items``): the same additions and
subtractions into the same cells ``(situation, actor, item)`` in the same order, the income tax of
:mod:`.tax`, and each cell's items summed from 0.0 in item order, so the numbers are NumPy's to the
bit (tests/test_kernel_accounting.py, every shipped config). What a draw books is described by small
integer tables that :mod:`simsam.engine.booking` builds from the config; every amount is a row of
``cols``, shape ``(row, draw)``.

Tables (``-1``: none):

* ``work (situation, 8)``: rows of the gross wage, payroll tax, wage subsidy and production, then the
  employer, individual, payroll-tax receiver and subsidy payer (BEFORE: no work rows);
* ``type_start (situation + 1,)`` and ``types (type, 6)``: each situation's person types in order,
  ``(weight row, kind, payer, amount row, taxed as, sa_any)``; kind 0 no benefit (the mix's rest), 1 a
  benefit, 2 the means-tested top-up itself (whose amount row is a row of zeros: what it receives is the
  top-up, booked after the types); taxed as 0 untaxed, 1 benefit, 2 compensation;
* ``resources (resource, 2)``: quantity and unit-cost rows; ``changes (situation, resource)``: the rows of
  ``resource_change`` (BEFORE: -1); ``payer_start (resource + 1,)``, ``payers (payer,)`` and ``payer_shares``;
* ``glob``: see :data:`GLOBALS`; ``flat (tax actor, 2)``: actor and rate row of the flat income tax.
"""

from __future__ import annotations

import numpy as np

from ._jit import jit
from .tax import SCRATCH_ROWS, maximum, monthly_tax_block

__all__ = ["GLOBALS", "ITEM_COUNT", "book_relative"]

#: Item columns, as :data:`simsam.engine.accounting.ITEMS`.
WAGE, PAYROLL, INCOME_TAX, BENEFITS, SUBSIDY, PRODUCTION, RESOURCES = range(7)
ITEM_COUNT = 7
#: Entries of ``glob``.
GLOBALS = ("individual", "municipal", "regional", "state", "top_payer", "norm", "take_up", "sweden",
           "municipal_rate", "regional_rate", "total_rate")
_IND, _MUN, _REG, _STATE, _TOP_PAYER, _NORM, _TAKE_UP, _SWEDEN, _M_RATE, _R_RATE, _TOTAL_RATE = range(11)


#: Draws booked together: each step a loop over them (independent iterations the processor overlaps).
BLOCK = 64


@jit
def _book_block(start, size, cols, work, type_start, types, resources, changes, payer_start, payers, payer_shares, glob,
                flat, p, basic, job, sa_terms, temporary, touched, cells, v, scratch, tax):
    """Draws ``start … start + size − 1`` into ``cells (situation, actor, item, draw)``, as flow_table books them.

    Only the ``touched`` cells (those some booking writes) are set to zero first and read later.
    ``v``: scratch rows (gross, taxable, the four booked taxes, top-up paid, other, sa), shape ``(9, BLOCK)``.
    """
    for s in range(touched.shape[0]):
        for a in range(touched.shape[1]):
            for k in range(ITEM_COUNT):
                if touched[s, a, k]:
                    for i in range(size):
                        cells[s, a, k, i] = 0.0
    ind = glob[_IND]
    sweden = glob[_SWEDEN] != 0
    has_top = glob[_TOP_PAYER] >= 0
    gross, taxable, b0, b1, b2, b3, top_paid, other, sa = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
    for s in range(work.shape[0]):
        for i in range(size):
            gross[i] = 0.0
            taxable[i] = 0.0
            b0[i] = b1[i] = b2[i] = b3[i] = 0.0
            top_paid[i] = 0.0
        if work[s, 0] >= 0:
            g, pay, sub, prod = cols[work[s, 0]], cols[work[s, 1]], cols[work[s, 2]], cols[work[s, 3]]
            employer, individual, payroll_to, subsidy_payer = work[s, 4], work[s, 5], work[s, 6], work[s, 7]
            for i in range(size):
                d = start + i
                gross[i] = g[d]
                cells[s, employer, WAGE, i] -= g[d]
                cells[s, individual, WAGE, i] += g[d]
                cells[s, employer, PAYROLL, i] -= pay[d]
                cells[s, payroll_to, PAYROLL, i] += pay[d]
                if subsidy_payer >= 0:
                    cells[s, subsidy_payer, SUBSIDY, i] -= sub[d]
                    cells[s, employer, SUBSIDY, i] += sub[d]
                cells[s, employer, PRODUCTION, i] += prod[d]
        for t in range(type_start[s], type_start[s + 1]):
            weight = cols[types[t, 0]]
            kind, taxed_as = types[t, 1], types[t, 4]
            received = cols[types[t, 3]]
            if kind == 1:
                payer = types[t, 2]
                for i in range(size):
                    d = start + i
                    paid = weight[d] * received[d]
                    cells[s, payer, BENEFITS, i] -= paid
                    cells[s, ind, BENEFITS, i] += paid
                    if taxed_as > 0:
                        taxable[i] = taxable[i] + paid
            if not sweden and not has_top:
                continue
            if sweden:
                for i in range(size):
                    r = received[start + i]
                    other[i] = r if taxed_as == 1 else 0.0
                    sa[i] = r if taxed_as == 2 else 0.0
                m_rate, r_rate = cols[glob[_M_RATE]], cols[glob[_R_RATE]]
                monthly_tax_block(p, basic, job, sa_terms, temporary, gross, other, sa, m_rate[start:start + size],
                                  r_rate[start:start + size], types[t, 5] != 0, size, scratch, tax)
                for i in range(size):
                    w = weight[start + i]
                    b0[i] += w * tax[0, i]
                    b1[i] += w * tax[1, i]
                    b2[i] += w * tax[2, i]
                    b3[i] += w * tax[3, i]
            else:
                rate = cols[glob[_TOTAL_RATE]]
                for i in range(size):
                    tax[3, i] = rate[start + i] * (gross[i] + (received[start + i] if taxed_as > 0 else 0.0))
            if has_top:
                norm, take_up = cols[glob[_NORM]], cols[glob[_TAKE_UP]]
                for i in range(size):
                    d = start + i
                    net = gross[i] + received[d] - tax[3, i]
                    gap = maximum(0.0, norm[d] - net)
                    top_paid[i] += weight[d] * (gap if kind == 2 else gap * take_up[d])
        if sweden:
            mun, reg, state = glob[_MUN], glob[_REG], glob[_STATE]
            for i in range(size):
                cells[s, mun, INCOME_TAX, i] += b0[i]
                cells[s, reg, INCOME_TAX, i] += b1[i]
                cells[s, state, INCOME_TAX, i] += b2[i]
                cells[s, ind, INCOME_TAX, i] -= b3[i]
        if has_top:
            top_payer = glob[_TOP_PAYER]
            for i in range(size):
                cells[s, top_payer, BENEFITS, i] -= top_paid[i]
                cells[s, ind, BENEFITS, i] += top_paid[i]
        if not sweden:
            rate = cols[glob[_TOTAL_RATE]]
            for i in range(size):
                taxable[i] = taxable[i] + gross[i]
                cells[s, ind, INCOME_TAX, i] -= rate[start + i] * taxable[i]
            for f in range(flat.shape[0]):
                actor, own = flat[f, 0], cols[flat[f, 1]]
                for i in range(size):
                    cells[s, actor, INCOME_TAX, i] += own[start + i] * taxable[i]
        for r in range(resources.shape[0]):
            quantity, unit = cols[resources[r, 0]], cols[resources[r, 1]]
            change = changes[s, r]
            for j in range(payer_start[r], payer_start[r + 1]):
                actor, share = payers[j], payer_shares[j]
                for i in range(size):
                    d = start + i
                    qty = quantity[d] * (1 + cols[change, d]) if change >= 0 else quantity[d]
                    cells[s, actor, RESOURCES, i] -= share * (qty * unit[d])


@jit
def book_relative(cols, work, type_start, types, resources, changes, payer_start, payers, payer_shares, glob, flat,
                  p, basic, job, sa_terms, temporary, touched, rel, displaced):
    """Relative flows ``rel[d, s, a]`` (kr per month, state ``s`` minus BEFORE; shape ``(draw, state, actor)``)
    and, when ``displaced`` has draws, the employment items' part of them (wage, payroll tax, wage subsidy,
    production: ``FlowTable.relative_items`` summed over those items).

    ``touched (situation, actor, item)``: the cells a booking writes (the others stay 0.0). Each total adds only
    those, in item order from 0.0: the same number as adding every item, since adding a +0.0 to a sum that
    started at +0.0 changes nothing (such a sum is never −0.0).
    """
    n = cols.shape[1]
    n_situations, n_actors = touched.shape[0], touched.shape[1]
    cells = np.empty((n_situations, n_actors, ITEM_COUNT, BLOCK))
    v = np.empty((9, BLOCK))
    scratch = np.empty((SCRATCH_ROWS, BLOCK))
    tax = np.empty((4, BLOCK))
    before = np.empty(BLOCK)
    total = np.empty(BLOCK)
    keep_displaced = displaced.shape[0] > 0
    for start in range(0, n, BLOCK):
        size = min(BLOCK, n - start)
        _book_block(start, size, cols, work, type_start, types, resources, changes, payer_start, payers, payer_shares,
                    glob, flat, p, basic, job, sa_terms, temporary, touched, cells, v, scratch, tax)
        for a in range(n_actors):
            for i in range(size):
                before[i] = 0.0
            for k in range(ITEM_COUNT):
                if touched[0, a, k]:
                    for i in range(size):
                        before[i] += cells[0, a, k, i]
            for s in range(1, n_situations):
                for i in range(size):
                    total[i] = 0.0
                for k in range(ITEM_COUNT):
                    if touched[s, a, k]:
                        for i in range(size):
                            total[i] += cells[s, a, k, i]
                for i in range(size):
                    rel[start + i, s - 1, a] = total[i] - before[i]
                if keep_displaced:
                    for i in range(size):
                        moved = 0.0
                        for k in (WAGE, PAYROLL, SUBSIDY, PRODUCTION):
                            now = cells[s, a, k, i] if touched[s, a, k] else 0.0
                            then = cells[0, a, k, i] if touched[0, a, k] else 0.0
                            moved += now - then
                        displaced[start + i, s - 1, a] = moved

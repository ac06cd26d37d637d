"""The income tax of :func:`simsam.rules.income_tax` for one person at a time, in compiled code.

The twin of the NumPy rules (tests/test_kernel_accounting.py compares them bit for bit on random
incomes for every rules year): every step is the same IEEE operation in the same order, ``np.maximum``
and ``np.minimum`` as NumPy's own scalar loops (:func:`maximum`, :func:`minimum`), and the law's
numbers come from :func:`simsam.rules.tax.tax_parameters` (``p`` and the schedules' terms). Incomes are
kr per year; the accounting's monthly amounts go through :func:`monthly_tax` (× 12 in, ÷ 12 out, as
:func:`simsam.engine.accounting._monthly_tax`).
"""

from __future__ import annotations

import numpy as np

from ._jit import jit

__all__ = ["maximum", "minimum", "income_tax", "monthly_tax", "monthly_taxes", "monthly_tax_block", "SCRATCH_ROWS"]

# Guards the floor/ceil steps against binary noise (simsam.rules.tax._EPS).
_EPS = 1e-9

# Positions in p (simsam.rules.tax.TAX_PARAMETERS).
_ASSESSED, _BASIC_ROUNDING, _WORK_ROUNDING, _CREDIT_ROUNDING = 0, 1, 2, 3
_ST_THRESHOLD, _ST_RATE, _ST_UPPER_THRESHOLD, _ST_UPPER_RATE = 4, 5, 6, 7
_PF_RATE, _PF_CEILING, _PF_FLOOR, _PF_ROUNDING = 8, 9, 10, 11
_PS_RATE, _PS_CEILING = 12, 13
_JTC_PHASE_OUT_RATE, _JTC_PHASE_OUT_START = 14, 15
_SA_EXISTS, _SA_GA_DEDUCTED, _SA_FLOOR_RATE = 16, 17, 18
_EIC_AMOUNT, _EIC_RATE, _EIC_THRESHOLD = 19, 20, 21
_TEMPORARY = 22


@jit
def maximum(a, b):
    """``np.maximum(a, b)`` of two numbers: ``a`` when ``a ≥ b`` or ``a`` is NaN (NumPy's loop)."""
    return a if (a >= b or a != a) else b


@jit
def minimum(a, b):
    """``np.minimum(a, b)`` of two numbers: ``a`` when ``a ≤ b`` or ``a`` is NaN (NumPy's loop)."""
    return a if (a <= b or a != a) else b


@jit
def _floor_to(x, step):
    y = x * (1.0 / step)
    y += _EPS
    return np.floor(y) * step


@jit
def _ceil_to(x, step):
    y = x * (1.0 / step)
    y -= _EPS
    return np.ceil(y) * step


@jit
def _nearest_half_down(x, step):
    y = x * (1.0 / step)
    y -= 0.5 + _EPS
    return np.ceil(y) * step


@jit
def _evaluate(terms, x):
    """A schedule at ``x`` from its :func:`simsam.rules.tax.schedule_terms` (row 0 the first line)."""
    out = (x - terms[0, 0]) * terms[0, 1]
    out += terms[0, 2]
    for i in range(1, terms.shape[0]):
        slope = terms[i, 1]
        if slope != 0.0:
            out += maximum(x - terms[i, 0], 0.0) * slope
        jump = terms[i, 2]
        if jump != 0.0:
            out += jump * (1.0 if x > terms[i, 0] else 0.0)
    return out


@jit
def income_tax(p, basic, job, sa_terms, temporary, work, other, sa, m_rate, r_rate, sa_any):
    """One person's ``(kommun, region, stat, total)``, kr per year (:func:`simsam.rules.income_tax`).

    ``sa_any``: whether any person of the NumPy call has sjuk- och aktivitetsersättning (its
    ``np.any(sa_income)``: without any the SA-reduktion is 0 for all).
    """
    fi = _floor_to(maximum(0.0, work + other + sa), p[_ASSESSED])
    ga = minimum(fi, _ceil_to(_evaluate(basic, fi), p[_BASIC_ROUNDING]))
    bfi = fi - ga
    kommun = m_rate * bfi
    region = r_rate * bfi
    local = kommun + region
    ki = m_rate + r_rate

    state_tax = p[_ST_RATE] * maximum(0.0, bfi - p[_ST_THRESHOLD])
    if p[_ST_UPPER_RATE] != 0.0:
        state_tax = state_tax + p[_ST_UPPER_RATE] * maximum(0.0, bfi - p[_ST_UPPER_THRESHOLD])

    pf_income = _floor_to(maximum(0.0, work + other), p[_PF_ROUNDING])
    pension_fee = _nearest_half_down(p[_PF_RATE] * minimum(pf_income, p[_PF_CEILING]), p[_PF_ROUNDING])
    if pf_income < p[_PF_FLOOR]:
        pension_fee = 0.0

    public_service_fee = p[_PS_RATE] * minimum(bfi, p[_PS_CEILING]) if p[_PS_RATE] != 0.0 else 0.0

    pension_fee_credit = minimum(pension_fee, local + state_tax)
    local_left = local - minimum(pension_fee_credit, local)
    state_left = state_tax - (pension_fee_credit - minimum(pension_fee_credit, local))

    ai = _floor_to(work, p[_WORK_ROUNDING])
    credit = maximum(0.0, _evaluate(job, ai) - ga) * ki
    credit = credit - p[_JTC_PHASE_OUT_RATE] * maximum(0.0, ai - p[_JTC_PHASE_OUT_START])
    jsa = minimum(_floor_to(maximum(0.0, credit), p[_CREDIT_ROUNDING]), local_left)
    local_left = local_left - jsa

    sa_credit = 0.0
    if p[_SA_EXISTS] != 0.0 and sa_any:
        if p[_SA_GA_DEDUCTED] != 0.0:
            with_sa = maximum(0.0, _evaluate(sa_terms, ai + sa) - ga)
            without = maximum(0.0, _evaluate(sa_terms, ai) - ga)
            c = maximum((with_sa - without) * ki, p[_SA_FLOOR_RATE] * sa * ki)
        else:
            c = _evaluate(sa_terms, sa) * ki
        sa_credit = _floor_to(maximum(0.0, c), p[_CREDIT_ROUNDING])
    sa_credit = minimum(sa_credit, local_left)
    local_left = local_left - sa_credit

    eic = 0.0
    if p[_EIC_AMOUNT] != 0.0:
        eic = minimum(p[_EIC_AMOUNT], p[_EIC_RATE] * maximum(0.0, bfi - p[_EIC_THRESHOLD]))
        eic = minimum(_floor_to(eic, p[_CREDIT_ROUNDING]), local_left)
        local_left = local_left - eic

    tmp = 0.0
    if p[_TEMPORARY] != 0.0:
        tmp = _floor_to(maximum(0.0, _evaluate(temporary, ai)), p[_CREDIT_ROUNDING])
        tmp = minimum(tmp, local_left + state_left)

    credits = pension_fee_credit + jsa + sa_credit + eic + tmp
    stat = state_tax + pension_fee + public_service_fee - credits
    return kommun, region, stat, kommun + region + stat


@jit
def monthly_tax(p, basic, job, sa_terms, temporary, work, other, sa, m_rate, r_rate, sa_any):
    """:func:`income_tax` of monthly incomes (× 12), its ``(kommun, region, stat, total)`` per month (÷ 12)."""
    k, r, s, t = income_tax(p, basic, job, sa_terms, temporary, work * 12.0, other * 12.0, sa * 12.0, m_rate, r_rate, sa_any)
    return k / 12.0, r / 12.0, s / 12.0, t / 12.0


@jit
def monthly_taxes(p, basic, job, sa_terms, temporary, work, other, sa, m_rate, r_rate, out):
    """:func:`monthly_tax` of every person: ``out[c, i]``, ``c`` = kommun, region, stat, total; inputs of shape ``(n,)``."""
    sa_any = False
    for i in range(sa.shape[0]):
        if sa[i] != 0.0:
            sa_any = True
            break
    for i in range(work.shape[0]):
        out[0, i], out[1, i], out[2, i], out[3, i] = monthly_tax(
            p, basic, job, sa_terms, temporary, work[i], other[i], sa[i], m_rate[i], r_rate[i], sa_any
        )
    return out


@jit
def _evaluate_block(terms, x, out, size):
    """:func:`_evaluate` of ``x[:size]`` into ``out[:size]``, a loop over the people per term."""
    lower, rate, base = terms[0, 0], terms[0, 1], terms[0, 2]
    for i in range(size):
        v = (x[i] - lower) * rate
        out[i] = v + base
    for j in range(1, terms.shape[0]):
        lower, slope, jump = terms[j, 0], terms[j, 1], terms[j, 2]
        if slope != 0.0:
            for i in range(size):
                out[i] += maximum(x[i] - lower, 0.0) * slope
        if jump != 0.0:
            for i in range(size):
                out[i] += jump * (1.0 if x[i] > lower else 0.0)


#: Rows of :func:`monthly_tax_block`'s scratch.
SCRATCH_ROWS = 12


@jit
def monthly_tax_block(p, basic, job, sa_terms, temporary, gross, other, sa, m_rate, r_rate, sa_any, size, t, out):
    """:func:`monthly_tax` of ``size`` people at once: ``out[c, i]`` (c = kommun, region, stat, total), kr per month.

    The same steps as :func:`income_tax`, each a loop over the people (independent iterations the processor
    overlaps, and the compiler vectorises): one person's tax is a chain of a few hundred dependent
    operations, ~130 ns alone. ``t``: scratch of shape ``(SCRATCH_ROWS, size or more)``.
    """
    fi, ga, bfi, sa_credits, ki, state_tax, pension_fee, local_left, state_left, ai, credit, sched = (
        t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11])
    inv_assessed = 1.0 / p[_ASSESSED]
    for i in range(size):
        y = maximum(0.0, gross[i] * 12.0 + other[i] * 12.0 + sa[i] * 12.0) * inv_assessed
        y += _EPS
        fi[i] = np.floor(y) * p[_ASSESSED]
    _evaluate_block(basic, fi, sched, size)
    inv_basic, inv_pf, inv_work = 1.0 / p[_BASIC_ROUNDING], 1.0 / p[_PF_ROUNDING], 1.0 / p[_WORK_ROUNDING]
    upper, ps_rate = p[_ST_UPPER_RATE] != 0.0, p[_PS_RATE] != 0.0
    for i in range(size):
        y = sched[i] * inv_basic
        y -= _EPS
        g = minimum(fi[i], np.ceil(y) * p[_BASIC_ROUNDING])
        ga[i] = g
        b = fi[i] - g
        bfi[i] = b
        m, r = m_rate[i], r_rate[i]
        kommun = m * b
        region = r * b
        out[0, i] = kommun
        out[1, i] = region
        loc = kommun + region
        ki[i] = m + r
        st = p[_ST_RATE] * maximum(0.0, b - p[_ST_THRESHOLD])
        if upper:
            st = st + p[_ST_UPPER_RATE] * maximum(0.0, b - p[_ST_UPPER_THRESHOLD])
        state_tax[i] = st
        work, oth = gross[i] * 12.0, other[i] * 12.0
        y = maximum(0.0, work + oth) * inv_pf
        y += _EPS
        pf_income = np.floor(y) * p[_PF_ROUNDING]
        y = p[_PF_RATE] * minimum(pf_income, p[_PF_CEILING]) * inv_pf
        y -= 0.5 + _EPS
        fee = np.ceil(y) * p[_PF_ROUNDING]
        fee = 0.0 if pf_income < p[_PF_FLOOR] else fee
        pension_fee[i] = fee
        pfc = minimum(fee, loc + st)
        credit[i] = pfc
        local_left[i] = loc - minimum(pfc, loc)
        state_left[i] = st - (pfc - minimum(pfc, loc))
        y = work * inv_work
        y += _EPS
        ai[i] = np.floor(y) * p[_WORK_ROUNDING]
    _evaluate_block(job, ai, sched, size)
    inv_credit = 1.0 / p[_CREDIT_ROUNDING]
    for i in range(size):
        c = maximum(0.0, sched[i] - ga[i]) * ki[i]
        c = c - p[_JTC_PHASE_OUT_RATE] * maximum(0.0, ai[i] - p[_JTC_PHASE_OUT_START])
        y = maximum(0.0, c) * inv_credit
        y += _EPS
        jsa = minimum(np.floor(y) * p[_CREDIT_ROUNDING], local_left[i])
        local_left[i] = local_left[i] - jsa
        credit[i] = credit[i] + jsa  # pension-fee credit + jobbskatteavdrag (the law's order of the sum)
    # The SA-reduktion: its underlag's schedule with and without the SA income (or alone).
    sa_on = p[_SA_EXISTS] != 0.0 and sa_any
    deducted = p[_SA_GA_DEDUCTED] != 0.0
    for i in range(size):
        out[2, i] = state_tax[i] + pension_fee[i]  # the fees' and taxes' part of stat, in its order
    if sa_on:
        x = sa_credits
        if deducted:
            for i in range(size):
                x[i] = ai[i] + sa[i] * 12.0
            _evaluate_block(sa_terms, x, sched, size)
            for i in range(size):
                x[i] = maximum(0.0, sched[i] - ga[i])  # with the SA income
            _evaluate_block(sa_terms, ai, sched, size)
            for i in range(size):
                without = maximum(0.0, sched[i] - ga[i])
                s12 = sa[i] * 12.0
                c = maximum((x[i] - without) * ki[i], p[_SA_FLOOR_RATE] * s12 * ki[i])
                y = maximum(0.0, c) * inv_credit
                y += _EPS
                x[i] = np.floor(y) * p[_CREDIT_ROUNDING]
        else:
            for i in range(size):
                x[i] = sa[i] * 12.0
            _evaluate_block(sa_terms, x, sched, size)
            for i in range(size):
                c = sched[i] * ki[i]
                y = maximum(0.0, c) * inv_credit
                y += _EPS
                x[i] = np.floor(y) * p[_CREDIT_ROUNDING]
    eic_on, tmp_on = p[_EIC_AMOUNT] != 0.0, p[_TEMPORARY] != 0.0
    if tmp_on:
        _evaluate_block(temporary, ai, sched, size)
    for i in range(size):
        sa_credit = minimum(sa_credits[i] if sa_on else 0.0, local_left[i])
        left = local_left[i] - sa_credit
        eic = 0.0
        if eic_on:
            eic = minimum(p[_EIC_AMOUNT], p[_EIC_RATE] * maximum(0.0, bfi[i] - p[_EIC_THRESHOLD]))
            y = eic * inv_credit
            y += _EPS
            eic = minimum(np.floor(y) * p[_CREDIT_ROUNDING], left)
            left = left - eic
        tmp = 0.0
        if tmp_on:
            y = maximum(0.0, sched[i]) * inv_credit
            y += _EPS
            tmp = minimum(np.floor(y) * p[_CREDIT_ROUNDING], left + state_left[i])
        credits = credit[i] + sa_credit + eic + tmp
        ps = p[_PS_RATE] * minimum(bfi[i], p[_PS_CEILING]) if ps_rate else 0.0
        stat = out[2, i] + ps - credits
        total = out[0, i] + out[1, i] + stat
        out[0, i] = out[0, i] / 12.0
        out[1, i] = out[1, i] / 12.0
        out[2, i] = stat / 12.0
        out[3, i] = total / 12.0

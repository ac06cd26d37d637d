"""The income tax of :func:`simsam.rules.income_tax` for a block of people, in compiled code.

The twin of the NumPy rules (tests/test_kernel_accounting.py compares them bit for bit on random
incomes for every rules year): every step is the same IEEE operation in the same order, ``np.maximum``
and ``np.minimum`` as NumPy's own scalar loops (:func:`maximum`, :func:`minimum`), and the law's
numbers come from :func:`simsam.rules.tax.tax_parameters` (``p`` and the schedules' terms). The
accounting's monthly amounts go in and out as :func:`simsam.engine.accounting._monthly_tax` passes
them (× 12 in, ÷ 12 out). Each step of the law is a loop over the block (independent iterations the
processor overlaps, and the compiler vectorises): one person's tax alone is a chain of a few hundred
dependent operations, ~130 ns, against ~15 ns a person here.
"""

from __future__ import annotations

import numpy as np

from ._jit import jit

__all__ = ["maximum", "minimum", "monthly_tax_block", "SCRATCH_ROWS"]

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
    """The income tax of ``size`` people: ``out[c, i]`` (c = kommun, region, stat, total), kr per month.

    The steps of :func:`simsam.rules.income_tax` on 12 × the monthly incomes ``gross`` (work), ``other``
    and ``sa`` (sjuk- och aktivitetsersättning), each a loop over the people, then ÷ 12. ``sa_any``:
    whether any person of the NumPy call has SA income (its ``np.any(sa_income)``: without any, the
    SA-reduktion is 0 for all). ``t``: scratch of shape ``(SCRATCH_ROWS, size or more)``.
    """
    fi, ga, bfi, sa_credits, ki, state_tax, pension_fee, local_left, state_left, ai, credit, sched = (
        t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11])
    for i in range(size):
        fi[i] = _floor_to(maximum(0.0, gross[i] * 12.0 + other[i] * 12.0 + sa[i] * 12.0), p[_ASSESSED])
    _evaluate_block(basic, fi, sched, size)
    upper, ps_rate = p[_ST_UPPER_RATE] != 0.0, p[_PS_RATE] != 0.0
    for i in range(size):
        g = minimum(fi[i], _ceil_to(sched[i], p[_BASIC_ROUNDING]))
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
        pf_income = _floor_to(maximum(0.0, work + oth), p[_PF_ROUNDING])
        fee = _nearest_half_down(p[_PF_RATE] * minimum(pf_income, p[_PF_CEILING]), p[_PF_ROUNDING])
        fee = 0.0 if pf_income < p[_PF_FLOOR] else fee
        pension_fee[i] = fee
        pfc = minimum(fee, loc + st)
        credit[i] = pfc
        local_left[i] = loc - minimum(pfc, loc)
        state_left[i] = st - (pfc - minimum(pfc, loc))
        ai[i] = _floor_to(work, p[_WORK_ROUNDING])
    _evaluate_block(job, ai, sched, size)
    for i in range(size):
        c = maximum(0.0, sched[i] - ga[i]) * ki[i]
        c = c - p[_JTC_PHASE_OUT_RATE] * maximum(0.0, ai[i] - p[_JTC_PHASE_OUT_START])
        jsa = minimum(_floor_to(maximum(0.0, c), p[_CREDIT_ROUNDING]), local_left[i])
        local_left[i] = local_left[i] - jsa
        credit[i] = credit[i] + jsa  # pension-fee credit + jobbskatteavdrag (the law's order of the sum)
        out[2, i] = state_tax[i] + pension_fee[i]  # the taxes' and fees' part of stat, in its order
    # The SA-reduktion: its underlag's schedule with and without the SA income (or alone).
    sa_on = p[_SA_EXISTS] != 0.0 and sa_any
    if sa_on:
        x = sa_credits
        if p[_SA_GA_DEDUCTED] != 0.0:
            for i in range(size):
                x[i] = ai[i] + sa[i] * 12.0
            _evaluate_block(sa_terms, x, sched, size)
            for i in range(size):
                x[i] = maximum(0.0, sched[i] - ga[i])  # with the SA income
            _evaluate_block(sa_terms, ai, sched, size)
            for i in range(size):
                without = maximum(0.0, sched[i] - ga[i])
                c = maximum((x[i] - without) * ki[i], p[_SA_FLOOR_RATE] * (sa[i] * 12.0) * ki[i])
                x[i] = _floor_to(maximum(0.0, c), p[_CREDIT_ROUNDING])
        else:
            for i in range(size):
                x[i] = sa[i] * 12.0
            _evaluate_block(sa_terms, x, sched, size)
            for i in range(size):
                x[i] = _floor_to(maximum(0.0, sched[i] * ki[i]), p[_CREDIT_ROUNDING])
    eic_on, tmp_on = p[_EIC_AMOUNT] != 0.0, p[_TEMPORARY] != 0.0
    if tmp_on:
        _evaluate_block(temporary, ai, sched, size)
    for i in range(size):
        sa_credit = minimum(sa_credits[i] if sa_on else 0.0, local_left[i])
        left = local_left[i] - sa_credit
        eic = 0.0
        if eic_on:
            eic = minimum(p[_EIC_AMOUNT], p[_EIC_RATE] * maximum(0.0, bfi[i] - p[_EIC_THRESHOLD]))
            eic = minimum(_floor_to(eic, p[_CREDIT_ROUNDING]), left)
            left = left - eic
        tmp = 0.0
        if tmp_on:
            tmp = minimum(_floor_to(maximum(0.0, sched[i]), p[_CREDIT_ROUNDING]), left + state_left[i])
        credits = credit[i] + sa_credit + eic + tmp
        ps = p[_PS_RATE] * minimum(bfi[i], p[_PS_CEILING]) if ps_rate else 0.0
        stat = out[2, i] + ps - credits
        total = out[0, i] + out[1, i] + stat
        out[0, i] = out[0, i] / 12.0
        out[1, i] = out[1, i] / 12.0
        out[2, i] = stat / 12.0
        out[3, i] = total / 12.0

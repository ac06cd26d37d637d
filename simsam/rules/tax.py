"""Income tax on förvärvsinkomst by the law of one income year, vectorised over draws.

Pure numpy functions of a :class:`~simsam.rules.model.Rules` and arrays of incomes (kr per
year, any shape that broadcasts, typically ``(draw,)``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .model import Rules, Schedule

__all__ = ["IncomeTax", "basic_deduction", "income_tax", "job_tax_credit", "schedule_terms", "tax_parameters", "TAX_PARAMETERS"]

# Guards the floor/ceil steps against binary noise such as 313.00000000000006 hundreds.
_EPS = 1e-9


# The helpers below work in place on one fresh array: on 100 000 draws allocation, not arithmetic,
# is most of the cost of an elementwise step.


def _scaled(x, factor: float):
    # A fresh array even for a scalar x (0-d), so that the in-place steps below work.
    return np.multiply(x, factor, out=np.empty(np.shape(x)))


def _floor_to(x, step: float):
    y = _scaled(x, 1.0 / step)
    y += _EPS
    np.floor(y, out=y)
    y *= step
    return y


def _ceil_to(x, step: float):
    y = _scaled(x, 1.0 / step)
    y -= _EPS
    np.ceil(y, out=y)
    y *= step
    return y


def _nearest_half_down(x, step: float):
    # Lag (1994:1744) 3 §: to the nearest hundred, an amount ending in exactly 50 goes down.
    y = _scaled(x, 1.0 / step)
    y -= 0.5 + _EPS
    np.ceil(y, out=y)
    y *= step
    return y


def schedule_terms(s: Schedule, unit: float = 1.0) -> np.ndarray:
    """``s`` as the terms :func:`_evaluate` adds, shape ``(bracket, 3)``, kronor where ``unit`` converts.

    Row 0 is the first bracket's line ``(lower, rate, base)``; row ``i ≥ 1`` is ``(lower[i], slope change,
    jump)`` at the ``i``-th limit (a zero change or jump is not added). The compiled income tax
    (:mod:`simsam.kernels.tax`) reads the same rows, so both add the same numbers in the same order.
    """
    lower = [round(v * unit, 6) for v in s.lower]
    base = [v * unit for v in s.base]
    rows = [(lower[0], s.rate[0], base[0])]
    for i in range(1, len(lower)):
        slope = s.rate[i] - s.rate[i - 1]
        jump = base[i] - (base[i - 1] + s.rate[i - 1] * (lower[i] - lower[i - 1]))
        rows.append((lower[i], slope, jump))
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def _evaluate(s: Schedule, x, unit: float = 1.0):
    """``base + rate·(x − lower)`` in the bracket ``lower[i] < x ≤ lower[i+1]``.

    ``unit`` converts ``lower`` and ``base`` to kronor (the prisbasbelopp, or 1 for kronor).
    Written as the first bracket's line plus, for each later limit, the change of slope beyond
    it and any jump at it (the law's rounded coefficients leave jumps of a few kronor): a few
    elementwise passes instead of a search and three gathers (:func:`schedule_terms`).
    """
    terms = schedule_terms(s, unit)
    lower, rate, base = (float(v) for v in terms[0])
    out = np.subtract(x, lower, out=np.empty(np.shape(x)))
    out *= rate
    out += base
    for lower, slope, jump in terms[1:].tolist():
        if slope:
            part = np.subtract(x, lower, out=np.empty(np.shape(x)))
            np.maximum(part, 0.0, out=part)
            part *= slope
            out += part
        if jump:
            out += jump * (x > lower)
    return out


def basic_deduction(rules: Rules, assessed_income):
    """Grundavdrag (IL 63 kap. 3 §) for a person under ``rules.basic_deduction.age_limit``.

    Parameters
    ----------
    rules : Rules
    assessed_income : array_like
        Fastställd förvärvsinkomst, kr per year (already rounded down to hundreds).

    Returns
    -------
    ndarray
        kr per year, rounded up to whole hundreds and at most the assessed income.
    """
    fi = np.asarray(assessed_income, dtype=float)
    ga = _ceil_to(_evaluate(rules.basic_deduction.schedule, fi, rules.prisbasbelopp), rules.rounding.basic_deduction)
    return np.minimum(fi, ga)


def job_tax_credit(rules: Rules, work_income, basic_deduction, local_rate):
    """Jobbskatteavdrag (IL 67 kap. 7 §) before it is limited by the tax it is set against.

    Parameters
    ----------
    rules : Rules
    work_income : array_like
        Arbetsinkomst, kr per year (unrounded; rounded down to hundreds here).
    basic_deduction : array_like
        The person's grundavdrag, kr per year.
    local_rate : array_like
        Skattesatsen för kommunal inkomstskatt (kommun + region), a share.

    Returns
    -------
    ndarray
        kr per year, whole kronor (öretal faller bort), ≥ 0.
    """
    r = rules.job_tax_credit
    ai = _floor_to(np.asarray(work_income, dtype=float), rules.rounding.work_income)
    credit = np.maximum(0.0, _evaluate(r.schedule, ai, rules.prisbasbelopp) - basic_deduction) * local_rate
    credit = credit - r.phase_out_rate * np.maximum(0.0, ai - r.phase_out_start_pbb * rules.prisbasbelopp)
    return _floor_to(np.maximum(0.0, credit), rules.rounding.tax_credit)


def _sa_credit(rules: Rules, ai, sa_income, basic_deduction, local_rate):
    r = rules.sa_tax_credit
    if not r.exists or not np.any(sa_income):
        return np.zeros(np.broadcast(ai, sa_income, local_rate).shape)
    pbb = rules.prisbasbelopp
    if r.ga_deducted:
        # JSA-like form (from 2022): the grundavdrag is used once for wage and benefit together,
        # so the credit is the schedule's increase from adding the underlag to the arbetsinkomst.
        with_sa = np.maximum(0.0, _evaluate(r.schedule, ai + sa_income, pbb) - basic_deduction)
        without = np.maximum(0.0, _evaluate(r.schedule, ai, pbb) - basic_deduction)
        credit = np.maximum((with_sa - without) * local_rate, r.floor_rate * sa_income * local_rate)
    else:
        credit = _evaluate(r.schedule, sa_income, pbb) * local_rate
    return _floor_to(np.maximum(0.0, credit), rules.rounding.tax_credit)


class IncomeTax(NamedTuple):
    """One year's income tax per component, kr per year, arrays of the broadcast input shape.

    Booking (MODEL.md §5): ``kommun`` → kommun, ``region`` → region, ``stat`` → stat, and the
    individual pays ``total = kommun + region + stat``. The skattereduktioner are state-financed:
    they never reduce ``kommun`` or ``region`` (the gross municipal and regional tax), only
    ``stat``, which can therefore be negative (the state pays out more in credits than it
    receives from this person).
    """

    assessed_income: np.ndarray  # fastställd förvärvsinkomst (FI)
    basic_deduction: np.ndarray  # grundavdrag (GA)
    taxable_income: np.ndarray  # beskattningsbar förvärvsinkomst (BFI = FI − GA)
    kommun: np.ndarray  # municipal_rate × BFI
    region: np.ndarray  # regional_rate × BFI
    state_tax: np.ndarray  # statlig inkomstskatt (incl. värnskatt until 2019)
    pension_fee: np.ndarray  # allmän pensionsavgift
    public_service_fee: np.ndarray  # public service-avgift (from 2019)
    pension_fee_credit: np.ndarray  # skattereduktion för allmän pensionsavgift
    job_tax_credit: np.ndarray  # jobbskatteavdrag
    sa_tax_credit: np.ndarray  # skattereduktion för sjuk- och aktivitetsersättning
    earned_income_credit: np.ndarray  # skattereduktion för förvärvsinkomster (from 2021)
    temporary_work_credit: np.ndarray  # tillfällig skattereduktion för arbetsinkomster (2021-2022)
    stat: np.ndarray  # net to the state: state_tax + fees − every credit
    total: np.ndarray  # paid by the individual

    @property
    def credits(self) -> np.ndarray:
        """Sum of the skattereduktioner, kr per year (a cost to the state)."""
        return self.pension_fee_credit + self.job_tax_credit + self.sa_tax_credit + self.earned_income_credit + self.temporary_work_credit


def income_tax(rules: Rules, work_income, other_taxable, sa_income, municipal_rate, regional_rate) -> IncomeTax:
    """Final income tax (slutlig skatt) on förvärvsinkomst for one income year.

    For a person under the age limit (``rules.basic_deduction.age_limit``) who is resident
    (obegränsat skattskyldig) the whole year, without allmänna avdrag, capital income or
    property; begravnings- and kyrkoavgift are not included.

    Parameters
    ----------
    rules : Rules
        The income year's rules (:func:`~simsam.rules.rules_for`).
    work_income : array_like
        Arbetsinkomst (wages; gives jobbskatteavdrag), kr per year, shape ``(draw,)`` or scalar.
    other_taxable : array_like
        Other taxable benefits that are pensionsgrundande but not arbetsinkomst (sjukpenning,
        aktivitetsstöd, a-kassa), kr per year.
    sa_income : array_like
        Sjuk- och aktivitetsersättning (underlag of its skattereduktion; no pension fee), kr per year.
    municipal_rate, regional_rate : array_like
        Kommunal and regional skattesats as shares (e.g. 0.2070, 0.1167); their sum is the
        ``skattesats för kommunal inkomstskatt`` (KI) that the credits are multiplied by.

    Returns
    -------
    IncomeTax
        Every component in kr per year. How each actor's share follows:

        * ``kommun = municipal_rate · BFI`` and ``region = regional_rate · BFI``, where
          ``FI = floor100(work + other + sa)``, ``GA = min(FI, ceil100(63:3 schedule(FI)))``,
          ``BFI = FI − GA``;
        * ``stat = state_tax + pension_fee + public_service_fee − credits``, where
          ``state_tax = 20 % · (BFI − skiktgräns)⁺ (+ 5 % above the övre skiktgräns until 2019)``,
          ``pension_fee = round100(7 % · min(floor100(work + other), 8,07 ibb))`` (none below
          0,423 pbb), ``public_service_fee = 1 % · min(BFI, k · ibb)``, and the credits, each in
          whole kronor and each limited to what is left of the tax it may be set against (IL 67
          kap. 2 §), in the law's order: pension-fee credit (= the fee, against kommunal +
          statlig tax, kommunal first), jobbskatteavdrag (on arbetsinkomst only), SA-reduktion
          (on sjuk- och aktivitetsersättning), skattereduktion för förvärvsinkomster (all three
          against kommunal tax only), tillfällig skattereduktion 2021-2022 (against what is left
          of kommunal and statlig tax);
        * the individual pays ``total = kommun + region + stat`` (the sum of the taxes and fees
          less the credits).
    """
    work = np.asarray(work_income, dtype=float)
    other = np.asarray(other_taxable, dtype=float)
    sa = np.asarray(sa_income, dtype=float)
    m_rate = np.asarray(municipal_rate, dtype=float)
    r_rate = np.asarray(regional_rate, dtype=float)
    shape = np.broadcast(work, other, sa, m_rate, r_rate).shape
    work, other, sa, m_rate, r_rate = (np.broadcast_to(a, shape) for a in (work, other, sa, m_rate, r_rate))
    pbb, ibb, rd = rules.prisbasbelopp, rules.inkomstbasbelopp, rules.rounding

    fi = _floor_to(np.maximum(0.0, work + other + sa), rd.assessed_income)
    ga = basic_deduction(rules, fi)
    bfi = fi - ga
    kommun = m_rate * bfi
    region = r_rate * bfi
    local = kommun + region
    ki = m_rate + r_rate

    st = rules.state_tax
    state_tax = st.rate * np.maximum(0.0, bfi - st.threshold)
    if st.upper_rate:
        state_tax = state_tax + st.upper_rate * np.maximum(0.0, bfi - st.upper_threshold)

    pf = rules.pension_fee
    pf_income = _floor_to(np.maximum(0.0, work + other), pf.rounding)
    pension_fee = _nearest_half_down(pf.rate * np.minimum(pf_income, pf.ceiling_ibb * ibb), pf.rounding)
    pension_fee = np.where(pf_income < pf.floor_pbb * pbb, 0.0, pension_fee)

    ps = rules.public_service_fee
    public_service_fee = ps.rate * np.minimum(bfi, ps.ceiling_ibb * ibb) if ps.rate else np.zeros(shape)

    # Credits in the order of IL 67 kap. 2 §, each limited to the tax that is left.
    pension_fee_credit = np.minimum(pension_fee, local + state_tax)
    local_left = local - np.minimum(pension_fee_credit, local)
    state_left = state_tax - (pension_fee_credit - np.minimum(pension_fee_credit, local))

    ai = _floor_to(work, rd.work_income)
    jsa = np.minimum(job_tax_credit(rules, work, ga, ki), local_left)
    local_left = local_left - jsa

    sa_credit = np.minimum(_sa_credit(rules, ai, sa, ga, ki), local_left)
    local_left = local_left - sa_credit

    e = rules.earned_income_credit
    if e.amount:
        eic = np.minimum(e.amount, e.rate * np.maximum(0.0, bfi - e.threshold))
        eic = np.minimum(_floor_to(eic, rd.tax_credit), local_left)
        local_left = local_left - eic
    else:
        eic = np.zeros(shape)

    if any(rules.temporary_work_credit.base) or any(rules.temporary_work_credit.rate):
        tmp = _floor_to(np.maximum(0.0, _evaluate(rules.temporary_work_credit, ai)), rd.tax_credit)
        tmp = np.minimum(tmp, local_left + state_left)
    else:
        tmp = np.zeros(shape)

    credits = pension_fee_credit + jsa + sa_credit + eic + tmp
    stat = state_tax + pension_fee + public_service_fee - credits
    return IncomeTax(
        assessed_income=fi,
        basic_deduction=ga,
        taxable_income=bfi,
        kommun=kommun,
        region=region,
        state_tax=state_tax,
        pension_fee=pension_fee,
        public_service_fee=public_service_fee,
        pension_fee_credit=pension_fee_credit,
        job_tax_credit=jsa,
        sa_tax_credit=sa_credit,
        earned_income_credit=eic,
        temporary_work_credit=tmp,
        stat=stat,
        total=kommun + region + stat,
    )


#: The scalars of :func:`tax_parameters`, in order (the compiled income tax's ``p``, :mod:`simsam.kernels.tax`).
TAX_PARAMETERS = (
    "assessed_income_rounding", "basic_deduction_rounding", "work_income_rounding", "tax_credit_rounding",
    "state_tax_threshold", "state_tax_rate", "state_tax_upper_threshold", "state_tax_upper_rate",
    "pension_fee_rate", "pension_fee_ceiling", "pension_fee_floor", "pension_fee_rounding",
    "public_service_fee_rate", "public_service_fee_ceiling",
    "job_tax_credit_phase_out_rate", "job_tax_credit_phase_out_start",
    "sa_tax_credit", "sa_tax_credit_ga_deducted", "sa_tax_credit_floor_rate",
    "earned_income_credit_amount", "earned_income_credit_rate", "earned_income_credit_threshold",
    "temporary_work_credit",
)


def tax_parameters(rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The income year's law as the compiled income tax reads it: the same numbers :func:`income_tax` uses.

    Returns
    -------
    p : ndarray, shape ``(len(TAX_PARAMETERS),)``
        Kronor, shares and flags (1.0 / 0.0) in :data:`TAX_PARAMETERS` order; ceilings and floors in kronor
        (``ceiling_ibb · inkomstbasbelopp`` …, the products :func:`income_tax` forms).
    basic, job, sa, temporary : ndarray, shape ``(bracket, 3)``
        :func:`schedule_terms` of the grundavdrag, jobbskatteavdrag, SA-reduktion (in prisbasbelopp)
        and tillfällig skattereduktion (kronor) schedules.
    """
    pbb, ibb, rd = rules.prisbasbelopp, rules.inkomstbasbelopp, rules.rounding
    st, pf, ps, j, sa, e = (rules.state_tax, rules.pension_fee, rules.public_service_fee, rules.job_tax_credit,
                            rules.sa_tax_credit, rules.earned_income_credit)
    tw = rules.temporary_work_credit
    p = np.array([
        rd.assessed_income, rd.basic_deduction, rd.work_income, rd.tax_credit,
        st.threshold, st.rate, st.upper_threshold, st.upper_rate,
        pf.rate, pf.ceiling_ibb * ibb, pf.floor_pbb * pbb, pf.rounding,
        ps.rate, ps.ceiling_ibb * ibb,
        j.phase_out_rate, j.phase_out_start_pbb * pbb,
        float(bool(sa.exists)), float(bool(sa.ga_deducted)), sa.floor_rate,
        e.amount, e.rate, e.threshold,
        float(any(tw.base) or any(tw.rate)),
    ], dtype=np.float64)
    return (p, schedule_terms(rules.basic_deduction.schedule, pbb), schedule_terms(j.schedule, pbb),
            schedule_terms(sa.schedule, pbb), schedule_terms(tw, 1.0))

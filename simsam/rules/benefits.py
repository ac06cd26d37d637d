"""Benefits, wage subsidies, payroll tax and social assistance by rule, vectorised over draws.

Every amount may be an array of shape ``(draw,)`` (or any shape that broadcasts) or a scalar.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .model import Rules

__all__ = [
    "MONTHS_PER_YEAR",
    "activity_support_monthly",
    "development_allowance_monthly",
    "guarantee_compensation_monthly",
    "income_related_compensation_monthly",
    "payroll_tax_monthly",
    "sickness_benefit_monthly",
    "sickness_compensation_monthly",
    "social_assistance_norm",
    "social_assistance_top_up",
    "wage_subsidy_monthly",
]

MONTHS_PER_YEAR = 12


def guarantee_compensation_monthly(rules: Rules, age, path: str = "age"):
    """Garantiersättning (sjuk- och aktivitetsersättning at the guarantee level), full benefit.

    Parameters
    ----------
    rules : Rules
    age : array_like of int
        Age in the year (19-29: aktivitetsersättning, 30+: sjukersättning).
    path : str
        Key path named in the error for an age below the first band.

    Returns
    -------
    ndarray
        kr per month: ``factor(age) × prisbasbelopp / 12``, the factor by age band in pbb.
    """
    g = rules.guarantee_compensation
    age = np.asarray(age)
    if np.any(age < g.min_age[0]):
        raise ConfigError(path, f"sjuk- och aktivitetsersättning is paid from age {g.min_age[0]}; got {np.min(age)}")
    band = np.searchsorted(np.asarray(g.min_age), age, side="right") - 1
    return np.asarray(g.factor_pbb)[band] * rules.prisbasbelopp / MONTHS_PER_YEAR


def income_related_compensation_monthly(rules: Rules, assumed_income):
    """Inkomstrelaterad sjuk- och aktivitetsersättning: share × min(antagandeinkomst, cap), kr per month.

    Parameters
    ----------
    assumed_income : array_like
        Antagandeinkomst, kr per year.
    """
    g = rules.guarantee_compensation
    capped = np.minimum(np.asarray(assumed_income, dtype=float), g.income_cap_pbb * rules.prisbasbelopp)
    return g.income_related_share * capped / MONTHS_PER_YEAR


def sickness_compensation_monthly(rules: Rules, age, assumed_income=0.0, path: str = "age"):
    """Sjuk- or aktivitetsersättning, full benefit: the higher of the income-related level and
    the garantiersättning (the guarantee tops the income-related part up), kr per month."""
    return np.maximum(income_related_compensation_monthly(rules, assumed_income), guarantee_compensation_monthly(rules, age, path))


def sickness_benefit_monthly(rules: Rules, sgi):
    """Sjukpenning at the normal level (first 364 days) for a whole month, from an SGI.

    Parameters
    ----------
    sgi : array_like
        Sjukpenninggrundande inkomst, kr per year (before the cap).

    Returns
    -------
    ndarray
        kr per month: ``daily × days_per_year / 12`` where
        ``daily = round(min(SGI, cap · pbb) × 0,97 × 80 % / 365)``; zero when the SGI is below
        the floor (0,24 pbb).
    """
    s = rules.sickness_benefit
    pbb = rules.prisbasbelopp
    sgi = np.asarray(sgi, dtype=float)
    daily = np.minimum(sgi, s.sgi_cap_pbb * pbb) * s.sgi_factor * s.replacement_rate / s.days_per_year
    daily = np.round(daily / s.daily_rounding) * s.daily_rounding
    daily = np.where(sgi < s.sgi_floor_pbb * pbb, 0.0, daily)
    return daily * s.days_per_year / MONTHS_PER_YEAR


def activity_support_monthly(rules: Rules, daily_amount=None):
    """Aktivitetsstöd for a whole month of full-time participation, kr per month.

    Parameters
    ----------
    daily_amount : array_like, optional
        For a participant who meets the a-kassa conditions: the a-kassa-based daily amount,
        which is held within the year's lowest and highest daily amounts. ``None``: the
        participant does not meet them and gets the flat daily amount (223 kr).

    Returns
    -------
    ndarray
        ``daily × paid_days_per_month`` (paid five days a week), kr per month, taxable.
    """
    a = rules.activity_support
    if daily_amount is None:
        daily = np.asarray(a.daily_without_unemployment_insurance)
    else:
        daily = np.clip(
            np.asarray(daily_amount, dtype=float), a.daily_min_with_unemployment_insurance, a.daily_max_with_unemployment_insurance
        )
    return daily * a.paid_days_per_month


def development_allowance_monthly(rules: Rules, upper_secondary=True):
    """Utvecklingsersättning (tax-free, ages 18-24 without a-kassa conditions), kr per month.

    ``upper_secondary``: completed upper secondary school (or aged 20+) gives the higher daily amount.
    """
    a = rules.activity_support
    daily = np.where(np.asarray(upper_secondary, dtype=bool), a.development_daily_high, a.development_daily_low)
    return daily * a.paid_days_per_month


def wage_subsidy_monthly(rules: Rules, wage, subsidy_share, employment_rate=1.0, payroll_rate=None, ceiling: str = "lonebidrag"):
    """Wage subsidy on the wage cost up to the year's ceiling, kr per month.

    Parameters
    ----------
    wage : array_like
        Full-time gross monthly wage, kr per month.
    subsidy_share : array_like
        Share of the (capped) wage cost that is subsidised.
    employment_rate : array_like
        Tjänstgöringsgrad; the ceiling is pro rata for part time.
    payroll_rate : array_like, optional
        The employer's fees on the wage (default: the year's full arbetsgivaravgift).
    ceiling : {"lonebidrag", "nystartsjobb"}

    Returns
    -------
    ndarray
        ``subsidy_share × min(wage, ceiling) × employment_rate × (1 + payroll_rate)``.
    """
    caps = {"lonebidrag": rules.wage_subsidy.lonebidrag_ceiling, "nystartsjobb": rules.wage_subsidy.nystartsjobb_ceiling}
    if ceiling not in caps:
        raise ValueError(f"ceiling must be one of {sorted(caps)}, not {ceiling!r}")
    p = rules.payroll_tax.full_rate if payroll_rate is None else np.asarray(payroll_rate, dtype=float)
    capped = np.minimum(np.asarray(wage, dtype=float), caps[ceiling])
    return np.asarray(subsidy_share, dtype=float) * capped * np.asarray(employment_rate, dtype=float) * (1.0 + p)


def payroll_tax_monthly(rules: Rules, wage, age=None):
    """Arbetsgivaravgifter on a monthly gross wage, kr per month.

    Parameters
    ----------
    wage : array_like
        Gross wage paid in the month, kr per month.
    age : array_like of int, optional
        Age at the start of the year; reduced rates apply on their days of the year, up to their
        monthly ceiling (full rate above). ``None``: the full rate.

    Returns
    -------
    ndarray
        The year's average monthly fee: ``full · wage − Σ_segments weight · (full − rate) · min(wage, ceiling)``
        over the reduced segments that cover ``age``.
    """
    p = rules.payroll_tax
    wage = np.asarray(wage, dtype=float)
    fee = p.full_rate * wage
    if age is None:
        return fee
    age = np.asarray(age)
    for seg in p.segments:
        applies = (age >= seg.min_age) & (age <= seg.max_age)
        fee = fee - np.where(applies, seg.weight * (p.full_rate - seg.rate) * np.minimum(wage, seg.monthly_ceiling), 0.0)
    return fee


def social_assistance_norm(rules: Rules, housing_cost=0.0):
    """Försörjningsstöd norm for a single adult: riksnorm + reasonable housing cost, kr per month.

    ``housing_cost`` (kr per month) is set by the municipality; the data has examples only
    (``housing_cost_examples``).
    """
    return rules.social_assistance.riksnorm_single + np.asarray(housing_cost, dtype=float)


def social_assistance_top_up(norm, net_income, take_up, path: str = "benefits.social_assistance.take_up"):
    """Means-tested försörjningsstöd: ``max(0, norm − net_income) × take_up``, kr per month.

    Paid by the kommun and untaxed.

    Parameters
    ----------
    norm : array_like
        The household's norm (riksnorm plus reasonable costs), kr per month.
    net_income : array_like
        Net income after tax and every other benefit, kr per month.
    take_up : array_like
        Share of those entitled who receive it, in [0, 1].
    path : str
        Key path named in the error for a take-up outside [0, 1].

    Raises
    ------
    ConfigError
        When a take-up is outside [0, 1] or not a number.
    """
    t = np.asarray(take_up, dtype=float)
    if not np.all((t >= 0.0) & (t <= 1.0)):
        bad = t[~((t >= 0.0) & (t <= 1.0))].ravel()[0] if t.ndim else t
        raise ConfigError(path, f"take-up must be within [0, 1], got {float(bad):g}")
    return np.maximum(0.0, np.asarray(norm, dtype=float) - np.asarray(net_income, dtype=float)) * t

"""Swedish tax and benefit rules by income year, as data with sources, and the functions that apply them.

The rules live in ``simsam/rules/data/*.toml`` (each parameter a dated series with its legal or
statistical reference and a confidence grade); ``docs/rules.md`` describes them. This package
imports only the standard library, numpy and :mod:`simsam.errors`; the data is read on first
use.

>>> from simsam.rules import rules_for, income_tax
>>> r = rules_for(2024)
>>> t = income_tax(r, work_income=300_000, other_taxable=0, sa_income=0, municipal_rate=0.207, regional_rate=0.1167)
>>> round(float(t.total))  # doctest: +SKIP
"""

from __future__ import annotations

from .benefits import (
    MONTHS_PER_YEAR,
    activity_support_monthly,
    development_allowance_monthly,
    guarantee_compensation_monthly,
    income_related_compensation_monthly,
    payroll_tax_monthly,
    sickness_benefit_monthly,
    sickness_compensation_monthly,
    social_assistance_norm,
    social_assistance_top_up,
    wage_subsidy_monthly,
)
from .model import Rules, available_years, rules_for
from .prices import INDICES, index_value, index_years, restate
from .tax import IncomeTax, basic_deduction, income_tax, job_tax_credit

__all__ = [
    "INDICES",
    "MONTHS_PER_YEAR",
    "IncomeTax",
    "Rules",
    "activity_support_monthly",
    "available_years",
    "basic_deduction",
    "development_allowance_monthly",
    "guarantee_compensation_monthly",
    "income_related_compensation_monthly",
    "income_tax",
    "index_value",
    "index_years",
    "job_tax_credit",
    "payroll_tax_monthly",
    "restate",
    "rules_for",
    "sickness_benefit_monthly",
    "sickness_compensation_monthly",
    "social_assistance_norm",
    "social_assistance_top_up",
    "wage_subsidy_monthly",
]

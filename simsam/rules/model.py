"""One income year's rules as a frozen dataclass: :func:`rules_for`."""

from __future__ import annotations

import datetime as _dt
import functools
import numbers
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import ConfigError
from ._data import parameter, parameters, rule_years

__all__ = [
    "ActivitySupport",
    "BasicDeduction",
    "EarnedIncomeCredit",
    "GuaranteeCompensation",
    "JobTaxCredit",
    "PayrollSegment",
    "PayrollTax",
    "PensionFee",
    "PublicServiceFee",
    "Rounding",
    "Rules",
    "SATaxCredit",
    "Schedule",
    "SicknessBenefit",
    "SocialAssistance",
    "StateTax",
    "WageSubsidy",
    "available_years",
    "rules_for",
]


class Schedule(NamedTuple):
    """A piecewise-linear schedule: ``base[i] + rate[i] · (x − lower[i])`` for
    ``lower[i] < x ≤ lower[i+1]`` (``x ≤ lower[1]`` falls in the first bracket).

    ``lower`` and ``base`` are in the unit named by the owner (prisbasbelopp or kronor);
    ``rate`` is per krona.
    """

    lower: tuple[float, ...]
    base: tuple[float, ...]
    rate: tuple[float, ...]


class BasicDeduction(NamedTuple):
    """Grundavdrag, IL 63 kap. 3 § (``schedule`` in prisbasbelopp of fastställd förvärvsinkomst)."""

    schedule: Schedule
    age_limit: int


class JobTaxCredit(NamedTuple):
    """Jobbskatteavdrag, IL 67 kap. 7 § (``schedule`` in prisbasbelopp of arbetsinkomst)."""

    schedule: Schedule
    phase_out_start_pbb: float
    phase_out_rate: float


class SATaxCredit(NamedTuple):
    """Skattereduktion för sjuk- och aktivitetsersättning, IL 67 kap. 9 a-9 c §§.

    ``schedule`` in prisbasbelopp of the underlag; ``ga_deducted`` whether the grundavdrag is
    subtracted (from 2022); ``floor_rate`` the minimum share of the underlag (× KI). All zero
    before 2018.
    """

    schedule: Schedule
    ga_deducted: bool
    floor_rate: float

    @property
    def exists(self) -> bool:
        return any(self.schedule.rate) or any(self.schedule.base)


class EarnedIncomeCredit(NamedTuple):
    """Skattereduktion för förvärvsinkomster, IL 67 kap. 46-48 §§ (kr per year; zero before 2021)."""

    threshold: float
    rate: float
    amount: float


class StateTax(NamedTuple):
    """Statlig inkomstskatt, IL 65 kap. 5 § (thresholds on BFI, kr per year)."""

    threshold: float
    rate: float
    upper_threshold: float
    upper_rate: float


class PensionFee(NamedTuple):
    """Allmän pensionsavgift, lag (1994:1744); credited in full (IL 67 kap. 4 §)."""

    rate: float
    ceiling_ibb: float
    floor_pbb: float
    rounding: float


class PublicServiceFee(NamedTuple):
    """Public service-avgift, lag (2018:1893): ``rate`` of BFI with the underlag capped at ``ceiling_ibb`` ibb."""

    rate: float
    ceiling_ibb: float


class Rounding(NamedTuple):
    """Rounding steps in kronor: FI down, GA up, AI down, credits down (öretal faller bort)."""

    assessed_income: float
    basic_deduction: float
    work_income: float
    tax_credit: float


class PayrollSegment(NamedTuple):
    """A reduced payroll-tax rate for ages ``min_age..max_age`` (at the start of the year) on a
    share ``weight`` of the year's days, on pay up to ``monthly_ceiling`` (full rate above)."""

    weight: float
    min_age: int
    max_age: int
    rate: float
    monthly_ceiling: float


class PayrollTax(NamedTuple):
    """Arbetsgivaravgifter: the full rate and the year's reduced segments by age."""

    full_rate: float
    segments: tuple[PayrollSegment, ...]


class GuaranteeCompensation(NamedTuple):
    """Garantiersättning (sjuk- och aktivitetsersättning) by age band, and the income-related level."""

    min_age: tuple[int, ...]
    factor_pbb: tuple[float, ...]
    income_related_share: float
    income_cap_pbb: float


class SicknessBenefit(NamedTuple):
    """Sjukpenning: ``SGI_capped × sgi_factor × replacement_rate / days_per_year`` per calendar day
    (no SGI below ``sgi_floor_pbb`` prisbasbelopp)."""

    replacement_rate: float
    sgi_factor: float
    sgi_cap_pbb: float
    sgi_floor_pbb: float
    days_per_year: float
    daily_rounding: float


class ActivitySupport(NamedTuple):
    """Aktivitetsstöd and utvecklingsersättning daily amounts (kr per day)."""

    daily_without_unemployment_insurance: float
    daily_min_with_unemployment_insurance: float
    daily_max_with_unemployment_insurance: float
    development_daily_low: float
    development_daily_high: float
    paid_days_per_month: float


class SocialAssistance(NamedTuple):
    """Riksnorm for a single adult (kr per month): personliga + gemensamma hushållskostnader."""

    personal_single: float
    common_single: float

    @property
    def riksnorm_single(self) -> float:
        return self.personal_single + self.common_single


class WageSubsidy(NamedTuple):
    """Ceilings on the gross monthly wage (full time) that wage subsidies are computed on."""

    lonebidrag_ceiling: float
    nystartsjobb_ceiling: float


@dataclass(frozen=True)
class Rules:
    """The Swedish tax and benefit rules of one income year.

    Amounts in kronor (kr per year unless a field says per month or per day); rates as shares.
    Built by :func:`rules_for` from the data files; each field's source is in the data.
    """

    year: int
    prisbasbelopp: float
    forhojt_prisbasbelopp: float
    inkomstbasbelopp: float
    rounding: Rounding
    basic_deduction: BasicDeduction
    job_tax_credit: JobTaxCredit
    sa_tax_credit: SATaxCredit
    earned_income_credit: EarnedIncomeCredit
    temporary_work_credit: Schedule
    state_tax: StateTax
    pension_fee: PensionFee
    public_service_fee: PublicServiceFee
    local_tax_rate_total: float
    local_tax_rate_municipal: float
    payroll_tax: PayrollTax
    guarantee_compensation: GuaranteeCompensation
    sickness_benefit: SicknessBenefit
    activity_support: ActivitySupport
    social_assistance: SocialAssistance
    wage_subsidy: WageSubsidy

    @property
    def local_tax_rate_regional(self) -> float:
        """SCB's average regional rate (total − municipal)."""
        return self.local_tax_rate_total - self.local_tax_rate_municipal


def available_years() -> tuple[int, ...]:
    """Income years for which :func:`rules_for` has every rule."""
    return rule_years()


def _v(name: str, year: int):
    value = parameter(name).value(year)
    if value is None:
        raise ConfigError("economy.rules_year", f"the rules data has no {name} for {year}")
    return value


def _tuple(name: str, year: int) -> tuple[float, ...]:
    value = _v(name, year)
    return tuple(float(x) for x in (value if isinstance(value, tuple) else (value,)))


def _schedule(prefix: str, year: int, base: str = "base_pbb", lower: str = "lower_pbb") -> Schedule:
    lo, ra = _tuple(f"{prefix}.{lower}", year), _tuple(f"{prefix}.rate", year)
    ba = _tuple(f"{prefix}.{base}", year)
    if not (len(lo) == len(ba) == len(ra)):
        raise ConfigError("economy.rules_year", f"the rules data for {prefix} {year} has brackets of unequal length")
    return Schedule(lo, ba, ra)


def _payroll_segments(year: int) -> tuple[PayrollSegment, ...]:
    start, end = _dt.date(year, 1, 1), _dt.date(year + 1, 1, 1)
    days = (end - start).days
    out = []
    for p in parameter("payroll_tax.reduced").periods:
        lo, hi = max(p.start, start), min(p.end + _dt.timedelta(days=1), end)
        if lo < hi:
            f = p.fields
            out.append(
                PayrollSegment((hi - lo).days / days, int(f["min_age"]), int(f["max_age"]), float(f["rate"]), float(f["monthly_ceiling"]))
            )
    return tuple(out)


def rules_for(year: int) -> Rules:
    """The rules of income year ``year`` (built once per year, then cached).

    Parameters
    ----------
    year : int
        The income year (beskattningsår). An integer-valued float is accepted.

    Returns
    -------
    Rules

    Raises
    ------
    ConfigError
        At ``economy.rules_year`` when the year is outside the table, naming the years available.
    """
    years = available_years()
    if isinstance(year, bool) or not isinstance(year, numbers.Real) or int(year) != year or int(year) not in years:
        raise ConfigError(
            "economy.rules_year", f"no Swedish tax and benefit rules for {year!r}; the rules cover the income years {years[0]}-{years[-1]}"
        )
    return _build(int(year))


@functools.cache
def _build(year: int) -> Rules:
    parameters()  # read the data once
    return Rules(
        year=year,
        prisbasbelopp=float(_v("prisbasbelopp", year)),
        forhojt_prisbasbelopp=float(_v("forhojt_prisbasbelopp", year)),
        inkomstbasbelopp=float(_v("inkomstbasbelopp", year)),
        rounding=Rounding(*(float(_v(f"rounding.{k}", year)) for k in ("assessed_income", "basic_deduction", "work_income", "tax_credit"))),
        basic_deduction=BasicDeduction(_schedule("grundavdrag", year), int(_v("age_limit", year))),
        job_tax_credit=JobTaxCredit(
            _schedule("jobbskatteavdrag", year),
            float(_v("jobbskatteavdrag.phase_out_start_pbb", year)),
            float(_v("jobbskatteavdrag.phase_out_rate", year)),
        ),
        sa_tax_credit=SATaxCredit(
            _schedule("sa_credit", year), bool(_v("sa_credit.ga_deducted", year)), float(_v("sa_credit.floor_rate", year))
        ),
        earned_income_credit=EarnedIncomeCredit(*(float(_v(f"earned_income_credit.{k}", year)) for k in ("threshold", "rate", "amount"))),
        temporary_work_credit=_schedule("temporary_work_credit", year, base="base", lower="lower"),
        state_tax=StateTax(*(float(_v(f"state_tax.{k}", year)) for k in ("threshold", "rate", "upper_threshold", "upper_rate"))),
        pension_fee=PensionFee(*(float(_v(f"pension_fee.{k}", year)) for k in ("rate", "ceiling_ibb", "floor_pbb", "rounding"))),
        public_service_fee=PublicServiceFee(float(_v("public_service_fee.rate", year)), float(_v("public_service_fee.ceiling_ibb", year))),
        local_tax_rate_total=float(_v("local_tax_rate.total", year)),
        local_tax_rate_municipal=float(_v("local_tax_rate.municipal", year)),
        payroll_tax=PayrollTax(float(_v("payroll_tax.full_rate", year)), _payroll_segments(year)),
        guarantee_compensation=GuaranteeCompensation(
            tuple(int(a) for a in _tuple("guarantee_compensation.min_age", year)),
            _tuple("guarantee_compensation.factor_pbb", year),
            float(_v("income_related_compensation.share", year)),
            float(_v("income_related_compensation.cap_pbb", year)),
        ),
        sickness_benefit=SicknessBenefit(
            *(
                float(_v(f"sickness_benefit.{k}", year))
                for k in ("replacement_rate", "sgi_factor", "sgi_cap_pbb", "sgi_floor_pbb", "days_per_year", "daily_rounding")
            )
        ),
        activity_support=ActivitySupport(
            float(_v("activity_support.daily_without_unemployment_insurance", year)),
            float(_v("activity_support.daily_min_with_unemployment_insurance", year)),
            float(_v("activity_support.daily_max_with_unemployment_insurance", year)),
            float(_v("development_allowance.daily_low", year)),
            float(_v("development_allowance.daily_high", year)),
            float(_v("activity_support.paid_days_per_month", year)),
        ),
        social_assistance=SocialAssistance(float(_v("riksnorm.personal_single", year)), float(_v("riksnorm.common_single", year))),
        wage_subsidy=WageSubsidy(float(_v("wage_subsidy.lonebidrag_ceiling", year)), float(_v("wage_subsidy.nystartsjobb_ceiling", year))),
    )

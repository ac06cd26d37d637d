"""The compiled accounting against its NumPy twin, bit for bit.

:mod:`simsam.kernels.tax` is the twin of :func:`simsam.rules.income_tax` (every rules year, random incomes with
zeros and whole hundreds, with and without sjuk- och aktivitetsersättning); :func:`simsam.engine.booking.relative_flows`
is the twin of ``attributable(config, sample, flow_table(config, sample))`` on every shipped config, its
scenarios and groups, the test configs, and variants that reach every branch of the bookings (flat tax with a
top-up, payroll tax by age, the nystartsjobb ceiling, no ceiling, the counterfactual, price levels, every year's law).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import simsam
from simsam.config import override
from simsam.engine import booking
from simsam.engine.accounting import attributable, flow_table
from simsam.engine.inputs import relative_flows, with_society
from simsam.engine.sampling import ParameterSpace, Sample
from simsam.kernels.booking import BLOCK
from simsam.kernels.tax import SCRATCH_ROWS, monthly_tax_block
from simsam.rules import income_tax, rules_for
from simsam.rules.tax import TAX_PARAMETERS, tax_parameters

ROOT = Path(__file__).parents[1]
YEARS = range(2014, 2027)
CONFIGS = sorted((ROOT / "configs").glob("*.toml")) + [ROOT / "experiments" / "data" / "samverkansteamet_groups.toml"] + [
    ROOT / "tests" / "data" / n for n in ("engine.toml", "hand.toml", "minimal.toml", "project_timing.toml", "sweden.toml")
]


def _incomes(rng, n: int, sa: bool):
    """Monthly incomes with zeros, whole hundreds and values across every bracket of the law."""
    work = rng.choice([0.0, 1.0], n) * rng.uniform(0, 90_000, n)
    work[: n // 10] = np.round(work[: n // 10], -2)
    other = rng.choice([0.0, 1.0], n) * rng.uniform(0, 30_000, n)
    comp = rng.choice([0.0, 1.0], n) * rng.uniform(0, 25_000, n) if sa else np.zeros(n)
    return work, other, comp, rng.uniform(0.17, 0.25, n), rng.uniform(0.10, 0.13, n)


def _compiled(p, terms, work, other, comp, m, r) -> np.ndarray:
    """:func:`simsam.kernels.tax.monthly_tax_block` of everyone at once, ``(4, n)``."""
    n = work.shape[0]
    out = np.empty((4, n))
    monthly_tax_block(p, *terms, work, other, comp, m, r, bool(np.any(comp)), n, np.empty((SCRATCH_ROWS, n)), out)
    return out


def _numpy_monthly(rules, work, other, comp, m, r) -> np.ndarray:
    t = income_tax(rules, work * 12, other * 12, comp * 12, m, r)
    return np.stack([t.kommun / 12, t.region / 12, t.stat / 12, t.total / 12])


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("sa", [False, True])
def test_compiled_income_tax_is_the_laws_to_the_bit(year, sa):
    """The compiled tax of a block gives NumPy's kommun, region, stat and total."""
    rules = rules_for(year)
    p, *terms = tax_parameters(rules)
    assert p.shape == (len(TAX_PARAMETERS),)
    rng = np.random.default_rng(year * 2 + sa)
    n = 2_000
    work, other, comp, m, r = _incomes(rng, n, sa)
    expected = _numpy_monthly(rules, work, other, comp, m, r)
    block = _compiled(p, terms, work, other, comp, m, r)
    assert block.tobytes() == expected.tobytes()


def test_compiled_income_tax_of_a_hand_case():
    """2016, 20 000 kr a month of wage, Samverkansteamet's rates: the law's numbers written out, so the compiled
    tax is not merely equal to NumPy's."""
    rules = rules_for(2016)
    p, *terms = tax_parameters(rules)
    out = _compiled(p, terms, np.array([20_000.0]), np.zeros(1), np.zeros(1), np.array([0.216]), np.array([0.1148]))
    # FI 240 000; GA = 0.77·44 300 − 0.10·(240 000 − 3.11·44 300) → 34 111 − 10 223 = 23 888 → 23 900; BFI 216 100.
    bfi = 216_100
    assert out[0, 0] * 12 == pytest.approx(0.216 * bfi)
    assert out[1, 0] * 12 == pytest.approx(0.1148 * bfi)
    # Pension fee 7 % of 240 000 = 16 800, fully credited; jobbskatteavdrag 2016, IL 67:7 (ai 2.94–8.08 pbb):
    # (1.584·44 300 + 0.111·(240 000 − 2.94·44 300) − 23 900)·KI = (70 171.2 + 12 183.1 − 23 900)·0.3308 → 19 336.
    jsa = np.floor((1.584 * 44_300 + 0.111 * (240_000 - 2.94 * 44_300) - 23_900) * (0.216 + 0.1148))
    assert jsa == 19_336
    assert out[2, 0] * 12 == pytest.approx(16_800 - 16_800 - jsa)  # stat: fee − its credit − jobbskatteavdrag
    assert out[3, 0] * 12 == pytest.approx(0.216 * bfi + 0.1148 * bfi - jsa)


def _sample(cfg, n: int, seed: int = 7) -> Sample:
    space = ParameterSpace.from_config(cfg)
    return Sample(space, space.sample(seed, np.arange(n, dtype=np.int64)))


def _check(cfg, n: int = 1_000, seed: int = 7) -> None:
    sample = _sample(cfg, n, seed)
    for c in [cfg] + [cfg.for_group(g.id) for g in cfg.groups.values() if g.own]:
        expected = attributable(c, sample, flow_table(c, sample))
        got = booking.relative_flows(c, sample)
        assert got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_compiled_bookings_are_flow_tables_to_the_bit(path):
    cfg = simsam.load_config(path)
    _check(cfg)
    for scenario in cfg.scenarios.values():
        _check(scenario.config)


@pytest.mark.parametrize("n", [1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5])
def test_compiled_bookings_of_any_block_size(n):
    _check(simsam.load_config(ROOT / "configs" / "samverkansteamet.toml"), n=n, seed=n)


SWEDEN = ROOT / "tests" / "data" / "sweden.toml"
VARIANTS = {
    "every_year": [{"economy": {"rules_year": y}} for y in YEARS],
    "payroll_by_age": [{"economy": {"rules_year": y, "age": a}} for y, a in ((2016, 24), (2019, 20), (2023, 67))],
    "nystartsjobb": [{"outcomes": {"states": {"work": {"wage_subsidy": 0.4, "subsidy_payer": "af", "subsidy_ceiling": "nystartsjobb"}}}}],
    "no_ceiling": [{"outcomes": {"states": {"work": {"wage_subsidy": 0.4, "subsidy_payer": "af", "subsidy_ceiling": "none"}}}}],
    "flat_with_top_up": [{"economy": {"tax_rules": "flat"}}],
    "counterfactual": [{"counterfactual": {"deadweight": 0.2, "attribution": 0.7, "displacement": 0.3}}],
    "price_level": [{"meta": {"price_level": 2020}}],
}


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_compiled_bookings_of_every_branch(variant):
    base = simsam.load_config(SWEDEN)
    for table in VARIANTS[variant]:
        try:
            cfg = override(base, table)
        except simsam.ConfigError as exc:  # a variant the config language refuses would test nothing
            pytest.fail(f"{variant}: {exc}")
        _check(cfg)


def test_engine_books_with_the_compiled_accounting():
    """The kernel's inputs come from the compiled bookings (society appended), sliced over threads or not."""
    cfg = simsam.load_config(ROOT / "configs" / "samverkansteamet.toml")
    sample = _sample(cfg, 9_000)
    expected = with_society(attributable(cfg, sample, flow_table(cfg, sample)), axis=2)
    assert relative_flows(cfg, sample).tobytes() == expected.tobytes()

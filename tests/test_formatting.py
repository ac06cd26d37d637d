"""Swedish and English number formats of the report (exact strings)."""

from __future__ import annotations

import math

import pytest

from simsam.report.describe import describe_value, parameter_label
from simsam.report.formatting import MINUS, Formatter

SV = Formatter("sv")
EN = Formatter("en")


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: SV.kr(1234567), "1 234 567 kr"),
        (lambda: SV.mkr(2.6e6), "2,6 mkr"),
        (lambda: SV.pct(0.834), "83 %"),
        (lambda: SV.mkr(-4.8e6), f"{MINUS}4,8 mkr"),
        (lambda: SV.mkr(13.2e6), "13,2 mkr"),
        (lambda: SV.mkr(770_000), "0,77 mkr"),
        (lambda: SV.kr(-25), f"{MINUS}25 kr"),
        (lambda: SV.pct(0.0553), "5,5 %"),
        (lambda: SV.prob(0.93), "0,93"),
        (lambda: SV.prob(0.9996), "> 0,99"),
        (lambda: SV.prob(0.0004), "< 0,01"),
        (lambda: SV.prob(1.0), "1,00"),
        (lambda: SV.prob(0.0), "0,00"),
        (lambda: SV.months(34, 60), "34 mån"),
        (lambda: SV.months(math.nan, 60), "ej inom 60 mån"),
        (lambda: SV.month_interval(20, 58, 60), "20–58 mån"),
        (lambda: SV.month_interval(20, math.nan, 60), "20 – över 60 mån"),
        (lambda: SV.interval(1.46e6, 4.59e6, SV.mkr), "1,5–4,6 mkr"),
        (lambda: SV.interval(-0.66e6, 15.18e6, SV.mkr), f"{MINUS}0,7 till 15,2 mkr"),
        (lambda: SV.number(0.0004, 2), "0,00"),  # no "−0,00"
        (lambda: SV.significant(18696), "18 700"),
        (lambda: SV.significant(0.665), "0,665"),
        (lambda: EN.kr(1234567), "1,234,567 kr"),
        (lambda: EN.mkr(2.6e6), "2.6 Mkr"),
        (lambda: EN.pct(0.834), "83%"),
        (lambda: EN.prob(0.93), "0.93"),
        (lambda: EN.months(math.nan, 60), "not within 60 months"),
        (lambda: EN.interval(-0.66e6, 15.18e6, EN.mkr), f"{MINUS}0.7 to 15.2 Mkr"),
    ],
)
def test_numbers_are_written_in_swedish_and_english_style(call, expected):
    assert call() == expected


def test_no_break_space_in_html():
    f = Formatter("sv", space="\u00a0")
    assert f.kr(1234567) == "1\u00a0234\u00a0567\u00a0kr"
    assert f.mkr(2.6e6) == "2,6\u00a0mkr"
    assert f.pct(0.834) == "83\u00a0%"


def test_missing_values_are_a_dash():
    for text in (SV.kr(math.nan), SV.mkr(None), SV.pct(math.inf), SV.prob(math.nan)):
        assert text == "–"


def test_language_is_checked():
    with pytest.raises(ValueError, match="lang must be one of"):
        Formatter("de")


@pytest.mark.parametrize(
    "spec, path, sv, en",
    [
        (
            {"dist": "pert", "min": 5.5e6, "mode": 6.0e6, "max": 7.0e6},
            "project.cost",
            "PERT mellan 5,5 och 7,0 mkr, troligast 6,0 mkr",
            "PERT between 5.5 and 7.0 Mkr, most likely 6.0 Mkr",
        ),
        (
            {"dist": "uniform", "low": 7750, "high": 8680},
            "benefits.activity_compensation.monthly",
            "likformig mellan 7 750 och 8 680 kr per månad",
            "uniform between 7,750 and 8,680 kr per month",
        ),
        (
            {"dist": "beta", "mean": 0.75, "sd": 0.08},
            "outcomes.states.work.employment_rate",
            "betafördelning med medelvärde 75 % och standardavvikelse 8 %",
            "beta with mean 75% and standard deviation 8%",
        ),
        (
            {"dist": "triangular", "low": -0.4, "mode": -0.2, "high": 0.0},
            "outcomes.states.work.resource_change",
            f"triangelfördelning mellan {MINUS}40 och 0 %, troligast {MINUS}20 %",
            f"triangular between {MINUS}40 and 0%, most likely {MINUS}20%",
        ),
        (
            {"dist": "normal", "mean": 9000, "sd": 800, "low": 0},
            "benefits.social_assistance.monthly",
            "normalfördelning med medelvärde 9 000 kr per månad och standardavvikelse 800 kr, aldrig under 0 kr",
            "normal with mean 9,000 kr per month and standard deviation 800 kr, never below 0 kr",
        ),
        (1.25, "economy.uplift", "1,25 (fast värde)", "1.25 (fixed)"),
        (
            {"dist": "dirichlet", "counts": {"work": 20, "improved": 35}, "prior": 1.0},
            "outcomes.shares",
            "Dirichlet från observerade antal: ”Work” 20, ”Improved” 35, plus 1 a priori per utfall",
            "Dirichlet from observed counts: “Work” 20, “Improved” 35, plus a prior of 1 per outcome",
        ),
    ],
)
def test_distributions_in_words(spec, path, sv, en):
    assert describe_value(spec, path, {}, SV) == sv
    assert describe_value(spec, path, {}, EN) == en


def test_parameter_labels_use_the_config_labels():
    config = {"benefits": {"social_assistance": {"label": "Försörjningsstöd"}},
              "resources": {"case_handling_fk": {"label": "Handläggning, Försäkringskassan", "unit": "timme"}},
              "outcomes": {"states": {"work": {"label": "Arbete"}, "improved": {"label": "Mår bättre"}}}}
    assert parameter_label("benefits.social_assistance.monthly", config, "sv") == "Försörjningsstöd per månad"
    assert parameter_label("resources.case_handling_fk.unit_cost", config, "sv") == "Handläggning, Försäkringskassan: kostnad per timme"
    assert parameter_label("resources.case_handling_fk.unit_cost", config, "en") == "Case handling FK: cost per hour"
    assert parameter_label("transitions.work.improved", config, "sv") == "Övergång från ”Arbete” till ”Mår bättre”"
    assert parameter_label("outcomes.states.work.employment_rate", config, "sv") == "Arbete: tjänstgöringsgrad"
    assert parameter_label("some.unknown.path", config, "sv") == "some.unknown.path"

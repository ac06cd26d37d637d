"""Bad input: one ``ConfigError`` naming the key path (API), exit code 2 and one line (CLI).

Every case edits tests/data/minimal.toml or its base tests/data/base.toml (see
``make_config`` in conftest.py) and states the message it expects: the key path
first, then the problem. Each runs twice: through ``simsam.load_config`` and
through ``simsam run`` in-process, which must fail at load time with exit code
2, one ``error:`` line, no traceback and no output folder.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import simsam
from simsam.cli import main

# Lines of tests/data/minimal.toml that the cases edit.
COST = 'cost = { dist = "pert", min = 5.5e6, mode = 6.0e6, max = 7.0e6 }'
SPLIT = "cost_split = { kommun = 0.25, region = 0.25, fk = 0.25, af = 0.25 }"
BEFORE_INCOME = "income = { social_assistance = 0.5, sickness_benefit = 0.375, activity_support = 0.125 }"
BEFORE_RES = "resources = { primary_care_visit = 1.0, case_handling = 2 }"
SHARES = 'shares = { dist = "dirichlet", counts = { work = 20, improved = 35, not_improved = 26 }, prior = 1.0 }'
EMP = 'employment_rate = { dist = "beta", mean = 0.75, sd = 0.08 }'
SUBSIDY = 'wage_subsidy = { dist = "uniform", low = 0.4, high = 0.6 }'
CHANGE = "resource_change = -0.2"
IMPROVED_INCOME = "income = { activity_support = 1.0 }"
WORK_ROW = "work = { improved = 0.01 }"
EXTENDS = 'extends = "base.toml"'
ACTORS = "\n".join(
    [
        "[actors]",
        'kommun = "Kommun"',
        'region = "Region"',
        'fk = "Försäkringskassan"',
        'af = "Arbetsförmedlingen"',
        'stat = "Staten"',
        'individ = "Individen"',
        'arbetsgivare = "Arbetsgivare"',
    ]
)

BASE = "base.toml"


def M(old, new):
    """Edit of minimal.toml."""
    return ("main", old, new)


def B(old, new):
    """Edit of base.toml."""
    return ("base", old, new)


def APPEND(text):
    return ("main", None, text)


def P(path: str, problem: str) -> str:
    """Regex: the message starts with the key path, then the problem (a regex)."""
    return "^" + re.escape(path) + ": " + problem


def E(text: str) -> str:
    """A literal piece of a message as a regex."""
    return re.escape(text)


def case(id, edits, regex, source=None):
    return pytest.param(edits, regex, source, id=id)


CASES = [
    # --- unknown keys, with the nearest valid one suggested -----------------------------------
    case("unknown-key-state", [M(EMP, EMP.replace("employment_rate", "employment_rat"))],
         P("outcomes.states.work.employment_rat", E("unknown key 'employment_rat' (did you mean 'employment_rate'?)") + "$")),
    case("unknown-key-misspelt-required", [B("wage = 26000", "wag = 26000")],
         P("economy.wag", E("unknown key 'wag' (did you mean 'wage'?) (in base.toml)") + "$"), BASE),
    case("unknown-key-benefit", [B("monthly = 14000", "monthy = 14000")],
         P("benefits.sickness_benefit.monthy", E("unknown key 'monthy' (did you mean 'monthly'?)")), BASE),
    case("unknown-key-project", [M("participants = 81", "participants = 81\nparticipant = 81")],
         P("project.participant", E("unknown key 'participant' (did you mean 'participants'?)"))),
    case("unknown-key-no-suggestion", [M("participants = 81", "participants = 81\nzzz = 1")],
         P("project.zzz", E("unknown key 'zzz'; expected one of: participants, cost, cost_split"))),
    case("unknown-section", [APPEND("\n[simulaton]\ndraws = 10\n")],
         P("simulaton", E("unknown section 'simulaton' (did you mean 'simulation'?)"))),
    case("unknown-section-misspelt-required", [M("[project]", "[projekt]")],
         P("projekt", E("unknown section 'projekt' (did you mean 'project'?)"))),
    case("unknown-dist-parameter", [M(EMP, EMP.replace("sd =", "sdd ="))],
         P("outcomes.states.work.employment_rate.sdd", E("unknown beta parameter 'sdd' (did you mean 'sd'?)"))),
    case("unknown-dist", [M(EMP, EMP.replace('"beta"', '"betta"'))],
         P("outcomes.states.work.employment_rate.dist", E("unknown distribution 'betta' (did you mean 'beta'?)"))),
    case("unknown-dist-no-suggestion", [M(EMP, EMP.replace('"beta"', '"weibull"'))],
         P("outcomes.states.work.employment_rate.dist",
           E("unknown distribution 'weibull'; expected one of: uniform, triangular, pert, normal, lognormal, beta, gamma, dirichlet"))),
    case("dist-not-a-string", [M(EMP, EMP.replace('"beta"', "3"))],
         P("outcomes.states.work.employment_rate.dist", E("must be the name of a distribution, not an integer"))),
    case("unknown-dirichlet-key", [M(SHARES, SHARES.replace("prior", "priors"))],
         P("outcomes.shares.priors", E("unknown dirichlet key 'priors' (did you mean 'prior'?)"))),
    case("unknown-value", [APPEND('\n[simulation]\ncohort = "sample"\n')],
         P("simulation.cohort", E("unknown value 'sample' (did you mean 'sampled'?)"))),
    # --- wrong types, NaN and infinity ------------------------------------------------------------
    case("integer-as-string", [M("participants = 81", 'participants = "81"')],
         P("project.participants", E("must be a whole number, not a string"))),
    case("integer-fraction", [M("participants = 81", "participants = 81.5")],
         P("project.participants", E("must be a whole number, not 81.5"))),
    case("integer-boolean", [M("participants = 81", "participants = true")],
         P("project.participants", E("must be a whole number, not a boolean"))),
    case("integer-inf", [M("participants = 81", "participants = inf")],
         P("project.participants", E("must be a whole number, not inf"))),
    case("integer-nan", [M("participants = 81", "participants = nan")],
         P("project.participants", E("must be a whole number, not nan"))),
    case("number-boolean", [B("uplift = 1.25", "uplift = true")],
         P("economy.uplift", E("must be a number, not a boolean")), BASE),
    case("number-array", [B("wage = 26000", "wage = [26000]")],
         P("economy.wage", E("must be a number, not an array")), BASE),
    case("number-nan", [B("uplift = 1.25", "uplift = nan")],
         P("economy.uplift", E("must be finite, not nan")), BASE),
    case("share-inf", [M(SPLIT, SPLIT.replace("af = 0.25", "af = inf"))],
         P("project.cost_split.af", E("must be finite, not inf"))),
    case("dist-parameter-boolean", [M(SUBSIDY, SUBSIDY.replace("low = 0.4", "low = true"))],
         P("outcomes.states.work.wage_subsidy.low", E("must be a number, not a boolean"))),
    case("dist-parameter-string", [M(EMP, EMP.replace("mean = 0.75", 'mean = "0.75"'))],
         P("outcomes.states.work.employment_rate.mean", E("must be a number, not a string"))),
    case("dist-parameter-nan", [M(EMP, EMP.replace("mean = 0.75", "mean = nan"))],
         P("outcomes.states.work.employment_rate.mean", E("must be finite, not nan"))),
    case("dist-parameter-minus-inf", [M(COST, COST.replace("max = 7.0e6", "max = -inf"))],
         P("project.cost.max", E("must be finite, not -inf"))),
    case("fixed-share-boolean", [M(SHARES, "shares = { work = true, improved = 0.5, not_improved = 0.5 }")],
         P("outcomes.shares.work", E("must be a number, not a boolean"))),
    case("count-boolean", [M(SHARES, SHARES.replace("work = 20", "work = true"))],
         P("outcomes.shares.counts.work", E("must be a number, not a boolean"))),
    case("string-for-shares", [M(BEFORE_INCOME, 'income = "social_assistance"')],
         P("before.income", E("must be a table of shares, not a string"))),
    case("string-for-table", [M(BEFORE_RES, 'resources = "primary_care_visit"')],
         P("before.resources", E("must be a table, not a string"))),
    case("string-for-section", [M(EXTENDS, EXTENDS + '\nmeta = "about"')],
         P("meta", E("must be a table, not a string"))),
    case("number-for-transition-row", [M(WORK_ROW, "work = 0.01")],
         P("transitions.work", E("must be a table, not a number"))),
    case("table-without-dist", [M(EMP, "employment_rate = { mean = 0.75 }")],
         P("outcomes.states.work.employment_rate", E("a table here must be a distribution with a 'dist' key"))),
    case("actor-label-not-string", [B('kommun = "Kommun"', "kommun = 1")],
         P("actors.kommun", E("must be a string, not an integer")), BASE),
    case("boolean-as-string", [B("taxable = false", 'taxable = "no"')],
         P("benefits.social_assistance.taxable", E("must be true or false, not a string")), BASE),
    case("payer-number", [B('payer = "region"', "payer = 1")],
         P("resources.primary_care_visit.payer", E("must be an actor or a table of shares by actor, not an integer")), BASE),
    case("extends-number", [M(EXTENDS, "extends = 5")],
         P("extends", E("must be a file path or a list of file paths") + "$")),
    # --- shares --------------------------------------------------------------------------------------
    case("fixed-shares-sum-0.9", [M(SHARES, "shares = { work = 0.3, improved = 0.3, not_improved = 0.3 }")],
         P("outcomes.shares", E("shares sum to 0.9, not 1"))),
    case("shares-empty", [M(SHARES, "shares = {}")],
         P("outcomes.shares", E("is empty: give the share of each state, summing to 1"))),
    case("shares-missing", [M(SHARES + "\n", "")], P("outcomes.shares", E("missing"))),
    case("share-as-distribution",
         [M(SHARES, 'shares = { work = { dist = "uniform", low = 0.2, high = 0.3 }, improved = 0.45, not_improved = 0.3 }')],
         P("outcomes.shares.work", E('shares here are fixed numbers; for uncertain shares give the table dist = "dirichlet"'))),
    case("share-above-1", [M(SHARES, "shares = { work = 1.5, improved = -0.5 }")],
         P("outcomes.shares.work", E("1.5 is out of range (must be between 0 and 1)"))),
    case("cost-split-sum-0.9", [M(SPLIT, SPLIT.replace("af = 0.25", "af = 0.15"))],
         P("project.cost_split", E("shares sum to 0.9, not 1"))),
    case("cost-split-empty", [M(SPLIT, "cost_split = {}")],
         P("project.cost_split", E("is empty: name an actor, or give shares by actor that sum to 1"))),
    case("payer-split-sum-0.9", [B("af = 0.25 }", "af = 0.15 }")],
         P("resources.case_handling.payer", E("shares sum to 0.9, not 1 (in base.toml)")), BASE),
    case("income-mix-above-1", [M(BEFORE_INCOME, BEFORE_INCOME.replace("0.125", "0.225"))],
         P("before.income", E("shares sum to 1.1, more than 1"))),
    case("income-share-above-1", [M(IMPROVED_INCOME, "income = { activity_support = 1.2 }")],
         P("outcomes.states.improved.income.activity_support", E("1.2 is out of range (must be between 0 and 1)"))),
    case("income-mix-uncertain-can-exceed-1",
         [M(BEFORE_INCOME, 'income = { social_assistance = 0.5, sickness_benefit = { dist = "uniform", low = 0.3, high = 0.6 } }')],
         P("before.income", E("shares can sum to 1.1 (at their 99.9999 % quantiles), more than 1"))),
    # --- negative amounts and values outside their range ----------------------------------------------
    case("negative-benefit", [B('monthly = 9000\npayer = "kommun"', 'monthly = -9000\npayer = "kommun"')],
         P("benefits.social_assistance.monthly", E("-9000 is negative (must be ≥ 0) (in base.toml)") + "$"), BASE),
    case("negative-wage", [B("wage = 26000", "wage = -26000")],
         P("economy.wage", E("-26000 is negative (must be ≥ 0)")), BASE),
    case("negative-unit-cost", [B("unit_cost = 500", "unit_cost = -500")],
         P("resources.case_handling.unit_cost", E("-500 is negative (must be ≥ 0)")), BASE),
    case("negative-quantity", [M(BEFORE_RES, BEFORE_RES.replace("case_handling = 2", "case_handling = -2"))],
         P("before.resources.case_handling", E("-2 is negative (must be ≥ 0)"))),
    case("negative-cost-support", [M(COST, COST.replace("min = 5.5e6", "min = -5.5e6"))],
         P("project.cost", E("pert(min -5.5e+06, mode 6e+06, max 7e+06) takes values in [-5.5e+06, 7e+06], but this must be ≥ 0"))),
    case("resource-change-below-minus-1", [M(CHANGE, "resource_change = -1.5")],
         P("outcomes.states.work.resource_change", E("-1.5 is out of range (must be ≥ -1)"))),
    case("participants-zero", [M("participants = 81", "participants = 0")],
         P("project.participants", E("must be at least 1, not 0"))),
    case("probability-above-1", [M(WORK_ROW, "work = { improved = 1.5 }")],
         P("transitions.work.improved", E("1.5 is out of range (must be between 0 and 1)"))),
    case("discount-rate-minus-1", [APPEND("\n[simulation]\ndiscount_rate = -1\n")],
         P("simulation.discount_rate", E("-1 is out of range (must be > -1)"))),
    case("tax-rate-above-1", [B("kommun = 0.2097", "kommun = 20.97")],
         P("economy.income_tax.kommun", E("20.97 is out of range (must be between 0 and 1)")), BASE),
    # --- unknown actors, benefits, resources, states ----------------------------------------------------
    case("unknown-actor-cost-split", [M(SPLIT, SPLIT.replace("af = 0.25", "afx = 0.25"))],
         P("project.cost_split.afx", E("unknown actor 'afx' (did you mean 'af'?)"))),
    case("unknown-actor-payer", [B('payer = "region"', 'payer = "regin"')],
         P("resources.primary_care_visit.payer", E("unknown actor 'regin' (did you mean 'region'?)")), BASE),
    case("unknown-actor-payer-split", [B("{ kommun = 0.5,", "{ komun = 0.5,")],
         P("resources.case_handling.payer.komun", E("unknown actor 'komun' (did you mean 'kommun'?)")), BASE),
    case("unknown-actor-benefit-payer", [B('monthly = 14000\npayer = "fk"', 'monthly = 14000\npayer = "fkk"')],
         P("benefits.sickness_benefit.payer", E("unknown actor 'fkk' (did you mean 'fk'?)")), BASE),
    case("unknown-actor-income-tax", [B("income_tax = { kommun", "income_tax = { kommunen")],
         P("economy.income_tax.kommunen", E("unknown actor 'kommunen' (did you mean 'kommun'?)")), BASE),
    case("unknown-actor-payroll-tax-to", [B('payroll_tax_to = "stat"', 'payroll_tax_to = "staten"')],
         P("economy.payroll_tax_to", E("unknown actor 'staten' (did you mean 'stat'?)")), BASE),
    case("unknown-actor-subsidy-payer", [M('subsidy_payer = "af"', 'subsidy_payer = "ams"')],
         P("outcomes.states.work.subsidy_payer",
           E("unknown actor 'ams'; expected one of: kommun, region, fk, af, stat, individ, arbetsgivare"))),
    case("unknown-benefit-state-income", [M(IMPROVED_INCOME, "income = { activity_suport = 1.0 }")],
         P("outcomes.states.improved.income.activity_suport", E("unknown benefit 'activity_suport' (did you mean 'activity_support'?)"))),
    case("unknown-benefit-before-income", [M(BEFORE_INCOME, BEFORE_INCOME.replace("social_assistance", "social_asistance"))],
         P("before.income.social_asistance", E("unknown benefit 'social_asistance' (did you mean 'social_assistance'?)"))),
    case("unknown-resource-before", [M(BEFORE_RES, BEFORE_RES.replace("case_handling", "case_handlin"))],
         P("before.resources.case_handlin", E("unknown resource 'case_handlin' (did you mean 'case_handling'?)"))),
    case("unknown-resource-change", [M(CHANGE, "resource_change = { primary_care = -0.2 }")],
         P("outcomes.states.work.resource_change.primary_care", E("unknown resource 'primary_care' (did you mean 'primary_care_visit'?)"))),
    case("resource-change-not-before",
         [M(BEFORE_RES, "resources = { primary_care_visit = 1.0 }"), M(CHANGE, "resource_change = { case_handling = -0.2 }")],
         P("outcomes.states.work.resource_change.case_handling",
           E("resource 'case_handling' is not in before.resources, so there is nothing to change"))),
    case("unknown-state-counts", [M(SHARES, SHARES.replace("work = 20", "wrk = 20"))],
         P("outcomes.shares.counts.wrk", E("unknown state 'wrk' (did you mean 'work'?)"))),
    case("unknown-state-fixed-shares", [M(SHARES, "shares = { work = 0.5, improvd = 0.5 }")],
         P("outcomes.shares.improvd", E("unknown state 'improvd' (did you mean 'improved'?)"))),
    case("unknown-state-transition-from", [M(WORK_ROW, "wok = { improved = 0.01 }")],
         P("transitions.wok", E("unknown state 'wok' (did you mean 'work'?)"))),
    case("unknown-state-transition-to", [M(WORK_ROW, "work = { improvd = 0.01 }")],
         P("transitions.work.improvd", E("unknown state 'improvd' (did you mean 'improved'?)"))),
    case("self-transition", [M(WORK_ROW, "work = { work = 0.01 }")],
         P("transitions.work.work", E("a state cannot move to itself; the probability of staying is what is left"))),
    case("transition-row-above-1", [M(WORK_ROW, "work = { improved = 0.6, not_improved = 0.6 }")],
         P("transitions.work", E("outgoing probabilities sum to 1.2, more than 1"))),
    case("transition-row-can-exceed-1",
         [M(WORK_ROW, 'work = { improved = 0.5, not_improved = { dist = "uniform", low = 0.4, high = 0.6 } }')],
         P("transitions.work", E("outgoing probabilities can sum to 1.1 (at their 99.9999 % quantiles), more than 1"))),
    case("society-as-actor", [B('arbetsgivare = "Arbetsgivare"', 'arbetsgivare = "Arbetsgivare"\nsociety = "Samhället"')],
         P("actors.society", E("'society' is the sum over all actors and cannot be an actor")), BASE),
    case("no-actors", [B(ACTORS, "[actors]")], P("actors", E('no actors: list them as id = "label" (in base.toml)')), BASE),
    case("subsidy-without-payer", [M('subsidy_payer = "af"\n', "")],
         P("outcomes.states.work.subsidy_payer", E("missing: a state with a wage subsidy must name the actor that pays it"))),
    case("missing-key", [M("participants = 81\n", "")], P("project.participants", "missing$")),
    # --- impossible distributions ------------------------------------------------------------------------
    case("uniform-low-above-high", [M(SUBSIDY, SUBSIDY.replace("low = 0.4, high = 0.6", "low = 0.6, high = 0.4"))],
         P("outcomes.states.work.wage_subsidy", E("uniform low 0.6 must be below high 0.4"))),
    case("uniform-low-equals-high", [M(SUBSIDY, SUBSIDY.replace("low = 0.4", "low = 0.6"))],
         P("outcomes.states.work.wage_subsidy", E("uniform low 0.6 must be below high 0.6"))),
    case("uniform-missing-high", [M(SUBSIDY, 'wage_subsidy = { dist = "uniform", low = 0.4 }')],
         P("outcomes.states.work.wage_subsidy", E("uniform needs 'high'"))),
    case("triangular-mode-outside", [M(EMP, 'employment_rate = { dist = "triangular", low = 0.5, mode = 0.9, high = 0.8 }')],
         P("outcomes.states.work.employment_rate", E("triangular mode 0.9 must lie between low 0.5 and high 0.8"))),
    case("triangular-low-above-high", [M(EMP, 'employment_rate = { dist = "triangular", low = 0.8, mode = 0.7, high = 0.5 }')],
         P("outcomes.states.work.employment_rate", E("triangular low 0.8 must be below high 0.5"))),
    case("pert-min-above-max", [M(COST, COST.replace("min = 5.5e6", "min = 7.5e6"))],
         P("project.cost", E("pert min 7.5e+06 must be below max 7e+06"))),
    case("pert-mode-outside", [M(COST, COST.replace("mode = 6.0e6", "mode = 8e6"))],
         P("project.cost", E("pert mode 8e+06 must lie between min 5.5e+06 and max 7e+06"))),
    case("pert-lambda-zero", [M(COST, COST.replace(" }", ", lambda = 0 }"))],
         P("project.cost", E("pert lambda 0 must be positive"))),
    case("pert-missing-max", [M(COST, COST.replace(", max = 7.0e6", ""))], P("project.cost", E("pert needs 'max'"))),
    case("normal-sd-zero", [M(COST, 'cost = { dist = "normal", mean = 6e6, sd = 0, low = 0 }')],
         P("project.cost", E("normal sd 0 must be positive"))),
    case("normal-sd-negative", [M(COST, 'cost = { dist = "normal", mean = 6e6, sd = -1e5, low = 0 }')],
         P("project.cost", E("normal sd -100000 must be positive"))),
    case("normal-truncation-low-above-high", [M(COST, 'cost = { dist = "normal", mean = 6e6, sd = 1e5, low = 7e6, high = 5e6 }')],
         P("project.cost", E("normal truncation low 7e+06 must be below high 5e+06"))),
    case("normal-truncation-low-equals-high", [M(COST, 'cost = { dist = "normal", mean = 6e6, sd = 1e5, low = 6e6, high = 6e6 }')],
         P("project.cost", E("normal truncation low 6e+06 must be below high 6e+06"))),
    case("normal-truncation-without-mass", [M(COST, 'cost = { dist = "normal", mean = 6e6, sd = 1e5, low = 1e8 }')],
         P("project.cost", E("normal truncated to [1e+08, inf] has no mass left (mean 6e+06, sd 100000)"))),
    case("lognormal-mean-zero", [M(COST, 'cost = { dist = "lognormal", mean = 0, sd = 1e5 }')],
         P("project.cost", E("lognormal mean 0 must be positive"))),
    case("lognormal-mean-negative", [M(COST, 'cost = { dist = "lognormal", mean = -6e6, sd = 1e5 }')],
         P("project.cost", E("lognormal mean -6e+06 must be positive"))),
    case("lognormal-sd-zero", [M(COST, 'cost = { dist = "lognormal", mean = 6e6, sd = 0 }')],
         P("project.cost", E("lognormal sd 0 must be positive"))),
    case("beta-sd-too-large", [M(EMP, EMP.replace("sd = 0.08", "sd = 0.6"))],
         P("outcomes.states.work.employment_rate", E("beta sd 0.6 too large for mean 0.75 (must be below 0.433)"))),
    case("beta-mean-above-1", [M(EMP, EMP.replace("mean = 0.75", "mean = 1.2"))],
         P("outcomes.states.work.employment_rate", E("beta mean 1.2 must lie strictly between 0 and 1"))),
    case("beta-mean-zero", [M(EMP, EMP.replace("mean = 0.75", "mean = 0"))],
         P("outcomes.states.work.employment_rate", E("beta mean 0 must lie strictly between 0 and 1"))),
    case("beta-sd-zero", [M(EMP, EMP.replace("sd = 0.08", "sd = 0"))],
         P("outcomes.states.work.employment_rate", E("beta sd 0 must be positive"))),
    case("beta-a-zero", [M(EMP, 'employment_rate = { dist = "beta", a = 0, b = 2 }')],
         P("outcomes.states.work.employment_rate", E("beta a 0 and b 2 must be positive"))),
    case("beta-b-negative", [M(EMP, 'employment_rate = { dist = "beta", a = 3, b = -1 }')],
         P("outcomes.states.work.employment_rate", E("beta a 3 and b -1 must be positive"))),
    case("beta-mixed-parameters", [M(EMP, 'employment_rate = { dist = "beta", mean = 0.5, b = 2 }')],
         P("outcomes.states.work.employment_rate", E("beta takes either mean and sd, or a and b"))),
    case("beta-mean-only", [M(EMP, 'employment_rate = { dist = "beta", mean = 0.5 }')],
         P("outcomes.states.work.employment_rate", E("beta takes either mean and sd, or a and b"))),
    case("gamma-mean-zero", [M(COST, 'cost = { dist = "gamma", mean = 0, sd = 1e5 }')],
         P("project.cost", E("gamma mean 0 must be positive"))),
    case("gamma-sd-negative", [M(COST, 'cost = { dist = "gamma", mean = 6e6, sd = -1 }')],
         P("project.cost", E("gamma sd -1 must be positive"))),
    case("dirichlet-without-counts-or-mean", [M(SHARES, 'shares = { dist = "dirichlet", prior = 1.0 }')],
         P("outcomes.shares", E("dirichlet takes either counts (with an optional prior) or mean with concentration"))),
    case("dirichlet-with-counts-and-mean",
         [M(SHARES, SHARES.replace("prior = 1.0", "mean = { work = 0.5, improved = 0.5 }, concentration = 10"))],
         P("outcomes.shares", E("dirichlet takes either counts (with an optional prior) or mean with concentration"))),
    case("dirichlet-mean-sum-0.9",
         [M(SHARES, 'shares = { dist = "dirichlet", mean = { work = 0.3, improved = 0.3, not_improved = 0.3 }, concentration = 80 }')],
         P("outcomes.shares.mean", E("shares sum to 0.9, not 1"))),
    case("dirichlet-concentration-zero",
         [M(SHARES, 'shares = { dist = "dirichlet", mean = { work = 0.25, improved = 0.5, not_improved = 0.25 }, concentration = 0 }')],
         P("outcomes.shares.concentration", E("0 is out of range (must be > 0)"))),
    case("dirichlet-concentration-negative",
         [M(SHARES, 'shares = { dist = "dirichlet", mean = { work = 0.25, improved = 0.5, not_improved = 0.25 }, concentration = -5 }')],
         P("outcomes.shares.concentration", E("-5 is out of range (must be > 0)"))),
    case("dirichlet-concentration-missing",
         [M(SHARES, 'shares = { dist = "dirichlet", mean = { work = 0.25, improved = 0.5, not_improved = 0.25 } }')],
         P("outcomes.shares.concentration", "missing$")),
    case("dirichlet-mean-share-zero",
         [M(SHARES, 'shares = { dist = "dirichlet", mean = { work = 0, improved = 0.5, not_improved = 0.5 }, concentration = 80 }')],
         P("outcomes.shares.mean.work", E("a dirichlet mean share must be positive (leave the item out instead)"))),
    case("dirichlet-negative-count", [M(SHARES, SHARES.replace("work = 20", "work = -20"))],
         P("outcomes.shares.counts.work", E("-20 is negative (must be ≥ 0)"))),
    case("dirichlet-negative-prior", [M(SHARES, SHARES.replace("prior = 1.0", "prior = -1.0"))],
         P("outcomes.shares.prior", E("-1 is negative (must be ≥ 0)"))),
    case("dirichlet-zero-count-zero-prior", [M(SHARES, SHARES.replace("work = 20", "work = 0").replace("prior = 1.0", "prior = 0"))],
         P("outcomes.shares.counts.work", E("a zero count needs a positive prior"))),
    case("dirichlet-one-item", [M(SHARES, 'shares = { dist = "dirichlet", counts = { work = 20 } }')],
         P("outcomes.shares", E("a dirichlet needs at least two items"))),
    case("dirichlet-for-a-number", [M(EMP, 'employment_rate = { dist = "dirichlet", mean = { a = 1 }, concentration = 1 }')],
         P("outcomes.states.work.employment_rate", E("dirichlet is for a table of shares, not for one number"))),
    case("shares-other-distribution", [M(SHARES, 'shares = { dist = "beta", mean = 0.5, sd = 0.1 }')],
         P("outcomes.shares", E("a table of shares takes dist = \"dirichlet\", not 'beta'"))),
    # a distribution whose support leaves the allowed values
    case("support-normal-for-wage", [B("wage = 26000", 'wage = { dist = "normal", mean = 26000, sd = 3000 }')],
         P("economy.wage", E("normal(mean 26000, sd 3000) takes values in [-inf, inf], but this must be ≥ 0 (in base.toml)")), BASE),
    case("support-uniform-above-1", [M(EMP, 'employment_rate = { dist = "uniform", low = 0.5, high = 1.2 }')],
         P("outcomes.states.work.employment_rate",
           E("uniform(low 0.5, high 1.2) takes values in [0.5, 1.2], but this must be between 0 and 1"))),
    case("support-lognormal-for-rate", [M(EMP, 'employment_rate = { dist = "lognormal", mean = 0.5, sd = 0.1 }')],
         P("outcomes.states.work.employment_rate",
           E("lognormal(mean 0.5, sd 0.1) takes values in [0, inf], but this must be between 0 and 1"))),
    case("support-gamma-for-probability", [M(WORK_ROW, 'work = { improved = { dist = "gamma", mean = 0.01, sd = 0.005 } }')],
         P("transitions.work.improved", E("gamma(mean 0.01, sd 0.005) takes values in [0, inf], but this must be between 0 and 1"))),
    case("support-truncated-below-0", [M(SUBSIDY, 'wage_subsidy = { dist = "normal", mean = 0.5, sd = 0.1, low = -0.1, high = 1 }')],
         P("outcomes.states.work.wage_subsidy",
           E("normal(mean 0.5, sd 0.1, low -0.1, high 1) takes values in [-0.1, 1], but this must be between 0 and 1"))),
    case("support-normal-for-change", [M(CHANGE, 'resource_change = { dist = "normal", mean = -0.2, sd = 0.1 }')],
         P("outcomes.states.work.resource_change", E("normal(mean -0.2, sd 0.1) takes values in [-inf, inf], but this must be ≥ -1"))),
    case("support-uniform-in-change-table", [M(CHANGE, 'resource_change = { case_handling = { dist = "uniform", low = -2, high = 0 } }')],
         P("outcomes.states.work.resource_change.case_handling",
           E("uniform(low -2, high 0) takes values in [-2, 0], but this must be ≥ -1"))),
    # --- simulation -------------------------------------------------------------------------------------
    case("horizon-not-whole-years", [APPEND("\n[simulation]\nhorizon_months = 18\n")],
         P("simulation.horizon_months", E("18 is not a whole number of years (a multiple of 12)"))),
    case("horizon-zero", [APPEND("\n[simulation]\nhorizon_months = 0\n")],
         P("simulation.horizon_months", E("must be at least 12, not 0"))),
    case("draws-zero", [APPEND("\n[simulation]\ndraws = 0\n")], P("simulation.draws", E("must be at least 1, not 0"))),
    case("seed-negative", [APPEND("\n[simulation]\nseed = -1\n")], P("simulation.seed", E("must be at least 0, not -1"))),
    # --- extends and files ---------------------------------------------------------------------------------
    case("extends-missing-file", [M(EXTENDS, 'extends = "nope.toml"')], P("extends", E("file 'nope.toml' not found") + "$")),
    case("extends-missing-file-in-base", [B(ACTORS, 'extends = "gone.toml"\n' + ACTORS)],
         P("extends", E("file 'gone.toml' not found (in base.toml)") + "$"), BASE),
    case("extends-cycle", [B(ACTORS, 'extends = "minimal.toml"\n' + ACTORS)],
         P("extends", E("cycle: minimal.toml → base.toml → minimal.toml (in base.toml)") + "$"), BASE),
    case("extends-itself", [M(EXTENDS, 'extends = "minimal.toml"')], P("extends", E("cycle: minimal.toml → minimal.toml") + "$")),
    case("extends-folder", [M(EXTENDS, 'extends = "."')], P("extends", E("'.' is a folder, not a config file"))),
    case("toml-syntax", [M("participants = 81", "participants = = 81")],
         r"^\S*minimal\.toml is not valid TOML: .*\(at line 5, column \d+\)$"),
    case("toml-syntax-in-base", [B("uplift = 1.25", "uplift = 1.25.0")],
         r"^base\.toml is not valid TOML: .*\(at line 11, column \d+\)$"),
    case("toml-duplicate-key", [M("participants = 81", "participants = 81\nparticipants = 82")],
         r"^\S*minimal\.toml is not valid TOML: .*line 6"),
]


def _apply(make_config, edits):
    main_edits = [(old, new) for which, old, new in edits if which == "main"]
    base_edits = [(old, new) for which, old, new in edits if which == "base"]
    return make_config(main=main_edits, base=base_edits)


def _check_message(text: str):
    assert "\n" not in text
    assert "Traceback" not in text


@pytest.mark.parametrize("edits, regex, source", CASES)
def test_api_raises_config_error(make_config, edits, regex, source):
    path = _apply(make_config, edits)
    with pytest.raises(simsam.ConfigError, match=regex) as info:
        simsam.load_config(path)
    _check_message(str(info.value))
    assert info.value.source == source
    if info.value.path:  # the message starts with the key path
        assert str(info.value).startswith(info.value.path + ": ")


@pytest.mark.parametrize("edits, regex, source", CASES)
def test_cli_run_exit_2(make_config, tmp_path, capsys, edits, regex, source):
    path = _apply(make_config, edits)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--draws", "5", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.endswith("\n")
    line = captured.err[len("error: ") : -1]
    _check_message(line)
    assert re.search(regex, line), line
    assert not out.exists()


@pytest.mark.parametrize(
    "edits, regex, source",
    [p for p in CASES if p.id in ("beta-sd-too-large", "extends-cycle", "unknown-key-misspelt-required", "toml-syntax")],
)
def test_cli_validate_exit_2(make_config, capsys, edits, regex, source):
    assert main(["validate", str(_apply(make_config, edits))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert re.search(regex, captured.err[len("error: ") :].rstrip("\n"))


# --- files the user names ------------------------------------------------------------------------------------


def test_missing_config_file_is_one_line_exit_2(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    with pytest.raises(simsam.ConfigError, match="^" + re.escape(f"file '{missing}' not found") + "$") as info:
        simsam.load_config(missing)
    assert info.value.path == "" and info.value.source is None
    out = tmp_path / "out"
    assert main(["run", str(missing), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: file '{missing}' not found\n"
    assert not out.exists()
    assert main(["validate", str(missing)]) == 2


def test_config_is_a_folder(tmp_path):
    with pytest.raises(simsam.ConfigError, match="is a folder, not a config file"):
        simsam.load_config(tmp_path)


def test_extends_cycle_of_three(make_config):
    files = {"a.toml": 'extends = "b.toml"\n', "b.toml": 'extends = "minimal.toml"\n'}
    path = make_config(main=[(EXTENDS, 'extends = ["base.toml", "a.toml"]')], files=files)
    with pytest.raises(simsam.ConfigError, match=E("extends: cycle: minimal.toml → a.toml → b.toml → minimal.toml (in b.toml)")):
        simsam.load_config(path)


def test_loads_reports_toml_error():
    with pytest.raises(simsam.ConfigError, match=r"^the config is not valid TOML: .*line 2"):
        simsam.loads("[actors]\nkommun = \n")


# --- command-line arguments --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--draws", "0"], "error: --draws: must be at least 1, not 0"),
        (["--draws", "abc"], "error: --draws: must be a whole number, not 'abc'"),
        (["--draws", "1.5"], "error: --draws: must be a whole number, not '1.5'"),
        (["--threads", "0"], "error: --threads: must be at least 1, not 0"),
        (["--threads", "-2"], "error: --threads: must be at least 1, not -2"),
        (["--threads", "100000"], "error: --threads: 100000 is more than the "),
        (["--chunk-draws", "0"], "error: --chunk-draws: must be at least 1, not 0"),
        (["--seed", "x"], "error: --seed: must be a whole number, not 'x'"),
        (["--seed", "-1"], "error: --seed: must be between 0 and 2**63 - 1, not -1"),
        (["--bogus"], "error: unrecognized arguments: --bogus"),
    ],
)
def test_cli_bad_arguments(make_config, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["run", str(make_config()), "--out", str(out), *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and len(captured.err.splitlines()) == 1
    assert "Traceback" not in captured.err and "usage" not in captured.err
    assert not out.exists()


def test_cli_out_is_a_file(make_config, tmp_path, capsys):
    out = tmp_path / "out.txt"
    out.write_text("keep me")
    assert main(["run", str(make_config()), "--out", str(out), "--draws", "5"]) == 2
    assert capsys.readouterr().err == f"error: --out: '{out}' is a file, not a folder\n"
    assert out.read_text() == "keep me"


def test_cli_out_below_a_file(make_config, tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    out = blocker / "run"
    assert main(["run", str(make_config()), "--out", str(out), "--draws", "5"]) == 2
    assert capsys.readouterr().err == f"error: --out: '{blocker}' is a file, so '{out}' cannot be a folder\n"
    assert blocker.read_text() == ""


def test_cli_no_command(capsys):
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_cli_unknown_command(capsys):
    assert main(["runn", "x.toml"]) == 2
    assert "invalid choice: 'runn'" in capsys.readouterr().err


# --- end to end, in a fresh interpreter -------------------------------------------------------------------------


def test_subprocess_exit_2_without_traceback(make_config, tmp_path):
    path = make_config(main=[(EMP, EMP.replace("sd = 0.08", "sd = 0.6"))])
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "simsam.cli", "run", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == "error: outcomes.states.work.employment_rate: beta sd 0.6 too large for mean 0.75 (must be below 0.433)\n"
    assert not out.exists()

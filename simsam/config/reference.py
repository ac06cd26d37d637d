"""The config reference as data, and ``docs/config.md`` rendered from it.

Every table of a config and every key of it, with its type, unit, default,
meaning and an example, is one entry of :data:`TABLES`; the distribution
families are :data:`DISTRIBUTION_FAMILIES`. :func:`config_reference` renders
them, with the minimal config :data:`MINIMAL_CONFIG` and the actors, benefits
and resources of the base files (``configs/base/sweden.toml``,
``configs/base/seekamu.toml``), as the markdown of ``docs/config.md``::

    python -m simsam.config.reference --write      # rewrite docs/config.md
    python -m simsam.config.reference              # print it
    python -m simsam.config.reference --check      # exit 1 if docs/config.md is stale

``tests/test_docs.py`` keeps this table honest: its keys must be exactly the
key tuples of :mod:`simsam.config.build` (``SECTIONS``, ``SIMULATION_KEYS``,
...), every example must be accepted by the loader (tried in
:data:`MINIMAL_CONFIG`), every literal default must be what the loader
gives when the key is left out, and ``docs/config.md`` must equal the rendered
text. A new key of the schema is therefore a failing test until it is
described here.

Only the standard library and :mod:`simsam.config` are imported (for
``read_config``), so that this module stays where the config lives.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .loading import read_config

__all__ = ["Key", "Table", "Family", "TABLES", "DISTRIBUTION_FAMILIES", "MINIMAL_CONFIG", "BASE_FILES", "config_reference", "main"]

#: The repository (``configs/`` and ``docs/`` are found from here).
ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "config.md"
CONFIGS = ROOT / "configs"
#: Base files whose actors, benefits and resources are listed, relative to ``configs/``.
BASE_FILES = ("base/sweden.toml", "base/seekamu.toml")

#: How a default that is not a literal value is written: in parentheses, in words.
REQUIRED = "(required)"
NONE = "(none)"


@dataclass(frozen=True)
class Key:
    """One key of a config table.

    Attributes
    ----------
    name : str
        The key as written in TOML; for a table whose keys are names (actors,
        transitions, correlations) a placeholder in capitals such as ``ID``.
    type : str
        What the value may be, with its range: ``integer ≥ 1``, ``number or
        distribution, 0–1``, ``actor``, ...
    unit : str
        ``kr``, ``kr per month``, ``months``, ``share``, ... ("" when none applies).
    default : str
        The value used when the key is left out, as TOML (``10000``,
        ``"sampled"``, ``true``, ``{}``), or words in parentheses
        (``(required)``, ``(none)``, ``(the table's name)``).
    description : str
        One or two sentences (markdown).
    example : str
        A TOML value for the key, accepted by the loader in
        :data:`MINIMAL_CONFIG` (tested).
    context : str
        TOML merged into the minimal config with the example, when the example
        needs other keys to make sense (the rest of a Dirichlet table, the other
        groups). Not rendered. ``NAME`` stands for the table's instance name.
    sample : str
        For a placeholder key: the TOML key the test writes instead (``kommun``
        for ``ID``); "" for an ordinary key.
    """

    name: str
    type: str
    unit: str
    default: str
    description: str
    example: str
    context: str = ""
    sample: str = ""

    @property
    def placeholder(self) -> bool:
        return bool(self.sample)

    @property
    def toml_key(self) -> str:
        return self.sample or self.name


@dataclass(frozen=True)
class Table:
    """One table of a config.

    Attributes
    ----------
    path : str
        Its dotted path, ``NAME`` standing for a name the config chooses
        (``benefits.NAME``); "" for the top level of the file.
    summary : str
        What the table is (markdown).
    keys : tuple of Key
    schema : str
        The name of the tuple in :mod:`simsam.config.build` that lists the
        table's keys (``"SIMULATION_KEYS"``); "" for a table whose keys are
        names or free-form.
    instance : str
        The path the tests try the examples at (``NAME`` replaced by a name of
        :data:`MINIMAL_CONFIG`, e.g. ``benefits.social_assistance``).
    setup : str
        TOML that makes the instance exist in the minimal config when it does
        not (``[counterfactual]``), used with every example and default of the
        table. Not rendered.
    """

    path: str
    summary: str
    keys: tuple[Key, ...]
    schema: str = ""
    instance: str = ""
    setup: str = ""

    @property
    def title(self) -> str:
        return "Top level" if not self.path else f"`[{self.path}]`"

    @property
    def anchor(self) -> str:
        return "top-level" if not self.path else self.path.lower().replace(".", "")


@dataclass(frozen=True)
class Family:
    """A distribution family: ``{ dist = NAME, ... }``."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    meaning: str
    example: str


# --- the minimal config --------------------------------------------------------------------

#: The smallest useful config on the Swedish base (a file in ``configs/``). Every
#: example of :data:`TABLES` is tried in it, one at a time (tests/test_docs.py).
MINIMAL_CONFIG = """\
extends = "base/sweden.toml"          # actors, taxes, benefits, resources

[project]
participants = 4
cost = { dist = "pert", min = 0.8e6, mode = 1.0e6, max = 1.5e6 }
cost_split = { kommun = 0.5, region = 0.5 }

[before]
income = { social_assistance = 0.5, sickness_benefit = 0.5 }
resources = { case_handling_kommun = 4.0, primary_care_visit = 1.0 }

[outcomes]
shares = { dist = "dirichlet", counts = { work = 1, improved = 2, not_improved = 1 }, prior = 1.0 }

[outcomes.states.work]
income = {}
employment_rate = { dist = "beta", mean = 0.75, sd = 0.08 }
wage_subsidy = { dist = "uniform", low = 0.4, high = 0.6 }
subsidy_payer = "af"
resource_change = -0.2

[outcomes.states.improved]
income = { activity_support = 1.0 }

[outcomes.states.not_improved]
income = { sickness_compensation = 1.0 }
"""

_NUMBER_OR_DIST = "number or distribution"
_SHARES = "table of shares"


# --- the tables -----------------------------------------------------------------------------

TABLES: tuple[Table, ...] = (
    Table(
        "",
        "The file itself. Besides `extends`, the top level holds only the tables below (`SECTIONS` in "
        "`simsam/config/build.py`); any other key is an error naming the nearest known one.",
        (
            Key(
                "extends",
                "string or array of strings",
                "",
                NONE,
                "Base file(s), relative to this file, merged in order before it; this file's keys win. "
                "Tables merge key by key, except a distribution and a table of shares (outcome shares, income mixes, "
                "`cost_split`, a resource's `payer` split), which are replaced whole.",
                '["base/seekamu.toml"]',
            ),
        ),
    ),
    Table(
        "actors",
        'The actors money is booked to, `id = "label"`, usually from the base file. Society is not an actor: it is '
        "the sum over all of them and appears in every result as `society`.",
        (
            Key(
                "ID",
                "string",
                "",
                REQUIRED,
                "One actor: its id (used wherever a payer or receiver is named) and its label in tables. At least one "
                "actor; `society` is reserved.",
                '"Kommun"',
                sample="kommun",
            ),
        ),
        instance="actors",
    ),
    Table(
        "meta",
        "Documentation of the config; nothing in it changes a result but `price_level`. The report shows `name`, `source`, "
        "`price_level`, `assumptions` and any other key whose value is a string or a number. Only `price_level`, `language` and "
        "the per-language form of `name` and `description` are checked.",
        (
            Key(
                "name",
                "string, or table language → string",
                "",
                "(the file's stem)",
                "Name in printed tables, reports and the results' attributes; per language as "
                '`{ sv = "...", en = "..." }` (the report picks its language\'s, tables `language`\'s).',
                '"Samverkansteamet"',
            ),
            Key(
                "language",
                '`"sv"` or `"en"`',
                "",
                "(Swedish)",
                "Default language of printed tables, the workbook and the report (`--lang` overrides it).",
                '"en"',
            ),
            Key(
                "description",
                "string, or table language → string",
                "",
                NONE,
                "What the project is, for the report's first page.",
                '{ sv = "Arbetslivsinriktad rehabilitering", en = "Vocational rehabilitation" }',
            ),
            Key("source", "string", "", NONE, "Where the figures come from.", '"Payoff\'s evaluation of Samverkansteamet (2017)"'),
            Key(
                "price_level",
                "integer (a year with a KPI value, 2006–2024; a wage-index value, 2015–2024, for wages)",
                "year",
                "(the level of this file's bases, else the results')",
                "The year whose kronor *this file's own* amounts are written in; each file of an `extends` chain has its "
                "own. Amounts are restated to the results' price level (`economy.rules_year`, else the top file's "
                "`price_level`) by KPI, or by the wage index for wages, SGIs and resources or benefits with "
                '`price_index = "wage"`. A file that states none has the level of its bases (the last one with one), '
                "or else the results'.",
                "2016",
            ),
            Key(
                "assumptions",
                "array of strings, or table language → array of strings",
                "",
                NONE,
                "The assumptions behind the inputs, one per string; per language as `{ sv = [...], en = [...] }` "
                "(the report shows its language's, else the Swedish, and says so).",
                '["Outcome counts from SUS."]',
            ),
            Key("KEY", "any", "", NONE, "Any other key is kept as written.", '"any text"', sample="note"),
        ),
        instance="meta",
    ),
    Table(
        "simulation",
        "How the draws are made and how long the cohort is followed.",
        (
            Key("draws", "integer ≥ 1", "draws", "10000", "Monte Carlo draws of `simsam run` (`--draws` overrides it).", "10000"),
            Key(
                "horizon_months",
                "integer, 12–1200, a multiple of 12",
                "months",
                "60",
                'Months followed: from each participant\'s exit (`timing = "nyttosam"`) or from the project start '
                '(`"project"`). Results are given for each of its years.',
                "60",
            ),
            Key(
                "seed",
                "integer, 0 – 2⁶³ − 1",
                "",
                "1",
                "Random seed (`--seed` overrides it). Draw *i* depends only on the seed and *i*.",
                "1",
            ),
            Key(
                "discount_rate",
                f"{_NUMBER_OR_DIST}, > −1",
                "per year",
                "0.0",
                "Month *t* is weighted (1 + r)^(−t/12); the cost at month 0 is not discounted. NyttoSam does not discount.",
                "0.035",
            ),
            Key(
                "cohort",
                '`"sampled"` or `"expected"`',
                "",
                '"sampled"',
                "`sampled`: each draw simulates the participants (chance matters); `expected`: the Markov cohort trace "
                "(NyttoSam's deterministic case with fixed inputs).",
                '"expected"',
            ),
            Key(
                "engine",
                '`"auto"`, `"person"` or `"aggregate"`',
                "",
                '"auto"',
                "Path of the sampled cohort: participant by participant, or state counts (binomial; cost independent of "
                "the cohort size). `auto`: person up to 150 participants. Not used by the expected cohort.",
                '"aggregate"',
            ),
            Key(
                "timing",
                '`"nyttosam"` or `"project"`',
                "",
                '(`"project"` when `[project]` gives `exits`, `exit_months` or `cost_schedule`, else `"nyttosam"`)',
                "`nyttosam`: month 1 is every participant's first month after exit, the cost falls at month 0. "
                "`project`: month 1 is the project's first month, participants contribute from their exit month, the "
                "cost falls per `cost_schedule`. See docs/method.md.",
                '"nyttosam"',
            ),
        ),
        schema="SIMULATION_KEYS",
        instance="simulation",
    ),
    Table(
        "economy",
        "The tax rules and their year, wages, taxes and the uplift, and which actors are the employer and the individual.",
        (
            Key(
                "tax_rules",
                '`"sweden"` or `"flat"`',
                "",
                '"flat"',
                '`sweden`: income tax as the law computes it for `rules_year`, per person type of each situation '
                "(grundavdrag, municipal and regional tax, state tax, jobbskatteavdrag and the other state-financed "
                "credits, docs/rules.md), and the wage subsidy on the wage up to the year's ceiling. `flat`: the "
                "`income_tax` rates on gross income and the subsidy on the whole wage cost (the seeds' arithmetic).",
                '"flat"',
            ),
            Key(
                "rules_year",
                "integer, an income year of the rules (2014–2026)",
                "year",
                '(none; required with `tax_rules = "sweden"`)',
                "The income year whose tax and benefit rules apply (prisbasbelopp, guarantee levels, riksnorm, ceilings, "
                "payroll tax); also the year whose kronor the results are in.",
                "2016",
            ),
            Key(
                "uplift",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "factor",
                "1.0",
                "Indirect-tax factor on the project cost and on resources with `uplift = true` (Payoff: 1.25); never on "
                "transfers or production.",
                "1.25",
            ),
            Key(
                "payroll_tax",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "share of the gross wage",
                "(the rules year's arbetsgivaravgift, by `age`; required without `rules_year`)",
                "Arbetsgivaravgift (payroll tax); a given rate overrides the rules'.",
                "0.3142",
            ),
            Key("payroll_tax_to", "actor", "", REQUIRED, "The actor that receives the payroll tax.", '"stat"'),
            Key(
                "income_tax",
                f"table actor → {_NUMBER_OR_DIST}, 0–1",
                "share of taxable income",
                '(`flat`: `{}`; `sweden`: the rules year\'s average municipal and regional rates, SCB)',
                "`flat`: the income tax rate by receiving actor, on the gross wage plus the taxable benefits; the individual "
                "pays their sum. `sweden`: the municipal and regional skattesatser (the actors of `income_tax_to`); the "
                "state's tax and the credits follow the law.",
                "{ kommun = 0.2070, region = 0.1167 }",
            ),
            Key(
                "income_tax_to",
                "table `municipal`, `regional`, `state` → actor",
                "",
                '(municipal `"kommun"`, regional `"region"`, state: the `payroll_tax_to` actor)',
                '`sweden`: who receives the municipal and regional tax, and the state\'s part (state tax and fees less the '
                "state-financed credits, which can be negative).",
                '{ municipal = "kommun", regional = "region", state = "stat" }',
            ),
            Key(
                "age",
                f"{_NUMBER_OR_DIST}, 0–150",
                "years",
                "(none: the full rate)",
                "The participants' age at the start of the rules year, for the rules' reduced payroll-tax rates by age.",
                "23",
            ),
            Key(
                "wage",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "kr per month",
                REQUIRED,
                "Full-time monthly wage of the jobs participants get (a state may set its own); restated by the wage index.",
                '{ dist = "pert", min = 23000, mode = 26500, max = 30000 }',
            ),
            Key("average_wage", f"{_NUMBER_OR_DIST}, ≥ 0", "kr per month", REQUIRED, "Full-time average wage, for the potential.", "41600"),
            Key(
                "employer",
                "actor",
                "",
                REQUIRED,
                "The actor that pays wages and payroll tax and gets the production value.",
                '"arbetsgivare"',
            ),
            Key("individual", "actor", "", REQUIRED, "The participant: receives wages and benefits, pays income tax.", '"individ"'),
        ),
        schema="ECONOMY_KEYS",
        instance="economy",
    ),
    Table(
        "economy.income_tax_to",
        'Under `tax_rules = "sweden"`: the actors that receive the parts of the income tax.',
        (
            Key("municipal", "actor", "", '"kommun"', "Receives the municipal income tax (kommunalskatt, kommundelen).", '"kommun"'),
            Key("regional", "actor", "", '"region"', "Receives the regional income tax.", '"region"'),
            Key(
                "state",
                "actor",
                "",
                "(the `payroll_tax_to` actor)",
                "Receives the state income tax and the fees, and pays the state-financed tax credits (jobbskatteavdrag, "
                "the skattereduktion for sjuk- och aktivitetsersättning, ...).",
                '"stat"',
            ),
        ),
        schema="INCOME_TAX_TO_KEYS",
        instance="economy.income_tax_to",
    ),
    Table(
        "benefits.NAME",
        "A benefit (transfer) a participant can receive; `NAME` is its id in income mixes. Its amount is `monthly`, "
        "or what its `rule` gives in the rules year; one benefit may be the means-tested top-up (`top_up`).",
        (
            Key("label", "string", "", "(the table's name)", "Name in tables and reports.", '"Försörjningsstöd"'),
            Key(
                "monthly",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "kr per month",
                "(required unless `rule` is given)",
                "Gross amount a participant on the benefit receives per month; overrides `rule`. Restated by `price_index`.",
                '{ dist = "pert", min = 8500, mode = 10700, max = 12500 }',
            ),
            Key("payer", "actor", "", REQUIRED, "The actor that pays it.", '"kommun"'),
            Key("taxable", "boolean", "", "true", "Whether income tax is due on it.", "false"),
            Key(
                "rule",
                '`"guarantee_compensation"`, `"activity_support"`, `"development_allowance"`, `"sickness_benefit"` or '
                '`"social_assistance_norm"`',
                "",
                NONE,
                "The amount from the rules year (needs `economy.rules_year`) when `monthly` is not given: garantiersättning "
                "by `age` band; aktivitetsstöd without a-kassa conditions (223 kr/day × 21.75); utvecklingsersättning "
                "(`upper_secondary`); sjukpenning from `sgi`, capped; the riksnorm for a single adult plus `housing`.",
                '"activity_support"',
            ),
            Key(
                "age",
                f"{_NUMBER_OR_DIST}, ≥ 19",
                "years",
                '(required by `rule = "guarantee_compensation"`)',
                "Age of the participants on the benefit; the guarantee level is the band of the draw's whole years.",
                '{ dist = "uniform", low = 19, high = 30 }',
                context='benefits.NAME.rule = "guarantee_compensation"\n',
            ),
            Key(
                "sgi",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "kr per year",
                '(required by `rule = "sickness_benefit"`)',
                "Sjukpenninggrundande inkomst; restated by the wage index.",
                "240000",
                context='benefits.NAME.rule = "sickness_benefit"\n',
            ),
            Key(
                "upper_secondary",
                f"{_NUMBER_OR_DIST}, 0–1",
                "share",
                "(1: all)",
                '`rule = "development_allowance"`: the share with completed upper secondary school (the higher daily amount).',
                "0.5",
                context='benefits.NAME.rule = "development_allowance"\n',
            ),
            Key(
                "housing",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "kr per month",
                "(0)",
                '`rule = "social_assistance_norm"`: reasonable housing costs added to the riksnorm. Restated by `price_index`.',
                '{ dist = "pert", min = 4000, mode = 5500, max = 7000 }',
                context='benefits.NAME.rule = "social_assistance_norm"\n',
            ),
            Key(
                "taxed_as",
                '`"benefit"` or `"compensation"`',
                "",
                '(`"compensation"` with `rule = "guarantee_compensation"`, else `"benefit"`)',
                '`tax_rules = "sweden"`, a taxable benefit: `benefit` is other income that earns pension (sjukpenning, '
                "aktivitetsstöd, a-kassa); `compensation` is sjuk- och aktivitetsersättning (its own skattereduktion, no "
                "pension fee). Never jobbskatteavdrag: that is for wages only.",
                '"compensation"',
            ),
            Key(
                "price_index",
                '`"kpi"` or `"wage"`',
                "",
                '"kpi"',
                "The index that restates the benefit's written amounts (`monthly`, `norm`, `housing`) between price levels.",
                '"wage"',
            ),
            Key(
                "top_up",
                "boolean",
                "",
                "false",
                "Means-tested (försörjningsstöd): in every situation, each person type whose net income (wage and benefits "
                "less income tax) is below `norm` receives the difference × `take_up` from `payer`, untaxed; a type that is "
                "on this benefit in the mix receives the whole difference. One benefit at most; it must be untaxed.",
                "true",
                context="benefits.NAME.taxable = false\nbenefits.social_assistance.top_up = false\n",
            ),
            Key(
                "norm",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "kr per month",
                "(the benefit's amount: `monthly`, or its `rule`)",
                "With `top_up`: the norm, riksnorm plus reasonable housing costs (say where it comes from). Restated by `price_index`.",
                "10700",
            ),
            Key(
                "take_up",
                f"{_NUMBER_OR_DIST}, 0–1",
                "share",
                "1.0",
                "With `top_up`: the share of those entitled (and not on the benefit in the mix) who receive it.",
                '{ dist = "pert", min = 0.4, mode = 0.75, max = 1.0 }',
            ),
        ),
        schema="BENEFIT_KEYS",
        instance="benefits.example",
        setup='[benefits.NAME]\nmonthly = 1000\npayer = "kommun"\n',
    ),
    Table(
        "resources.NAME",
        "A public resource (a visit, an hour of case handling) with its unit cost; `NAME` is its id in `[before] "
        "resources` and `resource_change`.",
        (
            Key("label", "string", "", "(the table's name)", "Name in tables and reports.", '"Läkarbesök, primärvård"'),
            Key("unit", "string", "", '""', "Unit of the quantity, for tables (`besök`, `timme`).", '"besök"'),
            Key("unit_cost", f"{_NUMBER_OR_DIST}, ≥ 0", "kr per unit", REQUIRED, "Cost of one unit.", "2093"),
            Key(
                "payer",
                "actor, or table actor → share (fixed numbers summing to 1)",
                "",
                REQUIRED,
                "Who bears the cost; a split lets one resource stand for costs of several actors (SEEKAMU).",
                "{ kommun = 0.5, region = 0.5 }",
            ),
            Key(
                "uplift",
                "boolean",
                "",
                "true",
                "Whether `economy.uplift` applies to its cost (public real costs); `false` for SEEKAMU's exclusion cost.",
                "false",
            ),
            Key(
                "price_index",
                '`"kpi"` or `"wage"`',
                "",
                '"kpi"',
                "The index that restates `unit_cost` between price levels: `wage` for staff costs (case-handling hours).",
                '"wage"',
            ),
        ),
        schema="RESOURCE_KEYS",
        instance="resources.primary_care_visit",
    ),
    Table(
        "project",
        "The intervention: its participants, its cost and, optionally, when participants exit and the cost falls.",
        (
            Key("participants", "integer ≥ 1", "participants", REQUIRED, "Size of the cohort.", "81"),
            Key(
                "cost",
                f"{_NUMBER_OR_DIST}, ≥ 0",
                "kr",
                REQUIRED,
                "Cost of the whole project, before the uplift; restated by KPI.",
                '{ dist = "pert", min = 5.5e6, mode = 6.0e6, max = 7.0e6 }',
            ),
            Key(
                "cost_split",
                "table actor → share (fixed numbers summing to 1)",
                "",
                REQUIRED,
                "Who pays the project cost; actor *a*'s cost is split_a · cost · uplift (· (1 + optimism_bias)).",
                "{ kommun = 0.25, region = 0.25, fk = 0.25, af = 0.25 }",
            ),
            Key(
                "exits",
                "table `{ over_months = M }`",
                "",
                NONE,
                "Staggered exits: participant *i* (from 0) of *N* exits in project month floor(i·M/N). Not together with `exit_months`.",
                "{ over_months = 34 }",
            ),
            Key(
                "exit_months",
                "array of integers, one per participant, 0 ≤ m < horizon",
                "months after the project start",
                NONE,
                "Each participant's exit month (e.g. from `simsam evidence`). Not together with `exits`.",
                "[0, 0, 1, 2]",
            ),
            Key(
                "cost_schedule",
                "table `{ over_months = M }`, or array of yearly shares summing to 1 (at most horizon/12 of them)",
                "",
                "(all at month 0)",
                "When the cost falls: cost/M in each of project months 1..M (M = 0: all at month 0), or year *y*'s "
                'share spread evenly over its 12 months. Used under `timing = "project"` only.',
                "[0.4, 0.35, 0.25]",
            ),
        ),
        schema="PROJECT_KEYS",
        instance="project",
    ),
    Table(
        "project.exits",
        "Exits spread evenly over the first months of the project.",
        (Key("over_months", "integer, 0 ≤ M < horizon", "months", REQUIRED, "Months over which participants exit.", "34"),),
        schema="EXITS_KEYS",
        instance="project.exits",
    ),
    Table(
        "project.cost_schedule",
        "The project cost spread evenly over its first months (the table form of `cost_schedule`).",
        (Key("over_months", "integer, 0–horizon", "months", REQUIRED, "Months over which the cost falls; 0 = all at month 0.", "36"),),
        schema="COST_SCHEDULE_KEYS",
        instance="project.cost_schedule",
    ),
    Table(
        "before",
        "The BEFORE state (FÖRE-läge): a typical participant-month before the project.",
        (
            Key(
                "income",
                f"{_SHARES}: benefit → {_NUMBER_OR_DIST}, 0–1, summing to at most 1; or a Dirichlet table",
                "share of participants",
                "{}",
                "The income mix: the share of participants on each benefit (the rest has none). Uncertain entries are "
                "checked in every draw.",
                "{ social_assistance = 0.5, sickness_benefit = 0.375, activity_support = 0.125 }",
            ),
            Key(
                "resources",
                f"table resource → {_NUMBER_OR_DIST}, ≥ 0",
                "units per participant-month",
                "{}",
                "The resource basket: quantity of each resource used per month.",
                '{ primary_care_visit = 1.0, case_handling_fk = { dist = "pert", min = 0.5, mode = 1.5, max = 3.0 } }',
            ),
        ),
        schema="BEFORE_KEYS",
        instance="before",
    ),
    Table(
        "outcomes",
        "The outcome states (typfall) participants exit to, and their shares.",
        (
            Key(
                "shares",
                f"{_SHARES}: state → fixed share summing to 1; or a Dirichlet table",
                "share of participants",
                REQUIRED,
                "Exit-state shares. A state without a share is reached only by transitions.",
                '{ dist = "dirichlet", counts = { work = 20, improved = 35, not_improved = 26 }, prior = 1.0 }',
            ),
            Key(
                "states",
                "tables `[outcomes.states.NAME]`, at least one",
                "",
                REQUIRED,
                "The outcome states; see below.",
                "{ work = { employment_rate = 0.5 } }",
            ),
        ),
        schema="OUTCOMES_KEYS",
        instance="outcomes",
    ),
    Table(
        "outcomes.shares",
        'A Dirichlet table of shares, `{ dist = "dirichlet", ... }`, from counts (plus a prior), from mean shares '
        "and a concentration, or from a follow-up file. Allowed wherever a table of shares is (`outcomes.shares`, "
        "`before.income`, a state's `income`); `counts_file` and `counts_map` in `outcomes.shares` only. The items "
        "are the table's keys; each needs α > 0, and there must be at least two.",
        (
            Key(
                "dist",
                '`"dirichlet"`',
                "",
                REQUIRED,
                "Marks the table as a Dirichlet.",
                '"dirichlet"',
                context="[outcomes.shares]\ncounts = { work = 20, improved = 35, not_improved = 26 }\n",
            ),
            Key(
                "counts",
                "table item → fixed number ≥ 0",
                "participants",
                NONE,
                "Observed counts; α_k = count_k + prior (the posterior of a multinomial). Not with `mean`.",
                "{ work = 20, improved = 35, not_improved = 26 }",
                context='[outcomes.shares]\ndist = "dirichlet"\n',
            ),
            Key(
                "prior",
                "fixed number ≥ 0",
                "",
                "1.0",
                "Added to every count (1 = a flat prior); a zero count needs a positive prior.",
                "0.5",
                context='[outcomes.shares]\ndist = "dirichlet"\ncounts = { work = 20, improved = 35, not_improved = 26 }\n',
            ),
            Key(
                "mean",
                "table item → fixed share > 0, summing to 1",
                "share",
                NONE,
                "Mean shares; α_k = mean_k · concentration. With `concentration`, not with `counts`.",
                "{ work = 0.35, improved = 0.371429, not_improved = 0.278571 }",
                context='[outcomes.shares]\ndist = "dirichlet"\nconcentration = 84\n',
            ),
            Key(
                "concentration",
                "fixed number > 0",
                "",
                NONE,
                "α₀ = Σ α_k: the larger, the less uncertain the shares (counts + prior have α₀ = N + k·prior).",
                "84",
                context='[outcomes.shares]\ndist = "dirichlet"\nmean = { work = 0.35, improved = 0.371429, not_improved = 0.278571 }\n',
            ),
            Key(
                "counts_file",
                "string (a path)",
                "",
                NONE,
                "A follow-up export (SUS CSV), relative to the config file that sets it: its exit statuses, mapped by "
                "`counts_map`, are the counts. With `counts_map`, not with `counts` or `mean`.",
                '"../experiments/data/example_sus.csv"',
                context='[outcomes.shares]\ndist = "dirichlet"\ncounts_map = "../experiments/data/example_sus_map.toml"\n',
            ),
            Key(
                "counts_map",
                "string (a path)",
                "",
                NONE,
                "The mapping TOML of `counts_file`: status codes → outcome states (format in `simsam/analysis/evidence.py`).",
                '"../experiments/data/example_sus_map.toml"',
                context='[outcomes.shares]\ndist = "dirichlet"\ncounts_file = "../experiments/data/example_sus.csv"\n',
            ),
            Key(
                "evidence",
                '`"high"`, `"medium"` or `"low"`',
                "",
                NONE,
                "How strong the support for the shares is, as for any distribution (see [Distributions](#distributions)): "
                "every item of the table carries it. Left out: *ungraded*.",
                '"low"',
                context='[outcomes.shares]\ndist = "dirichlet"\ncounts = { work = 20, improved = 35, not_improved = 26 }\n',
            ),
            Key(
                "source",
                "string",
                "",
                NONE,
                "Where the counts or shares come from, as written (shown beside the grade).",
                '"SUS export 2024-06"',
                context='[outcomes.shares]\ndist = "dirichlet"\ncounts = { work = 20, improved = 35, not_improved = 26 }\n',
            ),
        ),
        schema="DIRICHLET_KEYS",
        instance="outcomes.shares",
    ),
    Table(
        "outcomes.states.NAME",
        "One outcome state (typfall, EFTER-läge). Its flows are compared with BEFORE's.",
        (
            Key("label", "string", "", "(the table's name)", "Name in tables and reports.", '"Arbete"'),
            Key(
                "income",
                f'{_SHARES}: benefit → {_NUMBER_OR_DIST}, 0–1, summing to at most 1; or a Dirichlet table; or `"before"`',
                "share of participants",
                REQUIRED,
                'The state\'s income mix: `{}` = no benefits, `"before"` = the BEFORE mix. Each share is a group of '
                "participants on that benefit (the rest has none), taxed and topped up as such.",
                "{ sickness_compensation = 0.5, activity_compensation = 0.5 }",
            ),
            Key(
                "employment_rate",
                f"{_NUMBER_OR_DIST}, 0–1",
                "share of full time",
                "0.0",
                "Tjänstgöringsgrad: how much of full time participants in the state work.",
                '{ dist = "beta", mean = 0.75, sd = 0.08 }',
            ),
            Key("wage", f"{_NUMBER_OR_DIST}, ≥ 0", "kr per month", "(`economy.wage`)", "The state's own full-time monthly wage.", "24000"),
            Key(
                "wage_subsidy",
                f"{_NUMBER_OR_DIST}, 0–1",
                "share of the wage cost",
                "0.0",
                "Lönebidrag: the share of the wage cost w·e·(1 + payroll tax) that `subsidy_payer` pays (on the wage up to "
                '`subsidy_ceiling` under `tax_rules = "sweden"`); also the share of the wage cost that is not production.',
                '{ dist = "uniform", low = 0.4, high = 0.6 }',
            ),
            Key(
                "subsidy_payer",
                "actor",
                "",
                "(none; required unless `wage_subsidy` is a fixed 0)",
                "The actor that pays the wage subsidy.",
                '"af"',
            ),
            Key(
                "subsidy_ceiling",
                '`"lonebidrag"`, `"nystartsjobb"` or `"none"`',
                "",
                '"lonebidrag"',
                '`tax_rules = "sweden"`: the rules year\'s ceiling on the wage the subsidy is computed on. The production '
                "stays wage cost × (1 − `wage_subsidy`), so above the ceiling the employer bears the difference.",
                '"nystartsjobb"',
            ),
            Key(
                "resource_change",
                f"{_NUMBER_OR_DIST}, ≥ −1; or table resource → {_NUMBER_OR_DIST}",
                "relative change",
                "0.0",
                "Change of the BEFORE resource quantities in this state (−0.2 = 20 % less); one number for all "
                "resources, or a table by resource (those not named: 0).",
                "{ case_handling_kommun = -0.3 }",
            ),
        ),
        schema="STATE_KEYS",
        instance="outcomes.states.work",
    ),
    Table(
        "transitions",
        "Monthly moves between outcome states after exit, `FROM = { TO = probability }`. A state without a row keeps its status.",
        (
            Key(
                "FROM",
                f"table state → {_NUMBER_OR_DIST}, 0–1, summing to at most 1",
                "probability per month",
                "(status kept)",
                "The probabilities of moving from state `FROM` to each other state in a month (not to itself: staying "
                "is what is left). Uncertain rows are checked in every draw.",
                '{ improved = { dist = "beta", mean = 0.01, sd = 0.005 } }',
                sample="work",
            ),
        ),
        instance="transitions",
    ),
    Table(
        "scenarios.NAME",
        "A named variant of the config, run paired with it by `simsam compare CONFIG`. Every key but `label` and "
        "`description` overrides the config as an extending file would.",
        (
            Key(
                "label",
                "string, or table language → string",
                "",
                "(the table's name)",
                'Name in tables and reports; per language as `{ sv = "...", en = "..." }`.',
                '"Arbete +10 procentenheter"',
            ),
            Key(
                "description",
                "string, or table language → string",
                "",
                '""',
                "What the scenario changes and why.",
                '"Average wage subsidy 30 % instead of 50 %."',
            ),
            Key(
                "SECTION.KEY",
                "any config table or key",
                "",
                REQUIRED,
                "What the scenario changes, as dotted keys or subtables (`[scenarios.NAME.project]`); at least one; no "
                "`scenarios` inside. Errors name `scenarios.NAME.…`.",
                '{ dist = "beta", mean = 0.3, sd = 0.1 }',
                sample="outcomes.states.work.wage_subsidy",
            ),
        ),
        schema="SCENARIO_KEYS",
        instance="scenarios.lower_subsidy",
        setup="[scenarios.lower_subsidy]\nproject.participants = 5\n",
    ),
    Table(
        "correlations",
        "Target Spearman rank correlations between uncertain scalar inputs, imposed by a Gaussian copula. Pairs not "
        "listed are independent.",
        (
            Key(
                '"A ~ B"',
                "number, −1 to 1",
                "rank correlation",
                "(0: independent)",
                "Two uncertain scalar inputs by their dotted paths (not fixed numbers, not Dirichlet shares). The "
                "matrix of all pairs must be positive definite.",
                "-0.5",
                sample='"outcomes.states.work.employment_rate ~ outcomes.states.work.wage_subsidy"',
            ),
        ),
        instance="correlations",
    ),
    Table(
        "counterfactual",
        "SROI / Green Book adjustments for what would have happened anyway. The section is optional; its neutral "
        "values (the defaults) change nothing.",
        (
            Key(
                "deadweight",
                f"{_NUMBER_OR_DIST}, 0–1",
                "share",
                "0.0",
                "Share of the change that would have happened anyway: every relative flow × (1 − deadweight).",
                "0.2",
            ),
            Key(
                "attribution",
                f"{_NUMBER_OR_DIST}, 0–1",
                "share",
                "1.0",
                "Share of the change owed to this project: every relative flow × attribution.",
                "0.8",
            ),
            Key(
                "displacement",
                f"{_NUMBER_OR_DIST}, 0–1",
                "share",
                "0.0",
                "Share of the jobs taken from others: the relative wage, payroll tax, wage subsidy and production × (1 − displacement).",
                '{ dist = "uniform", low = 0.0, high = 0.2 }',
            ),
            Key(
                "drop_off",
                f"{_NUMBER_OR_DIST}, 0–1",
                "per year",
                "0.0",
                "Decay of the effect: year *y* after exit weighted (1 − drop_off)^(y − 1).",
                "0.1",
            ),
            Key("optimism_bias", f"{_NUMBER_OR_DIST}, ≥ 0", "share of the cost", "0.0", "Project cost × (1 + optimism_bias).", "0.15"),
        ),
        schema="COUNTERFACTUAL_KEYS",
        instance="counterfactual",
        setup="[counterfactual]\n",
    ),
    Table(
        "groups.NAME",
        "A kind of participant (heterogeneous participants): its own exit shares, and optionally its own BEFORE, "
        "transitions and resource use, each merged over the config's as an extending file would be. Every result is then "
        "also given per group (`group_*` in the results, `summary_groups.csv`, the report's \"För vem lönar det sig?\"); "
        "each group bears the project cost in proportion to its participants (weighted by `cost_weight`). A quantity a "
        "group sets is its own input, named by the group's key (`groups.NAME.before.resources.RESOURCE`); every other is "
        "the config's, the same in every group. Without `[groups]` every participant has the config's outcome shares.",
        (
            Key("label", "string", "", "(the table's name)", "Name in tables and reports.", '"Long-term unemployed"'),
            Key(
                "share",
                "fixed number, 0–1",
                "share of participants",
                REQUIRED,
                "The group's share of the participants; the shares of all groups sum to 1. Sizes are rounded by largest remainders.",
                "0.3",
                context="[groups.rest]\nshare = 0.7\n",
            ),
            Key(
                "shift",
                f"table state → {_NUMBER_OR_DIST}",
                "logit",
                "{}",
                "Multinomial-logit shift of the exit shares: share_k ∝ share_k · exp(shift_k); states not named have 0.",
                "{ work = -0.5 }",
            ),
            Key(
                "cost_weight",
                "fixed number > 0",
                "relative cost per participant",
                "1.0",
                "How much of the project one participant of the group takes, relative to the other groups': group g bears "
                "n_g · w_g / Σ_h n_h · w_h of every actor's cost. 1 in every group: the cost per participant is the same.",
                "1.5",
            ),
            Key(
                "before",
                "table: `income` and `resources`, as [`[before]`](#before)",
                "",
                "(the config's)",
                "The group's BEFORE situation, merged over `[before]`: `income` replaces the BEFORE mix as a whole (a state "
                "with `income = \"before\"` follows it), `resources` sets the quantity of each resource it names.",
                "{ income = { social_assistance = 1.0 }, resources = { primary_care_visit = 2.0 } }",
            ),
            Key(
                "transitions",
                "table as [`[transitions]`](#transitions)",
                "monthly probability",
                "(the config's)",
                "The group's monthly transitions, merged over `[transitions]` (a row's destinations one by one; 0 removes one). "
                "Each row must sum to at most 1.",
                "{ work = { improved = 0.02 } }",
            ),
            Key(
                "resource_change",
                f"table state → {_NUMBER_OR_DIST}, ≥ −1, or a table by resource",
                "share",
                "(the config's)",
                "The group's change in resource use in each state it names, as the state's `resource_change` (one number for "
                "every resource, or a table by resource, which replaces a number as an extending file would).",
                "{ work = -0.3 }",
            ),
        ),
        schema="GROUP_KEYS",
        instance="groups.long_term",
        setup="[groups.long_term]\nshare = 1.0\n",
    ),
)

DISTRIBUTION_FAMILIES: tuple[Family, ...] = (
    Family("uniform", ("low", "high"), (), "Uniform on [low, high]; low < high.", '{ dist = "uniform", low = 0.4, high = 0.6 }'),
    Family(
        "triangular",
        ("low", "mode", "high"),
        (),
        "Triangular on [low, high] with its peak at mode.",
        '{ dist = "triangular", low = 0.1, mode = 0.2, high = 0.4 }',
    ),
    Family(
        "pert",
        ("min", "mode", "max"),
        ("lambda",),
        "Beta on [min, max] with shapes 1 + λ·(mode − min)/(max − min) and 1 + λ·(max − mode)/(max − min); λ = 4 by default.",
        '{ dist = "pert", min = 5.5e6, mode = 6.0e6, max = 7.0e6 }',
    ),
    Family(
        "normal",
        ("mean", "sd"),
        ("low", "high"),
        "Normal; with `low` and/or `high` truncated to [low, high] (mean and sd are those before truncation).",
        '{ dist = "normal", mean = 26000, sd = 2000, low = 0 }',
    ),
    Family(
        "lognormal",
        ("mean", "sd"),
        (),
        "Lognormal with the given mean and sd *of the value* (not of its logarithm): σ² = ln(1 + (sd/mean)²).",
        '{ dist = "lognormal", mean = 3000, sd = 900 }',
    ),
    Family(
        "beta",
        (),
        ("mean", "sd", "a", "b"),
        "Beta on [0, 1], by `mean` and `sd` (sd² < mean·(1 − mean), method of moments) or by shapes `a` and `b`.",
        '{ dist = "beta", mean = 0.75, sd = 0.08 }',
    ),
    Family("gamma", ("mean", "sd"), (), "Gamma with shape (mean/sd)² and scale sd²/mean.", '{ dist = "gamma", mean = 4.0, sd = 1.5 }'),
)


# --- rendering ------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text fit for one cell of a markdown table."""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _default(text: str) -> str:
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1]
    return _code(text)


def _number(value) -> str:
    """A number as the tables show it: ``13 275``, ``0.207``, ``20 833.33``, ``-0.2``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    sign, magnitude = ("-", -value) if value < 0 else ("", value)
    if isinstance(magnitude, int):
        return sign + f"{magnitude:,}".replace(",", " ")
    text = repr(magnitude)
    if "e" in text:
        return sign + text
    whole, _, fraction = text.partition(".")
    return sign + f"{int(whole):,}".replace(",", " ") + "." + fraction


def _amount(value) -> str:
    """A number or a distribution table, e.g. ``pert(min 8 500, mode 10 700, max 12 500)``."""
    if isinstance(value, dict) and "dist" in value:
        params = ", ".join(f"{k} {_number(v)}" for k, v in value.items() if k not in ("dist", "evidence", "source"))
        grade = f"; {value['evidence']} evidence" if "evidence" in value else ""
        return f"{value['dist']}({params}){grade}"
    if isinstance(value, (int, float)):
        return _number(value)
    return str(value)


def _payer(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {100 * v:g} %" for k, v in value.items())
    return str(value)


def _table_section(table: Table) -> list[str]:
    lines = [f"### {table.title}", "", table.summary, ""]
    if table.schema:
        lines += [f"Keys: `{table.schema}` in `simsam/config/build.py`.", ""]
    lines += ["| key | type | unit | default | description | example |", "| --- | --- | --- | --- | --- | --- |"]
    for k in table.keys:
        name = f"`{k.name}`" if not k.placeholder else f"*`{k.name}`*"
        kind = k.type.replace(_NUMBER_OR_DIST, "number or [distribution](#distributions)").replace(
            "a Dirichlet table", "a [Dirichlet table](#outcomesshares)"
        )
        lines.append(
            "| "
            + " | ".join(_cell(c) for c in (name, kind, k.unit, _default(k.default), k.description, f"`{k.toml_key} = {k.example}`"))
            + " |"
        )
    return lines + [""]


def _families() -> list[str]:
    lines = [
        "## Distributions",
        "",
        "Wherever the type says *number or distribution*, a plain number is a fixed value and an inline table with "
        "`dist` is an uncertain one. Its support must lie in the key's range (a probability cannot be a normal "
        "without truncation), and impossible parameters are errors naming the key.",
        "",
        "| `dist` | parameters | optional | meaning | example |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in DISTRIBUTION_FAMILIES:
        lines.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    f"`{f.name}`",
                    ", ".join(f"`{p}`" for p in f.required),
                    ", ".join(f"`{p}`" for p in f.optional),
                    f.meaning,
                    f"`{f.example}`",
                )
            )
            + " |"
        )
    lines += [
        "",
        "Every distribution may also carry `evidence = \"high\" | \"medium\" | \"low\"` and `source = \"...\"` "
        "beside its parameters, e.g. `{ dist = \"pert\", min = 4000, mode = 5500, max = 7000, evidence = \"low\", "
        "source = \"municipal ceilings 2019-2024\" }`: *high* = an official figure as published, *medium* = simple "
        "arithmetic on official figures, *low* = an estimate or assumption. Neither changes any result; the grade "
        "labels the input in the result's `parameter_evidence` coordinate, and `simsam sensitivity --method sobol "
        "--by evidence` and the decision analysis's EVPPI by grade group the inputs by it (an input without one is "
        "*ungraded*, a group of its own). Another grade is an error naming the key (`economy.wage.evidence`). A "
        "distribution that overrides a base file's replaces it whole, grade included.",
        "",
        "Tables of shares (`outcomes.shares`, `before.income`, a state's `income`) take `dist = \"dirichlet\"` instead "
        "(see [`[outcomes.shares]`](#outcomesshares)); `project.cost_split`, a resource's `payer` split and "
        "`groups.NAME.share` are fixed numbers.",
        "",
    ]
    return lines


def _base_section(rel: str, configs: Path) -> list[str]:
    path = configs / rel
    merged = read_config(path).data
    own = tomllib.loads(path.read_text(encoding="utf-8"))
    extends = own.get("extends")
    lines = [f"### `configs/{rel}`", ""]
    if extends:
        bases = [extends] if isinstance(extends, str) else list(extends)
        lines += [f"Extends {', '.join(f'`{b}`' for b in bases)}; the tables below are the ones this file sets itself.", ""]
    actors = own.get("actors") or {}
    if actors:
        lines += ["Actors:", "", "| id | label |", "| --- | --- |"]
        lines += [f"| `{a}` | {_cell(str(label))} |" for a, label in actors.items()]
        lines.append("")
    level = (own.get("meta") or {}).get("price_level")
    if level is not None:
        lines += [f"Its own amounts are {level} kronor (`[meta] price_level = {level}`).", ""]
    for section in ("simulation", "economy"):
        table = own.get(section) or {}
        if table:
            lines += [f"`[{section}]`:", "", "| key | value |", "| --- | --- |"]
            for key, value in table.items():
                if isinstance(value, dict) and "dist" not in value:
                    shown = ", ".join(f"{k} {_amount(v)}" for k, v in value.items())
                else:
                    shown = f"`{value}`" if isinstance(value, str) else _amount(value)
                lines.append(f"| `{key}` | {_cell(shown)} |")
            lines.append("")
    benefits = own.get("benefits") or {}
    if benefits:
        lines += [
            "Benefits (kr per month, gross):",
            "",
            "| id | label | payer | taxable | amount, kr per month |",
            "| --- | --- | --- | --- | --- |",
        ]
        for bid in benefits:
            b = merged["benefits"][bid]
            taxable = "yes" if b.get("taxable", True) else "no"
            lines.append(f"| `{bid}` | {_cell(str(b.get('label', bid)))} | `{b['payer']}` | {taxable} | {_cell(_benefit_amount(b))} |")
        lines.append("")
    resources = own.get("resources") or {}
    if resources:
        lines += ["Resources:", "", "| id | label | unit | payer | uplift | unit cost, kr |", "| --- | --- | --- | --- | --- | --- |"]
        for rid in resources:
            r = merged["resources"][rid]
            uplift = "yes" if r.get("uplift", True) else "no"
            payer = _payer(r["payer"])
            payer = f"`{payer}`" if isinstance(r["payer"], str) else payer
            lines.append(
                f"| `{rid}` | {_cell(str(r.get('label', rid)))} | {_cell(str(r.get('unit', '')))} | {_cell(payer)} | {uplift} | "
                f"{_cell(_amount(r['unit_cost']))} |"
            )
        lines.append("")
    return lines


def _benefit_amount(b: dict) -> str:
    """How a base file's benefit gets its amount: ``monthly``, or its rule with parameters; and the top-up."""
    if "monthly" in b:
        text = _amount(b["monthly"])
    elif "rule" in b:
        params = [f"{k} {_amount(b[k])}" for k in ("age", "sgi", "upper_secondary", "housing") if k in b]
        text = f"rule `{b['rule']}`" + (f" ({', '.join(params)})" if params else "")
    else:
        text = "(none)"
    if b.get("top_up"):
        text += f"; means-tested top-up, take-up {_amount(b.get('take_up', 1.0))}"
    return text


def config_reference(configs: str | Path | None = None) -> str:
    """The markdown of ``docs/config.md``.

    Parameters
    ----------
    configs : path, optional
        The folder holding ``base/sweden.toml`` and ``base/seekamu.toml``
        (default: the repository's ``configs/``).
    """
    configs = Path(configs) if configs is not None else CONFIGS
    out = [
        "# Config reference",
        "",
        "<!-- Generated from simsam/config/reference.py and configs/base/*.toml by",
        "     python -m simsam.config.reference --write",
        "     Do not edit by hand: tests/test_docs.py checks that this file is current. -->",
        "",
        "A simsam config is a TOML file. This page lists every table and key the loader accepts, with its type, "
        "unit, default and an example, then the distribution families and what the base files define. How the "
        "numbers are used is in [the method](method.md).",
        "",
        "- A config may `extends` base files; tables merge key by key and the extending file wins, except that a "
        "distribution and a table of shares are replaced whole. A row cannot be removed by an extending file: set "
        "its value to 0.",
        "- Unknown keys, wrong types, values out of range, shares that do not sum to 1, unknown actors, benefits, "
        "resources or states and impossible distribution parameters are errors: `simsam validate CONFIG` (and every "
        "command) ends with exit code 2 and one line naming the key path, e.g. "
        "`error: outcomes.states.work.employment_rate: beta sd 0.6 too large for mean 0.75 (must be below 0.433)`.",
        "- Amounts are kronor of the price level of the file that writes them (`meta.price_level`), restated to the "
        "results' level (`economy.rules_year`) by KPI or the wage index; *kr per month* means per participant-month.",
        "- Every uncertain input is named by its dotted path in results (`inputs`), correlations, break-even and "
        "EVPPI: `economy.wage`, `benefits.NAME.monthly` (or `.age`, `.sgi`, `.housing`, `.norm`, `.take_up`), "
        "`resources.NAME.unit_cost`, `project.cost`, "
        "`before.income.BENEFIT`, `before.resources.RESOURCE`, `outcomes.shares.STATE` (a Dirichlet item), "
        "`outcomes.states.NAME.employment_rate`, `outcomes.states.NAME.resource_change` (or "
        "`….resource_change.RESOURCE` for the table form), `transitions.FROM.TO`, `counterfactual.deadweight`, "
        "`groups.NAME.shift.STATE`, and a group's own `groups.NAME.before.resources.RESOURCE`, "
        "`groups.NAME.transitions.FROM.TO` and `groups.NAME.resource_change.STATE`.",
        "",
        "## A minimal config",
        "",
        "Saved in `configs/` (so that `extends` finds the base), this is a complete config; every example below is "
        "accepted in it (tested by `tests/test_docs.py`).",
        "",
        "```toml",
        MINIMAL_CONFIG.rstrip("\n"),
        "```",
        "",
        "## Tables and keys",
        "",
        "Placeholders in *italics* (`NAME`, `ID`, `FROM`) stand for names the config chooses. A default in words "
        "means the key has no literal default.",
        "",
    ]
    out += [f"- [{t.title}](#{t.anchor})" for t in TABLES]
    out.append("")
    for table in TABLES:
        out += _table_section(table)
    out += _families()
    out += [
        "## What the base files define",
        "",
        "Listed from the files themselves (sources and confidence are the comments beside each value there).",
        "",
    ]
    for rel in BASE_FILES:
        out += _base_section(rel, configs)
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m simsam.config.reference [--write | --check]``."""
    parser = argparse.ArgumentParser(
        prog="python -m simsam.config.reference", description="Render docs/config.md from the config reference."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    mode.add_argument("--check", action="store_true", help=f"exit 1 if {DOC.relative_to(ROOT)} is not current")
    args = parser.parse_args(argv)
    text = config_reference()
    if args.write:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        return 0
    if args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC.relative_to(ROOT)} is not current: run python -m simsam.config.reference --write", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The documentation: docs/config.md is current, the config reference matches the schema, its examples and
defaults are what the loader does, and every relative link of docs/*.md and README.md resolves."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import pytest

import simsam.config.build as schema
from simsam.config import build_config, loads, override, read_config_string
from simsam.config.nodes import parse_quantity
from simsam.config.reference import DISTRIBUTION_FAMILIES, MINIMAL_CONFIG, TABLES, config_reference
from simsam.distributions import DISTRIBUTIONS

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
REGENERATE = "python -m simsam.config.reference --write"

KEYS = [(t, k) for t in TABLES for k in t.keys]


def _id(item) -> str:
    table, key = item
    return f"{table.path or 'top'}.{key.name}"


# --- docs/config.md ---------------------------------------------------------------------------


def test_config_md_is_current():
    path = ROOT / "docs" / "config.md"
    assert path.exists(), f"docs/config.md is missing: run {REGENERATE}"
    assert path.read_text(encoding="utf-8") == config_reference(CONFIGS), f"docs/config.md is not current: run {REGENERATE}"


def test_method_md_exists():
    text = (ROOT / "docs" / "method.md").read_text(encoding="utf-8")
    assert text.startswith("# ") and len(text) > 10_000


# --- the reference against the schema --------------------------------------------------------


def test_every_section_is_documented():
    documented = {t.path.split(".")[0] for t in TABLES if t.path}
    assert documented == set(schema.SECTIONS), "the reference's tables and schema.SECTIONS differ"
    top = [t for t in TABLES if not t.path]
    assert len(top) == 1 and [k.name for k in top[0].keys] == ["extends"]


def test_every_key_tuple_is_documented():
    tuples = {name: value for name, value in vars(schema).items() if name.endswith("_KEYS") and isinstance(value, tuple)}
    documented = {t.schema: t for t in TABLES if t.schema}
    assert set(tuples) == set(documented), (
        "every *_KEYS tuple of config/build.py needs one table in simsam/config/reference.py, and vice versa"
    )
    for name, keys in tuples.items():
        table = documented[name]
        listed = [k.name for k in table.keys if not k.placeholder]
        assert sorted(listed) == sorted(keys), f"{name} and the reference's [{table.path}] differ"


def test_keys_are_unique_and_complete():
    paths = [t.path for t in TABLES]
    assert len(paths) == len(set(paths))
    for t in TABLES:
        names = [k.name for k in t.keys]
        assert len(names) == len(set(names)), t.path
        assert t.summary and (t.instance or not t.path), t.path
        for k in t.keys:
            assert k.type and k.default and k.description and k.example, f"{t.path}.{k.name}"


def test_distribution_families_match_the_code():
    assert [f.name for f in DISTRIBUTION_FAMILIES] == list(DISTRIBUTIONS)
    for f in DISTRIBUTION_FAMILIES:
        kind = DISTRIBUTIONS[f.name]
        assert f.required == kind.required and f.optional == kind.optional, f.name
        raw = tomllib.loads(f"x = {f.example}")["x"]
        assert raw["dist"] == f.name
        assert not parse_quantity(raw, "x").fixed


# --- examples and defaults, tried in the minimal config -----------------------------------------


def _deep_merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _name(table) -> str:
    return table.instance.rsplit(".", 1)[-1]


def _toml(table, text: str) -> dict:
    return tomllib.loads(text.replace("NAME", _name(table))) if text else {}


def _minimal():
    return loads(MINIMAL_CONFIG, CONFIGS)


def test_minimal_config_loads():
    cfg = _minimal()
    assert cfg.project.participants == 4 and cfg.states == ("work", "improved", "not_improved")


@pytest.mark.parametrize("item", KEYS, ids=_id)
def test_example_is_accepted(item, monkeypatch):
    # Paths in examples (counts_file) are relative to a config in configs/, as the reference says.
    monkeypatch.chdir(CONFIGS)
    table, key = item
    if not table.path:
        text = re.sub(r"(?m)^extends = .*$", f"{key.name} = {key.example}", MINIMAL_CONFIG, count=1)
        loads(text, CONFIGS)
        return
    header = f"[{table.instance}]\n"
    example = tomllib.loads(f"{header}{key.toml_key} = {key.example}\n")
    change = _deep_merge(_deep_merge(_toml(table, table.setup), _toml(table, key.context)), example)
    override(_minimal(), change, label="the example")


def _values(mapping: dict) -> dict:
    return {k: q.value for k, q in mapping.items()}


#: For each key with a literal default: the value the loader gives when the key is left out.
GETTERS = {
    "simulation.draws": lambda c: c.simulation.draws,
    "simulation.horizon_months": lambda c: c.simulation.horizon_months,
    "simulation.seed": lambda c: c.simulation.seed,
    "simulation.discount_rate": lambda c: c.simulation.discount_rate.value,
    "simulation.cohort": lambda c: c.simulation.cohort,
    "simulation.engine": lambda c: c.simulation.engine,
    "economy.uplift": lambda c: c.economy.uplift.value,
    "economy.tax_rules": lambda c: c.economy.tax_rules,
    "economy.income_tax_to.municipal": lambda c: c.economy.income_tax_to["municipal"],
    "economy.income_tax_to.regional": lambda c: c.economy.income_tax_to["regional"],
    "benefits.NAME.taxable": lambda c: c.benefits["example"].taxable,
    "benefits.NAME.price_index": lambda c: c.benefits["example"].price_index,
    "benefits.NAME.top_up": lambda c: c.benefits["example"].top_up,
    "benefits.NAME.take_up": lambda c: c.benefits["example"].take_up.value,
    "resources.NAME.unit": lambda c: c.resources["primary_care_visit"].unit,
    "resources.NAME.uplift": lambda c: c.resources["primary_care_visit"].uplift,
    "resources.NAME.price_index": lambda c: c.resources["primary_care_visit"].price_index,
    "before.income": lambda c: dict(zip(c.before.income.keys, (q.value for q in c.before.income.items))),
    "before.resources": lambda c: _values(c.before.resources),
    "outcomes.shares.prior": lambda c: c.outcomes.shares.alpha[0] - 1,  # the minimal config counts 1 in work
    "outcomes.states.NAME.subsidy_ceiling": lambda c: c.outcomes.states["work"].subsidy_ceiling,
    "outcomes.states.NAME.employment_rate": lambda c: c.outcomes.states["work"].employment_rate.value,
    "outcomes.states.NAME.wage_subsidy": lambda c: c.outcomes.states["work"].wage_subsidy.value,
    "outcomes.states.NAME.resource_change": lambda c: {q.value for q in c.outcomes.states["work"].resource_change.values()}.pop(),
    "scenarios.NAME.description": lambda c: c.scenarios["lower_subsidy"].description,
    "counterfactual.deadweight": lambda c: c.counterfactual.deadweight.value,
    "counterfactual.attribution": lambda c: c.counterfactual.attribution.value,
    "counterfactual.displacement": lambda c: c.counterfactual.displacement.value,
    "counterfactual.drop_off": lambda c: c.counterfactual.drop_off.value,
    "counterfactual.optimism_bias": lambda c: c.counterfactual.optimism_bias.value,
    "groups.NAME.shift": lambda c: _values(c.groups["long_term"].shift),
    "groups.NAME.cost_weight": lambda c: c.groups["long_term"].cost_weight,
}

LITERAL_DEFAULTS = [(t, k) for t, k in KEYS if not k.default.startswith("(")]


def test_every_literal_default_is_checked():
    assert {f"{t.path}.{k.name}" for t, k in LITERAL_DEFAULTS} == set(GETTERS)


@pytest.mark.parametrize("item", LITERAL_DEFAULTS, ids=_id)
def test_default_is_the_loaders(item):
    table, key = item
    raw = read_config_string(MINIMAL_CONFIG, CONFIGS)
    data = _deep_merge(copy.deepcopy(raw.data), _toml(table, table.setup))
    node = data
    for part in table.instance.split("."):
        node = node.setdefault(part, {})
    node.pop(key.name, None)
    cfg = build_config(type(raw)(data, raw.origins, raw.text, raw.path, raw.files))
    expected = tomllib.loads(f"v = {key.default}")["v"]
    assert GETTERS[f"{table.path}.{key.name}"](cfg) == expected


# --- links ----------------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code (links there are not links)."""
    text = re.sub(r"(?ms)^```.*?^```", "", text)
    return re.sub(r"`[^`\n]*`", "", text)


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors of a markdown file."""
    seen: dict[str, int] = {}
    out = set()
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def _prose_lines(text: str) -> list[str]:
    return re.sub(r"(?ms)^```.*?^```", "", text).splitlines()


DOCUMENTS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    bad = []
    for target in LINK.findall(_prose(doc.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists() or ROOT not in dest.parents and dest != ROOT:
            bad.append(f"{target} (no such file in the repository)")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            bad.append(f"{target} (no heading #{anchor})")
    assert not bad, f"{doc.relative_to(ROOT)}: broken links: {', '.join(bad)}"

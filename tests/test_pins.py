"""Regression pins: every shipped config, experiment, portfolio and evidence mapping reproduces its pinned
numbers exactly (floats bit for bit, NaN equal to NaN; values from least squares to 1e-9, see pins.APPROX_SUFFIX), so that a reorganisation that must change no result
can show it changed none.

What is pinned, and how, is in ``tests/pins/__init__.py``; the pins are ``tests/pins/*.json``.
After a change that is *meant* to change results, re-pin from the repository root with

    python -m tests.pins --update          # prints, per case, each value that changed (old -> new), writes the pins

(``python -m tests.pins`` alone prints the same report and writes nothing.)
"""

from __future__ import annotations

import math

import pytest

from . import pins

CASES = {c.id: c for c in pins.discover()}
PINNED = pins.pinned_ids()
#: At least this many values per pin of each kind (a pin cannot pass by pinning next to nothing).
MIN_VALUES = {"config": 90, "experiment": 1000, "portfolio": 300, "evidence": 50}
RE_PIN = "re-pin with: python -m tests.pins --update"


def _ids(kind: str) -> list[str]:
    return sorted(i for i, c in CASES.items() if c.kind == kind)


def test_every_shipped_file_has_a_pin_and_every_pin_a_shipped_file():
    unpinned = sorted(set(CASES) - set(PINNED))
    stale = sorted(set(PINNED) - set(CASES))
    assert not unpinned, f"shipped without a pin: {unpinned}; {RE_PIN}"
    assert not stale, f"pins of files no longer shipped: {stale}; {RE_PIN} (deletes them)"
    assert len(PINNED) == len(set(PINNED)), "two pin files name the same case"
    for case_id in PINNED:
        assert pins.pin_path(case_id).is_file(), f"the pin of {case_id} is not where its name says"


def test_every_shipped_file_is_a_kind_the_pins_can_run():
    unknown = sorted(i for i, c in CASES.items() if c.kind not in pins.OBSERVE)
    assert not unknown, f"neither config, experiment, portfolio nor evidence mapping: {unknown}"
    # Discovery sees what is shipped: no kind is silently empty (an empty parametrisation would skip, not fail).
    for kind in pins.OBSERVE:
        assert _ids(kind), f"no shipped {kind} found by tests/pins.discover()"
    assert len(_ids("config")) >= 7


def _check(case_id: str) -> None:
    case = CASES[case_id]
    pin = pins.load_pin(case_id)
    assert pin is not None, f"{case_id} has no pin; {RE_PIN}"
    assert pin["case"] == case_id and pin["kind"] == case.kind, f"{pins.pin_path(case_id).name} is the pin of {pin['case']} ({pin['kind']})"
    pinned = pin["values"]
    assert len(pinned) >= MIN_VALUES[case.kind], f"{case_id}: only {len(pinned)} pinned values"
    observed = pins.observe(case)
    changes = pins.diff(pinned, observed)
    assert not changes, f"{case_id}: {len(changes)} of {len(pinned)} pinned values differ ({RE_PIN} if intended):\n" + "\n".join(
        changes[:60]
    )
    # Every pinned value was compared: the observation has exactly the pinned keys, each identical.
    assert observed.keys() == pinned.keys() and all(pins.same(pinned[k], observed[k], k) for k in pinned)


@pytest.mark.parametrize("case_id", _ids("config"))
def test_config_summary_and_scenarios_match_pin(case_id):
    """simulate + summarize with the config's own draws and seed; simsam compare of its scenarios."""
    _check(case_id)


@pytest.mark.parametrize("case_id", _ids("experiment"))
def test_experiment_outputs_match_pin(case_id):
    """simsam experiment (a copy with fewer draws and a smaller Sobol sample): every analysis's files."""
    _check(case_id)


@pytest.mark.parametrize("case_id", _ids("portfolio"))
def test_portfolio_outputs_match_pin(case_id):
    """simsam portfolio --draws 2000: portfolio.csv's headline rows and portfolio.nc."""
    _check(case_id)


@pytest.mark.parametrize("case_id", _ids("evidence"))
def test_evidence_outputs_match_pin(case_id):
    """simsam evidence EXPORT --map MAPPING: evidence.json and the files beside it."""
    _check(case_id)


def test_pin_comparison_is_exact_to_the_bit():
    """The comparison the pins rely on: one ulp, the sign of zero, NaN against a number, a type change all differ;
    NaN equals NaN; and the encoding round-trips through JSON."""
    import json

    x = 5808121.488163171
    assert pins.same(x, x) and not pins.same(x, math.nextafter(x, math.inf))
    assert not pins.same(0.0, -0.0) and not pins.same(5, 5.0) and not pins.same("5", 5)
    assert pins.encode(float("nan")) == pins.encode(float("nan")) != pins.encode(0.0)
    values = {"a": x, "b": float("nan"), "c": -0.0, "d": float("-inf"), "e": "0.123363", "f": 3}
    encoded = {k: pins.encode(v) for k, v in values.items()}
    assert pins.diff(json.loads(json.dumps(encoded)), encoded) == []
    changed = dict(encoded, a=math.nextafter(x, 0.0), b=1.0, f=3.0)
    assert len(pins.diff(encoded, changed)) == 3
    assert pins.diff(encoded, {k: v for k, v in encoded.items() if k != "c"}) == ["c: -0.0 -> (no longer produced)"]

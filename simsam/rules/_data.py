"""The rules data: dated parameter series read from ``simsam/rules/data/*.toml``.

Each parameter is a table with ``description``, ``unit``, an optional ``kind`` and ``values``
keyed by income year (``2014``) or closed range (``"2014-2018"``). See ``data/README.md``.
The files are read once, on first use (importing :mod:`simsam.rules` reads nothing).
"""

from __future__ import annotations

import datetime as _dt
import functools
import itertools
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["CONFIDENCE", "KINDS", "Entry", "Parameter", "Period", "parameter", "parameters"]

DATA_DIR = Path(__file__).parent / "data"
CONFIDENCE = ("primary", "primary-copy", "secondary", "inferred")
#: ``rule``: must cover every income year of the table; ``index``: a statistical series covering the
#: years published; ``example``: informative figures; ``periods``: dated periods within years.
KINDS = ("rule", "index", "example", "periods")


class RulesDataError(RuntimeError):
    """The shipped rules data is malformed (a bug in ``simsam/rules/data``, not user input)."""


class Entry(NamedTuple):
    """One dated value of a parameter: it holds for every year ``first..last``."""

    first: int
    last: int
    value: Any
    reference: str
    confidence: str
    changes: tuple[tuple[_dt.date, Any], ...] = ()
    note: str = ""
    verified: str = ""


class Period(NamedTuple):
    """A dated period with its own fields (``kind = "periods"``), e.g. a reduced payroll-tax rate."""

    start: _dt.date
    end: _dt.date
    fields: dict
    reference: str
    confidence: str
    note: str = ""


class Parameter(NamedTuple):
    """A dated series.

    Attributes
    ----------
    name : str
        Dotted path in the data files, e.g. ``jobbskatteavdrag.rate``.
    description, unit, kind : str
    entries : tuple of Entry
    periods : tuple of Period
        Only for ``kind = "periods"``.
    file : str
        The data file it comes from.
    """

    name: str
    description: str
    unit: str
    kind: str
    entries: tuple[Entry, ...]
    periods: tuple[Period, ...]
    file: str

    def years(self) -> tuple[int, ...]:
        """Income years covered, sorted."""
        return tuple(sorted(y for e in self.entries for y in range(e.first, e.last + 1)))

    def entry(self, year: int) -> Entry | None:
        for e in self.entries:
            if e.first <= year <= e.last:
                return e
        return None

    def value(self, year: int) -> Any:
        """The year's value: the entry's value, or the day-weighted mean over the year when it
        changes in the year (``changes``). ``None`` when the year is not covered."""
        e = self.entry(year)
        if e is None:
            return None
        if not e.changes:
            return e.value
        return _day_weighted(e.value, e.changes, year)


def _day_weighted(start_value: Any, changes, year: int) -> Any:
    first = _dt.date(year, 1, 1)
    end = _dt.date(year + 1, 1, 1)
    bounds = [first] + [d for d, _ in changes] + [end]
    values = [start_value] + [v for _, v in changes]
    total = (end - first).days
    weights = [(b - a).days / total for a, b in itertools.pairwise(bounds)]
    if isinstance(start_value, (list, tuple)):
        return tuple(sum(w * v[i] for w, v in zip(weights, values)) for i in range(len(start_value)))
    return sum(w * v for w, v in zip(weights, values))


def _years(key: str, where: str) -> tuple[int, int]:
    parts = key.split("-")
    try:
        if len(parts) == 1:
            return int(parts[0]), int(parts[0])
        if len(parts) == 2:
            first, last = int(parts[0]), int(parts[1])
            if first <= last:
                return first, last
    except ValueError:
        pass
    raise RulesDataError(f"{where}: '{key}' is not a year or a range YYYY-YYYY")


def _entry(key: str, raw: dict, where: str) -> Entry:
    first, last = _years(key, where)
    for required in ("value", "reference", "confidence"):
        if required not in raw:
            raise RulesDataError(f"{where}.{key}: no {required}")
    if raw["confidence"] not in CONFIDENCE:
        raise RulesDataError(f"{where}.{key}: confidence '{raw['confidence']}' is not one of {CONFIDENCE}")
    changes = tuple((c["from"], _plain(c["value"])) for c in raw.get("changes", ()))
    if changes:
        if first != last:
            raise RulesDataError(f"{where}.{key}: in-year changes need a single-year entry")
        if any(not (isinstance(d, _dt.date) and d.year == first) for d, _ in changes):
            raise RulesDataError(f"{where}.{key}: a change's date is not in {first}")
    return Entry(
        first, last, _plain(raw["value"]), raw["reference"], raw["confidence"], changes, raw.get("note", ""), raw.get("verified", "")
    )


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _period(raw: dict, where: str) -> Period:
    fields = {k: v for k, v in raw.items() if k not in ("from", "to", "reference", "confidence", "note")}
    if raw.get("confidence") not in CONFIDENCE or "reference" not in raw:
        raise RulesDataError(f"{where}: a period needs a reference and a confidence")
    return Period(raw["from"], raw["to"], fields, raw["reference"], raw["confidence"], raw.get("note", ""))


def _walk(table: dict, prefix: str, file: str, out: dict) -> None:
    for key, sub in table.items():
        if not isinstance(sub, dict):
            continue
        name = f"{prefix}{key}"
        if "values" in sub or sub.get("kind") == "periods":
            kind = sub.get("kind", "rule")
            if kind not in KINDS:
                raise RulesDataError(f"{file}: {name}: kind '{kind}' is not one of {KINDS}")
            for required in ("description", "unit"):
                if not sub.get(required):
                    raise RulesDataError(f"{file}: {name}: no {required}")
            entries = tuple(_entry(str(k), v, f"{file}: {name}") for k, v in sub.get("values", {}).items())
            periods = tuple(_period(p, f"{file}: {name}") for p in sub.get("periods", ()))
            param = Parameter(name, sub["description"], sub["unit"], kind, entries, periods, file)
            covered = [y for e in entries for y in range(e.first, e.last + 1)]
            if len(covered) != len(set(covered)):
                raise RulesDataError(f"{file}: {name}: a year is given twice")
            if name in out:
                raise RulesDataError(f"{file}: {name} is defined twice")
            out[name] = param
        else:
            _walk(sub, f"{name}.", file, out)


@functools.cache
def parameters() -> dict[str, Parameter]:
    """Every parameter of the data files, by dotted name (read once)."""
    import tomllib  # only when the data is first needed: importing simsam.rules stays cheap

    out: dict[str, Parameter] = {}
    for path in sorted(DATA_DIR.glob("*.toml")):
        with path.open("rb") as f:
            _walk(tomllib.load(f), "", path.name, out)
    return out


def parameter(name: str) -> Parameter:
    try:
        return parameters()[name]
    except KeyError:
        raise RulesDataError(f"no rules parameter '{name}'") from None


def rule_years() -> tuple[int, ...]:
    """Income years that every ``rule`` parameter covers."""
    sets = [set(p.years()) for p in parameters().values() if p.kind == "rule"]
    return tuple(sorted(set.intersection(*sets)))

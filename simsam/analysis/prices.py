"""One price level for results of several configs (``simsam compare``, ``simsam portfolio``).

A run's kronor are those of its config's price level (``config.prices.level``: the rules year,
or else the top file's ``[meta] price_level``). Results of configs at different levels are only
put side by side, added or differenced after each is restated to one level, by KPI (SCB's
annual mean, :func:`simsam.rules.restate`): a project's revenue, cost and net benefit all
scale by ``KPI(target) / KPI(level)``, so its payback month is unchanged while its weight in a
sum or a difference is right.

The target is the ``--price-level`` asked for, or else the latest level among the configs. A
config without a price level cannot be restated: with others that have one it is an error
(mixing kronor of unknown years is what this module exists to prevent); when no config has a
level and none is asked for, the results are left as written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ConfigError
from ..rules import index_value

__all__ = ["PriceLevels", "common_price_level", "price_attrs", "price_note", "INDEX"]

#: The index results are restated by.
INDEX = "kpi"


@dataclass(frozen=True)
class PriceLevels:
    """How each of several results is restated to one price level.

    Attributes
    ----------
    target : int or None
        The common price level (None: no config has one; results as written).
    levels : dict
        Name → its own price level (None: not stated).
    factors : dict
        Name → ``KPI(target) / KPI(level)`` (1.0 when already at the target).
    """

    target: int | None
    levels: dict[str, int | None]
    factors: dict[str, float]

    @property
    def restated(self) -> dict[str, float]:
        """The names whose results are multiplied by a factor other than 1, and the factor."""
        return {k: f for k, f in self.factors.items() if f != 1.0}


def common_price_level(levels: Mapping[str, int | None], requested: int | None = None, what: str = "project") -> PriceLevels:
    """Restate results of several configs to one price level.

    Parameters
    ----------
    levels : mapping
        Name (a variant, a project) → its config's price level (``config.prices.level``).
    requested : int, optional
        ``--price-level``; default the latest of ``levels``.
    what : str
        What the names are, for messages ("project", "variant").

    Raises
    ------
    ConfigError
        ``--price-level`` without a KPI value; a config without a price level among configs
        with one (or with ``--price-level``), naming it; a level without a KPI value.
    """
    levels = dict(levels)
    known = {k: v for k, v in levels.items() if v is not None}
    unknown = [k for k, v in levels.items() if v is None]
    if requested is not None:
        index_value(requested, INDEX, "--price-level")
    if unknown and (known or requested is not None):
        shown = f"{requested} kronor" if requested is not None else f"{max(known.values())} kronor ({', '.join(known)})"
        raise ConfigError(
            "meta.price_level",
            f"{what} {unknown[0]} states no price level ([economy] rules_year or [meta] price_level), so its kronor cannot be "
            f"restated to {shown}",
        )
    if not known and requested is None:
        return PriceLevels(None, levels, {k: 1.0 for k in levels})
    target = requested if requested is not None else max(known.values())
    factors = {}
    for k, level in known.items():
        if level == target:
            factors[k] = 1.0
            continue
        try:
            factors[k] = index_value(target, INDEX, "--price-level") / index_value(level, INDEX, "meta.price_level")
        except ConfigError as exc:
            raise ConfigError(exc.path, f"{what} {k}: {exc.problem}") from None
    return PriceLevels(target, levels, factors)


def price_attrs(p: PriceLevels, what: str) -> dict:
    """Dataset attributes: ``price_level`` (when known), ``price_index``, ``<what>_price_levels``
    (JSON name → level) and ``restatement`` (JSON name → factor, only those restated)."""
    attrs = {
        "price_index": INDEX,
        f"{what}_price_levels": json.dumps(p.levels),
        "restatement": json.dumps(p.restated),
    }
    if p.target is not None:
        attrs["price_level"] = int(p.target)
    return attrs


def price_note(ds, what: str) -> str:
    """One printed line: the price level of the results and what was restated to it."""
    if "price_level" not in ds.attrs:
        return "Amounts as written: no config states a price level, so none was restated."
    target = int(ds.attrs["price_level"])
    levels = json.loads(ds.attrs.get(f"{what}_price_levels", "{}"))
    factors = json.loads(ds.attrs.get("restatement", "{}"))
    moved = [f"{k} {levels[k]} → {target} ×{f:.4f}" for k, f in factors.items()]
    same = [k for k in levels if k not in factors]
    head = f"Amounts in {target} kronor ({target} års priser)"
    if not moved:
        return f"{head}: every {what} is at that price level."
    tail = f"; already in {target} kronor: {', '.join(same)}" if same else ""
    return f"{head}, restated by KPI: {'; '.join(moved)}{tail}."

"""Reading one table of a config: typed getters that name the key path on error."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..distributions import ANY, Domain, Quantity, parse_distribution, split_evidence
from ..errors import ConfigError, type_name, unknown_key_error

__all__ = ["Node", "check_number", "parse_quantity"]

_MISSING = object()


class Node:
    """A table of the merged config, with its dotted path.

    Every getter records the key as known, so that :meth:`finish` can reject the
    keys nobody asked for, suggesting the nearest known one.

    Parameters
    ----------
    data : dict
        The table's content.
    path : str
        Its dotted path ('' at the top).
    origins : dict
        Maps a key path to the file it came from, or to None for the file the
        user named (see :mod:`simsam.config.loading`); the nearest enclosing
        path that has an entry decides.
    """

    def __init__(self, data: dict, path: str, origins: dict[str, str] | None = None):
        self.data = data
        self.path = path
        self.origins = origins or {}
        self._known: list[str] = []

    # --- paths and errors ------------------------------------------------------------

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def source(self, path: str) -> str | None:
        """The file that set ``path`` (None: the file the user named)."""
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path.rpartition(".")[0]
        return None

    def error(self, key: str | None, problem: str) -> ConfigError:
        path = self.at(key) if key is not None else self.path
        return ConfigError(path, problem, self.source(path))

    def expect(self, keys: Iterable[str], what: str = "key") -> None:
        """Declare the table's valid keys and reject any other at once.

        Called before the getters, so that a misspelt required key reads as
        ``economy.wag: unknown key 'wag' (did you mean 'wage'?)`` rather than
        ``economy.wage: missing``.
        """
        keys = list(keys)
        for key in self.data:
            if key not in keys:
                raise unknown_key_error(self.at(key), key, keys, what=what, source=self.source(self.at(key)))
        self._known.extend(keys)

    def has(self, key: str) -> bool:
        self._known.append(key)
        return key in self.data

    def keys(self) -> list[str]:
        """The table's keys, all taken as known (for tables of named items)."""
        self._known.extend(self.data)
        return list(self.data)

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        """The value as written (any type); missing raises unless a default is given."""
        return self._get(key, default)

    def _get(self, key: str, default: Any) -> Any:
        self._known.append(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error(key, "missing")
        return default

    def finish(self) -> None:
        """Reject keys no getter asked for."""
        for key in self.data:
            if key not in self._known:
                raise unknown_key_error(self.at(key), key, dict.fromkeys(self._known), source=self.source(self.at(key)))

    # --- typed getters ---------------------------------------------------------------

    def table(self, key: str, default: Any = _MISSING) -> Node:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            value = {} if value is None else value
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {type_name(value)}")
        return Node(value, self.at(key), self.origins)

    def string(self, key: str, default: Any = _MISSING, choices: Iterable[str] | None = None) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {type_name(value)}")
        if choices is not None:
            choices = list(choices)
            if value not in choices:
                raise unknown_key_error(self.at(key), value, choices, what="value", source=self.source(self.at(key)))
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {type_name(value)}")
        return value

    def integer(self, key: str, default: Any = _MISSING, lo: int | None = None, hi: int | None = None) -> int:
        value = self._get(key, default)
        if isinstance(value, float):
            if not value.is_integer():
                raise self.error(key, f"must be a whole number, not {value:g}")
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, not {type_name(value)}")
        if lo is not None and value < lo:
            raise self.error(key, f"must be at least {lo}, not {value}")
        if hi is not None and value > hi:
            raise self.error(key, f"must be at most {hi}, not {value}")
        return value

    def fixed(self, key: str, default: Any = _MISSING, domain: Domain = ANY) -> float:
        """A plain number (distributions are not allowed here)."""
        value = self._get(key, default)
        return check_number(value, self.at(key), domain, self.source(self.at(key)))

    def quantity(self, key: str, default: Any = _MISSING, domain: Domain = ANY) -> Quantity:
        """A number or a distribution table, checked against ``domain``."""
        return parse_quantity(self._get(key, default), self.at(key), domain, self.source(self.at(key)))


def check_number(value: Any, path: str, domain: Domain = ANY, source: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(path, f"must be a number, not {type_name(value)}", source)
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(path, f"must be finite, not {value}", source)
    if not domain.contains(value):
        if domain.lo == 0 and value < 0 and not domain.lo_open:
            problem = f"{value:g} is negative (must be {domain.text()})"
        else:
            problem = f"{value:g} is out of range (must be {domain.text()})"
        raise ConfigError(path, problem, source)
    return value


def parse_quantity(value: Any, path: str, domain: Domain = ANY, source: str | None = None) -> Quantity:
    """A fixed number or a distribution, whose support must lie in ``domain``.

    A distribution may carry ``evidence = "high" | "medium" | "low"`` and
    ``source = "..."`` beside its parameters (:attr:`Quantity.evidence`).
    """
    if isinstance(value, dict):
        if "dist" not in value:
            raise ConfigError(path, "a table here must be a distribution with a 'dist' key", source)
        if value["dist"] == "dirichlet":
            raise ConfigError(path, "dirichlet is for a table of shares, not for one number", source)
        value, grade, text = split_evidence(value, path, source)
        try:
            dist = parse_distribution(value, path)
            lo, hi = dist.support
        except ConfigError as exc:
            raise ConfigError(exc.path, exc.problem, source) from None
        if not domain.covers(lo, hi):
            raise ConfigError(path, f"{dist.describe()} takes values in [{lo:g}, {hi:g}], but this must be {domain.text()}", source)
        return Quantity(path, None, dist, grade, text)
    return Quantity(path, check_number(value, path, domain, source))

"""Errors raised for people, not for programmers."""

from __future__ import annotations

import difflib
import signal
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["ConfigError", "ResourceError", "OutputError", "Stopped", "type_name", "unknown_key_error"]


class ConfigError(ValueError):
    """A config (or a command-line value) that simsam cannot use.

    The message is meant to be printed as is: it names the key path, such as
    ``outcomes.states.work.employment_rate``, and what is wrong with it.

    Parameters
    ----------
    path : str
        Dotted key path of the offending value; empty when the problem is the
        file as a whole (a missing file, a TOML syntax error).
    problem : str
        What is wrong, in one sentence without a trailing period.
    source : str, optional
        The file the value came from, when it is not the file the user named
        (a base config reached through ``extends``).

    Examples
    --------
    >>> print(ConfigError("economy.wage", "must be a number, not a string", "base/sweden.toml"))
    economy.wage: must be a number, not a string (in base/sweden.toml)
    """

    def __init__(self, path: str, problem: str, source: str | None = None):
        self.path = path
        self.problem = problem
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"{self.path}: {self.problem}" if self.path else self.problem
        if self.source:
            text += f" (in {self.source})"
        # One line, always: the CLI prints it after "error: ".
        return " ".join(text.split())


class ResourceError(ConfigError):
    """A request this machine cannot serve: more memory or disk than is available.

    ``path`` names the option that sets the size (``--draws``, ``--n``); the
    problem gives the estimate, what is available and what would fit.
    """


class OutputError(ConfigError):
    """An output that cannot be written: an unwritable place, a full disk, a quota, an I/O error.

    ``path`` is the output folder (as the user named it); nothing is left of
    the unfinished output, and an earlier result there is untouched.
    """


class Stopped(KeyboardInterrupt):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) turned into an exception, so that ``finally`` blocks run.

    A :class:`KeyboardInterrupt`, so that code written for Ctrl-C (progress
    bars, Dask) handles every stop signal the same way.

    Attributes
    ----------
    signum : int
    """

    def __init__(self, signum: int):

        self.signum = int(signum)
        super().__init__(signal.Signals(signum).name)


def type_name(value: Any) -> str:
    """How a TOML value's type reads in a message: ``a string``, ``a table``, ..."""
    return {bool: "a boolean", str: "a string", dict: "a table", list: "an array", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )


def unknown_key_error(path: str, key: str, valid: Iterable[str], what: str = "key", source: str | None = None) -> ConfigError:
    """``ConfigError`` for an unknown name, suggesting the nearest valid one.

    ``valid`` may be a mapping of ids to labels (the actors): a label written
    where its id belongs suggests the id. Case is ignored when suggesting.

    Examples
    --------
    >>> print(unknown_key_error("economy.wgae", "wgae", ["wage", "average_wage"]))
    economy.wgae: unknown key 'wgae' (did you mean 'wage'?)
    >>> print(unknown_key_error("project.cost_split.Kommun", "Kommun", {"kommun": "Kommun", "fk": "Försäkringskassan"}, what="actor"))
    project.cost_split.Kommun: unknown actor 'Kommun' (did you mean 'kommun'?)
    """
    labels = valid if isinstance(valid, Mapping) else {}
    valid = [v for v in valid]
    folded = {v.casefold(): v for v in valid}
    close = [folded[key.casefold()]] if key.casefold() in folded else []
    close = close or [v for v, label in labels.items() if isinstance(label, str) and label.casefold() == key.casefold()][:1]
    close = close or [folded[c] for c in difflib.get_close_matches(key.casefold(), list(folded), n=1, cutoff=0.6)]
    hint = f" (did you mean '{close[0]}'?)" if close else (f"; expected one of: {', '.join(valid)}" if valid else "")
    return ConfigError(path, f"unknown {what} '{key}'{hint}", source)

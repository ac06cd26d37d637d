"""Errors raised for people, not for programmers."""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "type_name"]


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


def type_name(value: Any) -> str:
    """How a TOML value's type reads in a message: ``a string``, ``a table``, ..."""
    return {bool: "a boolean", str: "a string", dict: "a table", list: "an array", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )

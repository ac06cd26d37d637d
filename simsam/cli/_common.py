"""What every command shares: the :class:`Command` record, the argument parser and argument checks.

Each subcommand module lists its commands in ``COMMANDS``; :mod:`simsam.cli`
collects them. Argument types raise ``argparse.ArgumentTypeError`` (argparse
prefixes the option's name); checks that need more than one value raise
:class:`~simsam.errors.ConfigError` naming the option, printed as one line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

__all__ = [
    "Command",
    "Parser",
    "positive_int",
    "seed_arg",
    "probability",
    "check_out",
    "check_threads",
    "slug",
    "add_run_options",
    "add_lang",
    "language",
]


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, one-line help, arguments and what it does (returns the exit code)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit code 2, one line, no usage dump
        # argparse says "argument --draws: ..."; the key path comes first, as for configs.
        if message.startswith("argument "):
            message = message[len("argument ") :]
        self.exit(2, f"error: {message}\n")


def positive_int(name):
    # argparse puts the option's name in front of the message: "--draws: must be ...".
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not '{text}'") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
        return value

    parse.__name__ = name  # argparse's fallback name in "invalid <name> value"
    return parse


def seed_arg(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not '{text}'") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63 - 1, not {value}")
    return value


def check_threads(threads):
    if threads is None:
        return
    import numba

    if threads > numba.config.NUMBA_NUM_THREADS:
        raise ConfigError("--threads", f"{threads} is more than the {numba.config.NUMBA_NUM_THREADS} threads numba can use here")


def check_out(out: Path):
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", f"'{out}' is a file, not a folder")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise ConfigError("--out", f"'{parent}' is a file, so '{out}' cannot be a folder")


def slug(text: str) -> str:
    """``text`` as a folder name: every character but letters, digits and ``-_.`` becomes ``-``.

    >>> slug("compare-arbete plus/10")
    'compare-arbete-plus-10'
    """
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def add_run_options(p: argparse.ArgumentParser, out_help: str) -> None:
    """``--draws --seed --out --threads --chunk-draws --quiet``, as every simulating command takes them."""
    p.add_argument("--draws", type=positive_int("--draws"), help="number of draws (default: [simulation] draws)")
    p.add_argument("--seed", type=seed_arg, help="random seed (default: [simulation] seed)")
    p.add_argument("--out", type=Path, help=out_help)
    p.add_argument("--threads", type=positive_int("--threads"), help="threads for the kernel (default: all cores)")
    p.add_argument("--chunk-draws", type=positive_int("--chunk-draws"), help="draws per chunk, to bound memory")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def add_lang(p: argparse.ArgumentParser, what: str = "printed tables") -> None:
    """``--lang sv|en``: the language of what a command prints (default: the config's ``[meta] language``, else Swedish)."""
    p.add_argument("--lang", choices=("sv", "en"), help=f"language of the {what} (default: the config's [meta] language, else sv)")


def language(args, config=None) -> str:
    """``--lang`` if given, else ``[meta] language`` of ``config`` (a Config, or a merged config dict), else ``"sv"``."""
    if getattr(args, "lang", None):
        return args.lang
    meta = getattr(config, "meta", None)
    if meta is None and isinstance(config, dict):
        meta = config.get("meta")
    lang = (meta or {}).get("language")
    return lang if lang in ("sv", "en") else "sv"


def probability(name: str, *, percent: bool = False):
    """An argument type for a probability 0–1 (``percent``: a percentile 0–100, as the tornado's ``--low``/``--high``).

    A value above 1 where a probability is meant says so and names the option:
    ``--prob: 80 is above 1: give the probability as a share 0–1 (0.8 for 80 %)``.
    """

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, not '{text}'") from None
        if percent:
            if not 0 <= value <= 100 or value != value:
                raise argparse.ArgumentTypeError(f"must be a percentile between 0 and 100, not {text}")
            return value
        if value != value or value < 0:
            raise argparse.ArgumentTypeError(f"must be a probability between 0 and 1, not {text}")
        if value > 1:
            raise argparse.ArgumentTypeError(
                f"{text} is above 1: give the probability as a share between 0 and 1 ({value / 100:g} for {value:g} %)"
            )
        return value

    parse.__name__ = name
    return parse

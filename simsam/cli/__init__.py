"""The ``simsam`` command: thin wrappers around the Python API.

Exit codes: 0 success, 2 bad input (config or arguments), with one line on
stderr naming what is wrong and no output folder left behind.

Each subcommand is a :class:`~simsam.cli._common.Command`; a module that adds
one lists it in its ``COMMANDS`` and is named in :data:`COMMAND_MODULES`.
Modules import their heavy dependencies inside ``run`` so that ``simsam --help``
stays fast. Nothing in simsam imports this package: it is the top of the
pipeline.
"""

from __future__ import annotations

import importlib
import sys

from .._version import __version__
from ..errors import ConfigError
from ._common import Command, Parser

__all__ = ["main", "COMMAND_MODULES"]

#: Modules whose ``COMMANDS`` become subcommands, in this order.
COMMAND_MODULES = (
    "simsam.cli.run",
    "simsam.cli.describe",
    "simsam.cli.sensitivity",
    "simsam.cli.analyses",
    "simsam.cli.report",
    "simsam.cli.evidence",
    "simsam.cli.portfolio",
)


def _parser() -> tuple[Parser, dict[str, Command]]:
    parser = Parser(prog="simsam", description="Monte Carlo socio-economic evaluation (NyttoSam with uncertainty).")
    parser.add_argument("--version", action="version", version=f"simsam {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    commands = {}
    for module in COMMAND_MODULES:
        for command in importlib.import_module(module).COMMANDS:
            command.add_arguments(sub.add_parser(command.name, help=command.help))
            commands[command.name] = command
    return parser, commands


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    parser, commands = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # bad arguments (2), or --help / --version (0)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return commands[args.command].run(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; no results written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


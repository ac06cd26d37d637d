"""The ``simsam`` command: thin wrappers around the Python API.

Exit codes: 0 success; 2 bad input (config or arguments), a request too big
for this machine's memory or disk, or an output that cannot be written — with
one line on stderr naming what is wrong and no output folder left behind;
128 + N after signal N (SIGINT 130, SIGTERM 143, SIGHUP 129), with one line
saying what was kept.

Each subcommand is a :class:`~simsam.cli._common.Command`; a module that adds
one lists it in its ``COMMANDS`` and is named in :data:`COMMAND_MODULES`.
Modules import their heavy dependencies inside ``run`` so that ``simsam --help``
stays fast. Nothing in simsam imports this package: it is the top of the
pipeline.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys

from .._version import __version__
from ..errors import ConfigError, OutputError, Stopped
from ..util.folders import committed, describe_os_error
from ..util.signals import stop_on_signals
from ._common import Command, Parser, Session, pause_collector, resume_collector

__all__ = ["main", "COMMAND_MODULES"]

#: Modules whose ``COMMANDS`` become subcommands, in this order.
COMMAND_MODULES = (
    "simsam.cli.run",
    "simsam.cli.describe",
    "simsam.cli.sensitivity",
    "simsam.cli.analyses",
    "simsam.cli.report",
    "simsam.cli.evidence",
    "simsam.cli.monitor",
    "simsam.cli.split",
    "simsam.cli.portfolio",
    "simsam.cli.clean",
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
    # Start-up builds ~120 000 long-lived objects (numpy, numba's typing tables, h5py) and no cyclic garbage; the
    # cyclic collector would walk them all three times (~0.15 s of a 1-s `simsam run`, its last full pass at exit).
    # As the process's own command line (``argv`` None), `simsam run` starts without it and turns it back on after
    # its first chunk (simsam.cli.run), the other commands at once; at the end what is left is frozen, exempt from
    # the interpreter's final collection. A caller passing ``argv`` (a test, a notebook) keeps its own setting.
    if argv is not None:
        return _main(argv)
    pause_collector()
    try:
        return _main(argv)
    finally:
        resume_collector()
        gc.freeze()


def _main(argv: list[str] | None) -> int:
    parser, commands = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # bad arguments (2), or --help / --version (0)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.command != "run":
        resume_collector()
    with stop_on_signals(), Session() as session:
        try:
            return commands[args.command].run(args)
        except OutputError as exc:
            path = f"--out {exc.path}" if any(str(o) == exc.path for o in session.outs) else exc.path
            print(f"error: {ConfigError(path, exc.problem, exc.source)}", file=sys.stderr)
            return 2
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except MemoryError as exc:
            from ..workflows.plan import out_of_memory_text  # on use: simsam --help and the other commands do not load it

            print(f"error: {ConfigError(*out_of_memory_text(session.plan, exc))}", file=sys.stderr)
            return 2
        except Stopped as exc:
            print(_stopped(exc.signum, session), file=sys.stderr)
            return 128 + exc.signum
        except KeyboardInterrupt:  # Ctrl-C where no handler could be installed (not the main thread)
            print("interrupted; " + _kept(session), file=sys.stderr)
            return 130
        except BrokenPipeError:  # output piped into `head` and the like: not an error

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:  # a fault outside any output folder (reading an input, the network)
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"error: {where}{describe_os_error(exc)}", file=sys.stderr)
            return 2


def _kept(session: Session) -> str:
    if not session.outs:
        return "nothing written"
    parts = []
    for out in session.outs:
        if out in committed():
            parts.append(f"{out} was written in full")
        elif session.existed.get(out):
            parts.append(f"nothing written to {out}; the earlier results there are untouched")
        else:
            parts.append(f"nothing written ({out} was not created)")
    return "; ".join(parts)


def _stopped(signum: int, session: Session) -> str:
    return f"stopped by {signal.Signals(signum).name}: {_kept(session)}"

"""The ``simsam`` command: thin wrappers around the Python API.

Exit codes: 0 success, 2 bad input (config or arguments), with one line on
stderr naming what is wrong and no output folder left behind.

Each subcommand is a :class:`Command`; a module that adds one lists it in its
``COMMANDS`` and is named in :data:`COMMAND_MODULES`. Modules import their heavy
dependencies inside ``run`` so that ``simsam --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ._version import __version__
from .errors import ConfigError

__all__ = ["main", "Command", "positive_int", "seed_arg", "check_out", "check_threads"]

#: Modules whose ``COMMANDS`` become subcommands, in this order.
COMMAND_MODULES = ("simsam.cli", "simsam.sensitivity.commands", "simsam.analysis_commands", "simsam.report.commands", "simsam.evidence", "simsam.portfolio_commands")


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, one-line help, arguments and what it does (returns the exit code)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
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


def _run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("config", type=Path)
    run.add_argument("--draws", type=positive_int("--draws"), help="number of draws (default: [simulation] draws)")
    run.add_argument("--seed", type=seed_arg, help="random seed (default: [simulation] seed)")
    run.add_argument("--out", type=Path, help="output folder (default: results/<config stem>/)")
    run.add_argument("--threads", type=positive_int("--threads"), help="threads for the kernel (default: all cores)")
    run.add_argument("--chunk-draws", type=positive_int("--chunk-draws"), help="draws per chunk, to bound memory (default 20 000)")
    run.add_argument("--scheduler", help="run chunks on Dask: local:N (N worker processes) or tcp://HOST:PORT (an existing cluster)")
    run.add_argument("--until-se", type=float, metavar="SE", help="draw in batches (of --draws, default 1 000) until every P(payback ≤ 12/36/horizon) has MC s.e. ≤ SE")
    run.add_argument("--max-draws", type=positive_int("--max-draws"), help="with --until-se: stop here even if not converged (default 1 000 000)")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _without_dask_arrays() -> None:
    """Spare a short run the import of dask.array (about 1 s).

    xarray imports dask.array on its first Dataset whenever dask is installed,
    only to recognise dask arrays; a run without a scheduler creates none. Its
    duck-array cache is told so. (A private xarray detail: if it moves, runs
    are just slower to start.)
    """
    import sys

    if "dask.array" in sys.modules:
        return
    try:
        from xarray.namedarray import pycompat

        unavailable = pycompat.DuckArrayModule.__new__(pycompat.DuckArrayModule)
        unavailable.module, unavailable.type, unavailable.available = None, (), False
        unavailable.version = pycompat.Version("0.0.0")
        pycompat._cached_duck_array_modules.setdefault("dask", unavailable)
    except Exception:  # noqa: BLE001 - an optimisation only
        pass


def cmd_run(args) -> int:
    from .config import load_config
    from .console import summary_text
    from .results import ResultsFile
    from .runner import dask_client, write_run_folder

    cfg = load_config(args.config)
    out = args.out if args.out is not None else Path("results") / args.config.stem
    check_out(out)
    check_threads(args.threads)
    if args.until_se is not None or args.max_draws is not None:
        from .analysis_commands import run_until_se_command

        if args.scheduler is None:
            _without_dask_arrays()

        return run_until_se_command(args, cfg, out)
    from .progress import progress_bar

    draws = args.draws if args.draws is not None else cfg.simulation.draws
    with dask_client(args.scheduler) as client, progress_bar(draws, desc="simsam run", quiet=args.quiet) as bar:
        # On a terminal the bar suggests smaller chunks (~50 steps); results do not depend on chunking.
        chunk = args.chunk_draws or bar.chunk_draws
        summary = write_run_folder(cfg, out, args.draws, args.seed, chunk_draws=chunk, threads=args.threads, client=client, progress=bar)
    if not args.quiet:
        with ResultsFile(Path(out) / "results.nc") as results:
            print(summary_text(results, summary))
        print(f"\nwrote {out}/results.nc, summary.csv, summary.json, summary.xlsx")
    return 0


def cmd_validate(args) -> int:
    from .config import load_config
    from .sampling import ParameterSpace

    cfg = load_config(args.config)
    space = ParameterSpace.from_config(cfg)
    print(
        f"ok: {cfg.name}: {len(cfg.actors)} actors, {len(cfg.outcomes.states)} outcome states, "
        f"{cfg.project.participants} participants, {space.size} uncertain inputs"
    )
    return 0


COMMANDS = (
    Command("run", "simulate a config and write results.nc, summary.csv, summary.json, summary.xlsx", _run_arguments, cmd_run),
    Command("validate", "check a config without running it", lambda p: p.add_argument("config", type=Path), cmd_validate),
)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:

    parser = _Parser(prog="simsam", description="Monte Carlo socio-economic evaluation (NyttoSam with uncertainty).")
    parser.add_argument("--version", action="version", version=f"simsam {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
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


if __name__ == "__main__":
    sys.exit(main())

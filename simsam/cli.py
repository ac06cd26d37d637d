"""The ``simsam`` command: thin wrappers around the Python API.

Exit codes: 0 success, 2 bad input (config or arguments), with one line on
stderr naming what is wrong and no output folder left behind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ConfigError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit code 2, one line, no usage dump
        # argparse says "argument --draws: ..."; the key path comes first, as for configs.
        if message.startswith("argument "):
            message = message[len("argument ") :]
        self.exit(2, f"error: {message}\n")


def _positive(name):
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


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not '{text}'") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63 - 1, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="simsam", description="Monte Carlo socio-economic evaluation (NyttoSam with uncertainty).")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"simsam {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="simulate a config and write results.nc, summary.csv, summary.json")
    run.add_argument("config", type=Path)
    run.add_argument("--draws", type=_positive("--draws"), help="number of draws (default: [simulation] draws)")
    run.add_argument("--seed", type=_seed, help="random seed (default: [simulation] seed)")
    run.add_argument("--out", type=Path, help="output folder (default: results/<config stem>/)")
    run.add_argument("--threads", type=_positive("--threads"), help="numba threads (default: all cores)")
    run.add_argument("--chunk-draws", type=_positive("--chunk-draws"), help="draws per chunk, to bound memory")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")

    val = sub.add_parser("validate", help="check a config without running it")
    val.add_argument("config", type=Path)
    return parser


def _check_threads(threads):
    if threads is None:
        return
    import numba

    if threads > numba.config.NUMBA_NUM_THREADS:
        raise ConfigError("--threads", f"{threads} is more than the {numba.config.NUMBA_NUM_THREADS} threads numba can use here")


def _check_out(out: Path):
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", f"'{out}' is a file, not a folder")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise ConfigError("--out", f"'{parent}' is a file, so '{out}' cannot be a folder")


def cmd_run(args) -> int:
    from .config import load_config
    from .console import summary_text
    from .results import write_run
    from .simulation import simulate
    from .summary import summarize

    cfg = load_config(args.config)
    out = args.out if args.out is not None else Path("results") / args.config.stem
    _check_out(out)
    _check_threads(args.threads)
    ds = simulate(cfg, draws=args.draws, seed=args.seed, threads=args.threads, chunk_draws=args.chunk_draws)
    summary = summarize(ds)
    write_run(ds, out, summary)
    if not args.quiet:
        print(summary_text(ds, summary))
        print(f"\nwrote {out}/results.nc, summary.csv, summary.json")
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # bad arguments (2), or --help / --version (0)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return {"run": cmd_run, "validate": cmd_validate}[args.command](args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; no results written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

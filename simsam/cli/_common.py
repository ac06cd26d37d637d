"""What every command shares: the :class:`Command` record, the argument parser, argument checks, the plan and the output claim.

Each subcommand module lists its commands in ``COMMANDS``; :mod:`simsam.cli`
collects them. Argument types raise ``argparse.ArgumentTypeError`` (argparse
prefixes the option's name); checks that need more than one value raise
:class:`~simsam.errors.ConfigError` naming the option, printed as one line.

A simulating command, once its options and config are checked, calls
:func:`go` with its plan (:mod:`simsam.workflows.plan`): ``--dry-run`` prints
the plan and stops; otherwise a plan that does not fit stops the command
(exit 2), and the output folder is claimed (:func:`simsam.util.folders.claim`)
for the rest of the command, so that a second run into it stops at once.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, ResourceError
from ..util.folders import claim, is_unfinished
from ..util.resources import MEMORY_VARIABLE, human_bytes, parse_bytes

__all__ = [
    "Command",
    "Parser",
    "positive_int",
    "seed_arg",
    "finite_number",
    "probability",
    "check_out",
    "check_threads",
    "slug",
    "add_run_options",
    "add_dry_run",
    "go",
    "Session",
    "add_lang",
    "language",
    "pause_collector",
    "resume_collector",
]

#: Bytes in one file name on the file systems simsam meets (ext4, xfs, NFS, Lustre, tmpfs).
NAME_MAX = 255
#: Files whose presence marks a folder as simsam's output (which a new run may replace).
OUTPUT_FILES = (
    "results.nc",
    "summary.json",
    "sensitivity.nc",
    "compare.nc",
    "breakeven.json",
    "decision.nc",
    "portfolio.nc",
    "manifest.json",
    "evidence.toml",
    "split.json",
    "report.html",
)


class Session:
    """What one ``main()`` call knows beyond its arguments: its plan, its claimed outputs.

    ``main`` opens it; commands reach it through :func:`go` and :func:`check_out`.
    """

    current: Session | None = None

    def __init__(self):
        self.plan = None
        self.outs: list[Path] = []
        self.existed: dict[Path, bool] = {}
        self.claims = contextlib.ExitStack()

    def __enter__(self):
        Session.current = self
        return self

    def __exit__(self, *exc):
        Session.current = None
        self.claims.close()


def _session() -> Session:
    return Session.current or Session()
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


def _whole(text: str) -> int:
    """A whole number as people write it: ``20000``, ``20_000``, ``2e4`` (not ``2.5``, ``nan``, ``inf``)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not '{text}'") from None
    if not math.isfinite(value) or value != math.floor(value):
        raise argparse.ArgumentTypeError(f"must be a whole number, not '{text}'")
    return int(value)


def positive_int(name):
    # argparse puts the option's name in front of the message: "--draws: must be ...".
    def parse(text):
        value = _whole(text)
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
        return value

    parse.__name__ = name  # argparse's fallback name in "invalid <name> value"
    return parse


def seed_arg(text):
    value = _whole(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63 - 1, not {value}")
    return value


def finite_number(text):
    """A finite number (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not '{text}'") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not '{text}'")
    return value


def check_threads(threads):
    if threads is None:
        return
    import numba  # numba, ~0.3 s: only here

    if threads > numba.config.NUMBA_NUM_THREADS:
        raise ConfigError("--threads", f"{threads} is more than the {numba.config.NUMBA_NUM_THREADS} threads numba can use here")


def _package_folder() -> Path:
    return Path(__file__).resolve().parents[1]


def check_out(out: Path, writes: str | None = None):
    """Refuse an output folder that a run must not write or replace, before any work.

    A file; a folder below a file; a folder inside the simsam package; the
    current folder or one above it; a mount point; an unfinished folder of
    another run; an existing folder that holds files simsam did not write (a
    new run replaces its output folder whole, so ``--out configs`` would
    delete the configs), or another command's output (``writes``: the main
    file this command writes, e.g. ``sensitivity.nc``; a sensitivity written
    over a run folder would take the run and its analyses with it).
    """
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", f"'{out}' is a file, not a folder")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise ConfigError("--out", f"'{parent}' is a file, so '{out}' cannot be a folder")
    if not str(out).strip() or out.name in ("", ".", ".."):
        raise ConfigError("--out", f"'{out}' is not a folder name simsam can write (give a new folder, e.g. results/run1)")
    longest = max(len(os.fsencode(part)) for part in out.parts)
    if longest > NAME_MAX - len(".tmp-XXXXXXXX.") - 1:
        raise ConfigError("--out", f"a name in '{out}' is {longest} bytes long; at most {NAME_MAX - 15} fit (the file system allows "
                          f"{NAME_MAX}, and simsam writes a hidden temporary folder of that name with 15 more)")  # fmt: skip
    resolved = Path(os.path.abspath(out))
    package = _package_folder()
    if resolved == package or package in resolved.parents or resolved in package.parents:
        raise ConfigError("--out", f"'{out}' is inside the simsam package ({package}); choose a folder of your own")
    if resolved == Path.cwd() or resolved in Path.cwd().parents:
        raise ConfigError("--out", f"'{out}' is the current folder or above it; a run replaces its output folder whole")
    if out.is_dir() and os.path.ismount(out):
        raise ConfigError("--out", f"'{out}' is a mount point, which a run cannot replace; give a folder inside it")
    if is_unfinished(out):
        raise ConfigError("--out", f"'{out}' is the unfinished folder of an interrupted run, not a place for results")
    if out.is_dir():
        try:
            names = [p.name for p in out.iterdir()]
        except OSError as exc:
            raise ConfigError("--out", f"cannot read '{out}': {exc.strerror}") from None
        if names and not any(n in OUTPUT_FILES for n in names):
            example = sorted(names)[0]
            raise ConfigError(
                "--out", f"'{out}' holds files simsam did not write (e.g. '{example}'), which a run would replace; choose a new folder"
            )
        other = [n for n in OUTPUT_FILES if n in names and n not in (writes, "report.html", "summary.json")]
        if writes is not None and other and writes not in names:
            raise ConfigError(
                "--out", f"'{out}' holds another analysis ({other[0]}), which this one would replace; choose a new folder"
            )


def check_memory_variable() -> None:
    value = os.environ.get(MEMORY_VARIABLE)
    if value:
        try:
            parse_bytes(value)
        except ValueError:
            raise ConfigError(MEMORY_VARIABLE, f"must be a size such as 8G or 500M, not '{value}'") from None


def add_dry_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="print the plan (draws, chunks, workers, memory, disk, time) and stop")


def go(plan, args, *, out: Path | None = None) -> int | None:
    """Before any work: the ``--dry-run`` plan (its exit code), or the checked plan and the claimed output (None: go on).

    Raises
    ------
    ResourceError
        The plan does not fit the memory or the disk.
    OutputError
        Another run writes ``out``, or its place cannot be written.
    """
    from ..workflows.plan import calibrate, check, plan_text  # the engine (numpy): not for --help

    check_memory_variable()
    session = _session()
    session.plan = plan
    if getattr(args, "dry_run", False):
        print(plan_text(plan, calibrate(plan) if plan.rows else None))
        try:
            check(plan)
        except ResourceError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    check(plan)
    if out is not None:
        claim_out(out, quiet=getattr(args, "quiet", False))
    return None


def claim_out(out: Path, *, quiet: bool = False) -> None:
    """Hold ``out``'s lock until the command ends; say what dead runs left there and was removed."""
    session = _session()
    session.existed[out] = out.exists()
    session.outs.append(out)  # before the claim: a busy folder's message names --out
    removed = session.claims.enter_context(claim(out))
    if removed and not quiet:
        size = human_bytes(sum(x.bytes for x in removed))
        names = ", ".join(x.path.name for x in removed)
        print(f"note: removed {names} ({size}), left in {out.parent} by an interrupted run", file=sys.stderr)


def slug(text: str) -> str:
    """``text`` as a folder name: every character but letters, digits and ``-_.`` becomes ``-``.

    >>> slug("compare-arbete plus/10")
    'compare-arbete-plus-10'
    """
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def add_run_options(p: argparse.ArgumentParser, out_help: str, *, chunks: bool = True, dry_run: bool = True) -> None:
    """``--draws --seed --out --threads --chunk-draws --quiet --dry-run``, as every simulating command takes them
    (``--chunk-draws`` where the command runs its draws in chunks, ``--dry-run`` where it plans)."""
    p.add_argument("--draws", type=positive_int("--draws"), help="number of draws (default: [simulation] draws)")
    p.add_argument("--seed", type=seed_arg, help="random seed (default: [simulation] seed)")
    p.add_argument("--out", type=Path, help=out_help)
    p.add_argument("--threads", type=positive_int("--threads"), help="threads for the kernel (default: all cores)")
    if chunks:
        p.add_argument("--chunk-draws", type=positive_int("--chunk-draws"), help="draws per chunk, to bound memory")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    if dry_run:
        add_dry_run(p)


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


_collector_paused = False  # main() turned the cyclic collector off for this process's start-up


def pause_collector() -> None:
    """Turn the cyclic garbage collector off for the start-up of the process's own command line (:func:`simsam.cli.main`)."""
    global _collector_paused
    gc.disable()
    _collector_paused = True


def resume_collector() -> None:
    """Turn the collector back on if :func:`pause_collector` turned it off, with what start-up made frozen (never walked
    again); a caller's own setting (main() given ``argv``) is left alone. Frozen with it is start-up's own cyclic
    garbage, never freed: ~1 500 objects at a run's first chunk (counted with ``gc.collect()``), once a process."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()

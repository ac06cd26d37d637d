"""``simsam clean [DIR]``: remove what interrupted runs left behind (their hidden temporary folders)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError
from ..util.folders import clean
from ..util.resources import human_bytes
from ._common import Command

__all__ = ["COMMANDS"]


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "folder", type=Path, nargs="?", default=Path("results"), metavar="DIR", help="where to look, recursively (default: results)"
    )
    p.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def cmd_clean(args) -> int:
    """Remove the ``.NAME.tmp-*`` (and swapped-out ``.NAME.old-*``) folders whose run is gone; keep live runs' folders."""
    folder = args.folder
    if not folder.is_dir():
        raise ConfigError("DIR", f"'{folder}' is not a folder" if folder.exists() else f"no folder '{folder}'")
    removed, kept = clean(folder, dry_run=args.dry_run)
    if not args.quiet:
        verb = "would remove" if args.dry_run else "removed"
        for left in removed:
            what = "an earlier result swapped out" if left.kind == "old" else "unfinished output"
            print(f"{verb} {left.path} ({human_bytes(left.bytes)}, {what} for {left.target.name}, from a run that is gone)")
        for left, who in kept:
            print(f"kept {left.path}: {who} is writing it")
        total = human_bytes(sum(x.bytes for x in removed))
        print(f"{verb} {len(removed)} folder{'s' if len(removed) != 1 else ''} ({total}) under {folder}" if removed else
              f"nothing to remove under {folder}")  # fmt: skip
    return 0


COMMANDS = (Command("clean", "remove the temporary folders that interrupted runs left (never a live run's)", _arguments, cmd_clean),)

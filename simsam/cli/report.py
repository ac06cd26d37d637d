"""``simsam report DIR [--lang sv|en] [--out FILE]``: figures and the HTML report of a finished run."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import Command

__all__ = ["COMMANDS", "cmd_report"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, metavar="DIR", help="a run folder (with results.nc) from `simsam run`")
    parser.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the report and figures (default: sv)")
    parser.add_argument("--out", type=Path, help="the HTML file to write (default: DIR/report.html)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def cmd_report(args) -> int:
    import time

    from ..errors import ConfigError
    from ..report.html import build_report
    from ..util.folders import is_unfinished

    if is_unfinished(args.folder):
        raise ConfigError("DIR", f"'{args.folder}' is the unfinished folder of an interrupted run, not results (simsam clean removes it)")
    start = time.perf_counter()
    out = build_report(args.folder, lang=args.lang, out=args.out)
    if not args.quiet:
        print(f"wrote {out} and {args.folder / 'figures'}/ ({time.perf_counter() - start:.1f} s)")
    return 0


COMMANDS = (Command("report", "figures and a self-contained HTML report of a finished run", _arguments, cmd_report),)

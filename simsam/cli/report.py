"""``simsam report DIR [--lang sv|en] [--out FILE]``: figures and the HTML report of a run or an experiment folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ._common import Command

__all__ = ["COMMANDS", "cmd_report"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, metavar="DIR", help="a run folder (simsam run) or an experiment folder (simsam experiment)")
    parser.add_argument(
        "--lang", choices=("sv", "en"), help="language of the report and figures (default: the config's [meta] language, else sv)"
    )
    parser.add_argument("--out", type=Path, help="the HTML file to write (default: DIR/report.html, or DIR/report-en.html in English)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def cmd_report(args) -> int:

    from ..errors import ConfigError  # on use: simsam --help and the other commands do not load it
    from ..report.html import build_report  # on use: simsam --help and the other commands do not load it
    from ..util.folders import is_unfinished  # on use: simsam --help and the other commands do not load it

    if is_unfinished(args.folder):
        raise ConfigError("DIR", f"'{args.folder}' is the unfinished folder of an interrupted run, not results (simsam clean removes it)")
    start = time.perf_counter()
    from ..report.html import default_language  # on use: simsam --help and the other commands do not load it

    lang = args.lang or default_language(args.folder)
    out = build_report(args.folder, lang=lang, out=args.out)
    if not args.quiet:
        print(f"wrote {out} and {args.folder / 'figures' / lang}/ ({time.perf_counter() - start:.1f} s)")
    return 0


COMMANDS = (
    Command("report", "one self-contained HTML report of a run or experiment folder, every analysis in it", _arguments, cmd_report),
)

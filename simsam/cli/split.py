"""``simsam split CONFIG``: who should pay what? The cost split designer.

The analysis is :mod:`simsam.analysis.split`. Writes under ``--out`` (default
``results/<config stem>/split/``, atomically): ``split.json`` (what the report shows),
``split.csv`` (per split and actor: share, P(payback ≤ 12/36/60), the median payback, the
expected net benefit, P(net benefit after ``--year`` ≥ 0), the settlement, each with its Monte
Carlo error), ``split.nc`` (the draws of every split), and the run's ``results.nc`` and
summaries, so that ``simsam report`` on the folder (or on the run folder it sits in) has the
section "Vem ska betala vad?".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import Command, add_lang, add_run_options, check_out, check_threads, go, language, positive_int, probability

__all__ = ["COMMANDS"]


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path)
    p.add_argument("--actors", metavar="A,B,...", help="the financing actors whose shares are designed (default: project.cost_split's)")
    p.add_argument("--shares", metavar="A=S,B=S,...", help="a split of your own over the financing actors, shares summing to 1")
    p.add_argument("--month", type=positive_int("--month"), default=60, help="M of the max-min split's P(payback ≤ M), months (default 60)")
    p.add_argument("--year", type=positive_int("--year"),
                   help="the settlement's year Y: P(net benefit after Y years ≥ 0) (default: the horizon's)")
    p.add_argument("--p", type=probability("--p"), default=0.8, help="the settlement's level: every actor P ≥ p (default 0.8)")
    add_run_options(p, "output folder (default: results/<config stem>/split/)", chunks=False)
    add_lang(p)


def cmd_split(args) -> int:
    from ..analysis.split import check_options, financing_actors, parse_shares, run_split  # on use: simsam --help does not load numpy
    from ..config import load_config  # on use: simsam --help and the other commands do not load it

    cfg = load_config(args.config)
    lang = language(args, cfg)
    check_threads(args.threads)
    out = args.out if args.out is not None else Path("results") / args.config.stem / "split"
    check_out(out, writes="split.json")
    actors = financing_actors(cfg, [a.strip() for a in args.actors.split(",") if a.strip()] if args.actors is not None else None)
    shares = parse_shares(args.shares, actors) if args.shares is not None else None
    check_options(cfg, args.month, args.year, args.p)
    from ..workflows.plan import plan_split  # the engine (numpy): not for --help

    draws = args.draws if args.draws is not None else cfg.simulation.draws
    if (code := go(plan_split(cfg, draws, len(actors), out=out, threads=args.threads), args, out=out)) is not None:
        return code
    result = run_split(cfg, draws, args.seed, actors=actors, shares=shares, month=args.month, year=args.year, level=args.p,
                       threads=args.threads)
    summary = result.summary()
    write_split(result, summary, out, lang)
    if not args.quiet:
        from ..report.tables import split_text  # on use: simsam --help and the other commands do not load it

        print(split_text(summary, lang))
        print(f"\nwrote {out}/split.json, split.csv, split.nc and the run's results.nc, summary.*")
    return 0


def write_split(result, summary: dict, out: Path, lang: str) -> None:
    """Every file of the folder, atomically (:func:`simsam.util.atomic_folder`)."""
    from ..analysis.split import write_split_files  # on use: simsam --help does not load numpy
    from ..analysis.summary import summarize  # on use: simsam --help and the other commands do not load it
    from ..results.netcdf import write_results  # on use: simsam --help and the other commands do not load it
    from ..util import atomic_folder  # on use: simsam --help and the other commands do not load it
    from ..workflows.run_folder import write_summaries  # on use: simsam --help and the other commands do not load it

    with atomic_folder(out) as tmp:
        ds = result.dataset()
        write_results(ds, tmp / "results.nc")
        write_summaries(ds, summarize(ds), tmp, lang)
        write_split_files(result, summary, tmp)


COMMANDS = (
    Command(
        "split",
        "who should pay what: the current, benefit-proportional, max-min and Finsam splits of the cost, and settlements, on the same draws",
        _arguments,
        cmd_split,
    ),
)

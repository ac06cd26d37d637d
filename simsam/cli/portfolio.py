"""``simsam portfolio FILE``: several projects of one association on shared economic inputs.

See :mod:`simsam.analysis.portfolio` for the file format and the semantics.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import Command, add_dry_run, add_lang, check_out, go, language, positive_int, seed_arg

__all__ = ["COMMANDS"]


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE", help="portfolio TOML: [[project]] tables with config = \"FILE.toml\"")
    p.add_argument("--draws", type=positive_int("--draws"), help="number of draws (default: [portfolio] draws, or 10 000)")
    p.add_argument("--seed", type=seed_arg, help="random seed (default: [portfolio] seed, or 1)")
    p.add_argument("--out", type=Path, help="output folder (default: results/portfolio-<file stem>/)")
    p.add_argument("--chunk-draws", type=positive_int("--chunk-draws"), help="draws per chunk, to bound memory (default 20 000)")
    p.add_argument(
        "--price-level",
        type=positive_int("--price-level"),
        metavar="YYYY",
        help="restate every project's kronor to this year's by KPI (default: the latest price level of the projects)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_dry_run(p)
    add_lang(p)


def cmd_portfolio(args) -> int:
    from ..analysis.portfolio import (  # on use: simsam --help and the other commands do not load it
        load_portfolio,
        portfolio_summary,
        run_portfolio,
        write_portfolio,
    )
    from ..analysis.prices import common_price_level, price_note  # on use: simsam --help and the other commands do not load it
    from ..engine.sampling import ParameterSpace  # on use: simsam --help and the other commands do not load it
    from ..report.tables import portfolio_text  # on use: simsam --help and the other commands do not load it
    from ..workflows.plan import plan_portfolio  # on use: simsam --help and the other commands do not load it

    portfolio = load_portfolio(args.file)
    out = args.out if args.out is not None else Path("results") / f"portfolio-{args.file.stem}"
    check_out(out, "portfolio.nc")
    common_price_level({p.name: p.config.prices.level for p in portfolio.projects}, args.price_level)  # exit 2 before the runs
    configs = [p.config for p in portfolio.projects]
    union = dict.fromkeys(n for c in configs for n in ParameterSpace.from_config(c).names)
    draws = portfolio.draws if args.draws is None else args.draws
    plan = plan_portfolio(configs, draws, len(union), chunk_draws=args.chunk_draws, out=out)
    if (code := go(plan, args, out=out)) is not None:
        return code
    ds = run_portfolio(portfolio, args.draws, args.seed, chunk_draws=args.chunk_draws, price_level=args.price_level)
    table = portfolio_summary(ds)
    write_portfolio(ds, table, out)
    if not args.quiet:
        print(price_note(ds, "project"))
        print(portfolio_text(ds, table, language(args, portfolio.projects[0].config)))
        print(f"\nwrote {out}/portfolio.nc, portfolio.csv")
    return 0


COMMANDS = (
    Command(
        "portfolio", "simulate several projects on shared economic inputs: per project and for the whole budget", _arguments, cmd_portfolio
    ),
)

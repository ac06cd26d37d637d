"""``simsam sensitivity CONFIG --method tornado|prcc|sobol|morris``: writes sensitivity.nc and sensitivity.csv.

The options are :class:`simsam.analysis.sensitivity.options.SensitivityOptions`; heavy imports stay inside
:func:`cmd_sensitivity` so that ``simsam --help`` is fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..analysis.sensitivity import METHODS
from ..errors import ConfigError
from ._common import Command, add_dry_run, add_lang, check_out, check_threads, go, language, positive_int, probability, seed_arg

__all__ = ["COMMANDS"]


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path)
    p.add_argument("--method", required=True, choices=METHODS, help="tornado (one-way), prcc, sobol or morris")
    p.add_argument(
        "--target",
        default="payback_months",
        help="payback_months (default; not reached = horizon + 1), p_payback (P(payback <= --month)), "
        "annual_revenue, net_benefit (at --year), cost, utilised_potential; also p_payback_36, net_benefit_5y",
    )
    p.add_argument("--actor", default="society", help="an actor of the config, or society (default)")
    p.add_argument("--month", type=positive_int("--month"), help="month of p_payback (default 36)")
    p.add_argument("--year", type=positive_int("--year"), help="year of net_benefit (default: the horizon's last)")
    p.add_argument(
        "--n",
        "--draws",
        dest="n",
        type=positive_int("--n"),
        help="sample size: prcc draws (default [simulation] draws), sobol base N, a power of 2 "
        "(default 1024; N·(groups + 2) runs), morris trajectories (default 100)",
    )
    p.add_argument("--seed", type=seed_arg, help="random seed (default: [simulation] seed; the tornado needs none)")
    p.add_argument(
        "--cohort",
        choices=("expected", "sampled"),
        help="expected (Markov trace: parameter uncertainty alone; default for tornado, sobol, morris) or sampled "
        "(cohort randomness too; sobol and morris then report it as the input 'cohort'); prcc default: [simulation] cohort",
    )
    p.add_argument("--low", type=probability("--low"), help="tornado: each input's low quantile, 0–1 (default 0.05)")
    p.add_argument("--high", type=probability("--high"), help="tornado: each input's high quantile, 0–1 (default 0.95)")
    p.add_argument("--levels", type=positive_int("--levels"), help="morris: grid levels, an even number (default 4)")
    p.add_argument(
        "--by",
        choices=("input", "evidence"),
        help="sobol: rows per input (default) or per evidence grade (high, medium, low, ungraded: each grade's share of the "
        "target's variance, for every actor; writes sensitivity_evidence.csv too)",
    )
    p.add_argument(
        "--over-time",
        dest="over_time",
        action="store_true",
        default=None,
        help="sobol and prcc: also every actor's net benefit at each year's end and P(payback <= 12, 24, ... months) "
        "from the same design, as (actor, year, parameter) variables and sensitivity_time.csv",
    )
    p.add_argument(
        "--out",
        type=Path,
        help="output folder (default: results/<config stem>/sensitivity-<method>/, sensitivity-sobol-evidence/ with --by evidence)",
    )
    p.add_argument("--threads", type=positive_int("--threads"), help="threads for the kernel (default: all cores)")
    p.add_argument("--scheduler", help="sobol and morris: run the model on Dask, local:N (N worker processes) or tcp://HOST:PORT")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_dry_run(p)
    add_lang(p)


def _options(args):
    from ..analysis.sensitivity.options import SensitivityOptions  # on use: simsam --help and the other commands do not load it

    fields = SensitivityOptions.__dataclass_fields__
    values = {k: getattr(args, k) for k in fields}
    if args.method == "tornado" and (args.low is not None or args.high is not None):
        # Quantiles as probabilities 0–1, like every probability of the command line; the options take percentiles.
        low = 0.05 if args.low is None else args.low
        high = 0.95 if args.high is None else args.high
        for key, value in (("--low", low), ("--high", high)):
            if not 0 < value < 1:
                raise ConfigError(key, f"must be a probability strictly between 0 and 1, not {value:g}")
        if not low < high:
            raise ConfigError("--low", f"{low:g} must be below --high {high:g}")
    for key in ("low", "high"):
        if values[key] is not None:
            values[key] = 100 * values[key]
    return SensitivityOptions(**values)


def cmd_sensitivity(args) -> int:
    from ..analysis.sensitivity.options import (  # on use: simsam --help and the other commands do not load it
        CLUSTER_METHODS,
        prepare,
        run_sensitivity,
    )
    from ..analysis.sensitivity.output import write_sensitivity  # on use: simsam --help and the other commands do not load it
    from ..config import load_config  # on use: simsam --help and the other commands do not load it
    from ..engine.run import check_scheduler  # on use: simsam --help and the other commands do not load it
    from ..report.tables import (  # on use: simsam --help and the other commands do not load it
        evidence_text,
        over_time_text,
        ranking_text,
    )
    from ..workflows.plan import plan_sensitivity  # on use: simsam --help and the other commands do not load it

    options = _options(args).checked()  # options alone: before the config is read
    cfg = load_config(args.config)
    options, target = prepare(cfg, options)
    folder = f"sensitivity-{args.method}" + ("-evidence" if options.by == "evidence" else "")
    out = args.out if args.out is not None else Path("results") / args.config.stem / folder
    check_out(out, "sensitivity.nc")
    check_threads(args.threads)
    if args.scheduler is not None and args.method not in CLUSTER_METHODS:
        raise ConfigError("--scheduler", f"runs the sobol and morris designs on a cluster; {args.method} runs here (drop --scheduler)")
    check_scheduler(args.scheduler)
    plan = plan_sensitivity(cfg, options, out=out, scheduler=args.scheduler, threads=args.threads)
    if (code := go(plan, args, out=out)) is not None:
        return code
    if args.scheduler is not None:
        from ..engine.run import dask_client  # on use: simsam --help and the other commands do not load it

        with dask_client(args.scheduler) as client:
            ds = run_sensitivity(cfg, options, target, threads=args.threads, client=client)
    else:
        ds = run_sensitivity(cfg, options, target, threads=args.threads)
    write_sensitivity(ds, out)
    if not args.quiet:
        lang = language(args, cfg)
        print(ranking_text(ds, lang=lang))
        extra = ""
        if "actor_ST" in ds:
            print("\n" + evidence_text(ds, lang=lang))
            extra += ", sensitivity_evidence.csv"
        if "net_benefit_S1" in ds or "net_benefit_prcc" in ds:
            print("\n" + over_time_text(ds, lang=lang))
            extra += ", sensitivity_time.csv"
        print(f"\nwrote {out}/sensitivity.nc, sensitivity.csv{extra}")
    return 0


COMMANDS = (
    Command(
        "sensitivity",
        "which inputs drive a result: tornado, PRCC, Sobol or Morris; writes sensitivity.nc and sensitivity.csv",
        _arguments,
        cmd_sensitivity,
    ),
)

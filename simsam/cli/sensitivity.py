"""``simsam sensitivity CONFIG --method tornado|prcc|sobol|morris``: writes sensitivity.nc and sensitivity.csv.

Heavy imports stay inside :func:`cmd_sensitivity` so that ``simsam --help`` is fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import Command, check_out, check_threads, positive_int, seed_arg
from ..errors import ConfigError
from ..sensitivity import METHODS

__all__ = ["COMMANDS"]

DEFAULT_N = {"sobol": 1024, "morris": 100}  # prcc: [simulation] draws


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not '{text}'") from None


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
    p.add_argument("--low", type=_number, help="tornado: low percentile of each input (default 5)")
    p.add_argument("--high", type=_number, help="tornado: high percentile of each input (default 95)")
    p.add_argument("--levels", type=positive_int("--levels"), help="morris: grid levels, an even number (default 4)")
    p.add_argument("--out", type=Path, help="output folder (default: results/<config stem>/sensitivity-<method>/)")
    p.add_argument("--threads", type=positive_int("--threads"), help="threads for the kernel (default: all cores)")
    p.add_argument("--scheduler", help="sobol and morris: run the model on Dask, local:N (N worker processes) or tcp://HOST:PORT")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _check_options(args) -> None:
    """Options that do not apply to the method, or numbers it cannot use: exit 2 before any run."""
    m = args.method
    if m == "tornado":
        if args.n is not None:
            raise ConfigError("--n", "the tornado runs each input at two percentiles and takes no sample size")
        if args.cohort == "sampled":
            raise ConfigError("--cohort", "the tornado runs on the expected cohort so that its bars carry no cohort noise")
        low = 5.0 if args.low is None else args.low
        high = 95.0 if args.high is None else args.high
        for name, value in (("--low", low), ("--high", high)):
            if not 0 < value < 100:
                raise ConfigError(name, f"must be a percentile between 0 and 100 (exclusive), not {value:g}")
        if not low < high:
            raise ConfigError("--low", f"{low:g} must be below --high {high:g}")
        args.low, args.high = low, high
    elif args.low is not None or args.high is not None:
        raise ConfigError("--low" if args.low is not None else "--high", f"is for --method tornado, not {m}")
    if m == "morris":
        args.levels = 4 if args.levels is None else args.levels
        if args.levels < 2 or args.levels % 2:
            raise ConfigError("--levels", f"must be an even number of at least 2, not {args.levels}")
    elif args.levels is not None:
        raise ConfigError("--levels", f"is for --method morris, not {m}")
    if m == "sobol":
        args.n = DEFAULT_N["sobol"] if args.n is None else args.n
        if args.n < 2 or args.n & (args.n - 1):
            lower = 1 << (args.n.bit_length() - 1)
            raise ConfigError("--n", f"must be a power of 2 for the Sobol design, not {args.n} (e.g. {max(lower, 2)} or {lower * 2})")
    if m == "morris" and args.n is None:
        args.n = DEFAULT_N["morris"]
    if m == "morris" and args.n < 2:
        raise ConfigError("--n", "Morris needs at least 2 trajectories")
    if m == "prcc" and args.n is not None and args.n < 4:
        raise ConfigError("--n", f"PRCC needs at least 4 draws, not {args.n}")


def cmd_sensitivity(args) -> int:
    from ..config import load_config
    from ..sampling import ParameterSpace
    from ..sensitivity.model import check_space
    from ..sensitivity.output import ranking_text, write_sensitivity
    from ..sensitivity.prcc import run_prcc
    from ..sensitivity.targets import parse_target
    from ..sensitivity.tornado import run_tornado

    _check_options(args)
    cfg = load_config(args.config)
    target = parse_target(args.target, cfg, args.actor, month=args.month, year=args.year)
    check_space(ParameterSpace.from_config(cfg))
    if args.method == "prcc" and args.n is None and cfg.simulation.draws < 4:
        raise ConfigError("simulation.draws", f"PRCC needs at least 4 draws, not {cfg.simulation.draws}; give --n")
    out = args.out if args.out is not None else Path("results") / args.config.stem / f"sensitivity-{args.method}"
    check_out(out)
    check_threads(args.threads)
    cohort = args.cohort
    if args.scheduler is not None and args.method not in ("sobol", "morris"):
        raise ConfigError("--scheduler", f"runs the sobol and morris designs on a cluster; {args.method} runs here (drop --scheduler)")
    if args.scheduler is not None:
        from ..runner import dask_client

        with dask_client(args.scheduler) as client:
            ds = _run_design(args, cfg, target, cohort, client)
    elif args.method == "tornado":
        ds = run_tornado(cfg, target=target, low=args.low, high=args.high, threads=args.threads)
    elif args.method == "prcc":
        ds = run_prcc(cfg, target=target, draws=args.n, seed=args.seed, cohort=cohort, threads=args.threads)
    else:
        ds = _run_design(args, cfg, target, cohort, None)
    write_sensitivity(ds, out)
    if not args.quiet:
        print(ranking_text(ds))
        print(f"\nwrote {out}/sensitivity.nc, sensitivity.csv")
    return 0


def _run_design(args, cfg, target, cohort, client):
    """Sobol or Morris, here or (``client``) on a cluster."""
    from ..sensitivity.morris import run_morris
    from ..sensitivity.sobol import run_sobol

    if args.method == "sobol":
        return run_sobol(cfg, target=target, n=args.n, seed=args.seed, cohort=cohort or "expected", threads=args.threads, client=client)
    return run_morris(
        cfg, target=target, trajectories=args.n, levels=args.levels, seed=args.seed, cohort=cohort or "expected", threads=args.threads, client=client
    )


COMMANDS = (
    Command(
        "sensitivity",
        "which inputs drive a result: tornado, PRCC, Sobol or Morris; writes sensitivity.nc and sensitivity.csv",
        _arguments,
        cmd_sensitivity,
    ),
)

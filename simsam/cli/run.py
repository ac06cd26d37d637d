"""``simsam run`` (also batched, ``--until-se``) and ``simsam validate``."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from ..errors import ConfigError
from ._common import (
    Command,
    add_dry_run,
    add_lang,
    check_out,
    check_threads,
    finite_number,
    go,
    language,
    positive_int,
    resume_collector,
    seed_arg,
)

__all__ = ["COMMANDS"]


def _run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("config", type=Path)
    run.add_argument("--draws", type=positive_int("--draws"), help="number of draws (default: [simulation] draws)")
    run.add_argument("--seed", type=seed_arg, help="random seed (default: [simulation] seed)")
    run.add_argument("--out", type=Path, help="output folder (default: results/<config stem>/)")
    run.add_argument("--threads", type=positive_int("--threads"), help="threads for the kernel (default: all cores)")
    run.add_argument("--chunk-draws", type=positive_int("--chunk-draws"),
                     help="draws per chunk, to bound memory (default 20 000; in this process a twentieth of --draws, up to 50 000)")
    run.add_argument("--scheduler", help="run chunks on Dask: local:N (N worker processes) or tcp://HOST:PORT (an existing cluster)")
    run.add_argument(
        "--until-se",
        type=finite_number,
        metavar="SE",
        help="draw in batches (of --draws, default 1 000) until every P(payback ≤ 12/36/horizon) has MC s.e. ≤ SE",
    )
    run.add_argument(
        "--max-draws", type=positive_int("--max-draws"), help="with --until-se: stop here even if not converged (default 1 000 000)"
    )
    run.add_argument(
        "--compression",
        choices=("fast", "small"),
        default="fast",
        help="results.nc: deflate only the chunks that shrink well (fast, default) or every chunk (small: ~13 %% smaller, slower)",
    )
    run.add_argument(
        "--inputs",
        choices=("stored", "seed"),
        default="stored",
        help="results.nc: store the input values (stored, default) or leave them out, to be drawn again from the config and "
        "seed on reading (seed: ~26 %% smaller; simsam.open_results and engine='simsam' rebuild them, checked by CRC-32)",
    )
    run.add_argument(
        "--store",
        choices=("amounts", "states"),
        default="amounts",
        help="results.nc: the results as amounts any NetCDF reader sees (amounts, default), or each draw's state occupancy per "
        "month, from which simsam computes every result again on reading, bit for bit (states: ~1/3 of the size, 1/10 with "
        "--inputs seed; sampled cohorts only)",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_dry_run(run)
    add_lang(run, "printed table and of summary.xlsx")


def _without_dask_arrays() -> None:
    """Spare a short run the import of dask.array (about 1 s).

    xarray imports dask.array on its first Dataset whenever dask is installed,
    only to recognise dask arrays; a run without a scheduler creates none. Its
    duck-array cache is told so. (A private xarray detail: if it moves, runs
    are just slower to start.)
    """

    if "dask.array" in sys.modules:
        return
    try:
        from xarray.namedarray import pycompat  # xarray, ~0.5 s: only where a Dataset is built or read

        unavailable = pycompat.DuckArrayModule.__new__(pycompat.DuckArrayModule)
        unavailable.module, unavailable.type, unavailable.available = None, (), False
        unavailable.version = pycompat.Version("0.0.0")
        pycompat._cached_duck_array_modules.setdefault("dask", unavailable)
    except Exception:  # noqa: BLE001 - an optimisation only
        pass


def _collecting_after_first(progress):
    """``progress``, turning the cyclic garbage collector back on after the first chunk when :func:`simsam.cli.main`
    started the run without it: numba and the kernels are loaded by then, and their objects are frozen."""

    def step(n: int) -> None:
        resume_collector()
        progress(n)

    return step


def cmd_run(args) -> int:
    from ..config import load_config  # on use: simsam --help and the other commands do not load it
    from ..engine.evaluate import DEFAULT_CHUNK_DRAWS  # on use: simsam --help and the other commands do not load it
    from ..engine.run import check_scheduler, dask_client  # on use: simsam --help and the other commands do not load it
    from ..report.tables import summary_text  # on use: simsam --help and the other commands do not load it
    from ..results import ResultsFile  # on use: simsam --help and the other commands do not load it
    from ..workflows.plan import plan_run  # on use: simsam --help and the other commands do not load it
    from ..workflows.run_folder import write_run_folder  # on use: simsam --help and the other commands do not load it

    cfg = load_config(args.config)
    out = args.out if args.out is not None else Path("results") / args.config.stem
    check_out(out, "results.nc")
    check_threads(args.threads)
    check_scheduler(args.scheduler)
    if args.store == "states":
        _check_states(args, cfg)
    if args.until_se is not None or args.max_draws is not None:
        if args.scheduler is None:
            _without_dask_arrays()

        resume_collector()  # its batches are held in memory, and go through xarray: collected as usual
        return _run_until_se(args, cfg, out)
    from ..util.progress import progress_bar  # on use: simsam --help and the other commands do not load it

    draws = args.draws if args.draws is not None else cfg.simulation.draws
    plan = plan_run(cfg, draws, chunk_draws=args.chunk_draws, out=out, scheduler=args.scheduler, threads=args.threads, store=args.store)
    if (code := go(plan, args, out=out)) is not None:
        return code
    with dask_client(args.scheduler) as client, progress_bar(draws, desc="simsam run", quiet=args.quiet) as bar:
        # On a terminal the bar suggests smaller chunks (~50 steps), unless the run takes larger ones by itself
        # (run_chunk_draws: still 20 steps or more); results do not depend on chunking.
        chunk = args.chunk_draws or (bar.chunk_draws if plan.chunk <= DEFAULT_CHUNK_DRAWS else plan.chunk)
        summary = write_run_folder(cfg, out, args.draws, args.seed, chunk_draws=chunk, threads=args.threads, client=client,
                                   progress=_collecting_after_first(bar),
                                   lang=language(args, cfg), compression=args.compression, inputs=args.inputs, store=args.store)
    if not args.quiet:
        with ResultsFile(Path(out) / "results.nc") as results:
            print(summary_text(results, summary, language(args, cfg)))
        print(f"\nwrote {out}/results.nc, summary.csv, summary.json, summary.xlsx")
    return 0


def _check_states(args, cfg) -> None:
    """``--store states`` needs a sampled cohort (whole participants per state) and a run written chunk by chunk."""
    from ..engine.evaluate import engine_of  # on use: simsam --help and the other commands do not load it
    from ..errors import ConfigError  # on use: simsam --help and the other commands do not load it

    if args.until_se is not None or args.max_draws is not None:
        raise ConfigError("--store", "states is for a run of --draws, not with --until-se/--max-draws (use --store amounts)")
    if engine_of(cfg) == "expected":
        raise ConfigError("--store", "states needs a sampled cohort: with simulation.cohort = \"expected\" the occupancy is not "
                                     "whole participants (use --store amounts)")


def _kind_of_file(path: Path) -> str:
    """``"experiment"`` (``[[analysis]]`` tables), ``"portfolio"`` (``[portfolio]`` or ``[[project]]``) or ``"config"``."""

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "config"  # the config loader says what is wrong with it
    if "analysis" in data and "config" in data:
        return "experiment"
    if "portfolio" in data or isinstance(data.get("project"), list):
        return "portfolio"
    return "config"


def cmd_validate(args) -> int:
    """Check a config, an experiment file or a portfolio file (told apart by their tables) without running anything."""
    from ..config import load_config  # on use: simsam --help and the other commands do not load it
    from ..engine.sampling import ParameterSpace  # on use: simsam --help and the other commands do not load it

    kind = _kind_of_file(args.config)
    if kind == "experiment":
        from ..workflows.experiment import load_experiment  # on use: simsam --help and the other commands do not load it

        exp = load_experiment(args.config)
        kinds = ", ".join(f"{a.kind} ({a.name})" if a.name != a.kind else a.kind for a in exp.analyses)
        print(f"ok: experiment {exp.name}: config {exp.config.name}, seed {exp.seed}, {exp.draws} draws, "
              f"{len(exp.analyses)} analyses: {kinds}")
        return 0
    if kind == "portfolio":
        from ..analysis.portfolio import load_portfolio  # on use: simsam --help and the other commands do not load it

        portfolio = load_portfolio(args.config)
        names = ", ".join(p.name for p in portfolio.projects)
        print(f"ok: portfolio {portfolio.name}: {len(portfolio.projects)} projects ({names}), {portfolio.draws} draws, "
              f"seed {portfolio.seed}, horizon {portfolio.horizon_months} months")
        return 0
    cfg = load_config(args.config)
    space = ParameterSpace.from_config(cfg)
    print(
        f"ok: config {cfg.name}: {len(cfg.actors)} actors, {len(cfg.outcomes.states)} outcome states, "
        f"{cfg.project.participants} participants, {space.size} uncertain inputs"
    )
    return 0


def _run_until_se(args, cfg, out: Path) -> int:
    """``simsam run --until-se SE [--max-draws N]``: batches of ``--draws`` until converged."""
    from ..analysis.convergence import (  # on use: simsam --help and the other commands do not load it
        DEFAULT_BATCH,
        DEFAULT_MAX_DRAWS,
        run_until_se,
    )
    from ..analysis.summary import summarize  # on use: simsam --help and the other commands do not load it
    from ..engine.run import dask_client  # on use: simsam --help and the other commands do not load it
    from ..report.tables import summary_text  # on use: simsam --help and the other commands do not load it
    from ..workflows.plan import plan_run  # on use: simsam --help and the other commands do not load it
    from ..workflows.run_folder import write_run  # on use: simsam --help and the other commands do not load it

    if args.until_se is None:
        raise ConfigError("--max-draws", "only applies with --until-se")
    if not 0.0 < args.until_se < 0.5:
        raise ConfigError("--until-se", f"must be a standard error between 0 and 0.5, not {args.until_se:g}")
    if args.max_draws is not None and args.draws is not None and args.draws > args.max_draws:
        raise ConfigError("--draws", f"the batch size {args.draws} is more than --max-draws {args.max_draws}")
    most = args.max_draws or DEFAULT_MAX_DRAWS
    plan = plan_run(cfg, most, chunk_draws=args.chunk_draws, out=out, scheduler=args.scheduler, threads=args.threads, until_se=True,
                    batch=args.draws or DEFAULT_BATCH)  # fmt: skip
    if (code := go(plan, args, out=out)) is not None:
        return code
    with dask_client(args.scheduler) as client:
        ds, conv = run_until_se(
            cfg,
            args.until_se,
            seed=args.seed,
            batch=args.draws,
            max_draws=args.max_draws,
            threads=args.threads,
            chunk_draws=args.chunk_draws,
            client=client,
        )
    ds.attrs["until_se"] = float(args.until_se)
    ds.attrs["converged"] = int(conv.reached)
    summary = summarize(ds)
    write_run(ds, out, summary, lang=language(args, cfg), inputs=args.inputs)
    if not args.quiet:
        print(summary_text(ds, summary, language(args, cfg)))
        print(f"\n{conv.text()}")
        print(f"wrote {out}/" + ", ".join(sorted(f.name for f in out.iterdir())))
    return 0



COMMANDS = (
    Command("run", "simulate a config and write results.nc, summary.csv, summary.json, summary.xlsx", _run_arguments, cmd_run),
    Command(
        "validate",
        "check a config, an experiment file or a portfolio file without running it",
        lambda p: p.add_argument("config", type=Path, metavar="FILE", help="a config, an experiment file or a portfolio file"),
        cmd_validate,
    ),
)

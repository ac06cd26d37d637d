"""Commands of the scenario and decision analyses.

``simsam compare``, ``simsam scenarios``, ``simsam breakeven``, ``simsam decision``,
``simsam experiment``; and the batched ``simsam run --until-se`` (its options
are declared with ``run`` in :mod:`simsam.cli`). Each writes its folder
atomically, and ends with exit 2 and one line naming the bad option or key
when an input is wrong, before anything is written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import ConfigError
from ._common import (
    Command,
    add_dry_run,
    add_lang,
    add_run_options,
    check_out,
    check_threads,
    finite_number,
    go,
    language,
    positive_int,
    probability,
    slug,
)

__all__ = ["COMMANDS"]


# --- compare ------------------------------------------------------------------------------


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "configs",
        type=Path,
        nargs="+",
        metavar="CONFIG",
        help="a config with [scenarios.*], or two or more configs (compared with the first)",
    )
    p.add_argument(
        "--scenario",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="scenarios to compare with the base: --scenario A B, or repeated (default: all)",
    )
    p.add_argument(
        "--price-level",
        type=positive_int("--price-level"),
        metavar="YYYY",
        help="restate every variant's kronor to this year's by KPI (default: the latest price level of the variants)",
    )
    add_run_options(p, "output folder (default: results/<config stem>/compare-<names>/)")
    add_lang(p)


def cmd_compare(args) -> int:
    from ..analysis.prices import common_price_level, price_note  # on use: simsam --help and the other commands do not load it
    from ..analysis.scenarios import (  # on use: simsam --help and the other commands do not load it
        compare,
        compare_summary,
        config_variants,
        variants_of,
        write_compare,
    )
    from ..config import load_config  # on use: simsam --help and the other commands do not load it
    from ..report.tables import compare_text  # on use: simsam --help and the other commands do not load it
    from ..workflows.plan import plan_compare  # on use: simsam --help and the other commands do not load it

    configs = [load_config(p) for p in args.configs]
    if len(configs) == 1:
        variants = variants_of(configs[0], args.scenario)
    else:
        if args.scenario:
            raise ConfigError("--scenario", "compares the scenarios of one config; with several configs, leave it out")
        variants = config_variants(configs, args.configs)
    out = args.out or Path("results") / args.configs[0].stem / slug("compare-" + "-".join(v.name for v in variants[1:]))
    check_out(out, "compare.nc")
    check_threads(args.threads)
    common_price_level({v.name: v.config.prices.level for v in variants}, args.price_level, what="variant")  # exit 2 before the runs
    draws = args.draws if args.draws is not None else variants[0].config.simulation.draws
    if (code := go(plan_compare([v.config for v in variants], draws, chunk_draws=args.chunk_draws, out=out, threads=args.threads),
                   args, out=out)) is not None:  # fmt: skip
        return code
    ds = compare(variants, args.draws, args.seed, threads=args.threads, chunk_draws=args.chunk_draws, price_level=args.price_level)
    table = compare_summary(ds)
    write_compare(ds, table, out)
    if not args.quiet:
        print(price_note(ds, "variant"))
        lang = language(args, configs[0])
        print(compare_text(ds, table, lang, labels=_scenario_labels(configs[0], lang)))
        print(f"\nwrote {out}/compare.nc, compare.csv")
    return 0


def _scenario_labels(cfg, lang: str) -> dict[str, str]:
    """The scenarios' labels in ``lang`` (a label may be given per language)."""
    from ..config.model import reader_text  # on use: simsam --help and the other commands do not load it

    tables = (cfg.raw.data.get("scenarios") or {}) if cfg.raw is not None else {}
    return {name: str(reader_text(t.get("label", name), lang)) for name, t in tables.items() if isinstance(t, dict)}


def _scenarios_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path)


def cmd_scenarios(args) -> int:
    """List a config's scenarios and what each overrides."""
    from ..config import load_config  # on use: simsam --help and the other commands do not load it

    cfg = load_config(args.config)
    if not cfg.scenarios:
        print(f"{cfg.name}: no scenarios")
        return 0
    print(f"{cfg.name}: {len(cfg.scenarios)} scenarios")
    for s in cfg.scenarios.values():
        print(f"\n{s.name}: {s.label}")
        if s.description:
            print(f"  {s.description}")
        for path, value in _flatten(s.overrides):
            print(f"  {path} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def _flatten(table: dict, prefix: str = ""):
    for k, v in table.items():
        path = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict) and "dist" not in v and v:
            yield from _flatten(v, path)
        else:
            yield path, v


# --- breakeven ----------------------------------------------------------------------------


def _breakeven_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path)
    p.add_argument("--param", required=True, help="the input, as its dotted config path, e.g. outcomes.shares.work")
    p.add_argument("--month", type=positive_int("--month"), required=True, help="target payback month")
    p.add_argument("--prob", type=probability("--prob"), required=True, help="target probability (0–1) of payback within --month")
    p.add_argument("--actor", default="society", help="an actor of the config, or society (default)")
    p.add_argument("--range", type=finite_number, nargs=2, metavar=("LOW", "HIGH"), help="values to search (default: the input's support)")
    add_run_options(p, "output folder (default: results/<config stem>/breakeven-<param>-<actor>-<month>/)")
    add_lang(p)


def cmd_breakeven(args) -> int:
    from ..analysis.breakeven import (  # on use: simsam --help and the other commands do not load it
        actor_index,
        breakeven,
        check_targets,
        input_setter,
        write_breakeven_files,
    )
    from ..config import load_config  # on use: simsam --help and the other commands do not load it
    from ..report.tables import breakeven_text  # on use: simsam --help and the other commands do not load it
    from ..util import atomic_folder  # on use: simsam --help and the other commands do not load it
    from ..workflows.plan import plan_breakeven  # on use: simsam --help and the other commands do not load it

    cfg = load_config(args.config)
    out = args.out or Path("results") / args.config.stem / slug(f"breakeven-{args.param}-{args.actor}-{args.month}")
    check_out(out, "breakeven.json")
    check_threads(args.threads)
    check_targets(cfg, args.month, args.prob)  # what breakeven() checks first, before the plan
    actor_index(cfg, args.actor)
    input_setter(cfg, args.param, tuple(args.range) if args.range else None)
    draws = args.draws if args.draws is not None else cfg.simulation.draws
    if (code := go(plan_breakeven(cfg, draws, chunk_draws=args.chunk_draws, out=out, threads=args.threads), args, out=out)) is not None:
        return code
    result = breakeven(
        cfg, args.param, args.month, args.prob, actor=args.actor, draws=args.draws, seed=args.seed,
        search_range=tuple(args.range) if args.range else None, chunk_draws=args.chunk_draws, threads=args.threads,
    )  # fmt: skip
    with atomic_folder(out) as tmp:
        write_breakeven_files(result, tmp)
    if not args.quiet:
        print(breakeven_text(result, language(args, cfg), config=cfg.raw.data))
        print(f"\nwrote {out}/breakeven.json, breakeven.csv, breakeven.nc")
    return 0


# --- decision -----------------------------------------------------------------------------


def _decision_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", type=Path, metavar="CONFIG|RESULTS", help="a config (run first) or a run's folder / results.nc")
    p.add_argument(
        "--evppi",
        action="append",
        metavar="INPUTS",
        help="an input or group for EVPPI; join inputs learnt together with '+' (repeatable; default: every input)",
    )
    p.add_argument("--no-evppi", action="store_true", help="skip EVPPI")
    p.add_argument("--year", type=positive_int("--year"), help="the year the printed EVPI and EVPPI judge by (default: the horizon)")
    add_run_options(p, "output folder (default: results/<config stem>/decision/, or DIR/decision/ for a run's folder)")
    add_lang(p)


def _load_run(source: Path, draws, seed):
    """The results file (None for a config, to be run), its config and draws, and the default output folder."""
    from ..config import load_config  # on use: simsam --help and the other commands do not load it

    if source.is_dir() or source.suffix == ".nc":
        from ..results import ResultsFile, config_of_results  # on use: simsam --help and the other commands do not load it
        from ..util.folders import is_unfinished  # on use: simsam --help and the other commands do not load it

        path = source / "results.nc" if source.is_dir() else source
        if is_unfinished(path.parent):
            raise ConfigError("", f"'{path.parent}' is the unfinished folder of an interrupted run, not results (simsam clean removes it)")
        if not path.exists():
            raise ConfigError("", f"no results file '{path}'")
        if draws is not None or seed is not None:
            raise ConfigError("--draws" if draws is not None else "--seed", "applies to a config, not to finished results")
        try:  # the sizes and the config first: the plan comes before the draws are read
            with ResultsFile(path) as results:
                attrs, n = dict(results.attrs), int(results.sizes.get("draw", 0))
                complete = "payback_months" in results
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError("", f"'{path}' is not a simsam results file: {' '.join(str(exc).split())}") from None
        if "config" not in attrs or not complete:
            raise ConfigError("", f"'{path}' is not a simsam results file")
        cfg = config_of_results(_Attrs(attrs))
        return path, cfg, n, (source if source.is_dir() else source.parent) / "decision"
    cfg = load_config(source)
    return None, cfg, cfg.simulation.draws if draws is None else draws, Path("results") / source.stem / "decision"


class _Attrs:
    """What :func:`simsam.results.config_of_results` reads of a Dataset: its attributes."""

    def __init__(self, attrs):
        self.attrs = attrs


def cmd_decision(args) -> int:
    from ..analysis.decision import (  # on use: simsam --help and the other commands do not load it
        check_input_names,
        decision_analysis,
        write_decision_files,
    )
    from ..report.tables import decision_text  # on use: simsam --help and the other commands do not load it
    from ..results import read_results, simulate  # on use: simsam --help and the other commands do not load it
    from ..util import atomic_folder  # on use: simsam --help and the other commands do not load it
    from ..workflows.plan import plan_decision  # on use: simsam --help and the other commands do not load it

    path, cfg, draws, default_out = _load_run(args.source, args.draws, args.seed)
    out = args.out or default_out
    check_out(out, "decision.nc")
    check_threads(args.threads)
    years = cfg.simulation.horizon_months // 12
    if args.year is not None and args.year > years:
        raise ConfigError("--year", f"must be at most the horizon's {years} years, not {args.year}")
    if args.no_evppi and args.evppi:
        raise ConfigError("--no-evppi", "contradicts --evppi")
    groups = [] if args.no_evppi else args.evppi
    check_input_names(cfg, groups or [])  # unknown names: exit 2 before the run
    plan = plan_decision(cfg, draws, evppi=groups, chunk_draws=args.chunk_draws, out=out, threads=args.threads, simulate=path is None)
    if (code := go(plan, args, out=out)) is not None:
        return code
    if path is None:
        ds = simulate(cfg, draws=args.draws, seed=args.seed, threads=args.threads, chunk_draws=args.chunk_draws)
    else:
        try:
            ds = read_results(path)
        except (OSError, ValueError) as exc:
            raise ConfigError("", f"'{path}' is not a simsam results file: {' '.join(str(exc).split())}") from None
    dec = decision_analysis(ds, cfg, evppi=groups, chunk_draws=args.chunk_draws)
    with atomic_folder(out) as tmp:
        files = write_decision_files(dec, tmp)
    if not args.quiet:
        print(decision_text(dec, year=args.year, lang=language(args, cfg)))
        print(f"\nwrote {out}/" + ", ".join(files))
    return 0


# --- experiment ---------------------------------------------------------------------------


def _experiment_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE", help="an experiment file, e.g. experiments/samverkansteamet.toml")
    p.add_argument("--out", type=Path, help="output folder (default: results/experiments/<file stem>/)")
    p.add_argument("--threads", type=positive_int("--threads"), help="threads for the kernel (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_dry_run(p)


def cmd_experiment(args) -> int:
    from ..workflows.experiment import load_experiment, run_experiment  # on use: simsam --help and the other commands do not load it
    from ..workflows.plan import plan_experiment  # on use: simsam --help and the other commands do not load it

    exp = load_experiment(args.file)
    out = args.out or Path("results") / "experiments" / args.file.stem
    check_out(out, "manifest.json")
    check_threads(args.threads)
    if (code := go(plan_experiment(exp, out=out, threads=args.threads), args, out=out)) is not None:
        return code
    echo = (lambda text: None) if args.quiet else print
    manifest = run_experiment(exp, out, threads=args.threads, echo=echo)
    if not args.quiet:
        total = sum(a["seconds"] for a in manifest["analyses"])
        print(f"\nwrote {out}/manifest.json and {len(manifest['analyses'])} analyses in {total:.1f} s")
    return 0


COMMANDS = (
    Command("compare", "scenarios or configs on common random numbers: paired differences per actor", _compare_arguments, cmd_compare),
    Command("scenarios", "list a config's [scenarios.*] and what each changes", _scenarios_arguments, cmd_scenarios),
    Command("breakeven", "the value of one input at which P(payback ≤ month) reaches a probability", _breakeven_arguments, cmd_breakeven),
    Command("decision", "acceptability curves, EVPI and EVPPI (invest or not) per actor", _decision_arguments, cmd_decision),
    Command("experiment", "run an experiment file's analyses into one folder with a manifest", _experiment_arguments, cmd_experiment),
)

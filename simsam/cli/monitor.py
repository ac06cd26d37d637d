"""``simsam monitor CONFIG --followup SUS.csv --as-of YYYY-MM-DD``: is a running project on course?

The analysis is :mod:`simsam.analysis.monitor`. Writes under ``--out`` (default
``results/<config stem>/monitor-<as-of>/``, atomically): ``monitor.json`` (what the report shows),
``monitor.csv`` (per actor and month: P(payback) at the start and now, with Monte Carlo errors),
``monitor.nc`` (the draws), ``exits.csv`` (the participants as of the date), and the start run's
``results.nc``, ``summary.csv``, ``summary.json`` and ``summary.xlsx``, so that ``simsam report``
on the folder (or on the run folder it sits in) has the whole evaluation with its follow-up.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from pathlib import Path

from ..errors import ConfigError
from ._common import Command, add_lang, add_run_options, check_out, check_threads, language

__all__ = ["COMMANDS"]


def _date(name: str):
    def parse(text):
        try:
            if len(text) != 10:
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, not '{text}'") from None

    parse.__name__ = name
    return parse


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path)
    p.add_argument("--followup", type=Path, required=True, metavar="SUS.csv",
                   help="the project's follow-up export so far (participants still in the project: exit date and status empty)")
    p.add_argument("--as-of", type=_date("--as-of"), required=True, metavar="YYYY-MM-DD", help="the date the export is read as of")
    p.add_argument("--map", type=Path, metavar="MAPPING.toml", help="status codes → states (default: <file stem>_map.toml beside the file)")
    p.add_argument("--start", type=_date("--start"), metavar="YYYY-MM-DD", help="the project's start (default: the file's first entry)")
    add_run_options(p, "output folder (default: results/<config stem>/monitor-<as-of>/)", chunks=False, dry_run=False)
    add_lang(p)


def _mapping(args):
    from ..config.followup import read_mapping  # on use: simsam --help and the other commands do not load it

    path = args.map if args.map is not None else args.followup.with_name(f"{args.followup.stem}_map.toml")
    if args.map is None and not path.is_file():
        raise ConfigError("--map", f"missing: give the mapping of the file's status codes (there is no {path.name} beside the file)")
    try:
        return read_mapping(path)
    except ConfigError as exc:
        if exc.path:
            raise
        raise ConfigError("--map", exc.problem) from None


def _same_file(config, followup: Path) -> bool:
    """Whether the config's outcome shares are read from this follow-up file (``counts_file``)."""
    shares = ((config.raw.data.get("outcomes") or {}).get("shares")) or {}
    name = shares.get("counts_file") if isinstance(shares, dict) else None
    if not name:
        return False
    from ..config.loading import _lookup  # on use: simsam --help and the other commands do not load it

    origin = _lookup(config.raw.origins, "outcomes.shares.counts_file")
    top = config.raw.path.parent if config.raw.path is not None else Path(".")
    folder = (top / origin).parent if origin else top
    try:
        return (folder / name).resolve() == followup.resolve()
    except OSError:
        return False


def cmd_monitor(args) -> int:
    from ..analysis.monitor import observe, run_monitor  # on use: simsam --help and the other commands do not load it
    from ..config import load_config  # on use: simsam --help and the other commands do not load it
    from ..config.followup import BadRows, read_followup  # on use: simsam --help and the other commands do not load it

    cfg = load_config(args.config)
    lang = language(args, cfg)
    check_threads(args.threads)
    out = args.out if args.out is not None else Path("results") / args.config.stem / f"monitor-{args.as_of}"
    check_out(out)
    if _same_file(cfg, args.followup):
        raise ConfigError("--followup", f"{cfg.name}'s outcome shares are read from this file (outcomes.shares.counts_file): its "
                                        "participants would be counted twice; monitor against the config as it stood before the data")
    mapping = _mapping(args)
    mapping.check(cfg.benefits, cfg.states, cfg.name)
    try:
        followup = read_followup(args.followup, mapping, open_rows=True)
    except BadRows as exc:
        raise ConfigError("--followup", exc.one_line()) from None
    except ConfigError as exc:
        if exc.path:
            raise
        raise ConfigError("--followup", exc.problem) from None
    obs = observe(cfg, followup, args.as_of, args.start)
    result = run_monitor(cfg, obs, args.draws, args.seed, threads=args.threads)
    summary = result.summary()
    summary["mapping"] = str(mapping.path)
    _write(result, summary, followup, out, lang)
    if not args.quiet:
        from ..report.tables import monitor_text  # on use: simsam --help and the other commands do not load it

        print(monitor_text(summary, lang))
        print(f"\nwrote {out}/monitor.json, monitor.csv, monitor.nc, exits.csv and the start run's results.nc, summary.*")
    return 0


def _write(result, summary: dict, followup, out: Path, lang: str) -> None:
    """Every file of the folder, atomically (:func:`simsam.util.atomic_folder`)."""

    from ..analysis.monitor import month_of  # on use: simsam --help and the other commands do not load it
    from ..analysis.summary import summarize  # on use: simsam --help and the other commands do not load it
    from ..results.netcdf import write_results  # on use: simsam --help and the other commands do not load it
    from ..util import atomic_folder  # on use: simsam --help and the other commands do not load it
    from ..workflows.run_folder import write_summaries  # on use: simsam --help and the other commands do not load it

    ds = result.start
    with atomic_folder(out) as tmp:
        write_results(ds, tmp / "results.nc")
        write_summaries(ds, summarize(ds), tmp, lang)
        (tmp / "monitor.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _monitor_nc(result).to_netcdf(tmp / "monitor.nc", engine="h5netcdf")
        with open(tmp / "monitor.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["actor", "metric", "start", "now", "difference", "start_mcse", "now_mcse", "difference_mcse"])
            for actor, entry in summary["actors"].items():
                rows = [(f"p_payback_{m}", v) for m, v in (entry.get("p_payback") or {}).items()]
                rows.append((f"p_net_benefit_positive_{entry['net_benefit']['year']}y", entry["net_benefit"]["p_positive"]))
                for metric, v in rows:
                    w.writerow([actor, metric, *(repr(v[k]) if v[k] is not None else "" for k in
                                                 ("start", "now", "difference", "start_mcse", "now_mcse", "difference_mcse"))])
        obs = result.observation
        now = followup.as_of(obs.as_of)
        with open(tmp / "exits.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "entry_date", "exit_date", "exit_month", "state"])
            for p in now.participants:
                state = now.mapping.exit[p.exit_status] if p.exit_date is not None else "in_project"
                w.writerow([p.id, p.entry_date, p.exit_date or "", month_of(p.exit_date, obs.start) if p.exit_date else "", state])


def _monitor_nc(result):
    """The draws behind ``monitor.json``: payback and net benefit at the start and now, the shares, the predictive counts."""
    import numpy as np  # on use: simsam --help does not load numpy
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    cfg = result.config
    start = result.start
    actors = result.actors
    years = np.arange(1, cfg.simulation.horizon_months // 12 + 1)
    obs = result.observation
    return xr.Dataset(
        {
            "payback_months_start": (("draw", "actor"), np.asarray(start["payback_months"].values), {"units": "months"}),
            "payback_months_now": (("draw", "actor"), result.now.payback, {"units": "months"}),
            "net_benefit_start": (("draw", "actor", "year"), np.asarray(start["net_benefit"].values), {"units": "kr"}),
            "net_benefit_now": (("draw", "actor", "year"), result.now.net_benefit, {"units": "kr"}),
            "shares_start": (("draw", "state"), result.shares_start, {"long_name": "exit shares of the config as it stood"}),
            "shares_now": (("draw", "state"), result.shares_now, {"long_name": "exit shares' posterior"}),
            "observed": (("state",), np.array([obs.counts[s] for s in cfg.states]),
                         {"long_name": "participants who have left to each state"}),
            "expected_so_far": (("draw", "state"), result.so_far, {"long_name": "prior predictive of the observed participants' states"}),
            "remaining": (("draw", "state"), result.remaining, {"long_name": "posterior predictive of the states still to be drawn"}),
        },
        coords={"draw": np.arange(result.draws), "actor": actors, "year": years, "state": list(cfg.states)},
        attrs={"as_of": str(obs.as_of), "start": str(obs.start), "followup": obs.file, "seed": result.seed, "config": cfg.resolved_json()},
    )


COMMANDS = (
    Command(
        "monitor",
        "a running project: the follow-up so far as data, the outcome shares' posterior, each actor's P(payback) now against at the start",
        _arguments,
        cmd_monitor,
    ),
)

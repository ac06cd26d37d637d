"""``simsam evidence FILE.csv --map MAPPING.toml``: follow-up data (SUS) into a config snippet and a report.

The reader is :mod:`simsam.config.followup`; the snippet and the report are
:mod:`simsam.analysis.evidence`. Writes ``evidence.toml``, ``evidence.json``,
``exits.csv`` and ``report.txt`` under ``--out`` (atomically).
"""

from __future__ import annotations

import csv
import json
import math
import tomllib
from pathlib import Path as P

from ..analysis.evidence import evidence_report, snippet
from ..config.followup import COLUMNS, read_followup, read_mapping
from ..errors import ConfigError
from ._common import Command, check_out, claim_out, finite_number

__all__ = ["COMMANDS"]


def _arguments(p) -> None:

    p.add_argument("file", type=P, metavar="FILE.csv", help="participant-level follow-up export: " + ", ".join(COLUMNS))
    p.add_argument(
        "--map", type=P, required=True, metavar="MAPPING.toml", help="status codes → benefits ([entry]) and outcome states ([exit])"
    )
    p.add_argument("--config", type=P, help="check names against this config (default: the mapping's config = ..., if any)")
    p.add_argument("--prior", type=finite_number, default=1.0, help="Dirichlet prior added to every count (default 1: flat)")
    p.add_argument("--before-dirichlet", action="store_true", help="write the BEFORE income mix as a Dirichlet of the entry counts")
    p.add_argument("--out", type=P, help="output folder (default: results/evidence-<file stem>/)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _run(args) -> int:

    if not math.isfinite(args.prior) or args.prior < 0:
        raise ConfigError("--prior", f"must be a number ≥ 0, not {args.prior:g}")
    try:
        mapping = read_mapping(args.map)
    except ConfigError as exc:
        if exc.path:
            raise
        raise ConfigError("--map", exc.problem) from None
    config_path = args.config if args.config is not None else mapping.config
    cfg = None
    if config_path is not None:
        from ..config import load_config  # on use: simsam --help and the other commands do not load it

        cfg = load_config(config_path)
        mapping.check(cfg.benefits, cfg.states, cfg.name)
    out = args.out if args.out is not None else P("results") / f"evidence-{args.file.stem}"
    check_out(out, "evidence.toml")
    fu = read_followup(args.file, mapping)
    states = cfg.states if cfg is not None else ()
    counts = fu.outcome_counts(states)
    if cfg is not None:
        extra = [s for s in counts if s not in cfg.states]
        if extra:
            raise ConfigError("exit", f"maps to state '{extra[0]}', which {cfg.name} does not have", str(mapping.path))
    label = cfg.name if cfg is not None else ""
    text = snippet(fu, args.prior, states=states, before_dirichlet=args.before_dirichlet, config_label=label)
    if cfg is not None:  # the snippet must make a valid config of the one it is for
        from ..config import override  # on use: simsam --help and the other commands do not load it

        try:
            override(cfg, tomllib.loads(text), label="the evidence snippet")
        except ConfigError as exc:
            raise ConfigError(exc.path, f"{exc.problem} (the snippet from {fu.file} does not fit {cfg.name})") from None
    report, data = evidence_report(fu, counts, args.prior, label)
    from ..util import atomic_folder  # on use: simsam --help and the other commands do not load it

    claim_out(out, quiet=args.quiet)
    with atomic_folder(out) as tmp:
        (tmp / "evidence.toml").write_text(text, encoding="utf-8")
        (tmp / "evidence.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / "report.txt").write_text(report + "\n", encoding="utf-8")
        first = fu.first_exit
        with open(tmp / "exits.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "entry_date", "exit_date", "exit_month", "state"])
            for p in fu.included:
                w.writerow(
                    [
                        p.id,
                        p.entry_date,
                        p.exit_date,
                        12 * (p.exit_date.year - first.year) + p.exit_date.month - first.month,
                        mapping.exit[p.exit_status],
                    ]
                )
    if not args.quiet:
        print(report)
        print(f"\nwrote {out}/evidence.toml, evidence.json, exits.csv, report.txt")
    return 0


COMMANDS = (
    Command(
        "evidence", "follow-up data (SUS CSV) → outcome counts (Dirichlet posterior), BEFORE income mix, exit months", _arguments, _run
    ),
)

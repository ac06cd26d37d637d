"""Experiment files: one TOML that names a config and the analyses to run on it.

An experiment makes a whole evaluation reproducible from one file and one
command, ``simsam experiment FILE``. Everything lands in one folder (written
atomically), each analysis in its own subfolder, with ``manifest.json``
recording the config's SHA-256 (and that of every file it extends), the seed,
the draws, the versions of simsam and its numerical libraries, the git commit
of the config's work tree when there is one (``git``: commit, and whether it had
uncommitted changes; null outside git), and each analysis's options, outputs and time.

The file::

    name = "samverkansteamet"                       # default: the file's stem
    description = "..."
    config = "../configs/samverkansteamet.toml"     # relative to this file
    seed = 1                                        # default: the config's
    draws = 10000                                   # default: the config's

    [[analysis]]
    kind = "run"                # results.nc, summary.csv, summary.json
    # until_se = 0.005          # optional: batches until converged (max_draws = ...)

    [[analysis]]
    kind = "decision"           # acceptability, EVPI, EVPPI (on the run's draws)
    # evppi = ["outcomes.shares", "economy.wage+project.cost"]   # default: every input

    [[analysis]]
    kind = "compare"            # scenarios on common random numbers
    # scenarios = ["a", "b"]    # default: all of the config's; or configs = ["other.toml"]

    [[analysis]]
    kind = "breakeven"
    param = "outcomes.shares.work"
    month = 36
    prob = 0.8
    # actor = "society"; range = [0, 1]

    [[analysis]]
    kind = "sensitivity"        # runs ``simsam sensitivity`` with these options
    method = "tornado"          # tornado | prcc | sobol | morris
    # target, actor, month, year, n, cohort, low, high (quantiles 0–1, default 0.05 and 0.95), levels,
    # by = "evidence" (sobol: shares of variance per evidence grade), over_time = true (sobol, prcc: every year)

    [[analysis]]
    kind = "split"              # who should pay what (``simsam split``): splits of the cost, settlements
    # actors = ["kommun", "region"]; shares = { kommun = 0.5, region = 0.5 }; month = 60; year = 5; p = 0.8

Every analysis may also set ``name`` (its subfolder; default its kind, made
unique) and ``draws`` (default the experiment's). The whole file is checked,
and every config loaded, before anything runs: a mistake ends with exit 2 and
one line naming it (``analysis[3].param: unknown input ...``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import subprocess
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..analysis.breakeven import actor_index, breakeven, check_targets, input_setter, write_breakeven_files
from ..analysis.convergence import run_until_se
from ..analysis.decision import check_input_names, decision_analysis, write_decision_files
from ..analysis.scenarios import Variant, compare, compare_summary, config_variants, variants_of, write_compare_files
from ..analysis.sensitivity.options import SensitivityOptions, prepare, run_sensitivity
from ..analysis.sensitivity.output import write_sensitivity
from ..analysis.split import check_shares, financing_actors, run_split, write_split_files
from ..analysis.summary import headline, summarize
from ..config import load_config
from ..config.loading import decode_toml
from ..config.model import SOCIETY, Config
from ..config.nodes import Node
from ..errors import ConfigError, type_name
from ..results import simulate
from ..results.netcdf import write_results
from ..util import atomic_folder
from .run_folder import write_summaries

__all__ = ["Experiment", "Analysis", "load_experiment", "run_experiment", "KINDS"]

KINDS = ("run", "decision", "compare", "breakeven", "sensitivity", "split")
TOP_KEYS = ("name", "description", "config", "seed", "draws", "analysis")
COMMON_KEYS = ("kind", "name", "draws")
KIND_KEYS = {
    "run": ("until_se", "max_draws"),
    "decision": ("evppi", "year"),
    "compare": ("scenarios", "configs"),
    "breakeven": ("param", "month", "prob", "actor", "range"),
    "sensitivity": ("method", "target", "actor", "month", "year", "n", "cohort", "low", "high", "levels", "by", "over_time"),
    "split": ("actors", "shares", "month", "year", "p"),
}


@dataclass(frozen=True)
class Analysis:
    """One ``[[analysis]]`` of an experiment.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    name : str
        Its subfolder (unique within the experiment).
    draws : int
    options : dict
        The kind's own keys, as written.
    path : str
        ``analysis[i]``, for messages.
    """

    kind: str
    name: str
    draws: int
    options: dict
    path: str
    extra: dict = field(default_factory=dict, repr=False)  # resolved objects (compare variants, sensitivity options and target)


@dataclass(frozen=True)
class Experiment:
    """A loaded and checked experiment file."""

    name: str
    description: str
    file: Path
    text: str
    config_path: Path
    config: Config
    seed: int
    draws: int
    analyses: tuple[Analysis, ...]


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _strings(node: Node, key: str) -> list[str]:
    value = node.raw(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise node.error(key, f"must be an array of strings, not {type_name(value)}")
    return list(value)


def load_experiment(path: str | os.PathLike) -> Experiment:
    """Read and check an experiment file, loading its config(s).

    Raises
    ------
    ConfigError
        Naming the key (``analysis[2].month``) and what is wrong.
    """

    path = Path(path)
    try:
        text = decode_toml(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise ConfigError("", f"experiment file '{path}' not found") from None
    except (IsADirectoryError, OSError):
        raise ConfigError("", f"cannot read experiment file '{path}'") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{path} is not valid TOML: {exc}") from None
    top = Node(data, "")
    top.expect(TOP_KEYS)
    name = top.string("name", path.stem)
    description = top.string("description", "")
    config_rel = top.string("config")
    config_path = path.parent / config_rel
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        where = f"config '{config_rel}'"
        if exc.path:
            raise ConfigError(exc.path, exc.problem, exc.source or where) from None
        raise ConfigError("config", exc.problem) from None
    seed = top.integer("seed", config.simulation.seed, lo=0, hi=2**63 - 1)
    draws = top.integer("draws", config.simulation.draws, lo=1)
    raw = top.raw("analysis")
    if not isinstance(raw, list) or not raw or not all(isinstance(a, dict) for a in raw):
        raise top.error("analysis", "must be one or more [[analysis]] tables")
    top.finish()
    analyses = []
    used: set[str] = set()
    for i, table in enumerate(raw):
        a = _analysis(Node(table, f"analysis[{i}]"), config, path.parent, draws, seed, used)
        used.add(a.name)
        analyses.append(a)
    return Experiment(name, description, path, text, config_path, config, seed, draws, tuple(analyses))


def _analysis(node: Node, config: Config, folder: Path, draws: int, seed: int, used: set[str]) -> Analysis:
    kind = node.string("kind", choices=KINDS)
    node.expect(COMMON_KEYS + KIND_KEYS[kind])
    name = node.string("name", _default_name(node, kind))
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise node.error("name", f"'{name}' cannot be a folder name")
    if "name" not in node.data:
        stem, k = name, 2
        while name in used:
            name = f"{stem}-{k}"
            k += 1
    elif name in used or name == "manifest.json":
        raise node.error("name", f"'{name}' is used by another analysis")
    n = node.integer("draws", draws, lo=1)
    options = {k: v for k, v in node.data.items() if k not in COMMON_KEYS}
    extra: dict[str, Any] = {}
    if kind == "run":
        if node.has("until_se"):
            se = node.fixed("until_se")
            if not 0 < se < 0.5:
                raise node.error("until_se", f"must be a standard error between 0 and 0.5, not {se:g}")
        if node.has("max_draws"):
            node.integer("max_draws", lo=1)
            if not node.has("until_se"):
                raise node.error("max_draws", "only applies with until_se")
    elif kind == "decision":
        if node.has("evppi"):
            check_input_names(config, _strings(node, "evppi"), node.at("evppi"))
        if node.has("year"):
            node.integer("year", lo=1, hi=config.simulation.horizon_months // 12)
    elif kind == "compare":
        if node.has("scenarios") and node.has("configs"):
            raise node.error("configs", "give scenarios (of the experiment's config) or configs (compared with it), not both")
        if node.has("configs"):
            rels = _strings(node, "configs")
            if not rels:
                raise node.error("configs", "names no config")
            paths, cfgs = [], []
            for j, rel in enumerate(rels):
                try:
                    cfgs.append(load_config(folder / rel))
                except ConfigError as exc:
                    raise ConfigError(f"{node.at('configs')}[{j}]", f"{exc}") from None
                paths.append(folder / rel)
            base = Variant(Path(config.raw.path).stem if config.raw.path else "base", config.name, config)
            others = config_variants(cfgs, paths)
            extra["variants"] = [base] + [
                o if o.name != base.name else Variant(f"{o.name}-2", o.label, o.config, o.description) for o in others
            ]
        else:
            names = _strings(node, "scenarios") if node.has("scenarios") else None
            try:
                extra["variants"] = variants_of(config, names)
            except ConfigError as exc:
                raise ConfigError(node.at("scenarios"), exc.problem) from None
        h = config.simulation.horizon_months
        for v in extra["variants"][1:]:
            if v.config.simulation.horizon_months != h:
                raise node.error(
                    "configs", f"{v.name} has a horizon of {v.config.simulation.horizon_months} months, the experiment's config {h}"
                )
    elif kind == "breakeven":
        param = node.string("param")
        month = node.integer("month", lo=1)
        prob = node.fixed("prob")
        actor = node.string("actor", SOCIETY)
        rng = None
        if node.has("range"):
            r = node.raw("range")
            if not (isinstance(r, list) and len(r) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)):
                raise node.error("range", "must be [LOW, HIGH]")
            rng = (float(r[0]), float(r[1]))
        flag = {"--param": "param", "--month": "month", "--prob": "prob", "--actor": "actor", "--range": "range"}
        try:
            check_targets(config, month, prob)
            actor_index(config, actor)
            input_setter(config, param, rng)
        except ConfigError as exc:
            raise ConfigError(node.at(flag.get(exc.path, exc.path)), exc.problem) from None
        extra.update(param=param, month=month, prob=prob, actor=actor, range=rng)
    elif kind == "split":
        extra.update(_split_options(node, config))
    else:
        extra.update(_sensitivity_options(node, config, seed, n))
    node.finish()
    return Analysis(kind, name, n, options, node.path, extra)


def _split_options(node: Node, config: Config) -> dict:
    """The typed options of a split analysis, checked against the config now (:func:`simsam.analysis.split.run_split`)."""
    actors = financing_actors(config, _strings(node, "actors") if node.has("actors") else None, node.at("actors"))
    shares = None
    if node.has("shares"):
        given = node.raw("shares")
        if not isinstance(given, dict):
            raise node.error("shares", f"must be a table of shares by actor, not {type_name(given)}")
        shares = check_shares(given, actors, node.at("shares"))
    horizon = config.simulation.horizon_months
    level = node.fixed("p", 0.8) if node.has("p") else 0.8
    if not 0 < level <= 1:
        raise node.error("p", f"{level:g} must be a probability above 0 and at most 1 (a share: 0.8 for 80 %)")
    return {"actors": actors, "shares": shares, "month": node.integer("month", 60, lo=1, hi=horizon),
            "year": node.integer("year", horizon // 12, lo=1, hi=horizon // 12), "p": level}


def _default_name(node: Node, kind: str) -> str:
    """``run``, ``decision``, ``compare``, ``sensitivity-<method>``, ``breakeven-<param>-<actor>-<month>``."""
    d = node.data
    if kind == "sensitivity" and isinstance(d.get("method"), str):
        return f"sensitivity-{d['method']}"
    if kind == "breakeven" and all(isinstance(d.get(k), t) for k, t in (("param", str), ("month", int))):
        return "".join(c if c.isalnum() or c in "-_." else "-" for c in f"breakeven-{d['param']}-{d.get('actor', 'society')}-{d['month']}")
    return kind


def _sensitivity_options(node: Node, config: Config, seed: int, draws: int) -> dict:
    """The typed options of a sensitivity analysis and its target, checked against the config now."""

    kw: dict[str, Any] = {"method": node.string("method"), "seed": seed}
    for key in ("target", "actor", "cohort", "by"):
        if node.has(key):
            kw[key] = node.string(key)
    if node.has("over_time"):
        kw["over_time"] = node.boolean("over_time")
    for key in ("month", "year", "n", "levels"):
        if node.has(key):
            kw[key] = node.integer(key, lo=1)
    for key in ("low", "high"):  # quantiles as probabilities 0–1, as on the command line
        if node.has(key):
            value = node.fixed(key)
            if not 0 <= value <= 1:
                raise node.error(key, f"{value:g} is not a probability: give the quantile between 0 and 1 ({value / 100:g} for p{value:g})"
                                 if value > 1 else f"must be a probability between 0 and 1, not {value:g}")
            kw[key] = 100 * value
    if kw["method"] == "prcc" and "n" not in kw:
        kw["n"] = draws
    options, target = prepare(config, SensitivityOptions(**kw), name=node.at)
    return {"options": options, "target": target}


# --- running -------------------------------------------------------------------------------


def _git(path: Path) -> dict | None:
    """The git commit of the work tree holding ``path`` (and whether it had uncommitted changes), or None outside git."""

    def git(*args):
        return subprocess.run(["git", *args], cwd=Path(path).resolve().parent, capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return None
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip()) if dirty.returncode == 0 else None}


def _versions() -> dict[str, str]:

    out = {"python": platform.python_version()}
    for pkg in ("simsam", "numpy", "numba", "scipy", "xarray", "pandas", "h5netcdf", "SALib"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _config_files(config: Config) -> list[dict]:
    """Every file of the config (the top file, then those it extends, relative to the top file's folder) with its SHA-256."""
    if config.raw.path is None:
        return []
    top = Path(config.raw.path)
    out = [{"path": top.name, "sha256": _sha256(top)}]
    for rel in config.raw.files[1:]:
        out.append({"path": rel, "sha256": _sha256((top.parent / rel).resolve())})
    return out


def _clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item"):
        return _clean(x.item())
    return x


def run_experiment(exp: Experiment, out: str | os.PathLike, *, threads: int | None = None, echo: Callable[[str], None] = print) -> dict:
    """Run every analysis of ``exp`` into ``out`` (atomically) and return the manifest.

    Returns
    -------
    dict
        The content of ``manifest.json``.
    """

    out = Path(out)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    records = []
    runs: dict[int, Any] = {}  # draws → result Dataset, shared by the analyses that need one
    with atomic_folder(out) as tmp:
        for i, a in enumerate(exp.analyses, 1):
            echo(f"[{i}/{len(exp.analyses)}] {a.kind} → {a.name}/")
            folder = tmp / a.name
            folder.mkdir()
            t = time.perf_counter()
            outputs, headline = _RUNNERS[a.kind](exp, a, folder, runs, threads)
            seconds = time.perf_counter() - t
            echo(f"    {headline} ({seconds:.1f} s)")
            records.append(
                {
                    "name": a.name,
                    "kind": a.kind,
                    "draws": a.draws,
                    "options": a.options,
                    "folder": a.name,
                    "outputs": [f"{a.name}/{f}" for f in outputs],
                    "seconds": round(seconds, 3),
                    "headline": headline,
                }
            )
        manifest = {
            "experiment": {"name": exp.name, "description": exp.description, "file": str(exp.file), "sha256": _sha256(exp.file)},
            "config": {
                "file": os.path.normpath(exp.config_path),
                "name": exp.config.name,
                "sha256": _sha256(exp.config_path),
                "files": _config_files(exp.config),
                "resolved_sha256": hashlib.sha256(exp.config.resolved_json().encode("utf-8")).hexdigest(),
            },
            "seed": exp.seed,
            "draws": exp.draws,
            "versions": _versions(),
            "git": _git(exp.config_path),
            "platform": {"system": platform.system(), "machine": platform.machine(), "processor": platform.processor()},
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - t0, 3),
            "analyses": records,
            "outputs": ["manifest.json", "experiment.toml"] + [f for r in records for f in r["outputs"]],
        }
        (tmp / "experiment.toml").write_text(exp.text, encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(_clean(manifest), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _run(exp: Experiment, a: Analysis, folder: Path, runs: dict, threads):

    if "until_se" in a.options:
        ds, conv = run_until_se(
            exp.config,
            float(a.options["until_se"]),
            seed=exp.seed,
            batch=min(1000, a.draws),
            max_draws=a.options.get("max_draws"),
            threads=threads,
        )
        note = f"; {conv.text()}"
    else:
        ds = _simulate(exp, a.draws, runs, threads)
        note = ""
    runs.setdefault(int(ds.sizes["draw"]), ds)
    summary = summarize(ds)
    write_results(ds, folder / "results.nc")
    write_summaries(ds, summary, folder)
    horizon = exp.config.simulation.horizon_months
    files = sorted(f.name for f in folder.iterdir())  # results.nc and the summaries write_summaries makes
    return files, "society: " + headline(summary, SOCIETY, horizon) + note


def _simulate(exp: Experiment, draws: int, runs: dict, threads):

    if draws not in runs:
        runs[draws] = simulate(exp.config, draws=draws, seed=exp.seed, threads=threads)
    return runs[draws]


def _decision(exp: Experiment, a: Analysis, folder: Path, runs: dict, threads):

    ds = _simulate(exp, a.draws, runs, threads)
    dec = decision_analysis(ds, exp.config, evppi=a.options.get("evppi"))
    files = write_decision_files(dec, folder)
    year = int(a.options.get("year", dec["year"].values[-1]))
    soc = dec.sel(actor=SOCIETY, year=year)
    text = f"society EVPI after {year} years {float(soc.evpi) / 1e6:.3f} Mkr ({float(soc.evpi_per_participant):.0f} kr per participant)"
    if dec.sizes.get("input", 0):
        top = str(soc["evppi"].idxmax().values)
        text += f"; largest EVPPI: {top} {float(soc.evppi.sel(input=top)) / 1e6:.3f} Mkr"
    return files, text


def _compare(exp: Experiment, a: Analysis, folder: Path, runs: dict, threads):

    ds = compare(a.extra["variants"], a.draws, exp.seed, threads=threads)
    table = compare_summary(ds)
    files = write_compare_files(ds, table, folder)
    years = int(ds.sizes["year"])
    parts = []
    for c in ds["contrast"].values.tolist():
        row = table.xs((c, SOCIETY, f"net_benefit_{years}y"), level=("contrast", "actor", "metric")).iloc[0]
        parts.append(f"{c}: Δ NB {row['mean'] / 1e6:+.2f} Mkr, P(better) {row['p_better']:.2f}")
    return files, "society after " + f"{years} years: " + "; ".join(parts)


def _breakeven(exp: Experiment, a: Analysis, folder: Path, runs: dict, threads):

    e = a.extra
    r = breakeven(
        exp.config,
        e["param"],
        e["month"],
        e["prob"],
        actor=e["actor"],
        draws=a.draws,
        seed=exp.seed,
        search_range=e["range"],
        threads=threads,
    )
    files = write_breakeven_files(r, folder)
    if math.isfinite(r.value):
        text = f"{r.parameter} = {r.value:.4g} (±{r.mcse:.2g}) for P(payback ≤ {r.month}) = {r.probability:g} ({r.actor})"
    else:
        text = f"no break-even: {r.message}"
    if math.isfinite(r.switching_value):
        text += f"; deterministic switching value {r.switching_value:.4g}"
    return files, text


def _sensitivity(exp: Experiment, a: Analysis, folder: Path, runs: dict, threads):

    ds = run_sensitivity(exp.config, a.extra["options"], a.extra["target"], threads=threads)
    write_sensitivity(ds, folder)
    files = sorted(p.name for p in folder.iterdir())
    top = ", ".join(str(p) for p in ds["parameter"].values[:3])  # rows are sorted by importance
    return files, f"{a.options.get('method')}: most important {top}"


def _split(exp: Experiment, a: Analysis, folder: Path, runs: dict, threads):

    e = a.extra
    r = run_split(exp.config, a.draws, exp.seed, actors=e["actors"], shares=e["shares"], month=e["month"], year=e["year"],
                  level=e["p"], threads=threads)
    summary = r.summary()
    files = write_split_files(r, summary, folder)
    benefit = summary["splits"].get("benefit")
    text = "benefit-proportional: " + (", ".join(f"{k} {v:.2f}" for k, v in benefit["shares"].items()) if benefit else "none")
    settled = [n for n, sp in summary["splits"].items() if sp["settlement"]["feasible"]]
    return files, text + f"; settlement to P ≥ {e['p']:g} after year {e['year']}: " + (", ".join(settled) if settled else "none")


_RUNNERS = {"run": _run, "decision": _decision, "compare": _compare, "breakeven": _breakeven, "sensitivity": _sensitivity,
            "split": _split}

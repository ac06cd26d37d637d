"""Seeded regression pins: the headline numbers of every shipped config and experiment, exact to the bit.

Each shipped file is a *case*; its pin is ``tests/pins/<path with / as .>.json`` (``configs.spaaret.json``):
a flat table ``key -> value`` of what the case's outputs were when pinned. ``tests/test_pins.py`` recomputes
every case and compares every pinned value exactly (floats bit for bit, NaN equal to NaN, -0.0 not 0.0),
except the values that come out of a least-squares fit (EVPPI, PRCC): OpenBLAS picks its kernels by CPU, so
these are pinned as aggregates to a relative 1e-9 (``APPROX_SUFFIX``).

Re-pin (after a change that is *meant* to change results), from the repository root::

    python -m tests.pins --update             # every case: prints each value that changed (old -> new), writes the pins
    python -m tests.pins --update configs/spaaret.toml    # only that case
    python -m tests.pins                      # check only: the same report, writes nothing, exit 1 if anything changed

The cases, found by glob so that a new shipped file without a pin fails the tests:

- ``configs/*.toml`` and ``experiments/data/*.toml`` that are configs -> ``config``: ``simsam.simulate(cfg)`` with
  the config's own draws and seed (what ``simsam run CONFIG`` reports), ``simsam.summarize``: per actor the median
  payback month, P(payback <= 12/36/60), the median net benefit after 1 and 5 years; per metric and overall the
  exact sum of every finite summary number, and a SHA-256 of every summary number. Then
  ``simsam compare CONFIG --draws 2000`` (the config's scenarios): its exit status, society's rows of compare.csv
  as written, a SHA-256 of the file and of every variable of compare.nc.
- ``experiments/*.toml`` with ``[[analysis]]`` -> ``experiment``: a temporary copy with draws <= 2000 and Sobol
  n <= 128 (its ``config`` pointing at the real config), through ``simsam experiment``: the manifest (analyses,
  options, headlines, config hashes), summary.json (the same headline values, exact as written), each
  breakeven.json, decision's EVPI, society's EVPPI and acceptability, society's compare rows, every sensitivity
  row; a SHA-256 of every CSV written and of every variable of every NetCDF file.
- ``experiments/*.toml`` with ``[portfolio]`` -> ``portfolio``: ``simsam portfolio FILE --draws 2000``: per
  project and actor the headline cells of portfolio.csv, every society row of the whole budget, hashes.
- ``experiments/data/*_map.toml`` (an evidence mapping, beside ``<stem>.csv``) -> ``evidence``:
  ``simsam evidence CSV --map MAP``: every number of evidence.json, hashes of the other files.

Only the API that survives a reorganisation of the package is used: ``simsam.load_config``,
``simsam.simulate``, ``simsam.summarize``, ``simsam.cli.main`` and the files the commands write.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import simsam
from simsam.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
PINS = Path(__file__).resolve().parent

COMPARE_DRAWS = 2000  # simsam compare CONFIG (at most the config's own draws)
EXPERIMENT_DRAWS = 2000  # every draws = N of an experiment copy is capped at this
SOBOL_N = 128  # every n = N of an experiment copy (Sobol's base sample) is capped at this
PORTFOLIO_DRAWS = 2000

#: Per actor: (metric, summary column) pinned explicitly.
HEADLINE = (
    ("payback_months", "median"),
    ("p_payback_12", "mean"),
    ("p_payback_36", "mean"),
    ("p_payback_60", "mean"),
    ("net_benefit_1y", "median"),
    ("net_benefit_5y", "median"),
)

#: The columns that name a row of each CSV written (the other columns are its values).
CSV_KEYS = {
    "compare.csv": ("contrast", "actor", "metric"),
    "summary.csv": ("actor", "metric"),
    "acceptability.csv": ("actor", "month"),
    "evpi.csv": ("actor", "year"),
    "evppi.csv": ("input", "actor", "year"),
    "evppi_evidence.csv": ("grade", "actor", "year"),
    "sensitivity.csv": ("parameter",),
    "sensitivity_evidence.csv": ("actor", "parameter"),
    "sensitivity_time.csv": ("actor", "year", "parameter"),
    "breakeven.csv": ("parameter", "actor", "month"),
    "portfolio.csv": ("entity", "actor", "metric"),
    "exits.csv": ("id",),
}

# --- cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One shipped file and the kind of run that pins it (``unknown``: a file the pins cannot run yet)."""

    id: str  # its path relative to the repository root, e.g. "configs/spaaret.toml"
    kind: str  # config | experiment | portfolio | evidence | unknown

    @property
    def path(self) -> Path:
        return ROOT / self.id

    @property
    def pin_path(self) -> Path:
        return pin_path(self.id)


def pin_path(case_id: str) -> Path:
    return PINS / (case_id.removesuffix(".toml").replace("/", ".") + ".json")


def _kind_of_experiment_file(path: Path) -> str:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if "analysis" in data:
        return "experiment"
    if "portfolio" in data or "project" in data:
        return "portfolio"
    return "unknown"


def _kind_of_data_file(path: Path) -> str:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if "entry" in data or "exit" in data:  # a mapping for simsam evidence
        return "evidence"
    return "config"


def discover() -> list[Case]:
    """Every shipped config, experiment, portfolio and evidence mapping, sorted by path."""
    cases = [Case(p.relative_to(ROOT).as_posix(), "config") for p in (ROOT / "configs").glob("*.toml")]
    cases += [Case(p.relative_to(ROOT).as_posix(), _kind_of_experiment_file(p)) for p in (ROOT / "experiments").glob("*.toml")]
    cases += [Case(p.relative_to(ROOT).as_posix(), _kind_of_data_file(p)) for p in (ROOT / "experiments" / "data").glob("*.toml")]
    return sorted(cases, key=lambda c: c.id)


def pinned_ids() -> list[str]:
    """The case of every pin file there is (``case`` as written in it)."""
    return sorted(json.loads(p.read_text(encoding="utf-8"))["case"] for p in PINS.glob("*.json"))


def load_pin(case_id: str) -> dict | None:
    path = pin_path(case_id)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# --- values: encoding and exact comparison -----------------------------------------------------

NAN, POS_INF, NEG_INF = "<NaN>", "<+Inf>", "<-Inf>"


def encode(value):
    """A pinned value as JSON: finite floats as numbers (repr: exact), NaN/inf as tokens, text as is."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isnan(x):
            return NAN
        if math.isinf(x):
            return POS_INF if x > 0 else NEG_INF
        return x
    raise TypeError(f"cannot pin a {type(value).__name__}: {value!r}")


def _canonical(value):
    """Equal iff the values are identical: type and, for floats, every bit (so -0.0 != 0.0)."""
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)


#: Keys of values that come out of a least-squares fit or a rank regression (EVPPI's regression
#: metamodel, PRCC): OpenBLAS picks its kernels by CPU, so these agree across machines to ~1e-13 of
#: their size, not to the bit. They are pinned as a few aggregates compared to ``APPROX_RTOL``.
APPROX_SUFFIX = "/approx"
APPROX_RTOL = 1e-9
#: NetCDF variables computed through linear algebra (see APPROX_SUFFIX).
LINALG_VARIABLES = re.compile(r"^((net_benefit|p_payback)_)?(evppi[a-z_0-9]*|prcc[a-z_0-9]*|p_value)$")
#: CSV files whose numbers come through linear algebra: their bytes are not hashed (their pinned cells,
#: printed rounded, and the NetCDF file beside them carry the check).
LINALG_CSV = ("evppi.csv", "evppi_evidence.csv")


def same(a, b, key: str = "") -> bool:
    """Identical values (floats bit for bit); for a key under APPROX_SUFFIX, equal to APPROX_RTOL."""
    if APPROX_SUFFIX in key and isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=APPROX_RTOL, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return _canonical(a) == _canonical(b)


def _show(value) -> str:
    return repr(value)


def diff(old: dict, new: dict) -> list[str]:
    """One line per key whose value differs: ``key: old -> new``; keys only in one side too."""
    lines = []
    for key, value in new.items():
        if key not in old:
            lines.append(f"{key}: (not pinned) -> {_show(value)}")
        elif not same(old[key], value, key):
            lines.append(f"{key}: {_show(old[key])} -> {_show(value)}")
    lines += [f"{key}: {_show(old[key])} -> (no longer produced)" for key in old if key not in new]
    return lines


class Values(dict):
    """The observed values of a case, in the order they are produced; a key is set once."""

    def __setitem__(self, key, value):
        if key in self:
            raise KeyError(f"pin key {key!r} produced twice")
        super().__setitem__(key, encode(value))


# --- fingerprints ------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsum(values) -> float:
    return math.fsum(x for x in values if math.isfinite(x))


def _array_bytes(a: np.ndarray) -> bytes:
    kind = a.dtype.kind
    if kind == "f":
        a = np.where(np.isnan(a), np.nan, a)  # one NaN, whatever its sign or payload
        return np.ascontiguousarray(a, dtype="<f8").tobytes()
    if kind in "iub":
        return np.ascontiguousarray(a, dtype="<i8").tobytes()
    if kind == "M" or kind == "m":
        return np.ascontiguousarray(a.view("<i8")).tobytes()
    return "\x1f".join(portable(str(x)) for x in a.ravel()).encode("utf-8")


def portable(text: str) -> str:
    """Text with the checkout's location as ``<root>`` (portfolio.nc names each project's config by its absolute path)."""
    return text.replace(ROOT.as_posix(), "<root>")


def netcdf_values(values: Values, path: Path, key: str) -> None:
    """Every variable (data and coordinates) of a NetCDF file: a SHA-256 of its dims, shape and
    values, and for floats the exact sum of its finite values (attributes, which hold paths and
    versions, are left out)."""
    import xarray as xr

    # A run's results.nc is pinned as the Dataset it holds (engine="simsam", either layout), not as stored: the
    # compact layout leaves out what it rebuilds, and the readers' numbers are what must not move.
    with xr.open_dataset(path, **({"engine": "simsam"} if path.name == "results.nc" else {})) as ds:
        ds.load()
        values[f"{key}/dims"] = " ".join(f"{d}={n}" for d, n in ds.sizes.items())
        for name in sorted(ds.variables, key=str):
            var = ds.variables[name]
            a = np.asarray(var.values)
            head = f"{a.dtype.kind}|{' '.join(var.dims)}|{a.shape}|".encode()
            if a.dtype.kind == "f" and LINALG_VARIABLES.match(str(name)):
                _approx_values(values, a, f"{key}/{name}{APPROX_SUFFIX}", head)
                continue
            values[f"{key}/{name}/sha256"] = _sha256(head + _array_bytes(a))
            if a.dtype.kind == "f":
                values[f"{key}/{name}/sum"] = _fsum(a.ravel().tolist())


def _approx_values(values: Values, a: np.ndarray, key: str, head: bytes) -> None:
    """A float array from linear algebra: which values are finite (exact), and its sum, sum of absolute
    values and position-weighted sum (to APPROX_RTOL), so that a change of any value, or values trading
    places, still shows."""
    flat = a.ravel()
    finite = np.isfinite(flat)
    values[f"{key}/finite_sha256"] = _sha256(head + finite.tobytes())
    x = flat[finite].tolist()
    weights = (np.flatnonzero(finite) + 1).tolist()
    values[f"{key}/sum"] = math.fsum(x)
    values[f"{key}/sum_abs"] = math.fsum(abs(v) for v in x)
    values[f"{key}/weighted_sum"] = math.fsum(w * v for w, v in zip(weights, x))


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def csv_values(values: Values, path: Path, key: str, rows=None) -> None:
    """A CSV as written: its SHA-256, header and row count, and every cell of ``rows`` (a predicate on a
    row; all rows if None, none if False), each under ``key/<its key columns>/<column>``."""
    if path.name not in LINALG_CSV:
        values[f"{key}/sha256"] = _sha256(path.read_bytes())
    header, table = read_csv(path)
    values[f"{key}/columns"] = ",".join(header)
    values[f"{key}/rows"] = len(table)
    if rows is False:
        return
    ids = CSV_KEYS[path.name]
    chosen = [r for r in table if rows is None or rows(r)]
    assert chosen, f"{key}: no row selected to pin"
    for r in chosen:
        name = "/".join(r[c] for c in ids)
        for col in header:
            if col not in ids:
                values[f"{key}/{name}/{col}"] = r[col]


def flatten_json(values: Values, data, key: str, skip=()) -> None:
    """Every scalar of a JSON document, under ``key/path/to/it`` (lists by index)."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k not in skip:
                flatten_json(values, v, f"{key}/{k}", skip)
    elif isinstance(data, list):
        values[f"{key}/len"] = len(data)
        for i, v in enumerate(data):
            flatten_json(values, v, f"{key}/{i}", skip)
    else:
        values[key] = data


# --- summaries ---------------------------------------------------------------------------------


def summary_values(values: Values, rows: dict[tuple[str, str], dict[str, float]], columns: list[str], key: str) -> None:
    """The headline per actor, the exact sum per metric and overall, and a SHA-256 of every number.

    ``rows``: (actor, metric) -> column -> float (NaN where the summary has none), in the summary's order.
    """
    actors = list(dict.fromkeys(a for a, _ in rows))
    metrics = list(dict.fromkeys(m for _, m in rows))
    values[f"{key}/actors"] = ",".join(actors)
    values[f"{key}/metrics"] = ",".join(metrics)
    values[f"{key}/columns"] = ",".join(columns)
    assert "society" in actors, f"{key}: no society in the summary"
    for actor in actors:
        for metric, column in HEADLINE:
            values[f"{key}/{actor}/{metric}/{column}"] = rows[(actor, metric)][column]
    for (actor, metric), row in rows.items():
        if metric == "utilised_potential":
            for column in ("mean", "median", "p05", "p95"):
                values[f"{key}/{actor}/{metric}/{column}"] = row[column]
    for metric in metrics:
        values[f"{key}/sum/{metric}"] = _fsum(row[c] for (a, m), row in rows.items() if m == metric for c in columns)
    every = [row[c] for row in rows.values() for c in columns]
    values[f"{key}/sum"] = _fsum(every)
    values[f"{key}/nan_count"] = sum(1 for x in every if math.isnan(x))
    text = "\n".join(f"{a}|{m}|{c}|{float(row[c]).hex()}" for (a, m), row in rows.items() for c in columns)
    values[f"{key}/sha256"] = _sha256(text.encode("utf-8"))


def _frame_rows(table) -> tuple[dict, list[str]]:
    columns = [str(c) for c in table.columns]
    rows = {}
    for (actor, metric), row in zip(table.index, table.itertuples(index=False)):
        rows[(str(actor), str(metric))] = {c: float(v) for c, v in zip(columns, row)}
    assert len(rows) == len(table), "summary index is not unique"
    return rows, columns


def _json_rows(summary: dict) -> tuple[dict, list[str]]:
    rows, columns = {}, None
    for actor, block in summary["actors"].items():
        for metric, cells in block["metrics"].items():
            columns = columns or list(cells)
            assert list(cells) == columns, f"summary.json {actor}/{metric}: columns differ"
            rows[(actor, metric)] = {c: math.nan if v is None else float(v) for c, v in cells.items()}
    return rows, columns or []


# --- running commands --------------------------------------------------------------------------


@contextlib.contextmanager
def _at_root():
    """Run from the repository root with relative paths, so that nothing written depends on the checkout's location."""
    with contextlib.chdir(ROOT):
        yield


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def run_cli_ok(argv: list[str]) -> None:
    code, _, err = run_cli(argv)
    if code != 0:
        raise AssertionError(f"simsam {' '.join(map(str, argv))} exited {code}: {err}")


# --- the cases ---------------------------------------------------------------------------------


def observe_config(case: Case, tmp: Path) -> Values:
    values = Values()
    cfg = simsam.load_config(case.id)
    ds = simsam.simulate(cfg)  # the config's own draws and seed
    draws = int(ds.sizes["draw"])
    values["run/seed"] = int(ds.attrs["seed"])
    values["run/draws"] = draws
    values["run/actors"] = ",".join(str(a) for a in ds["actor"].values)
    summary_values(values, *_frame_rows(simsam.summarize(ds)), key="summary")

    n = min(COMPARE_DRAWS, draws)
    values["compare/draws"] = n
    out = tmp / "compare"
    code, _, err = run_cli(["compare", case.id, "--draws", n, "--out", out, "--quiet"])
    values["compare/exit"] = code
    if code != 0:  # e.g. a config without [scenarios.*]: the message says so
        values["compare/stderr"] = err
        return values
    csv_values(values, out / "compare.csv", "compare.csv", rows=lambda r: r["actor"] == "society")
    netcdf_values(values, out / "compare.nc", "compare.nc")
    return values


def experiment_copy(case: Case, tmp: Path) -> Path:
    """The experiment with draws <= EXPERIMENT_DRAWS and n <= SOBOL_N, its config the real one (absolute)."""
    text = case.path.read_text(encoding="utf-8")
    config = tomllib.loads(text)["config"]
    line = re.compile(r'^config\s*=\s*"' + re.escape(config) + r'"', re.MULTILINE)
    assert len(line.findall(text)) == 1, f"{case.id}: cannot find its config line"
    text = line.sub(lambda m: f"config = {json.dumps((case.path.parent / config).resolve().as_posix())}", text)

    def cap(name: str, limit: int, text: str) -> str:
        return re.sub(rf"^(\s*{name}\s*=\s*)(\d+)", lambda m: m.group(1) + str(min(int(m.group(2)), limit)), text, flags=re.MULTILINE)

    text = cap("n", SOBOL_N, cap("draws", EXPERIMENT_DRAWS, text))
    path = tmp / case.path.name
    path.write_text(text, encoding="utf-8")
    return path


def observe_experiment(case: Case, tmp: Path) -> Values:
    values = Values()
    copy = experiment_copy(case, tmp)
    out = tmp / "out"
    run_cli_ok(["experiment", copy, "--out", out, "--quiet"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    values["manifest/name"] = manifest["experiment"]["name"]
    values["manifest/seed"] = manifest["seed"]
    values["manifest/draws"] = manifest["draws"]
    for k in ("name", "sha256", "resolved_sha256"):
        values[f"manifest/config/{k}"] = manifest["config"][k]
    values["manifest/config/files"] = " ".join(f"{f['path']}={f['sha256']}" for f in manifest["config"]["files"])
    values["manifest/outputs"] = " ".join(manifest["outputs"])
    values["manifest/analyses"] = " ".join(a["name"] for a in manifest["analyses"])
    for a in manifest["analyses"]:
        for k in ("kind", "draws", "folder", "headline"):
            values[f"manifest/{a['name']}/{k}"] = a[k]
        values[f"manifest/{a['name']}/options"] = json.dumps(a["options"], sort_keys=True)
        values[f"manifest/{a['name']}/outputs"] = " ".join(a["outputs"])
    pinned = set()
    for a in manifest["analyses"]:
        for rel in a["outputs"]:
            _output_values(values, out / rel, rel, a)
            pinned.add(rel)
    missing = [rel for rel in manifest["outputs"] if rel not in pinned and rel not in ("manifest.json", "experiment.toml")]
    assert not missing, f"{case.id}: outputs of no analysis: {missing}"
    return values


def _output_values(values: Values, path: Path, rel: str, analysis: dict) -> None:
    """What is pinned of one file an experiment's analysis wrote."""
    name = path.name
    if name.endswith(".nc"):
        netcdf_values(values, path, rel)
    elif name == "summary.json":
        summary = json.loads(path.read_text(encoding="utf-8"))
        flatten_json(values, summary["run"], f"{rel}/run", skip=("config_file", "simsam_version"))
        for actor, block in summary["actors"].items():
            values[f"{rel}/{actor}/label"] = block["label"]
            values[f"{rel}/{actor}/headline"] = block["headline"]
        summary_values(values, *_json_rows(summary), key=rel)
    elif name == "breakeven.json":
        flatten_json(values, json.loads(path.read_text(encoding="utf-8")), rel)
        csv_values(values, path.with_suffix(".csv"), rel.removesuffix(".json") + ".csv", rows=False)
    elif name == "breakeven.csv":
        pass  # with breakeven.json (which has every number exact)
    elif name == "summary.csv":
        csv_values(values, path, rel, rows=False)  # summary.json has every number exact
    elif name in ("compare.csv", "acceptability.csv", "evppi.csv", "evppi_evidence.csv", "sensitivity_evidence.csv"):
        year = str(analysis["options"].get("year", 3))
        rows = {
            "compare.csv": lambda r: r["actor"] == "society",
            "acceptability.csv": lambda r: r["actor"] == "society" and r["month"] in ("12", "36", "60"),
            "evppi.csv": lambda r: r["actor"] == "society" and r["year"] == year,
            "evppi_evidence.csv": lambda r: r["actor"] == "society" and r["year"] == year,
            "sensitivity_evidence.csv": lambda r: r["actor"] == "society",
        }[name]
        csv_values(values, path, rel, rows=rows)
    elif name == "sensitivity_time.csv":
        csv_values(values, path, rel, rows=False)  # sensitivity.nc has every number exact
    elif name in ("evpi.csv", "sensitivity.csv"):
        csv_values(values, path, rel)  # every row
    elif name == "split.json":
        flatten_json(values, json.loads(path.read_text(encoding="utf-8")), rel, skip=("config_file",))
    elif name == "split.csv":
        csv_values(values, path, rel, rows=False)  # split.json has every number exact
    elif name.endswith(".xlsx"):
        values[f"{rel}/exists"] = path.is_file()  # a zip with timestamps: summary.json holds its numbers
    else:
        raise AssertionError(f"{rel}: an output the pins do not know; add it to tests/pins/__init__.py")


def observe_portfolio(case: Case, tmp: Path) -> Values:
    values = Values()
    out = tmp / "out"
    values["portfolio/draws"] = PORTFOLIO_DRAWS
    run_cli_ok(["portfolio", case.id, "--draws", PORTFOLIO_DRAWS, "--out", out, "--quiet"])
    path = out / "portfolio.csv"

    csv_values(values, path, "portfolio.csv", rows=lambda r: r["entity"] == "portfolio" and r["actor"] == "society")
    _, table = read_csv(path)
    values["portfolio.csv/entities"] = ",".join(dict.fromkeys(r["entity"] for r in table))
    for r in table:
        if r["entity"] != "portfolio" or r["actor"] != "society":
            for metric, column in HEADLINE:
                if r["metric"] == metric:
                    values[f"portfolio.csv/{r['entity']}/{r['actor']}/{metric}/{column}"] = r[column]
    netcdf_values(values, out / "portfolio.nc", "portfolio.nc")
    return values


def observe_evidence(case: Case, tmp: Path) -> Values:
    values = Values()
    export = case.id.removesuffix("_map.toml") + ".csv"
    assert (ROOT / export).is_file(), f"{case.id}: an evidence mapping without its export {export}"
    out = tmp / "out"
    run_cli_ok(["evidence", export, "--map", case.id, "--out", out, "--quiet"])
    flatten_json(values, json.loads((out / "evidence.json").read_text(encoding="utf-8")), "evidence.json")
    for name in sorted(p.name for p in out.iterdir()):
        if name != "evidence.json":
            values[f"{name}/sha256"] = _sha256((out / name).read_bytes())
    return values


OBSERVE = {"config": observe_config, "experiment": observe_experiment, "portfolio": observe_portfolio, "evidence": observe_evidence}


def observe(case: Case) -> Values:
    """Run the case and return what is pinned of it."""
    if case.kind not in OBSERVE:
        raise AssertionError(f"{case.id}: not a config, experiment, portfolio or evidence mapping the pins can run")
    with tempfile.TemporaryDirectory(prefix="simsam-pins-") as tmp, _at_root():
        return OBSERVE[case.kind](case, Path(tmp))


def pin_document(case: Case, values: dict) -> dict:
    return {"case": case.id, "kind": case.kind, "values": dict(values)}


def write_pin(case: Case, values: dict) -> None:
    text = json.dumps(pin_document(case, values), indent=1, ensure_ascii=False, allow_nan=False)
    case.pin_path.write_text(text + "\n", encoding="utf-8")

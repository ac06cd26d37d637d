"""Property tests: malformed and adversarial configs never crash simsam.

Whatever the config, ``simsam run`` ends with exit 0 and a complete output
folder whose results keep the accounting identity, or with exit 2, one
``error:`` line and no folder — never a traceback.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simsam.cli import main
from simsam.results import read_results

from .helpers import DATA

BASE = tomllib.loads((DATA / "base.toml").read_text(encoding="utf-8"))
MINIMAL = tomllib.loads((DATA / "minimal.toml").read_text(encoding="utf-8"))
MINIMAL.pop("extends")
FULL = {**BASE, **MINIMAL}


def toml_value(v) -> str:
    """TOML for a value (inline tables and arrays; every key quoted)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON's escapes of control characters are TOML's
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{toml_value(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def to_toml(d: dict) -> str:
    return "\n".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in d.items()) + "\n"


def leaf_paths(d, prefix=()):
    for k, v in d.items():
        yield prefix + (k,)
        if isinstance(v, dict):
            yield from leaf_paths(v, prefix + (k,))


PATHS = sorted(leaf_paths(FULL))

scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -1e308, 1e-320, 0.5, 1.0, 2.0]),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["kommun", "af", "work", "beta", "dirichlet", "", "å", "🙂", "society"]),
)
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6
)
distributions = st.fixed_dictionaries(
    {"dist": st.sampled_from(["uniform", "triangular", "pert", "normal", "lognormal", "beta", "gamma", "dirichlet", "poisson"])},
    optional={
        k: st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5))
        for k in ("low", "high", "mode", "min", "max", "mean", "sd", "a", "b", "concentration", "prior")
    },
)


def set_path(d: dict, path, value) -> None:
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value


def delete_path(d: dict, path) -> None:
    for k in path[:-1]:
        d = d[k]
    d.pop(path[-1], None)


factors = st.sampled_from([-1.0, 0.0, 1e-9, 0.5, 0.999, 1.001, 2.0, 10.0, 1e6, 1e300, math.nan, math.inf])
mutation = st.tuples(
    st.sampled_from(["set", "dist", "delete", "add", "scale", "scale", "scale"]),
    st.sampled_from(PATHS),
    st.one_of(values, distributions, factors),
    st.text(min_size=1, max_size=10),
)


def mutate(config: dict, mutations) -> dict:
    d = json.loads(json.dumps(config))
    for kind, path, value, key in mutations:
        try:
            if kind == "scale":
                # Numbers scaled out of range (or just off): mostly valid configs with extreme inputs.
                target = d
                for k in path[:-1]:
                    target = target[k]
                old = target[path[-1]]
                if isinstance(old, (int, float)) and not isinstance(old, bool) and isinstance(value, float):
                    target[path[-1]] = old * value
            elif kind == "delete":
                delete_path(d, path)
            elif kind == "add":
                parent = path[:-1]
                target = d
                for k in parent:
                    target = target[k]
                if isinstance(target, dict):
                    target[key] = value
            else:
                set_path(d, path, value)
        except (KeyError, TypeError):
            pass  # an earlier mutation removed or replaced the parent
    return d


def check_run(folder: Path, config_file: Path, capsys) -> int:
    out = folder / "out"
    code = main(["run", str(config_file), "--draws", "3", "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".out")]
    assert not leftovers, f"temporary folders left: {leftovers}"
    if code == 2:
        assert not out.exists()
        assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    else:
        assert code == 0, (code, captured.err)
        assert {"results.nc", "summary.csv", "summary.json"} <= {p.name for p in out.iterdir()}
        ds = read_results(out)
        for var in ("annual_revenue", "net_benefit", "cost"):
            actors = ds[var].sel(actor=[a for a in ds.actor.values if a != "society"]).sum("actor")
            np.testing.assert_allclose(ds[var].sel(actor="society"), actors, rtol=1e-9, atol=1e-3)
    return code


SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], derandomize=True
)


@SETTINGS
@given(mutations=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_configs_never_crash(mutations, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("cfg")
    config = folder / "config.toml"
    config.write_text(to_toml(mutate(FULL, mutations)), encoding="utf-8")
    check_run(folder, config, capsys)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True)
@given(depth=st.integers(1, 40), mutations=st.lists(mutation, max_size=2), cycle=st.booleans())
def test_deep_extends_chains(depth, mutations, cycle, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("chain")
    (folder / "c0.toml").write_text(to_toml(mutate(FULL, mutations)), encoding="utf-8")
    for i in range(1, depth + 1):
        target = f"c{depth}.toml" if cycle and i == 1 else f"c{i - 1}.toml"
        (folder / f"c{i}.toml").write_text(f'extends = "{target}"\n[meta]\nlevel = {i}\n', encoding="utf-8")
    code = check_run(folder, folder / f"c{depth}.toml", capsys)
    if cycle:
        assert code == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True)
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200), st.just(""), st.just("[[[")))
def test_files_that_are_not_configs(content, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("junk")
    config = folder / "config.toml"
    config.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    assert check_run(folder, config, capsys) == 2


def test_interrupted_run_leaves_the_previous_results(tmp_path):
    """Ctrl-C or a killed process mid-run: no half-written results.nc replaces a good one."""
    config = tmp_path / "big.toml"
    config.write_text((DATA / "engine.toml").read_text(encoding="utf-8").replace("draws = 2000", "draws = 3000000"), encoding="utf-8")
    out = tmp_path / "out"
    good = subprocess.run(
        [sys.executable, "-m", "simsam.cli", "run", str(DATA / "engine.toml"), "--draws", "50", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0, good.stderr
    before = (out / "results.nc").read_bytes()
    for sig in (signal.SIGINT, signal.SIGKILL):
        proc = subprocess.Popen(
            [sys.executable, "-m", "simsam.cli", "run", str(config), "--out", str(out), "--chunk-draws", "20000", "--quiet"],
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline and not any(p.name.startswith(".out.tmp") and any(p.iterdir()) for p in tmp_path.iterdir()):
            time.sleep(0.05)  # wait until it is writing its results
        time.sleep(0.5)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode != 0
        assert "Traceback" not in err
        assert (out / "results.nc").read_bytes() == before
        if sig == signal.SIGINT:
            assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")], "Ctrl-C cleans up"
    os.sync()

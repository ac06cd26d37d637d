"""Property tests of the command line: generated argv never crash simsam (issue 14, item 6).

Every command gets generated options — huge, negative, zero, NaN, infinite,
non-numeric and empty numbers; unicode, empty, missing and clashing paths;
conflicting options; ``--dry-run`` — and must end with exit 0 and a complete
output (or, with ``--dry-run``, none), or exit 2 and one ``error:`` line and
no output folder; never a traceback, and never a temporary folder, a
swapped-out folder or a lock file left behind. Most cases run in-process
through :func:`simsam.cli.main` (about 30 ms each); a few run as subprocesses,
where a crash at interpreter exit (a segmentation fault) would show.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simsam.cli import main

from .helpers import DATA, simsam_env

# --- a small world the commands run in ----------------------------------------------------------------------------

CONFIG = (DATA / "minimal.toml").read_text(encoding="utf-8")
CONFIG = CONFIG.replace('extends = "base.toml"', 'extends = "base.toml"\n[simulation]\ndraws = 20\n')
CONFIG += """
[scenarios.more_work]
label = "More work"
outcomes.shares = { dist = "dirichlet", mean = { work = 0.35, improved = 0.4, not_improved = 0.25 }, concentration = 80 }
"""
EXPERIMENT = """name = "fuzz"
config = "config.toml"
seed = 1
draws = 20
[[analysis]]
kind = "run"
[[analysis]]
kind = "sensitivity"
method = "sobol"
n = 4
"""
PORTFOLIO = """[portfolio]
name = "fuzz"
draws = 20
[[project]]
name = "a"
config = "config.toml"
[[project]]
name = "b"
config = "config.toml"
"""

#: What a successful command leaves in its output folder.
OUTPUTS = {
    "run": {"results.nc", "summary.csv", "summary.json", "summary.xlsx"},
    "sensitivity": {"sensitivity.nc", "sensitivity.csv"},
    "compare": {"compare.nc", "compare.csv"},
    "breakeven": {"breakeven.json", "breakeven.csv", "breakeven.nc"},
    "decision": {"decision.nc", "acceptability.csv", "evpi.csv"},
    "experiment": {"manifest.json", "experiment.toml"},
    "evidence": {"evidence.toml", "evidence.json", "exits.csv", "report.txt"},
    "portfolio": {"portfolio.nc", "portfolio.csv"},
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Config, experiment, portfolio, follow-up files and a finished run, read-only for the cases."""
    w = tmp_path_factory.mktemp("world")
    (w / "base.toml").write_text((DATA / "base.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (w / "config.toml").write_text(CONFIG, encoding="utf-8")
    (w / "other.toml").write_text(CONFIG.replace("participants = 81", "participants = 40"), encoding="utf-8")
    (w / "experiment.toml").write_text(EXPERIMENT, encoding="utf-8")
    (w / "portfolio.toml").write_text(PORTFOLIO, encoding="utf-8")
    (w / "sus.csv").write_bytes((DATA / "evidence" / "small.csv").read_bytes())
    (w / "map.toml").write_bytes((DATA / "evidence" / "small_map.toml").read_bytes())
    (w / "not a config.txt").write_bytes(b"\x00\x01 binary")
    for name in ("finished", "kept"):  # "finished" the cases may replace; "kept" they never name
        assert main(["run", str(w / "config.toml"), "--out", str(w / name), "--quiet"]) == 0
    return w


# --- generated arguments ------------------------------------------------------------------------------------------


def mostly(valid, bad, weight: int = 4):
    """``valid`` about ``weight`` times in ``weight + 1``, else ``bad``: most cases get far enough to run."""
    return st.integers(0, weight).flatmap(lambda k: bad if k == 0 else valid)


BAD_WHOLE = st.one_of(
    st.sampled_from(["0", "-1", "-20", "1e12", "1099511627776", str(2**63), str(10**30), "1e400", "1.5", "nan", "inf", "-inf"]),
    st.sampled_from(["", " ", "abc", "١٢", "1,5", "0x10", "½", "🙂", "--", "-"]),
)
SMALL = st.one_of(st.integers(1, 30).map(str), st.sampled_from(["2e1", "1_0", " 7 "]))
WHOLE = mostly(SMALL, BAD_WHOLE)
BAD_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e308", "nan", "inf", "-inf", "", "x", "0,5", "1e-320", "-0.1"]),
)


def number(*valid):
    return mostly(st.sampled_from([str(v) for v in valid]), BAD_NUMBER)


BAD_NAME = st.one_of(st.sampled_from(["nobody", "Kommun", "", "å", "🙂", "outcomes"]), st.text(max_size=8))
#: Output places: fresh (ascii and unicode) mostly; else the world's files and folders, the current folder, nonsense.
OUT = mostly(
    st.sampled_from(["out", "résultat/ö-ut", "ny mapp/🙂", "a/../b", "{w}/finished"]),
    st.sampled_from(["", ".", "..", "{w}", "{w}/config.toml", "{w}/config.toml/x", "/proc/x", "{w}/.finished.tmp-abcdefgh"]),
)
CONFIG_ARG = mostly(
    st.sampled_from(["{w}/config.toml", "{w}/other.toml"]),
    st.sampled_from(["{w}/missing.toml", "{w}/not a config.txt", "{w}", "", "{w}/finished", "{w}/sus.csv"]),
)


def option(flag, values, present: int = 1):
    """``[flag, value]`` or nothing (``present`` in ``present + 1`` cases)."""
    return st.integers(0, present).flatmap(lambda k: st.just([]) if k == 0 else values.map(lambda v: [flag, v]))


def options(*items):
    """Options (each a strategy from :func:`option`) in a shuffled order, flattened."""
    return st.tuples(*items).flatmap(lambda opts: st.permutations(list(opts))).map(lambda opts: [x for o in opts for x in o])


def flags(*names):
    return st.lists(st.sampled_from(names), unique=True, max_size=len(names))


LANG = option("--lang", st.sampled_from(["sv", "en", "fi", ""]), 0)
PRICE_LEVEL = option("--price-level", mostly(st.sampled_from(["2016", "2024"]), st.sampled_from(["1800", "3000", "x", "2024.5"])), 0)


def run_options(*more):
    return options(
        LANG,
        option("--draws", WHOLE),
        option("--seed", mostly(st.integers(0, 2**63 - 1).map(str), BAD_WHOLE)),
        option("--out", OUT, present=3),
        option("--threads", mostly(st.sampled_from(["1", "2"]), BAD_WHOLE), present=0),
        option("--chunk-draws", WHOLE, present=0),
        *more,
    )


SENSITIVITY_N = {"tornado": st.just([]), "prcc": option("--n", mostly(st.integers(4, 30).map(str), BAD_WHOLE)),
                 "sobol": option("--n", mostly(st.sampled_from(["2", "4", "8"]), BAD_WHOLE)),
                 "morris": option("--n", mostly(st.sampled_from(["2", "3", "4"]), BAD_WHOLE))}  # fmt: skip


def sensitivity(method):
    extra = {
        "tornado": [option("--low", number(0.05, 0.1, 0.25), 0), option("--high", number(0.75, 0.9, 0.95), 0)],
        "morris": [option("--levels", mostly(st.sampled_from(["2", "4", "6"]), BAD_WHOLE), 0)],
    }.get(method, [])
    return st.tuples(
        CONFIG_ARG.map(lambda c: [c]),
        options(
            st.just(["--method", method]),
            SENSITIVITY_N.get(method, st.just([])),
            option("--target", mostly(st.sampled_from(["payback_months", "p_payback", "net_benefit", "cost", "p_payback_36"]),
                                      st.sampled_from(["bad", "", "net_benefit_99y"])), 0),  # fmt: skip
            option("--actor", mostly(st.sampled_from(["society", "kommun", "af"]), BAD_NAME), 0),
            option("--month", mostly(st.sampled_from(["12", "36"]), BAD_WHOLE), 0),
            option("--year", mostly(st.sampled_from(["1", "3"]), BAD_WHOLE), 0),
            option("--cohort", st.sampled_from(["expected", "sampled", "x"]), 0),
            option("--out", OUT, present=3),
            LANG,
            *extra,
            # A contradiction now and then: an option the method does not take.
            option(*{"tornado": ("--levels", st.just("4")), "prcc": ("--low", st.just("0.05"))}.get(method, ("--low", st.just("0.05"))), 0),
        ),
        flags("--quiet", "--dry-run"),
    )


COMMANDS = {
    "run": st.tuples(
        CONFIG_ARG.map(lambda c: [c]),
        run_options(
            option("--until-se", number(0.2, 0.3), 0),
            option("--max-draws", WHOLE, 0),
            option("--scheduler", st.sampled_from(["local:x", "tcp://", "x", "local:0", "local:99999"]), 0),
        ),
        flags("--quiet", "--dry-run"),
    ),
    "validate": st.tuples(
        st.one_of(CONFIG_ARG, st.sampled_from(["{w}/experiment.toml", "{w}/portfolio.toml", "{w}/map.toml"])).map(lambda c: [c]),
        st.just([]),
        st.just([]),
    ),
    "describe": st.tuples(CONFIG_ARG.map(lambda c: [c]), options(option("--lang", st.sampled_from(["sv", "en", "fi"]), 0)), st.just([])),
    "sensitivity": mostly(st.sampled_from(["tornado", "prcc", "sobol", "morris"]), st.sampled_from(["bogus", ""])).flatmap(sensitivity),
    "compare": st.tuples(
        st.one_of(CONFIG_ARG.map(lambda c: [c]), st.lists(CONFIG_ARG, min_size=2, max_size=3)),
        run_options(option("--scenario", mostly(st.just("more_work"), BAD_NAME), 0), PRICE_LEVEL),
        flags("--quiet", "--dry-run"),
    ),
    "scenarios": st.tuples(CONFIG_ARG.map(lambda c: [c]), st.just([]), st.just([])),
    "breakeven": st.tuples(
        CONFIG_ARG.map(lambda c: [c]),
        run_options(
            option("--param", mostly(st.sampled_from(["outcomes.shares.work", "project.cost"]), st.sampled_from(["nope", "", "x.y"])), 8),
            option("--month", mostly(st.sampled_from(["12", "36", "60"]), BAD_WHOLE), 8),
            option("--prob", number(0.5, 0.8), 8),
            option("--actor", mostly(st.sampled_from(["society", "kommun"]), BAD_NAME), 0),
            option("--range", mostly(st.sampled_from(["1e6 2e7", "0.1 0.9"]), st.sampled_from(["nan 1", "1 nan", "5 1", "x y"])), 0).map(
                lambda o: [o[0], *o[1].split()] if o else o
            ),
        ),
        st.just(["--quiet"]),
    ),
    "decision": st.tuples(
        mostly(st.sampled_from(["{w}/config.toml", "{w}/finished", "{w}/finished/results.nc"]),
               st.sampled_from(["{w}/missing.nc", "{w}/sus.csv", "{w}/not a config.txt"])).map(lambda c: [c]),  # fmt: skip
        run_options(
            option("--evppi", mostly(st.sampled_from(["outcomes.shares", "project.cost", "project.cost+outcomes.shares"]), BAD_NAME), 0),
            option("--year", mostly(st.sampled_from(["1", "5"]), BAD_WHOLE), 0),
        ),
        flags("--quiet", "--dry-run", "--no-evppi"),
    ),
    "experiment": st.tuples(
        mostly(st.just("{w}/experiment.toml"), st.sampled_from(["{w}/config.toml", "{w}/missing.toml"])).map(lambda c: [c]),
        options(option("--out", OUT, 3), option("--threads", mostly(st.just("1"), BAD_WHOLE), 0)),
        flags("--quiet", "--dry-run"),
    ),
    "evidence": st.tuples(
        mostly(st.just("{w}/sus.csv"), st.sampled_from(["{w}/not a config.txt", "{w}/missing.csv", "{w}"])).map(lambda c: [c]),
        options(
            mostly(st.just(["--map", "{w}/map.toml"]), st.sampled_from([[], ["--map", "{w}/config.toml"], ["--map", "{w}/missing.toml"]])),
            option("--config", CONFIG_ARG, 0),
            option("--prior", number(1, 0.5, 0), 0),
            option("--out", OUT, 3),
        ),
        flags("--quiet", "--before-dirichlet"),
    ),
    "portfolio": st.tuples(
        mostly(st.just("{w}/portfolio.toml"), st.sampled_from(["{w}/config.toml", "{w}/missing.toml"])).map(lambda c: [c]),
        options(option("--draws", WHOLE), option("--seed", WHOLE, 0), option("--out", OUT, 3), option("--chunk-draws", WHOLE, 0), LANG,
                PRICE_LEVEL),  # fmt: skip
        flags("--quiet", "--dry-run"),
    ),
    "clean": st.tuples(st.sampled_from([[], ["{w}"], ["{w}/missing"], ["{w}/config.toml"], ["out"]]), st.just([]), flags("--dry-run")),
}

#: How often each command comes up: the slow successes (a portfolio, an experiment: 0.3-0.4 s) less often.
WEIGHTS = {"run": 3, "sensitivity": 3, "breakeven": 3, "compare": 2, "decision": 2, "evidence": 2, "portfolio": 1, "experiment": 1,
           "validate": 1, "describe": 1, "scenarios": 1, "clean": 1}  # fmt: skip
argv_cases = st.sampled_from([n for n, w in WEIGHTS.items() for _ in range(w)]).flatmap(lambda n: st.tuples(st.just(n), COMMANDS[n]))


def _argv(name, parts, world: Path) -> list[str]:
    positional, opts, extra = parts
    return [name] + [a.replace("{w}", str(world)) for a in (*positional, *opts, *extra)]


def _out_of(name: str, argv: list[str], cwd: Path) -> Path | None:
    """The output folder the command writes (its --out, or its default under results/)."""
    if name in ("validate", "describe", "scenarios", "clean"):
        return None
    if "--out" in argv:
        return cwd / argv[argv.index("--out") + 1]
    return None  # a default folder: found by the leftover check below


def _leftovers(root: Path) -> list[str]:
    from simsam.util.folders import is_unfinished

    found = []
    for dirpath, dirs, files in os.walk(root):
        found += [os.path.join(dirpath, d) for d in dirs if is_unfinished(Path(d))]
        found += [os.path.join(dirpath, f) for f in files if f.startswith(".") and f.endswith(".lock")]
    return found


def check_case(name: str, argv: list[str], world: Path, cwd: Path, capsys) -> int:
    out = _out_of(name, argv, cwd)
    existed = out is not None and out.exists()
    before = sorted(p.name for p in cwd.iterdir())
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(argv)
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out, (argv, captured.err)
    assert code in (0, 2), (argv, code, captured.err)
    assert not _leftovers(cwd) and not _leftovers(world), (argv, _leftovers(cwd), _leftovers(world))
    if code == 2:
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, captured.err)
        if out is not None and not existed:
            assert not out.exists(), (argv, "a failed command left its output folder")
        if "--dry-run" not in argv and out is None:
            assert sorted(p.name for p in cwd.iterdir()) == before or captured.err, argv
    elif "--dry-run" in argv and name in OUTPUTS:
        assert captured.out.startswith("simsam ") and "the plan" in captured.out, (argv, captured.out)
        assert sorted(p.name for p in cwd.iterdir()) == before, (argv, "a dry run wrote something")
    elif name in OUTPUTS:
        folder = out
        if folder is None and name == "decision" and not argv[1].endswith(".toml"):  # a run's folder (or file): DIR/decision
            source = Path(argv[1])
            folder = (source if source.is_dir() else source.parent) / "decision"
        if folder is None:  # the default place: the one folder under results/ that holds outputs
            folders = [Path(d) for d, _, files in os.walk(cwd / "results") if OUTPUTS[name] <= set(files)]
            assert len(folders) == 1, (argv, folders)
            folder = folders[0]
        assert OUTPUTS[name] <= {p.name for p in folder.iterdir()}, (argv, sorted(p.name for p in folder.iterdir()))
    return code


@settings(
    max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=argv_cases)
def test_generated_command_lines_never_crash(case, world, tmp_path_factory, capsys):
    name, parts = case
    argv = _argv(name, parts, world)
    code = check_case(name, argv, world, tmp_path_factory.mktemp("cwd"), capsys)
    event(f"{name}: exit {code}{' (dry run)' if '--dry-run' in argv else ''}")


# The examples, and a few cases as real processes (a crash at exit shows only there).
SUBPROCESS_CASES = [
    (["run", "{w}/config.toml", "--draws", "1000000000000"], 2),
    (["sensitivity", "{w}/config.toml", "--method", "sobol", "--n", "1099511627776"], 2),
    (["sensitivity", "{w}/config.toml", "--method", "prcc", "--n", "1e12"], 2),
    (["portfolio", "{w}/portfolio.toml", "--draws", "1e12"], 2),
    (["run", "{w}/config.toml", "--draws", "2e1", "--out", "ö 🙂", "--quiet"], 0),
    (["decision", "{w}/kept", "--out", "d", "--quiet", "--evppi", "outcomes.shares"], 0),
]


@pytest.mark.parametrize("args, expected", SUBPROCESS_CASES, ids=lambda x: " ".join(x) if isinstance(x, list) else str(x))
def test_command_lines_in_a_fresh_process(args, expected, world, tmp_path):
    argv = [a.replace("{w}", str(world)) for a in args]
    proc = subprocess.run([sys.executable, "-m", "simsam.cli", *argv], capture_output=True, text=True, cwd=tmp_path, env=simsam_env())
    assert proc.returncode == expected, proc.stderr
    assert "Traceback" not in proc.stderr
    if expected == 2:
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
        assert not any(tmp_path.iterdir()), "a refused command wrote something"
    assert not _leftovers(tmp_path)


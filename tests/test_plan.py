"""The plan before a run (issue 14, item 1): estimates of memory and disk, what fits, --dry-run, MemoryError.

The memory estimates are checked against what NumPy actually allocates
(``tracemalloc``'s peak while the command runs in-process): every estimate
must be at least the measured peak (it is used to refuse work, so it must
not be low) and at most three times it where the arrays dominate (at least
20 MB measured; below that, fixed costs of a few MB dominate and nothing is at
risk). Disk estimates are checked against the bytes written.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import simsam
from simsam.analysis.sensitivity.options import SensitivityOptions, prepare
from simsam.cli import main
from simsam.errors import ResourceError
from simsam.workflows import plan as P

from .helpers import CONFIGS, DATA, ROOT, simsam_env

SAMVERKANSTEAMET = CONFIGS / "samverkansteamet.toml"
PORTFOLIO = ROOT / "experiments" / "portfolio_seeds.toml"


@pytest.fixture(scope="module")
def cfg():
    return simsam.load_config(SAMVERKANSTEAMET)


@pytest.fixture(scope="module", autouse=True)
def warm(tmp_path_factory):
    """Load the kernels and the libraries once, so that the measured peaks are the commands' own."""
    out = tmp_path_factory.mktemp("warm")
    assert main(["run", str(SAMVERKANSTEAMET), "--draws", "50", "--out", str(out / "r"), "--quiet"]) == 0
    assert main(["sensitivity", str(SAMVERKANSTEAMET), "--method", "sobol", "--n", "2", "--out", str(out / "s"), "--quiet"]) == 0
    assert main(["portfolio", str(PORTFOLIO), "--draws", "20", "--out", str(out / "p"), "--quiet"]) == 0
    assert main(["decision", str(SAMVERKANSTEAMET), "--draws", "50", "--out", str(out / "d"), "--quiet"]) == 0


def measure(argv: list[str], out: Path) -> tuple[int, int]:
    """Peak bytes NumPy and Python allocated while ``simsam argv --out out`` ran, and the bytes it wrote."""
    tracemalloc.start()
    try:
        code = main([*argv, "--out", str(out), "--quiet"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return peak, written


def _sensitivity(cfg, method, n=None):
    return P.plan_sensitivity(cfg, prepare(cfg, SensitivityOptions(method=method, n=n))[0])


def _portfolio(draws):
    from simsam.analysis.portfolio import load_portfolio
    from simsam.engine.sampling import ParameterSpace

    configs = [p.config for p in load_portfolio(PORTFOLIO).projects]
    union = dict.fromkeys(n for c in configs for n in ParameterSpace.from_config(c).names)
    return P.plan_portfolio(configs, draws, len(union))


def _compare(cfg, draws):
    from simsam.analysis.scenarios import variants_of

    return P.plan_compare([v.config for v in variants_of(cfg, None)], draws)


# (name, argv, plan from the config): sizes where the arrays of draws dominate, small enough for CI.
CASES = [
    ("run", ["run", str(SAMVERKANSTEAMET), "--draws", "60000", "--chunk-draws", "5000"], lambda c: P.plan_run(c, 60000, chunk_draws=5000)),
    ("run one chunk", ["run", str(SAMVERKANSTEAMET), "--draws", "20000"], lambda c: P.plan_run(c, 20000)),
    ("run in large chunks", ["run", str(SAMVERKANSTEAMET), "--draws", "100000", "--chunk-draws", "50000"],
     lambda c: P.plan_run(c, 100000, chunk_draws=50000)),
    (
        "run --store states",
        ["run", str(SAMVERKANSTEAMET), "--draws", "30000", "--chunk-draws", "5000", "--store", "states"],
        lambda c: P.plan_run(c, 30000, chunk_draws=5000, store="states"),
    ),
    (
        "run --until-se",
        ["run", str(SAMVERKANSTEAMET), "--until-se", "1e-5", "--draws", "10000", "--max-draws", "30000"],
        lambda c: P.plan_run(c, 30000, until_se=True, batch=10000),
    ),
    ("prcc", ["sensitivity", str(SAMVERKANSTEAMET), "--method", "prcc", "--n", "20000"], lambda c: _sensitivity(c, "prcc", 20000)),
    ("sobol", ["sensitivity", str(SAMVERKANSTEAMET), "--method", "sobol", "--n", "256"], lambda c: _sensitivity(c, "sobol", 256)),
    ("morris", ["sensitivity", str(SAMVERKANSTEAMET), "--method", "morris", "--n", "400"], lambda c: _sensitivity(c, "morris", 400)),
    ("compare", ["compare", str(SAMVERKANSTEAMET), "--draws", "10000"], lambda c: _compare(c, 10000)),
    (
        "breakeven",
        ["breakeven", str(SAMVERKANSTEAMET), "--param", "outcomes.shares.work", "--month", "36", "--prob", "0.8", "--draws", "15000",
         "--chunk-draws", "5000"],
        lambda c: P.plan_breakeven(c, 15000, chunk_draws=5000),
    ),  # fmt: skip
    (
        "decision",
        ["decision", str(SAMVERKANSTEAMET), "--draws", "10000", "--evppi", "outcomes.shares"],
        lambda c: P.plan_decision(c, 10000, evppi=["outcomes.shares"]),
    ),
    ("portfolio", ["portfolio", str(PORTFOLIO), "--draws", "5000"], lambda c: _portfolio(5000)),
    (
        "split",
        ["split", str(SAMVERKANSTEAMET), "--draws", "20000", "--shares", "kommun=0.5,region=0.5"],
        lambda c: P.plan_split(c, 20000, 4),
    ),
]


@pytest.mark.parametrize("name, argv, make", CASES, ids=[c[0] for c in CASES])
def test_memory_and_disk_estimates_bound_what_is_used(name, argv, make, cfg, tmp_path):
    peak, written = measure(argv, tmp_path / "out")
    plan = make(cfg)
    assert plan.memory >= peak, f"{name}: estimated {plan.memory / 1e6:.1f} MB, used {peak / 1e6:.1f} MB"
    if peak >= 20e6:
        assert plan.memory <= 3 * peak, f"{name}: estimated {plan.memory / 1e6:.1f} MB, used only {peak / 1e6:.1f} MB"
    assert plan.disk >= written, f"{name}: estimated {plan.disk / 1e6:.2f} MB on disk, wrote {written / 1e6:.2f} MB"
    if written >= 5e6 and "states" not in name:  # --store states needs the amounts' room too until its summary is written
        assert plan.disk <= 3 * written


def test_a_large_run_takes_larger_chunks_by_itself(cfg):
    """In one process a run takes a twentieth of its draws a chunk, 20 000 to 50 000; on a cluster, and for
    --until-se's batches, 20 000; --chunk-draws wins over both. The plan shows the chunk the run takes."""
    from simsam.engine.run import run_chunk_draws

    assert [run_chunk_draws(n) for n in (1, 20_000, 400_000, 600_000, 1_000_000, 10**7)] == [20_000] * 3 + [30_000, 50_000, 50_000]
    assert run_chunk_draws(10**7, distributed=True) == 20_000
    assert P.plan_run(cfg, 1_000_000).chunk == 50_000
    assert P.plan_run(cfg, 1_000_000, scheduler="tcp://localhost:1").chunk == 20_000
    assert P.plan_run(cfg, 1_000_000, until_se=True, batch=100_000).chunk == 20_000
    assert P.plan_run(cfg, 1_000_000, chunk_draws=7_000).chunk == 7_000
    assert P.plan_run(cfg, 30_000).chunk == 20_000


def test_estimates_grow_with_the_draws_as_the_arrays_do(cfg):
    """Twice the draws, twice the held arrays: the estimate is linear in the draws beyond a chunk."""
    s = P.Shape.of(cfg)
    a = P.plan_run(cfg, 10_000_000, chunk_draws=10_000)
    b = P.plan_run(cfg, 20_000_000, chunk_draws=10_000)
    assert b.disk - a.disk == 10_000_000 * P.file_row(s)
    assert b.memory - a.memory == P.summary_bytes(s, 20_000_000) - P.summary_bytes(s, 10_000_000)
    # By hand for samverkansteamet: 9 actors + society, 5 years, 29 inputs: payback months at most 2 bytes each,
    # net benefit and revenue per year, utilised potential, inputs, project cost, draw index 8 bytes each.
    assert (s.actors, s.years, s.parameters) == (10, 5, 29)
    assert P.file_row(s) == 2 * 10 + 8 * (2 * 10 * 5 + 1 + 29 + 1 + 1) == 1076


# --- what does not fit stops before any work: exit 2 and one line --------------------------------------------------


@pytest.mark.parametrize(
    "argv, start",
    [
        (["run", str(SAMVERKANSTEAMET), "--draws", "1000000000000"], "error: --draws: 1 000 000 000 000 needs ~1.1 PB in "),
        (["sensitivity", str(SAMVERKANSTEAMET), "--method", "sobol", "--n", "1099511627776"], "error: --n: 1 099 511 627 776 needs ~"),
        (["sensitivity", str(SAMVERKANSTEAMET), "--method", "prcc", "--n", "1e12"], "error: --n: 1 000 000 000 000 needs ~"),
        (["portfolio", str(PORTFOLIO), "--draws", "1e12"], "error: --draws: 1 000 000 000 000 needs ~"),
        (["compare", str(SAMVERKANSTEAMET), "--draws", "1e12"], "error: --draws: 1 000 000 000 000 needs ~"),
        (["breakeven", str(SAMVERKANSTEAMET), "--param", "project.cost", "--month", "60", "--prob", "0.9", "--draws", "1e12"],
         "error: --draws: 1 000 000 000 000 needs ~"),  # fmt: skip
        (["decision", str(SAMVERKANSTEAMET), "--draws", "1e12"], "error: --draws: 1 000 000 000 000 needs ~"),
        (["run", str(SAMVERKANSTEAMET), "--until-se", "0.001", "--max-draws", "1e12"], "error: --max-draws: 1 000 000 000 000 needs ~"),
        (["run", str(SAMVERKANSTEAMET), "--chunk-draws", "1e12", "--draws", "1e12"], "error: --chunk-draws: 1 000 000 000 000 draws per"),
    ],
)
def test_the_issues_huge_requests_stop_at_once(argv, start, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(start) and err.count("\n") == 1, err
    assert " fit" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "nothing written, not even a lock"


def test_too_big_for_the_disk_says_what_fits(cfg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no results/ here: the free space is the current folder's
    plan = P.plan_run(cfg, 200_000_000, out=Path("results/x"))
    with pytest.raises(ResourceError) as info:
        P.check(plan, memory=10**15, disk=75 * 10**9)
    # 200 million draws of 1076 bytes: 215 GB; 75 GB / 1076 bytes a draw = 69.7 million draws, rounded down to two digits.
    assert str(info.value) == (
        "--draws: 200 000 000 needs ~215 GB in results/x, 75 GB free at .; at most ~69 000 000 draws fit, "
        "or choose an --out on a disk with more room"
    )


def test_too_big_for_the_memory_says_what_fits(cfg):
    plan = _sensitivity(cfg, "sobol", 1 << 20)
    with pytest.raises(ResourceError, match=r"^--n: 1 048 576 needs ~.* of memory, 8 GB available; at most ~(\d[\d ]*) fit") as info:
        P.check(plan, memory=8 * 10**9, disk=10**15)
    import re

    fit = int(re.search(r"at most ~([\d ]+) fit", str(info.value)).group(1).replace(" ", ""))
    assert fit & (fit - 1) == 0, "Sobol's n that fits is a power of 2"
    assert plan.memory_of(fit) <= 8 * 10**9 < plan.memory_of(2 * fit)


def test_a_chunk_too_big_for_the_memory(cfg):
    plan = P.plan_run(cfg, 10**8, chunk_draws=10**8)
    with pytest.raises(ResourceError, match=r"^--chunk-draws: 100 000 000 draws per chunk need ~.*; at most ~[\d ]+ draws per chunk fit$"):
        P.check(plan, memory=2 * 10**9, disk=10**15)


def test_cgroup_and_rlimit_and_simsam_memory_are_honoured(tmp_path):
    """A cap on the address space (ulimit -v) or SIMSAM_MEMORY is the memory a run may use."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (4 * 10**9, resource.RLIM_INFINITY))

    args = [sys.executable, "-m", "simsam.cli", "run", str(SAMVERKANSTEAMET), "--until-se", "1e-4", "--max-draws", "5000000"]
    proc = subprocess.run([*args, "--out", str(tmp_path / "a")], capture_output=True, text=True, preexec_fn=limit, env=simsam_env())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: --max-draws: 5 000 000 needs ~") and "GB available" in proc.stderr
    env = simsam_env(SIMSAM_MEMORY="100M")
    proc = subprocess.run([*args[:5], "--draws", "1000000", "--out", str(tmp_path / "b")], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "105 MB available" in proc.stderr, proc.stderr
    proc = subprocess.run([*args[:5], "--out", str(tmp_path / "c")], capture_output=True, text=True, env=simsam_env(SIMSAM_MEMORY="lots"))
    assert proc.returncode == 2 and proc.stderr == "error: SIMSAM_MEMORY: must be a size such as 8G or 500M, not 'lots'\n"
    assert not list(tmp_path.iterdir())


# --- --dry-run ------------------------------------------------------------------------------------------------------


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(SAMVERKANSTEAMET), "--draws", "100000", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "simsam run: the plan (--dry-run: nothing is run or written)"
    text = "\n".join(lines)
    assert "100 000 draws, in 5 chunks of 20 000, in this process on" in text
    assert "memory    ~" in text and "disk      ~1" in text and "results/samverkansteamet" in text
    assert "time      ~" in text and "µs per run, measured on 2 000" in text
    assert lines[-1] == "  verdict   fits"
    assert list(tmp_path.iterdir()) == []


def test_dry_run_of_every_simulating_command(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = [
        ["sensitivity", str(SAMVERKANSTEAMET), "--method", "morris"],
        ["compare", str(SAMVERKANSTEAMET)],
        ["breakeven", str(SAMVERKANSTEAMET), "--param", "project.cost", "--month", "60", "--prob", "0.9"],
        ["decision", str(SAMVERKANSTEAMET)],
        ["portfolio", str(PORTFOLIO)],
        ["split", str(SAMVERKANSTEAMET)],
        ["experiment", str(ROOT / "experiments" / "samverkansteamet.toml")],
    ]
    for argv in commands:
        assert main([*argv, "--dry-run"]) == 0, argv
        out = capsys.readouterr().out
        assert out.startswith(f"simsam {argv[0]}") and "verdict   fits" in out, out
    assert list(tmp_path.iterdir()) == []


def test_dry_run_of_a_plan_that_does_not_fit(tmp_path, capsys):
    assert main(["run", str(SAMVERKANSTEAMET), "--draws", "1e12", "--out", str(tmp_path / "o"), "--dry-run"]) == 2
    captured = capsys.readouterr()
    assert "verdict   does not fit" in captured.out
    assert captured.err.startswith("error: --draws: 1 000 000 000 000 needs") and captured.err.count("\n") == 1


def test_calibrated_time_predicts_the_model_runs(cfg):
    """The time --dry-run prints, from a calibration on 500 runs, is within a factor 3 of the runs themselves."""
    import time

    from simsam.engine.run import compute_chunk

    plan = P.plan_run(cfg, 40_000, threads=1)
    predicted = P.calibrate(plan, runs=500).seconds
    start = time.perf_counter()
    compute_chunk(cfg, 0, 40_000, 0, 1, threads=1)
    actual = time.perf_counter() - start
    assert actual / 3 < predicted < 3 * actual, (predicted, actual)


# --- a MemoryError anywhere --------------------------------------------------------------------------------------------


def test_memory_error_anywhere_is_one_line(tmp_path, capsys, monkeypatch):
    import simsam.workflows.run_folder as run_folder

    def exhausted(*args, **kwargs):
        raise MemoryError("Unable to allocate 7.28 TiB for an array with shape (1000000000000,) and data type int64")

    monkeypatch.setattr(run_folder, "run_chunks", exhausted)
    out = tmp_path / "out"
    assert main(["run", str(SAMVERKANSTEAMET), "--draws", "1000", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --draws: 1 000 ran out of memory (Unable to allocate 7.28 TiB") and err.count("\n") == 1
    assert "the plan estimated ~" in err and " available; at most ~" in err
    assert list(tmp_path.iterdir()) == []


def test_a_dask_worker_killed_for_memory_is_a_memory_error():
    """KilledWorker (a worker the nanny killed, usually at its memory limit, three times) reads as out of memory."""
    from simsam.engine.run import in_flight

    class KilledWorker(Exception):
        pass

    class Future:
        key = "k"

        def result(self):
            raise KilledWorker("task k died on three workers")

        def release(self):
            pass

    class Client:
        cancelled = []

        def nthreads(self):
            return {"w": 1}

        def cancel(self, futures, force=False):
            self.cancelled.extend(futures)

    import distributed

    real = distributed.as_completed
    distributed.as_completed = lambda futures: iter(futures)
    try:
        with pytest.raises(MemoryError, match="a Dask worker died .* times running one chunk of work, most likely out of memory"):
            list(in_flight(Client(), lambda item: Future(), [1]))
    finally:
        distributed.as_completed = real


def test_engine_test_data_plan(tmp_path):
    """The plan of a config with every kind of input (correlations, groups of shares) is computed and fits."""
    c = simsam.load_config(DATA / "engine.toml")
    plan = P.plan_run(c, c.simulation.draws, out=tmp_path / "o")
    P.check(plan)
    assert plan.memory > P.BASE_BYTES and plan.disk > 0
    assert os.listdir(tmp_path) == []

"""Shared by the benchmarks: where results go, machine facts, timing."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The committed results (README's figures): written only on request, ``run.py --update``.
RESULTS = ROOT / "benchmarks" / "results"
#: Every other run's results: an ignored folder (.gitignore), so benchmarking leaves a checkout clean.
LOCAL = RESULTS / "local"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.reference: the NumPy twin of the kernel


def machine() -> dict:
    import numba
    import numpy as np

    import simsam

    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "load_average": os.getloadavg(),
        "versions": {
            "simsam": simsam.__version__,
            "numba": numba.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }


def best_of(fn, repeat: int) -> float:
    """Fastest of ``repeat`` timings, seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def time_simsam(cmd: list[str]) -> float:
    """Seconds one ``simsam CMD`` takes in a fresh process, as a user runs it (its output discarded)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "simsam.cli", *cmd], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def command_args(description: str, argv=None) -> argparse.Namespace:
    """``--draws`` (10 000), ``--repeat`` (3 rounds), ``--quick`` (2 000 draws, 2 rounds) and ``--out``: the options of a
    benchmark that times whole ``simsam`` commands against a plain ``simsam run``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2 000 draws, 2 rounds")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.repeat = 2_000, 2
    return args


def time_rounds(commands: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Seconds of each named ``simsam`` command (:func:`time_simsam`) in each of ``repeat`` rounds, the commands in turn."""
    seconds = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            seconds[name].append(time_simsam(cmd))
    return seconds


def against_plain_run(draws: int, seconds: dict[str, list[float]], target: float = 10.0, width: int = 10) -> dict:
    """The result of :func:`time_rounds` (``seconds["run_plain"]`` the yardstick): each command's best, its ratio to
    the plain run and whether it is under ``target`` seconds; each best printed."""
    best = {name: min(times) for name, times in seconds.items()}
    for name, s in best.items():
        print(f"{name:{width}s} {s:6.2f} s  ({s / best['run_plain']:.2f} × simsam run)")
    return {
        "draws": draws,
        "seconds": best,
        "seconds_by_round": seconds,
        "ratio_to_plain_run": {name: best[name] / best["run_plain"] for name in best},
        "target_seconds": target,
        "under_target": {name: best[name] < target for name in best},
    }


def write(name: str, result: dict, out: str | None = None) -> Path:
    """Write ``result`` as JSON to ``out``, by default ``benchmarks/results/local/<name>.json`` (ignored by git)."""
    path = Path(out) if out else LOCAL / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"benchmark": name, **result, "machine": machine()}, indent=2) + "\n")
    return path

"""Shared by the benchmarks: where results go, machine facts, timing."""

from __future__ import annotations

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


def write(name: str, result: dict, out: str | None = None) -> Path:
    """Write ``result`` as JSON to ``out``, by default ``benchmarks/results/local/<name>.json`` (ignored by git)."""
    path = Path(out) if out else LOCAL / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"benchmark": name, **result, "machine": machine()}, indent=2) + "\n")
    return path

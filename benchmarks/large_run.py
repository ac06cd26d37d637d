"""Large runs as whole processes: ``simsam run configs/samverkansteamet.toml --draws N`` (issue 15).

    python benchmarks/large_run.py [--quick] [--draws N ...] [--repeat R]

Each size runs ``--repeat`` times as its own process (``python -m simsam.cli run ... --quiet``) into a
temporary folder; reported per size: the median wall time (and every run's), the peak RSS of the
process (``os.wait4``'s ``ru_maxrss``), the bytes of ``results.nc`` on disk (and per draw), and the
split simulate / write / summarise that the run logs when ``SIMSAM_TIMINGS`` names a file
(:mod:`simsam.util.timing`; the rest of the wall time is start-up and the atomic folder).
Default sizes: 10⁶ draws three times and 10⁷ once (targets: ≤ 4 s and ≤ 45 s on 2 cores,
peak RSS ≤ 1 GiB, ≤ 4 GB on disk); ``--quick``: 20 000 draws twice. Each size is also run once in each of
:data:`VARIANTS`, the other lossless files: ``--inputs seed --compression small`` (the smallest of amounts, also
under ``smallest``), ``--store states`` and ``--store states --inputs seed`` (layout 3: the occupancy).

Fails (exit 1) on wrong results, never on timings: the folder's summary must be the one
``simsam.summarize(simsam.simulate(...))`` gives (checked for runs of at most 10⁶ draws), and
``results.nc`` must hold every draw.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, write

CONFIG = ROOT / "configs" / "samverkansteamet.toml"
#: The options of the smallest lossless results.nc of amounts, timed once per size beside the default.
SMALLEST = ("--inputs", "seed", "--compression", "small")
#: Every file timed once per size beside the default: name → options.
VARIANTS = {"smallest": SMALLEST, "states": ("--store", "states"), "states_seed": ("--store", "states", "--inputs", "seed")}
#: Draws up to this are checked against an in-process run (its Dataset is held in memory).
CHECK_DRAWS = 1_000_000


def bytecode_cache(folder: Path) -> dict[str, str]:
    """The environment giving each run the compiled modules an installed simsam has (pip compiles them on install).

    A shell that sets ``PYTHONDONTWRITEBYTECODE`` (this workplace's does) would otherwise make every process
    compile simsam's ~80 modules from source again: ~0.15 s of each run. Cached in the temporary folder
    (``PYTHONPYCACHEPREFIX``), nothing is written into the checkout; the untimed first run fills it."""
    return {"PYTHONPYCACHEPREFIX": str(folder / "pycache")}


def run_once(draws: int, folder: Path, seed: int, options: tuple[str, ...] = ()) -> dict:
    """One ``simsam run`` process (with ``options``): wall seconds, peak RSS (bytes), bytes on disk, its phase times."""
    out = folder / "run"
    shutil.rmtree(out, ignore_errors=True)
    timings = folder / "timings.json"
    env = {**os.environ, "SIMSAM_TIMINGS": str(timings), "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           **bytecode_cache(folder)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "simsam.cli", "run", str(CONFIG), "--draws", str(draws), "--seed", str(seed), "--quiet", "--out", str(out),
           *options]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"simsam run --draws {draws} failed with exit status {proc.returncode}")
    return {
        "seconds": seconds,
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux: kB
        "results_bytes": (out / "results.nc").stat().st_size,
        "phases": json.loads(timings.read_text()),
    }


def check(draws: int, folder: Path, seed: int) -> None:
    """The last run's folder: every draw in results.nc, and (small runs) the summary of the same run in memory."""
    import simsam
    from simsam.analysis.summary import Summary, summarize
    from simsam.results import ResultsFile

    out = folder / "run"
    with ResultsFile(out / "results.nc") as results:
        assert results.sizes["draw"] == draws, "results.nc holds every draw"
    if draws <= CHECK_DRAWS:
        cfg = simsam.load_config(CONFIG)
        expected = folder / "expected.csv"
        Summary.of(summarize(simsam.simulate(cfg, draws=draws, seed=seed))).to_csv(expected)
        assert expected.read_text() == (out / "summary.csv").read_text(), "summary.csv = the in-memory run's"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--check"]:  # the check of one size's last run, in its own process (see below)
        check(int(argv[1]), Path(argv[2]), int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, nargs="*")
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    sizes = args.draws or ([20_000] if args.quick else [1_000_000, 10_000_000])
    seed = 1
    result = {"config": str(CONFIG.relative_to(ROOT)), "bytecode": "compiled once, cached in the run's temporary folder (bytecode_cache)",
              "sizes": []}
    with tempfile.TemporaryDirectory(prefix="simsam-large-") as tmp:
        folder = Path(tmp)
        run_once(100, folder, seed)  # the kernel's cache compiled, the tables built: not timed
        for draws in sizes:
            repeat = args.repeat or (2 if args.quick else 3 if draws <= 1_000_000 else 1)
            runs = [run_once(draws, folder, seed) for _ in range(repeat)]
            # In a process of its own: the in-memory run of the check would otherwise stay in this process's heap, and a
            # later run forked from it would count those pages in its peak RSS (ru_maxrss counts them from the fork on).
            subprocess.run([sys.executable, __file__, "--check", str(draws), str(folder), str(seed)], cwd=ROOT, check=True)
            phases = {k: statistics.median(r["phases"][k] for r in runs) for k in runs[0]["phases"]}
            row = {
                "draws": draws,
                "runs": repeat,
                "seconds_median": statistics.median(r["seconds"] for r in runs),
                "seconds": [r["seconds"] for r in runs],
                "peak_rss_mib_max": max(r["peak_rss_bytes"] for r in runs) / 2**20,
                "results_bytes": runs[-1]["results_bytes"],
                "bytes_per_draw": runs[-1]["results_bytes"] / draws,
                "phase_seconds_median": phases,
                "phase_share": {k: v / statistics.median(r["seconds"] for r in runs) for k, v in phases.items()},
            }
            # The other lossless files (one run each): their summary must be the default run's, to the character.
            summary = (folder / "run" / "summary.csv").read_text()
            row["variants"] = {}
            for name, options in VARIANTS.items():
                other = run_once(draws, folder, seed, options)
                if (folder / "run" / "summary.csv").read_text() != summary:
                    raise SystemExit(f"simsam run --draws {draws} {' '.join(options)}: summary.csv differs from the default run's")
                row["variants"][name] = {"options": " ".join(options), "seconds": other["seconds"], "results_bytes": other["results_bytes"],
                                         "bytes_per_draw": other["results_bytes"] / draws, "peak_rss_mib": other["peak_rss_bytes"] / 2**20,
                                         "phase_seconds": other["phases"]}
            row["smallest"] = row["variants"]["smallest"]  # the key of earlier results
            result["sizes"].append(row)
            split = ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
            print(f"simsam run --draws {draws:,}: {row['seconds_median']:.2f} s (median of {repeat}), peak RSS "
                  f"{row['peak_rss_mib_max']:.0f} MiB, results.nc {row['results_bytes'] / 1e6:.1f} MB "
                  f"({row['bytes_per_draw']:.0f} B/draw); {split}")
            for v in row["variants"].values():
                print(f"    {v['options']}: {v['bytes_per_draw']:.0f} B/draw, {v['seconds']:.2f} s, peak RSS {v['peak_rss_mib']:.0f} MiB")
    print(f"  wrote {write('large_run', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

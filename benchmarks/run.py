"""Run the benchmark suite: `python benchmarks/run.py [--quick] [--update]`.

Each benchmark checks its results (kernel = NumPy reference, sampled means =
Markov trace, society = Σ actors, Sobol of Ishigami = analytic) and fails the
run if they are wrong; timings are reported, never asserted, since shared
machines are noisy. `.ci/run` runs the quick suite after the tests.

Results are written as JSON to `benchmarks/results/local/` (quick runs to
`benchmarks/results/local/quick/`), a folder git ignores, so a run leaves a
checkout clean. `--update` writes the committed files instead,
`benchmarks/results/` (quick: `benchmarks/results/quick/`), the figures the
README quotes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITE = (
    "kernel_speed",
    "aggregate_scaling",
    "end_to_end",
    "rules_accounting",
    "sobol_speed",
    "startup",
    "report_build",
    "groups_monitor",
    "split_speed",
    "evidence_time",
    "large_run",
)


def results_folder(quick: bool, update: bool) -> Path:
    """Where a run's JSON goes: the committed ``results/`` only with ``--update``, else the ignored ``results/local/``."""
    folder = HERE / "results" if update else HERE / "results" / "local"
    return folder / "quick" if quick else folder


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the simsam benchmark suite.")
    parser.add_argument("--quick", action="store_true", help="small sizes (results in a quick/ subfolder)")
    parser.add_argument(
        "--update",
        action="store_true",
        help="write the committed results under benchmarks/results/ (default: benchmarks/results/local/, ignored by git)",
    )
    parser.add_argument("names", nargs="*", default=SUITE, help=f"benchmarks to run (default: {' '.join(SUITE)})")
    args = parser.parse_args(argv)
    folder = results_folder(args.quick, args.update)
    failed = []
    for name in args.names:
        out = folder / f"{name}.json"
        cmd = [sys.executable, str(HERE / f"{name}.py"), "--out", str(out)] + (["--quick"] if args.quick else [])
        print(f"== {name}", flush=True)
        t0 = time.perf_counter()
        if subprocess.run(cmd, cwd=HERE.parent).returncode != 0:
            failed.append(name)
        print(f"   ({time.perf_counter() - t0:.1f} s)", flush=True)
    if failed:
        print(f"benchmarks with wrong results or errors: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the benchmark suite: `python benchmarks/run.py [--quick]`.

Each benchmark checks its results (kernel = NumPy reference, sampled means =
Markov trace, society = Σ actors, Sobol of Ishigami = analytic) and fails the
run if they are wrong; timings are reported and written as JSON to
`benchmarks/results/` (quick runs to `benchmarks/results/quick/`), never
asserted, since shared machines are noisy. `.ci/run` runs the quick suite
after the tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITE = ("kernel_speed", "aggregate_scaling", "end_to_end", "sobol_speed", "startup", "report_build")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the simsam benchmark suite.")
    parser.add_argument("--quick", action="store_true", help="small sizes, results under benchmarks/results/quick/")
    parser.add_argument("names", nargs="*", default=SUITE, help=f"benchmarks to run (default: {' '.join(SUITE)})")
    args = parser.parse_args(argv)
    failed = []
    for name in args.names:
        out = HERE / "results" / ("quick" if args.quick else "") / f"{name}.json"
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

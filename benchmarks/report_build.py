"""The report of an experiment folder: whole `simsam report DIR` processes, best of a few.

    python benchmarks/report_build.py [--quick]

Builds experiments/samverkansteamet.toml (10 000 draws, Sobol N = 1024; --quick: 2 000 draws, N = 128)
into a temporary folder, then times `simsam report DIR` (every analysis: run, decision, scenarios, three
break-even values, tornado, PRCC, Sobol; 11 figures on two processes). Target: under 10 s on 2 cores for
10 000 draws. Checks that the report holds every section of the folder; timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, write

SECTIONS = ["sammanfattning", "las-rapporten", "aktorer", "kostnadsdelning", "scenarier", "brytpunkter", "beslut", "kanslighet",
            "antaganden", "om-berakningen"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--sobol-n", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.sobol_n, args.repeat = 2000, 128, 2
    sys.path.insert(0, str(ROOT))
    from tests.helpers import small_experiment

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = small_experiment(Path(tmp), draws=args.draws, sobol_n=args.sobol_n)
        experiment_seconds = time.perf_counter() - t0
        cmd = [sys.executable, "-m", "simsam.cli", "report", str(folder), "--quiet"]
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ})
            times.append(time.perf_counter() - t0)
        html = (folder / "report.html").read_text(encoding="utf-8")
        found = re.findall(r'<section id="([^"]+)">', html)
        if found != SECTIONS:
            print(f"wrong report: sections {found}, expected {SECTIONS}", file=sys.stderr)
            return 1
        figures = len(list((folder / "figures" / "sv").glob("*.png")))
    result = {"draws": args.draws, "sobol_n": args.sobol_n, "report_seconds": min(times), "all_seconds": times, "figures": figures,
              "experiment_seconds": experiment_seconds, "target_seconds": 10.0}
    print(f"simsam report of an experiment folder ({args.draws} draws, {figures} figures): best {min(times):.2f} s of "
          f"{', '.join(f'{t:.2f}' for t in times)} s (the experiment itself {experiment_seconds:.1f} s)")
    print(f"  wrote {write('report_build', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

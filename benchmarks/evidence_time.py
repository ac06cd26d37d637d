"""Evidence grades and sensitivity over time (issue 16, items 3 and 4): each command end to end on Samverkansteamet.

    python benchmarks/evidence_time.py [--quick]

Times, as a user runs them (a fresh process each, warm numba cache), interleaved round by round:

* ``simsam sensitivity configs/samverkansteamet.toml --method sobol --by evidence --n 2048``: the grouped Sobol
  design by evidence grade. Samverkansteamet's inputs have two grades (low, medium), so N = 2048 is
  2048 · (2 + 2) = 8 192 model runs, the power of 2 nearest 10 000 runs. Target: under 10 s on 2 cores.
* the same with ``--over-time`` (every actor's net benefit at each year's end and P(payback ≤ 12·year) from the
  same runs: 100 more targets, each through SALib's estimators and bootstrap);
* ``simsam decision configs/samverkansteamet.toml --draws 10000``, which now adds the EVPPI of each grade's inputs
  together.

Wrong results fail the run (the grades' members are every input exactly once; society's row of the per-actor
table is the target's own; the over-time shares are finite where the net benefit varies; the decision has one
EVPPI per grade), timings never do.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import ROOT, write

TARGET_SECONDS = 10.0
CONFIG = "configs/samverkansteamet.toml"


def _time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "simsam.cli", *cmd], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _check(tmp: Path) -> dict:
    import xarray as xr

    import simsam
    from simsam.engine.sampling import ParameterSpace

    space = ParameterSpace.from_config(simsam.load_config(ROOT / CONFIG))
    with xr.open_dataset(tmp / "evidence" / "sensitivity.nc", engine="h5netcdf") as ds:
        ds.load()
    members = [m for row in ds["members"].values.tolist() for m in row.split(", ")]
    assert sorted(members) == sorted(space.names), "the grades' members are not the inputs"
    np.testing.assert_array_equal(ds["actor_ST"].sel(actor="society").values, ds["ST"].values)
    with xr.open_dataset(tmp / "time" / "sensitivity.nc", engine="h5netcdf") as tds:
        tds.load()
    s1 = tds["net_benefit_S1"].sel(actor="society").values
    assert np.isfinite(s1).all() and (s1.sum(axis=1) < 1.2).all()
    with xr.open_dataset(tmp / "decision" / "decision.nc", engine="h5netcdf") as dec:
        dec.load()
    assert set(dec["grade"].values.tolist()) == set(ds["parameter"].values.tolist()), "one EVPPI per grade"
    return {
        "grades": {str(p): {"S1": float(ds["S1"].sel(parameter=p)), "ST": float(ds["ST"].sel(parameter=p))}
                   for p in ds["parameter"].values},
        "evaluations": int(ds.attrs["evaluations"]),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2048, help="Sobol base sample N (a power of 2)")
    parser.add_argument("--draws", type=int, default=10_000, help="draws of the decision analysis")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="N = 256, 2 000 draws, 1 round")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.draws, args.repeat = 256, 2_000, 1
    n = str(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        commands = {
            "sobol_by_evidence": ["sensitivity", CONFIG, "--method", "sobol", "--by", "evidence", "--n", n,
                                  "--out", str(tmp / "evidence"), "--quiet"],
            "sobol_by_evidence_over_time": ["sensitivity", CONFIG, "--method", "sobol", "--by", "evidence", "--over-time", "--n", n,
                                            "--out", str(tmp / "time"), "--quiet"],
            "decision_with_grades": ["decision", CONFIG, "--draws", str(args.draws), "--out", str(tmp / "decision"), "--quiet"],
        }
        _time(commands["sobol_by_evidence"])  # the numba cache and the inverse-CDF tables, not timed
        seconds = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                seconds[name].append(_time(cmd))
        checked = _check(tmp)
    best = {name: min(times) for name, times in seconds.items()}
    result = {
        "n": args.n,
        "model_runs": checked["evaluations"],
        "decision_draws": args.draws,
        "seconds": best,
        "seconds_by_round": seconds,
        "ratio_to_by_evidence": {name: best[name] / best["sobol_by_evidence"] for name in best},
        "target_seconds": TARGET_SECONDS,
        "under_target": {name: best[name] < TARGET_SECONDS for name in best},
        "society_payback_shares_by_grade": checked["grades"],
    }
    for name, s in best.items():
        print(f"{name:28s} {s:6.2f} s")
    print(f"  {checked['evaluations']} model runs; society's payback time by grade: "
          + ", ".join(f"{g} S1 {v['S1']:.2f} ST {v['ST']:.2f}" for g, v in checked["grades"].items()))
    print(f"  wrote {write('evidence_time', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Results by group and monitoring (issue 16, items 2 and 5): each command end to end, 10 000 draws of Samverkansteamet.

    python benchmarks/groups_monitor.py [--quick]

Times, as a user runs them (a fresh process each, warm numba cache), interleaved round by round:
``simsam run configs/samverkansteamet.toml`` (the reference), ``simsam run`` of the same project with two
groups that have their own BEFORE, transitions and resource use (experiments/data/samverkansteamet_groups.toml),
``simsam monitor configs/samverkansteamet.toml --followup experiments/data/example_sus.csv --as-of 2015-06-30``
(two runs on the same draws: the start and now), and ``simsam report`` of the group run (the section "För vem
lönar det sig?"). Target: each under 10 s on 2 cores. Ratios to the plain run hold on a noisy machine; the
absolute seconds are this machine's. Wrong results fail the run (the groups' results sum to the cohort's in
every draw; the monitor's counts so far are the file's), timings never do.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import ROOT, time_simsam, write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2 000 draws, 2 rounds")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.repeat = 2_000, 2
    draws = str(args.draws)
    data = ROOT / "experiments" / "data"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        commands = {
            "run_plain": ["run", "configs/samverkansteamet.toml", "--draws", draws, "--out", str(tmp / "plain"), "--quiet"],
            "run_groups": ["run", str(data / "samverkansteamet_groups.toml"), "--draws", draws, "--out", str(tmp / "groups"), "--quiet"],
            "monitor": ["monitor", "configs/samverkansteamet.toml", "--followup", str(data / "example_sus.csv"), "--as-of", "2015-06-30",
                        "--draws", draws, "--out", str(tmp / "monitor"), "--quiet"],
            "report_groups": ["report", str(tmp / "groups")],
        }
        time_simsam(commands["run_groups"])  # compile the kernel for the group run's shapes into the cache, and make the folder
        seconds = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                seconds[name].append(time_simsam(cmd))

        # Correctness: the groups add up to the cohort in every draw; the monitor's counts so far are the file's.
        import simsam

        with simsam.open_results(tmp / "groups" / "results.nc") as ds:  # the Dataset as simulate builds it (layout 2 rebuilt)
            for v in ("net_benefit", "revenue", "cost"):
                np.testing.assert_allclose(ds[f"group_{v}"].sum("group").values, ds[v].values, rtol=1e-9, atol=1e-3)
        monitor = json.loads((tmp / "monitor" / "monitor.json").read_text(encoding="utf-8"))
        assert {k: s["observed"] for k, s in monitor["states"].items()} == {"work": 12, "improved": 9, "not_improved": 10}
        soc = monitor["actors"]["society"]["p_payback"]["60"]
        assert abs(soc["now"] - soc["start"] - soc["difference"]) < 1e-12
    best = {name: min(times) for name, times in seconds.items()}
    result = {
        "draws": args.draws,
        "seconds": best,
        "seconds_by_round": seconds,
        "ratio_to_plain_run": {name: best[name] / best["run_plain"] for name in best},
        "target_seconds": 10.0,
        "under_target": {name: best[name] < 10.0 for name in best},
        "groups": "2 groups (own BEFORE, transitions, resource use, cost weight): 6 kernel states, 24 actor columns",
    }
    for name, s in best.items():
        print(f"{name:14s} {s:6.2f} s  ({s / best['run_plain']:.2f} × simsam run)")
    print(f"  wrote {write('groups_monitor', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

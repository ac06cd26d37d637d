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

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import ROOT, against_plain_run, command_args, time_rounds, time_simsam, write


def main(argv=None) -> int:
    args = command_args(__doc__.splitlines()[0], argv)
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
        seconds = time_rounds(commands, args.repeat)

        # Correctness: the groups add up to the cohort in every draw; the monitor's counts so far are the file's.
        import simsam

        with simsam.open_results(tmp / "groups" / "results.nc") as ds:  # the Dataset as simulate builds it (layout 2 rebuilt)
            for v in ("net_benefit", "revenue", "cost"):
                np.testing.assert_allclose(ds[f"group_{v}"].sum("group").values, ds[v].values, rtol=1e-9, atol=1e-3)
        monitor = json.loads((tmp / "monitor" / "monitor.json").read_text(encoding="utf-8"))
        assert {k: s["observed"] for k, s in monitor["states"].items()} == {"work": 12, "improved": 9, "not_improved": 10}
        soc = monitor["actors"]["society"]["p_payback"]["60"]
        assert abs(soc["now"] - soc["start"] - soc["difference"]) < 1e-12
    result = against_plain_run(args.draws, seconds, width=14)
    result["groups"] = "2 groups (own BEFORE, transitions, resource use, cost weight): 6 kernel states, 24 actor columns"
    print(f"  wrote {write('groups_monitor', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Aggregate cohort path: cost per draw at N = 81, 10⁴ and 10⁶ participants (and the person path at 81).

    python benchmarks/aggregate_scaling.py [--quick]

The aggregate path draws state counts (binomials), so its cost per draw should
not grow with the cohort; the target is 10⁶ participants within 2× the time of 81.
Means are checked against the expected cohort (Markov trace) within Monte Carlo
error, so a wrong kernel fails the run.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from _common import ROOT, best_of, write
from kernel_speed import first, kernel_inputs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "samverkansteamet.toml"))
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.repeat = 5_000, 2

    import simsam
    from simsam.kernels.cohort import AGGREGATE, EXPECTED, PERSON, simulate_cohorts

    cfg = simsam.load_config(args.config)
    inputs = kernel_inputs(cfg, args.draws)
    rows = {}
    for n, engine in ((81, PERSON), (81, AGGREGATE), (10_000, AGGREGATE), (1_000_000, AGGREGATE)):
        name = f"{'person' if engine == PERSON else 'aggregate'}_{n}"
        sized = inputs._replace(participants=n)
        simulate_cohorts(first(sized, 10), engine)  # compile and warm, 1 thread (the default)
        seconds = best_of(lambda sized=sized, engine=engine: simulate_cohorts(sized, engine), args.repeat)
        nb = simulate_cohorts(sized, engine).net_benefit
        nb_expected = simulate_cohorts(sized, EXPECTED).net_benefit
        # Same parameters per draw: the cohort noise averages out over draws.
        diff = (nb - nb_expected)[:, -1, -1]
        z = diff.mean() / (diff.std(ddof=1) / np.sqrt(diff.size))
        assert abs(z) < 5, f"{name}: sampled mean differs from the Markov trace (z = {z:.1f})"
        rows[name] = {"participants": n, "seconds": seconds, "microseconds_per_draw": seconds / args.draws * 1e6, "mean_check_z": float(z)}
        print(f"  {name:>17}: {seconds / args.draws * 1e6:7.2f} µs per draw (mean vs Markov trace z = {z:+.2f})")
    ratio = rows["aggregate_1000000"]["seconds"] / rows["person_81"]["seconds"]
    ratio_agg = rows["aggregate_1000000"]["seconds"] / rows["aggregate_81"]["seconds"]
    print(f"  10⁶ participants (aggregate) / 81 (person, the auto choice): {ratio:.2f}×; / 81 (aggregate): {ratio_agg:.2f}×")
    path = write(
        "aggregate_scaling",
        {"draws": args.draws, "threads": 1, "paths": rows, "ratio_1e6_vs_81_auto": ratio, "ratio_1e6_vs_81_aggregate": ratio_agg},
        args.out,
    )
    print(f"  wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

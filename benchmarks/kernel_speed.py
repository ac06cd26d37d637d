"""Kernel throughput: person-months per second, numba vs the NumPy reference, 1 vs 2 threads.

    python benchmarks/kernel_speed.py            # 100 000 draws of Samverkansteamet
    python benchmarks/kernel_speed.py --quick    # a smaller run for CI

Everything is measured in one process and one run, so the ratios (numba / NumPy,
2 threads / 1 thread) hold even on a shared, noisy machine; the absolute rates
are this machine's. The result is written as JSON to ``benchmarks/results/``.
Wrong results (kernel ≠ reference on the same draws) fail the run; timings never do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.reference, the NumPy twin of the kernel

import numba  # noqa: E402

import simsam  # noqa: E402
from simsam import random as rnd  # noqa: E402
from simsam.accounting import flow_table, project_cost  # noqa: E402
from simsam.kernels.cohort import simulate_cohorts  # noqa: E402
from simsam.sampling import ParameterSpace, Sample  # noqa: E402
from simsam.simulation import COHORT_STREAM, transition_matrix, with_society  # noqa: E402
from tests import reference  # noqa: E402


def kernel_inputs(cfg, draws: int, seed: int = 1):
    """The kernel's arrays for ``draws`` draws of a config (sampled once, outside the timing)."""
    space = ParameterSpace.from_config(cfg)
    idx = np.arange(draws)
    sample = Sample(space, space.sample(seed, idx))
    rel = with_society(flow_table(cfg, sample).relative(), axis=2)
    cost = with_society(project_cost(cfg, sample), axis=1)
    states = list(cfg.outcomes.states)
    shares = np.zeros((draws, len(states)))
    for j, k in enumerate(cfg.outcomes.shares.keys):
        shares[:, states.index(k)] = sample.shares(cfg.outcomes.shares)[:, j]
    keys = rnd.draw_keys(seed, COHORT_STREAM, idx)
    return shares, transition_matrix(cfg, sample), rel, cost, sample[cfg.simulation.discount_rate], keys


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "samverkansteamet.toml"))
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--reference-draws", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="20 000 draws, 500 reference draws, 3 repeats")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "kernel_speed.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.reference_draws, args.repeat = 20_000, 500, 3

    cfg = simsam.load_config(args.config)
    n, horizon = cfg.project.participants, cfg.simulation.horizon_months
    inputs = kernel_inputs(cfg, args.draws)
    person_months = args.draws * n * horizon
    threads_available = numba.config.NUMBA_NUM_THREADS

    # Correctness first: the kernel equals the reference on the same draws.
    m = args.reference_draws
    small = tuple(a[:m] for a in inputs)
    want = reference.simulate_cohorts(*small, n, horizon, False)
    got = simulate_cohorts(*small, n, horizon, False)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-6)

    t_ref = best_of(lambda: reference.simulate_cohorts(*small, n, horizon, False), max(1, args.repeat // 2))
    rate_ref = m * n * horizon / t_ref

    timings = {}
    for threads in sorted({1, min(2, threads_available)}):
        numba.set_num_threads(threads)
        simulate_cohorts(*inputs, n, horizon, False)  # warm (compiled and cached already)
        timings[threads] = best_of(lambda: simulate_cohorts(*inputs, n, horizon, False), args.repeat)
    numba.set_num_threads(threads_available)

    t1 = timings[1]
    t2 = timings.get(2, t1)
    e2e_draws = args.draws
    simsam.simulate(cfg, draws=1000, seed=1)
    t0 = time.perf_counter()
    simsam.simulate(cfg, draws=e2e_draws, seed=1)
    t_e2e = time.perf_counter() - t0

    result = {
        "benchmark": "kernel_speed",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count(), "numba_threads": threads_available},
        "versions": {"simsam": simsam.__version__, "numba": numba.__version__, "numpy": np.__version__, "python": platform.python_version()},
        "config": Path(args.config).name,
        "participants": n,
        "horizon_months": horizon,
        "cohort": "sampled (person path), transitions on" if cfg.transitions else "sampled (person path), no transitions",
        "draws": args.draws,
        "kernel_seconds_1_thread": t1,
        "kernel_seconds_2_threads": t2,
        "person_months_per_s_1_thread": person_months / t1,
        "person_months_per_s_per_core_2_threads": person_months / t2 / 2,
        "reference_draws": m,
        "reference_seconds": t_ref,
        "reference_person_months_per_s": rate_ref,
        "speedup_vs_numpy_reference_1_thread": (person_months / t1) / rate_ref,
        "speedup_2_threads": t1 / t2,
        "thread_efficiency_2": t1 / t2 / 2,
        "end_to_end_seconds": t_e2e,
        "end_to_end_draws": e2e_draws,
        "results_match_reference": True,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"kernel, {args.draws:,} draws × {n} participants × {horizon} months ({cfg.name}):")
    print(f"  1 thread : {t1:.3f} s  {person_months / t1 / 1e6:,.0f} M person-months/s")
    print(f"  2 threads: {t2:.3f} s  {person_months / t2 / 1e6:,.0f} M person-months/s ({t1 / t2:.2f}× 1 thread, efficiency {t1 / t2 / 2:.0%})")
    print(f"  NumPy reference: {rate_ref / 1e6:,.1f} M person-months/s → numba is {(person_months / t1) / rate_ref:,.0f}× faster on 1 thread")
    print(f"  end to end (simsam.simulate, {e2e_draws:,} draws): {t_e2e:.2f} s")
    print(f"  wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

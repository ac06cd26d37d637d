"""Sobol analysis of 20 inputs with N = 4096: seconds end to end (target < 30 s), and where they go.

    python benchmarks/sobol_speed.py            # N = 4096: 4096 · (20 + 2) = 90 112 model runs
    python benchmarks/sobol_speed.py --quick    # N = 512, for CI

The config is Samverkansteamet with six minor inputs fixed at their modes, so
that 20 inputs remain: 19 uncertain scalars and the Dirichlet outcome shares,
one group of three. Timed: ``run_sobol`` as ``simsam sensitivity --method
sobol`` calls it (design, inverse CDFs, model runs on the expected cohort,
SALib's estimators and bootstrap), after a small warm-up run so that numba's
cache loading is not counted; then each phase alone; then the same with the
sampled cohort (one more input, ``cohort``). The Ishigami function's indices at
the same N are checked against their analytic values as an accuracy record.
Timings never fail the run.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np
from _common import ROOT, write

TARGET_SECONDS = 30.0
#: Inputs fixed (at their modes) to leave 20 of Samverkansteamet's 26 groups.
FIXED = {
    "resources": {
        "case_handling_kommun": {"unit_cost": 425},
        "case_handling_fk": {"unit_cost": 375},
        "case_handling_af": {"unit_cost": 385},
    },
    "before": {"resources": {"case_handling_fk": 1.5, "case_handling_af": 1.5}},
    "transitions": {"not_improved": {"improved": 0.003}},
}


def twenty_inputs():
    import simsam
    from simsam.config import override

    return override(simsam.load_config(ROOT / "configs" / "samverkansteamet.toml"), FIXED, "benchmarks/sobol_speed.py")


def ishigami_errors(n: int, seed: int = 1) -> dict:
    from simsam.analysis.sensitivity.model import unit_problem
    from simsam.analysis.sensitivity.sobol import sobol_analysis
    from simsam.testing import ishigami_unit

    a, b = 7.0, 0.1
    v = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1, v2, v13 = 0.5 * (1 + b * math.pi**4 / 5) ** 2, a**2 / 8, 8 * b**2 * math.pi**8 / 225
    s1, st = np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v
    res = sobol_analysis(ishigami_unit, unit_problem(["x1", "x2", "x3"]), n=n, seed=seed)
    return {
        "n": n,
        "S1": res.S1.tolist(),
        "ST": res.ST.tolist(),
        "S1_analytic": s1.tolist(),
        "ST_analytic": st.tolist(),
        "max_abs_error_S1": float(np.max(np.abs(res.S1 - s1))),
        "max_abs_error_ST": float(np.max(np.abs(res.ST - st))),
        "max_conf_half_width": float(max(res.S1_conf.max(), res.ST_conf.max())),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4096, help="base sample size N (a power of 2)")
    parser.add_argument("--target", default="payback_months")
    parser.add_argument("--quick", action="store_true", help="N = 512")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = 512

    from simsam.analysis.sensitivity.model import ConfigModel, design_groups, unit_problem
    from simsam.analysis.sensitivity.sobol import design_values, run_sobol, sobol_design, sobol_indices
    from simsam.analysis.sensitivity.targets import parse_target
    from simsam.engine.evaluate import default_threads

    cfg = twenty_inputs()
    target = parse_target(args.target, cfg)
    run_sobol(cfg, target=target, n=8, seed=1)  # warm: numba cache, imports

    t0 = time.perf_counter()
    ds = run_sobol(cfg, target=target, n=args.n, seed=1)
    total = time.perf_counter() - t0
    groups = ds.sizes["parameter"]
    runs = int(ds.attrs["evaluations"])

    # Where the time goes: the same steps one by one.
    model = ConfigModel.create(cfg, target)
    problem = unit_problem(model.space.names, design_groups(model.space))
    phases = {}
    t = time.perf_counter()
    x = sobol_design(problem, args.n, seed=1)
    phases["design_s"] = time.perf_counter() - t
    t = time.perf_counter()
    values = design_values(model, x, problem["groups"])
    phases["inverse_cdf_s"] = time.perf_counter() - t
    t = time.perf_counter()
    y = model.run(values, np.arange(x.shape[0]))
    phases["model_runs_s"] = time.perf_counter() - t
    t = time.perf_counter()
    sobol_indices(problem, y, seed=1)
    phases["estimators_s"] = time.perf_counter() - t

    t0 = time.perf_counter()
    sampled = run_sobol(cfg, target=target, n=args.n, seed=1, cohort="sampled")
    total_sampled = time.perf_counter() - t0

    ishigami = ishigami_errors(args.n)
    top = [(str(p), float(s1), float(st)) for p, s1, st in zip(ds.parameter.values[:5], ds.S1.values[:5], ds.ST.values[:5])]
    result = {
        "config": "samverkansteamet.toml with 6 minor inputs fixed (20 inputs left)",
        "target": ds.attrs["target"],
        "actor": ds.attrs["actor"],
        "inputs": groups,
        "sampled_columns": model.space.size,
        "n": args.n,
        "model_runs": runs,
        "seconds": total,
        "target_seconds": TARGET_SECONDS,
        "within_target": total < TARGET_SECONDS,
        "runs_per_second": runs / total,
        **phases,
        "engine": "expected cohort (Markov trace)",
        "seconds_sampled_cohort": total_sampled,
        "model_runs_sampled_cohort": int(sampled.attrs["evaluations"]),
        "engine_sampled_cohort": sampled.attrs["engine"],
        "sum_S1": float(np.nansum(ds.S1.values)),
        "top5_S1_ST": top,
        "ishigami": ishigami,
        "kernel_threads": default_threads(),
    }
    path = write("sobol_speed", result, args.out)
    print(f"Sobol, {groups} inputs, N = {args.n}: {runs:,} runs of {cfg.name} ({ds.attrs['target']}, society)")
    print(
        f"  expected cohort: {total:.1f} s (target < {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'MISSED'}), "
        f"{runs / total:,.0f} runs/s"
    )
    print("  phases: " + ", ".join(f"{k[:-2].replace('_', ' ')} {v:.2f} s" for k, v in phases.items()))
    print(
        f"  sampled cohort ({sampled.attrs['engine']} path, + input 'cohort'): {total_sampled:.1f} s for "
        f"{int(sampled.attrs['evaluations']):,} runs"
    )
    print(
        f"  Ishigami at N = {args.n}: max |S1 error| {ishigami['max_abs_error_S1']:.4f}, max |ST error| {ishigami['max_abs_error_ST']:.4f}"
    )
    print(f"  wrote {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

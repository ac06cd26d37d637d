"""End to end: a 100 000-draw Samverkansteamet PSA (sampling, accounting, kernel, Dataset), warm, all cores.

    python benchmarks/end_to_end.py [--quick]

Target: < 3 s on 2 cores. Also times each stage once, to show where the time goes.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from _common import ROOT, best_of, write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "samverkansteamet.toml"))
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.repeat = 20_000, 2

    import simsam
    from simsam.engine.accounting import flow_table
    from simsam.engine.sampling import ParameterSpace, Sample

    cfg = simsam.load_config(args.config)
    simsam.simulate(cfg, draws=100)  # compile / load the cache
    seconds = best_of(lambda: simsam.simulate(cfg, draws=args.draws, seed=1), args.repeat)
    ds = simsam.simulate(cfg, draws=args.draws, seed=1)
    soc = ds.net_benefit.sel(actor="society")
    actors = ds.net_benefit.drop_sel(actor="society").sum("actor")
    assert np.allclose(soc, actors, rtol=1e-9, atol=1e-3), "society = Σ actors"

    space = ParameterSpace.from_config(cfg)
    idx = np.arange(args.draws)
    t0 = time.perf_counter()
    values = space.sample(1, idx)
    t_sample = time.perf_counter() - t0
    t0 = time.perf_counter()
    flow_table(cfg, Sample(space, values))
    t_flows = time.perf_counter() - t0
    t0 = time.perf_counter()
    simsam.summarize(ds)
    t_summary = time.perf_counter() - t0
    result = {
        "config": cfg.name,
        "draws": args.draws,
        "uncertain_inputs": space.size,
        "seconds": seconds,
        "draws_per_s": args.draws / seconds,
        "stage_seconds": {"sampling": t_sample, "accounting": t_flows, "summary": t_summary},
        "target_seconds": 3.0 if args.draws == 100_000 else None,
    }
    print(f"end to end, {args.draws:,} draws of {cfg.name} ({space.size} uncertain inputs): {seconds:.2f} s")
    print(f"  of which sampling {t_sample:.2f} s, accounting {t_flows:.2f} s; summary afterwards {t_summary:.2f} s")
    print(f"  wrote {write('end_to_end', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

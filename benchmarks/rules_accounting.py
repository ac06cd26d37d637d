"""The Swedish rules' cost: Samverkansteamet under tax_rules = "sweden" against the same config under "flat".

    python benchmarks/rules_accounting.py [--quick]

Both in one process, alternating, so the ratio is measured on the same machine state: the accounting alone
in chunks of 20 000 draws, in NumPy (``flow_table``, the definition) and compiled (``engine.booking.relative_flows``,
what a run uses; checked equal to the bit), and a whole ``simsam.simulate`` of 100 000 draws.
Checks that society's results are the same under both rule sets (taxes and transfers move money between
actors only). Target: the whole run under "sweden" within 1.3x of "flat".
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from _common import ROOT, write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.repeat = 20_000, 2

    import simsam
    from simsam.config import override
    from simsam.engine import booking
    from simsam.engine.accounting import attributable, flow_table
    from simsam.engine.evaluate import DEFAULT_CHUNK_DRAWS
    from simsam.engine.sampling import ParameterSpace, Sample

    sweden = simsam.load_config(ROOT / "configs" / "samverkansteamet.toml")
    flat = override(sweden, {"economy": {"tax_rules": "flat"}, "benefits": {"social_assistance": {"top_up": False, "monthly": 9000}}})
    configs = {"sweden": sweden, "flat": flat}
    space = ParameterSpace.from_config(sweden)
    values = space.sample(1, np.arange(args.draws))
    chunks = [Sample(space, values[i : i + DEFAULT_CHUNK_DRAWS]) for i in range(0, args.draws, DEFAULT_CHUNK_DRAWS)]
    flat_space = ParameterSpace.from_config(flat)
    flat_values = flat_space.sample(1, np.arange(args.draws))
    flat_chunks = [Sample(flat_space, flat_values[i : i + DEFAULT_CHUNK_DRAWS]) for i in range(0, args.draws, DEFAULT_CHUNK_DRAWS)]
    samples = {"sweden": chunks, "flat": flat_chunks}
    for cfg in configs.values():
        simsam.simulate(cfg, draws=100)  # compile / load the cache

    for name, cfg in configs.items():  # the compiled bookings are the NumPy accounting's, to the bit
        s = samples[name][0]
        assert booking.relative_flows(cfg, s).tobytes() == attributable(cfg, s, flow_table(cfg, s)).tobytes(), name
    accounting = {k: [] for k in configs}
    compiled = {k: [] for k in configs}
    run = {k: [] for k in configs}
    for _ in range(args.repeat):
        for name, cfg in configs.items():
            t0 = time.perf_counter()
            for s in samples[name]:
                flow_table(cfg, s)
            accounting[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for s in samples[name]:
                booking.relative_flows(cfg, s)
            compiled[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            simsam.simulate(cfg, draws=args.draws, seed=1)
            run[name].append(time.perf_counter() - t0)

    a, b = (simsam.simulate(c, draws=min(args.draws, 20_000), seed=1).sel(actor="society") for c in (sweden, flat))
    assert np.allclose(a.net_benefit, b.net_benefit, rtol=1e-12, atol=1e-3), "society does not depend on the tax rules"
    assert (np.nan_to_num(a.payback_months, nan=-1) == np.nan_to_num(b.payback_months, nan=-1)).all()

    med = {k: {"accounting": float(np.median(accounting[k])), "compiled_accounting": float(np.median(compiled[k])),
               "run": float(np.median(run[k]))} for k in configs}
    result = {
        "config": sweden.name,
        "draws": args.draws,
        "repeat": args.repeat,
        "median_seconds": med,
        "ratio_accounting": med["sweden"]["accounting"] / med["flat"]["accounting"],
        "ratio_compiled_accounting": med["sweden"]["compiled_accounting"] / med["flat"]["compiled_accounting"],
        "compiled_over_numpy_sweden": med["sweden"]["compiled_accounting"] / med["sweden"]["accounting"],
        "ratio_run": med["sweden"]["run"] / med["flat"]["run"],
        "target_ratio_run": 1.3,
    }
    print(
        f"{args.draws:,} draws of {sweden.name}: accounting sweden {med['sweden']['accounting']:.3f} s, flat "
        f"{med['flat']['accounting']:.3f} s ({result['ratio_accounting']:.2f}x), compiled sweden "
        f"{med['sweden']['compiled_accounting']:.3f} s ({result['compiled_over_numpy_sweden']:.2f}x NumPy's); "
        f"whole run sweden {med['sweden']['run']:.2f} s, "
        f"flat {med['flat']['run']:.2f} s ({result['ratio_run']:.2f}x, target ≤ 1.3x)"
    )
    print(f"  wrote {write('rules_accounting', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

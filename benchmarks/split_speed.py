"""The cost split designer (issue 16, item 1): ``simsam split`` end to end, 10 000 draws of Samverkansteamet.

    python benchmarks/split_speed.py [--quick]

Times, as a user runs them (a fresh process each, warm numba cache), interleaved round by round:
``simsam run configs/samverkansteamet.toml`` (the reference) and ``simsam split configs/samverkansteamet.toml``
(one run with the monthly paths of the four financing actors, then the current, benefit-proportional, max-min
and Finsam splits and a --shares split, each with its settlement, and the folder with the run's results.nc).
Target: under 10 s on 2 cores. Ratios to the plain run hold on a noisy machine; the absolute seconds are this
machine's. Wrong results fail the run (the current split's payback is the run's in every draw, society's net
benefit is the same under every split, the settlements sum to zero), timings never do.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import against_plain_run, command_args, time_rounds, time_simsam, write


def main(argv=None) -> int:
    args = command_args(__doc__.splitlines()[0], argv)
    draws = str(args.draws)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        commands = {
            "run_plain": ["run", "configs/samverkansteamet.toml", "--draws", draws, "--out", str(tmp / "plain"), "--quiet"],
            "split": ["split", "configs/samverkansteamet.toml", "--draws", draws, "--out", str(tmp / "split"), "--quiet",
                      "--shares", "kommun=0.4,region=0.3,fk=0.3"],
        }
        time_simsam(commands["split"])  # the kernel's monthly variant into the cache
        seconds = time_rounds(commands, args.repeat)

        import xarray as xr

        import simsam

        with simsam.open_results(tmp / "plain" / "results.nc") as run, \
                xr.open_dataset(tmp / "split" / "split.nc", engine="h5netcdf") as split:
            actors = [str(a) for a in split["financing_actor"].values]
            np.testing.assert_array_equal(split["payback_months"].sel(split="current", actor=actors).values,
                                          run["payback_months"].sel(actor=actors).values)
            society = run["net_benefit"].sel(actor="society").values
            for name in split["split"].values:
                np.testing.assert_allclose(split["society_net_benefit"].sel(split=name).values, society, rtol=0,
                                           atol=1e-9 * np.abs(society).max())
            assert np.all(np.abs(split["transfer"].sum("financing_actor").values) < 1e-3)
        summary = json.loads((tmp / "split" / "split.json").read_text(encoding="utf-8"))
        assert list(summary["splits"]) == ["current", "benefit", "maxmin", "finsam", "custom"]
    result = against_plain_run(args.draws, seconds, width=10)
    print(f"  wrote {write('split_speed', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

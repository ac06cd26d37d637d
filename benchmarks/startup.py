"""Start-up: whole `simsam run` processes on a small config, cold (empty numba cache) and cached.

    python benchmarks/startup.py [--quick]

Targets: cached (second process) < 1.5 s, cold compile < 10 s. Also checks that
`import simsam` compiles no kernel (numba is not even imported).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import ROOT, write


def run(args, env) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "samverkansteamet.toml"))
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 2

    probe = subprocess.run(
        [sys.executable, "-c", "import sys, simsam; simsam.load_config(sys.argv[1]); print('numba' in sys.modules)", args.config],
        capture_output=True, text=True, check=True,
    )
    assert probe.stdout.strip() == "False", "import simsam (and loading a config) must not import numba"

    with tempfile.TemporaryDirectory() as tmp:
        # Cold: no compiled kernels and no stored inverse-CDF tables.
        env = {**os.environ, "NUMBA_CACHE_DIR": os.path.join(tmp, "numba-cache"), "SIMSAM_CACHE_DIR": os.path.join(tmp, "simsam-cache")}
        cmd = [
            sys.executable,
            "-m",
            "simsam.cli",
            "run",
            args.config,
            "--draws",
            str(args.draws),
            "--out",
            os.path.join(tmp, "out"),
            "--quiet",
        ]
        cold = run(cmd, env)
        cached = min(run(cmd, env) for _ in range(args.repeat))
        t_import = min(run([sys.executable, "-c", "import simsam"], env) for _ in range(args.repeat))
        t_python = min(run([sys.executable, "-c", "pass"], env) for _ in range(args.repeat))
    result = {"config": os.path.basename(args.config), "draws": args.draws, "cold_seconds": cold, "cached_seconds": cached,
              "import_simsam_seconds": t_import, "python_seconds": t_python, "targets": {"cold": 10.0, "cached": 1.5}}
    print(f"simsam run {os.path.basename(args.config)} --draws {args.draws}: cold (compiling) {cold:.2f} s, cached {cached:.2f} s; "
          f"`import simsam` {t_import:.2f} s, bare python {t_python:.2f} s")
    print(f"  wrote {write('startup', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The scipy.special re-implementation of the distributions (``Distribution.law``)
against scipy.stats, the adaptive inverse-CDF tables, and that loading and
sampling a config never imports scipy.stats (its import takes ~1 s)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simsam.distributions import Distribution, InverseCdfTable, parse_distribution
from simsam.distributions.laws import _Law
from simsam.distributions.tables import TABLE_NODES, TABLE_TOLERANCE

ROOT = Path(__file__).parents[1]

# (kind, config parameters): skewed and symmetric, modes at the ends, tiny and large shapes.
CASES = [
    ("uniform", {"low": 0.0, "high": 1.0}),
    ("uniform", {"low": 18000.0, "high": 23000.0}),
    ("uniform", {"low": -3.5, "high": -0.25}),
    ("triangular", {"low": 0.0, "mode": 0.3, "high": 1.0}),
    ("triangular", {"low": 10.0, "mode": 10.0, "high": 20.0}),
    ("triangular", {"low": 10.0, "mode": 20.0, "high": 20.0}),
    ("triangular", {"low": -5.0, "mode": 1.0, "high": 2.0}),
    ("pert", {"min": 18000.0, "mode": 20000.0, "max": 23000.0}),
    ("pert", {"min": 0.0, "mode": 0.0, "max": 1.0}),
    ("pert", {"min": 0.0, "mode": 1.0, "max": 1.0}),
    ("pert", {"min": 2.0, "mode": 2.0, "max": 9.0, "lambda": 2.0}),
    ("pert", {"min": 0.1, "mode": 0.35, "max": 0.4, "lambda": 12.0}),
    ("normal", {"mean": 0.0, "sd": 1.0}),
    ("normal", {"mean": 31000.0, "sd": 2500.0}),
    ("normal", {"mean": -2.0, "sd": 0.01}),
    ("lognormal", {"mean": 1.0, "sd": 0.1}),
    ("lognormal", {"mean": 5000.0, "sd": 4000.0}),
    ("lognormal", {"mean": 0.02, "sd": 0.1}),
    ("beta", {"mean": 0.75, "sd": 0.08}),
    ("beta", {"a": 0.3, "b": 8.0}),
    ("beta", {"a": 8.0, "b": 0.3}),
    ("beta", {"a": 0.5, "b": 0.5}),
    ("beta", {"a": 1.0, "b": 1.0}),
    ("beta", {"a": 2.5, "b": 700.0}),
    ("beta", {"a": 0.05, "b": 0.05}),
    ("gamma", {"mean": 0.5, "sd": 1.0}),  # shape 0.25
    ("gamma", {"mean": 0.5, "sd": 0.5**0.5}),  # shape 0.5, a Dirichlet share's gamma
    ("gamma", {"mean": 1.0, "sd": 1.0}),
    ("gamma", {"mean": 50.0, "sd": 50.0**0.5}),  # shape 50
    ("gamma", {"mean": 3000.0, "sd": 400.0}),
]
IDS = [f"{kind}-" + "-".join(f"{v:g}" for v in p.values()) for kind, p in CASES]

# Lower-tail probabilities: the ends, the tails simsam draws (2⁻⁵³), the body, and invalid ones.
Q = np.concatenate(
    [[0.0, 1.0, 2.0**-53, 1 - 2.0**-53, 1e-300, 0.5, -0.1, 1.1, np.nan], np.random.default_rng(0).random(200), 10.0 ** -np.arange(1, 17)]
)


def _dist(kind, params):
    return parse_distribution({"dist": kind, **params}, "x")


def _same(a, b):
    """Equal to the bit: the same scipy.special calls in the same expressions.
    (A scipy release that changes a formula in scipy.stats shows up here.)"""
    np.testing.assert_array_equal(a, b, strict=False)


@pytest.mark.filterwarnings("ignore:Error in function boost")  # scipy.stats warns alike (q = 1e-300)
@pytest.mark.parametrize("kind, params", CASES, ids=IDS)
def test_law_matches_scipy_stats(kind, params):
    """ppf, isf, pdf, support and mean equal scipy.stats', edge cases included."""
    dist = _dist(kind, params)
    law, frozen = dist.law, dist.frozen
    assert isinstance(law, _Law)
    with np.errstate(all="ignore"):
        _same(law.ppf(Q), frozen.ppf(Q))
        _same(law.isf(Q), frozen.isf(Q))
        lo, hi = frozen.support()
        body = frozen.ppf(np.linspace(0, 1, 101))
        x = np.concatenate([body, [lo, hi, lo - 1, hi + 1, np.nan], np.nextafter([lo, hi], [-np.inf, np.inf])])
        x = x[np.isfinite(x) | np.isnan(x)]
        _same(law.pdf(x), frozen.pdf(x))
    assert law.support() == frozen.support()
    _same(law.mean(), frozen.mean())
    assert dist.support == tuple(map(float, frozen.support()))
    _same(dist.mean, frozen.mean())
    _same(dist.median, frozen.median())
    # Scalars in, scalars out, as scipy.
    assert np.ndim(law.ppf(0.3)) == 0 and np.ndim(law.pdf(dist.median)) == 0
    _same(dist.exact_ppf(Q[:8]), frozen.ppf(Q[:8]))


def test_truncated_normal_uses_scipy_stats():
    """The one kind without a re-implementation: scipy.stats.truncnorm, imported when used."""
    dist = _dist("normal", {"mean": 1.0, "sd": 2.0, "low": 0.0})
    assert dist.law.dist.name == "truncnorm"
    u = np.array([1e-9, 0.2, 0.5, 0.99])
    np.testing.assert_array_equal(dist.ppf(u), stats.truncnorm(-0.5, np.inf, loc=1, scale=2).ppf(u))
    assert dist.support == (0.0, np.inf)


# Beta, PERT and gamma cases but beta(0.05, 0.05), which no table of TABLE_NODES intervals can follow (U-shaped,
# density infinite at both ends): tests/test_simulation.py checks that it is refused and its ppf is the exact one.
TABULATED_CASES = [(c, i) for c, i in zip(CASES, IDS) if c[0] in ("beta", "pert", "gamma") and i != "beta-0.05-0.05"]


@pytest.mark.parametrize("kind, params", [c for c, _ in TABULATED_CASES], ids=[i for _, i in TABULATED_CASES])
def test_adaptive_table_is_within_tolerance(kind, params):
    """Whatever node count the build stops at, the table is within
    TABLE_TOLERANCE of the range at 10⁴ random uniforms and in the far tails."""
    dist = _dist(kind, params)
    table = dist.table
    assert table is not None and table.x.size - 1 <= TABLE_NODES
    rng = np.random.default_rng(2)
    tails = 10 ** rng.uniform(-15.9, -1, 2000)
    u = np.concatenate([rng.random(10_000), tails, 1 - tails, [2.0**-53, 1 - 2.0**-53]])
    exact = np.where(u < 0.5, dist.frozen.ppf(u), dist.frozen.isf(1 - u))
    span = table.x[-1] - table.x[0]
    assert np.max(np.abs(dist.ppf(u) - exact)) <= TABLE_TOLERANCE * span


@pytest.mark.parametrize("kind, params", [c for c, _ in TABULATED_CASES], ids=[i for _, i in TABULATED_CASES])
def test_compiled_spline_is_the_numpy_table_to_the_bit(kind, params):
    """The kernel sampling uses (simsam.kernels.splines) against its NumPy twin, InverseCdfTable.__call__: the same
    bits at random numbers, in both tails down to 1e-300 (the r > 5 branch of AS 241), at the region boundaries
    0.075 / 0.925, at ½ and at the ends 0 and 1 (the clipped z)."""
    from simsam.engine.sampling import inverse_cdf

    dist = _dist(kind, params)
    rng = np.random.default_rng(11)
    tails = 10 ** rng.uniform(-300, -1, 3000)
    u = np.concatenate([rng.random(20_000), tails, 1 - tails, [0.0, 1.0, 0.5, 0.075, 0.925, 0.425 + 0.5, 2.0**-53, 1 - 2.0**-53]])
    want, got = dist.table(u), inverse_cdf(dist)(u)
    assert got.shape == u.shape and np.array_equal(got.view(np.uint64), want.view(np.uint64))
    assert inverse_cdf(dist)(u[:1]).shape == (1,) and inverse_cdf(dist)(u[:0]).shape == (0,)


def test_sampling_with_the_compiled_spline_is_bit_identical_to_the_numpy_tables():
    """ParameterSpace.transform (compiled splines, columns on both cores) equals each column's own
    Distribution.ppf (NumPy's table) for a shipped config, draw by draw."""
    from simsam.config import load_config
    from simsam.engine.sampling import ParameterSpace

    space = ParameterSpace.from_config(load_config(ROOT / "configs" / "samverkansteamet.toml"))
    u = space.uniforms(3, np.arange(50_000))
    values = space.transform(u)
    for j, q in enumerate(space.scalars):
        assert np.array_equal(values[:, j], q.dist.ppf(u[:, j])), q.path
    assert sum(q.dist.table is not None for q in space.scalars) >= 20


def test_adaptive_table_refines_only_as_needed():
    """A smooth quantile function stops at the first level; a table refined to
    the maximum is the one a fixed-size build gives."""
    easy = InverseCdfTable.build(_dist("gamma", {"mean": 50.0, "sd": 50.0**0.5}).law)
    assert easy is not None and easy.x.size == 64 + 1
    law = _dist("pert", {"min": 0.0, "mode": 0.3, "max": 1.0}).law
    adaptive = InverseCdfTable.build(law)
    assert adaptive.x.size - 1 in (128, 256, 512, 1024)
    fixed = InverseCdfTable.build(law, nodes=adaptive.x.size - 1, start=adaptive.x.size - 1)
    np.testing.assert_array_equal(adaptive.x, fixed.x)
    np.testing.assert_array_equal(adaptive.slope, fixed.slope)
    assert adaptive.step == fixed.step
    # Too coarse a maximum: refused, as before.
    assert InverseCdfTable.build(law, nodes=64) is None


def test_tables_are_shared_by_equal_distributions():
    """Sampling builds a fresh gamma per Dirichlet share on every call; equal ones share a table."""
    a = Distribution("gamma", (("mean", 2.0), ("sd", 2.0**0.5)))
    b = Distribution("gamma", (("mean", 2.0), ("sd", 2.0**0.5)))
    assert a is not b and a.table is b.table is not None


SCRIPT = """
import sys
import numpy as np
import simsam
from simsam.engine.sampling import ParameterSpace

for path in sys.argv[1:]:
    cfg = simsam.load_config(path)
    space = ParameterSpace.from_config(cfg)
    values = space.sample(7, np.arange(500))
    assert np.all(np.isfinite(values)), path
    space.base_values()
    [(q.dist.support, q.dist.mean) for q in space.scalars]
loaded = sorted(m for m in sys.modules if m.startswith("scipy.stats"))
assert not loaded, loaded
"""


def test_loading_and_sampling_never_import_scipy_stats():
    configs = sorted(str(p) for p in (ROOT / "configs").glob("*.toml"))
    assert configs
    subprocess.run([sys.executable, "-c", SCRIPT, *configs], check=True, cwd=ROOT)


# --- Φ⁻¹ without scipy, and tables kept on disk ---------------------------------------


def test_ndtri_matches_scipy_to_a_few_ulps():
    from scipy import special

    from simsam.distributions import ndtri

    rng = np.random.default_rng(5)
    tails = np.logspace(-300, np.log10(0.075), 4000)
    u = np.concatenate([rng.random(20000), tails, 1 - tails[tails > 1e-16], [2.0**-53, 1 - 2.0**-53, 0.5, 0.075, 0.925]])
    z, want = ndtri(u), special.ndtri(u)
    np.testing.assert_allclose(z, want, rtol=4e-15, atol=1e-300)
    assert ndtri(0.0) == -np.inf and ndtri(1.0) == np.inf and ndtri(0.5) == 0.0


def test_tables_are_stored_and_read_back(tmp_path, monkeypatch):
    """A table built once is read from disk by the next process (here: after
    clearing the in-memory cache), equal to the bit; a damaged file is rebuilt."""
    from simsam.distributions import tables as d

    monkeypatch.setenv("SIMSAM_CACHE_DIR", str(tmp_path))
    dist = parse_distribution({"dist": "pert", "min": 0.1, "mode": 0.25, "max": 0.6}, "x")
    d._table.cache_clear()
    built = dist.table
    files = list((tmp_path / "tables").glob("*.npy"))
    assert len(files) == 1
    d._table.cache_clear()
    again = Distribution(dist.kind, dist.params).table
    np.testing.assert_array_equal(again.x, built.x)
    np.testing.assert_array_equal(again.slope, built.slope)
    assert again.step == built.step
    files[0].write_bytes(b"not a table")
    d._table.cache_clear()
    rebuilt = Distribution(dist.kind, dist.params).table
    np.testing.assert_array_equal(rebuilt.x, built.x)
    d._table.cache_clear()


def test_table_store_is_bounded(tmp_path, monkeypatch):
    from simsam.distributions import tables as d

    monkeypatch.setenv("SIMSAM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(d, "TABLE_CACHE_FILES", 1)
    d._stored_table(("gamma", (2.0,), 0.0, 1.0), lambda: None)
    d._stored_table(("gamma", (3.0,), 0.0, 1.0), lambda: None)
    assert len(list((tmp_path / "tables").iterdir())) == 1


def test_no_table_is_stored_as_none(tmp_path, monkeypatch):
    from simsam.distributions import tables as d

    monkeypatch.setenv("SIMSAM_CACHE_DIR", str(tmp_path))
    key = ("beta", (0.05, 0.05), 0.0, 1.0)
    assert d._stored_table(key, lambda: None) is None
    assert d._stored_table(key, lambda: pytest.fail("must come from disk")) is None


def test_second_run_needs_no_scipy_special(tmp_path):
    """With its tables stored, `simsam run` imports neither scipy.special nor scipy.stats."""
    import os
    import subprocess
    import sys

    config = Path(__file__).parents[1] / "configs" / "samverkansteamet.toml"
    code = (
        "import sys; from simsam.cli import main; "
        f"assert main(['run', {str(config)!r}, '--draws', '20', '--out', {str(tmp_path / 'o')!r}, '--quiet']) == 0; "
        "print(sorted(m for m in ('scipy.special', 'scipy.stats') if m in sys.modules))"
    )
    env = {**os.environ, "SIMSAM_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.strip().splitlines()[-1] == "['scipy.special']"
    assert second.stdout.strip().splitlines()[-1] == "[]"


# --- where tables are stored ------------------------------------------------------------


def test_tables_are_stored_in_the_user_cache_dir_not_the_package(tmp_path, monkeypatch):
    """Without SIMSAM_CACHE_DIR, tables go to platformdirs' per-user cache directory + tables, never below simsam/."""
    import platformdirs

    import simsam
    from simsam.distributions import table_cache_dir

    monkeypatch.delenv("SIMSAM_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the Linux convention; other platforms ignore it
    folder = table_cache_dir()
    assert folder == Path(platformdirs.user_cache_dir("simsam")) / "tables"
    assert Path(simsam.__file__).parent not in folder.parents
    if sys.platform.startswith("linux"):
        assert folder == tmp_path / "simsam" / "tables"


def test_simsam_cache_dir_wins_and_empty_stores_nothing(tmp_path, monkeypatch):
    from simsam.distributions import tables as d

    monkeypatch.setenv("SIMSAM_CACHE_DIR", str(tmp_path / "mine"))
    assert d.table_cache_dir() == tmp_path / "mine" / "tables"
    monkeypatch.setenv("SIMSAM_CACHE_DIR", "")
    assert d.table_cache_dir() is None
    monkeypatch.chdir(tmp_path)
    built = InverseCdfTable.build(_dist("gamma", {"mean": 50.0, "sd": 50.0**0.5}).law)
    assert d._stored_table(("gamma", (50.0,), 0.0, 1.0), lambda: built) is built
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere near


def test_platformdirs_is_imported_only_when_a_table_is_looked_up():
    """Importing simsam (`simsam --help`) and loading a config without beta, PERT or gamma inputs do not import platformdirs."""
    code = (
        "import sys, simsam; simsam.load_config('tests/data/hand.toml'); "
        "assert 'platformdirs' not in sys.modules; "
        "from simsam.distributions import table_cache_dir; table_cache_dir(); print('platformdirs' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "SIMSAM_CACHE_DIR"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert done.stdout.strip() == "True"


def test_cache_dir_that_is_a_file_builds_in_memory(tmp_path, monkeypatch):
    """SIMSAM_CACHE_DIR/tables is a file, so no folder can be made there (for root too): the table is built, not stored."""
    from simsam.distributions import tables as d

    (tmp_path / "tables").write_text("not a folder")
    monkeypatch.setenv("SIMSAM_CACHE_DIR", str(tmp_path))
    law = _dist("pert", {"min": 0.1, "mode": 0.25, "max": 0.6}).law
    table = d._stored_table(("x-file", 1), lambda: InverseCdfTable.build(law))
    want = InverseCdfTable.build(law)
    np.testing.assert_array_equal(table.x, want.x)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables"] and (tmp_path / "tables").read_text() == "not a folder"


READ_ONLY_SCRIPT = """
import os, sys
import numpy as np
from simsam.distributions import InverseCdfTable, parse_distribution, table_cache_dir

folder = sys.argv[1]
assert str(table_cache_dir()).startswith(folder)
try:
    open(os.path.join(folder, "probe"), "w")
except PermissionError:
    pass
else:
    raise SystemExit("the folder is writable: the test would prove nothing")
dist = parse_distribution({"dist": "pert", "min": 0.1, "mode": 0.25, "max": 0.6}, "x")
want = InverseCdfTable.build(dist.law)
assert np.array_equal(dist.table.x, want.x) and np.array_equal(dist.table.slope, want.slope)
print(sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, files in os.walk(folder) for f in files))
"""


def _unprivileged(command: list[str]) -> list[str]:
    """Root ignores permission bits: run ``command`` without the capabilities that let it (setpriv, util-linux)."""
    if getattr(os, "geteuid", lambda: 1)() != 0:
        return command
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root, a read-only folder needs setpriv (util-linux) to be read-only"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--", *command]


@pytest.mark.parametrize("with_tables_folder", [False, True], ids=["mkdir-refused", "write-refused"])
def test_read_only_cache_dir_builds_tables_in_memory(tmp_path, with_tables_folder):
    """A read-only SIMSAM_CACHE_DIR (its tables/ missing, or there and read-only too): the run's
    table is built in memory, equal to a fresh build, and nothing is written (no stray temporary file)."""
    folder = tmp_path / "ro"
    (folder / "tables").mkdir(parents=True) if with_tables_folder else folder.mkdir()
    locked = [folder / "tables", folder] if with_tables_folder else [folder]
    for p in locked:
        p.chmod(0o555)
    try:
        done = subprocess.run(
            _unprivileged([sys.executable, "-c", READ_ONLY_SCRIPT, str(folder)]),
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "SIMSAM_CACHE_DIR": str(folder)},
        )
    finally:
        for p in locked:
            p.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

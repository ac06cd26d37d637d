"""Validated inverse-CDF tables of beta, PERT and gamma inputs, kept on disk, and Φ⁻¹ without scipy.

scipy's iterative inversion costs 1–5 µs per number; a table (a cubic Hermite
spline in ``z = Φ⁻¹(u)``, checked against the exact quantiles) costs ~50 ns and
is within ``TABLE_TOLERANCE`` of the range. Tables are stored in the user's
cache directory (:func:`table_cache_dir`), so a second run with the same inputs
imports no scipy.special.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "TABULATED",
    "TABLE_NODES",
    "TABLE_START",
    "TABLE_TOLERANCE",
    "Z_MAX",
    "TABLE_CACHE_FILES",
    "InverseCdfTable",
    "table_cache_dir",
    "ndtri",
    "AS241",
]

#: Kinds whose scipy inverse CDF is iterative and slow.
TABULATED = ("beta", "pert", "gamma")


#: Most intervals of a table; :meth:`InverseCdfTable.build` starts at ``TABLE_START`` and doubles.
TABLE_NODES = 1024


TABLE_START = 64


#: Largest accepted error of the table, relative to the range it spans.
TABLE_TOLERANCE = 1e-9


#: Φ⁻¹ of the smallest and largest uniform numbers simsam draws (2⁻⁵³, 1 − 2⁻⁵³) is ±8.2.
Z_MAX = 8.3


@dataclass(frozen=True)
class InverseCdfTable:
    """A distribution's inverse CDF as a cubic Hermite spline in ``z = Φ⁻¹(u)``.

    Nodes are equally spaced in ``z`` on ``[−8.3, 8.3]`` (so the tails get as
    many nodes as the middle); values are the exact quantiles (the upper half
    through the survival function, which keeps its precision near 1) and
    slopes are exact, ``dx/dz = φ(z) / f(x)``. :meth:`build` checks the spline
    against the exact quantiles at every midpoint and refines until the error
    is below ``TABLE_TOLERANCE`` times the range, or gives up (None), so a
    table is either accurate to ~1e-9 or not used. Evaluation costs ~50 ns per
    number instead of 1–5 µs.

    Attributes
    ----------
    x, slope : ndarray, shape ``(n + 1,)``
        Quantiles and ``dx/dz`` at the nodes, in the distribution's units.
    step : float
        Node spacing in ``z``, ``2 · Z_MAX / n``.
    """

    x: np.ndarray
    slope: np.ndarray
    step: float

    @classmethod
    def build(cls, law, nodes: int = TABLE_NODES, start: int = TABLE_START) -> InverseCdfTable | None:
        """Tabulate ``law``, or None when even ``nodes`` intervals miss the tolerance.

        Parameters
        ----------
        law : object
            Anything with vectorised ``ppf``, ``isf`` and ``pdf``: a
            :attr:`Distribution.law` or a ``scipy.stats`` frozen distribution.
        nodes : int
            Most intervals: ``start``, ``2 · start``, ... intervals are tried
            while not above ``nodes``.
        start : int
            Intervals of the first try. Each failed try's midpoints are the
            next one's new nodes, so no exact quantile is computed twice and a
            table of ``n`` intervals costs ``2n + 1`` of them, as a build of
            ``n`` intervals straight away. (The shipped configs' PERTs need 512.)
        """
        from scipy.special import ndtr  # ~0.3 s: only while building a table (a stored one needs none)

        def exact(z):
            lower = z < 0
            x = np.empty_like(z)
            with np.errstate(all="ignore"):
                x[lower] = law.ppf(ndtr(z[lower]))
                x[~lower] = law.isf(ndtr(-z[~lower]))
                return x, np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) / law.pdf(x)

        def interleave(even, odd):
            out = np.empty(even.size + odd.size)
            out[::2], out[1::2] = even, odd
            return out

        n = min(start, nodes)
        x, slope = exact(np.linspace(-Z_MAX, Z_MAX, n + 1))
        while True:
            z_mid = np.linspace(-Z_MAX, Z_MAX, 2 * n + 1)[1::2]
            x_mid, slope_mid = exact(z_mid)
            x_all, slope_all = interleave(x, x_mid), interleave(slope, slope_mid)
            # NaN, infinite or zero density, or a non-monotone ppf: not a table's job.
            if not (np.all(np.isfinite(x_all)) and np.all(np.isfinite(slope_all)) and np.all(np.diff(x_all) >= 0)):
                return None
            table = cls(x, slope, 2 * Z_MAX / n)
            span = x[-1] - x[0]
            if not span > 0:
                return None
            if np.max(np.abs(table._at(z_mid) - x_mid)) <= TABLE_TOLERANCE * span:
                return table
            if 2 * n > nodes:
                return None
            x, slope, n = x_all, slope_all, 2 * n

    def _at(self, z: np.ndarray) -> np.ndarray:
        w = (np.clip(z, -Z_MAX, Z_MAX) + Z_MAX) / self.step
        i = np.minimum(w.astype(np.int64), self.x.size - 2)
        t = w - i
        t2 = t * t
        t3 = t2 * t
        h = self.step
        x0, x1 = self.x[i], self.x[i + 1]
        return (
            (2 * t3 - 3 * t2 + 1) * x0 + (t3 - 2 * t2 + t) * h * self.slope[i] + (3 * t2 - 2 * t3) * x1 + (t3 - t2) * h * self.slope[i + 1]
        )

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return self._at(ndtri(u))


@lru_cache(maxsize=512)
def _table(dist) -> InverseCdfTable | None:
    """The table of a :class:`~simsam.distributions.specs.Distribution` (cached by value), or None."""
    # Keyed by value: sampling makes a fresh gamma Distribution per Dirichlet
    # share on every call, and those must not rebuild their tables.
    law = dist.law
    key = (law.name, tuple(map(float, law.shape)), float(law.loc), float(law.scale))
    return _stored_table(key, lambda: InverseCdfTable.build(law))


#: Most tables kept on disk (≤ 16 kB each).
TABLE_CACHE_FILES = 10_000


def table_cache_dir() -> Path | None:
    """Where tables are stored, or None when they are not stored (built in memory each run).

    ``$SIMSAM_CACHE_DIR/tables`` when the variable is set (set but empty: None);
    else the per-user cache directory of the platform, ``platformdirs.user_cache_dir("simsam")``
    plus ``tables`` (``~/.cache/simsam/tables`` on Linux, or under ``$XDG_CACHE_HOME``;
    ``~/Library/Caches/simsam/tables`` on macOS). Never inside the installed
    package: an installation may be shared or read-only, and a checkout must stay clean.
    A place that cannot be written is not an error: :func:`_stored_table` then
    builds tables in memory.
    """
    env = os.environ.get("SIMSAM_CACHE_DIR")
    if env is not None:
        return Path(env) / "tables" if env else None
    import platformdirs  # ~5 ms, and only when a beta, PERT or gamma input needs its table

    folder = Path(platformdirs.user_cache_dir("simsam"))
    # Without a home directory the platform's answer can be relative ("~/.cache"): that would
    # store tables below the working directory, so store none.
    return folder / "tables" if folder.is_absolute() else None


def _table_file(key) -> Path | None:
    import hashlib  # only when a table is stored or looked up

    folder = table_cache_dir()
    if folder is None:
        return None
    import scipy  # its version: quantiles may change between releases (scipy itself is cheap to import)

    spec = repr((key, TABLE_NODES, TABLE_START, TABLE_TOLERANCE, Z_MAX, scipy.__version__))
    return folder / (hashlib.sha256(spec.encode()).hexdigest()[:32] + ".npy")


def _stored_table(key, build) -> InverseCdfTable | None:
    """The table of ``key`` from disk, or ``build()`` it and store it (an empty file: no table)."""
    path = _table_file(key)
    if path is not None:
        try:
            data = np.load(path, allow_pickle=False)
            if data.shape == (0,):
                return None
            if data.ndim == 2 and data.shape[0] == 2 and data.shape[1] >= 2 and np.all(np.isfinite(data)):
                return InverseCdfTable(data[0].copy(), data[1].copy(), 2 * Z_MAX / (data.shape[1] - 1))
        except (OSError, ValueError, EOFError):
            pass  # missing or unreadable: build it
    table = build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if len(os.listdir(path.parent)) >= TABLE_CACHE_FILES:
                return table  # full (e.g. a study sweeping a parameter): keep what is there
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                with open(tmp, "wb") as f:
                    np.save(f, np.empty(0) if table is None else np.stack([table.x, table.slope]))
                os.replace(tmp, path)  # atomic: a concurrent run reads the old file or the new one, never half of one
            finally:
                if tmp.exists():  # the write or the rename failed (disk full): leave no stray file
                    tmp.unlink()
        except OSError:
            pass  # a read-only or unwritable place: the table was built in memory and is rebuilt next time
    return table


def ndtri(u) -> np.ndarray:
    """The standard normal quantile Φ⁻¹(u), elementwise, same shape as ``u``.

    Wichura's AS 241 (PPND16; Applied Statistics 37:477–484, 1988), accurate to
    about 1e-16 relative, with the coefficients of CPython's
    ``statistics.NormalDist.inv_cdf``; it agrees with ``scipy.special.ndtri``
    within a few ulps (tested), and spares a run importing scipy.special.
    ``u`` in [0, 1]; 0 and 1 give ∓inf.

    >>> float(ndtri(0.975)), float(ndtri(0.5)), float(ndtri(0.0))
    (1.9599639845400536, 0.0, -inf)
    """
    u = np.asarray(u, dtype=np.float64)
    q = u - 0.5
    out = np.empty_like(q)
    mid = np.abs(q) <= 0.425
    qm = q[mid]
    r = 0.180625 - qm * qm
    out[mid] = qm * _poly(r, _AS241[0]) / _poly(r, _AS241[1])
    tail = ~mid
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.sqrt(-np.log(np.where(q[tail] <= 0.0, u[tail], 1.0 - u[tail])))
        near = r <= 5.0
        x = np.where(near, _poly(r - 1.6, _AS241[2]) / _poly(r - 1.6, _AS241[3]), _poly(r - 5.0, _AS241[4]) / _poly(r - 5.0, _AS241[5]))
    x[np.isinf(r)] = np.inf
    out[tail] = np.where(q[tail] < 0.0, -x, x)
    return out[()] if out.ndim == 0 else out


def _poly(r, coefficients):
    """Horner's scheme, highest power first (as AS 241 writes it)."""
    value = np.full_like(r, coefficients[0])
    for c in coefficients[1:]:
        value = value * r + c
    return value


# Numerator and denominator of the central region (|u − ½| ≤ 0.425), then of the
# tails with r = √(−log min(u, 1 − u)) ≤ 5 and > 5; highest power first.
_AS241 = (
    (2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4, 4.5921953931549871457e4,
     1.3731693765509461125e4, 1.9715909503065514427e3, 1.3314166789178437745e2, 3.3871328727963666080e0),
    (5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4, 2.1213794301586595867e4,
     5.3941960214247511077e3, 6.8718700749205790830e2, 4.2313330701600911252e1, 1.0),
    (7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1, 1.27045825245236838258e0,
     3.64784832476320460504e0, 5.76949722146069140550e0, 4.63033784615654529590e0, 1.42343711074968357734e0),
    (1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2, 1.48103976427480074590e-1,
     6.89767334985100004550e-1, 1.67638483018380384940e0, 2.05319162663775882187e0, 1.0),
    (2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3, 2.65321895265761230930e-2,
     2.96560571828504891230e-1, 1.78482653991729133580e0, 5.46378491116411436990e0, 6.65790464350110377720e0),
    (2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5, 7.86869131145613259100e-4,
     1.48753612908506148525e-2, 1.36929880922735805310e-1, 5.99832206555887937690e-1, 1.0),
)

#: :data:`_AS241` as one ``(6, 8)`` array, for the compiled twin of :meth:`InverseCdfTable.__call__`
#: (:func:`simsam.kernels.splines.spline_quantiles`).
AS241 = np.array(_AS241, dtype=np.float64)

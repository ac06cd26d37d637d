"""Uncertain inputs as a ``(draw, parameter)`` array with dotted names.

Each uncertain scalar of a config is one column, named by its config path
(``outcomes.states.work.employment_rate``); a Dirichlet table of shares is one
column per item (``outcomes.shares.work``) and one *group* for variance-based
sensitivity analysis, since its components are not independent.

Values come from uniform numbers through each input's inverse CDF. The uniform
number of input ``p`` in draw ``i`` is a function of ``(seed, p's name, i)``
only (:mod:`simsam.engine.streams`): the same draw gets the same value whatever the
chunking or thread count, and adding or removing another input leaves it
unchanged, which is what common random numbers between scenarios need.

Inputs a config correlates (``[correlations]``, :mod:`simsam.config.correlations`) are
coupled in :meth:`ParameterSpace.transform` by a Gaussian copula applied draw by
draw, so the above still holds, the marginals are unchanged, and the uniform
numbers of the uncorrelated inputs are untouched. A design in the independent
unit hypercube (Sobol, Morris) is coupled the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..config.correlations import Correlations
from ..config.model import Config, Shares
from ..distributions import AS241, Z_MAX, Distribution, Quantity
from ..errors import ConfigError
from ..util.threads import map_threads
from . import streams as rnd
from .copula import gaussian_copula
from .kernel_cache import ensure_kernel_cache

__all__ = ["ParameterSpace", "Sample", "inverse_cdf"]

#: Below this many numbers, inverse CDFs are computed in one thread.
PARALLEL_MIN_VALUES = 200_000


def _map(fn, items, work: int) -> None:
    """Apply ``fn`` to every item, on all cores when there is enough work.

    The inverse CDFs (beta and gamma quantiles: about 1 µs each) dominate
    sampling; scipy's ufuncs release the GIL, so threads share the columns. Each
    column is written by one thread only, so results do not depend on it.
    """
    map_threads(fn, items, parallel=work >= PARALLEL_MIN_VALUES)

#: Tolerance on "probabilities of a row sum to at most 1" in a draw.
ROW_TOLERANCE = 1e-9


def inverse_cdf(dist: Distribution):
    """``dist``'s inverse CDF as sampling evaluates it: ``u (n,) → values (n,)`` in the input's units.

    A tabulated distribution's spline runs in the compiled twin of ``InverseCdfTable.__call__``
    (:func:`simsam.kernels.splines.spline_quantiles`: the same values to the bit, ~10 ns a number
    instead of ~55); a closed-form one is its :meth:`Distribution.ppf`.
    """
    table = dist.table
    if table is None:
        return dist.ppf

    def spline(u: np.ndarray) -> np.ndarray:
        ensure_kernel_cache()
        from ..kernels.splines import spline_quantiles  # numba and the compiled kernel: only when a sample is drawn

        u = np.ascontiguousarray(u, dtype=np.float64)
        with np.errstate(divide="ignore"):
            log_tail = np.log(np.minimum(u, 1.0 - u))
        out = np.empty_like(u)
        spline_quantiles(u.reshape(-1), log_tail.reshape(-1), table.x, table.slope, table.step, Z_MAX, AS241, out.reshape(-1))
        return out

    return spline


@dataclass(frozen=True)
class ParameterSpace:
    """The uncertain inputs of a config.

    Attributes
    ----------
    scalars : tuple of Quantity
        Uncertain scalar inputs, one column each.
    groups : tuple of Shares
        Dirichlet tables, one column per item.
    correlations : Correlations or None
        Target rank correlations among some scalars (``[correlations]``).
    """

    scalars: tuple[Quantity, ...]
    groups: tuple[Shares, ...]
    correlations: Correlations | None = None

    @classmethod
    def from_config(cls, config: Config) -> ParameterSpace:
        scalars = tuple(q for q in dict.fromkeys(config.quantities()) if not q.fixed)
        return cls(scalars, tuple(config.share_groups()), config.correlations)

    @cached_property
    def correlated_columns(self) -> np.ndarray:
        """Columns of the correlated inputs, in :attr:`Correlations.names` order (empty if none)."""
        if self.correlations is None:
            return np.zeros(0, dtype=np.intp)
        return np.array([self.names.index(n) for n in self.correlations.names], dtype=np.intp)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Column names: scalars first, then each group's items."""
        return tuple(q.path for q in self.scalars) + tuple(n for g in self.groups for n in g.names)

    @cached_property
    def group_of(self) -> tuple[str, ...]:
        """For each column, its group for grouped Sobol analysis (its own name for a scalar)."""
        return tuple(q.path for q in self.scalars) + tuple(g.path for g in self.groups for _ in g.keys)

    @cached_property
    def evidence_of(self) -> tuple[str, ...]:
        """For each column, its input's evidence grade (``high``, ``medium``, ``low``) or ``ungraded``."""
        return tuple(q.grade for q in self.scalars) + tuple(g.grade for g in self.groups for _ in g.keys)

    @property
    def size(self) -> int:
        return len(self.names)

    def uniforms(self, seed: int, draws: np.ndarray) -> np.ndarray:
        """Uniform numbers in (0, 1), shape ``(draw, parameter)``, keyed by name and draw index."""
        draws = np.ascontiguousarray(draws, dtype=np.int64).reshape(-1)
        u = np.empty((draws.size, self.size))
        if draws.size and self.size:
            ensure_kernel_cache()
            from ..kernels.rng import keyed_uniforms  # numba and the compiled kernel: only when a sample is drawn

            # streams.uniforms, column by column, is its NumPy twin (tests/test_sampling_uniforms.py)
            keys = np.array([rnd.stream_key(seed, name) for name in self.names], dtype=np.uint64)
            keyed_uniforms(keys, draws, u)
        return u

    def transform(self, u: np.ndarray) -> np.ndarray:
        """Map independent uniform numbers, shape ``(draw, parameter)``, to input values.

        Correlated inputs are first coupled by the Gaussian copula (row by
        row); then scalars go through their distribution's ``ppf``, and a
        Dirichlet group's uniforms become Gamma(alpha_k) variates, normalised
        to sum to 1.
        """
        u = np.asarray(u, dtype=np.float64)
        if self.correlations is not None:
            cols = self.correlated_columns
            u = u.copy()
            u[:, cols] = gaussian_copula(u[:, cols], self.correlations.cholesky)
        values = np.empty_like(u)
        columns = [(j, inverse_cdf(q.dist)) for j, q in enumerate(self.scalars)]
        j = len(self.scalars)
        for g in self.groups:
            # Gamma(alpha, scale 1) quantiles: the gamma with mean alpha and sd √alpha.
            columns += [(j + i, inverse_cdf(Distribution("gamma", (("mean", a), ("sd", a**0.5))))) for i, a in enumerate(g.alpha)]
            j += len(g.keys)

        def fill(column):
            col, ppf = column
            values[:, col] = ppf(u[:, col])

        _map(fill, columns, work=u.size)
        j = len(self.scalars)
        for g in self.groups:
            k = len(g.keys)
            gam = values[:, j : j + k]
            gam /= gam.sum(axis=1, keepdims=True)
            j += k
        return values

    def sample(self, seed: int, draws: np.ndarray) -> np.ndarray:
        """Monte Carlo values, shape ``(draw, parameter)``, for global draw indices ``draws``."""
        return self.transform(self.uniforms(seed, draws))

    def base_values(self) -> np.ndarray:
        """Each input at its median (Dirichlet groups at their mean), shape ``(parameter,)``."""
        out = [q.base for q in self.scalars]
        for g in self.groups:
            out.extend(q.value for q in g.items)
        return np.asarray(out, dtype=np.float64)


class Sample:
    """Input values of a set of draws, looked up by the config's quantities.

    Parameters
    ----------
    space : ParameterSpace
    values : ndarray, shape ``(draw, parameter)``
        From :meth:`ParameterSpace.sample` or any design (tornado, Sobol).
    """

    def __init__(self, space: ParameterSpace, values: np.ndarray):
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != space.size:
            raise ValueError(f"values must have shape (draw, {space.size}), not {values.shape}")
        self.space = space
        self.values = values
        self.n = values.shape[0]
        self._column = {id(q): j for j, q in enumerate(space.scalars)}
        self._group = {}
        j = len(space.scalars)
        for g in space.groups:
            self._group[id(g)] = j
            j += len(g.keys)

    def __getitem__(self, q: Quantity) -> np.ndarray:
        """The quantity's values, shape ``(draw,)``."""
        if q.fixed:
            return np.full(self.n, q.value)
        return self.values[:, self._column[id(q)]]

    def shares(self, s: Shares) -> np.ndarray:
        """The table's shares, shape ``(draw, item)`` in ``s.keys`` order."""
        if s.kind == "dirichlet":
            j = self._group[id(s)]
            return self.values[:, j : j + len(s.keys)]
        return np.column_stack([self[q] for q in s.items]) if s.items else np.zeros((self.n, 0))


def check_rows(config: Config, sample: Sample, draws: np.ndarray) -> None:
    """Probabilities of one row must sum to at most 1 in every draw.

    Raises
    ------
    ConfigError
        Naming the row (``transitions.work``) and the first draw that breaks it.
    """
    rows = [(f"transitions.{k}", list(row.values()), "outgoing probabilities") for k, row in config.transitions.items()]
    incomes = [config.before.income, *(st.income for st in config.outcomes.states.values())]
    for g in config.groups.values():
        if g.own:  # a group's own rows, named by its key (its transitions merged over the config's)
            rows += [(f"groups.{g.id}.transitions.{k}", list(row.values()), "outgoing probabilities") for k, row in g.transitions.items()]
            incomes += [g.before.income, *(st.income for st in g.states.values())]
    for s in dict.fromkeys(incomes):
        if s.kind == "independent":
            rows.append((s.path, list(s.items), "shares"))
    for path, items, what in rows:
        if all(q.fixed for q in items):
            continue  # checked when the config was loaded
        total = sum(sample[q] for q in items)
        bad = np.flatnonzero(total > 1 + ROW_TOLERANCE)
        if bad.size:
            i = bad[0]
            raise ConfigError(path, f"{what} sum to {total[i]:.4g} in draw {int(draws[i])}, more than 1; narrow their distributions")

"""Rank correlations between uncertain inputs, imposed by a Gaussian copula.

A config may declare target Spearman rank correlations between uncertain
scalar inputs::

    [correlations]
    "outcomes.states.work.employment_rate ~ outcomes.states.work.wage_subsidy" = -0.5

Each key names two inputs by their dotted config paths, separated by ``~``;
the value is the target rank correlation in [-1, 1]. Pairs not listed are
uncorrelated. The table merges key by key through ``extends`` and scenario
overrides, like any other table.

How it is imposed
-----------------
Per draw, with no reference to other draws (so draw ``i`` gets the same values
whatever the chunking, and the same values in a Sobol design row as anywhere
else): the independent uniform numbers ``u`` of the correlated inputs become
normal scores ``z = Φ⁻¹(u)``, are mixed as ``L z`` with ``L`` the Cholesky factor
of the normal-score correlation matrix ``R``, and go back to uniforms
``Φ(L z)``, which then pass through each input's own inverse CDF. The marginal
distributions are therefore exactly those of the config.

The copula imposes Pearson correlation ``r`` on the normal scores. For a
bivariate normal, Spearman's rank correlation is ``ρ_s = (6/π)·arcsin(r/2)``
exactly, and ranks survive every monotone marginal transform, so
``r = 2·sin(π·ρ_s/6)`` gives the target rank correlation exactly in the
population (the two differ by at most 0.018). Iman–Conover would match a
sample's rank correlation more tightly but needs the whole sample at once,
which would make a draw's values depend on the others.

Only uncertain scalar inputs may be correlated: a fixed number has nothing to
correlate, and a Dirichlet share is already tied to its siblings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import ConfigError

__all__ = ["Correlations", "build_correlations", "parse_pair", "spearman_to_normal", "normal_to_spearman", "PAIR_SEPARATOR"]

#: Separates the two inputs of a pair in a ``[correlations]`` key.
PAIR_SEPARATOR = "~"


_PAIR = re.compile(r"\s*([^\s~]+)\s*~\s*([^\s~]+)\s*")


def spearman_to_normal(rho):
    """Pearson correlation of normal scores giving Spearman correlation ``rho``: ``2 sin(π ρ / 6)``."""
    return 2.0 * np.sin(np.pi * np.asarray(rho, dtype=np.float64) / 6.0)


def normal_to_spearman(r):
    """Spearman correlation of a bivariate normal with Pearson correlation ``r``: ``(6/π) arcsin(r / 2)``."""
    return 6.0 / np.pi * np.arcsin(np.asarray(r, dtype=np.float64) / 2.0)


def parse_pair(key: str) -> tuple[str, str] | None:
    """``"a ~ b"`` → ``("a", "b")``; None when the key is not of that form."""
    m = _PAIR.fullmatch(key)
    return (m[1], m[2]) if m else None


@dataclass(frozen=True, eq=False)
class Correlations:
    """Target rank correlations among some uncertain inputs.

    Attributes
    ----------
    names : tuple of str
        The correlated inputs' dotted paths, in the order of the parameter
        space (config reading order).
    spearman : ndarray, shape ``(k, k)``
        Target Spearman correlations, unit diagonal, zero for pairs not given.
    pairs : tuple of (str, str, float)
        The pairs as the config gives them.
    """

    names: tuple[str, ...]
    spearman: np.ndarray
    pairs: tuple[tuple[str, str, float], ...]

    @cached_property
    def normal(self) -> np.ndarray:
        """Correlation matrix of the normal scores, shape ``(k, k)``."""
        r = spearman_to_normal(self.spearman)
        np.fill_diagonal(r, 1.0)
        return r

    @cached_property
    def cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of :attr:`normal`, shape ``(k, k)``."""
        return np.linalg.cholesky(self.normal)

    def components(self) -> tuple[tuple[str, ...], ...]:
        """Sets of inputs linked by chains of pairs, each in :attr:`names` order.

        Inputs in different components are independent, so variance-based
        sensitivity analysis can treat each component as one group.
        """
        parent = {n: n for n in self.names}

        def root(n):
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        for a, b, rho in self.pairs:
            if rho != 0:
                parent[root(a)] = root(b)
        groups: dict[str, list[str]] = {}
        for n in self.names:
            groups.setdefault(root(n), []).append(n)
        return tuple(tuple(g) for g in groups.values())


def build_correlations(pairs, order, path: str = "correlations", source: str | None = None) -> Correlations | None:
    """Assemble and check the correlation matrix of validated pairs.

    Parameters
    ----------
    pairs : sequence of (str, str, float)
        Distinct pairs of distinct uncertain inputs with values in [-1, 1].
    order : sequence of str
        Every uncertain scalar input in parameter-space order.
    path : str
        The key path errors name.

    Returns
    -------
    Correlations or None
        None when there are no pairs.

    Raises
    ------
    ConfigError
        ``correlations: matrix is not positive definite ...`` when the pairs
        cannot hold together, naming the first input (in config order) whose
        correlations contradict those of the inputs before it.
    """
    pairs = tuple(pairs)
    if not pairs:
        return None
    used = {n for a, b, _ in pairs for n in (a, b)}
    names = tuple(n for n in order if n in used)
    index = {n: i for i, n in enumerate(names)}
    rho = np.eye(len(names))
    for a, b, value in pairs:
        rho[index[a], index[b]] = rho[index[b], index[a]] = value
    corr = Correlations(names, rho, pairs)
    for k in range(2, len(names) + 1):
        try:
            np.linalg.cholesky(corr.normal[:k, :k])
        except np.linalg.LinAlgError:
            partners = [names[j] for j in range(k - 1) if rho[k - 1, j] != 0] or list(names[: k - 1])
            others = ", ".join(f"'{n}'" for n in partners)
            raise ConfigError(
                path,
                f"matrix is not positive definite: the correlations of '{names[k - 1]}' with {others} "
                "cannot hold together with the other pairs; weaken some of them",
                source,
            ) from None
    return corr

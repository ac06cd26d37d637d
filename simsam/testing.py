"""Analytic models with known sensitivity indices, for tests and benchmarks.

Each model takes points of the unit hypercube, shape ``(run, input)``, as the
sensitivity designs produce them (:func:`simsam.analysis.sensitivity.sobol.sobol_analysis`,
:func:`simsam.analysis.sensitivity.morris.morris_analysis`), and returns one output per
run, shape ``(run,)``. The tests derive the analytic indices themselves.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ishigami", "ishigami_unit", "linear_unit"]


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami & Homma (1990): ``sin x1 + a sin² x2 + b x3⁴ sin x1``.

    Parameters
    ----------
    x : ndarray, shape ``(run, 3)``
        Inputs in ``[-π, π]``.
    a, b : float

    Returns
    -------
    ndarray, shape ``(run,)``
    """
    x = np.asarray(x, dtype=np.float64)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_unit(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """:func:`ishigami` of unit-hypercube points: each ``u`` in [0, 1] maps to ``-π + 2π u`` (uniform inputs)."""
    return ishigami(-np.pi + 2 * np.pi * np.asarray(u, dtype=np.float64), a, b)


def linear_unit(u: np.ndarray, coefficients) -> np.ndarray:
    """``Σ c_i u_i`` of unit-hypercube points, shape ``(run, input)`` → ``(run,)``.

    With independent uniform ``u_i`` the variance shares are ``c_i² / Σ c_j²``
    (first and total order alike), and every Morris elementary effect of input
    ``i`` is exactly ``c_i``.
    """
    return np.asarray(u, dtype=np.float64) @ np.asarray(coefficients, dtype=np.float64)

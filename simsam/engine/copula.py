"""Target rank correlations imposed by a Gaussian copula, draw by draw.

Per draw, with no reference to other draws (so draw ``i`` gets the same values
whatever the chunking, and the same values in a Sobol design row as anywhere
else): the independent uniform numbers ``u`` of the correlated inputs become
normal scores ``z = Φ⁻¹(u)``, are mixed as ``L z`` with ``L`` the Cholesky factor
of the normal-score correlation matrix (:class:`simsam.config.correlations.Correlations`),
and go back to uniforms ``Φ(L z)``, which then pass through each input's own
inverse CDF. The marginal distributions are therefore exactly those of the config.
"""

from __future__ import annotations

import numpy as np

__all__ = ["U_MIN", "U_MAX", "gaussian_copula"]

#: Correlated uniforms are kept inside the range :func:`simsam.engine.streams.to_unit`
#: produces, so that an unbounded distribution never meets ``ppf(0)`` or ``ppf(1)``.
U_MIN = 2.0**-54


U_MAX = 1.0 - 2.0**-53


def gaussian_copula(u: np.ndarray, cholesky: np.ndarray) -> np.ndarray:
    """Couple independent uniforms through a Gaussian copula, draw by draw.

    Parameters
    ----------
    u : ndarray, shape ``(draw, k)``
        Independent uniform numbers in (0, 1).
    cholesky : ndarray, shape ``(k, k)``
        Lower Cholesky factor of the normal-score correlation matrix.

    Returns
    -------
    ndarray, shape ``(draw, k)``
        Uniform numbers in (0, 1) whose normal scores have correlation
        ``cholesky @ cholesky.T``; each column is still uniform.
    """
    from scipy.special import ndtr, ndtri  # ~0.3 s: only for configs with [correlations]

    z = ndtri(np.asarray(u, dtype=np.float64))
    # L z as elementwise products summed in a fixed order, not a matrix product:
    # BLAS may round differently with the number of rows, and a draw's values
    # must not depend on the draws computed beside it.
    mixed = np.zeros_like(z)
    for i in range(z.shape[1]):
        for k in range(i + 1):
            mixed[:, i] += cholesky[i, k] * z[:, k]
    return np.clip(ndtr(mixed), U_MIN, U_MAX)

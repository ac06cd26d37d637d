"""The one place that sets numba's options for every simsam kernel."""

from __future__ import annotations

import numba

__all__ = ["jit", "parallel_jit"]

# cache: compiled code is reused by the next process; error_model numpy: division
# by zero gives inf/nan as in NumPy rather than raising (checked inputs never do).
_OPTIONS = dict(cache=True, nogil=True, error_model="numpy", fastmath=False)

jit = numba.njit(**_OPTIONS)
parallel_jit = numba.njit(parallel=True, **_OPTIONS)

"""The one place that sets numba's options for every simsam kernel."""

from __future__ import annotations

import numba

__all__ = ["jit"]

# cache: compiled code is reused by the next process; nogil: the cohort kernel's
# blocks run on Python threads (simsam.kernels.cohort._in_blocks); error_model
# numpy: division by zero gives inf/nan as in NumPy rather than raising (checked
# inputs never do).
jit = numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=False)

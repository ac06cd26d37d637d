"""A writable cache folder for numba before a compiled kernel is loaded (the kernels are ``cache=True``)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["ensure_kernel_cache"]

_CACHE_CHECKED = False


def _writable(folder: Path) -> bool:
    """Whether ``folder`` (or the nearest parent it would be made in) may be written."""
    for p in (folder, *folder.parents):
        if p.exists():
            return os.access(p, os.W_OK)
    return False


def ensure_kernel_cache() -> None:
    """Give numba a writable cache folder before the kernels are compiled (``cache=True``).

    numba caches beside the kernels' sources, else in the user's cache folder
    (``~/.cache/numba``), and raises "no locator available" when neither can
    be written: an installed read-only package with a read-only home (a
    container with a read-only root file system). Then the cache goes to the
    temporary folder; ``NUMBA_CACHE_DIR``, when set, is always used.
    """
    global _CACHE_CHECKED
    if _CACHE_CHECKED:
        return
    _CACHE_CHECKED = True
    import numba  # loaded anyway by the kernels' import that follows this

    _numba_without_blas_probe()

    if numba.config.CACHE_DIR:
        return
    kernels = Path(__file__).parents[1] / "kernels"
    if _writable(kernels / "__pycache__"):
        return
    from numba.misc.appdirs import AppDirs  # numba, ~0.3 s: only here

    if _writable(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)):
        return
    fallback = Path(tempfile.gettempdir()) / f"simsam-numba-{getattr(os, 'getuid', lambda: 0)()}"
    with contextlib.suppress(OSError):
        fallback.mkdir(mode=0o700, exist_ok=True)
    if _writable(fallback):
        numba.config.CACHE_DIR = str(fallback)


#: The module numba imports only to learn whether BLAS is there (numba.np.arraymath's ``_check_blas``).
_BLAS_PROBE = "scipy.linalg.cython_blas"


def _numba_without_blas_probe() -> None:
    """Load numba's array implementations without its BLAS probe: ~0.15 s of every run's start.

    On its first compilation (or cache load) numba imports ``numba.np.arraymath``, which imports
    ``scipy.linalg.cython_blas`` to decide whether ``np.cov``'s inner products may call BLAS; scipy.linalg
    costs 0.1–0.2 s to import, half of numba's start, and no simsam kernel uses BLAS. The probe is shown a
    missing module while arraymath loads (its documented fallback: a plain loop), then forgotten, so scipy.linalg
    and numba's own linear algebra (which imports it when a kernel uses it) work as before. A process that
    already loaded either is left alone.
    """
    if "numba.np.arraymath" in sys.modules or _BLAS_PROBE in sys.modules or "scipy.linalg" in sys.modules:
        return
    sys.modules[_BLAS_PROBE] = None  # "import scipy.linalg.cython_blas" raises ImportError, at no cost
    try:
        import numba.np.arraymath  # noqa: F401 - numba's own registry, loaded here instead of at the first dispatch
    finally:
        if _BLAS_PROBE in sys.modules and sys.modules[_BLAS_PROBE] is None:
            del sys.modules[_BLAS_PROBE]

"""A writable cache folder for numba before a compiled kernel is loaded (the kernels are ``cache=True``)."""

from __future__ import annotations

import contextlib
import os
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

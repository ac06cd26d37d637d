"""Output folders that appear whole or not at all."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["atomic_folder"]


def atomic_folder(final: Path):
    """Context manager yielding a temporary folder that becomes ``final`` on success.

    On any error (or Ctrl-C) the temporary folder is removed and ``final`` is
    left as it was; on success an existing ``final`` is replaced.
    """
    @contextlib.contextmanager
    def manager():
        final_path = Path(final)
        final_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final_path.name}.tmp-", dir=final_path.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would outlive the rename
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = None
        if final_path.exists():
            old = final_path.parent / f".{final_path.name}.old-{os.getpid()}"
            os.rename(final_path, old)
        os.rename(tmp, final_path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    return manager()

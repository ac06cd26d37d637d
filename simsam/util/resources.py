"""What this machine can give a run: memory available to it, free disk space, and space reserved ahead of a write.

On a shared cluster the limit that matters is rarely the machine's RAM: a
SLURM job or a Kubernetes pod runs in a cgroup with its own memory limit, and
``ulimit -v`` may cap the address space. :func:`available_memory` takes the
least of all of them (and of ``SIMSAM_MEMORY``, a cap the user may set, e.g.
``SIMSAM_MEMORY=8G`` on a shared login node).

>>> human_bytes(240e9), human_bytes(1.3e6), human_bytes(512)
('240 GB', '1.3 MB', '512 bytes')
>>> grouped(60_000_000)
'60 000 000'
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import math
import os
import shutil
import threading
from pathlib import Path

__all__ = ["available_memory", "free_disk", "existing_ancestor", "reserve_space", "human_bytes", "grouped", "parse_bytes"]

#: Environment variable: at most this much memory for a run (bytes, or with a K, M, G or T suffix).
MEMORY_VARIABLE = "SIMSAM_MEMORY"

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_bytes(text: str) -> int:
    """``"8G"`` → 8 GiB in bytes; plain numbers are bytes.

    Raises
    ------
    ValueError
        Not a size.
    """
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = t[-1:] if t[-1:] in _UNITS and t[-1:] else ""
    number = float(t[: len(t) - len(unit)] if unit else t)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"not a size: {text!r}")
    return int(number * _UNITS[unit])


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _meminfo_available() -> int | None:
    text = _read("/proc/meminfo")
    if text is None:
        return None
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return None


def _cgroup_available() -> int | None:
    """The tightest cgroup memory limit minus what the cgroup uses (page cache not counted), or None."""
    text = _read("/proc/self/cgroup")
    if text is None:
        return None
    best = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        if controllers == "":  # cgroup v2: limits may sit on any ancestor
            root, limit_file, usage_file, stat_key = Path("/sys/fs/cgroup"), "memory.max", "memory.current", "inactive_file"
        elif "memory" in controllers.split(","):  # cgroup v1
            root, limit_file, usage_file, stat_key = (
                Path("/sys/fs/cgroup/memory"),
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
                "total_inactive_file",
            )
        else:
            continue
        folder = root / rel.lstrip("/")
        while True:
            limit = _read(str(folder / limit_file))
            usage = _read(str(folder / usage_file))
            if limit is not None and usage is not None and limit.strip().isdigit() and usage.strip().isdigit():
                cap = int(limit)
                if cap < (1 << 60):  # "max", or v1's "unlimited" 2**63 - page
                    used = int(usage)
                    stat = _read(str(folder / "memory.stat")) or ""
                    for row in stat.splitlines():  # reclaimable page cache does not count as used
                        key, _, value = row.partition(" ")
                        if key == stat_key and value.strip().isdigit():
                            used -= int(value)
                    free = max(0, cap - max(used, 0))
                    best = free if best is None else min(best, free)
            if folder == root or root not in folder.parents:
                break
            folder = folder.parent
    return best


def _rlimit_available() -> int | None:
    try:
        import resource  # POSIX only
    except ImportError:  # not on Windows
        return None
    best = None
    for name in ("RLIMIT_AS", "RLIMIT_DATA"):
        which = getattr(resource, name, None)
        if which is None:
            continue
        soft, _ = resource.getrlimit(which)
        if soft == resource.RLIM_INFINITY:
            continue
        statm = _read("/proc/self/statm")
        used = int(statm.split()[0]) * os.sysconf("SC_PAGE_SIZE") if statm else 0
        free = max(0, soft - used)
        best = free if best is None else min(best, free)
    return best


def available_memory() -> int | None:
    """Bytes this process may still allocate, or None where simsam cannot tell.

    The least of the kernel's ``MemAvailable``, every cgroup limit above this
    process minus its usage (SLURM, Kubernetes, Docker), ``ulimit -v`` / ``-d``
    minus this process's size, and ``SIMSAM_MEMORY``.
    """
    found = [m for m in (_meminfo_available(), _cgroup_available(), _rlimit_available()) if m is not None]
    if not found:
        try:
            import psutil  # a dependency of distributed; used only where /proc is missing (macOS)

            found.append(int(psutil.virtual_memory().available))
        except Exception:  # noqa: BLE001 - no way to tell: the plan says so
            pass
    cap = os.environ.get(MEMORY_VARIABLE)
    if cap:
        try:
            found.append(parse_bytes(cap))
        except ValueError:
            pass  # the CLI checks the variable and says what is wrong with it
    return min(found) if found else None


def existing_ancestor(path: Path) -> Path:
    """``path`` itself if it exists, else its nearest existing parent, as ``path`` is written (``.`` at worst)."""
    for p in (Path(path), *Path(path).parents):
        if p.exists():
            return p
    return Path(".")


def free_disk(path: Path) -> int:
    """Bytes free to this user on the file system that holds ``path`` (or would hold it)."""
    return int(shutil.disk_usage(existing_ancestor(Path(path))).free)


def _fallocate():
    """Linux ``fallocate(2)`` (no slow zero-writing emulation, unlike ``posix_fallocate``), or None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.fallocate64 if hasattr(libc, "fallocate64") else libc.fallocate
        fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
        fn.restype = ctypes.c_int
        return fn, ctypes
    except (OSError, AttributeError):
        return None


_FALLOCATE = _fallocate() if os.name == "posix" else None
_UNSUPPORTED = {errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}


def reserve_space(folder: Path, nbytes: int) -> None:
    """Check that ``nbytes`` can be written in ``folder`` now, by allocating them and letting them go.

    Allocation sees what free space alone does not: a user's disk quota. On a
    file system that cannot allocate ahead (some network file systems), the
    free space is compared instead.

    Raises
    ------
    OSError
        ``ENOSPC`` or ``EDQUOT``, with ``folder`` as its file name.
    """
    nbytes = int(nbytes)
    if nbytes <= 0:
        return
    if _FALLOCATE is not None:
        fn, ctypes = _FALLOCATE
        # One probe name per thread: two writers of one process (a --store states run writes two files) reserve at once.
        probe = Path(folder) / f".space-{os.getpid()}-{threading.get_ident()}"
        fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        try:
            os.unlink(probe)  # nothing is left behind, whatever happens next
            if fn(fd, 0, 0, nbytes) == 0:
                return
            code = ctypes.get_errno()
            if code not in _UNSUPPORTED:
                raise OSError(code, os.strerror(code), str(folder))
        finally:
            os.close(fd)
    if free_disk(folder) < nbytes:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))


def human_bytes(n: float) -> str:
    """A size for people: ``240 GB``, ``1.3 MB`` (powers of 1000, as disks are sold)."""
    n = float(n)
    if n < 1000:
        return f"{n:.0f} bytes"
    for unit in ("kB", "MB", "GB", "TB", "PB", "EB"):
        n /= 1000
        if n < 999.5 or unit == "EB":
            return f"{n:.2g} {unit}" if n < 10 else f"{n:.0f} {unit}"
    raise AssertionError("unreachable")


def grouped(n: int) -> str:
    """``60000000`` → ``60 000 000`` (spaces between thousands, as in Swedish and SI)."""
    return f"{int(n):,}".replace(",", " ")

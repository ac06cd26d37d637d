"""Output folders that appear whole or not at all, one writer at a time.

A command writes its output into a hidden sibling ``.NAME.tmp-XXXXXXXX`` and
renames it into place when everything is written (:func:`atomic_folder`); an
earlier ``NAME`` is swapped out in the same step (``renameat2`` with
``RENAME_EXCHANGE`` where the file system has it), so a reader sees the old
folder or the new one, never neither and never a mix.

While it writes, the command holds ``.NAME.lock`` beside the folder
(:func:`claim`): an exclusive ``flock`` (which works across the nodes of a
cluster on NFS) and, inside, the owner's pid, host and command line for
messages. So

* a second run into the same place stops at once, naming the first
  (:class:`~simsam.errors.OutputError`), instead of racing it;
* a temporary folder that nobody's lock protects was left by a run that died
  (SIGKILL, the OOM killer, power loss, a lost node): the next run into the
  same place removes it, and so does ``simsam clean`` (:func:`clean`). A
  hidden ``.NAME.tmp-*`` or ``.NAME.old-*`` folder is never results.

Where ``flock`` is not supported the lock file is created exclusively instead,
and a lock whose process is gone (same host, pid not running) is stale.

OS errors while writing (a full disk, a quota, a read-only or vanished folder)
become one :class:`~simsam.errors.OutputError` naming the folder, the file and
the cause; nothing of the unfinished output remains.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import re
import secrets
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError
from .signals import deferred_signals

__all__ = [
    "atomic_folder",
    "claim",
    "clean",
    "leftovers",
    "leftovers_of",
    "is_unfinished",
    "Leftover",
    "OWNER_FILE_SUFFIX",
    "describe_os_error",
    "committed",
]

OWNER_FILE_SUFFIX = ".lock"
#: ``.NAME.tmp-XXXXXXXX`` (mkdtemp's eight characters) and ``.NAME.old-XXXXXXXX``.
_HIDDEN = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-[a-z0-9_]{8}$")
_LOCK = re.compile(r"^\.(?P<name>.+)\.lock$")
_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}

#: Causes of a failed write, as a person would say them.
_CAUSES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "input/output error (the disk or network file system failed)",
    errno.EFBIG: "file too large for this file system",
    errno.ESTALE: "stale network file handle (the folder was removed or remounted)",
    errno.ENAMETOOLONG: "file name too long",
}


def describe_os_error(exc: OSError) -> str:
    """An OS error's cause in words: ``no space left on the device``."""
    return _CAUSES.get(exc.errno, (exc.strerror or str(exc)).lower())


def is_unfinished(path: Path) -> bool:
    """Whether ``path`` is the temporary (or swapped-out) folder of a run, not results."""
    return bool(_HIDDEN.match(Path(path).name))


# --- the owner lock -----------------------------------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """A process's start time (clock ticks since boot, Linux), to tell a reused pid from its owner."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(owner: dict) -> bool:
    """Whether the process an owner record names still runs (unknowable on another host: True)."""
    if owner.get("host") != socket.gethostname():
        return True
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    start = _process_start(pid)
    return start is None or owner.get("start") in (None, start)


def _owner_record() -> bytes:
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "start": _process_start(os.getpid()),
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join(["simsam", *sys.argv[1:3]]) if sys.argv and "simsam" in sys.argv[0] else "python",
    }
    return (json.dumps(record) + "\n").encode("utf-8")


def _read_owner(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _who(owner: dict) -> str:
    if not owner:
        return "another simsam run"
    text = f"another simsam run (pid {owner.get('pid')} on {owner.get('host')}"
    if owner.get("since"):
        text += f", since {owner['since']}"
    return text + ")"


@dataclass
class _Lock:
    path: Path
    fd: int | None  # None: an exclusively created lock file without flock
    count: int = 1
    removed: list = field(default_factory=list)


_HELD: dict[str, _Lock] = {}


def _lock_path(final: Path) -> Path:
    return final.parent / f".{final.name}{OWNER_FILE_SUFFIX}"


def _key(final: Path) -> str:
    return os.path.join(os.path.realpath(final.parent), final.name)


def _real(final) -> Path:
    """``final``, or where it points when it is a symbolic link (``results/x -> /scratch/x``).

    The new folder must be made beside the folder the link names, on that disk,
    and swapped in there: swapping the link itself would put the results on the
    link's disk and leave the link behind as a hidden folder.
    """
    final = Path(final)
    return Path(os.path.realpath(final)) if final.is_symlink() else final


def _busy(final: Path, owner: dict) -> OutputError:
    return OutputError(
        str(final), f"{_who(owner)} is writing there; wait for it to finish or choose another folder (nothing was written)"
    )


def _acquire(final: Path, wait: bool = False) -> _Lock | None:
    """Take ``final``'s lock; None when another live process holds it."""
    import fcntl  # POSIX only (imported here so that the rest of this module loads on Windows)

    path = _lock_path(final)
    for _ in range(100):  # a holder that unlinks its lock while we open it: try again
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        except OSError as exc:
            os.close(fd)
            if exc.errno in _NO_FLOCK:
                return _acquire_exclusive(path)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, _owner_record(), 0)
        return _Lock(path, fd)
    raise OutputError(str(final), f"cannot take the lock {path.name}: it keeps changing")


def _acquire_exclusive(path: Path) -> _Lock | None:
    """The lock as an exclusively created file, for file systems without flock."""
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            if _alive(_read_owner(path)):
                return None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # its owner is gone
            continue
        try:
            os.write(fd, _owner_record())
        finally:
            os.close(fd)
        return _Lock(path, None)
    return None


def _release(lock: _Lock) -> None:
    with contextlib.suppress(OSError):
        lock.path.unlink()  # while still holding it, so no one takes a lock on a file about to vanish
    if lock.fd is not None:
        with contextlib.suppress(OSError):
            os.close(lock.fd)


def _make_parent(final: Path) -> None:
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(str(final), f"'{_first_file(final.parent)}' is a file, so the folder cannot be made") from None
    except OSError as exc:
        raise OutputError(str(final), f"cannot create '{final.parent}': {describe_os_error(exc)} (nothing was written)") from None


def _first_file(path: Path) -> Path:
    for p in reversed([path, *path.parents]):
        if p.exists() and not p.is_dir():
            return p
    return path


@contextlib.contextmanager
def claim(final, *, wait: bool = False):
    """Hold ``final``'s lock for the block, after removing what dead runs left there.

    Re-entrant within a process: a command claims its ``--out`` before any
    work, and :func:`atomic_folder` later finds the claim held.

    Yields
    ------
    list of Leftover
        What was removed (temporary folders of runs that died).

    Raises
    ------
    OutputError
        Another live run holds the lock (unless ``wait``), or the place cannot be written.
    """
    final = _real(final)
    key = _key(final)
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
        try:
            yield held.removed
        finally:
            held.count -= 1
        return
    _make_parent(final)
    try:
        lock = _acquire(final, wait=wait)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(str(final), f"cannot write in '{final.parent}': {describe_os_error(exc)} (nothing was written)") from None
    if lock is None:
        owner = {}
        for _ in range(10):  # the holder writes its name just after taking the lock
            owner = _read_owner(_lock_path(final))
            if owner:
                break
            time.sleep(0.02)
        raise _busy(final, owner)
    _HELD[key] = lock
    try:
        lock.removed = _remove_stale(final)
        yield lock.removed
    finally:
        del _HELD[key]
        _release(lock)


# --- what dead runs leave behind ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leftover:
    """A temporary or swapped-out folder of a run that did not finish.

    Attributes
    ----------
    path : Path
    target : Path
        The output folder it was meant to become (or was, for ``old``).
    kind : {"tmp", "old"}
    bytes : int
    """

    path: Path
    target: Path
    kind: str
    bytes: int


def _size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_size
    return total


def leftovers_of(final) -> list[Leftover]:
    """The temporary and swapped-out folders of the output folder ``final`` (live or not)."""
    return _hidden_of(Path(final))


def _hidden_of(final: Path) -> list[Leftover]:
    out = []
    try:
        entries = list(os.scandir(final.parent))
    except OSError:
        return out
    for e in entries:
        m = _HIDDEN.match(e.name)
        if m and m["name"] == final.name and e.is_dir(follow_symlinks=False):
            out.append(Leftover(Path(e.path), final, m["kind"], _size(Path(e.path))))
    return sorted(out, key=lambda x: x.path.name)


def _remove_stale(final: Path) -> list[Leftover]:
    """Remove ``final``'s leftovers (the caller holds its lock, so their runs are gone).

    A swapped-out earlier folder (``old``) whose replacement never arrived is
    put back: an earlier good result is never lost.
    """
    removed = []
    for left in _hidden_of(final):
        if left.kind == "old" and not final.exists():
            with contextlib.suppress(OSError):
                os.rename(left.path, final)
                continue
        shutil.rmtree(left.path, ignore_errors=True)
        removed.append(left)
    return removed


def leftovers(folder) -> list[Leftover]:
    """Every temporary or swapped-out folder under ``folder`` (recursively), live or not."""
    found = []
    for root, dirs, _ in os.walk(folder):
        keep = []
        for d in dirs:
            m = _HIDDEN.match(d)
            if m:
                path = Path(root) / d
                found.append(Leftover(path, Path(root) / m["name"], m["kind"], _size(path)))
            else:
                keep.append(d)
        dirs[:] = keep  # never look inside an unfinished folder
    return sorted(found, key=lambda x: str(x.path))


def clean(folder, *, dry_run: bool = False) -> tuple[list[Leftover], list[tuple[Leftover, str]]]:
    """Remove what runs that died left under ``folder``: ``simsam clean``.

    Returns
    -------
    (removed, kept)
        The leftovers removed (or, with ``dry_run``, that would be), and those
        kept because a live run holds their lock, with who holds it.
    """
    removed, kept = [], []
    by_target: dict[Path, list[Leftover]] = {}
    for left in leftovers(folder):
        by_target.setdefault(left.target, []).append(left)
    for root, _, files in os.walk(folder):  # lock files of runs that died, without a folder
        for f in files:
            m = _LOCK.match(f)
            if m and not _HIDDEN.match(Path(root).name):
                by_target.setdefault(Path(root) / m["name"], [])
    for target, items in sorted(by_target.items()):
        try:
            lock = _acquire(target)
        except OSError as exc:
            kept.extend((item, f"cannot take its lock: {describe_os_error(exc)}") for item in items)
            continue
        if lock is None:
            owner = _who(_read_owner(_lock_path(target)))
            kept.extend((item, owner) for item in items)
            continue
        try:
            if dry_run:
                removed.extend(items)
            else:
                removed.extend(_remove_stale(target))
        finally:
            _release(lock)
    return removed, kept


# --- writing a folder atomically ----------------------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where not supported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


_COMMITTED: list[Path] = []


def committed() -> list[Path]:
    """Output folders this process has put in place (as their callers named them)."""
    return list(_COMMITTED)


def _commit(tmp: Path, final: Path) -> None:
    with deferred_signals():  # a stop signal now would leave neither folder in place
        _commit_now(tmp, final)
        _COMMITTED.append(final)


def _commit_now(tmp: Path, final: Path) -> None:
    if not final.exists():
        os.rename(tmp, final)
        return
    if _exchange(tmp, final):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the earlier results
        return
    old = final.parent / f".{final.name}.old-{secrets.token_hex(4)}"
    os.rename(final, old)
    try:
        os.rename(tmp, final)
    except BaseException:
        os.rename(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _output_error(final: Path, tmp: Path, exc: OSError) -> OutputError | None:
    """``exc`` as one line about the output, or None when it is not about writing it."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return None
    name = Path(exc.filename) if isinstance(exc.filename, (str, os.PathLike)) else None
    inside = name is not None and (tmp in name.parents or name == tmp or name == final or name == final.parent)
    storage = exc.errno in _CAUSES or exc.errno == errno.ENOENT
    if not inside and not (name is None and storage):
        return None
    if not tmp.exists():
        cause = f"its unfinished folder {tmp.name} was removed while the run was writing it"
    else:
        cause = describe_os_error(exc)
        if name is not None and tmp in name.parents:
            cause += f" (writing {name.relative_to(tmp)})"
    tail = "the earlier results there are untouched" if final.exists() else "nothing was written"
    return OutputError(str(final), f"{cause}; {tail}")


@contextlib.contextmanager
def atomic_folder(final):
    """Context manager yielding a temporary folder that becomes ``final`` on success.

    On any error (or a stop signal) the temporary folder is removed and
    ``final`` is left as it was; on success an existing ``final`` is replaced
    in one step. The place is claimed for the block (:func:`claim`).

    Raises
    ------
    OutputError
        Another run is writing ``final``; or writing failed (full disk, quota,
        permissions, the folder removed under the run), naming the cause.
    """
    final = _real(final)
    with claim(final):
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
        except OSError as exc:
            raise OutputError(str(final), f"cannot write in '{final.parent}': {describe_os_error(exc)} (nothing was written)") from None
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would outlive the rename
        try:
            yield tmp
            _commit(tmp, final)
        except OSError as exc:
            error = _output_error(final, tmp, exc)  # before the removal: it tells whether tmp vanished
            shutil.rmtree(tmp, ignore_errors=True)
            if error is None:
                raise
            raise error from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

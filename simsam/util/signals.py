"""Stop signals as exceptions, so that a stopped run cleans up after itself.

``timeout``, SLURM (at the time limit, or ``scancel``) and Kubernetes (pod
eviction) send SIGTERM; a closed terminal or SSH session sends SIGHUP; Ctrl-C
sends SIGINT. By default the first two kill Python on the spot, leaving a
half-written temporary folder behind. Inside :func:`stop_on_signals` each of
them raises :class:`~simsam.errors.Stopped` in the main thread instead, so the
``finally`` blocks run: chunks in flight on a Dask cluster are cancelled, the
cluster is closed, the temporary folder is removed.

A signal that is ignored when simsam starts stays ignored (``nohup``, and
SIGINT for a background job of a non-interactive shell). A second signal while
the first one's clean-up runs is ignored, so that the clean-up can finish.
Short sections that must not be cut in two — renaming a finished folder into
place — run inside :func:`deferred_signals`: a signal there takes effect when
the section ends.
"""

from __future__ import annotations

import contextlib
import signal
import threading

from ..errors import Stopped

__all__ = ["STOP_SIGNALS", "stop_on_signals", "deferred_signals", "stopping"]

#: The signals that stop a run cleanly (those this platform has).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

_state = {"stopping": None, "defer": 0, "pending": None}


def stopping() -> int | None:
    """The stop signal being handled, or None."""
    return _state["stopping"]


def _handler(signum, frame):
    if _state["stopping"] is not None:
        return  # the clean-up of the first signal is running: let it finish
    if _state["defer"]:
        _state["pending"] = signum
        return
    _state["stopping"] = signum
    raise Stopped(signum)


@contextlib.contextmanager
def stop_on_signals():
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`~simsam.errors.Stopped` within the block.

    Outside the main thread (where Python runs signal handlers) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    _state.update(stopping=None, defer=0, pending=None)
    try:
        for sig in STOP_SIGNALS:
            old = signal.getsignal(sig)
            if old is signal.SIG_IGN:
                continue  # nohup, or a background job: whoever started us wants it ignored
            previous[sig] = old
            signal.signal(sig, _handler)
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        _state.update(stopping=None, defer=0, pending=None)


@contextlib.contextmanager
def deferred_signals():
    """Hold a stop signal back until the block ends (then raise it, unless an error is already on its way)."""
    _state["defer"] += 1
    try:
        yield
    except BaseException:
        _state["defer"] -= 1
        raise
    _state["defer"] -= 1
    pending = _state["pending"]
    if not _state["defer"] and pending is not None and _state["stopping"] is None:
        _state.update(pending=None, stopping=pending)
        raise Stopped(pending)

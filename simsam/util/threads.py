"""Work shared by the cores in threads: NumPy, scipy's ufuncs, zlib and HDF5 reads release the GIL."""

from __future__ import annotations

import os

__all__ = ["map_threads", "imap_threads"]


def map_threads(fn, items, parallel: bool = True) -> list:
    """``[fn(item) for item in items]``, in order, on every core when ``parallel`` and there are two items or more.

    Each item's result is computed by one thread alone, so results never depend on the threads.
    """
    items = list(items)
    threads = min(len(items), os.cpu_count() or 1)
    if threads < 2 or not parallel:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor  # only when the work is shared

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(fn, items))


def imap_threads(fn, items, parallel: bool = True):
    """:func:`map_threads` as a generator: each result is handed over (and let go by the caller) in order as it is
    ready, so the results are not all held at once (at most one ahead per thread)."""
    items = list(items)
    threads = min(len(items), os.cpu_count() or 1)
    if threads < 2 or not parallel:
        for item in items:
            yield fn(item)
        return
    from concurrent.futures import ThreadPoolExecutor  # only when the work is shared

    end = object()  # after the last item (an item may be anything, None too)
    with ThreadPoolExecutor(threads) as pool:
        pending = [pool.submit(fn, item) for item in items[:threads]]
        for nxt in items[threads:] + [end] * threads:
            done = pending.pop(0)
            if nxt is not end:
                pending.append(pool.submit(fn, nxt))
            yield done.result()
            del done

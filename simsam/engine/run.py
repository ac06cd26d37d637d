"""Running the draws of a config in chunks, in this process or on a Dask cluster.

A chunk is a range of global draw indices. Its results depend only on the
config, the seed and those indices (:mod:`simsam.engine.streams`), so chunks can
run in any order, on any machine, any number of times (a retried task after a
worker died gives the same numbers), and the assembled results are
bit-identical to a single-process run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..config.build import build_config
from ..config.loading import RawConfig
from ..config.model import Config
from ..errors import ConfigError
from .evaluate import DEFAULT_CHUNK_DRAWS, ModelOutput, evaluate
from .sampling import ParameterSpace

__all__ = ["Chunk", "count_dtype", "whole_counts", "chunk_ranges", "run_chunk_draws", "LARGE_CHUNK_DRAWS", "compute_chunk",
           "config_of_raw", "run_chunks", "in_flight", "dask_client", "check_scheduler"]


@dataclass(frozen=True)
class Chunk:
    """Results of the draws ``start .. stop - 1`` (positions within the run)."""

    start: int
    stop: int
    output: ModelOutput
    inputs: np.ndarray


def chunk_ranges(draws: int, chunk_draws: int) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_draws, draws)) for start in range(0, draws, chunk_draws)]


#: The largest chunk a run in this process takes by itself (``--chunk-draws`` unset): ~6 kB a draw in flight.
LARGE_CHUNK_DRAWS = 50_000
#: A run in this process keeps at least this many chunks, so that writing one overlaps computing the next.
CHUNKS_AT_LEAST = 20


def run_chunk_draws(draws: int, distributed: bool = False) -> int:
    """Draws per chunk of a run of ``draws`` written to a folder when the caller names none.

    On a cluster (``distributed``) :data:`DEFAULT_CHUNK_DRAWS`: what a task sends back stays small.
    In this process a twentieth of the draws, at least :data:`DEFAULT_CHUNK_DRAWS` and at most
    :data:`LARGE_CHUNK_DRAWS`: a chunk has a cost of its own besides its draws (thread hand-overs, a few
    hundred NumPy calls, one HDF5 chunk per column to write and read back), and a 10⁶-draw run took
    0.87× the wall time in chunks of 50 000 instead of 20 000 (``benchmarks/large_run.py``), for ~185 MB
    more memory (the chunks in flight); at 10⁷ draws the summary's columns are the peak either way.
    Results never depend on the chunks.
    """
    if distributed:
        return DEFAULT_CHUNK_DRAWS
    return min(LARGE_CHUNK_DRAWS, max(DEFAULT_CHUNK_DRAWS, int(draws) // CHUNKS_AT_LEAST))


_CONFIGS: dict[int, Config] = {}


def config_of_raw(raw: RawConfig) -> Config:
    # A worker builds each config once, not once per chunk.
    key = hash((raw.text, repr(raw.data)))
    if key not in _CONFIGS:
        _CONFIGS.clear()
        _CONFIGS[key] = build_config(raw)
    return _CONFIGS[key]


def compute_chunk(config: Config | RawConfig, start: int, stop: int, first_draw: int, seed: int, threads: int | None = None,
                  *, occupancy: bool = False) -> Chunk:
    """Sample and simulate draws ``first_draw + start .. first_draw + stop - 1``.

    ``config`` may be the raw merged tables (what is sent to a cluster worker:
    plain data, rebuilt and validated there). ``occupancy``: also keep each draw's
    occupancy (``ModelOutput.occupancy``, what ``--store states`` stores), as whole
    participants in the smallest unsigned type (:func:`count_dtype`) when they are
    whole (the sampled cohorts), a ninth of the float64 held while the chunk waits to be written.
    """
    cfg = config_of_raw(config) if isinstance(config, RawConfig) else config
    space = ParameterSpace.from_config(cfg)
    idx = np.arange(first_draw + start, first_draw + stop, dtype=np.int64)
    values = space.sample(seed, idx)
    out = evaluate(cfg, space, values, idx, seed, threads=threads, occupancy=occupancy)
    if occupancy and (counts := whole_counts(out.occupancy, cfg.project.participants)) is not None:  # the sampled cohorts
        out = dataclasses.replace(out, occupancy=counts)
    return Chunk(start, stop, out, values)


def whole_counts(occupancy: np.ndarray, participants: int) -> np.ndarray | None:
    """``occupancy`` as whole participants in :func:`count_dtype`, or None when a value is not one (the expected
    cohort's fractions): cast and checked in one compiled pass (:func:`simsam.kernels.counts.as_counts`)."""
    from ..kernels.counts import as_counts  # numba and the compiled kernel: loaded by evaluate already

    dtype = count_dtype(participants)
    counts = np.empty(np.shape(occupancy), dtype=dtype)
    return counts if as_counts(np.ascontiguousarray(occupancy, dtype=np.float64), counts, float(np.iinfo(dtype).max)) else None


def count_dtype(participants: int) -> np.dtype:
    """The smallest unsigned type holding every count 0 … ``participants`` of a state's occupancy."""
    for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
        if participants <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    raise ValueError(f"{participants} participants do not fit an unsigned 64-bit count")


def run_chunks(
    config: Config,
    draws: int,
    seed: int,
    chunk_draws: int,
    *,
    first_draw: int = 0,
    threads: int | None = None,
    client=None,
    task=compute_chunk,
) -> Iterator[Chunk]:
    """Yield the chunks of a run, in order locally, as they finish on a cluster.

    Parameters
    ----------
    client : dask.distributed.Client, optional
        Run each chunk as a task there; at most twice as many chunks as the
        cluster has threads are in flight, so memory stays bounded.
    task : callable
        The function run per chunk (:func:`compute_chunk`; tests wrap it to
        inject faults).
    """
    ranges = chunk_ranges(draws, chunk_draws)
    if client is None:
        for start, stop in ranges:
            yield task(config, start, stop, first_draw, seed, threads)
        return
    def submit(rng):
        start, stop = rng
        return client.submit(task, config.raw, start, stop, first_draw, seed, threads or 1, pure=False)

    for _, chunk in in_flight(client, submit, ranges):
        yield chunk


def in_flight(client, submit, items) -> Iterator[tuple]:
    """Yield ``(item, result)`` of each item's task, ``submit(item)``, as they finish.

    At most twice as many tasks as the cluster has threads are in flight, so
    the data sent out stays bounded; a task whose worker dies is recomputed
    elsewhere by Dask.
    """
    from distributed import as_completed  # dask, ~1 s: only with a cluster

    slots = max(2, 2 * sum(client.nthreads().values()))
    pending = iter(items)
    item_of = {}
    running = {}

    def start(item):
        future = submit(item)
        item_of[future.key] = item
        running[future.key] = future
        return future

    try:
        queue = as_completed([start(item) for _, item in zip(range(slots), pending)])
        for future in queue:
            try:
                result = future.result()
            except MemoryError:
                raise
            except Exception as exc:
                if type(exc).__name__ == "KilledWorker":  # distributed.scheduler.KilledWorker
                    died = f"a Dask worker died {_retries(client)} times running one chunk of work"
                    raise MemoryError(f"{died}, most likely out of memory") from None
                raise
            item = item_of.pop(future.key)
            running.pop(future.key, None)
            future.release()
            following = next(pending, None)
            if following is not None:
                queue.add(start(following))
            yield item, result
    finally:
        # Stopped (a signal), an error, or the consumer gone: the cluster must not go on computing.
        if running:
            with contextlib.suppress(Exception):
                client.cancel(list(running.values()), force=True)


def _retries(client) -> int:
    try:
        import dask  # dask, ~1 s: only with a cluster

        return int(dask.config.get("distributed.scheduler.allowed-failures")) + 1
    except Exception:  # noqa: BLE001 - only for the message
        return 4


@contextlib.contextmanager
def _terminal_signals_ignored():
    """Start worker processes that ignore SIGINT and SIGHUP: only this process stops a run.

    Ctrl-C and a closed terminal signal the whole process group. The workers
    would each die with a traceback of their own; ignoring the signals (a
    disposition child processes inherit) leaves it to this process, which
    cancels their chunks and closes the cluster. SIGTERM still ends them.
    A signal in the second or two this takes is lost.
    """
    names = [n for n in ("SIGINT", "SIGHUP") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {n: signal.signal(getattr(signal, n), signal.SIG_IGN) for n in names}
    try:
        yield
    finally:
        for n, handler in previous.items():
            signal.signal(getattr(signal, n), handler)


#: Local Dask workers at most: each is a process with its own memory (about 200 MB before any work).
MAX_LOCAL_WORKERS = 512


def check_scheduler(scheduler: str | None) -> int:
    """Check ``--scheduler``'s form before any work: the number of local workers, 0 for an address (or none).

    Raises
    ------
    ConfigError
        Neither ``local:N`` (1 ≤ N ≤ :data:`MAX_LOCAL_WORKERS`) nor an address such as ``tcp://HOST:PORT``.
    """
    if scheduler is None:
        return 0
    if scheduler.startswith("local:"):
        text = scheduler.removeprefix("local:")
        workers = int(text) if text.isascii() and text.isdigit() else 0
        if not 1 <= workers <= MAX_LOCAL_WORKERS:
            raise ConfigError("--scheduler", f"'{scheduler}': local:N needs a whole number of workers N from 1 to {MAX_LOCAL_WORKERS}")
        return workers
    if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")) or len(scheduler.split("://", 1)[1]) == 0:
        raise ConfigError("--scheduler", f"'{scheduler}' is neither local:N nor an address such as tcp://HOST:PORT")
    return 0


@contextlib.contextmanager
def dask_client(scheduler: str | None, timeout: float = 10.0):
    """A Dask client for ``local:N`` (a LocalCluster of N processes) or ``tcp://HOST:PORT``.

    Yields None when ``scheduler`` is None (run in this process).

    Raises
    ------
    ConfigError
        ``--scheduler`` malformed or unreachable.
    """
    if scheduler is None:
        yield None
        return

    workers = check_scheduler(scheduler)
    from distributed import Client, LocalCluster  # dask, ~1 s: only with --scheduler

    if workers:
        # A run that stops cancels its chunks in flight, which the scheduler (here) and the
        # workers (their own processes, configured from the environment) log as warnings
        # and errors; what goes wrong reaches the client as an exception and is reported once.
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")
        with _terminal_signals_ignored(), warnings.catch_warnings():
            # "Port 8787 is already in use": another user's cluster on a shared node; any free port does.
            warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError("--scheduler", f"cannot reach the Dask scheduler at {scheduler}: {' '.join(str(exc).split())}") from None
    try:
        yield client
    finally:
        client.close()

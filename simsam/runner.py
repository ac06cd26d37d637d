"""Running the draws of a config in chunks, in this process or on a Dask cluster: :func:`simulate`.

A chunk is a range of global draw indices. Its results depend only on the
config, the seed and those indices (:mod:`simsam.random`), so chunks can run in
any order, on any machine, any number of times (a retried task after a worker
died gives the same numbers), and the assembled results are bit-identical to a
single-process run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .config.loading import RawConfig
from .config.schema import Config, build_config
from .errors import ConfigError
from .sampling import ParameterSpace
from .simulation import DEFAULT_CHUNK_DRAWS, ModelOutput, engine_of, evaluate, numba_threads

__all__ = ["Chunk", "chunk_ranges", "compute_chunk", "in_flight", "run_chunks", "simulate", "dask_client"]


@dataclass(frozen=True)
class Chunk:
    """Results of the draws ``start .. stop - 1`` (positions within the run)."""

    start: int
    stop: int
    output: ModelOutput
    inputs: np.ndarray


def chunk_ranges(draws: int, chunk_draws: int) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_draws, draws)) for start in range(0, draws, chunk_draws)]


_CONFIGS: dict[int, Config] = {}


def _config_of(raw: RawConfig) -> Config:
    # A worker builds each config once, not once per chunk.
    key = hash((raw.text, repr(raw.data)))
    if key not in _CONFIGS:
        _CONFIGS.clear()
        _CONFIGS[key] = build_config(raw)
    return _CONFIGS[key]


def compute_chunk(config: Config | RawConfig, start: int, stop: int, first_draw: int, seed: int, threads: int | None = None) -> Chunk:
    """Sample and simulate draws ``first_draw + start .. first_draw + stop - 1``.

    ``config`` may be the raw merged tables (what is sent to a cluster worker:
    plain data, rebuilt and validated there).
    """
    cfg = _config_of(config) if isinstance(config, RawConfig) else config
    space = ParameterSpace.from_config(cfg)
    idx = np.arange(first_draw + start, first_draw + stop, dtype=np.int64)
    values = space.sample(seed, idx)
    with numba_threads(threads):
        out = evaluate(cfg, space, values, idx, seed)
    return Chunk(start, stop, out, values)


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


def simulate(
    config: Config,
    draws: int | None = None,
    seed: int | None = None,
    *,
    threads: int | None = None,
    chunk_draws: int | None = None,
    first_draw: int = 0,
    progress=None,
    client=None,
):
    """Monte Carlo simulation of a config: the result Dataset of CONTRACT.md, in memory.

    Parameters
    ----------
    config : Config
        From :func:`simsam.load_config`.
    draws : int, optional
        Number of draws (default: ``[simulation] draws``).
    seed : int, optional
        Default: ``[simulation] seed``.
    threads : int, optional
        numba threads (default: all cores). Results do not depend on it.
    chunk_draws : int, optional
        Draws per chunk, to bound memory. Results do not depend on it.
    first_draw : int
        Global index of the first draw: draws ``first_draw ...`` of a larger run
        get exactly the numbers they get in that run.
    progress : callable, optional
        Called with the number of draws done after each chunk.
    client : dask.distributed.Client, optional
        Run the chunks as tasks on a Dask cluster (bit-identical results).

    Returns
    -------
    xarray.Dataset
        ``payback_months``, ``annual_revenue``, ``cost``, ``net_benefit``,
        ``revenue``, ``utilised_potential`` and ``inputs``; see
        :mod:`simsam.results`. For runs too large for memory, see
        :func:`simsam.workflows.run_folder.run_to_folder`, which streams to NetCDF.
    """
    from .results import build_dataset

    draws = config.simulation.draws if draws is None else int(draws)
    seed = config.simulation.seed if seed is None else int(seed)
    if draws < 1:
        raise ValueError("draws must be at least 1")
    chunk = max(1, int(chunk_draws or DEFAULT_CHUNK_DRAWS))
    space = ParameterSpace.from_config(config)
    index = np.arange(first_draw, first_draw + draws, dtype=np.int64)
    n_actors = len(config.actors) + 1
    years = config.simulation.horizon_months // 12
    out = ModelOutput(
        np.empty((draws, n_actors)),
        np.empty((draws, n_actors, years)),
        np.empty((draws, n_actors, years)),
        np.empty((draws, n_actors)),
        np.empty(draws),
    )
    inputs = np.empty((draws, space.size))
    for part in run_chunks(config, draws, seed, chunk, first_draw=first_draw, threads=threads, client=client):
        for name in ModelOutput.__dataclass_fields__:
            if getattr(out, name) is not None:
                getattr(out, name)[part.start : part.stop] = getattr(part.output, name)
        inputs[part.start : part.stop] = part.inputs
        if progress is not None:
            progress(part.stop - part.start)
    return build_dataset(config, space, out, inputs, index, seed, engine_of(config))


def in_flight(client, submit, items) -> Iterator[tuple]:
    """Yield ``(item, result)`` of each item's task, ``submit(item)``, as they finish.

    At most twice as many tasks as the cluster has threads are in flight, so
    the data sent out stays bounded; a task whose worker dies is recomputed
    elsewhere by Dask.
    """
    from distributed import as_completed

    slots = max(2, 2 * sum(client.nthreads().values()))
    pending = iter(items)
    item_of = {}

    def start(item):
        future = submit(item)
        item_of[future.key] = item
        return future

    queue = as_completed([start(item) for _, item in zip(range(slots), pending)])
    for future in queue:
        result = future.result()
        item = item_of.pop(future.key)
        future.release()
        following = next(pending, None)
        if following is not None:
            queue.add(start(following))
        yield item, result


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
    import logging

    from distributed import Client, LocalCluster

    if scheduler.startswith("local:"):
        try:
            workers = int(scheduler.removeprefix("local:"))
        except ValueError:
            workers = 0
        if workers < 1:
            raise ConfigError("--scheduler", f"'{scheduler}': local:N needs a whole number of workers N ≥ 1")
        logging.getLogger("distributed").setLevel(logging.ERROR)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
        return
    if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        raise ConfigError("--scheduler", f"'{scheduler}' is neither local:N nor an address such as tcp://HOST:PORT")
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ConfigError("--scheduler", f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        yield client
    finally:
        client.close()

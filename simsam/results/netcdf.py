"""``results.nc``: streamed chunk by chunk as a run goes (:class:`ResultWriter`), read without xarray
(:class:`ResultsFile`), or read into memory with xarray (:func:`read_results`); any Dataset written
safely with :func:`write_netcdf`.

Why every HDF5 file is written through :class:`GuardedFile`
-----------------------------------------------------------
When a write fails inside HDF5 (a full disk, a quota), HDF5 reports it late
and in the wrong place: as "Exception ignored in ObjectID.__dealloc__" (one
traceback per object, often a hundred), or from ``close()``. The dataset
whose close failed stays in HDF5's table of open objects although its file is
gone, and HDF5's clean-up at interpreter exit (``H5_term_library`` →
``H5D_close``) then dereferences the freed file: a segmentation fault, exit
139, after every ``finally`` has run. (h5netcdf's ``__del__``, which repeats a
failed ``close``, is a second way to the same crash.)

So HDF5 never sees an I/O error: it writes through a Python file object
(h5py's ``fileobj`` driver) that takes the first OS error, keeps HDF5's
later writes in memory (HDF5 still reads back what it believes it wrote),
and reports success. HDF5 closes the file normally; the writer then raises
the OS error once, naming the file. Writes stop at the next chunk, so what
is kept in memory is at most a chunk and HDF5's metadata. Before each chunk
the space for it is reserved and let go (:func:`simsam.util.resources.reserve_space`),
so a disk or quota that fills up mid-run is found before HDF5 writes into it.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import io
import itertools
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..config.model import Config
from ..engine.accounting import cost_split, project_cost_total
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, ModelOutput, evaluate
from ..engine.kernel_cache import ensure_kernel_cache
from ..engine.run import Chunk, compute_chunk, config_of_raw, whole_counts
from ..engine.sampling import ParameterSpace, Sample
from ..util.resources import reserve_space
from ..util.signals import deferred_signals
from . import layout
from .dataset import GROUP_VARIABLES, VARIABLES, _skeleton, config_of_results, output_from_states, variables_of

__all__ = ["ResultWriter", "ResultsFile", "GuardedFile", "ChunkEncoder", "EncodedChunk", "encoded_chunk", "write_results", "write_netcdf", "read_netcdf", "read_results", "decode_results"]

#: ``--store states``: the run's first draws the writer computes again from the occupancy and checks.
CHECKED_DRAWS = 2048
#: What a file of amounts written only for the summary (``ResultWriter(summary_only=True)``: ``--store states``'s
#: amounts, in its temporary folder) keeps of these variables: their first year, all the summary reads of them
#: (``annual_revenue``, the first year's revenue). Samverkansteamet: 661 → 405 bytes a draw.
SUMMARY_FIRST_YEAR = ("revenue", "group_revenue")
#: Bytes reserved beyond a chunk's data, for HDF5's metadata and chunk index (a few kB per chunk).
METADATA_MARGIN = 256 << 10


class GuardedFile(io.RawIOBase):
    """A file HDF5 writes through without ever seeing an I/O error (see the module docstring).

    Attributes
    ----------
    path : Path
    error : OSError or None
        The first error, with ``path`` as its file name.
    """

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
        self._pos = 0
        self._size = 0
        self._kept: list[tuple[int, bytes]] = []  # (offset, data) written after the first error
        self.error: OSError | None = None

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            code = getattr(exc, "errno", None) or errno.EIO
            self.error = OSError(code, os.strerror(code), str(self.path))

    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self):
        return self._pos

    # HDF5 calls these from C: nothing may raise out of them (see the module docstring). Stop
    # signals are held back around every HDF5 call (deferred_signals), so none arrives here.

    def readinto(self, buffer):
        view = memoryview(buffer).cast("B")
        n = max(0, min(len(view), self._size - self._pos))
        try:
            data = os.pread(self._fd, n, self._pos)
        except BaseException as exc:  # noqa: BLE001 - see above
            self._fail(exc)
            data = b""
        view[: len(data)] = data
        view[len(data) : n] = bytes(n - len(data))  # a write that failed: HDF5 reads zeros, or what is kept below
        for offset, kept in self._kept:
            lo, hi = max(offset, self._pos), min(offset + len(kept), self._pos + n)
            if lo < hi:
                view[lo - self._pos : hi - self._pos] = kept[lo - offset : hi - offset]
        self._pos += n
        return n

    def write(self, data):
        view = memoryview(data).cast("B")
        if self.error is None:
            try:
                done = 0
                while done < len(view):
                    done += os.pwrite(self._fd, view[done:], self._pos + done)
            except BaseException as exc:  # noqa: BLE001 - see above
                self._fail(exc)
        if self.error is not None:
            self._kept.append((self._pos, bytes(view)))
        self._pos += len(view)
        self._size = max(self._size, self._pos)
        return len(view)

    def truncate(self, size=None):
        size = self._pos if size is None else size
        if self.error is None:
            try:
                os.ftruncate(self._fd, size)
            except BaseException as exc:  # noqa: BLE001 - see above
                self._fail(exc)
        self._size = size
        return size

    def flush(self):
        pass

    def fileno(self):
        return self._fd

    def close(self):
        if self._fd is not None:
            try:
                os.close(self._fd)  # network file systems report write errors here
            except OSError as exc:
                self._fail(exc)
            self._fd = None
            self._kept = []
        super().close()

    def check(self) -> None:
        """Raise the first error, if there was one."""
        if self.error is not None:
            raise self.error


def _reserve(path: Path, nbytes: int) -> None:
    """:func:`reserve_space` for a write of ``nbytes`` into ``path`` (the error names the file)."""
    try:
        reserve_space(path.parent, nbytes)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def write_netcdf(ds, path, **options) -> None:
    """``ds.to_netcdf(path, engine="h5netcdf", **options)`` through a :class:`GuardedFile`.

    Raises
    ------
    OSError
        Writing failed (no space, quota, I/O error), with ``path`` as its file name.
    """
    path = Path(path)
    _reserve(path, int(ds.nbytes) + METADATA_MARGIN)
    target = GuardedFile(path)
    try:
        # xarray locks the file with a Dask-distributed lock named after it when a Dask client is
        # active, and a lock cannot be named after a file object: write as if Dask were synchronous.
        scheduler = contextlib.nullcontext()
        if "dask" in sys.modules:
            import dask  # dask, ~1 s: only with a cluster

            scheduler = dask.config.set(scheduler="synchronous")
        with deferred_signals(), scheduler:  # a stop signal inside HDF5 would leave it broken (see the module docstring)
            ds.to_netcdf(target, engine="h5netcdf", **options)
    finally:
        target.close()
    target.check()


def write_results(ds, path, chunk_draws: int = DEFAULT_CHUNK_DRAWS, inputs: str = "stored") -> None:
    """A result Dataset held in memory (``simulate``'s, ``--until-se``'s, an experiment's) into ``path``, compact.

    The Dataset's chunks go through :class:`ResultWriter` as a run's would, with the Dataset's
    own attributes, so the file reads back (:func:`read_results`) as the same Dataset, bit for
    bit. A Dataset the compact layout cannot hold so, one whose coordinates or cost are not
    what its config gives (made or edited by hand), is written as it is (layout 1,
    :func:`write_netcdf`) instead. ``inputs``: ``"stored"``, or ``"seed"`` to leave them out
    (:data:`simsam.results.layout.INPUTS`).

    Raises
    ------
    OSError
        Writing failed (no space, quota, I/O error), with ``path`` as its file name.
    """
    path = Path(path)
    try:
        config = config_of_results(ds)
        space = ParameterSpace.from_config(config)
        draws = np.asarray(ds["draw"].values)
        coords, _ = _skeleton(config, space, draws, int(ds.attrs["seed"]), str(ds.attrs["engine"]))
        if len(draws) == 0 or any(name not in ds.coords or not np.array_equal(ds[name].values, values) for name, (_, values) in coords.items()):
            raise ValueError("coordinates other than the config's")
    except (KeyError, ValueError, TypeError):  # not simsam's own result Dataset: as it is (ConfigError is a ValueError)
        write_netcdf(ds, path)
        return
    chunk = max(1, min(int(chunk_draws), len(draws)))
    arrays = {name: np.asarray(ds[name].values) for name in ds.data_vars}

    def part(name, lo, hi):
        return np.ascontiguousarray(arrays[name][lo:hi]) if name in arrays else None

    try:
        with ResultWriter(path, config, space, draws, int(ds.attrs["seed"]), str(ds.attrs["engine"]), chunk, inputs=inputs,
                          attrs=dict(ds.attrs)) as writer:
            for lo in range(0, len(draws), chunk):
                hi = min(lo + chunk, len(draws))
                output = ModelOutput(
                    part("payback_months", lo, hi), part("net_benefit", lo, hi), part("revenue", lo, hi), part("cost", lo, hi),
                    part("utilised_potential", lo, hi), group_payback=part("group_payback_months", lo, hi),
                    group_net_benefit=part("group_net_benefit", lo, hi), group_revenue=part("group_revenue", lo, hi),
                    group_cost=part("group_cost", lo, hi), group_utilised_potential=part("group_utilised_potential", lo, hi),
                )
                writer.write(Chunk(lo, hi, output, part("inputs", lo, hi)))
    except RuntimeError:  # a variable the layout rebuilds would not come out to the bit: keep every variable as it is
        path.unlink(missing_ok=True)
        write_netcdf(ds, path)


class _OpenFile:
    """An open HDF5 file (``self._file``), closed by :meth:`close` or on leaving a ``with`` block."""

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _column_peaks(v: np.ndarray) -> np.ndarray:
    """Each column's largest ``|value|`` of ``v (draw, actor[, year])``, shape ``(actor, year)`` (one year for 2-d ``v``).

    ``max(max v, −min v)`` with NaN left out and 0 for none, as ``np.nanmax(np.abs(v), initial=0)``, in one
    compiled pass over a row-major ``(draw, column)`` view (:func:`simsam.kernels.extremes.column_peaks`; NumPy's
    ``fmax``/``fmin`` reductions are its twin).
    """
    ensure_kernel_cache()
    from ..kernels.extremes import column_peaks  # numba and the compiled kernel: only where results are written

    flat = np.ascontiguousarray(v, dtype=np.float64).reshape(v.shape[0], -1)
    return column_peaks(flat).reshape(v.shape[1], -1)


@dataclass(frozen=True)
class EncodedChunk:
    """A run chunk as the file stores it (:meth:`ChunkEncoder.encode`): what a Dask worker sends back.

    Attributes
    ----------
    start, stop : int
        Draw positions within the run.
    pieces : list of tuple
        ``(name, HDF5 chunk offset, bytes, filter mask)`` per HDF5 chunk, or ``(name, None, values)``
        for a run chunk that is not one of the file's chunks (HDF5 filters it).
    max_abs : dict
        Per variable, each actor's largest ``|value|`` in the chunk.
    inputs_crc : int or None
        CRC-32 of the chunk's inputs when the file leaves them out (``--inputs seed``).
    """

    start: int
    stop: int
    pieces: list
    max_abs: dict
    inputs_crc: int | None = None


class ChunkEncoder:
    """Turns a :class:`simsam.engine.run.Chunk` into the pieces the compact file stores.

    The writer's thread runs it for chunks computed here; on a Dask cluster each worker runs it
    (:func:`encoded_chunk`) and sends back only the file's bytes: the variables the layout rebuilds
    are left out and the payback months are ``uint8`` before anything crosses the network. It
    pickles as plain data (the raw config; the worker rebuilds the config once per process).

    Parameters
    ----------
    config : Config
    specs : dict
        Stored variable name → ``(HDF5 chunk shape, dtype string, fill value)``.
    chunk_draws, draws : int
        The file's draws per HDF5 chunk and in all.
    compression : {"fast", "small"}
    seeded : bool
        The inputs are left out (``--inputs seed``): their CRC-32 is taken instead.
    split : ndarray, shape ``(actor - 1,)``
        Each actor's share of the project cost.
    shares : ndarray, shape ``(group,)``, or None
        Each group's share of the cost.
    states : bool
        The file keeps the occupancy instead of the amounts (``--store states``, layout 3).
    seed : int
        The run's seed (with ``states``: the first chunk's results are computed again from its
        occupancy and checked against the run's, bit for bit).
    first_year_only : tuple of str
        Variables (with ``year`` last) of which only the first year is written (:data:`SUMMARY_FIRST_YEAR`);
        their other years' HDF5 chunks are not written, take no room, and read as the fill value. That holds
        for run chunks of the file's chunk size (a run's always are); a chunk of another size is handed to HDF5
        whole, every year.
    """

    def __init__(self, config: Config, specs: dict, chunk_draws: int, draws: int, compression: str, seeded: bool,
                 split: np.ndarray, shares: np.ndarray | None, states: bool = False, seed: int = 0,
                 first_year_only: tuple[str, ...] = ()):
        self._config, self._raw, self._space = config, config.raw, None
        self.specs, self.chunk_draws, self.draws, self.compression, self.seeded = specs, chunk_draws, draws, compression, seeded
        self.split, self.shares, self.states, self.seed = split, shares, states, seed
        self.first_year_only = tuple(first_year_only)

    def __getstate__(self):  # plain data to a worker: the raw config, not the built one nor its inputs' space
        return {k: v for k, v in self.__dict__.items() if k not in ("_config", "_space")} | {"_config": None, "_space": None}

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = config_of_raw(self._raw)  # once per worker process (cached there)
        return self._config

    @property
    def space(self) -> ParameterSpace:
        """The config's inputs (once per encoder, not per chunk)."""
        if self._space is None:
            self._space = ParameterSpace.from_config(self.config)
        return self._space

    def encode(self, chunk) -> EncodedChunk:
        """The chunk's stored variables as HDF5 chunks (:func:`simsam.results.layout.encode_chunk`) when the run
        chunk is one of the file's, else as arrays for HDF5 to filter; its peaks and inputs' CRC-32."""
        values, peaks, crc = self._values(chunk)
        aligned = chunk.start % self.chunk_draws == 0 and chunk.stop - chunk.start == min(self.chunk_draws, self.draws - chunk.start)
        if not aligned:  # HDF5 filters the chunks itself (slower; a chunk size other than the file's)
            return EncodedChunk(chunk.start, chunk.stop, [(name, None, v) for name, v in values.items()], peaks, crc)
        pieces = []
        for name, v in values.items():
            chunks, _, fill = self.specs[name]
            if name in self.first_year_only:
                v = v[..., :1]  # the later years' HDF5 chunks are left unwritten
            if len(v) < chunks[0]:  # the last chunk: HDF5 stores edge chunks whole
                v = np.concatenate([v, np.full((chunks[0] - len(v),) + v.shape[1:], fill, dtype=v.dtype)])
            tiles = [range(0, n, c) for n, c in zip(v.shape[1:], chunks[1:])]
            if v.ndim > 1 and all(c == 1 for c in chunks[1:]):
                # One column per HDF5 chunk: the draws put last in one pass, so that each column is a contiguous
                # row (gathering each strided column on its own pulled the whole array through the cache each time).
                columns = np.ascontiguousarray(np.moveaxis(v, 0, -1))
                for offset in itertools.product(*tiles):
                    pieces.append((name, (chunk.start, *offset), *layout.encode_chunk(columns[offset], self.compression)))
                continue
            for offset in itertools.product(*tiles):
                block = v[(slice(None),) + tuple(slice(o, o + c) for o, c in zip(offset, chunks[1:]))]
                pieces.append((name, (chunk.start, *offset), *layout.encode_chunk(block, self.compression)))
        return EncodedChunk(chunk.start, chunk.stop, pieces, peaks, crc)

    def decode(self, encoded: EncodedChunk) -> dict[str, np.ndarray]:
        """:meth:`encode` undone: each stored variable's values of the chunk's draws, name → array."""
        n = encoded.stop - encoded.start
        parts: dict[str, dict] = {}
        for name, offset, data, *mask in encoded.pieces:
            if offset is None:  # not one of the file's chunks: the values as they are
                parts[name] = {None: np.asarray(data)}
                continue
            chunks, dtype, _ = self.specs[name]
            parts.setdefault(name, {})[tuple(offset[1:])] = layout.decode_chunk(data, mask[0], np.dtype(dtype), chunks)
        values = {}
        for name, blocks in parts.items():
            if None in blocks:
                values[name] = blocks[None]
                continue
            chunks = self.specs[name][0]
            shape = tuple(max(o[d] for o in blocks) + chunks[d + 1] for d in range(len(chunks) - 1))
            out = np.empty((n, *shape), dtype=next(iter(blocks.values())).dtype)
            for offset, block in blocks.items():
                if len(chunks) > 1 and all(c == 1 for c in chunks[1:]):  # one column per HDF5 chunk, stored draws last
                    out[(slice(None), *offset)] = block.reshape(-1)[:n]
                else:
                    out[(slice(None), *(slice(o, o + c) for o, c in zip(offset, chunks[1:])))] = block[:n]
            values[name] = out
        return values

    def amounts(self, encoded: EncodedChunk) -> Chunk:
        """The run chunk of amounts that an encoded chunk of ``--store states`` holds: its results computed again from
        its occupancy and inputs (drawn again with ``--inputs seed``), bit for bit (the client of a cluster run does this
        for the summary's file, so that workers send only the states file's bytes). The chunk's draw positions are its
        global draw indices, as in a run folder (whose draws start at 0)."""
        values = self.decode(encoded)
        draws = np.arange(encoded.start, encoded.stop, dtype=np.int64)
        inputs = self.space.sample(self.seed, draws) if self.seeded else values["inputs"]
        out = evaluate(self.config, self.space, inputs, draws, self.seed, given=values["occupancy"])
        return Chunk(encoded.start, encoded.stop, out, inputs)

    def _values(self, chunk) -> tuple[dict[str, np.ndarray], dict, int | None]:
        """The stored variables' values of ``chunk``, once the derived ones are checked to rebuild to the bit."""
        out, inputs = chunk.output, chunk.inputs
        if self.states:
            return self._states(chunk)
        total = project_cost_total(self.config, Sample(self.space, inputs))
        cost = layout.rebuild_cost(total, self.split)
        checks = [("cost", cost, out.cost)]
        if self.shares is not None:
            checks.append(("group_cost", layout.rebuild_group_cost(cost, self.shares), out.group_cost))
        values = {"project_cost": total}
        crc = layout.inputs_checksum(inputs) if self.seeded else None
        getters = {**VARIABLES, **GROUP_VARIABLES}
        for name, (_, dtype, _) in self.specs.items():
            if name not in getters:
                continue
            v = np.asarray(getters[name][2](out, inputs))
            if name in layout.PAYBACK:
                encoded = layout.encode_payback(v, np.dtype(dtype))
                checks.append((name, layout.decode_payback(encoded), v))
                v = encoded
            values[name] = v
        for name, rebuilt, actual in checks:
            if not layout.same_bits(rebuilt, actual):
                raise RuntimeError(f"internal error: {name} of draws {chunk.start}..{chunk.stop - 1} does not rebuild bit for bit "
                                   "from the compact results layout (simsam.results.layout)")
        return values, _peaks(out, cost), crc

    def _states(self, chunk) -> tuple[dict[str, np.ndarray], dict, int | None]:
        """The values of ``--store states`` (layout 3): the occupancy as whole numbers, and the inputs unless seeded."""
        out, inputs = chunk.output, chunk.inputs
        if out.occupancy is None:
            raise RuntimeError("internal error: --store states needs each chunk's occupancy (compute_chunk(..., occupancy=True))")
        occupancy = out.occupancy  # a run's chunk: whole counts of the file's type already (compute_chunk checked them)
        if occupancy.dtype != np.dtype(self.specs["occupancy"][1]):  # any other: cast and checked as compute_chunk does
            occupancy = whole_counts(out.occupancy, self.config.project.participants)
            if occupancy is None:
                raise RuntimeError(f"internal error: the occupancy of draws {chunk.start}..{chunk.stop - 1} is not whole participants "
                                   "(--store states needs a sampled cohort)")
        if chunk.start == 0:  # the run's first draws (global indices 0 …, a run folder's) computed again from what the file keeps
            k = min(len(occupancy), CHECKED_DRAWS)  # (a slice: the whole chunk's accounting again would add to the run's peak memory)
            again = evaluate(self.config, self.space, inputs[:k], np.arange(k, dtype=np.int64), self.seed, given=out.occupancy[:k])
            for name in ModelOutput.__dataclass_fields__:
                a, b = getattr(again, name), getattr(out, name)
                if name != "occupancy" and b is not None and not layout.same_bits(a, b[:k]):
                    raise RuntimeError(f"internal error: {name} of draws 0..{k - 1} does not come out bit for bit "
                                       "from the occupancy and the inputs (simsam.results.layout, layout 3)")
        values = {"occupancy": occupancy}
        if not self.seeded:
            values["inputs"] = inputs
        crc = layout.inputs_checksum(inputs) if self.seeded else None
        return values, _peaks(out, out.cost), crc


def _peaks(out: ModelOutput, cost: np.ndarray) -> dict:
    """Per variable, each actor's largest ``|value|`` in a chunk (the file's :data:`simsam.results.layout.MAX_ABS_ATTRIBUTE`)."""
    revenue = _column_peaks(out.revenue)  # (actor, year)
    return {"revenue": revenue.max(axis=1), "annual_revenue": revenue[:, 0], "cost": _column_peaks(cost)[:, 0],
            "net_benefit": _column_peaks(out.net_benefit).max(axis=1)}


def encoded_chunk(encoder: ChunkEncoder, config, start: int, stop: int, first_draw: int, seed: int, threads: int | None = None):
    """A Dask task: compute a run chunk (:func:`simsam.engine.run.compute_chunk`) and return it encoded for the file,
    so that a worker sends back the file's bytes, not every variable as float64."""
    return encoder.encode(compute_chunk(config, start, stop, first_draw, seed, threads, occupancy=encoder.states))


class ResultWriter(_OpenFile):
    """Writes ``results.nc`` chunk by chunk, never holding all draws in memory.

    The file has the compact layout (:mod:`simsam.results.layout`): xarray's coordinates
    and attributes, the stored variables created empty, HDF5-chunked along ``draw``,
    shuffled and deflated, and filled as chunks arrive, in any order. ``attrs``, when
    given, are the file's attributes instead of the run's (a Dataset's, :func:`write_results`).
    ``summary_only``: a file only the summary reads (``--store states``'s amounts, in its temporary
    folder), of which :data:`SUMMARY_FIRST_YEAR` keep their first year alone.
    """

    def __init__(self, path, config: Config, space: ParameterSpace, draws: np.ndarray, seed: int, engine: str, chunk_draws: int,
                 compression: str = "fast", inputs: str = "stored", attrs: dict | None = None, store: str = "amounts",
                 summary_only: bool = False):
        import h5netcdf  # h5py/h5netcdf, ~0.1 s: only when a file is opened
        import h5py  # h5py/h5netcdf, ~0.1 s: only when a file is opened

        if compression not in layout.COMPRESSIONS:
            raise ValueError(f"compression must be one of {', '.join(layout.COMPRESSIONS)}, not {compression!r}")
        if inputs not in layout.INPUTS:
            raise ValueError(f"inputs must be one of {', '.join(layout.INPUTS)}, not {inputs!r}")
        if store not in layout.STORES:
            raise ValueError(f"store must be one of {', '.join(layout.STORES)}, not {store!r}")
        if store == "states" and engine == "expected":
            raise ValueError("store 'states' needs a sampled cohort: the expected cohort's occupancy is not whole participants")
        self._states = store == "states"
        self._compression = compression
        self._inputs_checks = [] if inputs == "seed" else None  # [start, stop, CRC-32] per chunk written
        self.path = Path(path)
        coords, skeleton_attrs = _skeleton(config, space, draws, seed, engine)
        attrs = dict(skeleton_attrs if attrs is None else attrs)  # a Dataset's own attributes (write_results) win
        self._split = cost_split(config)
        if self._states:
            coords["state"] = (("state",), np.array(layout.state_labels(config)))
            coords["month"] = (("month",), np.arange(1, config.simulation.horizon_months + 1))
            self._occupancy = layout.occupancy_dtype(config.project.participants)
        else:
            coords["cost_split"] = (("actor",), np.append(self._split, self._split.sum()))
        attrs[layout.LAYOUT_ATTRIBUTE] = layout.STATES if self._states else layout.COMPACT
        if inputs == "seed":
            attrs[layout.INPUTS_ATTRIBUTE] = "seed"
        sizes = {name: len(values) for name, (dims, values) in coords.items() if dims == (name,)}
        self._draws = sizes["draw"]
        self._chunk = max(1, min(int(chunk_draws), self._draws))
        self._payback = layout.payback_dtype(config.simulation.horizon_months)
        self._shares = coords["group_cost_share"][1] if config.groups else None
        self._max_abs: dict[str, np.ndarray] = {}  # per actor, of every draw written
        self._pool, self._jobs = None, collections.deque()
        self._failed = False  # a chunk's write failed: the writer thread writes no more
        self._target = GuardedFile(self.path)
        self._file = None
        # Written with h5netcdf directly, as xarray would (xarray costs half a
        # second of start-up, and its writer imports dask and distributed).
        try:
            with deferred_signals():
                self._create(h5netcdf, h5py, coords, attrs, sizes, variables_of(config))
            self.encoder = ChunkEncoder(config, self._specs, self._chunk, self._draws, compression, inputs == "seed", self._split, self._shares,
                                        states=self._states, seed=seed, first_year_only=SUMMARY_FIRST_YEAR if summary_only else ())
        except BaseException:
            with contextlib.suppress(Exception), deferred_signals():
                if self._file is not None:
                    self._file.close()
            self._file = None
            self._target.close()
            raise

    def _create(self, h5netcdf, h5py, coords, attrs, sizes, variables) -> None:
        self._file = f = h5netcdf.File(self._target, "w")
        f.dimensions = sizes
        for name, (dims, values) in coords.items():
            if values.dtype.kind == "U":
                var = f.create_variable(name, dims, dtype=h5py.string_dtype())
                var[:] = values.astype(object)
            elif dims == ("draw",):  # the draw index: a chunked, deflated range (8 bytes a draw otherwise)
                var = f.create_variable(name, dims, dtype=values.dtype, chunks=(self._chunk,), compression="gzip",
                                        compression_opts=layout.DEFLATE_LEVEL, shuffle=True)
                var[:] = values
            else:
                var = f.create_variable(name, dims, dtype=values.dtype)
                var[:] = values
        f.attrs.update(attrs)
        aux = {d: [n for n, (dims, _) in coords.items() if dims == (d,) and n != d] for d in sizes}
        stored = {name: v for name, v in variables.items() if name not in layout.DERIVED}
        if self._inputs_checks is not None:
            del stored["inputs"]  # drawn again from the seed on reading
        if self._states:  # the occupancy and the inputs: every result is computed again from them on reading
            stored = {k: v for k, v in stored.items() if k == "inputs"}
            stored["occupancy"] = (("draw", "state", "month"), {"units": "participants",
                                   "long_name": "participants in each state in each month (every result follows from it and the inputs)"}, None)
        else:
            stored["project_cost"] = (("draw",), {"units": "kr", "long_name": "uplifted project cost (cost = project_cost · cost_split)"},
                                      None)
        self._vars, self._ids, self._specs = {}, {}, {}
        for name, (dims, attrs, _) in stored.items():
            shape = tuple(sizes[d] for d in dims)
            # One HDF5 chunk per (draws of a run chunk, actor or parameter): the summary
            # reads one actor's column at a time, and must not read every actor to get it.
            # A year a chunk too: the summary's first-year revenue reads the first year alone.
            chunks = tuple(self._chunk if d == "draw" else 1 if d in ("actor", "parameter", "year") else n for d, n in zip(dims, shape))
            dtype = self._payback if name in layout.PAYBACK else self._occupancy if name == "occupancy" else np.dtype("f8")
            fill = 0 if name == "occupancy" else np.iinfo(dtype).max if dtype.kind == "u" else np.nan
            # The occupancy has no missing value: a _FillValue of 0 would make readers mask every empty state as missing.
            var = f.create_variable(name, dims, dtype, chunks=chunks, fillvalue=None if name == "occupancy" else fill, compression="gzip",
                                    compression_opts=layout.DEFLATE_LEVEL, shuffle=True)
            var.attrs.update(attrs)
            linked = [c for d in dims for c in aux.get(d, [])]
            if linked:
                var.attrs["coordinates"] = " ".join(linked)
            self._vars[name] = var
            self._ids[name] = var._h5ds.id  # h5netcdf looks its h5py dataset up by path (a new object) on every use
            self._specs[name] = (chunks, dtype.str, fill)
        # Coordinates of no stored variable (the parameters' with --inputs seed, the actors' with --store states): named in
        # the file's own attribute, as xarray writes coordinates of no variable, so that xarray reads them as coordinates again.
        unlinked = [c for d, names in aux.items() if not any(d in dims for dims, _, _ in stored.values()) for c in names]
        if unlinked:
            f.attrs["coordinates"] = " ".join(unlinked)

    def write(self, chunk) -> None:
        """Write a :class:`simsam.engine.run.Chunk` at its draw positions.

        The chunk is encoded, compressed and written into the file in a thread of its own while
        the run goes on to the next chunk (HDF5 is called from that thread alone until
        :meth:`close`); the call waits for the chunk before, so at most two chunks are held, and
        raises what went wrong with it.

        Raises
        ------
        OSError
            The disk or quota cannot take the chunk, or an earlier write failed
            (the file named; the writer should then be closed and the file removed).
        RuntimeError
            A variable the compact layout leaves out would not rebuild bit for bit (a bug).
        """
        self._target.check()
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor  # the writer's thread, compressing while the run goes on

            self._pool = ThreadPoolExecutor(1, thread_name_prefix="simsam-results")
        self._jobs.append(self._pool.submit(self._encode_and_write, chunk))
        self._flush(keep=1)

    def _encode_and_write(self, chunk) -> None:
        """The writer thread's job: one chunk encoded (unless a worker did) and written; nothing once an earlier chunk failed."""
        if self._failed:
            return
        try:
            encoded = chunk if isinstance(chunk, EncodedChunk) else self.encoder.encode(chunk)
            for name, peak in encoded.max_abs.items():  # column_peaks gives +0.0 for zero, never −0.0
                self._max_abs[name] = np.fmax(self._max_abs.get(name, peak), peak)
            if self._inputs_checks is not None:
                self._inputs_checks.append([encoded.start, encoded.stop, encoded.inputs_crc])
            self._write_pieces(encoded)
        except BaseException:
            self._failed = True
            raise

    def _flush(self, keep: int = 0) -> None:
        """Wait for the chunks being written, all but the last ``keep``; raise the first failure."""
        while len(self._jobs) > keep:
            self._jobs.popleft().result()
            self._target.check()

    def _write_pieces(self, chunk: EncodedChunk) -> None:
        """Write one chunk's encoded pieces (:meth:`ChunkEncoder.encode`) into the file (the writer thread)."""
        pieces = chunk.pieces
        _reserve(self.path, sum(len(p[2]) if p[1] is not None else p[2].nbytes for p in pieces) + METADATA_MARGIN)
        with deferred_signals():
            for name, offset, data, *mask in pieces:
                if offset is None:
                    self._vars[name][chunk.start : chunk.stop] = data
                else:
                    self._ids[name].write_direct_chunk(offset, data, filter_mask=mask[0])
        self._target.check()

    def __exit__(self, kind, exc, tb):
        if exc is None:
            self.close()
            return
        self._stop(discard=True)  # the chunks still being encoded are not written
        try:  # an error is on its way (a failed write, a stop signal): it is the one to report
            self.close()
        except (OSError, RuntimeError):
            pass

    def _stop(self, discard: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if discard:
            self._jobs.clear()

    def close(self) -> None:
        """Write the chunks still pending and close the file; raise the first write error, if any (after closing)."""
        if self._file is None:
            return
        error = None
        try:
            self._flush()
        except BaseException as exc:  # noqa: BLE001 - raised below, once the file is closed
            error = exc
        finally:
            self._stop(discard=True)
        f, self._file = self._file, None
        try:
            with deferred_signals():
                if error is None and self._max_abs:  # each actor's largest |value|, exact: tables leave out actors without flows
                    f.attrs[layout.MAX_ABS_ATTRIBUTE] = json.dumps({k: v.tolist() for k, v in self._max_abs.items()})
                if error is None and self._inputs_checks is not None:
                    f.attrs[layout.INPUTS_CHECK_ATTRIBUTE] = json.dumps(sorted(self._inputs_checks))
                f.close()
        finally:
            self._target.close()
        if error is not None:
            raise error
        self._target.check()


class ResultsFile(_OpenFile):
    """A ``results.nc`` opened read-only without xarray, for ``simsam run``'s summaries.

    Offers the few Dataset operations the summaries use: ``attrs``, ``sizes``,
    ``ds[name].values`` and ``ds.sel(actor=a)[name].values``, which reads just
    that actor's column (its own HDF5 chunks). Either layout (:mod:`simsam.results.layout`):
    the variables a compact file does not store are rebuilt, bit for bit. Use as a context manager.
    """

    def __init__(self, path):
        import h5netcdf  # h5py/h5netcdf, ~0.1 s: only when a file is opened

        self._file = h5netcdf.File(Path(path), "r")
        self.layout = layout.layout_of(self._file.attrs)
        self.path = Path(path)
        self._raw_attrs = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in self._file.attrs.items()}
        # "coordinates" names coordinates of no variable (--inputs seed), as xarray writes them: not an attribute of the results
        self.attrs = {k: v for k, v in self._raw_attrs.items() if k not in layout.FILE_ATTRIBUTES and k != "coordinates"}
        self._seeded = self.layout in (layout.COMPACT, layout.STATES) and layout.inputs_from_seed(self._raw_attrs)
        self._max_abs = json.loads(self._file.attrs.get(layout.MAX_ABS_ATTRIBUTE, "{}"))
        self.sizes = {name: dim.size for name, dim in self._file.dimensions.items()}
        self.coords = [n for n in self._file.variables if n not in VARIABLES and n not in GROUP_VARIABLES and n not in layout.STORAGE
                       and n not in layout.STATES_STORAGE]
        self._cache = {}
        self._states = None  # layout 3: every variable, computed from the occupancy on first use
        self._actors = [str(a) for a in self["actor"].values]

    def __getitem__(self, name):
        return _Column(self._whole(name), ())

    def __contains__(self, name) -> bool:
        if name == "inputs" and self._seeded:
            return True
        if self.layout == layout.STATES:
            return self._computed(name) or name in self._file.variables and name not in layout.STATES_STORAGE
        if self.layout == layout.COMPACT and name in layout.DERIVED:
            return ("group_revenue" if name.startswith("group_") else "revenue") in self._file.variables
        return name in self._file.variables and name not in layout.STORAGE

    def sel(self, actor: str):
        return _ActorView(self, self._actors.index(actor))

    def max_abs(self, name: str, actor: str) -> float | None:
        """The largest ``|value|`` of variable ``name`` for ``actor`` over every draw (NaN ignored; 0 for none), as the
        writer found it, or None when the file does not say (layout 1, or a variable it did not record)."""
        peaks = self._max_abs.get(name)
        return None if peaks is None else float(peaks[self._actors.index(actor)])

    #: Variables up to this size are read whole, once (each HDF5 read costs ~2 ms);
    #: larger ones a column at a time, so that memory stays bounded.
    WHOLE_BYTES = 1 << 26

    def _whole(self, name):
        if self._computed(name):
            return self._from_states()[name]
        if self.layout == layout.COMPACT and (name in layout.DERIVED or name in layout.PAYBACK or (name == "inputs" and self._seeded)):
            return _Rebuilt(self, name)
        var = self._file.variables[name]
        if self.layout == layout.COMPACT and "draw" in var.dimensions:
            var = _Chunks(var._h5ds)
        if math.prod(var.shape) * var.dtype.itemsize > self.WHOLE_BYTES:
            return var
        if name not in self._cache:
            self._cache[name] = var[...]
        return self._cache[name]

    def inputs(self) -> np.ndarray:
        """Every draw's inputs ``(draw, parameter)`` of a file written with ``--inputs seed``, drawn again (checked)."""
        return layout.rebuild_inputs(self._raw_attrs, self["draw"].values, self.path)

    def _computed(self, name: str) -> bool:
        """Whether ``name`` is a variable this file's results are computed into on reading (layout 3)."""
        return self.layout == layout.STATES and (name in VARIABLES or (name in GROUP_VARIABLES and "group" in self._file.dimensions))

    def _from_states(self) -> dict:
        """Layout 3 (``--store states``): every variable of the Dataset, computed from the occupancy and the inputs
        once, in memory (about 1 kB a Samverkansteamet draw)."""
        if self._states is None:
            occupancy = self._file.variables["occupancy"]
            self._states = states_variables(self._raw_attrs, self._file.variables["draw"][...], occupancy, occupancy.chunks[0],
                                            None if self._seeded else self._file.variables["inputs"][...], self.path)
        return self._states

    def dims(self, name) -> tuple[str, ...]:
        """The dimensions of variable ``name`` (stored or rebuilt)."""
        if (self.layout == layout.COMPACT and name in layout.DERIVED) or (name == "inputs" and self._seeded) or self._computed(name):
            return VARIABLES.get(name, GROUP_VARIABLES.get(name))[0]
        return tuple(self._file.variables[name].dimensions)


class _Chunks:
    """A stored variable of a compact file, read as whole columns along ``draw``: HDF5 hands over each chunk as
    stored (``read_direct_chunk``), and each is inflated (ISA-L, when deflated) and unshuffled as it comes, into
    the column (the summary reads columns on every core: a thread pool per column cost more than it gave). Indexed ``[...]`` / ``[()]`` whole, or with integers and whole slices (every draw); anything else,
    or a chunk HDF5 filtered another way, is read through HDF5."""

    def __init__(self, dataset):
        self._ds = dataset
        self.shape, self.dtype, self._chunks = dataset.shape, dataset.dtype, dataset.chunks
        plist = dataset.id.get_create_plist()
        filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
        self._direct = self._chunks is not None and filters == [2, 1]  # H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE

    def __getitem__(self, key):
        key = () if key is Ellipsis or key == () else key if isinstance(key, tuple) else (key,)
        key = key + (slice(None),) * (len(self.shape) - len(key))
        whole = all(isinstance(k, slice) and k == slice(None) for k in key[:1])
        simple = all(isinstance(k, (int, np.integer)) or k == slice(None) for k in key[1:])
        if not (self._direct and whole and simple and math.prod(self.shape) > 0):
            return self._ds[key]
        for d in range(1, len(key)):  # a whole dimension across chunks (every actor): one column at a time
            if key[d] == slice(None) and self._chunks[d] < self.shape[d]:
                axis = sum(1 for k in key[:d] if k == slice(None))
                shape = tuple(n for k, n in zip(key, self.shape) if k == slice(None))
                out = np.empty(shape, dtype=self.dtype)
                for j in range(self.shape[d]):
                    out[(slice(None),) * axis + (j,)] = self[key[:d] + (j,) + key[d + 1 :]]
                return out
        tiles = [0 if k == slice(None) else int(k) // c * c for k, c in zip(key[1:], self._chunks[1:])]
        local = tuple(slice(None) if k == slice(None) else int(k) % c for k, c in zip(key[1:], self._chunks[1:]))
        n, step = self.shape[0], self._chunks[0]
        out = np.empty((n,) + tuple(s for k, s in zip(key[1:], self.shape[1:]) if k == slice(None)), dtype=self.dtype)
        # Each chunk decoded as soon as it is read, so that the column's stored bytes are never all held beside it
        # (at 10⁷ draws that was a second 80 MB column per reader); the summary reads columns on every core.
        for start in range(0, n, step):
            with deferred_signals():
                mask, data = self._ds.id.read_direct_chunk((start, *tiles))
            block = layout.decode_chunk(data, mask, self.dtype, self._chunks)
            out[start : min(start + step, n)] = block[(slice(0, min(step, n - start)),) + local]
        return out


class _Rebuilt:
    """A variable of a compact file that is not stored as it reads (:mod:`simsam.results.layout`), indexed
    like the stored ones: ``[()]`` whole, or ``[:, a]`` / ``[:, :, a]`` one actor's column."""

    def __init__(self, results: ResultsFile, name: str):
        self._results, self._name = results, name

    def _stored(self, name):
        return self._results._whole(name)

    def _cost_column(self, a):
        r = self._results
        total = np.asarray(self._stored("project_cost")[...])
        split = np.asarray(r._file.variables["cost_split"][...])[:-1]
        if a is not None and a < len(split):
            return total * split[a]  # elementwise, as the whole matrix's column
        # society sums every actor, per run chunk as the engine did (the HDF5 chunks are the run chunks)
        step = r._file.variables["project_cost"].chunks[0]
        pick = slice(None) if a is None else a  # one actor: its column of each run chunk's matrix, not the whole matrix
        # a copy of the column: a view would keep each run chunk's whole matrix (every actor) alive until the end
        parts = [np.array(layout.rebuild_cost(total[i : i + step], split)[:, pick]) for i in range(0, len(total), step)]
        return np.concatenate(parts) if parts else np.empty((0, len(split) + 1))[:, pick]

    def __getitem__(self, key):
        name, key = self._name, tuple(key) if isinstance(key, tuple) else (key,) if key is not Ellipsis else ()
        if name == "inputs":  # drawn again, every draw (232 bytes a draw for Samverkansteamet), then indexed
            values = self._results.inputs()
            return values[key] if key else values
        actor = key[-1] if key else None
        if name in layout.PAYBACK:
            var = _Chunks(self._results._file.variables[name]._h5ds)
            return layout.decode_payback(var[key] if key else var[...])
        if name in ("annual_revenue", "group_annual_revenue"):
            # The first year's chunks alone, never the later years' (the summary's own file keeps none: SUMMARY_FIRST_YEAR)
            source = _Chunks(self._results._file.variables[name.replace("annual_", "")]._h5ds)
            return np.asarray(source[key + (0,)] if key else source[(slice(None),) * (len(source.shape) - 1) + (0,)])
        cost = self._cost_column(actor)
        if name == "cost":
            return cost
        shares = np.asarray(self._results._file.variables["group_cost_share"][...])
        if actor is None:
            return layout.rebuild_group_cost(cost, shares)
        return cost[:, None] * shares[None, :]


class _ActorView:
    def __init__(self, results: ResultsFile, index: int):
        self._results, self._index = results, index

    def __getitem__(self, name):
        return _Column(self._results._whole(name), (slice(None),) * self._results.dims(name).index("actor") + (self._index,))


class _Column:
    def __init__(self, var, key):
        self._var, self._key = var, key

    def year_values(self, i: int) -> np.ndarray:
        """Year ``i`` (the last dimension) of this column alone: one year's chunks read."""
        return _Column(self._var, (self._key or (slice(None),)) + (i,)).values

    @property
    def values(self) -> np.ndarray:
        values = self._var[self._key] if self._key else self._var[...]
        values = np.asarray(values)
        if values.dtype == object:  # variable-length strings, as bytes
            return np.array([v.decode() if isinstance(v, bytes) else str(v) for v in values])
        return values


def read_netcdf(path: str | os.PathLike, filename: str, max_draws: int | None = None):
    """Open ``filename`` in the folder ``path`` (or ``path`` itself, a file) into memory.

    With ``max_draws``, only the first ``max_draws`` draws are read (draws are
    exchangeable, so they are a random sample of the run). A results file of the
    compact layout is returned as the Dataset it holds (:func:`decode_results`).
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    path = Path(path)
    if path.is_dir():
        path = path / filename
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        if max_draws is not None and "draw" in ds.dims and ds.sizes["draw"] > max_draws:
            ds = ds.isel(draw=slice(0, max_draws))
        return decode_results(ds.load(), path)


def read_results(path: str | os.PathLike, max_draws: int | None = None):
    """Open a run's ``results.nc`` (a folder or the file itself) into memory (at most ``max_draws`` draws).

    Either layout (:mod:`simsam.results.layout`) gives the same Dataset, the one
    :func:`simsam.simulate` returns; also ``simsam.open_results``.
    """
    return read_netcdf(path, "results.nc", max_draws)


def decode_results(ds, path=None):
    """The result Dataset a results file of the compact layout holds (others are returned as they are).

    Rebuilds ``annual_revenue``, ``cost`` (and their group variables) and the payback months
    as float64 (NaN: never) in the variables' order of :data:`VARIABLES`, bit for bit, and drops
    what is stored only to rebuild them (``project_cost``, ``cost_split``, the layout attribute).
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    if layout.layout_of(ds.attrs) == layout.STATES:
        return _decode_states(ds, path)
    if layout.layout_of(ds.attrs) != layout.COMPACT:
        return ds
    stored = {name: ds[name] for name in ds.data_vars}
    total = np.asarray(ds["project_cost"].values)
    split = np.asarray(ds["cost_split"].values)[:-1]
    step = int(ds["project_cost"].encoding.get("chunksizes", (len(total) or 1,))[0] or 1)
    parts = [layout.rebuild_cost(total[i : i + step], split) for i in range(0, len(total), step)]  # per run chunk, as the engine
    cost = np.concatenate(parts) if parts else np.empty((0, len(split) + 1))
    out = {}
    groups = "group" in ds.dims
    for name, (dims, attrs, _) in ({**VARIABLES, **GROUP_VARIABLES} if groups else VARIABLES).items():
        if name in ("annual_revenue", "group_annual_revenue"):
            values = stored[name.replace("annual_", "")].isel(year=0, drop=True).values
        elif name == "cost":
            values = cost
        elif name == "group_cost":
            values = layout.rebuild_group_cost(cost, ds["group_cost_share"].values)
        elif name in layout.PAYBACK:
            values = stored[name].values.astype(np.float64)  # masked whole months: exact in float64
        elif name == "inputs" and layout.inputs_from_seed(ds.attrs):
            values = layout.rebuild_inputs(ds.attrs, ds["draw"].values, path or "results.nc")
        else:
            out[name] = stored[name].variable
            continue
        out[name] = xr.Variable(dims, values, attrs)
    attrs = {k: v for k, v in ds.attrs.items() if k not in layout.FILE_ATTRIBUTES}
    return xr.Dataset(out, coords={k: v.variable for k, v in ds.coords.items() if k not in layout.STORAGE}, attrs=attrs)


def states_variables(attrs, draws: np.ndarray, occupancy, step: int, inputs: np.ndarray | None, path="results.nc") -> dict[str, np.ndarray]:
    """Every variable of the result Dataset of a layout-3 file (``--store states``), name → array.

    ``attrs``: the file's attributes (its config and seed); ``draws``: the global draw indices read;
    ``occupancy``: the stored ``(draw, state, month)`` counts (an array or an HDF5 variable, read a
    chunk at a time); ``step``: draws per chunk, the run's (the occupancy's HDF5 chunks); ``inputs``:
    the stored inputs, or None to draw them again (``--inputs seed``). The results are computed by
    :func:`simsam.results.dataset.output_from_states`, chunk by chunk.
    """
    config = config_of_results(SimpleNamespace(attrs=attrs))
    space = ParameterSpace.from_config(config)
    draws = np.asarray(draws, dtype=np.int64)
    values = layout.rebuild_inputs(attrs, draws, path) if inputs is None else np.asarray(inputs)
    out = output_from_states(config, space, values, draws, int(attrs["seed"]), occupancy, step)
    return {name: np.asarray(get(out, values)) for name, (_, _, get) in variables_of(config).items()}


def _decode_states(ds, path=None):
    """The result Dataset of a layout-3 file read with xarray (:func:`decode_results`)."""
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    seeded = layout.inputs_from_seed(ds.attrs)
    occupancy = ds["occupancy"]
    step = int(occupancy.encoding.get("chunksizes", (ds.sizes["draw"] or 1,))[0] or 1)
    values = states_variables(ds.attrs, ds["draw"].values, occupancy.values, step, None if seeded else ds["inputs"].values,
                              path or "results.nc")
    config = config_of_results(ds)
    out = {name: xr.Variable(dims, values[name], attrs) for name, (dims, attrs, _) in variables_of(config).items()}
    attrs = {k: v for k, v in ds.attrs.items() if k not in layout.FILE_ATTRIBUTES}
    drop = set(layout.STATES_STORAGE)
    return xr.Dataset(out, coords={k: v.variable for k, v in ds.coords.items() if k not in drop}, attrs=attrs)

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

import contextlib
import errno
import io
import math
import os
import sys
from pathlib import Path

import numpy as np

from ..config.model import Config
from ..engine.sampling import ParameterSpace
from ..util.resources import reserve_space
from ..util.signals import deferred_signals
from .dataset import GROUP_VARIABLES, VARIABLES, _skeleton, variables_of

__all__ = ["ResultWriter", "ResultsFile", "GuardedFile", "write_netcdf", "read_netcdf", "read_results"]

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


class _OpenFile:
    """An open HDF5 file (``self._file``), closed by :meth:`close` or on leaving a ``with`` block."""

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ResultWriter(_OpenFile):
    """Writes ``results.nc`` chunk by chunk, never holding all draws in memory.

    The file has the layout of :func:`build_dataset` (xarray writes the
    coordinates and attributes; the data variables are created empty, HDF5-
    chunked along ``draw``, and filled as chunks arrive, in any order).
    """

    def __init__(self, path, config: Config, space: ParameterSpace, draws: np.ndarray, seed: int, engine: str, chunk_draws: int):
        import h5netcdf  # h5py/h5netcdf, ~0.1 s: only when a file is opened
        import h5py  # h5py/h5netcdf, ~0.1 s: only when a file is opened

        self.path = Path(path)
        coords, attrs = _skeleton(config, space, draws, seed, engine)
        sizes = {name: len(values) for name, (dims, values) in coords.items() if dims == (name,)}
        self._target = GuardedFile(self.path)
        self._file = None
        # Written with h5netcdf directly, as xarray would (xarray costs half a
        # second of start-up, and its writer imports dask and distributed).
        try:
            with deferred_signals():
                self._create(h5netcdf, h5py, coords, attrs, sizes, chunk_draws, variables_of(config))
        except BaseException:
            with contextlib.suppress(Exception), deferred_signals():
                if self._file is not None:
                    self._file.close()
            self._file = None
            self._target.close()
            raise

    def _create(self, h5netcdf, h5py, coords, attrs, sizes, chunk_draws, variables) -> None:
        self._file = f = h5netcdf.File(self._target, "w")
        f.dimensions = sizes
        for name, (dims, values) in coords.items():
            if values.dtype.kind == "U":
                var = f.create_variable(name, dims, dtype=h5py.string_dtype())
                var[:] = values.astype(object)
            else:
                var = f.create_variable(name, dims, dtype=values.dtype)
                var[:] = values
        f.attrs.update(attrs)
        aux = {d: [n for n, (dims, _) in coords.items() if dims == (d,) and n != d] for d in sizes}
        self._vars = {}
        for name, (dims, attrs, get) in variables.items():
            shape = tuple(sizes[d] for d in dims)
            # One HDF5 chunk per (draws of a run chunk, actor or parameter): the summary
            # reads one actor's column at a time, and must not read every actor to get it.
            chunks = tuple(
                max(1, min(chunk_draws, n) if d == "draw" else 1 if d in ("actor", "parameter") else n) for d, n in zip(dims, shape)
            )
            var = f.create_variable(name, dims, "f8", chunks=chunks, fillvalue=np.nan)
            var.attrs.update(attrs)
            linked = [c for d in dims for c in aux.get(d, [])]
            if linked:
                var.attrs["coordinates"] = " ".join(linked)
            self._vars[name] = (var, get)

    def write(self, chunk) -> None:
        """Write a :class:`simsam.engine.run.Chunk` at its draw positions.

        Raises
        ------
        OSError
            The disk or quota cannot take the chunk, or an earlier write failed
            (the file named; the writer should then be closed and the file removed).
        """
        self._target.check()
        values = [(var, np.asarray(get(chunk.output, chunk.inputs))) for var, get in self._vars.values()]
        _reserve(self.path, sum(v.nbytes for _, v in values) + METADATA_MARGIN)
        with deferred_signals():
            for var, v in values:
                var[chunk.start : chunk.stop] = v
        self._target.check()

    def __exit__(self, kind, exc, tb):
        if exc is None:
            self.close()
            return
        try:  # an error is on its way (a failed write, a stop signal): it is the one to report
            self.close()
        except (OSError, RuntimeError):
            pass

    def close(self) -> None:
        """Close the file; raise the first write error, if any (after closing)."""
        if self._file is None:
            return
        f, self._file = self._file, None
        try:
            with deferred_signals():
                f.close()
        finally:
            self._target.close()
        self._target.check()


class ResultsFile(_OpenFile):
    """A ``results.nc`` opened read-only without xarray, for ``simsam run``'s summaries.

    Offers the few Dataset operations the summaries use: ``attrs``, ``sizes``,
    ``ds[name].values`` and ``ds.sel(actor=a)[name].values``, which reads just
    that actor's column (its own HDF5 chunks). Use as a context manager.
    """

    def __init__(self, path):
        import h5netcdf  # h5py/h5netcdf, ~0.1 s: only when a file is opened

        self._file = h5netcdf.File(Path(path), "r")
        self.attrs = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in self._file.attrs.items()}
        self.sizes = {name: dim.size for name, dim in self._file.dimensions.items()}
        self.coords = [n for n in self._file.variables if n not in VARIABLES and n not in GROUP_VARIABLES]
        self._cache = {}
        self._actors = [str(a) for a in self["actor"].values]

    def __getitem__(self, name):
        return _Column(self._whole(name), ())

    def __contains__(self, name) -> bool:
        return name in self._file.variables

    def sel(self, actor: str):
        return _ActorView(self, self._actors.index(actor))

    #: Variables up to this size are read whole, once (each HDF5 read costs ~2 ms);
    #: larger ones a column at a time, so that memory stays bounded.
    WHOLE_BYTES = 1 << 26

    def _whole(self, name):
        var = self._file.variables[name]
        if math.prod(var.shape) * var.dtype.itemsize > self.WHOLE_BYTES:
            return var
        if name not in self._cache:
            self._cache[name] = var[...]
        return self._cache[name]


class _ActorView:
    def __init__(self, results: ResultsFile, index: int):
        self._results, self._index = results, index

    def __getitem__(self, name):
        return _Column(
            self._results._whole(name), (slice(None),) * self._results._file.variables[name].dimensions.index("actor") + (self._index,)
        )


class _Column:
    def __init__(self, var, key):
        self._var, self._key = var, key

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
    exchangeable, so they are a random sample of the run).
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    path = Path(path)
    if path.is_dir():
        path = path / filename
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        if max_draws is not None and "draw" in ds.dims and ds.sizes["draw"] > max_draws:
            ds = ds.isel(draw=slice(0, max_draws))
        return ds.load()


def read_results(path: str | os.PathLike, max_draws: int | None = None):
    """Open a run's ``results.nc`` (a folder or the file itself) into memory (at most ``max_draws`` draws)."""
    return read_netcdf(path, "results.nc", max_draws)

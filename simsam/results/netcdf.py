"""``results.nc``: streamed chunk by chunk as a run goes (:class:`ResultWriter`), read without xarray
(:class:`ResultsFile`), or read into memory with xarray (:func:`read_results`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from ..config.model import Config
from ..engine.sampling import ParameterSpace
from .dataset import VARIABLES, _skeleton

__all__ = ["ResultWriter", "ResultsFile", "read_netcdf", "read_results"]


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
        import h5netcdf
        import h5py

        self.path = Path(path)
        coords, attrs = _skeleton(config, space, draws, seed, engine)
        sizes = {name: len(values) for name, (dims, values) in coords.items() if dims == (name,)}
        # Written with h5netcdf directly, as xarray would (xarray costs half a
        # second of start-up, and its writer imports dask and distributed).
        self._file = f = h5netcdf.File(self.path, "w")
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
        for name, (dims, attrs, get) in VARIABLES.items():
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
        """Write a :class:`simsam.engine.run.Chunk` at its draw positions."""
        for var, get in self._vars.values():
            var[chunk.start : chunk.stop] = get(chunk.output, chunk.inputs)


class ResultsFile(_OpenFile):
    """A ``results.nc`` opened read-only without xarray, for ``simsam run``'s summaries.

    Offers the few Dataset operations the summaries use: ``attrs``, ``sizes``,
    ``ds[name].values`` and ``ds.sel(actor=a)[name].values``, which reads just
    that actor's column (its own HDF5 chunks). Use as a context manager.
    """

    def __init__(self, path):
        import h5netcdf

        self._file = h5netcdf.File(Path(path), "r")
        self.attrs = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in self._file.attrs.items()}
        self.sizes = {name: dim.size for name, dim in self._file.dimensions.items()}
        self.coords = [n for n in self._file.variables if n not in VARIABLES]
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
    import xarray as xr

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

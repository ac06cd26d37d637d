"""``xarray.open_dataset(path, engine="simsam")``: a run's ``results.nc`` as the Dataset :func:`simsam.simulate` returns.

A compact results file (:mod:`simsam.results.layout`) does not store the variables that are a
fixed function of others (``cost``, ``annual_revenue`` and their group variables), so a plain
``xr.open_dataset(path)`` shows what is stored. This backend, registered under xarray's
``xarray.backends`` entry point (``pyproject.toml``), rebuilds them — the same Dataset, bit for
bit, as ``simsam.open_results(path)`` — for files of either layout. xarray imports this module
when it lists its engines, so it imports nothing heavy until a file is opened.
"""

from __future__ import annotations

from xarray.backends import BackendEntrypoint

__all__ = ["SimsamBackend"]


class SimsamBackend(BackendEntrypoint):
    """The ``simsam`` engine of :func:`xarray.open_dataset` (results files of layout 1 and 2, read into memory)."""

    description = "simsam results.nc (either layout) as the Dataset simsam.simulate returns"
    open_dataset_parameters = ("filename_or_obj", "drop_variables")

    def open_dataset(self, filename_or_obj, *, drop_variables=None):
        from .netcdf import read_results  # on opening a file: listing engines stays light

        ds = read_results(filename_or_obj)
        return ds.drop_vars(drop_variables) if drop_variables else ds

    def guess_can_open(self, filename_or_obj) -> bool:
        # Never chosen unasked: engine="simsam" is a reader's explicit choice, other NetCDF files keep their engine.
        return False

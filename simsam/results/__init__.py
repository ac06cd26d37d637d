"""The result Dataset: its variables, building it in memory (:func:`simulate`), writing and reading ``results.nc``."""

from .dataset import VARIABLES, build_dataset, config_of_results, simulate
from .netcdf import ResultsFile, ResultWriter, read_netcdf, read_results

__all__ = ["VARIABLES", "build_dataset", "config_of_results", "simulate", "ResultsFile", "ResultWriter", "read_netcdf", "read_results"]

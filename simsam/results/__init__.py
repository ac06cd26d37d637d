"""The result Dataset: its variables, building it in memory (:func:`simulate`), writing and reading ``results.nc``."""

from .dataset import NO_FLOW_KR, VARIABLES, actors_with_flows, build_dataset, config_of_results, simulate
from .netcdf import ResultsFile, ResultWriter, read_netcdf, read_results

__all__ = ["NO_FLOW_KR", "actors_with_flows", "VARIABLES", "build_dataset", "config_of_results", "simulate", "ResultsFile", "ResultWriter", "read_netcdf", "read_results"]

"""The result Dataset: its variables, building it in memory (:func:`simulate`), writing and reading ``results.nc``."""

from .dataset import GROUP_VARIABLES, NO_FLOW_KR, VARIABLES, actors_with_flows, build_dataset, config_of_results, simulate
from .netcdf import ResultsFile, ResultWriter, read_netcdf, read_results

__all__ = ["NO_FLOW_KR", "actors_with_flows", "VARIABLES", "GROUP_VARIABLES", "build_dataset", "config_of_results", "simulate", "ResultsFile", "ResultWriter", "read_netcdf", "read_results"]

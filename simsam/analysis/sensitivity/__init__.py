"""Which uncertain inputs drive a result: tornado, PRCC, Sobol and Morris.

One module per method, each with a pure estimator on arrays and one entry point
that takes a config and returns an xarray Dataset (:mod:`.output` describes it):

==========  =====================================  ========================================
method      entry point                            estimator
==========  =====================================  ========================================
tornado     :func:`~.tornado.run_tornado`          :func:`~.tornado.one_way_design`, :func:`~.tornado.tornado_bars`
prcc        :func:`~.prcc.run_prcc`                :func:`~.prcc.partial_rank_correlation`
sobol       :func:`~.sobol.run_sobol`              :func:`~.sobol.sobol_analysis` (SALib)
morris      :func:`~.morris.run_morris`            :func:`~.morris.morris_analysis` (SALib)
==========  =====================================  ========================================

Targets (what is explained) are in :mod:`.targets`; the model as a function
of input values, and the choice of cohort, in :mod:`.model`; one analysis as
typed options, checked and run by one entry point (what ``simsam sensitivity``
and experiment files call), in :mod:`.options`.

>>> import simsam
>>> from simsam.analysis.sensitivity import parse_target, run_sobol
>>> cfg = simsam.load_config("configs/samverkansteamet.toml")
>>> target = parse_target("payback_months", cfg)   # society's, by default
>>> target.actor, target.horizon_months
('society', 60)
>>> ds = run_sobol(cfg, target=target, n=1024)      # doctest: +SKIP

(The last line is skipped as a test: 1024 · (G + 2) model runs and SALib's
estimators take several seconds; tests/test_sensitivity.py runs Sobol.)
"""

from __future__ import annotations

import importlib

__all__ = [
    "METHODS",
    "TARGETS",
    "Target",
    "parse_target",
    "run_tornado",
    "run_prcc",
    "prcc_of_dataset",
    "run_sobol",
    "run_morris",
    "write_sensitivity",
    "read_sensitivity",
    "SensitivityOptions",
    "run_sensitivity",
]

METHODS = ("tornado", "prcc", "sobol", "morris")

# Imported on first use, so that the command line's parser (which imports
# this package for METHODS) does not load the engine for ``--help``.
_HOME = {
    "TARGETS": "targets",
    "Target": "targets",
    "parse_target": "targets",
    "run_tornado": "tornado",
    "run_prcc": "prcc",
    "prcc_of_dataset": "prcc",
    "run_sobol": "sobol",
    "run_morris": "morris",
    "write_sensitivity": "output",
    "read_sensitivity": "output",
    "SensitivityOptions": "options",
    "run_sensitivity": "options",
}


def __getattr__(name):
    if name in _HOME:
        return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

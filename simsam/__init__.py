"""simsam: Monte Carlo socio-economic evaluation of rehabilitation projects.

The NyttoSam method (Payoff) computes each actor's revenue, cost, net benefit and
payback time for a project as point estimates; simsam gives them as
distributions, from the same accounting, per actor and for society.

>>> import simsam
>>> cfg = simsam.load_config("configs/samverkansteamet.toml")  # doctest: +SKIP
>>> ds = simsam.simulate(cfg, draws=10_000, seed=1)              # doctest: +SKIP
>>> simsam.summarize(ds)                                         # doctest: +SKIP
"""

from __future__ import annotations

from ._version import __version__
from .config import Config, load_config, loads
from .errors import ConfigError

__all__ = ["Config", "ConfigError", "load_config", "loads", "simulate", "summarize", "__version__"]


def simulate(config, draws=None, seed=None, **options):
    """Run the Monte Carlo simulation; see :func:`simsam.engine.run.simulate`."""
    from .results import simulate as _simulate

    return _simulate(config, draws=draws, seed=seed, **options)


def summarize(ds, **options):
    """Summaries per actor and metric; see :func:`simsam.analysis.summary.summarize`."""
    from .analysis.summary import summarize as _summarize

    return _summarize(ds, **options)

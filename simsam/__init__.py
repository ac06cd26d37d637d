"""simsam: Monte Carlo socio-economic evaluation of rehabilitation projects.

The NyttoSam method (Payoff) computes each actor's revenue, cost, net benefit and
payback time for a project as point estimates; simsam gives them as
distributions, from the same accounting, per actor and for society.

>>> import simsam
>>> cfg = simsam.load_config("configs/samverkansteamet.toml")
>>> cfg.name, cfg.project.participants, list(cfg.outcomes.states)
('Samverkansteamet', 81, ['work', 'improved', 'not_improved'])
>>> ds = simsam.simulate(cfg, draws=1_000, seed=1)
>>> table = simsam.summarize(ds)          # pandas, index (actor, metric)
>>> p = table.loc[("society", "p_payback_60"), "mean"]
>>> bool(p == (ds.payback_months.sel(actor="society") <= 60).mean())   # the share of draws paid back by month 60
True
"""

from __future__ import annotations

from ._version import __version__
from .config import Config, load_config, loads
from .errors import ConfigError

__all__ = ["Config", "ConfigError", "load_config", "loads", "simulate", "summarize", "open_results", "__version__"]


def simulate(config, draws=None, seed=None, **options):
    """Run the Monte Carlo simulation; see :func:`simsam.engine.run.simulate`."""
    from .results import simulate as _simulate  # on use: `import simsam` stays light

    return _simulate(config, draws=draws, seed=seed, **options)


def open_results(path, max_draws=None):
    """A run's ``results.nc`` (its folder or the file) as the Dataset :func:`simulate` returns, whatever its layout;
    see :func:`simsam.results.read_results`."""
    from .results import read_results  # on use: `import simsam` stays light

    return read_results(path, max_draws=max_draws)


def summarize(ds, **options):
    """Summaries per actor and metric; see :func:`simsam.analysis.summary.summarize`."""
    from .analysis.summary import summarize as _summarize  # on use: `import simsam` stays light

    return _summarize(ds, **options)

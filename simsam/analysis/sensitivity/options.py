"""One sensitivity analysis as typed options, checked once, run by one entry point.

``simsam sensitivity`` builds :class:`SensitivityOptions` from its arguments and
an experiment from an ``[[analysis]]`` table; both check them with
:meth:`SensitivityOptions.checked` and :func:`prepare` before anything runs
(errors name the option as the caller spells it: ``--n`` on the command line,
``analysis[4].n`` in an experiment file) and run them with
:func:`run_sensitivity`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ...config.model import SOCIETY, Config
from ...engine.sampling import ParameterSpace
from ...errors import ConfigError, unknown_key_error
from . import METHODS
from .model import BY, check_space
from .morris import run_morris
from .prcc import run_prcc
from .sobol import run_sobol
from .targets import parse_target
from .tornado import run_tornado

__all__ = ["SensitivityOptions", "DEFAULT_N", "prepare", "run_sensitivity"]

#: Default sample size per method (prcc: ``[simulation] draws``; tornado: none).
DEFAULT_N = {"sobol": 1024, "morris": 100}
#: The methods whose designs may run on a Dask cluster.
CLUSTER_METHODS = ("sobol", "morris")


def _flag(field: str) -> str:
    return "--" + field.replace("_", "-")


@dataclass(frozen=True)
class SensitivityOptions:
    """What to analyse and how.

    Attributes
    ----------
    method : {"tornado", "prcc", "sobol", "morris"}
    target : str
        A target of :mod:`simsam.analysis.sensitivity.targets` (``payback_months``,
        ``p_payback``, ``net_benefit_5y``, ...).
    actor : str
        An actor of the config, or ``society``.
    month, year : int, optional
        Of ``p_payback`` (default 36) and ``net_benefit`` (default the horizon's last year).
    n : int, optional
        prcc draws, sobol base sample (a power of 2), morris trajectories.
    seed : int, optional
        Default ``[simulation] seed``.
    cohort : {"expected", "sampled"}, optional
    low, high : float, optional
        Tornado percentiles (default 5 and 95).
    levels : int, optional
        Morris grid levels, even (default 4).
    by : {"input", "evidence"}, optional
        Sobol only: rows per input (default) or per evidence grade (grouped Sobol;
        also every actor's indices of the same target).
    over_time : bool, optional
        Sobol and PRCC: also every actor's net benefit at each year's end and
        P(payback ≤ 12·year), from the same design (:mod:`.over_time`).
    """

    method: str
    target: str = "payback_months"
    actor: str = SOCIETY
    month: int | None = None
    year: int | None = None
    n: int | None = None
    seed: int | None = None
    cohort: str | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = None
    by: str | None = None
    over_time: bool | None = None

    def checked(self, name: Callable[[str], str] = _flag) -> SensitivityOptions:
        """The options with the method's defaults filled in.

        Parameters
        ----------
        name : callable
            Field name → how the caller spells it in a message (``n`` → ``--n``).

        Raises
        ------
        ConfigError
            An option the method does not take, or a value it cannot use.
        """
        m = self.method
        if m not in METHODS:
            raise unknown_key_error(name("method"), m, METHODS, what="method")
        if self.cohort is not None and self.cohort not in ("expected", "sampled"):
            raise unknown_key_error(name("cohort"), self.cohort, ("expected", "sampled"), what="cohort")
        out = self
        if m == "tornado":
            if self.n is not None:
                raise ConfigError(name("n"), "the tornado runs each input at two percentiles and takes no sample size")
            if self.cohort == "sampled":
                raise ConfigError(name("cohort"), "the tornado runs on the expected cohort so that its bars carry no cohort noise")
            low = 5.0 if self.low is None else float(self.low)
            high = 95.0 if self.high is None else float(self.high)
            for key, value in (("low", low), ("high", high)):
                if not 0 < value < 100:
                    raise ConfigError(name(key), f"must be a percentile between 0 and 100 (exclusive), not {value:g}")
            if not low < high:
                raise ConfigError(name("low"), f"{low:g} must be below {name('high')} {high:g}")
            out = replace(out, low=low, high=high)
        elif self.low is not None or self.high is not None:
            raise ConfigError(name("low" if self.low is not None else "high"), f"is for {name('method')} tornado, not {m}")
        if m == "morris":
            levels = 4 if self.levels is None else self.levels
            if levels < 2 or levels % 2:
                raise ConfigError(name("levels"), f"must be an even number of at least 2, not {levels}")
            out = replace(out, levels=levels)
        elif self.levels is not None:
            raise ConfigError(name("levels"), f"is for {name('method')} morris, not {m}")
        if self.by is not None:
            if self.by not in BY:
                raise unknown_key_error(name("by"), self.by, BY, what="grouping")
            if m != "sobol" and self.by != "input":
                raise ConfigError(name("by"), f"groups a Sobol design (--method sobol), not {m}")
        if self.over_time and m not in ("sobol", "prcc"):
            raise ConfigError(name("over_time"), f"is for {name('method')} sobol or prcc (one design, every year), not {m}")
        if m in DEFAULT_N and self.n is None:
            out = replace(out, n=DEFAULT_N[m])
        if m == "sobol" and (out.n < 2 or out.n & (out.n - 1)):
            lower = 1 << (out.n.bit_length() - 1)
            raise ConfigError(name("n"), f"must be a power of 2 for the Sobol design, not {out.n} (e.g. {max(lower, 2)} or {lower * 2})")
        if m == "morris" and out.n < 2:
            raise ConfigError(name("n"), "Morris needs at least 2 trajectories")
        if m == "prcc" and out.n is not None and out.n < 4:
            raise ConfigError(name("n"), f"PRCC needs at least 4 draws, not {out.n}")
        return out


def prepare(config: Config, options: SensitivityOptions, name: Callable[[str], str] = _flag):
    """Check ``options`` against ``config``; return the checked options and the parsed target.

    Raises
    ------
    ConfigError
        An unknown target or actor, a month or year outside the horizon, a
        config without uncertain inputs, too few draws for PRCC.
    """

    options = options.checked(name)
    try:
        target = parse_target(options.target, config, options.actor, month=options.month, year=options.year)
    except ConfigError as exc:  # parse_target names the command line's flags
        field = exc.path.removeprefix("--")
        raise ConfigError(name(field) if field in SensitivityOptions.__dataclass_fields__ else exc.path, exc.problem, exc.source) from None
    check_space(ParameterSpace.from_config(config))
    if options.method == "prcc" and options.n is None and config.simulation.draws < 4:
        raise ConfigError("simulation.draws", f"PRCC needs at least 4 draws, not {config.simulation.draws}; give {name('n')}")
    return options, target


def run_sensitivity(config: Config, options: SensitivityOptions, target, *, threads: int | None = None, client=None):
    """Run one analysis (options and target from :func:`prepare`); the Dataset of :mod:`.output`.

    ``client`` (a Dask client) runs the sobol and morris designs on a cluster.
    """
    m = options.method
    if client is not None and m not in CLUSTER_METHODS:
        raise ValueError(f"{m} runs in this process, not on a cluster")
    if m == "tornado":
        return run_tornado(config, target=target, low=options.low, high=options.high, threads=threads)
    if m == "prcc":
        return run_prcc(
            config,
            target=target,
            draws=options.n,
            seed=options.seed,
            cohort=options.cohort,
            threads=threads,
            over_time=bool(options.over_time),
        )
    cohort = options.cohort or "expected"
    if m == "sobol":
        return run_sobol(
            config,
            target=target,
            n=options.n,
            seed=options.seed,
            cohort=cohort,
            threads=threads,
            client=client,
            by=options.by or "input",
            over_time=bool(options.over_time),
        )

    return run_morris(
        config,
        target=target,
        trajectories=options.n,
        levels=options.levels,
        seed=options.seed,
        cohort=cohort,
        threads=threads,
        client=client,
    )

"""Run until the headline probabilities are precise enough (``simsam run --until-se``).

Draws come in batches: draws ``0 .. n1 − 1``, then ``n1 .. n2 − 1``, ... each
batch simulated with ``first_draw`` at its start, so the assembled draws are
exactly those of a plain run of ``n`` draws with the same seed (every number is
keyed by the seed and the global draw index). After each batch the Monte Carlo
standard error of every *headline probability*, ``P(payback ≤ m)`` for
``m`` = 12, 36 and the horizon (as :mod:`simsam.analysis.summary` reports them), for
every actor and society, is compared with the target. It is
``√(p̃ (1 − p̃) / n)`` with ``p̃ = (k + 1) / (n + 2)`` for ``k`` paybacks in
``n`` draws, so that a probability still at 0 or 1 after a small batch does not
stop the run with a standard error of 0.

The next batch is sized from the worst probability: ``n`` must reach
``p̃ (1 − p̃) / target²``; it is rounded up to whole batches (``--draws``,
default 1 000), at most doubling ``n`` at a time and never beyond
``--max-draws``. Stopping when a random estimate first crosses a threshold
biases that estimate very slightly; at these sample sizes it is far below the
standard error itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config.model import Config
from ..errors import ConfigError
from ..results import simulate
from .summary import PAYBACK_MONTHS

__all__ = ["Convergence", "headline_se", "run_until_se", "DEFAULT_BATCH", "DEFAULT_MAX_DRAWS"]

DEFAULT_BATCH = 1_000
DEFAULT_MAX_DRAWS = 1_000_000


@dataclass(frozen=True)
class Convergence:
    """How a ``--until-se`` run ended.

    Attributes
    ----------
    draws : int
        Draws used.
    target : float
        The standard error asked for.
    max_se : float
        The largest standard error of a headline probability at the end.
    worst : str
        Which probability that is, e.g. ``"society p_payback_36"``.
    reached : bool
        Whether ``max_se`` is at most ``target`` (False: stopped at ``--max-draws``).
    batches : tuple of int
        Draws after each batch.
    """

    draws: int
    target: float
    max_se: float
    worst: str
    reached: bool
    batches: tuple[int, ...]

    def text(self) -> str:
        n = f"{self.draws:,}".replace(",", " ")
        if self.reached:
            return (
                f"converged after {n} draws: every headline probability has MC s.e. ≤ {self.target:g} (largest "
                f"{self.max_se:.4f}, {self.worst})"
            )
        return f"stopped at --max-draws {n}: MC s.e. of {self.worst} is still {self.max_se:.4f} > {self.target:g}"


def _months(horizon: int) -> list[int]:

    return [m for m in PAYBACK_MONTHS if m < horizon] + [horizon]


def headline_se(payback: np.ndarray, horizon: int) -> tuple[np.ndarray, list[int]]:
    """Standard errors of ``P(payback ≤ m)``, shape ``(actor, month)``, with ``p̃ = (k+1)/(n+2)``.

    Parameters
    ----------
    payback : ndarray, shape ``(draw, actor)``
        Months, NaN when not reached.
    horizon : int
    """
    months = _months(horizon)
    n = payback.shape[0]
    k = (payback[:, :, None] <= np.asarray(months)[None, None, :]).sum(axis=0)
    p = (k + 1.0) / (n + 2.0)
    return np.sqrt(p * (1 - p) / n), months


def _needed(payback: np.ndarray, horizon: int, target: float) -> int:
    """Draws at which the worst probability's standard error would reach ``target``."""
    months = _months(horizon)
    n = payback.shape[0]
    k = (payback[:, :, None] <= np.asarray(months)[None, None, :]).sum(axis=0)
    p = (k + 1.0) / (n + 2.0)
    return int(math.ceil(float((p * (1 - p)).max()) / target**2))


def run_until_se(
    config: Config,
    target: float,
    *,
    seed: int | None = None,
    batch: int | None = None,
    max_draws: int | None = None,
    threads: int | None = None,
    chunk_draws: int | None = None,
    client=None,
    progress=None,
):
    """Simulate in batches until every headline probability's MC standard error is ≤ ``target``.

    Parameters
    ----------
    config : Config
    target : float
        Standard error asked for, in (0, 0.5).
    seed : int, optional
        Default: the config's seed.
    batch : int, optional
        Draws per batch (and the first batch), default 1 000.
    max_draws : int, optional
        Stop here even if the target is not reached (default 1 000 000).
    threads, chunk_draws, client
        As for :func:`simsam.simulate`.
    progress : callable, optional
        Called with a :class:`Convergence` after each batch.

    Returns
    -------
    (xarray.Dataset, Convergence)
        The results, identical to ``simulate(config, draws=n, seed=seed)``.
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    if not 0.0 < target < 0.5:
        raise ConfigError("--until-se", f"must be a standard error between 0 and 0.5, not {target:g}")
    seed = config.simulation.seed if seed is None else int(seed)
    batch = int(batch or DEFAULT_BATCH)
    max_draws = int(max_draws or DEFAULT_MAX_DRAWS)
    if max_draws < 1 or batch < 1:
        raise ConfigError("--max-draws", "must be at least 1")
    horizon = config.simulation.horizon_months
    options = {"threads": threads, "chunk_draws": chunk_draws, **({"client": client} if client is not None else {})}
    parts = []
    payback = np.empty((0, len(config.actors) + 1))
    done = 0
    history = []
    step = min(batch, max_draws)
    while True:
        ds = simulate(config, draws=step, seed=seed, first_draw=done, **options)
        parts.append(ds)
        payback = np.concatenate([payback, ds["payback_months"].values])
        done += step
        history.append(done)
        se, months = headline_se(payback, horizon)
        worst = np.unravel_index(int(np.argmax(se)), se.shape)
        actors = ds["actor"].values.tolist()
        state = Convergence(
            done, target, float(se.max()), f"{actors[worst[0]]} p_payback_{months[worst[1]]}", bool(se.max() <= target), tuple(history)
        )
        if progress is not None:
            progress(state)
        if state.reached or done >= max_draws:
            break
        need = _needed(payback, horizon, target)
        step = max(batch, min(need - done, done))  # at most double at a time
        step = int(math.ceil(step / batch) * batch)
        step = min(step, max_draws - done)
    if len(parts) == 1:
        out = parts[0]
    else:
        out = xr.concat(parts, dim="draw", data_vars="minimal", coords="minimal", compat="override", combine_attrs="override")
    out.attrs["draws"] = int(done)
    out.attrs["first_draw"] = 0
    return out, state

"""Who should pay what? The cost split designer (``simsam split CONFIG``).

A cost split is only shares: under any split of the financed cost, every draw's
cohort, flows and total cost are the same, and only each financing actor's cost
changes. The kernel books actor ``a``'s cumulative net benefit after month ``t`` as

    cum[a, t] = R[a, t] − cost[a] · S[t]

(:func:`simsam.kernels.cohort._results`), where ``R`` is its discounted
cumulative revenue and ``S[t]`` the discounted cumulative share of the cost spent
by month ``t`` (``cost_schedule`` under ``timing = "project"``; 1 from month 0
under NyttoSam's timing). Under a split ``σ`` of the financed cost
``C = Σ_{a∈F} cost[a]`` (per draw) over the financing actors ``F`` (by default those of
``project.cost_split``; named ones may include actors without a share there), actor ``a``
pays ``σ_a · C``, so per draw

    cum'[a, t] = cum[a, t] + (cost[a] − σ_a · C) · S[t]

exactly: the config's results are run once (the kernel's monthly series, on the
draws and numbers of ``simsam run``) and every split is recomputed from them; the
payback month is the kernel's rule (:func:`simsam.analysis.portfolio.payback_month`).
Actors outside ``F`` keep their cost; since ``Σ σ_a = 1``, society's net benefit is
the same in every draw under every split, and a settlement's transfers sum to zero.

The splits compared (shares of the financed cost, summing to 1):

``current``
    The config's ``project.cost_split`` over ``F``.
``benefit``
    Benefit-proportional: ``σ_a ∝ E[R_a(H)]``, each actor's expected (discounted) revenue
    over the horizon ``H`` before any cost. Then ``E[NB_a(H)] = σ_a · (Σ_b E[R_b(H)] − E[C·S(H)])``:
    every actor gets the same expected return per krona, so at the horizon all gain or all lose
    together in expectation (they break even together: at ``Σ_b E[R_b(H)] = E[C·S(H)]``). An
    actor with ``E[R_a(H)] ≤ 0`` (it loses by the project's success, as Arbetsförmedlingen
    paying wage subsidies) gets share 0 and the note says so.
``maxmin``
    The split that maximises ``min_a P(payback_a ≤ M)``. Per draw, actor ``a`` pays back by
    month ``M`` exactly when its share is at most its *critical share*
    ``σ*_a = max_{t ≤ M} (R[a, t] + atol) / (C · (S[t] − rtol))`` (the kernel's tolerance), so
    ``P_a(σ) = P(σ*_a ≥ σ)`` is known for every ``σ`` from the draws. The largest level ``k/n``
    at which the shares each actor can bear, ``s_a``, sum to at least 1 is found by bisection
    over ``k`` (deterministic); the shares are ``min(s_a, 1)`` scaled to sum to 1. An actor
    that stays below that level even at share 0 gets share 0, and the level of the others is
    maximised again (a leximin step, taken only when it raises the level by more than two Monte
    Carlo standard errors); the notes name it.
``finsam``
    The financing of a samordningsförbund by lag (2003:1210) om finansiell samordning av
    rehabiliteringsinsatser, 5 §: Försäkringskassan half (the state's half: Arbetsförmedlingen's
    part comes through it), the region a quarter, the kommun(er) a quarter. FK's half goes to
    ``fk`` (to ``stat`` when ``fk`` is not a financing actor); it needs the kommun and the
    region among the financing actors, else it is left out with a note.
``custom``
    The user's ``--shares``.

A *settlement* for a split at year ``Y`` and level ``p``: fixed amounts ``T_a`` (kr, in the
net benefit's discounted kronor, summing to zero over ``F``) paid after the fact such that
``P(NB'_a(Y) + T_a ≥ 0) ≥ p`` for every ``a``. With ``v_a`` the ``⌈p·n⌉``-th largest draw of
``NB'_a(Y)``, actor ``a`` needs ``T_a ≥ −v_a``; a settlement exists exactly when
``Σ v_a ≥ 0``. The one given moves the least: each actor short of the level (``v_a < 0``) receives
``−v_a``, and the others pay that sum in proportion to their margins ``v_a`` (each keeps the same
fraction of what it could spare), so nobody receives more than it needs or pays more than its margin. When
``Σ v_a < 0`` there is none; the result says so, with the largest level every actor can reach
together (the largest ``k/n`` with ``Σ v_a ≥ 0``) and the transfers that reach it.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config.model import SOCIETY, Config
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, ModelOutput, engine_of, evaluate
from ..engine.inputs import project_timing
from ..engine.sampling import ParameterSpace, Sample
from ..errors import ConfigError
from ..kernels.types import PAYBACK_ATOL, PAYBACK_RTOL
from ..results import NO_FLOW_KR, build_dataset
from .monitor import json_ready
from .portfolio import payback_month
from .summary import PAYBACK_MONTHS, continuous_stats, payback_stats, probability_stats

__all__ = [
    "SPLITS", "FINSAM_SHARES", "FINSAM_SOURCE", "SplitResult", "Settlement", "financing_actors", "parse_shares", "run_split",
    "split_paths", "split_dataset", "write_split_files", "check_shares", "check_options",
    "benefit_shares", "maxmin_shares", "finsam_shares", "settle", "critical_shares", "spent_share",
]

#: The splits in the order they are printed.
SPLITS = ("current", "benefit", "maxmin", "finsam", "custom")

#: Lag (2003:1210) om finansiell samordning av rehabiliteringsinsatser, 5 §.
FINSAM_SHARES = {"state": 0.5, "region": 0.25, "kommun": 0.25}
FINSAM_SOURCE = "lag (2003:1210) om finansiell samordning av rehabiliteringsinsatser, 5 §"
#: P(payback ≤ m) of an actor without a share of the cost: nothing to pay back, no probability.
NO_PAYBACK = {"mean": math.nan, "mcse": math.nan}
#: Shares given on the command line may miss 1 by this much (rounding of thirds and the like).
SHARE_TOLERANCE = 1e-6


def financing_actors(config: Config, actors: list[str] | None = None, option: str = "--actors") -> list[str]:
    """The actors whose shares a split sets: ``actors``, or those of ``project.cost_split`` with a share > 0.

    Named actors may include some without a share in the config (what if the region and the state
    co-financed a kommun's project?), as long as together they bear some of its cost: the split
    redistributes their combined cost.

    Raises
    ------
    ConfigError
        Naming ``option`` for an unknown or repeated actor, fewer than two, or actors that together bear
        no cost in the config (nothing to split); naming ``project.cost_split`` when the config's split has
        fewer than two actors and none are given.
    """
    bearing = [a for a, s in config.project.cost_split.items() if s > 0]
    if actors is None:
        if len(bearing) < 2:
            raise ConfigError("project.cost_split", f"only {', '.join(bearing) or 'no actor'} bears the cost: a split needs two "
                                                    "financing actors (name them with --actors, e.g. kommun,region,fk,af)")
        return bearing
    for a in actors:
        if a not in config.actors:
            raise ConfigError(option, f"unknown actor '{a}' (the config's actors: {', '.join(config.actors)})")
    if len(set(actors)) != len(actors):
        raise ConfigError(option, f"an actor is named twice: {', '.join(actors)}")
    if len(actors) < 2:
        raise ConfigError(option, "name at least two financing actors: one actor's share is the whole cost")
    if not any(a in bearing for a in actors):
        raise ConfigError(option, f"{', '.join(actors)} bear no cost in the config (project.cost_split: {', '.join(bearing)}): "
                                  "there is nothing to split")
    return list(actors)


def parse_shares(text: str, actors: list[str], option: str = "--shares") -> dict[str, float]:
    """``"kommun=0.5,region=0.25,..."`` → shares over ``actors`` (missing ones 0), checked by :func:`check_shares`."""
    given = {}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq:
            raise ConfigError(option, f"'{part}' is not actor=share (e.g. kommun=0.5,region=0.5)")
        try:
            given[key] = float(value)
        except ValueError:
            raise ConfigError(option, f"{key}: '{value.strip()}' is not a number") from None
    return check_shares(given, actors, option)


def check_shares(given: dict, actors: list[str], option: str = "--shares") -> dict[str, float]:
    """Shares by actor over ``actors`` (missing ones 0): each a number 0–1 of a financing actor, summing to 1.

    Raises
    ------
    ConfigError
        Naming ``option``.
    """
    shares = dict.fromkeys(actors, 0.0)
    for key, share in given.items():
        if key not in actors:
            raise ConfigError(option, f"'{key}' is not a financing actor ({', '.join(actors)})")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0.0 <= float(share) <= 1.0:
            raise ConfigError(option, f"{key}: share {share} must be a number between 0 and 1")
        shares[key] = float(share)
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ConfigError(option, f"shares sum to {total:.6g}, not 1")
    return {a: s / total for a, s in shares.items()}


# -- the per-draw paths ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SplitPaths:
    """What every split is computed from, per draw.

    Attributes
    ----------
    actors : list of str
        The financing actors ``F``.
    cum : ndarray, shape ``(draw, F, month)``
        Cumulative net benefit after every month under the config's split, kr.
    cost : ndarray, shape ``(draw, F)``
        The config's cost per financing actor, kr.
    spent : ndarray, shape ``(draw, month)``
        Discounted cumulative share of the cost spent by each month, ``S[t]``.
    output : ModelOutput
        The run itself (every actor and society), as ``simsam run`` gets it.
    values : ndarray, shape ``(draw, parameter)``
    """

    actors: list
    cum: np.ndarray
    cost: np.ndarray
    spent: np.ndarray
    output: ModelOutput
    values: np.ndarray

    @property
    def financed(self) -> np.ndarray:
        """The financed cost ``C`` per draw, kr, shape ``(draw,)``."""
        return self.cost.sum(axis=1)

    @property
    def revenue(self) -> np.ndarray:
        """Discounted cumulative revenue before cost ``R``, kr, shape ``(draw, F, month)``."""
        return self.cum + self.cost[:, :, None] * self.spent[:, None, :]

    def cumulative(self, shares: np.ndarray) -> np.ndarray:
        """Cumulative net benefit under ``shares`` (shape ``(F,)``), kr, shape ``(draw, F, month)``."""
        return self.cum + (self.cost - self.new_cost(shares))[:, :, None] * self.spent[:, None, :]

    def new_cost(self, shares: np.ndarray) -> np.ndarray:
        """Each financing actor's cost under ``shares``, kr, shape ``(draw, F)``."""
        return self.financed[:, None] * np.asarray(shares)[None, :]


def spent_share(config: Config, rate: np.ndarray) -> np.ndarray:
    """The discounted cumulative share of the cost spent by month ``t + 1``, shape ``(draw, month)``.

    The kernel's loop (:func:`simsam.kernels.cohort._results`), the same operations in the
    same order: ``spent = cost_months[0]``, then each month the weight ``(1 + rate)^(−1/12)``
    compounds and ``cost_months[t + 1] · weight`` is added.
    """
    horizon = config.simulation.horizon_months
    months = project_timing(config).cost_months
    if months is None:
        months = np.zeros(horizon + 1)
        months[0] = 1.0
    rate = np.asarray(rate, dtype=float)
    step = (1.0 + rate) ** (-1.0 / 12.0)
    out = np.empty((rate.size, horizon))
    weight = np.ones(rate.size)
    spent = np.full(rate.size, float(months[0]))
    for t in range(horizon):
        weight = weight * step
        spent = spent + months[t + 1] * weight
        out[:, t] = spent
    return out


def split_paths(config: Config, actors: list[str], draws: int, seed: int, *, threads: int | None = None) -> SplitPaths:
    """Run the config once (the draws of ``simsam run``, in chunks) and keep the financing actors' monthly paths."""
    space = ParameterSpace.from_config(config)
    cols = [list(config.actors).index(a) for a in actors]
    values = np.empty((draws, space.size))
    cum = np.empty((draws, len(actors), config.simulation.horizon_months))
    parts = []
    for lo in range(0, draws, DEFAULT_CHUNK_DRAWS):
        idx = np.arange(lo, min(lo + DEFAULT_CHUNK_DRAWS, draws), dtype=np.int64)
        values[idx] = space.sample(seed, idx)
        out = evaluate(config, space, values[idx], idx, seed, threads=threads, monthly=True)
        cum[idx] = out.monthly_net_benefit[:, cols]
        parts.append(out)
    names = [k for k in ModelOutput.__dataclass_fields__ if k != "monthly_net_benefit" and getattr(parts[0], k) is not None]
    output = ModelOutput(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})
    rate = Sample(space, values)[config.simulation.discount_rate]
    return SplitPaths(list(actors), cum, output.cost[:, cols].copy(), spent_share(config, rate), output, values)


# -- the splits -----------------------------------------------------------------------------------
def benefit_shares(paths: SplitPaths) -> tuple[np.ndarray | None, list[str]]:
    """Shares ∝ each actor's expected revenue over the horizon before cost, those ≤ 0 at 0 (module docstring).

    Returns the shares (None when no actor gains in expectation) and the actors given share 0
    because their expected revenue is not positive.
    """
    expected = paths.revenue[:, :, -1].mean(axis=0)
    losers = [a for a, e in zip(paths.actors, expected) if not e > 0]
    positive = np.where(expected > 0, expected, 0.0)
    if positive.sum() <= 0:
        return None, losers
    return positive / positive.sum(), losers


def critical_shares(paths: SplitPaths, month: int) -> np.ndarray:
    """Each draw's largest share of the financed cost with which the actor pays back by ``month``.

    Shape ``(draw, F)``; ``+inf`` where it pays back whatever its share (the cost is not yet
    spent, or nothing is financed), ``−inf`` where not even at share 0.
    """
    rev = paths.revenue[:, :, :month] + PAYBACK_ATOL
    denom = paths.financed[:, None, None] * (paths.spent[:, None, :month] - PAYBACK_RTOL)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denom > 0, rev / denom, np.where(rev >= 0, np.inf, -np.inf))
    return ratio.max(axis=2)


def _level(sorted_desc: np.ndarray, k: int) -> np.ndarray:
    """Each actor's largest share that keeps P(payback) ≥ k/n: the k-th largest critical share (k ≥ 1)."""
    return sorted_desc[k - 1]


def _best_level(desc: np.ndarray, active: list[int]) -> int:
    """The largest ``k`` such that the ``active`` actors can all pay back in ``k`` draws of ``n`` (bisection)."""
    n = desc.shape[0]

    def feasible(k: int) -> bool:
        if k == 0:
            return True
        s = _level(desc, k)[active]
        return bool(np.all(s >= 0) and np.minimum(s, 1.0).sum() >= 1.0)

    lo, hi = 0, n  # feasible(lo) holds
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if feasible(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def maxmin_shares(paths: SplitPaths, month: int) -> tuple[np.ndarray, float, list[str]]:
    """The shares that maximise the smallest P(payback ≤ ``month``) over the financing actors (module docstring).

    Leximin steps: the actors that cannot reach the next level even at share 0 bind it; they are put at
    share 0 and the others' level is raised again. A step that raises the level by no more than two
    Monte Carlo standard errors (``2·√(q(1 − q)/n)``) is not taken: it would trade a share for noise.

    Returns the shares, the level reached (the smallest P among the actors that carry a share,
    by the critical shares) and the actors put at share 0 because they stay below it even there.
    """
    crit = critical_shares(paths, month)
    n, f = crit.shape
    desc = -np.sort(-crit, axis=0)  # (draw, F), each column largest first
    active = list(range(f))
    dropped: list[int] = []
    k = _best_level(desc, active)
    while k < n:
        binding = [a for a in active if desc[k, a] < 0]
        if not binding or len(binding) == len(active):
            break
        rest = [a for a in active if a not in binding]
        k_rest = _best_level(desc, rest)
        q = k / n
        if (k_rest - k) / n <= 2 * math.sqrt(max(q * (1 - q), 1.0 / n) / n):
            break
        dropped += binding
        active, k = rest, k_rest
    shares = np.zeros(f)
    if k == 0:
        shares[active] = 1.0 / len(active)
    else:
        c = np.minimum(_level(desc, k)[active], 1.0)
        shares[active] = c / c.sum()
    return shares, k / n, [paths.actors[a] for a in dropped]


def finsam_shares(actors: list[str]) -> tuple[np.ndarray | None, str]:
    """Finsam's legal shares over ``actors`` (module docstring), or None and why not."""
    state = "fk" if "fk" in actors else ("stat" if "stat" in actors else None)
    missing = [a for a in ("kommun", "region") if a not in actors] + ([] if state else ["fk"])
    if missing:
        return None, f"needs {', '.join(missing)} among the financing actors"
    shares = np.zeros(len(actors))
    shares[actors.index(state)] = FINSAM_SHARES["state"]
    shares[actors.index("region")] = FINSAM_SHARES["region"]
    shares[actors.index("kommun")] = FINSAM_SHARES["kommun"]
    return shares, state


@dataclass(frozen=True)
class Settlement:
    """Transfers after the fact for one split (module docstring).

    Attributes
    ----------
    year : int
    level : float
        The asked P(net benefit after ``year`` ≥ 0), 0–1.
    feasible : bool
        Whether every actor reaches ``level``.
    reached : float
        The level the transfers give every actor (``level`` when feasible, else the largest common one).
    transfers : ndarray, shape ``(F,)``
        kr received (negative: paid), summing to zero.
    shortfall : float
        ``−Σ v_a`` when infeasible (kr the actors together miss at ``level``), else 0.
    """

    year: int
    level: float
    feasible: bool
    reached: float
    transfers: np.ndarray
    shortfall: float


def _transfers(desc: np.ndarray, k: int) -> np.ndarray:
    """The least transfers that give every actor P ≥ k/n: each actor short of it (``v_a < 0``) receives ``−v_a``; the
    others pay that sum in proportion to their margins ``v_a`` (each keeps the same fraction of what it can spare)."""
    v = desc[k - 1]
    need = np.maximum(-v, 0.0)
    margin = np.maximum(v, 0.0)
    total = need.sum()
    paid = margin / margin.sum() * total if total > 0 else np.zeros_like(v)
    t = need - paid
    payer = int(np.argmax(margin))
    t[payer] -= t.sum()  # exactly zero-sum (rounding left with the largest payer)
    return t


def settle(net_benefit: np.ndarray, year: int, level: float) -> Settlement:
    """The settlement of a split whose net benefit after ``year`` is ``net_benefit`` (kr, shape ``(draw, F)``)."""
    n, f = net_benefit.shape
    desc = -np.sort(-net_benefit, axis=0)
    k = max(1, math.ceil(level * n - 1e-9))
    if desc[k - 1].sum() >= 0:
        return Settlement(year, level, True, level, _transfers(desc, k), 0.0)
    shortfall = float(-desc[k - 1].sum())
    lo, hi = 0, k - 1  # largest k' < k with Σ v ≥ 0 (0: none)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if desc[mid - 1].sum() >= 0:
            lo = mid
        else:
            hi = mid - 1
    transfers = _transfers(desc, lo) if lo else np.zeros(f)
    return Settlement(year, level, False, lo / n, transfers, shortfall)


# -- the whole analysis ---------------------------------------------------------------------------
@dataclass
class SplitResult:
    """Every split's per-draw results and what the report and the tables show.

    Attributes
    ----------
    config : Config
    actors : list of str
        The financing actors.
    splits : dict
        Split name → shares, ndarray shape ``(F,)`` (only the splits that exist).
    payback : dict
        Split name → payback months, shape ``(draw, F)`` (NaN: not within the horizon).
    net_benefit : dict
        Split name → cumulative net benefit at each year's end, kr, shape ``(draw, F, year)``.
    society : dict
        Split name → society's net benefit at each year's end recomputed as the sum over every
        actor, kr, shape ``(draw, year)`` (equal to the run's in every draw).
    settlements : dict
        Split name → :class:`Settlement`.
    notes : list of (str, dict)
        Message keys and their values (what the report and the tables say in words).
    """

    config: Config
    paths: SplitPaths
    actors: list
    month: int
    year: int
    level: float
    draws: int
    seed: int
    splits: dict = field(default_factory=dict)
    payback: dict = field(default_factory=dict)
    net_benefit: dict = field(default_factory=dict)
    society: dict = field(default_factory=dict)
    settlements: dict = field(default_factory=dict)
    maxmin_level: float = math.nan
    notes: list = field(default_factory=list)

    def dataset(self):
        """The run itself as a result Dataset (what ``simsam run`` writes as ``results.nc``)."""
        config = self.config
        return build_dataset(config, ParameterSpace.from_config(config), self.paths.output, self.paths.values,
                             np.arange(self.draws, dtype=np.int64), self.seed, engine_of(config))

    def summary(self) -> dict:
        """What ``split.json`` holds: settings, notes, and per split and actor the statistics (module docstring)."""
        return _summary(self)


def check_options(config: Config, month: int, year: int | None, level: float) -> int:
    """``--month`` within the horizon, ``--year`` within its years, ``--p`` in (0, 1]; returns the year (default: the last).

    Raises
    ------
    ConfigError
        Naming the option.
    """
    horizon = config.simulation.horizon_months
    years = horizon // 12
    if not 1 <= month <= horizon:
        raise ConfigError("--month", f"{month} must be between 1 and the horizon, {horizon} months")
    year = years if year is None else int(year)
    if not 1 <= year <= years:
        raise ConfigError("--year", f"{year} must be between 1 and the horizon's {years} years")
    if not 0 < level <= 1:
        raise ConfigError("--p", f"{level} must be a probability above 0 and at most 1")
    return year


def run_split(config: Config, draws: int | None = None, seed: int | None = None, *, actors: list[str] | None = None,
              shares: dict[str, float] | None = None, month: int = 60, year: int | None = None, level: float = 0.8,
              threads: int | None = None) -> SplitResult:
    """Compare the splits of the project cost over the financing actors, on common random numbers.

    Parameters
    ----------
    config : Config
    draws, seed : int, optional
        Default: the config's ``[simulation]``.
    actors : list of str, optional
        Financing actors (default: ``project.cost_split``'s; :func:`financing_actors`).
    shares : dict, optional
        A split of one's own (``custom``), actor → share summing to 1 (:func:`parse_shares`).
    month : int
        ``M`` of the max-min split's P(payback ≤ M), months, 1–horizon.
    year : int, optional
        The settlement's year ``Y`` (default: the horizon's last).
    level : float
        The settlement's level ``p``, 0–1.
    """
    horizon = config.simulation.horizon_months
    years = horizon // 12
    year = check_options(config, month, year, level)
    actors = financing_actors(config, actors)
    draws = config.simulation.draws if draws is None else int(draws)
    seed = config.simulation.seed if seed is None else int(seed)
    paths = split_paths(config, actors, draws, seed, threads=threads)
    if float(np.max(paths.financed, initial=0.0)) < NO_FLOW_KR:
        raise ConfigError("project.cost", "the financing actors bear no cost in any draw: there is nothing to split")
    r = SplitResult(config, paths, actors, month, year, level, draws, seed)
    split = config.project.cost_split
    current = np.array([split.get(a, 0.0) for a in actors])
    r.splits["current"] = current / current.sum()
    benefit, losers = benefit_shares(paths)
    if losers:
        r.notes.append(("benefit_losers", {"actors": losers}))
    if benefit is None:
        r.notes.append(("benefit_none", {}))
    else:
        r.splits["benefit"] = benefit
    maxmin, _, dropped = maxmin_shares(paths, month)
    r.splits["maxmin"] = maxmin
    if dropped:
        zero = np.mean(critical_shares(paths, month) >= 0, axis=0)  # P(payback ≤ M) at share 0
        r.notes.append(("maxmin_dropped", {"actors": dropped, "month": month,
                                           "best": [float(zero[actors.index(a)]) for a in dropped]}))

    fin, state = finsam_shares(actors)
    if fin is None:
        r.notes.append(("finsam_none", {"why": state}))
    else:
        r.splits["finsam"] = fin
        if "af" in actors and state == "fk":
            r.notes.append(("finsam_af", {}))
    if shares is not None:
        r.splits["custom"] = np.array([shares.get(a, 0.0) for a in actors])
    others = [i for i, a in enumerate(config.actors) if a not in actors]
    rest = paths.output.net_benefit[:, others].sum(axis=1)  # (draw, year): the actors outside F, unchanged
    ends = np.arange(years) * 12 + 11
    for name, s in r.splits.items():
        cum = paths.cumulative(s)
        r.payback[name] = payback_month(cum, paths.new_cost(s))
        nb = cum[:, :, ends]
        r.net_benefit[name] = nb
        r.society[name] = nb.sum(axis=1) + rest
        r.settlements[name] = settle(nb[:, :, year - 1], year, level)
    # The level the max-min split reaches: its smallest P(payback ≤ M) over the financing actors that pay a share.
    paying = r.splits["maxmin"] > 0
    r.maxmin_level = float(np.min(np.mean(r.payback["maxmin"][:, paying] <= month, axis=0), initial=1.0))
    if r.maxmin_level == 0 and not dropped:
        r.notes.append(("maxmin_none", {"month": month}))
    return r


def _summary(r: SplitResult) -> dict:
    cfg = r.config
    horizon = cfg.simulation.horizon_months
    months = [m for m in PAYBACK_MONTHS if m < horizon] + [horizon]
    years = horizon // 12
    society = r.paths.output.net_benefit[:, -1]
    splits = {}
    for name, s in r.splits.items():
        st = r.settlements[name]
        nb = r.net_benefit[name]
        cost = r.paths.new_cost(s)
        per_actor = {}
        for i, a in enumerate(r.actors):
            pb = r.payback[name][:, i]
            after = nb[:, i, r.year - 1] + st.transfers[i]
            # An actor without a share has nothing to pay back (as in the summary's no-cost rows): no payback figures.
            no_cost = bool(s[i] == 0)
            per_actor[a] = {
                "label": cfg.actors[a],
                "share": float(s[i]),
                "no_cost": no_cost,
                "cost": continuous_stats(cost[:, i]),
                "p_payback": {str(m): NO_PAYBACK if no_cost else probability_stats(pb <= m) for m in months},
                "payback_median": dict.fromkeys(payback_stats(pb, horizon), math.nan) if no_cost else payback_stats(pb, horizon),
                "net_benefit": continuous_stats(nb[:, i, -1]),
                "net_benefit_year": continuous_stats(nb[:, i, r.year - 1]),
                "p_net_benefit_positive": probability_stats(nb[:, i, r.year - 1] >= 0),
                "transfer": float(st.transfers[i]),
                "p_net_benefit_positive_settled": probability_stats(after >= 0),
            }
        splits[name] = {
            "shares": {a: float(v) for a, v in zip(r.actors, s)},
            "actors": per_actor,
            "settlement": {"year": st.year, "level": st.level, "feasible": st.feasible, "reached": st.reached,
                           "shortfall": st.shortfall, "transfers": {a: float(v) for a, v in zip(r.actors, st.transfers)}},
            "society_max_abs_difference": float(np.max(np.abs(r.society[name] - society), initial=0.0)),
        }
    soc_pb = r.paths.output.payback[:, -1]
    return json_ready({
        "config": cfg.name,
        "config_file": str(cfg.raw.path) if cfg.raw.path else "",
        "draws": r.draws,
        "seed": r.seed,
        "horizon_months": horizon,
        "years": years,
        "months": months,
        "month": r.month,
        "year": r.year,
        "level": r.level,
        "timing": cfg.simulation.timing,
        "financing_actors": r.actors,
        "labels": {a: cfg.actors[a] for a in r.actors},
        "financed_cost": continuous_stats(r.paths.financed),
        "maxmin_level": r.maxmin_level,
        "finsam_source": FINSAM_SOURCE,
        "notes": [{"key": k, **v} for k, v in r.notes],
        "society": {"p_payback": {str(m): probability_stats(soc_pb <= m) for m in months},
                    "payback_median": payback_stats(soc_pb, horizon), "net_benefit": continuous_stats(society[:, -1])},
        "splits": splits,
    })


def split_dataset(r: SplitResult):
    """``split.nc``: every split's draws, dims ``split``, ``draw``, ``actor`` (the financing actors, then society), ``year``.

    ``payback_months`` and ``net_benefit`` of society are the run's (no split changes them);
    ``society_net_benefit`` is the sum over every actor under each split, equal to them per draw.
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built

    names = list(r.splits)
    out = r.paths.output
    years = np.arange(1, r.config.simulation.horizon_months // 12 + 1)
    # An actor without a share has nothing to pay back: NaN, as in the summary's no-cost rows.
    paid = [np.where(r.splits[n] > 0, r.payback[n], np.nan) for n in names]
    payback = np.stack([np.concatenate([pb, out.payback[:, -1:]], axis=1) for pb in paid])
    nb = np.stack([np.concatenate([r.net_benefit[n], out.net_benefit[:, -1:]], axis=1) for n in names])
    cost = np.stack([np.concatenate([r.paths.new_cost(r.splits[n]), out.cost[:, -1:]], axis=1) for n in names])
    return xr.Dataset(
        {
            "shares": (("split", "financing_actor"), np.stack([r.splits[n] for n in names]), {"units": "1",
                       "long_name": "share of the financed cost"}),
            "transfer": (("split", "financing_actor"), np.stack([r.settlements[n].transfers for n in names]),
                         {"units": "kr", "long_name": f"settlement after year {r.year} (received; negative: paid)"}),
            "payback_months": (("split", "draw", "actor"), payback,
                               {"units": "months", "long_name": "payback time (NaN: not within the horizon, or no share of the cost)"}),
            "net_benefit": (("split", "draw", "actor", "year"), nb,
                            {"units": "kr", "long_name": "cumulative net benefit at the end of the year"}),
            "cost": (("split", "draw", "actor"), cost, {"units": "kr", "long_name": "share of the uplifted project cost"}),
            "society_net_benefit": (("split", "draw", "year"), np.stack([r.society[n] for n in names]),
                                    {"units": "kr", "long_name": "sum over every actor under the split"}),
        },
        coords={"split": names, "draw": np.arange(r.draws), "actor": [*r.actors, SOCIETY], "financing_actor": r.actors, "year": years},
        attrs={"config": r.config.resolved_json(), "name": r.config.name, "seed": r.seed, "draws": r.draws, "month": r.month,
               "settlement_year": r.year, "settlement_level": r.level, "finsam_source": FINSAM_SOURCE},
    )


def write_split_files(result: SplitResult, summary: dict, folder: Path) -> list[str]:
    """``split.json``, ``split.nc`` and ``split.csv`` (one row per split, actor and metric, with its Monte Carlo
    standard error) into ``folder``; returns their names."""
    (folder / "split.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    split_dataset(result).to_netcdf(folder / "split.nc", engine="h5netcdf")
    with open(folder / "split.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["split", "actor", "metric", "value", "mcse"])
        y = summary["year"]
        for name, sp in summary["splits"].items():
            for a, e in sp["actors"].items():
                rows = [("share", e["share"], None), ("cost", e["cost"]["mean"], e["cost"]["mcse"])]
                rows += [(f"p_payback_{m}", v["mean"], v["mcse"]) for m, v in e["p_payback"].items()]
                rows += [("payback_months_median", e["payback_median"]["median"], e["payback_median"]["median_mcse"]),
                         (f"net_benefit_{summary['years']}y", e["net_benefit"]["mean"], e["net_benefit"]["mcse"]),
                         (f"net_benefit_{y}y", e["net_benefit_year"]["mean"], e["net_benefit_year"]["mcse"]),
                         (f"p_net_benefit_positive_{y}y", e["p_net_benefit_positive"]["mean"], e["p_net_benefit_positive"]["mcse"]),
                         (f"transfer_{y}y", e["transfer"], None),
                         (f"p_net_benefit_positive_{y}y_settled", e["p_net_benefit_positive_settled"]["mean"],
                          e["p_net_benefit_positive_settled"]["mcse"])]
                for metric, value, se in rows:
                    w.writerow([name, a, metric, "" if value is None else repr(value), "" if se is None else repr(se)])
    return ["split.csv", "split.json", "split.nc"]

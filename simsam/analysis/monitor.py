"""Monitoring a running project (``simsam monitor``): is each party still on course?

The config is the project as it was planned and evaluated (its prior); the follow-up export
(SUS, :mod:`simsam.config.followup`) is read as it stood on the as-of date
(:meth:`~simsam.config.followup.FollowUp.as_of`):

* **data, not simulated**: the participants who have left by then. Their exit states (the
  mapping's ``[exit]``) are fixed in every draw (the kernel's known exit states), and under
  ``timing = "project"`` so are their exit months (calendar months from the project start,
  ``--start``, by default the file's first entry). A participant whose status maps to
  ``"exclude"`` has left at a known month, in a state the association does not know: it is drawn
  like the rest;
* **the outcome shares' posterior**: the config's Dirichlet ``α`` plus the observed counts ``n``,
  ``Dirichlet(α + n)``, at the same input names (``outcomes.shares.STATE``), so that its draws
  use the same uniform numbers as at the start. Fixed shares stay fixed: data cannot move a point
  mass, so only the exits already seen change the result;
* **the posterior predictive of the rest**: participants still in the project and planned
  participants not yet in the file (``project.participants`` minus those who have entered; a file
  with more than planned makes the cohort that large) exit to states drawn from the posterior
  shares. Under project timing they keep the config's planned exit months, the latest ones (the
  earliest are taken by those already out), delayed as a whole by as much as the project is behind
  (the first of them leaves at the as-of month at the earliest; the rest keep the plan's pace), and
  none after the horizon's last month;
* **each actor's P(payback ≤ M) now against at the start**: the config as it stood and the
  monitored config on the same draws, seed and input numbers (common random numbers), so the
  difference is paired and its Monte Carlo error small.

With every participant out, the shares' posterior is exactly the evidence import's
(``shares = { dist = "dirichlet", counts = …, prior = p }`` for a config whose prior is a flat
Dirichlet of ``p`` per state): the same ``α``, hence the same shares in every draw.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import numpy as np

from ..config.followup import EXCLUDE, FollowUp
from ..config.model import SOCIETY, Config, Shares
from ..distributions import Quantity
from ..engine import streams as rnd
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, ModelOutput, evaluate
from ..engine.sampling import ParameterSpace, Sample
from ..errors import ConfigError
from ..results import NO_FLOW_KR
from .summary import PAYBACK_MONTHS

__all__ = ["Observation", "MonitorResult", "observe", "monitored_config", "run_monitor", "month_of"]

#: The stream of the predictive counts reported (the kernel draws its own, from the cohort stream).
PREDICTIVE_STREAM = "monitor-predictive"


def month_of(date: dt.date, start: dt.date) -> int:
    """Calendar months from ``start``'s month to ``date``'s: ``12·(year − year₀) + (month − month₀)``."""
    return 12 * (date.year - start.year) + date.month - start.month


@dataclass(frozen=True)
class Observation:
    """A follow-up export as it stood on the as-of date, placed in a config's cohort.

    Attributes
    ----------
    as_of, start : date
        The as-of date and the project's start (month 0).
    month : int
        The as-of date's project month (0 = the start's month).
    exited : tuple of (id, state or None, month)
        Participants who have left, by exit month: their state (None: excluded, not known) and
        their project month of exit.
    in_project : int
        Entered, not left by the as-of date.
    not_in_file : int
        Planned participants (``project.participants``) not yet in the file.
    participants : int
        The monitored cohort: the planned participants, or those in the file if more.
    counts : dict
        State → participants who have left to it (every state of the config, zeros included).
    excluded : dict
        Exit status code → participants who have left with a status mapped to ``"exclude"``.
    file : str
    planned : int
        ``project.participants`` of the config.
    in_file : int
        Participants in the file who have entered by the as-of date.
    """

    as_of: dt.date
    start: dt.date
    month: int
    exited: tuple
    in_project: int
    not_in_file: int
    participants: int
    counts: dict
    excluded: dict
    file: str
    planned: int
    in_file: int

    @property
    def known(self) -> int:
        """Participants whose exit state is known (left, not excluded)."""
        return sum(self.counts.values())

    @property
    def unknown(self) -> int:
        """Participants whose exit state is drawn: still in, not yet in the file, or excluded."""
        return self.participants - self.known


def observe(config: Config, followup: FollowUp, as_of: dt.date, start: dt.date | None = None) -> Observation:
    """The follow-up as it stood on ``as_of``, placed in ``config``'s cohort.

    Raises
    ------
    ConfigError
        ``--as-of`` before the first exit (nothing to monitor yet) or past the horizon under
        project timing; ``--start`` after the first entry; ``groups`` (the file does not say who
        is in which group); ``--followup`` when a participant left to a state the config's
        outcome shares give no share.
    """
    if config.groups:
        raise ConfigError("groups", "monitor cannot place the follow-up's participants in groups (the export does not say who is in "
                                    "which); monitor the config without [groups]")
    first_entry = min(p.entry_date for p in followup.participants)
    start = first_entry if start is None else start
    if start > first_entry:
        raise ConfigError("--start", f"{start} is after the first entry in {followup.file} ({first_entry}): the project must start first")
    exits = [p.exit_date for p in followup.exited]
    if not exits or as_of < min(exits):
        first = f"the first exit in {followup.file} is {min(exits)}" if exits else f"no one in {followup.file} has left yet"
        raise ConfigError("--as-of", f"no participant has left the project by {as_of} ({first}): nothing to monitor yet")
    month = month_of(as_of, start)
    horizon = config.simulation.horizon_months
    project_timing = config.simulation.timing == "project"
    now = followup.as_of(as_of)
    states = list(config.states)
    counts = dict.fromkeys(states, 0)
    exited = []
    for p in sorted(now.exited, key=lambda p: (p.exit_date, p.line)):
        state = now.mapping.exit[p.exit_status]
        if state != EXCLUDE and state not in counts:
            raise ConfigError("--followup", f"{p.id} left to '{state}', which is not a state of {config.name}")
        if state != EXCLUDE:
            counts[state] += 1
        exited.append((p.id, None if state == EXCLUDE else state, month_of(p.exit_date, start)))
    shares = config.outcomes.shares
    for state, n in counts.items():
        if n and state not in shares.keys:
            raise ConfigError("--followup", f"{n} participants left to '{state}', to which {shares.path} gives no share: "
                                            "give it one (a prior) before monitoring")
    if project_timing and month >= horizon:
        raise ConfigError("--as-of", f"{as_of} is project month {month}, past the horizon ({horizon} months from the start {start})")
    in_file = len(now.participants)
    planned = config.project.participants
    return Observation(
        as_of=as_of,
        start=start,
        month=month,
        exited=tuple(exited),
        in_project=len(now.in_project),
        not_in_file=max(planned - in_file, 0),
        participants=max(planned, in_file),
        counts=counts,
        excluded=now.excluded,
        file=followup.file,
        planned=planned,
        in_file=in_file,
    )


def _posterior(shares: Shares, counts: dict) -> Shares:
    """``Dirichlet(α + n)`` at the same path and keys (fixed shares: unchanged)."""
    if shares.kind != "dirichlet":
        return shares
    alpha = tuple(a + counts.get(k, 0) for k, a in zip(shares.keys, shares.alpha))
    a0 = sum(alpha)
    items = tuple(Quantity(f"{shares.path}.{k}", a / a0, None, shares.evidence, shares.source) for k, a in zip(shares.keys, alpha))
    return replace(shares, items=items, alpha=alpha)


def _remaining_months(config: Config, obs: Observation) -> list[int]:
    """Exit months of the participants not yet out: the plan's after the earliest ``len(exited)``, delayed as a whole by
    as much as the project is behind (the first of them at the as-of month at the earliest), within the horizon."""
    n_rest = obs.participants - len(obs.exited)
    planned = sorted(config.project.exit_months or [0] * config.project.participants)
    rest = planned[len(obs.exited):] or planned[-1:]
    rest = (rest + [rest[-1]] * n_rest)[:n_rest]
    delay = max(0, obs.month - rest[0]) if rest else 0
    last = config.simulation.horizon_months - 1
    return [min(max(m + delay, obs.month), last) for m in rest]


def monitored_config(config: Config, obs: Observation) -> tuple[Config, np.ndarray]:
    """The config now: the posterior shares, the monitored cohort and its exit months; and each
    participant's known exit state (index in ``config.states``, −1 drawn), shape ``(participant,)``.

    Participants ``0 … len(exited) − 1`` are those who have left, by exit month; the rest follow.
    """
    states = list(config.states)
    known = [states.index(s) if s is not None else -1 for _, s, _ in obs.exited]
    exit_states = np.array(known + [-1] * (obs.participants - len(known)), dtype=np.int64)
    project = replace(config.project, participants=obs.participants)
    if config.simulation.timing == "project":
        months = [m for _, _, m in obs.exited] + _remaining_months(config, obs)
        horizon = config.simulation.horizon_months
        if max(months) >= horizon:  # pragma: no cover - observe() refuses an as-of month past the horizon
            raise ConfigError("--as-of", f"exits after the horizon ({horizon} months)")
        project = replace(project, exit_months=tuple(months))
    elif project.exit_months is not None:
        project = replace(project, exit_months=None)  # not used under NyttoSam timing
    now = replace(config, project=project, outcomes=replace(config.outcomes, shares=_posterior(config.outcomes.shares, obs.counts)),
                  scenarios={})
    return now, exit_states


@dataclass(frozen=True)
class MonitorResult:
    """A monitoring run: the start and now on the same draws.

    Attributes
    ----------
    observation : Observation
    config, config_now : Config
        The config as it stood, and with the posterior, the monitored cohort and its timing.
    start : xarray.Dataset
        The result Dataset of the config as it stood (what ``simsam run`` gives with these draws and seed).
    now : ModelOutput
        The monitored run's results (society last), shape ``(draw, actor, ...)``.
    shares_start, shares_now : ndarray, shape ``(draw, share)``
        The outcome shares of each draw (``config.outcomes.shares.keys`` order).
    so_far : ndarray of int, shape ``(draw, state)``
        The prior predictive of the states of those who have left with a known state (drawn from
        ``shares_start``): what was expected at the start.
    remaining : ndarray of int, shape ``(draw, state)``
        The posterior predictive of the states of the participants whose state is drawn.
    draws, seed : int
    """

    observation: Observation
    config: Config
    config_now: Config
    start: object
    now: ModelOutput
    shares_start: np.ndarray
    shares_now: np.ndarray
    so_far: np.ndarray
    remaining: np.ndarray
    draws: int
    seed: int

    @property
    def actors(self) -> list[str]:
        return list(self.config.actors) + [SOCIETY]

    def summary(self) -> dict:
        """``monitor.json``: the observation, the shares before and after, the predictive counts, and per actor
        P(payback ≤ M) at the start and now with Monte Carlo errors (module docstring)."""
        return _summary(self)


def _multinomial(rng: np.random.Generator, n: int, shares: np.ndarray) -> np.ndarray:
    """Counts per state of ``n`` participants in every draw, shape ``(draw, state)``."""
    if n == 0 or shares.shape[0] == 0:
        return np.zeros(shares.shape, dtype=np.int64)
    p = np.clip(shares, 0.0, None)
    return rng.multinomial(n, p / p.sum(axis=1, keepdims=True))


def _state_shares(config: Config, values: np.ndarray) -> np.ndarray:
    """A sample's exit shares per config state, shape ``(draw, state)`` (zero for a state without a share)."""

    space = ParameterSpace.from_config(config)
    sample = Sample(space, values)
    shares = sample.shares(config.outcomes.shares)
    out = np.zeros((values.shape[0], len(config.states)))
    for j, k in enumerate(config.outcomes.shares.keys):
        out[:, config.states.index(k)] = shares[:, j]
    return out


def run_monitor(config: Config, obs: Observation, draws: int | None = None, seed: int | None = None, *,
                threads: int | None = None) -> MonitorResult:
    """Simulate the project at the start and now, on the same draws (module docstring)."""
    from ..results import simulate  # xarray: the start run is a result Dataset of its own

    draws = config.simulation.draws if draws is None else int(draws)
    seed = config.simulation.seed if seed is None else int(seed)
    start = simulate(config, draws, seed, threads=threads)
    now_config, exit_states = monitored_config(config, obs)
    space = ParameterSpace.from_config(now_config)
    parts = []
    values_now = np.empty((draws, space.size))
    for lo in range(0, draws, DEFAULT_CHUNK_DRAWS):
        idx = np.arange(lo, min(lo + DEFAULT_CHUNK_DRAWS, draws), dtype=np.int64)
        values_now[idx] = space.sample(seed, idx)
        parts.append(evaluate(now_config, space, values_now[idx], idx, seed, threads=threads, exit_states=exit_states))
    now = ModelOutput(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("payback", "net_benefit", "revenue", "cost",
                                                                               "utilised_potential")))
    shares_start = _state_shares(config, np.asarray(start["inputs"].values))
    shares_now = _state_shares(now_config, values_now)
    rng = np.random.default_rng(rnd.stream_key(seed, PREDICTIVE_STREAM))
    so_far = _multinomial(rng, obs.known, shares_start)
    remaining = _multinomial(rng, obs.unknown, shares_now)
    return MonitorResult(obs, config, now_config, start, now, shares_start, shares_now, so_far, remaining, draws, seed)


# -- the summary ----------------------------------------------------------------------------------
def _q(x: np.ndarray) -> dict:
    lo, mid, hi = np.quantile(x, [0.05, 0.5, 0.95]) if x.size else (math.nan,) * 3
    return {"median": float(mid), "p05": float(lo), "p95": float(hi), "mean": float(np.mean(x)) if x.size else math.nan}


def _p(event_start: np.ndarray, event_now: np.ndarray) -> dict:
    n = event_start.size
    a, b = event_start.astype(float), event_now.astype(float)
    d = b - a
    se = lambda x: float(np.std(x, ddof=1) / math.sqrt(n)) if n > 1 else math.nan  # noqa: E731
    return {"start": float(a.mean()), "now": float(b.mean()), "difference": float(d.mean()),
            "start_mcse": se(a), "now_mcse": se(b), "difference_mcse": se(d)}


def _beta_interval(alpha: float, a0: float) -> tuple[float, float]:
    from scipy import stats  # only for the marginal intervals of the report

    if alpha <= 0 or a0 - alpha <= 0:
        return (alpha / a0, alpha / a0) if a0 else (math.nan, math.nan)
    lo, hi = stats.beta(alpha, a0 - alpha).ppf([0.05, 0.95])
    return float(lo), float(hi)


def json_ready(x):
    """``x`` (dicts, lists, floats, NumPy scalars and arrays) as JSON can hold it: NaN and ±inf as None."""
    if isinstance(x, np.ndarray):
        return json_ready(x.tolist())
    if isinstance(x, dict):
        return {k: json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_ready(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, np.generic):
        return json_ready(x.item())
    return x


def _summary(r: MonitorResult) -> dict:

    obs, cfg = r.observation, r.config
    states = list(cfg.states)
    horizon = cfg.simulation.horizon_months
    months = [m for m in PAYBACK_MONTHS if m < horizon] + [horizon]
    year = horizon // 12
    shares = cfg.outcomes.shares
    posterior = r.config_now.outcomes.shares
    per_state = {}
    for k in states:
        entry = {"label": cfg.outcomes.states[k].label, "observed": obs.counts[k]}
        if k in shares.keys and shares.kind == "dirichlet":
            j = shares.keys.index(k)
            a0, b0 = sum(shares.alpha), sum(posterior.alpha)
            lo, hi = _beta_interval(shares.alpha[j], a0)
            plo, phi = _beta_interval(posterior.alpha[j], b0)
            entry.update(prior_alpha=shares.alpha[j], prior_mean=shares.alpha[j] / a0, prior_p05=lo, prior_p95=hi,
                         posterior_alpha=posterior.alpha[j], posterior_mean=posterior.alpha[j] / b0, posterior_p05=plo, posterior_p95=phi)
        else:
            value = shares.mean().get(k, 0.0)
            entry.update(prior_mean=value, prior_p05=value, prior_p95=value, posterior_mean=value, posterior_p05=value, posterior_p95=value)
        i = states.index(k)
        so_far = r.so_far[:, i]
        entry["expected_so_far"] = _q(so_far)
        entry["p_expected_at_most_observed"] = float(np.mean(so_far <= obs.counts[k]))
        entry["p_expected_at_least_observed"] = float(np.mean(so_far >= obs.counts[k]))
        entry["remaining"] = _q(r.remaining[:, i])
        entry["final"] = _q(r.remaining[:, i] + obs.counts[k])
        per_state[k] = entry
    actors = {}
    labels = {**cfg.actors, SOCIETY: "Samhället"}
    start = r.start
    for a_index, a in enumerate(r.actors):
        cost = np.asarray(start["cost"].sel(actor=a).values)
        pb_start = np.asarray(start["payback_months"].sel(actor=a).values)
        pb_now = r.now.payback[:, a_index]
        nb_start = np.asarray(start["net_benefit"].sel(actor=a, year=year).values)
        nb_now = r.now.net_benefit[:, a_index, year - 1]
        no_cost = a != SOCIETY and float(np.nanmax(np.abs(cost), initial=0.0)) < NO_FLOW_KR
        flows = float(np.nanmax(np.abs(np.concatenate([nb_start, nb_now])), initial=0.0)) >= NO_FLOW_KR
        entry = {"label": labels[a], "no_cost": no_cost, "has_flows": flows or not no_cost,
                 "net_benefit": {"year": year, "start": _q(nb_start), "now": _q(nb_now),
                                 "p_positive": _p(nb_start > 0, nb_now > 0)}}
        if not no_cost:
            entry["p_payback"] = {str(m): _p(pb_start <= m, pb_now <= m) for m in months}
            entry["payback_median"] = {
                "start": _median_payback(pb_start, horizon), "now": _median_payback(pb_now, horizon)}
        actors[a] = entry
    timing = cfg.simulation.timing
    last = max([m for _, _, m in obs.exited] + [obs.month])
    observed = np.bincount([m for _, _, m in obs.exited], minlength=last + 1).cumsum()[: obs.month + 1]
    planned_months = cfg.project.exit_months if timing == "project" else None
    exits = {"months_observed": observed.tolist(), "as_of_month": obs.month}
    if planned_months is not None:
        planned = np.bincount(planned_months, minlength=max(max(planned_months), obs.month) + 1).cumsum()
        exits["months_planned"] = planned.tolist()
        exits["planned_by_as_of"] = int(planned[obs.month]) if obs.month < planned.size else int(planned[-1])
    return json_ready({
        "as_of": str(obs.as_of),
        "start": str(obs.start),
        "as_of_month": obs.month,
        "config": cfg.name,
        "config_file": str(cfg.raw.path) if cfg.raw.path else "",
        "followup": obs.file,
        "draws": r.draws,
        "seed": r.seed,
        "horizon_months": horizon,
        "timing": timing,
        "months": months,
        "participants": {
            "planned": obs.planned, "cohort": obs.participants, "in_file": obs.in_file, "exited": len(obs.exited), "known": obs.known,
            "excluded": sum(obs.excluded.values()),
            "excluded_codes": obs.excluded, "in_project": obs.in_project, "not_in_file": obs.not_in_file, "drawn": obs.unknown,
        },
        "shares_kind": shares.kind,
        "states": per_state,
        "exits": exits,
        "actors": actors,
    })


def _median_payback(x: np.ndarray, horizon: int) -> float:
    """The median payback month, "not reached" counted as later than the horizon (NaN if the median is beyond it)."""
    m = np.quantile(np.where(np.isfinite(x), x, np.inf), 0.5, method="inverted_cdf")
    return float(m) if m <= horizon else math.nan

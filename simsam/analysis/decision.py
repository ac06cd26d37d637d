"""Decision analysis: acceptability curves and the value of information.

The decision is *invest* (run the project) or *not*; judged after ``y`` years,
investing is worth ``NB(y)``, the actor's net benefit (kr), and not investing
is worth 0.

* **Acceptability curve** of an actor: ``P(payback ≤ m)`` for every month
  ``m = 1..horizon``, read as "kommun gets its money back within 12 months
  with probability 0.9". It is the distribution function of the payback month
  (not reached counts as never).
* **EVPI**, the expected value of perfect information:
  ``EVPI = E[max(NB, 0)] − max(E[NB], 0)``, what a decision maker would pay to
  know every uncertain quantity before deciding. Zero when every draw agrees on
  the decision. Given for the cohort (kr) and per participant (kr / N), per
  actor and year (the year is the horizon the decision maker judges by).
* **EVPPI** of an input or a group of inputs ``θ`` (the value of learning
  ``θ`` alone): ``E_θ[max(E[NB | θ], 0)] − max(E[NB], 0)``. The conditional
  mean ``g(θ) = E[NB | θ]`` is estimated by regressing the draws' net benefit
  on ``θ`` (Strong, Oakley & Brennan 2014, *Med Decis Making* 34:311): a
  GAM-like least-squares fit on natural cubic regression splines
  (:func:`regression_basis`), the number of knots chosen per target by
  generalised cross-validation. EVPPI is then ``mean(max(ĝ, 0)) −
  max(mean(ĝ), 0)``. Noise left in ``ĝ`` biases the estimate upwards; GCV keeps
  the basis small where ``θ`` explains little.
* **EVPPI per evidence grade**: the group EVPPI of all inputs of one grade
  (``high``, ``medium``, ``low``, ``ungraded``; the result's
  ``parameter_evidence``) learnt together, by the same regression on their
  additive splines and pairwise linear products (knots 3 or 4 per input: the
  basis has hundreds of columns). With the EVPPI of each input and its grade
  (``input_evidence``), it says what measuring the weakly supported
  assumptions would be worth and which of them first. Only when the config
  grades some input.

Which uncertainty counts. A sampled cohort adds chance (which participants
find work) to parameter uncertainty. That chance cannot be learnt before the
decision, so the EVPI and EVPPI here are computed from the **expected-cohort**
net benefit of each draw's inputs (the net benefit at a year's end is linear
in the state occupancy, so this is exactly ``E[NB | inputs]``): the value of
information about the *inputs*. ``evpi_total`` also gives the EVPI of the
draws as simulated (inputs and cohort chance together), an upper bound.
Acceptability curves are from the draws as simulated: they describe this
cohort, chance included.

The estimators :func:`evpi_estimate` and :func:`evppi_estimate` are pure array
functions; :func:`decision_analysis` applies them to a result Dataset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config.model import Config
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, evaluate
from ..engine.sampling import ParameterSpace
from ..errors import ConfigError, unknown_key_error
from ..results import NO_FLOW_KR, config_of_results
from ..results.netcdf import write_netcdf

__all__ = [
    "acceptability",
    "evpi_estimate",
    "evppi_estimate",
    "EVPPIFit",
    "regression_basis",
    "expected_net_benefit",
    "input_groups",
    "grade_groups",
    "check_input_names",
    "decision_analysis",
    "write_decision_files",
]

#: Knot counts tried for one input (natural cubic spline with K knots: K − 1 columns).
KNOTS_1D = (3, 4, 5, 6, 8, 10, 12)
#: Knot counts per input tried for two inputs (tensor product) and for three or more (additive).
KNOTS_2D = (3, 4, 5, 6)
KNOTS_ND = (3, 4, 5, 6)
#: Knot counts per input tried for a whole evidence grade (tens of inputs: the basis is additive plus pairwise products).
KNOTS_GRADE = (3, 4)
#: Evidence grades in the order they are reported (``ungraded``: inputs without a grade).
GRADE_ORDER = ("high", "medium", "low", "ungraded")


# --- acceptability --------------------------------------------------------------------------


def acceptability(ds, months: Sequence[int] | None = None):
    """``P(payback ≤ m)`` per actor, for ``m = 1..horizon`` (or the months given).

    Parameters
    ----------
    ds : xarray.Dataset
        A result Dataset (``payback_months`` of dims ``draw, actor``).

    Returns
    -------
    xarray.Dataset
        ``acceptability`` and ``acceptability_mcse``, dims ``(actor, month)``;
        NaN for an actor that bears no share of the cost in any draw.
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    horizon = int(ds.attrs.get("horizon_months", 12 * ds.sizes["year"]))
    months = np.arange(1, horizon + 1) if months is None else np.asarray(months, dtype=np.int64)
    payback = ds["payback_months"].transpose("draw", "actor").values
    n = payback.shape[0]
    p = (payback[:, :, None] <= months[None, None, :]).mean(axis=0)  # NaN (not reached) compares False
    if "cost" in ds:  # an actor without a share of the cost has nothing to pay back: no curve (not 1 from month 1)
        no_cost = np.nanmax(np.abs(ds["cost"].transpose("draw", "actor").values), axis=0, initial=0.0) < NO_FLOW_KR
        p[no_cost] = np.nan
    coords = {"actor": ds["actor"].values, "month": months}
    return xr.Dataset(
        {
            "acceptability": (("actor", "month"), p, {"units": "1", "long_name": "P(payback ≤ month)"}),
            "acceptability_mcse": (
                ("actor", "month"),
                np.sqrt(p * (1 - p) / n),
                {"units": "1", "long_name": "Monte Carlo s.e. of the acceptability"},
            ),
        },
        coords=coords,
    )


# --- EVPI ---------------------------------------------------------------------------------


def evpi_estimate(net_benefit: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """EVPI of invest (worth ``NB``) against not (worth 0) from Monte Carlo draws.

    ``EVPI = mean(max(NB, 0)) − max(mean(NB), 0)``: if investing is best on
    average, the loss avoided by perfect information is ``mean(max(−NB, 0))``;
    otherwise ``mean(max(NB, 0))``. The standard error is that of this mean
    (the decision taken as known, which it is unless ``mean(NB)`` is within
    its own error of 0).

    Parameters
    ----------
    net_benefit : ndarray
        Draws along ``axis``, any other shape (kr).

    Returns
    -------
    (evpi, mcse) : ndarrays
        Shape of ``net_benefit`` without ``axis`` (kr).
    """
    nb = np.moveaxis(np.asarray(net_benefit, dtype=np.float64), axis, 0)
    n = nb.shape[0]
    invest = nb.mean(axis=0) > 0
    regret = np.where(invest, np.maximum(-nb, 0.0), np.maximum(nb, 0.0))
    evpi = regret.mean(axis=0)
    mcse = regret.std(axis=0, ddof=1) / math.sqrt(n) if n > 1 else np.zeros_like(evpi)
    return evpi, mcse


# --- EVPPI by regression ------------------------------------------------------------------


def _knots(x: np.ndarray, k: int) -> np.ndarray:
    q = np.linspace(0.05, 0.95, k) if k <= 5 else np.linspace(0.025, 0.975, k)
    return np.unique(np.quantile(x, q))


def _natural_spline(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Natural cubic spline basis without the constant, shape ``(n, K − 1)`` for ``K`` knots.

    Hastie, Tibshirani & Friedman, *Elements of Statistical Learning*, eq. 5.4–5.5:
    ``x`` and ``d_k(x) − d_{K−1}(x)``, ``d_k(x) = ((x − ξ_k)³₊ − (x − ξ_K)³₊) / (ξ_K − ξ_k)``;
    linear beyond the boundary knots.
    """
    K = knots.size
    if K < 3:
        return x[:, None]

    def d(k):
        return (np.maximum(x - knots[k], 0.0) ** 3 - np.maximum(x - knots[-1], 0.0) ** 3) / (knots[-1] - knots[k])

    last = d(K - 2)
    return np.column_stack([x] + [d(k) - last for k in range(K - 2)])


def regression_basis(x: np.ndarray, knots: int) -> np.ndarray:
    """Design matrix of the EVPPI metamodel, with a constant column first.

    Each input is scaled to [0, 1]. One input: a natural cubic regression
    spline with ``knots`` knots at quantiles. Two inputs: the tensor product
    of their splines (a smooth surface). Three or more: additive splines plus
    every pairwise product of the linear terms (a GAM with linear interactions).

    Parameters
    ----------
    x : ndarray, shape ``(draw, input)``
    knots : int

    Returns
    -------
    ndarray, shape ``(draw, column)``
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    lo, hi = x.min(axis=0), x.max(axis=0)
    keep = hi > lo
    x = (x[:, keep] - lo[keep]) / (hi[keep] - lo[keep])
    n, d = x.shape
    one = np.ones((n, 1))
    if d == 0:
        return one
    bases = [_natural_spline(x[:, j], _knots(x[:, j], knots)) for j in range(d)]
    if d == 1:
        return np.hstack([one, bases[0]])
    if d == 2:
        b1, b2 = (np.hstack([one, b]) for b in bases)
        return (b1[:, :, None] * b2[:, None, :]).reshape(n, -1)
    pairs = [x[:, i : i + 1] * x[:, j : j + 1] for i in range(d) for j in range(i + 1, d)]
    return np.hstack([one, *bases, *pairs])


@dataclass(frozen=True)
class EVPPIFit:
    """EVPPI of one input group for several targets.

    Attributes
    ----------
    evppi : ndarray, shape ``(target,)``
        kr (the unit of the net benefit).
    r2 : ndarray, shape ``(target,)``
        Share of the net benefit's variance the metamodel explains.
    knots : ndarray of int, shape ``(target,)``
        Knots per input of the chosen basis.
    columns : ndarray of int, shape ``(target,)``
        Columns of the chosen basis.
    """

    evppi: np.ndarray
    r2: np.ndarray
    knots: np.ndarray
    columns: np.ndarray


def evppi_estimate(x: np.ndarray, net_benefit: np.ndarray, *, knots: Sequence[int] | None = None) -> EVPPIFit:
    """EVPPI of the inputs ``x`` for invest (worth ``NB``) against not (worth 0).

    Parameters
    ----------
    x : ndarray, shape ``(draw,)`` or ``(draw, input)``
        The draws' values of the input group.
    net_benefit : ndarray, shape ``(draw,)`` or ``(draw, target)``
        The draws' net benefit, kr; several targets (actors, years) are fitted
        at once.
    knots : sequence of int, optional
        Knot counts to choose from by GCV (default by the number of inputs).

    Returns
    -------
    EVPPIFit
    """
    y = np.ascontiguousarray(net_benefit, dtype=np.float64)
    single = y.ndim == 1
    y = y[:, None] if single else y
    x = np.asarray(x, dtype=np.float64)
    d = 1 if x.ndim == 1 else x.shape[1]
    n, t = y.shape
    candidates = knots or (KNOTS_1D if d == 1 else KNOTS_2D if d == 2 else KNOTS_ND)
    best_gcv = np.full(t, np.inf)
    fitted = np.repeat(y.mean(axis=0, keepdims=True), n, axis=0)
    chosen_k = np.zeros(t, dtype=np.int64)
    chosen_p = np.ones(t, dtype=np.int64)
    tss = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    for k in candidates:
        X = regression_basis(x, k)
        # Normal equations with a pseudo-inverse: the basis has at most a few
        # dozen well-scaled columns. The products avoid BLAS (einsum without
        # optimize): multithreaded BLAS next to numba's threads on a busy
        # machine was 5-50 times slower than this single-threaded loop.
        xt = np.ascontiguousarray(X.T)
        xtx = np.einsum("kn,nj->kj", xt, X)
        scale = np.sqrt(np.maximum(np.diag(xtx), 1e-300))
        xtx_s = xtx / np.outer(scale, scale)
        rank = int(np.linalg.matrix_rank(xtx_s, tol=1e-10))
        if rank >= n:
            continue
        coef = (np.linalg.pinv(xtx_s, rcond=1e-10) @ (np.einsum("kn,nt->kt", xt, y) / scale[:, None])) / scale[:, None]
        g = np.einsum("nk,kt->nt", X, coef)
        rss = ((y - g) ** 2).sum(axis=0)
        gcv = n * rss / (n - rank) ** 2
        better = gcv < best_gcv
        best_gcv = np.where(better, gcv, best_gcv)
        fitted[:, better] = g[:, better]
        chosen_k[better] = k
        chosen_p[better] = rank
    evppi = np.maximum(fitted, 0.0).mean(axis=0) - np.maximum(fitted.mean(axis=0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(tss > 0, 1.0 - ((y - fitted) ** 2).sum(axis=0) / tss, 0.0)
    if single:
        return EVPPIFit(evppi[:1], r2[:1], chosen_k[:1], chosen_p[:1])
    return EVPPIFit(evppi, r2, chosen_k, chosen_p)


# --- on result Datasets -------------------------------------------------------------------


def expected_net_benefit(config: Config, ds, *, chunk_draws: int | None = None) -> np.ndarray:
    """Each draw's net benefit on the expected cohort of its inputs, shape ``(draw, actor, year)``, kr.

    ``E[NB | inputs]``: the draw's inputs without the cohort's chance.
    """

    space = ParameterSpace.from_config(config)
    if list(ds["parameter"].values.tolist()) != list(space.names):
        raise ConfigError("inputs", "the results' inputs do not match the config's uncertain inputs")
    values = ds["inputs"].transpose("draw", "parameter").values
    draws = ds["draw"].values.astype(np.int64)
    seed = int(ds.attrs.get("seed", 0))
    chunk = int(chunk_draws or DEFAULT_CHUNK_DRAWS)
    parts = [
        evaluate(config, space, values[s : s + chunk], draws[s : s + chunk], seed, engine="expected").net_benefit
        for s in range(0, draws.size, chunk)
    ]
    return np.concatenate(parts)


def input_groups(ds, names: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Input groups for EVPPI: name → parameters (columns of ``inputs``).

    By default (``names`` None) every uncertain input alone, and each Dirichlet
    table of shares as one group; an empty list gives none. A name may be a parameter, a group (``outcomes.shares``), or
    several joined by ``+`` (learnt together).

    Raises
    ------
    ConfigError
        ``--evppi``: an unknown name.
    """

    params = ds["parameter"].values.tolist()
    groups = ds["parameter_group"].values.tolist() if "parameter_group" in ds.coords else params
    by_group: dict[str, list[str]] = {}
    for p, g in zip(params, groups):
        by_group.setdefault(g, []).append(p)
    if names is None:
        return by_group
    out = {}
    for name in names:
        members = []
        for part in name.split("+"):
            part = part.strip()
            if part in by_group:
                members += by_group[part]
            elif part in params:
                members.append(part)
            else:
                raise unknown_key_error("--evppi", part, list(dict.fromkeys([*by_group, *params])), what="uncertain input")
        out[name] = list(dict.fromkeys(members))
    return out


def grade_groups(ds) -> dict[str, list[str]]:
    """Evidence grade → its inputs (columns of ``inputs``), in :data:`GRADE_ORDER`; empty when nothing is graded.

    From the result's ``parameter_evidence`` coordinate (results written before
    grades existed have none: no grade groups).
    """
    if "parameter_evidence" not in ds.coords:
        return {}
    params = ds["parameter"].values.tolist()
    grades = [str(g) for g in ds["parameter_evidence"].values.tolist()]
    if all(g == "ungraded" for g in grades):
        return {}
    return {g: [p for p, e in zip(params, grades) if e == g] for g in GRADE_ORDER if g in grades}


def check_input_names(config: Config, names: Sequence[str], path: str = "--evppi") -> None:
    """Check EVPPI input names (see :func:`input_groups`) against a config before any run.

    Raises
    ------
    ConfigError
        ``path``: an unknown input, with the nearest name.
    """

    space = ParameterSpace.from_config(config)
    valid = list(dict.fromkeys([*space.group_of, *space.names]))
    for name in names:
        for part in name.split("+"):
            if part.strip() not in valid:
                raise unknown_key_error(path, part.strip(), valid, what="uncertain input")


def _design(ds, members: list[str], groups: dict[str, list[str]]) -> np.ndarray:
    """The group's columns, dropping one item of each complete table of shares (they sum to 1)."""
    cols = list(members)
    for g, ps in groups.items():
        if len(ps) > 1 and g != ps[0] and all(p in cols for p in ps):
            cols.remove(ps[-1])
    return ds["inputs"].sel(parameter=cols).transpose("draw", "parameter").values


def decision_analysis(ds, config: Config | None = None, *, evppi: Sequence[str] | None = None, chunk_draws: int | None = None):
    """Acceptability curves, EVPI and EVPPI of a result Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`simsam.simulate` or ``results.nc``.
    config : Config, optional
        The config of the run (default: rebuilt from the Dataset's attributes);
        used to evaluate each draw's expected cohort.
    evppi : sequence of str, optional
        Input groups for EVPPI (see :func:`input_groups`); default every
        input; an empty list skips EVPPI.

    Returns
    -------
    xarray.Dataset
        ``acceptability`` (actor, month); ``expected_net_benefit``,
        ``p_net_benefit_positive``, ``evpi``, ``evpi_mcse``,
        ``evpi_per_participant``, ``evpi_total`` (actor, year);
        ``evppi``, ``evppi_per_participant``, ``evppi_r2``, ``evppi_columns``
        (input, actor, year); where the config grades its inputs, ``evppi_grade``,
        ``evppi_grade_per_participant``, ``evppi_grade_r2`` (grade, actor, year)
        and each input's grade ``input_evidence``. Money in kr (cohort unless
        "per participant").
    """
    config = config_of_results(ds) if config is None else config
    participants = int(ds.attrs.get("participants", config.project.participants))
    nb_run = ds["net_benefit"].transpose("draw", "actor", "year").values
    nb = expected_net_benefit(config, ds, chunk_draws=chunk_draws) if config.simulation.cohort == "sampled" else nb_run
    acc = acceptability(ds)
    evpi, evpi_se = evpi_estimate(nb)
    evpi_total, _ = evpi_estimate(nb_run)
    n, a, y = nb.shape
    groups_all = input_groups(ds)
    groups = input_groups(ds, evppi)
    fits = {}
    for name, members in groups.items():
        x = _design(ds, members, groups_all)
        fits[name] = evppi_estimate(x, nb.reshape(n, a * y))
    names = list(groups)

    def grid(attr):
        return np.stack([getattr(fits[g], attr).reshape(a, y) for g in names]) if names else np.zeros((0, a, y))

    kr = {"units": "kr"}
    out = acc.assign(
        expected_net_benefit=(("actor", "year"), nb_run.mean(axis=0), {**kr, "long_name": "mean net benefit of the draws (cohort)"}),
        p_net_benefit_positive=(("actor", "year"), (nb_run > 0).mean(axis=0), {"units": "1"}),
        evpi=(("actor", "year"), evpi, {**kr, "long_name": "EVPI of the inputs (expected cohort), whole cohort"}),
        evpi_mcse=(("actor", "year"), evpi_se, kr),
        evpi_per_participant=(("actor", "year"), evpi / participants, {**kr, "long_name": "EVPI per participant"}),
        evpi_total=(("actor", "year"), evpi_total, {**kr, "long_name": "EVPI of the draws as simulated (inputs and cohort chance)"}),
        evppi=(("input", "actor", "year"), grid("evppi"), {**kr, "long_name": "EVPPI of the input group, whole cohort"}),
        evppi_per_participant=(("input", "actor", "year"), grid("evppi") / participants, kr),
        evppi_r2=(("input", "actor", "year"), grid("r2"), {"units": "1", "long_name": "R² of the regression metamodel"}),
        evppi_columns=(("input", "actor", "year"), grid("columns"), {"long_name": "columns of the chosen spline basis"}),
    )
    out = out.assign_coords(
        year=ds["year"].values,
        input=np.array(names, dtype=str),
        input_members=("input", [" + ".join(groups[g]) for g in names]),
    )
    grades = grade_groups(ds) if evppi is None or len(evppi) else {}
    if grades:
        out = _with_grades(out, ds, nb, grades, groups, groups_all, participants)
    if "actor_label" in ds.coords:
        out = out.assign_coords(actor_label=("actor", ds["actor_label"].values))
    out.attrs.update(
        {
            k: (v.item() if hasattr(v, "item") else v)
            for k, v in ds.attrs.items()
            if k in ("name", "seed", "draws", "cohort", "participants", "horizon_months", "simsam_version", "config_file")
        }
    )
    out.attrs["value_of_information_basis"] = (
        "expected cohort of each draw's inputs" if config.simulation.cohort == "sampled" else "the draws as simulated"
    )
    out.attrs["evppi_method"] = "regression on natural cubic splines (tensor product for two inputs, additive for more), knots by GCV"
    return out


def _with_grades(out, ds, nb: np.ndarray, grades: dict, groups: dict, groups_all: dict, participants: int):
    """``evppi_grade`` and its per-participant value and R² ``(grade, actor, year)``; ``input_evidence`` on ``input``."""
    n, a, y = nb.shape
    fits = {g: evppi_estimate(_design(ds, members, groups_all), nb.reshape(n, a * y), knots=KNOTS_GRADE) for g, members in grades.items()}
    names = list(grades)
    value = np.stack([fits[g].evppi.reshape(a, y) for g in names])
    r2 = np.stack([fits[g].r2.reshape(a, y) for g in names])
    grade_of = dict(zip(ds["parameter"].values.tolist(), [str(g) for g in ds["parameter_evidence"].values.tolist()]))
    input_grade = [" + ".join(dict.fromkeys(grade_of[p] for p in groups[i])) for i in out["input"].values.tolist()]
    kr = {"units": "kr"}
    out = out.assign(
        evppi_grade=(("grade", "actor", "year"), value, {**kr, "long_name": "EVPPI of all inputs of the evidence grade, learnt together"}),
        evppi_grade_per_participant=(("grade", "actor", "year"), value / participants, kr),
        evppi_grade_r2=(("grade", "actor", "year"), r2, {"units": "1", "long_name": "R² of the grade's regression metamodel"}),
    )
    return out.assign_coords(
        grade=np.array(names, dtype=str),
        grade_members=("grade", [" + ".join(grades[g]) for g in names]),
        input_evidence=("input", np.array(input_grade, dtype=str)),
    )


def write_decision_files(dec, folder: Path) -> list[str]:
    """Write ``decision.nc``, ``acceptability.csv``, ``evpi.csv`` and ``evppi.csv`` into ``folder``."""
    folder = Path(folder)
    write_netcdf(dec, folder / "decision.nc")
    dec[["acceptability", "acceptability_mcse"]].to_dataframe().drop(columns=["actor_label"], errors="ignore").to_csv(
        folder / "acceptability.csv", float_format="%.6g"
    )
    names = ["expected_net_benefit", "p_net_benefit_positive", "evpi", "evpi_mcse", "evpi_per_participant", "evpi_total"]
    dec[names].to_dataframe().drop(columns=["actor_label"], errors="ignore").to_csv(folder / "evpi.csv", float_format="%.6g")
    files = ["decision.nc", "acceptability.csv", "evpi.csv"]
    if dec.sizes.get("input", 0):
        ev = dec[["evppi", "evppi_per_participant", "evppi_r2", "evppi_columns"]].to_dataframe()
        ev.drop(columns=["actor_label", "input_members", "input_evidence"], errors="ignore").to_csv(
            folder / "evppi.csv", float_format="%.6g"
        )
        files.append("evppi.csv")
    if dec.sizes.get("grade", 0):
        ev = dec[["evppi_grade", "evppi_grade_per_participant", "evppi_grade_r2"]].to_dataframe()
        ev.drop(columns=["actor_label", "grade_members"], errors="ignore").to_csv(folder / "evppi_evidence.csv", float_format="%.6g")
        files.append("evppi_evidence.csv")
    return files
